//! Tradier against a loopback server serving hand-written fixtures: one chain request per
//! expiration, a single contract as an object instead of a list, `{"options": null}`,
//! `mid_iv` 0 placeholders with `smv_vol` fallback, null greeks, unmatched quotes.

mod vendors_support;

use chrono::{NaiveDate, TimeZone, Utc};
use scanner_core::market::{MarketData, TradierMarket};
use scanner_core::ErrorKind;
use vendors_support::{fast_config, fixture, reasons, Dates, Reply, Server};

const EXPS: &str = "/v1/markets/options/expirations";
const CHAINS: &str = "/v1/markets/options/chains";
const QUOTES: &str = "/v1/markets/quotes";

fn tradier(server: &Server) -> TradierMarket {
    TradierMarket::new(Some("tr_test_token".into()))
        .unwrap()
        .with_base_url(&server.base)
        .with_config(fast_config())
        .with_max_expirations(2)
}

#[tokio::test]
async fn chains_per_expiration_with_greeks_and_quirks() {
    let server = Server::start().await;
    let dates = Dates::now();
    let f = |name: &str| Reply::json(fixture(name, &dates, &server.base));
    server.route(
        EXPS,
        Some("symbol=AAPL"),
        vec![f("tradier_expirations.json")],
    );
    server.route(
        CHAINS,
        Some(&format!("expiration={}", dates.exp1)),
        vec![f("tradier_chain_exp1.json")],
    );
    server.route(
        CHAINS,
        Some(&format!("expiration={}", dates.exp2)),
        vec![f("tradier_chain_exp2.json")],
    );
    server.route(QUOTES, Some("symbols=AAPL"), vec![f("tradier_quote.json")]);
    let market = tradier(&server);
    let chain = market
        .option_chain("AAPL", Utc::now())
        .await
        .expect("chain");
    assert_eq!(chain.spot, 190.5);
    assert_eq!(
        chain.expirations(),
        vec![dates.exp1, dates.exp2],
        "expired date skipped, max 2"
    );
    assert_eq!(server.hits(CHAINS), 2);
    assert!(server
        .seen()
        .iter()
        .filter(|s| s.path_and_query.starts_with(CHAINS))
        .all(|s| s.path_and_query.contains("greeks=true")));
    let occ1 = Dates::occ(dates.exp1);
    let by = |sym: &str| {
        chain
            .quotes
            .iter()
            .find(|q| q.contract_symbol == sym)
            .unwrap_or_else(|| panic!("{sym} missing"))
    };
    let call = by(&format!("AAPL{occ1}C00190000"));
    assert_eq!(
        (call.bid, call.ask, call.last, call.vendor_iv),
        (2.5, 2.6, Some(2.55), Some(0.25))
    );
    assert_eq!(
        call.quote_time,
        Utc.timestamp_millis_opt(1_721_419_151_000).single(),
        "latest of bid/ask dates"
    );
    let closed = by(&format!("AAPL{occ1}P00185000"));
    assert_eq!(
        (
            closed.bid,
            closed.ask,
            closed.open_interest,
            closed.vendor_iv,
            closed.quote_time
        ),
        (0.0, 0.0, 0, None, None)
    );
    assert_eq!(
        by(&format!("AAPL{occ1}P00190000")).vendor_iv,
        Some(0.26),
        "mid_iv 0 falls back to smv_vol"
    );
    let single = by(&format!("AAPL{}C00190000", Dates::occ(dates.exp2)));
    assert_eq!(
        (single.strike, single.vendor_iv),
        (190.0, None),
        "a lone object is still a contract"
    );

    let report = market.last_chain_report("AAPL").expect("report");
    assert_eq!((report.rows, report.kept), (5, 4));
    assert_eq!(
        reasons(&report.skipped, "tradier").get("bad_strike"),
        Some(&1)
    );
    let flagged = reasons(&report.flagged, "tradier");
    assert_eq!(flagged.get("iv_placeholder"), Some(&1));
    assert_eq!(flagged.get("iv_from_smv_vol"), Some(&1));
    assert_eq!(flagged.get("missing_iv"), Some(&1));
}

#[tokio::test]
async fn single_expiration_and_empty_chain_are_handled() {
    let server = Server::start().await;
    let dates = Dates::now();
    let f = |name: &str| Reply::json(fixture(name, &dates, &server.base));
    server.route(EXPS, None, vec![f("tradier_expirations_single.json")]);
    server.route(CHAINS, None, vec![f("tradier_chain_empty.json")]);
    server.route(QUOTES, None, vec![f("tradier_quote.json")]);
    let err = tradier(&server)
        .option_chain("AAPL", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(server.hits(CHAINS), 1, "the lone date string was used");
}

#[tokio::test]
async fn unknown_symbols_are_not_found() {
    let server = Server::start().await;
    let dates = Dates::now();
    let f = |name: &str| Reply::json(fixture(name, &dates, &server.base));
    server.route(EXPS, None, vec![f("tradier_expirations_none.json")]);
    server.route(
        "/v1/markets/history",
        None,
        vec![Reply::json(r#"{"history": null}"#)],
    );
    let market = tradier(&server);
    assert_eq!(
        market
            .option_chain("NOPE", Utc::now())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        market
            .price_history("NOPE", 5, Utc::now())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let body = fixture("tradier_quote_unmatched.json", &dates, &server.base);
    let err = scanner_core::market::vendors::tradier_json::parse_quote(body.as_bytes(), "NOPE")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn history_list_or_single_day() {
    let server = Server::start().await;
    let dates = Dates::now();
    let f = |name: &str| Reply::json(fixture(name, &dates, &server.base));
    server.route(
        "/v1/markets/history",
        Some("symbol=AAPL"),
        vec![f("tradier_history.json")],
    );
    server.route(
        "/v1/markets/history",
        Some("symbol=ONE"),
        vec![f("tradier_history_single.json")],
    );
    let market = tradier(&server);
    let as_of = Utc.with_ymd_and_hms(2024, 7, 18, 21, 0, 0).unwrap();
    let h = market
        .price_history("AAPL", 10, as_of)
        .await
        .expect("history");
    let d = |day| NaiveDate::from_ymd_opt(2024, 7, day).unwrap();
    assert_eq!(h.dates(), &[d(15), d(16), d(18)]);
    let q = server.seen()[0].path_and_query.clone();
    assert!(
        q.contains("interval=daily") && q.contains("end=2024-07-18"),
        "{q}"
    );
    let report = market.last_history_report("AAPL").expect("report");
    let skipped = reasons(&report.skipped, "tradier");
    assert_eq!(
        (skipped.get("null_bar"), skipped.get("after_as_of")),
        (Some(&1), Some(&1))
    );
    let one = market
        .price_history("ONE", 10, as_of)
        .await
        .expect("single day");
    assert_eq!(one.dates(), &[d(18)]);
}
