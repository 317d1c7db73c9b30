//! Scale-out benchmark: one queued cycle of `OPTSCAN_BENCH_SYMBOLS` (default 2,000) symbols
//! scanned by 1, 2 and 4 workers sharing a PostgreSQL database, each with its own API key,
//! against a loopback server in Tradier's format with a fixed latency per request (80 ms) and
//! Tradier's limit per key (120 a minute, `X-Ratelimit-*` headers, 429 past it). Prints the
//! cycle's wall time per worker count and the scaling factor against one worker.
//!
//! Time is scaled as in `vendors_loopback` (`OPTSCAN_BENCH_SCALE`, default 20: the limit
//! becomes 120 per 3 s and the client paces 20× faster; latency stays 80 ms). The database:
//! `OPTSCAN_BENCH_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`); a fresh database
//! is created per run and dropped after. Run: `bench/queue_loopback.sh`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use chrono::{Datelike, NaiveDate, Utc, Weekday};
use scanner_core::cache::{QueueOptions, RunOptions, ScanStore, StoreOptions};
use scanner_core::calendar::ny_date;
use scanner_core::market::vendors::HttpConfig;
use scanner_core::market::TradierMarket;
use scanner_core::scan::{ScanConfig, Scanner};
use sqlx::Connection;

const LATENCY: Duration = Duration::from_millis(80);
const PER_KEY: u64 = 120;

/// The loopback vendor: a fixed window per API key.
struct Vendor {
    window: Duration,
    keys: Mutex<HashMap<String, (Instant, u64)>>,
    served: AtomicU64,
    limited: AtomicU64,
}

fn reply(status: u16, headers: Vec<(&'static str, String)>, body: String) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(k, v);
    }
    b.body(Body::from(body)).unwrap()
}

async fn answer(State(v): State<Arc<Vendor>>, req: Request) -> Response {
    let key = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
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
    let (used, left) = {
        let mut keys = v.keys.lock().unwrap();
        let w = keys.entry(key).or_insert((Instant::now(), 0));
        if w.0.elapsed() >= v.window {
            *w = (Instant::now(), 0);
        }
        let left = v.window.saturating_sub(w.0.elapsed());
        if w.1 >= PER_KEY {
            v.limited.fetch_add(1, Ordering::Relaxed);
            let secs = left.as_secs_f64().ceil().max(1.0);
            return reply(429, vec![("retry-after", secs.to_string())], "{}".into());
        }
        w.1 += 1;
        (w.1, left)
    };
    v.served.fetch_add(1, Ordering::Relaxed);
    let headers = vec![
        ("x-ratelimit-allowed", PER_KEY.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-available", (PER_KEY - used).to_string()),
        (
            "x-ratelimit-expiry",
            (Utc::now().timestamp_millis() + left.as_millis() as i64).to_string(),
        ),
    ];
    let sym = |k: &str| query.get(k).cloned().unwrap_or_default();
    let body = match path.as_str() {
        "/v1/markets/options/expirations" => {
            let d: Vec<String> = expiries().iter().map(|d| format!("\"{d}\"")).collect();
            format!(r#"{{"expirations":{{"date":[{}]}}}}"#, d.join(","))
        }
        "/v1/markets/options/chains" => chain(&sym("symbol"), &sym("expiration")),
        "/v1/markets/quotes" => {
            let s = sym("symbols");
            let p = price(&s);
            format!(
                r#"{{"quotes":{{"quote":{{"symbol":"{s}","type":"stock","last":{p},"prevclose":{p}}}}}}}"#
            )
        }
        "/v1/markets/history" => history(),
        _ => return reply(404, headers, "{}".into()),
    };
    reply(200, headers, body)
}

/// A price per symbol between 40 and 190.
fn price(symbol: &str) -> f64 {
    40.0 + (symbol.bytes().fold(7u64, |h, b| h * 31 + u64::from(b)) % 150) as f64
}

/// The next three Friday expiries.
fn expiries() -> Vec<NaiveDate> {
    (1..40)
        .map(|i| ny_date(Utc::now()) + chrono::Days::new(i))
        .filter(|d| d.weekday() == Weekday::Fri)
        .take(3)
        .collect()
}

/// 400 weekday sessions up to today, a gentle wave.
fn history() -> String {
    let mut days = Vec::new();
    let mut d = ny_date(Utc::now());
    while days.len() < 400 {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(d);
        }
        d = d.pred_opt().unwrap();
    }
    days.reverse();
    let rows: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let c = 100.0 + 3.0 * (i as f64 * 0.3).sin();
            format!(
                r#"{{"date":"{d}","open":{c:.4},"high":{:.4},"low":{:.4},"close":{c:.4},"volume":1500000}}"#,
                c * 1.012,
                c * 0.988
            )
        })
        .collect();
    format!(r#"{{"history":{{"day":[{}]}}}}"#, rows.join(","))
}

/// Eleven strikes of calls and puts around the price.
fn chain(symbol: &str, expiration: &str) -> String {
    let exp: NaiveDate = expiration.parse().unwrap_or_else(|_| expiries()[0]);
    let s = price(symbol);
    let now = Utc::now().timestamp_millis();
    let mut rows = Vec::new();
    for step in -5..=5 {
        let k = (s * (1.0 + 0.025 * f64::from(step))).round();
        for (kind, c) in [("call", 'C'), ("put", 'P')] {
            let intrinsic = if kind == "call" { s - k } else { k - s }.max(0.0);
            let mid = intrinsic + 0.035 * s;
            let (bid, ask) = (
                (mid * 0.98 * 100.0).round() / 100.0,
                (mid * 1.02 * 100.0).round() / 100.0,
            );
            rows.push(format!(
                r#"{{"symbol":"{symbol}{}{c}{:08}","type":"option","last":{bid},"volume":400,"bid":{bid},"ask":{ask},"underlying":"{symbol}","strike":{k},"open_interest":2500,"expiration_date":"{exp}","option_type":"{kind}","bid_date":{now},"ask_date":{now},"greeks":{{"mid_iv":0.32,"smv_vol":0.32}}}}"#,
                exp.format("%y%m%d"),
                (k * 1000.0) as u64
            ));
        }
    }
    format!(r#"{{"options":{{"option":[{}]}}}}"#, rows.join(","))
}

async fn serve(v: Arc<Vendor>) -> String {
    let app = Router::new().fallback(answer).with_state(v);
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

async fn admin(sql: &str) {
    let url = std::env::var("OPTSCAN_BENCH_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    c.close().await.unwrap();
}

/// One cycle with `workers` workers; returns its wall time in seconds.
async fn cycle(workers: usize, symbols: &[String], scale: f64) -> f64 {
    let db = format!("optscan_bench_queue_{}", uuid::Uuid::new_v4().simple());
    admin(&format!("CREATE DATABASE {db}")).await;
    let base_pg = std::env::var("OPTSCAN_BENCH_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let url = format!("{}/{db}", base_pg.rsplit_once('/').unwrap().0);
    let vendor = Arc::new(Vendor {
        window: Duration::from_secs_f64(60.0 / scale),
        keys: Mutex::new(HashMap::new()),
        served: AtomicU64::new(0),
        limited: AtomicU64::new(0),
    });
    let base = serve(vendor.clone()).await;
    ScanStore::open(Some(&url), StoreOptions::default())
        .await
        .unwrap()
        .close()
        .await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let (url, base, symbols) = (url.clone(), base.clone(), symbols.to_vec());
        tasks.spawn(async move {
            let store = ScanStore::open(Some(&url), StoreOptions::default())
                .await
                .unwrap();
            let config = HttpConfig {
                requests_per_second: HttpConfig::tradier().requests_per_second * scale,
                symbol_deadline: Duration::from_secs(300),
                ..HttpConfig::default()
            };
            let source = TradierMarket::new(Some(format!("bench-key-{w}")))
                .unwrap()
                .with_base_url(&base)
                .with_config(config)
                .with_max_expirations(2)
                .with_universe(symbols);
            let cfg = ScanConfig {
                max_expirations: 2,
                symbol_deadline_secs: 300.0,
                ..ScanConfig::default()
            };
            let scanner = Scanner::new(Arc::new(source), cfg).unwrap();
            let mut q = QueueOptions::new("bench");
            q.shard_size = 50;
            q.visibility_timeout = Duration::from_secs(600);
            q.cycle_deadline = Duration::from_secs(7200);
            q.poll_interval = Duration::from_millis(100);
            let opts = RunOptions {
                queue: Some(q),
                lease_ttl: Duration::from_secs(600),
                ..RunOptions::default()
            };
            let report = store.run_scheduled(&scanner, opts).await.unwrap();
            store.close().await;
            report.queue.unwrap().shards_scanned.len()
        });
    }
    let mut shards = Vec::new();
    while let Some(n) = tasks.join_next().await {
        shards.push(n.unwrap());
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "  {workers} worker(s): {wall:.1} s wall, shards per worker {shards:?}, {} requests served, \
         {} HTTP 429",
        vendor.served.load(Ordering::Relaxed),
        vendor.limited.load(Ordering::Relaxed)
    );
    admin(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await;
    wall
}

fn main() {
    let scale = env_num("OPTSCAN_BENCH_SCALE", 20.0).max(1.0);
    let n = env_num("OPTSCAN_BENCH_SYMBOLS", 2000.0) as usize;
    let symbols: Vec<String> = (0..n).map(|i| format!("Q{i:04}")).collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!(
        "queued cycle: {n} symbols, latency {LATENCY:?}/request, {PER_KEY}/min per key, time scale {scale}×"
    );
    let mut one = None;
    for workers in [1, 2, 4] {
        let wall = rt.block_on(cycle(workers, &symbols, scale));
        let base = *one.get_or_insert(wall);
        println!("    scaling vs 1 worker: {:.2}×", base / wall);
    }
}
