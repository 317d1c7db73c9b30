//! Polygon against a loopback server serving hand-written v3 snapshot and v2 aggregates
//! fixtures: `next_url` pagination, `O:` tickers, nanosecond quote times, missing IVs and
//! underlying prices, zero quotes, status-ERROR bodies and a bearer key kept on-host.

mod vendors_support;

use chrono::{NaiveDate, TimeZone, Utc};
use scanner_core::market::{MarketData, PolygonMarket};
use scanner_core::model::OptionKind;
use scanner_core::ErrorKind;
use vendors_support::{fast_config, fixture, reasons, Dates, Reply, Server};

const SNAP: &str = "/v3/snapshot/options/AAPL";

fn polygon(server: &Server) -> PolygonMarket {
    PolygonMarket::new(Some("pk_test_key".into()))
        .unwrap()
        .with_base_url(&server.base)
        .with_config(fast_config())
        .with_max_expirations(2)
}

#[tokio::test]
async fn snapshot_pages_are_followed_and_quirks_kept() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route(
        SNAP,
        Some("cursor=YWZ0ZXI9Mg"),
        vec![Reply::json(fixture(
            "polygon_snapshot_page2.json",
            &dates,
            &server.base,
        ))],
    );
    server.route(
        SNAP,
        None,
        vec![Reply::json(fixture(
            "polygon_snapshot_page1.json",
            &dates,
            &server.base,
        ))],
    );
    let market = polygon(&server);
    let chain = market
        .option_chain("AAPL", Utc::now())
        .await
        .expect("chain");
    assert_eq!(server.hits(SNAP), 2);
    assert_eq!(
        chain.spot, 190.5,
        "spot comes from the page that has underlying_asset"
    );
    assert_eq!(chain.dividend_yield, 0.0);
    assert_eq!(chain.expirations(), vec![dates.exp1, dates.exp2]);
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
        (call.kind, call.strike, call.bid, call.ask, call.last),
        (OptionKind::Call, 190.0, 2.5, 2.6, Some(2.55))
    );
    assert_eq!(
        (call.volume, call.open_interest, call.vendor_iv),
        (120, 3400, Some(0.25))
    );
    assert_eq!(
        call.quote_time,
        Utc.timestamp_opt(1_721_419_150, 0).single(),
        "nanoseconds → instant"
    );
    let put = by(&format!("AAPL{occ1}P00185000"));
    assert_eq!(
        (
            put.bid,
            put.ask,
            put.open_interest,
            put.volume,
            put.last,
            put.vendor_iv
        ),
        (0.0, 0.0, 0, 0, None, None)
    );
    let placeholder = by(&format!("AAPL{}C00190000", Dates::occ(dates.exp2)));
    assert_eq!(placeholder.vendor_iv, None);

    let report = market.last_chain_report("AAPL").expect("report");
    assert_eq!((report.rows, report.kept), (5, 3));
    let skipped = reasons(&report.skipped, "polygon");
    assert_eq!(skipped.get("missing_option_type"), Some(&1));
    assert_eq!(skipped.get("beyond_max_expirations"), Some(&1));
    let flagged = reasons(&report.flagged, "polygon");
    assert_eq!(
        (flagged.get("iv_placeholder"), flagged.get("missing_iv")),
        (Some(&1), Some(&1))
    );
    for seen in server.seen() {
        assert_eq!(seen.authorization.as_deref(), Some("Bearer pk_test_key"));
    }
}

#[tokio::test]
async fn missing_underlying_price_falls_back_to_previous_close() {
    let server = Server::start().await;
    let dates = Dates::now();
    let page = fixture("polygon_snapshot_page1.json", &dates, &server.base);
    let single = page.replace(
        &format!(
            "\"{}/v3/snapshot/options/AAPL?cursor=YWZ0ZXI9Mg\"",
            server.base
        ),
        "null",
    );
    server.route(SNAP, None, vec![Reply::json(single)]);
    server.route(
        "/v2/aggs/ticker/AAPL/prev",
        None,
        vec![Reply::json(fixture(
            "polygon_prev.json",
            &dates,
            &server.base,
        ))],
    );
    let market = polygon(&server);
    let chain = market
        .option_chain("AAPL", Utc::now())
        .await
        .expect("chain");
    assert_eq!(chain.spot, 189.0);
    let flagged = reasons(
        &market.last_chain_report("AAPL").expect("report").flagged,
        "polygon",
    );
    assert_eq!(flagged.get("spot_from_previous_close"), Some(&1));
}

#[tokio::test]
async fn next_url_to_another_host_is_refused() {
    let server = Server::start().await;
    let dates = Dates::now();
    let page = fixture(
        "polygon_snapshot_page1.json",
        &dates,
        "http://198.51.100.7:9",
    );
    server.route(SNAP, None, vec![Reply::json(page)]);
    let err = polygon(&server)
        .option_chain("AAPL", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("another host"), "{err}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn aggregates_become_history_up_to_as_of() {
    let server = Server::start().await;
    let dates = Dates::now();
    // 2024-07-18 17:00 New York; 30 sessions ask from 56 calendar days earlier (30·7/5 + 14).
    let as_of = Utc.with_ymd_and_hms(2024, 7, 18, 21, 0, 0).unwrap();
    let body = fixture("polygon_aggs.json", &dates, &server.base);
    let path = "/v2/aggs/ticker/AAPL/range/1/day/2024-05-23/2024-07-18";
    server.route(path, Some("adjusted=true"), vec![Reply::json(body)]);
    let market = polygon(&server);
    let h = market
        .price_history("AAPL", 30, as_of)
        .await
        .expect("history");
    let d = |day| NaiveDate::from_ymd_opt(2024, 7, day).unwrap();
    assert_eq!(
        h.dates(),
        &[d(15), d(16), d(18)],
        "04:00 UTC bar times are New York dates"
    );
    assert_eq!(h.close(), &[234.4, 234.82, 229.0]);
    let report = market.last_history_report("AAPL").expect("report");
    let skipped = reasons(&report.skipped, "polygon");
    assert_eq!(
        (skipped.get("inconsistent_bar"), skipped.get("after_as_of")),
        (Some(&1), Some(&1))
    );
    assert_eq!(report.rows, report.kept + report.skipped.total());
}

#[tokio::test]
async fn status_error_bodies_are_data_source_errors() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route(
        SNAP,
        None,
        vec![Reply::json(fixture(
            "polygon_error.json",
            &dates,
            &server.base,
        ))],
    );
    let err = polygon(&server)
        .option_chain("AAPL", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("Unknown API Key"), "{err}");
}
