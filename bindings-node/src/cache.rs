//! `ScanStore`: the scan cache (SQLite or PostgreSQL) as a JS class with Promise methods and
//! `serve` (fresh / stale-while-revalidate / single-flight live scan); `subscribe()` lives
//! in `subscription.rs`, the JSON reads in `cache_json.rs`. Every call runs on the runtime,
//! off the event loop; a closed store rejects with `code: "InvalidInput"`.

use std::sync::{Arc, RwLock};

use napi::bindgen_prelude::{Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::cache::{self as core, StoreOptions};
use scanner_core::model::FilterMode;
use scanner_core::Error as CoreError;

use crate::error::{from_napi, invalid, IntoJs, JsError};
use crate::runtime::promise;
use crate::scan::ScanResult;
use crate::store_options::{
    latest_args, serve_args, HistoryOptions, LatestOptions, ServeInit, StoreOpenOptions,
};

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
            source: c.source.as_str().to_owned(),
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

pub(crate) fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    // Same text as the scan JSON's timestamps.
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| t.to_rfc3339())
}

fn closed() -> CoreError {
    CoreError::invalid_input("the ScanStore is closed")
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
        let (m, age) = latest_args(options)?;
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

    /// Run one scheduled cycle of `scanner` into this store, as `optscan worker` does:
    /// writer leases, the stored symbol rotation (with `maxSymbols`), IV history, scan, save,
    /// rotation and IV writes; leases released on every path. Rejects with code `Busy`
    /// while another writer runs.
    #[napi(catch_unwind, ts_return_type = "Promise<RunReport>")]
    pub fn run_scheduled<'env>(
        &self,
        env: &'env Env,
        options: crate::scheduled::RunScheduledInit<'_>,
    ) -> Result<PromiseRaw<'env, crate::scheduled::RunReport>, JsError> {
        let (scanner, opts) = crate::scheduled::run_args(&options)?;
        with_store!(
            self,
            env,
            |s| async move { crate::scheduled::report(s.run_scheduled(&scanner, opts).await?) },
            |r| r
        )
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
}
