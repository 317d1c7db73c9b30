//! `ScanStore`: the scan cache (SQLite or PostgreSQL) as a JS class with Promise methods,
//! `serve` (fresh / stale-while-revalidate / single-flight live scan) and `subscribe()` as
//! an async iterator of newly saved scans. Every call runs on the runtime, off the event
//! loop; a closed store rejects with `code: "InvalidInput"`.

use std::sync::{Arc, RwLock};

use napi::bindgen_prelude::{AsyncGenerator, ClassInstance, Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::cache::{self as core, ServeOptions, StalePolicy, StoreOptions};
use scanner_core::model::FilterMode;
use scanner_core::Error as CoreError;

use crate::error::{from_napi, invalid, IntoJs, JsError};
use crate::runtime::promise;
use crate::scan::{ScanResult, Scanner};

/// A scan as served: the result plus its age and provenance (API.md §5).
#[napi(object, object_from_js = false)]
pub struct CachedScan {
    /// The stored scan.
    pub result: ScanResult,
    /// Minutes since the scan ran.
    pub age_minutes: f64,
    /// True when older than the caller's max age.
    pub is_stale: bool,
    /// `"cache"` or `"live"`.
    pub source: String,
    /// Why a stale scan was served instead of a fresh one (a failed live scan).
    pub error: Option<String>,
}

impl CachedScan {
    fn from_core(c: core::CachedScan) -> scanner_core::Result<Self> {
        Ok(Self {
            result: ScanResult::from_core(&c.result)?,
            age_minutes: c.age_minutes,
            is_stale: c.is_stale,
            source: match c.source {
                core::ServeSource::Cache => "cache",
                core::ServeSource::Live => "live",
            }
            .to_owned(),
            error: c.error,
        })
    }
}

/// One row of `history()`: a scan without its opportunities.
#[napi(object, object_from_js = false)]
pub struct ScanSummary {
    /// The scan's id.
    pub scan_id: String,
    /// `"strict"` or `"relaxed"`.
    pub filter_mode: String,
    /// When it ran (ISO-8601, UTC).
    pub scan_timestamp: String,
    /// Minutes since it ran.
    pub age_minutes: f64,
    /// Opportunities stored.
    pub opportunity_count: f64,
    /// Contracts analysed after liquidity filtering.
    pub total_evaluated: f64,
    /// Symbols that returned data.
    pub symbols_scanned: f64,
    /// Wall time of the scan, seconds.
    pub scan_duration_seconds: f64,
    /// Every symbol failed.
    pub degraded: bool,
}

impl From<core::ScanSummary> for ScanSummary {
    fn from(s: core::ScanSummary) -> Self {
        Self {
            scan_id: s.scan_id.to_string(),
            filter_mode: s.filter_mode.as_str().to_owned(),
            scan_timestamp: iso(s.scan_timestamp),
            age_minutes: s.age_minutes,
            opportunity_count: s.opportunity_count as f64,
            total_evaluated: s.total_evaluated as f64,
            symbols_scanned: s.symbols_scanned as f64,
            scan_duration_seconds: s.scan_duration_seconds,
            degraded: s.degraded,
        }
    }
}

/// A newly saved scan, as yielded by `subscribe()`.
#[napi(object, object_from_js = false)]
pub struct ScanNotice {
    /// The saved scan's id.
    pub scan_id: String,
    /// `"strict"` or `"relaxed"`.
    pub filter_mode: String,
    /// When it ran (ISO-8601, UTC).
    pub scan_timestamp: String,
}

impl From<core::ScanNotice> for ScanNotice {
    fn from(n: core::ScanNotice) -> Self {
        Self {
            scan_id: n.scan_id.to_string(),
            filter_mode: n.filter_mode.as_str().to_owned(),
            scan_timestamp: iso(n.scan_timestamp),
        }
    }
}

pub(crate) fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    // Same text as the scan JSON's timestamps.
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| t.to_rfc3339())
}

/// Options of `ScanStore.open`.
#[napi(object)]
#[derive(Default)]
pub struct StoreOpenOptions {
    /// Apply pending migrations on open (true).
    pub migrate: Option<bool>,
    /// Pool size.
    pub max_connections: Option<u32>,
    /// How often `subscribe()` polls where it cannot LISTEN, milliseconds.
    pub poll_interval_ms: Option<u32>,
    /// How long a call waits for a database connection before failing, milliseconds
    /// (10000); an HTTP route may want to fail faster while the database is down.
    pub acquire_timeout_ms: Option<u32>,
}

/// Options of `latest`.
#[napi(object)]
#[derive(Default)]
pub struct LatestOptions {
    /// `"strict"` (default) or `"relaxed"`.
    pub filter_mode: Option<String>,
    /// Return null when the newest scan is older than this.
    pub max_age_minutes: Option<f64>,
}

/// Options of `history`.
#[napi(object)]
#[derive(Default)]
pub struct HistoryOptions {
    /// Only this mode (default: both).
    pub filter_mode: Option<String>,
    /// Newest rows returned (10).
    pub limit: Option<u32>,
}

/// Options of `serve`.
#[napi(object, object_to_js = false)]
pub struct ServeInit<'a> {
    /// Runs the live scan when the cache cannot answer.
    pub scanner: ClassInstance<'a, Scanner>,
    /// `"strict"` (default) or `"relaxed"`.
    pub filter_mode: Option<String>,
    /// A cached scan at most this old is fresh (15).
    pub max_age_minutes: Option<f64>,
    /// `"revalidate"` (default: serve stale, refresh in background) or `"live"`.
    pub stale: Option<String>,
    /// Oldest stale scan served while revalidating, minutes (1440).
    pub max_stale_minutes: Option<f64>,
    /// Oldest good scan served when a live scan fails, minutes (10080).
    pub stale_if_error_minutes: Option<f64>,
}

pub(crate) fn mode(m: Option<&str>) -> Result<FilterMode, JsError> {
    m.map_or(Ok(FilterMode::Strict), |s| s.parse::<FilterMode>().js())
}

pub(crate) fn minutes(name: &str, m: f64) -> Result<chrono::Duration, JsError> {
    if !m.is_finite() || m < 0.0 {
        return Err(invalid(format!(
            "{name} must be a finite number >= 0, got {m}"
        )));
    }
    Ok(chrono::Duration::microseconds(
        (m * 60e6).min(i64::MAX as f64 / 2.0) as i64,
    ))
}

fn closed() -> CoreError {
    CoreError::invalid_input("the ScanStore is closed")
}

/// The mode, policy and live scanner of a `serve`/`serveJson` call.
pub(crate) fn serve_args(
    options: &ServeInit<'_>,
) -> Result<(FilterMode, ServeOptions, Arc<dyn core::LiveScan>), JsError> {
    let m = mode(options.filter_mode.as_deref())?;
    let mut opts = ServeOptions::default();
    if let Some(a) = options.max_age_minutes {
        opts.max_age = minutes("maxAgeMinutes", a)?;
    }
    if let Some(a) = options.max_stale_minutes {
        opts.max_stale = minutes("maxStaleMinutes", a)?;
    }
    if let Some(a) = options.stale_if_error_minutes {
        opts.stale_if_error = minutes("staleIfErrorMinutes", a)?;
    }
    opts.stale = match options.stale.as_deref() {
        None | Some("revalidate") => StalePolicy::Revalidate,
        Some("live") => StalePolicy::Live,
        Some(other) => {
            return Err(invalid(format!(
                "stale must be \"revalidate\" or \"live\", got {other:?}"
            )))
        }
    };
    let scanner: Arc<dyn core::LiveScan> = Arc::new(options.scanner.inner.clone());
    Ok((m, opts, scanner))
}

/// The scan cache. Open with `await ScanStore.open(url)`; close with `close()`.
#[napi]
pub struct ScanStore {
    inner: Arc<RwLock<Option<Arc<core::ScanStore>>>>,
}

impl ScanStore {
    pub(crate) fn get(&self) -> Result<Arc<core::ScanStore>, CoreError> {
        match self.inner.read() {
            Ok(g) => g.clone().ok_or_else(closed),
            Err(_) => Err(CoreError::internal("store lock poisoned")),
        }
    }
}

/// Run `f(store)` as a Promise, rejecting with `InvalidInput` when the store is closed.
macro_rules! with_store {
    ($self:ident, $env:ident, |$s:ident| $fut:expr, $conv:expr) => {{
        let store = $self.get();
        promise(
            $env,
            async move {
                let $s = store?;
                $fut.await
            },
            $conv,
        )
        .map_err(from_napi)
    }};
}

#[napi]
impl ScanStore {
    /// Open (and migrate) the cache at `url`: `sqlite://PATH`, `sqlite::memory:` or
    /// `postgres://…`; default `$DATABASE_URL`, else `sqlite://optscan.db`.
    #[napi(catch_unwind, ts_return_type = "Promise<ScanStore>")]
    pub fn open<'env>(
        env: &'env Env,
        url: Option<String>,
        options: Option<StoreOpenOptions>,
    ) -> Result<PromiseRaw<'env, ScanStore>, JsError> {
        let o = options.unwrap_or_default();
        let mut opts = StoreOptions::default();
        if let Some(m) = o.migrate {
            opts.migrate = m;
        }
        if let Some(n) = o.max_connections {
            opts.max_connections = n;
        }
        if let Some(ms) = o.poll_interval_ms {
            opts.poll_interval = std::time::Duration::from_millis(u64::from(ms));
        }
        if let Some(ms) = o.acquire_timeout_ms {
            if ms == 0 {
                return Err(invalid("acquireTimeoutMs must be at least 1"));
            }
            opts.acquire_timeout = std::time::Duration::from_millis(u64::from(ms));
        }
        promise(
            env,
            async move { core::ScanStore::open(url.as_deref(), opts).await },
            |s| ScanStore {
                inner: Arc::new(RwLock::new(Some(Arc::new(s)))),
            },
        )
        .map_err(from_napi)
    }

    /// Whether `close()` has not been called.
    #[napi]
    pub fn is_open(&self) -> bool {
        self.inner.read().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Close the pool; later calls reject with `InvalidInput`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>, JsError> {
        let taken = match self.inner.write() {
            Ok(mut g) => g.take(),
            Err(_) => None,
        };
        promise(
            env,
            async move {
                if let Some(s) = taken {
                    s.close().await;
                }
                Ok(())
            },
            |()| (),
        )
        .map_err(from_napi)
    }

    /// The store URL with any password masked.
    #[napi(getter)]
    pub fn url(&self) -> Result<String, JsError> {
        self.get().map(|s| s.redacted_url()).js()
    }

    /// Save a scan in one transaction (idempotent); resolves to its `scanId`.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn save<'env>(
        &self,
        env: &'env Env,
        result: ScanResult,
    ) -> Result<PromiseRaw<'env, String>, JsError> {
        let r = result.to_core().js()?;
        with_store!(self, env, |s| s.save(&r), |id| id.to_string())
    }

    /// The newest scan of a mode, or null (none, or older than `maxAgeMinutes`).
    #[napi(catch_unwind, ts_return_type = "Promise<CachedScan | null>")]
    pub fn latest<'env>(
        &self,
        env: &'env Env,
        options: Option<LatestOptions>,
    ) -> Result<PromiseRaw<'env, Option<CachedScan>>, JsError> {
        let o = options.unwrap_or_default();
        let m = mode(o.filter_mode.as_deref())?;
        let age = o
            .max_age_minutes
            .map(|a| minutes("maxAgeMinutes", a))
            .transpose()?;
        with_store!(
            self,
            env,
            |s| async move {
                s.latest(m, age)
                    .await?
                    .map(CachedScan::from_core)
                    .transpose()
            },
            |c| c
        )
    }

    /// Summaries of the newest scans, of one mode or both.
    #[napi(catch_unwind, ts_return_type = "Promise<ScanSummary[]>")]
    pub fn history<'env>(
        &self,
        env: &'env Env,
        options: Option<HistoryOptions>,
    ) -> Result<PromiseRaw<'env, Vec<ScanSummary>>, JsError> {
        let o = options.unwrap_or_default();
        let m = o
            .filter_mode
            .as_deref()
            .map(|s| s.parse::<FilterMode>())
            .transpose()
            .js()?;
        let limit = o.limit.unwrap_or(10);
        with_store!(self, env, |s| s.history(m, limit), |rows| rows
            .into_iter()
            .map(ScanSummary::from)
            .collect())
    }

    /// Delete all but the newest `keep` (100) scans per mode; resolves to rows deleted.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn cleanup<'env>(
        &self,
        env: &'env Env,
        keep: Option<u32>,
    ) -> Result<PromiseRaw<'env, f64>, JsError> {
        let keep = keep.unwrap_or(100);
        with_store!(self, env, |s| s.cleanup(keep), |n| n as f64)
    }

    /// Serve a mode by policy: fresh cache at once, stale per `stale`, missing → one
    /// shared live scan (single flight across concurrent calls).
    #[napi(catch_unwind, ts_return_type = "Promise<CachedScan>")]
    pub fn serve<'env>(
        &self,
        env: &'env Env,
        options: ServeInit<'_>,
    ) -> Result<PromiseRaw<'env, CachedScan>, JsError> {
        let (m, opts, scanner) = serve_args(&options)?;
        with_store!(
            self,
            env,
            |s| async move { CachedScan::from_core(s.serve(scanner, m, opts).await?) },
            |c| c
        )
    }

    /// An async iterator of every scan saved after it starts:
    /// `for await (const n of await store.subscribe()) …`.
    #[napi(catch_unwind, ts_return_type = "Promise<ScanSubscription>")]
    pub fn subscribe<'env>(
        &self,
        env: &'env Env,
    ) -> Result<PromiseRaw<'env, ScanSubscription>, JsError> {
        with_store!(self, env, |s| s.subscribe(), |sub| ScanSubscription {
            inner: Arc::new(tokio::sync::Mutex::new(Some(sub))),
        })
    }
}

/// Newly saved scans, as an async iterator of [`ScanNotice`]; `break` or `close()` ends it.
#[napi(async_iterator)]
pub struct ScanSubscription {
    inner: Arc<tokio::sync::Mutex<Option<core::ScanSubscription>>>,
}

#[napi]
impl AsyncGenerator for ScanSubscription {
    type Yield = ScanNotice;
    type Next = ();
    type Return = ();

    fn next(
        &mut self,
        _value: Option<()>,
    ) -> impl std::future::Future<Output = napi::Result<Option<ScanNotice>>> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        async move {
            let mut guard = inner.lock().await;
            match guard.as_mut() {
                None => Ok(None),
                Some(sub) => match sub.next().await {
                    Ok(n) => Ok(Some(n.into())),
                    Err(e) => Err(napi::Error::from_reason(e.to_string())),
                },
            }
        }
    }

    fn complete(
        &mut self,
        _value: Option<()>,
    ) -> impl std::future::Future<Output = napi::Result<Option<ScanNotice>>> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        async move {
            inner.lock().await.take();
            Ok(None)
        }
    }
}
