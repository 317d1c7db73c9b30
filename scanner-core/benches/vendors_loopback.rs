//! A 500-symbol scan through a loopback server that answers in Yahoo's and Tradier's formats
//! with a fixed latency per request (80 ms) and the vendor's rate limit (Tradier: 120 a
//! minute, with its `X-Ratelimit-*` headers and 429 past the limit). Each vendor is scanned
//! twice over one SQLite store with the history cache: the second run shows what the cache
//! saves. Prints requests per symbol, wall time, 429s and time spent waiting.
//!
//! Time is scaled so the run fits in minutes: with `OPTSCAN_BENCH_SCALE=20` (the default) a
//! rate limit of 120 a minute becomes 120 per 3 s and the client paces 20× faster; latency
//! stays 80 ms. `OPTSCAN_BENCH_SCALE=1` runs in real time. `OPTSCAN_BENCH_SYMBOLS` sets the
//! universe (default 500). Run: `bench/vendors_loopback.sh`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use chrono::{Datelike, Duration as Days, NaiveDate, Utc, Weekday};
use scanner_core::cache::{CachedHistories, ScanStore, StoreOptions};
use scanner_core::calendar::ny_date;
use scanner_core::market::vendors::HttpConfig;
use scanner_core::market::{MarketData, TradierMarket, YahooMarket};
use scanner_core::scan::{ScanConfig, ScanRequest, Scanner};

const LATENCY: Duration = Duration::from_millis(80);
const EXPIRATIONS: usize = 2;
const SESSIONS: usize = 400;

/// A fixed-window limit: `allowed` requests per `window`.
struct Limit {
    allowed: u64,
    window: Duration,
    state: Mutex<(Instant, u64)>,
}

struct Shared {
    vendor: &'static str,
    limit: Option<Limit>,
    served: AtomicU64,
    too_many: AtomicU64,
    max_in_window: AtomicU64,
}

async fn handle(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let query: HashMap<String, String> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    drop(req);
    tokio::time::sleep(LATENCY).await;
    let mut headers = Vec::new();
    if let Some(l) = &s.limit {
        let (used, left) = {
            let mut st = l.state.lock().unwrap();
            if st.0.elapsed() >= l.window {
                *st = (Instant::now(), 0);
            }
            let left = l.window.saturating_sub(st.0.elapsed());
            if st.1 >= l.allowed {
                s.too_many.fetch_add(1, Ordering::Relaxed);
                let secs = left.as_secs_f64().ceil().max(1.0);
                return reply(
                    429,
                    vec![("retry-after".into(), secs.to_string())],
                    "{}".into(),
                );
            }
            st.1 += 1;
            (st.1, left)
        };
        s.max_in_window.fetch_max(used, Ordering::Relaxed);
        let expiry = Utc::now().timestamp_millis() + left.as_millis() as i64;
        headers = vec![
            ("x-ratelimit-allowed".into(), l.allowed.to_string()),
            ("x-ratelimit-used".into(), used.to_string()),
            (
                "x-ratelimit-available".into(),
                (l.allowed - used).to_string(),
            ),
            ("x-ratelimit-expiry".into(), expiry.to_string()),
        ];
    }
    s.served.fetch_add(1, Ordering::Relaxed);
    let symbol = |p: &str| path.rsplit('/').next().unwrap_or(p).to_owned();
    let body = match (s.vendor, path.as_str()) {
        ("yahoo", p) if p.starts_with("/v8/finance/chart/") => yahoo_chart(&symbol(p)),
        ("yahoo", p) if p.starts_with("/v7/finance/options/") => {
            yahoo_options(&symbol(p), query.get("date").and_then(|d| d.parse().ok()))
        }
        ("tradier", "/v1/markets/options/expirations") => tradier_expirations(),
        ("tradier", "/v1/markets/options/chains") => {
            tradier_chain(&query["symbol"], &query["expiration"])
        }
        ("tradier", "/v1/markets/quotes") => tradier_quote(&query["symbols"]),
        ("tradier", "/v1/markets/history") => tradier_history(),
        _ => return reply(404, headers, "{}".into()),
    };
    reply(200, headers, body)
}

fn reply(status: u16, headers: Vec<(String, String)>, body: String) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.body(Body::from(body)).unwrap()
}

fn spot(symbol: &str) -> f64 {
    50.0 + (symbol.bytes().map(u64::from).sum::<u64>() % 200) as f64
}

fn weekdays_until_today(n: usize) -> Vec<NaiveDate> {
    let mut d = ny_date(Utc::now());
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        d = d.pred_opt().unwrap();
    }
    out.reverse();
    out
}

fn fridays() -> Vec<NaiveDate> {
    let mut d = ny_date(Utc::now()) + Days::days(1);
    let mut out = Vec::new();
    while out.len() < 4 {
        if d.weekday() == Weekday::Fri {
            out.push(d);
        }
        d += Days::days(1);
    }
    out
}

fn bars() -> Vec<(NaiveDate, f64)> {
    weekdays_until_today(SESSIONS)
        .into_iter()
        .enumerate()
        .map(|(i, d)| (d, 100.0 * (1.0 + 0.01 * ((i as f64) * 0.7).sin())))
        .collect()
}

/// (kind, strike, bid, ask) rows around `s`.
fn rows(s: f64) -> Vec<(&'static str, f64, f64, f64)> {
    let mut out = Vec::new();
    for k in -5..=5 {
        let strike = (s * (1.0 + 0.02 * f64::from(k))).round();
        for kind in ["call", "put"] {
            let intrinsic = if kind == "call" {
                s - strike
            } else {
                strike - s
            }
            .max(0.0);
            let mid = intrinsic + s * 0.03;
            out.push((
                kind,
                strike,
                (mid * 0.97 * 100.0).round() / 100.0,
                (mid * 1.03 * 100.0).round() / 100.0,
            ));
        }
    }
    out
}

fn occ(symbol: &str, d: NaiveDate, kind: &str, strike: f64) -> String {
    let c = if kind == "call" { 'C' } else { 'P' };
    format!(
        "{symbol}{}{c}{:08}",
        d.format("%y%m%d"),
        (strike * 1000.0) as u64
    )
}

fn yahoo_chart(symbol: &str) -> String {
    let b = bars();
    let ts: Vec<String> = b
        .iter()
        .map(|(d, _)| {
            d.and_hms_opt(13, 30, 0)
                .unwrap()
                .and_utc()
                .timestamp()
                .to_string()
        })
        .collect();
    let col = |f: f64| {
        b.iter()
            .map(|(_, c)| format!("{:.4}", c * f))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"{symbol}"}},"timestamp":[{}],"indicators":{{"quote":[{{"open":[{}],"high":[{}],"low":[{}],"close":[{}],"volume":[{}]}}]}}}}],"error":null}}}}"#,
        ts.join(","),
        col(1.0),
        col(1.01),
        col(0.99),
        col(1.0),
        vec!["2000000"; b.len()].join(",")
    )
}

fn yahoo_options(symbol: &str, date: Option<i64>) -> String {
    let exps = fridays();
    let ts = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let exp = date
        .and_then(|t| exps.iter().copied().find(|d| ts(*d) == t))
        .unwrap_or(exps[0]);
    let s = spot(symbol);
    let now = Utc::now().timestamp();
    let (mut calls, mut puts) = (Vec::new(), Vec::new());
    for (kind, k, bid, ask) in rows(s) {
        let row = format!(
            r#"{{"contractSymbol":"{}","strike":{k},"currency":"USD","lastPrice":{bid},"volume":500,"openInterest":2000,"bid":{bid},"ask":{ask},"contractSize":"REGULAR","expiration":{},"lastTradeDate":{now},"impliedVolatility":0.3,"inTheMoney":false}}"#,
            occ(symbol, exp, kind, k),
            ts(exp)
        );
        if kind == "call" {
            calls.push(row)
        } else {
            puts.push(row)
        }
    }
    let dates: Vec<String> = exps.iter().map(|d| ts(*d).to_string()).collect();
    format!(
        r#"{{"optionChain":{{"result":[{{"underlyingSymbol":"{symbol}","expirationDates":[{}],"quote":{{"symbol":"{symbol}","currency":"USD","regularMarketPrice":{s},"regularMarketTime":{now},"dividendYield":1.0}},"options":[{{"expirationDate":{},"calls":[{}],"puts":[{}]}}]}}],"error":null}}}}"#,
        dates.join(","),
        ts(exp),
        calls.join(","),
        puts.join(",")
    )
}

fn tradier_expirations() -> String {
    let d: Vec<String> = fridays().iter().map(|d| format!("\"{d}\"")).collect();
    format!(r#"{{"expirations":{{"date":[{}]}}}}"#, d.join(","))
}

fn tradier_chain(symbol: &str, expiration: &str) -> String {
    let exp: NaiveDate = expiration.parse().unwrap_or_else(|_| fridays()[0]);
    let now = Utc::now().timestamp_millis();
    let rows: Vec<String> = rows(spot(symbol))
        .into_iter()
        .map(|(kind, k, bid, ask)| {
            format!(
                r#"{{"symbol":"{}","type":"option","last":{bid},"volume":500,"bid":{bid},"ask":{ask},"underlying":"{symbol}","strike":{k},"open_interest":2000,"expiration_date":"{exp}","option_type":"{kind}","bid_date":{now},"ask_date":{now},"greeks":{{"mid_iv":0.3,"smv_vol":0.3}}}}"#,
                occ(symbol, exp, kind, k)
            )
        })
        .collect();
    format!(r#"{{"options":{{"option":[{}]}}}}"#, rows.join(","))
}

fn tradier_quote(symbol: &str) -> String {
    format!(
        r#"{{"quotes":{{"quote":{{"symbol":"{symbol}","type":"stock","last":{},"prevclose":{}}}}}}}"#,
        spot(symbol),
        spot(symbol)
    )
}

fn tradier_history() -> String {
    let days: Vec<String> = bars()
        .iter()
        .map(|(d, c)| {
            format!(
                r#"{{"date":"{d}","open":{c:.4},"high":{:.4},"low":{:.4},"close":{c:.4},"volume":2000000}}"#,
                c * 1.01,
                c * 0.99
            )
        })
        .collect();
    format!(r#"{{"history":{{"day":[{}]}}}}"#, days.join(","))
}

async fn serve(shared: Arc<Shared>) -> String {
    let app = Router::new().fallback(handle).with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn bench(vendor: &'static str, symbols: &[String], scale: f64, dir: &std::path::Path) {
    let limit = (vendor == "tradier").then(|| Limit {
        allowed: 120,
        window: Duration::from_secs_f64(60.0 / scale),
        state: Mutex::new((Instant::now(), 0)),
    });
    let shared = Arc::new(Shared {
        vendor,
        limit,
        served: AtomicU64::new(0),
        too_many: AtomicU64::new(0),
        max_in_window: AtomicU64::new(0),
    });
    let base = serve(shared.clone()).await;
    let url = format!("sqlite://{}", dir.join(format!("{vendor}.db")).display());
    let store = ScanStore::open(Some(&url), StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let (rate, label) = match vendor {
        "tradier" => (
            HttpConfig::tradier().requests_per_second,
            "120/min (X-Ratelimit-*)",
        ),
        _ => (
            HttpConfig::default().requests_per_second,
            "none; paced at 5/s",
        ),
    };
    let config = HttpConfig {
        requests_per_second: rate * scale,
        symbol_deadline: Duration::from_secs(120),
        ..HttpConfig::default()
    };
    let inner: Arc<dyn MarketData> = match vendor {
        "tradier" => Arc::new(
            TradierMarket::new(Some("bench".into()))
                .unwrap()
                .with_base_url(&base)
                .with_config(config)
                .with_max_expirations(EXPIRATIONS),
        ),
        _ => Arc::new(
            YahooMarket::new()
                .with_base_url(&base)
                .with_config(config)
                .with_max_expirations(EXPIRATIONS),
        ),
    };
    let source = Arc::new(CachedHistories::new(inner, store.clone()));
    let cfg = ScanConfig {
        max_expirations: EXPIRATIONS,
        symbol_deadline_secs: 120.0,
        ..ScanConfig::default()
    };
    let scanner = Scanner::new(source, cfg).unwrap();
    println!(
        "{vendor}: latency {LATENCY:?}/request, limit {label}, time scale {scale}×, {} symbols",
        symbols.len()
    );
    for run in 1..=2 {
        let before = shared.served.load(Ordering::Relaxed);
        let t = Instant::now();
        let out = scanner
            .run(ScanRequest {
                symbols: Some(symbols.to_vec()),
                ..ScanRequest::default()
            })
            .await
            .unwrap();
        let wall = t.elapsed().as_secs_f64();
        let meta = &out.results[0].metadata;
        let r = &meta.requests[vendor];
        let served = shared.served.load(Ordering::Relaxed) - before;
        println!(
            "  run {run}: {:.1} s wall, {} requests sent = {:.2}/symbol \
             (server saw {served}), {} cache hits, {} retried, {} HTTP 429 (server: {}), \
             {:.0} s waiting in total, {} symbols ok, {} failed",
            wall,
            r.sent,
            r.sent as f64 / symbols.len() as f64,
            r.cache_hits,
            r.retried,
            r.rate_limited,
            shared.too_many.load(Ordering::Relaxed),
            r.waiting_seconds,
            meta.symbol_count,
            meta.failed_symbols.len(),
        );
        // Why symbols failed, grouped (a failure is a finding, not noise).
        let mut why: std::collections::BTreeMap<String, usize> = Default::default();
        for f in &meta.failed_symbols {
            let reason: String = f.reason.chars().take(100).collect();
            *why.entry(format!("{}: {reason}", f.kind)).or_default() += 1;
        }
        for (reason, n) in why {
            println!("    {n} failed with {reason}");
        }
    }
    if shared.limit.is_some() {
        println!(
            "  most requests in one window: {} (limit 120)",
            shared.max_in_window.load(Ordering::Relaxed)
        );
    }
    store.close().await;
}

fn main() {
    let scale = env_num("OPTSCAN_BENCH_SCALE", 20.0).max(1.0);
    let n = env_num("OPTSCAN_BENCH_SYMBOLS", 500.0) as usize;
    let symbols: Vec<String> = (0..n).map(|i| format!("L{i:04}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    for vendor in ["yahoo", "tradier"] {
        if only.as_deref().is_none_or(|o| o == vendor) {
            rt.block_on(bench(vendor, &symbols, scale, dir.path()));
        }
    }
}
