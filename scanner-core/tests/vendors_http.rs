//! The shared HTTP layer against a loopback server: retries on 5xx and 429, Retry-After,
//! give-up rules, per-request timeouts, the per-symbol deadline, the concurrency and
//! request-rate limits, and secrets kept out of errors and Debug output.

mod vendors_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use scanner_core::market::vendors::HttpConfig;
use scanner_core::market::{MarketData, PolygonMarket, TradierMarket, YahooMarket};
use scanner_core::ErrorKind;
use vendors_support::{fast_config, fixture, Dates, Reply, Server};

const CHART: &str = "/v8/finance/chart/AAPL";

async fn chart_server(replies: Vec<Reply>) -> Server {
    let server = Server::start().await;
    let body = fixture("yahoo_chart.json", &Dates::now(), &server.base);
    let replies = replies
        .into_iter()
        .map(|r| {
            if r.status == 200 {
                Reply::json(body.clone()).delayed(r.delay)
            } else {
                r
            }
        })
        .collect();
    server.route(CHART, None, replies);
    server
}

fn yahoo(server: &Server, config: HttpConfig) -> YahooMarket {
    YahooMarket::new()
        .with_base_url(&server.base)
        .with_config(config)
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = chart_server(vec![
        Reply::status(503),
        Reply::status(502),
        Reply::json(""),
    ])
    .await;
    let h = yahoo(&server, fast_config())
        .price_history("AAPL", 5, Utc::now())
        .await;
    assert!(h.is_ok(), "{h:?}");
    assert_eq!(server.hits(CHART), 3);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = chart_server(vec![Reply::status(500)]).await;
    let config = HttpConfig {
        max_retries: 2,
        ..fast_config()
    };
    let err = yahoo(&server, config)
        .price_history("AAPL", 5, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    assert!(err.message().contains("500"), "{err}");
    assert_eq!(server.hits(CHART), 3, "one attempt plus two retries");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = chart_server(vec![
        Reply::status(429).header("retry-after", "1"),
        Reply::json(""),
    ])
    .await;
    let started = Instant::now();
    let h = yahoo(&server, fast_config())
        .price_history("AAPL", 5, Utc::now())
        .await;
    assert!(h.is_ok(), "{h:?}");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    // Lower bound only: the retry came no sooner than the advertised second.
    assert!(
        seen[1].at - seen[0].at >= Duration::from_secs(1),
        "{:?}",
        seen[1].at - seen[0].at
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_gives_up_at_once_as_rate_limited() {
    let server = chart_server(vec![Reply::status(429).header("retry-after", "120")]).await;
    let err = yahoo(&server, fast_config())
        .price_history("AAPL", 5, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(server.hits(CHART), 1);
}

#[tokio::test]
async fn a_slow_response_times_out_and_is_retried() {
    let server = chart_server(vec![
        Reply::json("").delayed(Duration::from_secs(3)),
        Reply::json(""),
    ])
    .await;
    let config = HttpConfig {
        timeout: Duration::from_millis(200),
        ..fast_config()
    };
    let h = yahoo(&server, config)
        .price_history("AAPL", 5, Utc::now())
        .await;
    assert!(h.is_ok(), "the fast second attempt succeeds: {h:?}");
    assert_eq!(server.hits(CHART), 2);
}

#[tokio::test]
async fn always_slow_is_a_timeout_within_the_symbol_deadline() {
    let server = chart_server(vec![Reply::json("").delayed(Duration::from_secs(5))]).await;
    // Per-request timeout longer than the symbol deadline: the deadline must cut it.
    let config = HttpConfig {
        timeout: Duration::from_secs(4),
        symbol_deadline: Duration::from_millis(300),
        ..fast_config()
    };
    let started = Instant::now();
    let err = yahoo(&server, config)
        .price_history("AAPL", 5, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("deadline"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "returned before the server answered"
    );

    let config = HttpConfig {
        timeout: Duration::from_millis(100),
        max_retries: 1,
        ..fast_config()
    };
    let err = yahoo(&server, config)
        .price_history("AAPL", 5, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Timeout,
        "per-request timeouts exhausted: {err}"
    );
}

#[tokio::test]
async fn concurrency_is_capped_per_provider() {
    let server = chart_server(vec![Reply::json("").delayed(Duration::from_millis(150))]).await;
    for sym in ["MSFT", "NVDA", "AMZN", "META", "TSLA", "AMD", "XLF"] {
        let body = fixture("yahoo_chart.json", &Dates::now(), &server.base);
        server.route(
            &format!("/v8/finance/chart/{sym}"),
            None,
            vec![Reply::json(body).delayed(Duration::from_millis(150))],
        );
    }
    let config = HttpConfig {
        max_concurrency: 2,
        ..fast_config()
    };
    let market = Arc::new(yahoo(&server, config));
    let mut tasks = tokio::task::JoinSet::new();
    for sym in ["AAPL", "MSFT", "NVDA", "AMZN", "META", "TSLA", "AMD", "XLF"] {
        let m = market.clone();
        tasks.spawn(async move { m.price_history(sym, 5, Utc::now()).await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        assert!(matches!(done, Ok(Ok(()))), "{done:?}");
    }
    assert_eq!(server.seen().len(), 8);
    assert_eq!(server.max_in_flight(), 2);
}

#[tokio::test]
async fn request_starts_are_spaced_by_the_rate_limit() {
    let server = chart_server(vec![Reply::json("")]).await;
    let config = HttpConfig {
        requests_per_second: 10.0,
        ..fast_config()
    };
    let market = Arc::new(yahoo(&server, config));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let m = market.clone();
        tasks.spawn(async move { m.price_history("AAPL", 5, Utc::now()).await.is_ok() });
    }
    while let Some(ok) = tasks.join_next().await {
        assert!(matches!(ok, Ok(true)));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 5);
    // Five starts at 10/s span at least four intervals of 100 ms.
    let span = seen[4].at - seen[0].at;
    assert!(span >= Duration::from_millis(390), "{span:?}");
}

#[tokio::test]
async fn invalid_configs_and_urls_fail_with_invalid_input() {
    let now = Utc::now();
    let bad = YahooMarket::new().with_config(HttpConfig {
        max_concurrency: 0,
        ..fast_config()
    });
    assert_eq!(
        bad.price_history("AAPL", 5, now).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let bad = YahooMarket::new().with_base_url("not a url");
    assert_eq!(
        bad.price_history("AAPL", 5, now).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn keys_are_sent_but_never_shown() {
    const KEY: &str = "pk_TOPSECRET_42";
    let server = Server::start().await;
    server.route("/v3/snapshot/options/AAPL", None, vec![Reply::status(500)]);
    server.route(
        "/v1/markets/options/expirations",
        None,
        vec![Reply::status(401)],
    );
    let config = HttpConfig {
        max_retries: 1,
        ..fast_config()
    };
    let polygon = PolygonMarket::new(Some(KEY.into()))
        .unwrap()
        .with_base_url(&server.base)
        .with_config(config.clone());
    let tradier = TradierMarket::new(Some(KEY.into()))
        .unwrap()
        .with_base_url(&server.base)
        .with_config(config);
    let e1 = polygon.option_chain("AAPL", Utc::now()).await.unwrap_err();
    let e2 = tradier.option_chain("AAPL", Utc::now()).await.unwrap_err();
    assert_eq!(e2.kind(), ErrorKind::DataSource);
    assert!(e2.message().contains("401"), "{e2}");
    for shown in [
        format!("{e1} {e1:?}"),
        format!("{e2} {e2:?}"),
        format!("{polygon:?} {tradier:?}"),
    ] {
        assert!(!shown.contains(KEY), "secret leaked: {shown}");
    }
    let seen = server.seen();
    assert_eq!(
        seen.len(),
        3,
        "polygon retried once, tradier's 401 is final"
    );
    for s in &seen {
        assert_eq!(
            s.authorization.as_deref(),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert!(
            !s.path_and_query.contains(KEY),
            "key must not travel in the URL"
        );
    }
    // Missing keys are InvalidInput, never NotFound.
    std::env::remove_var("POLYGON_API_KEY");
    assert_eq!(
        PolygonMarket::new(None).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        PolygonMarket::new(Some("  ".into())).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn absurd_limits_and_retry_after_values_do_not_panic() {
    let server = chart_server(vec![
        Reply::status(429).header("retry-after", "18446744073709551615")
    ])
    .await;
    let config = HttpConfig {
        symbol_deadline: Duration::MAX,
        requests_per_second: 1e-300,
        ..fast_config()
    };
    let err = yahoo(&server, config)
        .price_history("AAPL", usize::MAX, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn extreme_as_of_values_are_errors_not_panics() {
    let server = chart_server(vec![Reply::json("")]).await;
    let market = yahoo(&server, fast_config());
    for as_of in [
        chrono::DateTime::<Utc>::MAX_UTC,
        chrono::DateTime::<Utc>::MIN_UTC,
    ] {
        let h = market.price_history("AAPL", 5, as_of).await.unwrap_err();
        assert_eq!(h.kind(), ErrorKind::InvalidInput, "{h}");
        let c = market.option_chain("AAPL", as_of).await.unwrap_err();
        assert_eq!(c.kind(), ErrorKind::InvalidInput, "{c}");
    }
    assert!(server.seen().is_empty(), "rejected before any request");
}

#[tokio::test]
async fn a_rate_limit_slot_past_the_deadline_is_rate_limited_not_awaited() {
    let server = chart_server(vec![Reply::json("")]).await;
    // One request per 100 s: the second call's slot lies beyond its 1 s deadline.
    let config = HttpConfig {
        requests_per_second: 0.01,
        symbol_deadline: Duration::from_secs(1),
        ..fast_config()
    };
    let market = yahoo(&server, config);
    assert!(market.price_history("AAPL", 5, Utc::now()).await.is_ok());
    let started = Instant::now();
    let err = market
        .price_history("AAPL", 5, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "gave up without sleeping"
    );
    assert_eq!(server.hits(CHART), 1);
}
