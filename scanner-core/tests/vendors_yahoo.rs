//! Yahoo against a loopback server serving hand-written options v7 and chart v8 fixtures
//! with Yahoo's quirks: midnight-UTC expirations, after-hours zero quotes, IV placeholders,
//! nulls and missing fields, unknown symbols as empty results, truncated JSON.

mod vendors_support;

use chrono::{TimeZone, Utc};
use scanner_core::market::{MarketData, YahooMarket};
use scanner_core::model::OptionKind;
use scanner_core::ErrorKind;
use vendors_support::{fast_config, fixture, reasons, Dates, Reply, Server};

async fn yahoo_with_chain() -> (Server, YahooMarket, Dates) {
    let server = Server::start().await;
    let dates = Dates::now();
    let p1 = fixture("yahoo_options_page1.json", &dates, &server.base);
    let p2 = fixture("yahoo_options_page2.json", &dates, &server.base);
    let exp2 = format!("date={}", Dates::ts(dates.exp2));
    server.route(
        "/v7/finance/options/AAPL",
        Some(&exp2),
        vec![Reply::json(p2)],
    );
    server.route("/v7/finance/options/AAPL", None, vec![Reply::json(p1)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config())
        .with_max_expirations(2);
    (server, yahoo, dates)
}

#[tokio::test]
async fn chain_maps_every_quirk_faithfully() {
    let (server, yahoo, dates) = yahoo_with_chain().await;
    let chain = yahoo.option_chain("aapl", Utc::now()).await.expect("chain");
    assert_eq!(chain.underlying, "AAPL");
    assert_eq!(chain.spot, 190.5);
    // trailingAnnualDividendYield is simple; the model wants continuous: ln(1.005).
    assert!((chain.dividend_yield - 0.004_987_541_511_039_074).abs() < 1e-15);
    // Two expirations fetched (max 2): the first page plus one `?date=` page; never EXP3.
    assert_eq!(chain.expirations(), vec![dates.exp1, dates.exp2]);
    assert_eq!(server.hits("/v7/finance/options/AAPL"), 2);
    assert!(server.seen().iter().all(|s| !s
        .path_and_query
        .contains(&Dates::ts(dates.exp3).to_string())));
    assert_eq!(chain.quotes.len(), 6);

    let by = |sym: &str| {
        chain
            .quotes
            .iter()
            .find(|q| q.contract_symbol == sym)
            .unwrap_or_else(|| panic!("{sym} missing"))
    };
    let occ1 = Dates::occ(dates.exp1);
    // Midnight-UTC expiration is the same calendar date, not the New York day before.
    let normal = by(&format!("AAPL{occ1}C00190000"));
    assert_eq!(normal.expiration, dates.exp1);
    assert_eq!(
        (normal.kind, normal.strike, normal.bid, normal.ask),
        (OptionKind::Call, 190.0, 2.5, 2.6)
    );
    assert_eq!(
        (normal.volume, normal.open_interest, normal.vendor_iv),
        (120, 3400, Some(0.25))
    );
    assert_eq!(normal.last, Some(2.55));
    // Yahoo stamps no quote: bid/ask are as of the response's regularMarketTime, and the
    // contract's lastTradeDate is kept as its own field.
    assert_eq!(normal.quote_time, Utc.timestamp_opt(1721419200, 0).single());
    assert_eq!(
        normal.last_trade_time,
        Utc.timestamp_opt(1721419100, 0).single()
    );
    // After hours: bid = ask = 0 and OI 0 stay 0; IV 1e-5 is a placeholder, not 0.001 %.
    let closed = by(&format!("AAPL{occ1}C00195000"));
    assert_eq!(
        (closed.bid, closed.ask, closed.open_interest, closed.volume),
        (0.0, 0.0, 0, 0)
    );
    assert_eq!(closed.vendor_iv, None);
    // Nulls: bid null → 0, last null → None, volume null → 0.
    let nulls = by(&format!("AAPL{occ1}C00185000"));
    assert_eq!(
        (nulls.bid, nulls.ask, nulls.last, nulls.volume),
        (0.0, 6.1, None, 0)
    );
    assert_eq!(by(&format!("AAPL{occ1}P00185000")).kind, OptionKind::Put);

    let report = yahoo.last_chain_report("AAPL").expect("report");
    assert_eq!((report.rows, report.kept), (8, 6));
    assert_eq!(report.rows, report.kept + report.skipped.total());
    let skipped = reasons(&report.skipped, "yahoo");
    assert_eq!(skipped.get("bad_strike"), Some(&1));
    assert_eq!(skipped.get("missing_contract_symbol"), Some(&1));
    let flagged = reasons(&report.flagged, "yahoo");
    assert_eq!(flagged.get("iv_placeholder"), Some(&1));
    assert_eq!(flagged.get("no_quote"), Some(&1));
    assert_eq!(flagged.get("missing_volume"), Some(&2));
    assert_eq!(flagged.get("missing_bid_ask"), Some(&1));
}

#[tokio::test]
async fn historical_chain_is_refused_not_faked() {
    let (server, yahoo, _) = yahoo_with_chain().await;
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    let err = yahoo
        .option_chain("AAPL", an_hour_ago)
        .await
        .expect_err("must refuse");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.message()
            .contains("historical chains are not available from yahoo"),
        "{err}"
    );
    assert_eq!(
        server.seen().len(),
        0,
        "no request for a chain we cannot serve"
    );
}

#[tokio::test]
async fn history_drops_nulls_and_bars_after_as_of() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route(
        "/v8/finance/chart/AAPL",
        None,
        vec![Reply::json(fixture(
            "yahoo_chart.json",
            &dates,
            &server.base,
        ))],
    );
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config());
    // 17:00 New York on 2024-07-18: the 07-19 bar is in the future.
    let as_of = Utc.with_ymd_and_hms(2024, 7, 18, 21, 0, 0).unwrap();
    let h = yahoo
        .price_history("AAPL", 10, as_of)
        .await
        .expect("history");
    let d = |day| chrono::NaiveDate::from_ymd_opt(2024, 7, day).unwrap();
    assert_eq!(h.dates(), &[d(15), d(16), d(18)]);
    assert_eq!(h.close(), &[234.4, 234.82, 229.0]);
    assert_eq!(h.volume(), &[62_631_300.0, 0.0, 50_000_000.0]);
    let report = yahoo.last_history_report("AAPL").expect("report");
    assert_eq!((report.rows, report.kept), (5, 3));
    let skipped = reasons(&report.skipped, "yahoo");
    assert_eq!(
        (skipped.get("null_bar"), skipped.get("after_as_of")),
        (Some(&1), Some(&1))
    );
    // The request asked for a window that ends after as_of and covers the sessions.
    let seen = server.seen();
    assert!(seen[0].path_and_query.contains("interval=1d"));
    // Only the last `sessions` bars are returned.
    let two = yahoo
        .price_history("AAPL", 2, as_of)
        .await
        .expect("history");
    assert_eq!(two.dates(), &[d(16), d(18)]);
}

#[tokio::test]
async fn unknown_symbols_are_not_found_and_truncated_json_is_a_data_source_error() {
    let server = Server::start().await;
    let dates = Dates::now();
    server.route(
        "/v7/finance/options/NOPE",
        None,
        vec![Reply::json(fixture(
            "yahoo_options_unknown.json",
            &dates,
            &server.base,
        ))],
    );
    server.route(
        "/v8/finance/chart/NOPE",
        None,
        vec![
            Reply::json(fixture("yahoo_chart_not_found.json", &dates, &server.base))
                .header("x", "y"),
        ],
    );
    let full = fixture("yahoo_options_page1.json", &dates, &server.base);
    server.route(
        "/v7/finance/options/CUT",
        None,
        vec![Reply::json(&full.as_bytes()[..full.len() / 2])],
    );
    server.route("/v8/finance/chart/GONE", None, vec![Reply::status(404)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config());
    let now = Utc::now();
    assert_eq!(
        yahoo.option_chain("NOPE", now).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        yahoo
            .price_history("NOPE", 5, now)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        yahoo
            .price_history("GONE", 5, now)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        server.hits("/v8/finance/chart/GONE"),
        1,
        "404 is not retried"
    );
    let cut = yahoo.option_chain("CUT", now).await.unwrap_err();
    assert_eq!(cut.kind(), ErrorKind::DataSource);
    assert!(cut.message().contains("malformed JSON"), "{cut}");
    assert_eq!(
        server.hits("/v7/finance/options/CUT"),
        1,
        "a bad body is not retried"
    );
    // Bad symbols never reach the network.
    assert_eq!(
        yahoo.option_chain("../x", now).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn a_401_gets_a_session_cookie_and_crumb_once_and_keeps_them_secret() {
    let server = Server::start().await;
    let dates = Dates::now();
    let page = fixture("yahoo_options_page1.json", &dates, &server.base);
    let set_cookie =
        "A3=d=AQABBsecret; Expires=Mon, 01 Jan 2035 00:00:00 GMT; Path=/; Secure; HttpOnly";
    server.route(
        "/cookie",
        None,
        vec![Reply::status(404).header("set-cookie", set_cookie)],
    );
    server.route("/v1/test/getcrumb", None, vec![Reply::json("Ab3cD.eF/gh")]);
    server.route(
        "/v7/finance/options/AAPL",
        Some("crumb=Ab3cD.eF%2Fgh"),
        vec![Reply::json(page)],
    );
    server.route("/v7/finance/options/AAPL", None, vec![Reply::status(401)]);
    server.route("/v7/finance/options/DENY", None, vec![Reply::status(401)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_cookie_url(format!("{}/cookie", server.base))
        .with_config(fast_config())
        .with_max_expirations(1);
    let chain = yahoo
        .option_chain("AAPL", Utc::now())
        .await
        .expect("chain after the crumb dance");
    assert_eq!(chain.spot, 190.5);
    let seen = server.seen();
    let paths: Vec<&str> = seen
        .iter()
        .map(|s| s.path_and_query.split('?').next().unwrap_or(""))
        .collect();
    assert_eq!(
        paths,
        [
            "/v7/finance/options/AAPL",
            "/cookie",
            "/v1/test/getcrumb",
            "/v7/finance/options/AAPL"
        ]
    );
    assert_eq!(
        seen[2].cookie.as_deref(),
        Some("A3=d=AQABBsecret"),
        "crumb fetched with the cookie"
    );
    assert_eq!(seen[3].cookie.as_deref(), Some("A3=d=AQABBsecret"));
    // The session is reused: the next call goes straight to the options page.
    yahoo
        .option_chain("AAPL", Utc::now())
        .await
        .expect("second chain");
    assert_eq!(server.seen().len(), 5);
    // A symbol still refused after a renewal fails with a redacted error.
    let err = yahoo.option_chain("DENY", Utc::now()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("401"), "{err}");
    let shown = format!("{err} {err:?} {yahoo:?}");
    assert!(
        !shown.contains("Ab3cD") && !shown.contains("AQABB"),
        "{shown}"
    );
}

/// Yahoo's EU flow: the cookie host redirects to a consent page; its form is posted with
/// the hidden tokens and "agree"; the redirect after it sets the session cookie.
fn consent_routes(server: &Server) {
    let page = r#"<html><form method="post" action="/v2/collectConsent?sessionId=3_cc-s">
        <input type="hidden" name="csrfToken" value="tok9">
        <input type="hidden" name="sessionId" value="3_cc-s">
        <input type="hidden" name="namespace" value="yahoo">
        <button type="submit" name="agree" value="agree">Accept all</button>
        <button type="submit" name="reject" value="reject">Reject all</button></form></html>"#;
    let base = &server.base;
    server.route(
        "/cookie",
        None,
        vec![Reply::status(302).header(
            "location",
            &format!("{base}/v2/collectConsent?sessionId=3_cc-s"),
        )],
    );
    server.route(
        "/v2/collectConsent",
        None,
        vec![
            Reply::json(page).header("set-cookie", "GUCS=AVx; Max-Age=1800; Path=/"),
            Reply::status(302).header("location", "/copyConsent?sessionId=3_cc-s"),
        ],
    );
    server.route(
        "/copyConsent",
        None,
        vec![Reply::status(302)
            .header("location", "https://finance.yahoo.invalid/")
            .header(
                "set-cookie",
                "A3=d=consented; Expires=Mon, 01 Jan 2035 00:00:00 GMT; Path=/",
            )],
    );
    server.route("/v1/test/getcrumb", None, vec![Reply::json("Crumb1")]);
}

#[tokio::test]
async fn the_consent_page_is_agreed_to_once_and_its_cookie_opens_the_session() {
    let server = Server::start().await;
    let dates = Dates::now();
    consent_routes(&server);
    let page = fixture("yahoo_options_page1.json", &dates, &server.base);
    server.route(
        "/v7/finance/options/AAPL",
        Some("crumb=Crumb1"),
        vec![Reply::json(page)],
    );
    server.route("/v7/finance/options/AAPL", None, vec![Reply::status(401)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_cookie_url(format!("{}/cookie", server.base))
        .with_config(fast_config())
        .with_max_expirations(1);
    let chain = yahoo
        .option_chain("AAPL", Utc::now())
        .await
        .expect("chain after agreeing to the consent page");
    assert_eq!(chain.spot, 190.5);
    let seen = server.seen();
    let steps: Vec<(String, &str)> = seen
        .iter()
        .map(|s| {
            (
                s.method.clone(),
                s.path_and_query.split('?').next().unwrap_or(""),
            )
        })
        .collect();
    let expect = [
        ("GET", "/v7/finance/options/AAPL"),
        ("GET", "/cookie"),
        ("GET", "/v2/collectConsent"),
        ("POST", "/v2/collectConsent"),
        ("GET", "/copyConsent"),
        ("GET", "/v1/test/getcrumb"),
        ("GET", "/v7/finance/options/AAPL"),
    ];
    let got: Vec<(&str, &str)> = steps.iter().map(|(m, p)| (m.as_str(), *p)).collect();
    assert_eq!(got, expect);
    let post = &seen[3];
    for field in [
        "csrfToken=tok9",
        "sessionId=3_cc-s",
        "namespace=yahoo",
        "agree=agree",
    ] {
        assert!(
            post.body.split('&').any(|p| p == field),
            "{field} in {}",
            post.body
        );
    }
    assert!(!post.body.contains("reject"), "{}", post.body);
    // The consent step's own cookie travels with the post and the cookie chain.
    assert_eq!(post.cookie.as_deref(), Some("GUCS=AVx"));
    assert_eq!(seen[5].cookie.as_deref(), Some("GUCS=AVx; A3=d=consented"));
    assert_eq!(seen[6].cookie.as_deref(), Some("GUCS=AVx; A3=d=consented"));
}

#[tokio::test]
async fn a_consent_page_that_never_lets_go_is_a_clear_failure_not_a_loop() {
    let server = Server::start().await;
    let page = r#"<form action="/cookie"><input type="hidden" name="csrfToken" value="t">
        <input type="hidden" name="sessionId" value="s"></form>"#;
    server.route("/cookie", None, vec![Reply::json(page)]);
    server.route("/v7/finance/options/AAPL", None, vec![Reply::status(401)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_cookie_url(format!("{}/cookie", server.base))
        .with_config(fast_config());
    let err = yahoo.option_chain("AAPL", Utc::now()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("consent page"), "{err}");
    // One GET, one POST of the form, then it stops.
    assert_eq!(server.hits("/cookie"), 2);
}
