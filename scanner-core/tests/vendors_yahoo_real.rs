//! Yahoo defects seen on real v7/v8 responses, each on a fixture of Yahoo's real shape:
//! the quote time of a live bid/ask, the IV placeholder lattice, ADR dividend yields, a
//! missing expiration page, delisted symbols and stale histories, and the provenance a scan
//! reports for them.

mod vendors_support;

use std::sync::Arc;

use chrono::{Datelike, TimeZone, Utc};
use scanner_core::market::quality::{assess, QualityConfig};
use scanner_core::market::vendors::yahoo_json::parse_options;
use scanner_core::market::vendors::ParseReport;
use scanner_core::market::{MarketData, Origin, SymbolProvenance, YahooMarket};
use scanner_core::scan::{ScanConfig, ScanRequest, Scanner};
use scanner_core::ErrorKind;
use vendors_support::{fast_config, fixture, reasons, Dates, Reply, Server};

fn adr_page(dates: &Dates) -> String {
    fixture("yahoo_options_adr_after_hours.json", dates, "")
}

#[test]
fn bid_ask_are_stamped_with_the_market_time_and_the_last_trade_kept_apart() {
    let dates = Dates::now();
    let mut report = ParseReport::new("yahoo");
    let page = parse_options(adr_page(&dates).as_bytes(), "BABA", &mut report).unwrap();
    let live = page
        .quotes
        .iter()
        .find(|q| q.strike == 85.0)
        .expect("the two-sided call");
    let market_time = Utc.timestamp_opt(1720638000, 0).unwrap();
    assert_eq!(live.quote_time, Some(market_time));
    assert_eq!(
        live.last_trade_time,
        Utc.timestamp_opt(1720206000, 0).single()
    );
    // During market hours a live two-sided quote whose last trade is days old is not stale.
    let now = market_time + chrono::Duration::minutes(2);
    let r = assess(
        live,
        84.12,
        live.vendor_iv,
        now,
        page.spot_time,
        &QualityConfig::legacy(),
    );
    let codes: Vec<&str> = r
        .issues
        .iter()
        .chain(&r.warnings)
        .map(|i| i.code.as_ref())
        .collect();
    assert!(!codes.contains(&"stale_quote"), "{codes:?}");
    // Under the old reading (quote time = last trade) the same check would call it stale.
    let mut old = live.clone();
    old.quote_time = old.last_trade_time;
    let r = assess(
        &old,
        84.12,
        old.vendor_iv,
        now,
        page.spot_time,
        &QualityConfig::legacy(),
    );
    assert!(r.issues.iter().any(|i| i.code == "stale_quote"));
}

#[test]
fn placeholder_ivs_and_ivs_without_a_price_are_not_trusted() {
    let dates = Dates::now();
    let mut report = ParseReport::new("yahoo");
    let page = parse_options(adr_page(&dates).as_bytes(), "BABA", &mut report).unwrap();
    let iv = |strike: f64, kind: &str| {
        page.quotes
            .iter()
            .find(|q| q.strike == strike && q.kind.as_str() == kind)
            .unwrap_or_else(|| panic!("{kind} {strike}"))
            .vendor_iv
    };
    // Solved from a live quote: kept.
    assert_eq!(iv(85.0, "call"), Some(0.3421));
    // 2⁻ᵏ·(1−1e-5)+1e-5 lattice points on bid = ask = 0 contracts: placeholders.
    for strike in [100.0, 110.0, 120.0] {
        assert_eq!(iv(strike, "call"), None, "call {strike}");
    }
    assert_eq!(iv(50.0, "put"), None);
    // Not a lattice value, but no two-sided quote and no trade: nothing to solve from.
    assert_eq!(iv(80.0, "put"), None);
    // One-sided but traded today: kept.
    assert_eq!(iv(84.0, "put"), Some(0.3517));
    let flagged = reasons(&report.flagged, "yahoo");
    assert_eq!(flagged.get("iv_placeholder"), Some(&4));
    assert_eq!(flagged.get("iv_without_price"), Some(&1));
    assert_eq!(report.kept, 7);
}

#[test]
fn adr_dividend_yield_prefers_the_forward_percentage_and_rejects_currency_mixes() {
    let dates = Dates::now();
    let body = adr_page(&dates);
    let read = |body: &str| {
        let mut report = ParseReport::new("yahoo");
        let page = parse_options(body.as_bytes(), "BABA", &mut report).unwrap();
        (page.dividend_yield, page.dividend_note)
    };
    // dividendYield 1.19 (%), not trailingAnnualDividendYield 0.0534 (CNY over USD).
    let (y, note) = read(&body);
    assert!((y.unwrap() - 0.0119).abs() < 1e-12, "{y:?}");
    assert_eq!(note, None);
    // BEKE-like: no forward yield, trailing one in another currency: refused, with a reason.
    let trailing_only = body.replace("\"dividendYield\": 1.19,", "");
    assert_eq!(
        read(&trailing_only),
        (None, Some("dividend_currency_mismatch"))
    );
    // Same currency: the trailing yield is fine.
    let domestic = trailing_only.replace("\"financialCurrency\": \"CNY\",", "");
    assert_eq!(read(&domestic), (Some(0.0534), None));
    // A 45 % yield is a unit slip, not a dividend.
    let absurd = body.replace("\"dividendYield\": 1.19", "\"dividendYield\": 45.0");
    assert_eq!(read(&absurd), (None, Some("implausible_dividend_yield")));
}

/// A Yahoo source on a loopback server with BABA's after-hours page as the first page.
async fn baba_server(second_page: Reply) -> (Server, YahooMarket, Dates) {
    let server = Server::start().await;
    let dates = Dates::now();
    let exp2 = format!("date={}", Dates::ts(dates.exp2));
    server.route("/v7/finance/options/BABA", Some(&exp2), vec![second_page]);
    server.route(
        "/v7/finance/options/BABA",
        None,
        vec![Reply::json(adr_page(&dates))],
    );
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config())
        .with_universe(vec!["BABA".into()])
        .with_max_expirations(2);
    (server, yahoo, dates)
}

#[tokio::test]
async fn a_missing_expiration_page_keeps_the_others_and_is_counted() {
    let (server, yahoo, dates) = baba_server(Reply::status(404)).await;
    let chain = yahoo.option_chain("BABA", Utc::now()).await.expect("chain");
    // EXP1 from the first page; EXP2's page 404s.
    assert_eq!(chain.expirations(), vec![dates.exp1]);
    assert_eq!(chain.quotes.len(), 7);
    assert!((chain.dividend_yield - 0.0119f64.ln_1p()).abs() < 1e-12);
    assert_eq!(server.hits("/v7/finance/options/BABA"), 2);
    let report = yahoo.last_chain_report("BABA").unwrap();
    assert_eq!(
        reasons(&report.missing, "yahoo").get("missing_expiration_page"),
        Some(&1)
    );
    assert_eq!(
        yahoo
            .source_rejections("BABA")
            .count("yahoo", "missing_expiration_page"),
        1
    );
    // Other failures still fail the symbol (a 500 after retries is not "missing").
    let (_s, yahoo, _) = baba_server(Reply::status(500)).await;
    let err = yahoo.option_chain("BABA", Utc::now()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
}

#[tokio::test]
async fn a_delisted_symbol_is_not_found() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route(
        "/v7/finance/options/SIVBQ",
        None,
        vec![Reply::json(fixture(
            "yahoo_options_delisted.json",
            &dates,
            "",
        ))],
    );
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config());
    let err = yahoo.option_chain("SIVBQ", Utc::now()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

/// A chart v8 body of `n` weekday bars ending today (New York), in Yahoo's shape.
fn chart_until_today(symbol: &str, n: usize) -> String {
    let mut day = scanner_core::calendar::ny_date(Utc::now());
    let mut stamps = Vec::new();
    while stamps.len() < n {
        if day.weekday().num_days_from_monday() < 5 {
            // 09:30 New York ≈ 13:30 UTC, as Yahoo stamps daily bars.
            stamps.push(day.and_hms_opt(13, 30, 0).unwrap().and_utc().timestamp());
        }
        day = day.pred_opt().unwrap();
    }
    stamps.reverse();
    let closes: Vec<f64> = (0..n).map(|i| 80.0 + (i % 11) as f64 * 0.7).collect();
    let col = |d: f64| {
        closes
            .iter()
            .map(|c| format!("{:.2}", c + d))
            .collect::<Vec<_>>()
            .join(",")
    };
    let stamps: Vec<String> = stamps.iter().map(|s| s.to_string()).collect();
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"{symbol}","dataGranularity":"1d"}},
        "timestamp":[{}],"indicators":{{"quote":[{{"open":[{}],"high":[{}],"low":[{}],"close":[{}],
        "volume":[{}]}}]}}}}],"error":null}}}}"#,
        stamps.join(","),
        col(0.0),
        col(1.0),
        col(-1.0),
        col(0.0),
        vec!["1000000"; n].join(",")
    )
}

#[tokio::test]
async fn a_scan_reports_provenance_missing_pages_and_stale_histories() {
    let (server, yahoo, _) = baba_server(Reply::status(404)).await;
    server.route(
        "/v8/finance/chart/BABA",
        None,
        vec![Reply::json(chart_until_today("BABA", 300))],
    );
    server.route(
        "/v8/finance/chart/OLDCO",
        None,
        vec![Reply::json(fixture(
            "yahoo_chart_stale.json",
            &Dates::now(),
            "",
        ))],
    );
    let yahoo = yahoo.with_universe(vec!["BABA".into(), "OLDCO".into()]);
    let scanner = Scanner::new(Arc::new(yahoo), ScanConfig::default()).unwrap();
    let out = scanner.run(ScanRequest::default()).await.unwrap();
    let meta = &out.results[0].metadata;
    assert_eq!(meta.symbols, vec!["BABA".to_string()]);
    assert_eq!(
        meta.provenance.get("BABA"),
        Some(&SymbolProvenance {
            chain: Origin::Vendor("yahoo".into()),
            history: Origin::Vendor("yahoo".into()),
        })
    );
    assert_eq!(meta.rejections.count("yahoo", "missing_expiration_page"), 1);
    // A history that ended in 2021 is refused and counted, never analysed as current.
    assert_eq!(meta.rejections.count("history", "stale_history"), 1);
    let old = &meta.failed_symbols[0];
    assert_eq!(
        (old.symbol.as_str(), old.kind.as_str()),
        ("OLDCO", "DataSource")
    );
    assert!(old.reason.contains("stale history"), "{}", old.reason);
    assert_eq!(
        server.hits("/v7/finance/options/OLDCO"),
        0,
        "no chain for a stale symbol"
    );
    // What the scan spent: every request the server saw, counted once.
    let spent = &meta.requests["yahoo"];
    assert_eq!(spent.sent, server.seen().len() as u64);
    assert!(spent.bytes > 1000 && spent.retried == 0, "{spent:?}");
    let json: serde_json::Value = serde_json::to_value(&out.results[0]).unwrap();
    assert!(json["metadata"]["requests"]["yahoo"]["waitingSeconds"].is_number());
    assert_eq!(
        json["metadata"]["provenance"]["BABA"]["chain"],
        serde_json::json!({"kind": "vendor", "source": "yahoo"})
    );
    for o in json["opportunities"].as_array().unwrap() {
        assert_eq!(o["quoteSource"], "real");
    }
}

#[tokio::test]
async fn a_429_is_a_rate_limit_not_a_bad_session_and_an_expired_a3_cookie_is_renewed() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route("/v7/finance/options/BUSY", None, vec![Reply::status(429)]);
    // The A3 cookie lives one second.
    server.route(
        "/cookie",
        None,
        vec![Reply::status(404).header("set-cookie", "A3=d=AQABBshort; Max-Age=1; Path=/")],
    );
    server.route("/v1/test/getcrumb", None, vec![Reply::json("crumb1")]);
    server.route(
        "/v7/finance/options/BABA",
        Some("crumb=crumb1"),
        vec![Reply::json(adr_page(&dates))],
    );
    server.route("/v7/finance/options/BABA", None, vec![Reply::status(401)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_cookie_url(format!("{}/cookie", server.base))
        .with_config(scanner_core::market::vendors::HttpConfig {
            max_retries: 1,
            user_agent: "optscan-test/1".into(),
            ..fast_config()
        })
        .with_max_expirations(1);
    let busy = yahoo.option_chain("BUSY", Utc::now()).await.unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::RateLimited);
    assert_eq!(server.hits("/cookie"), 0, "a 429 never renews the session");
    assert_eq!(server.hits("/v7/finance/options/BUSY"), 2, "retried once");

    yahoo.option_chain("BABA", Utc::now()).await.expect("chain");
    yahoo
        .option_chain("BABA", Utc::now())
        .await
        .expect("same session");
    assert_eq!(server.hits("/cookie"), 1);
    assert_eq!(server.hits("/v1/test/getcrumb"), 1, "one crumb shared");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    yahoo
        .option_chain("BABA", Utc::now())
        .await
        .expect("renewed");
    assert_eq!(
        server.hits("/cookie"),
        2,
        "the expired A3 cookie was renewed"
    );
    assert_eq!(yahoo.requests().unwrap().rate_limited, 2);
}

#[tokio::test]
async fn a_bad_crumb_body_fails_the_session_clearly() {
    let server = Server::start().await;
    server.route(
        "/cookie",
        None,
        vec![Reply::status(404).header("set-cookie", "A3=d=x; Path=/")],
    );
    server.route(
        "/v1/test/getcrumb",
        None,
        vec![Reply::json("Too Many Requests")],
    );
    server.route("/v7/finance/options/BABA", None, vec![Reply::status(401)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_cookie_url(format!("{}/cookie", server.base))
        .with_config(fast_config());
    let err = yahoo.option_chain("BABA", Utc::now()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("crumb"), "{err}");
}
