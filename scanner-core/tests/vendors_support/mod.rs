//! A scripted HTTP server on 127.0.0.1 for the vendor tests: routes answer with a list of
//! replies (the last one repeats), and the server counts hits, records request headers and
//! tracks how many requests were in flight at once.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use chrono::{Duration as Days, NaiveDate, Utc};
use scanner_core::calendar::ny_date;
use scanner_core::market::vendors::HttpConfig;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: b"{}".to_vec(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

struct Route {
    path: String,
    query: Option<String>,
    replies: Vec<Reply>,
    served: usize,
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: Instant,
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub cookie: Option<String>,
    pub method: String,
    /// The request body as text (forms).
    pub body: String,
}

#[derive(Default)]
struct Shared {
    routes: Mutex<Vec<Route>>,
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running server; dropped with the test's runtime.
#[derive(Clone)]
pub struct Server {
    pub base: String,
    shared: Arc<Shared>,
}

impl Server {
    pub async fn start() -> Server {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server {
            base: format!("http://{addr}"),
            shared,
        }
    }

    /// Answer `path` (and, if given, only queries containing `query`) with `replies` in
    /// order; the last reply repeats. Earlier routes win.
    pub fn route(&self, path: &str, query: Option<&str>, replies: Vec<Reply>) {
        self.shared.routes.lock().unwrap().push(Route {
            path: path.into(),
            query: query.map(Into::into),
            replies,
            served: 0,
        });
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path_and_query.split('?').next() == Some(path))
            .count()
    }

    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers = req.headers().clone();
    let method = req.method().to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (authorization, cookie) = (header("authorization"), header("cookie"));
    shared.seen.lock().unwrap().push(Seen {
        at: Instant::now(),
        path_and_query: if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{query}")
        },
        authorization,
        cookie,
        method,
        body,
    });
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = {
        let mut routes = shared.routes.lock().unwrap();
        routes
            .iter_mut()
            .find(|r| r.path == path && r.query.as_ref().is_none_or(|q| query.contains(q.as_str())))
            .map(|r| {
                let i = r.served.min(r.replies.len() - 1);
                r.served += 1;
                r.replies[i].clone()
            })
    };
    let reply = reply.unwrap_or_else(|| Reply::status(404));
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut builder = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(k, v);
    }
    builder.body(Body::from(reply.body)).unwrap()
}

/// Expiration dates relative to today (New York), so fixtures never go stale.
pub struct Dates {
    pub exp1: NaiveDate,
    pub exp2: NaiveDate,
    pub exp3: NaiveDate,
    pub past: NaiveDate,
}

impl Dates {
    pub fn now() -> Dates {
        let today = ny_date(Utc::now());
        Dates {
            exp1: today + Days::days(3),
            exp2: today + Days::days(10),
            exp3: today + Days::days(17),
            past: today - Days::days(2),
        }
    }

    /// Unix seconds at 00:00 UTC of `d` (Yahoo's convention).
    pub fn ts(d: NaiveDate) -> i64 {
        d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
    }

    /// The OCC yymmdd of `d`.
    pub fn occ(d: NaiveDate) -> String {
        d.format("%y%m%d").to_string()
    }
}

/// A fixture with its `__TOKENS__` filled in.
pub fn fixture(name: &str, dates: &Dates, base: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "vendors",
        name,
    ]
    .iter()
    .collect();
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    let mut out = raw.replace("__BASE__", base);
    for (tag, d) in [
        ("EXP1", dates.exp1),
        ("EXP2", dates.exp2),
        ("EXP3", dates.exp3),
        ("PAST", dates.past),
    ] {
        out = out
            .replace(&format!("__{tag}_TS__"), &Dates::ts(d).to_string())
            .replace(&format!("__{tag}_OCC__"), &Dates::occ(d))
            .replace(&format!("__{tag}__"), &d.to_string());
    }
    out
}

/// A fast config for tests: short timeouts and backoff, generous rate.
pub fn fast_config() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_millis(800),
        max_retries: 3,
        backoff_base: Duration::from_millis(10),
        max_concurrency: 8,
        requests_per_second: 1000.0,
        symbol_deadline: Duration::from_secs(5),
        ..HttpConfig::default()
    }
}

/// Counts by reason in one stage of a report.
pub fn reasons(r: &scanner_core::model::Rejections, stage: &str) -> HashMap<String, u64> {
    r.0.get(stage)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default()
}
