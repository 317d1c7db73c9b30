//! The per-provider request budget against a loopback server: a `Retry-After` holds every
//! request of the provider (not only the one that got it), Tradier's `X-Ratelimit-*`
//! window is waited out instead of being run into, and the counters add up.

mod vendors_support;

use std::time::Duration;

use chrono::Utc;
use scanner_core::market::{MarketData, YahooMarket};
use vendors_support::{fast_config, fixture, Dates, Reply, Server};

#[tokio::test]
async fn a_retry_after_holds_every_request_to_the_provider() {
    let server = Server::start().await;
    let body = fixture("yahoo_chart.json", &Dates::now(), &server.base);
    server.route(
        "/v8/finance/chart/AAPL",
        None,
        vec![
            Reply::status(429).header("retry-after", "1"),
            Reply::json(body.clone()),
        ],
    );
    server.route("/v8/finance/chart/MSFT", None, vec![Reply::json(body)]);
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config());
    let now = Utc::now();
    let (a, b) = tokio::join!(yahoo.price_history("AAPL", 5, now), async {
        // Ask for MSFT once AAPL's 429 is in.
        while server.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        yahoo.price_history("MSFT", 5, now).await
    });
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    let seen = server.seen();
    let first = seen[0].at;
    let msft = seen
        .iter()
        .find(|s| s.path_and_query.contains("MSFT"))
        .expect("MSFT was asked");
    assert!(
        msft.at - first >= Duration::from_millis(950),
        "MSFT went out {:?} after the 429",
        msft.at - first
    );
    let r = yahoo.requests().expect("an HTTP source counts requests");
    assert_eq!((r.sent, r.retried, r.rate_limited), (3, 1, 1));
    assert!(r.bytes > 0 && r.waiting_seconds >= 1.0, "{r:?}");
}

#[tokio::test]
async fn an_exhausted_ratelimit_window_is_waited_out_not_run_into() {
    let server = Server::start().await;
    let body = fixture("yahoo_chart.json", &Dates::now(), &server.base);
    // Tradier's headers: nothing left in a window that resets in 700 ms.
    let reset = (Utc::now().timestamp_millis() + 700).to_string();
    server.route(
        "/v8/finance/chart/AAPL",
        None,
        vec![Reply::json(body)
            .header("x-ratelimit-allowed", "120")
            .header("x-ratelimit-used", "120")
            .header("x-ratelimit-available", "0")
            .header("x-ratelimit-expiry", &reset)],
    );
    let yahoo = YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(fast_config());
    for _ in 0..2 {
        yahoo
            .price_history("AAPL", 5, Utc::now())
            .await
            .expect("history");
    }
    let seen = server.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_millis(500),
        "second request after {gap:?}"
    );
    let r = yahoo.requests().unwrap();
    assert_eq!((r.sent, r.retried, r.rate_limited), (2, 0, 0));
}
