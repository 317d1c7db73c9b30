//! `ScanStore` for Python: the core cache (SQLite or PostgreSQL/Supabase), every call run on
//! the binding's runtime with the GIL released.

use pyo3::prelude::*;
use scanner_core::cache::{self as core, ServeOptions, StalePolicy, StoreOptions};
use scanner_core::model::FilterMode;

use crate::cache_json::CachedJson;
use crate::error::{invalid, to_py};
use crate::model::{CachedScan, ScanResult, ScanSummary};
use crate::runtime::block_on;
use crate::scan::Scanner;
use crate::scheduled::RunReport;
use crate::subscription::ScanSubscription;

fn mode(s: &str) -> PyResult<FilterMode> {
    s.parse::<FilterMode>().map_err(to_py)
}

fn minutes(m: f64, what: &str) -> PyResult<chrono::Duration> {
    scanner_core::cache::minutes(what, m).map_err(to_py)
}

fn seconds(t: f64, what: &str) -> PyResult<std::time::Duration> {
    if !(t.is_finite() && t > 0.0) {
        return Err(invalid(format!(
            "{what} must be a number of seconds > 0, got {t}"
        )));
    }
    Ok(std::time::Duration::from_secs_f64(t.min(1e9)))
}

/// The mode and max age of a `latest` / `latest_json` call.
fn latest_args(
    filter_mode: &str,
    max_age_minutes: Option<f64>,
) -> PyResult<(FilterMode, Option<chrono::Duration>)> {
    let age = max_age_minutes
        .map(|a| minutes(a, "max_age_minutes"))
        .transpose()?;
    Ok((mode(filter_mode)?, age))
}

/// The mode and policy of a `serve` / `serve_json` call.
/// `max_stale_minutes` / `stale_if_error_minutes` default to the core's (1 day / 7 days).
fn serve_options(
    filter_mode: &str,
    max_age_minutes: f64,
    stale: &str,
    max_stale_minutes: Option<f64>,
    stale_if_error_minutes: Option<f64>,
) -> PyResult<(FilterMode, ServeOptions)> {
    let m = mode(filter_mode)?;
    let mut opts = ServeOptions {
        max_age: minutes(max_age_minutes, "max_age_minutes")?,
        stale: stale.parse::<StalePolicy>().map_err(to_py)?,
        ..ServeOptions::default()
    };
    if let Some(x) = max_stale_minutes {
        opts.max_stale = minutes(x, "max_stale_minutes")?;
    }
    if let Some(x) = stale_if_error_minutes {
        opts.stale_if_error = minutes(x, "stale_if_error_minutes")?;
    }
    Ok((m, opts))
}

/// The scan cache.
#[pyclass(frozen, module = "optscan")]
pub struct ScanStore {
    inner: std::sync::RwLock<Option<core::ScanStore>>,
}

impl ScanStore {
    /// The open store; `InvalidInputError` after `close()` (as in Node).
    fn store(&self) -> PyResult<core::ScanStore> {
        match self.inner.read() {
            Ok(g) => g.clone(),
            Err(_) => None,
        }
        .ok_or_else(|| invalid("the ScanStore is closed"))
    }
}

#[pymethods]
impl ScanStore {
    /// Open `url` (`sqlite://PATH`, `sqlite::memory:`, `postgres://…`); None means
    /// `$DATABASE_URL`, else `sqlite://optscan.db`. Applies migrations unless `migrate=False`.
    /// `max_connections` (5), `acquire_timeout` (seconds a call waits for a connection, 10)
    /// and `poll_interval` (seconds between `subscribe()` polls where it cannot LISTEN,
    /// 0.25) tune the pool.
    #[staticmethod]
    #[pyo3(signature = (url = None, *, migrate = true, max_connections = None, acquire_timeout = None, poll_interval = None))]
    fn open(
        py: Python<'_>,
        url: Option<String>,
        migrate: bool,
        max_connections: Option<u32>,
        acquire_timeout: Option<f64>,
        poll_interval: Option<f64>,
    ) -> PyResult<Self> {
        let mut opts = StoreOptions {
            migrate,
            ..StoreOptions::default()
        };
        if let Some(n) = max_connections {
            opts.max_connections = n;
        }
        if let Some(t) = acquire_timeout {
            opts.acquire_timeout = seconds(t, "acquire_timeout")?;
        }
        if let Some(t) = poll_interval {
            opts.poll_interval = seconds(t, "poll_interval")?;
        }
        let inner = block_on(py, async move {
            core::ScanStore::open(url.as_deref(), opts).await
        })?;
        Ok(Self {
            inner: std::sync::RwLock::new(Some(inner)),
        })
    }

    /// Whether `close()` has not been called.
    #[getter]
    fn is_open(&self) -> bool {
        self.inner.read().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Close the pool (waiting for calls in flight); later calls raise `InvalidInputError`.
    /// Closing twice is a no-op. `with ScanStore.open() as store:` closes on exit.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.write().ok().and_then(|mut g| g.take());
        if let Some(store) = taken {
            block_on(py, async move {
                store.close().await;
                Ok(())
            })?;
        }
        Ok(())
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// Save a result in one transaction; returns its scan_id. Saving it again is a no-op.
    fn save(&self, py: Python<'_>, result: PyRef<'_, ScanResult>) -> PyResult<String> {
        let (store, r) = (self.store()?, result.inner.clone());
        let id = block_on(py, async move { store.save(&r).await })?;
        Ok(id.to_string())
    }

    /// The newest scan of `filter_mode`, or None when none is cached or it is older than
    /// `max_age_minutes`.
    #[pyo3(signature = (filter_mode = "strict", max_age_minutes = None))]
    fn latest(
        &self,
        py: Python<'_>,
        filter_mode: &str,
        max_age_minutes: Option<f64>,
    ) -> PyResult<Option<CachedScan>> {
        let (m, age) = latest_args(filter_mode, max_age_minutes)?;
        let store = self.store()?;
        let c = block_on(py, async move { store.latest(m, age).await })?;
        Ok(c.map(|inner| CachedScan { inner }))
    }

    /// Summaries of the newest `limit` scans, of one mode or all.
    #[pyo3(signature = (filter_mode = None, limit = 10))]
    fn history(
        &self,
        py: Python<'_>,
        filter_mode: Option<&str>,
        limit: u32,
    ) -> PyResult<Vec<ScanSummary>> {
        let m = filter_mode.map(mode).transpose()?;
        let store = self.store()?;
        let rows = block_on(py, async move { store.history(m, limit).await })?;
        Ok(rows
            .into_iter()
            .map(|inner| ScanSummary { inner })
            .collect())
    }

    /// Run one scheduled cycle of `scanner` into this store, as `optscan worker` does: take
    /// the writer leases, continue the stored symbol rotation (with `max_symbols`), read the
    /// IV history, scan, save, advance the rotation and record IVs; the leases are released
    /// on every path. Raises `BusyError` while another writer runs. Returns a `RunReport`.
    ///
    /// With `queue="name"` (PostgreSQL) the worker takes part in a cycle shared by many
    /// workers through that pgmq queue, as `optscan worker --queue` does: it plans the cycle
    /// if none is open, scans shards of `shard_size` symbols, and merges when every shard
    /// is in; `report.queue` says what it did.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (scanner, *, as_of = None, lease_ttl = None, queue = None, shard_size = None, visibility_timeout = None, cycle_deadline = None))]
    fn run_scheduled(
        &self,
        py: Python<'_>,
        scanner: PyRef<'_, Scanner>,
        as_of: Option<chrono::DateTime<chrono::Utc>>,
        lease_ttl: Option<f64>,
        queue: Option<String>,
        shard_size: Option<usize>,
        visibility_timeout: Option<f64>,
        cycle_deadline: Option<f64>,
    ) -> PyResult<RunReport> {
        let queue = crate::scheduled::QueueArgs {
            name: queue,
            shard_size,
            visibility_timeout,
            cycle_deadline,
        };
        let opts = crate::scheduled::options(as_of.or(scanner.as_of), lease_ttl, queue)?;
        let (store, scanner) = (self.store()?, scanner.inner.clone());
        let report = block_on(py, async move { store.run_scheduled(&scanner, opts).await })?;
        Ok(report.into())
    }

    /// `await store.run_scheduled_async(scanner, ...)`: the same cycle on the event loop.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (scanner, *, as_of = None, lease_ttl = None, queue = None, shard_size = None, visibility_timeout = None, cycle_deadline = None))]
    fn run_scheduled_async<'py>(
        &self,
        py: Python<'py>,
        scanner: PyRef<'_, Scanner>,
        as_of: Option<chrono::DateTime<chrono::Utc>>,
        lease_ttl: Option<f64>,
        queue: Option<String>,
        shard_size: Option<usize>,
        visibility_timeout: Option<f64>,
        cycle_deadline: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let queue = crate::scheduled::QueueArgs {
            name: queue,
            shard_size,
            visibility_timeout,
            cycle_deadline,
        };
        let opts = crate::scheduled::options(as_of.or(scanner.as_of), lease_ttl, queue)?;
        let (store, scanner) = (self.store()?, scanner.inner.clone());
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let report = store.run_scheduled(&scanner, opts).await.map_err(to_py)?;
            Ok(RunReport::from(report))
        })
    }

    /// `await store.save_async(result)`: `save` on the event loop.
    fn save_async<'py>(
        &self,
        py: Python<'py>,
        result: PyRef<'_, ScanResult>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, r) = (self.store()?, result.inner.clone());
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            Ok(store.save(&r).await.map_err(to_py)?.to_string())
        })
    }

    /// `await store.serve_async(scanner, ...)`: `serve` on the event loop, same policy.
    #[pyo3(signature = (scanner, filter_mode = "strict", max_age_minutes = 15.0, stale = "revalidate", *, max_stale_minutes = None, stale_if_error_minutes = None))]
    #[allow(clippy::too_many_arguments)]
    fn serve_async<'py>(
        &self,
        py: Python<'py>,
        scanner: PyRef<'_, Scanner>,
        filter_mode: &str,
        max_age_minutes: f64,
        stale: &str,
        max_stale_minutes: Option<f64>,
        stale_if_error_minutes: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (m, opts) = serve_options(
            filter_mode,
            max_age_minutes,
            stale,
            max_stale_minutes,
            stale_if_error_minutes,
        )?;
        let live: std::sync::Arc<dyn core::LiveScan> = scanner.inner.clone();
        let store = self.store()?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let c = store.serve(live, m, opts).await.map_err(to_py)?;
            Ok(CachedScan { inner: c })
        })
    }

    /// Delete all but the newest `keep` scans per mode; returns the rows deleted.
    #[pyo3(signature = (keep = 100))]
    fn cleanup(&self, py: Python<'_>, keep: u32) -> PyResult<u64> {
        let store = self.store()?;
        block_on(py, async move { store.cleanup(keep).await })
    }

    /// Serve `filter_mode` by policy: a fresh cached scan; a stale one plus a background
    /// refresh (`stale="revalidate"`) or after a live scan (`stale="live"`); a single-flight
    /// live scan when nothing is cached.
    #[pyo3(signature = (scanner, filter_mode = "strict", max_age_minutes = 15.0, stale = "revalidate", *, max_stale_minutes = None, stale_if_error_minutes = None))]
    #[allow(clippy::too_many_arguments)]
    fn serve(
        &self,
        py: Python<'_>,
        scanner: PyRef<'_, Scanner>,
        filter_mode: &str,
        max_age_minutes: f64,
        stale: &str,
        max_stale_minutes: Option<f64>,
        stale_if_error_minutes: Option<f64>,
    ) -> PyResult<CachedScan> {
        let (m, opts) = serve_options(
            filter_mode,
            max_age_minutes,
            stale,
            max_stale_minutes,
            stale_if_error_minutes,
        )?;
        let live: std::sync::Arc<dyn core::LiveScan> = scanner.inner.clone();
        let store = self.store()?;
        let c = block_on(py, async move { store.serve(live, m, opts).await })?;
        Ok(CachedScan { inner: c })
    }

    /// `latest()` as the bytes of the scan's JSON document: the cheapest way to send a
    /// cached scan from a web handler (the document is serialised once per scan).
    #[pyo3(signature = (filter_mode = "strict", max_age_minutes = None))]
    fn latest_json(
        &self,
        py: Python<'_>,
        filter_mode: &str,
        max_age_minutes: Option<f64>,
    ) -> PyResult<Option<CachedJson>> {
        let (m, age) = latest_args(filter_mode, max_age_minutes)?;
        let store = self.store()?;
        let c = block_on(py, async move { store.latest_json(m, age).await })?;
        Ok(c.map(|inner| CachedJson { inner }))
    }

    /// Filter and sort every contract the newest scan of `filter_mode` evaluated; answers
    /// the page (`{scanId, candidateCount, matched, rows}`) as JSON bytes. `filters` are as
    /// in a query string: `{"delta.min": 0.3, "type": "call", "sort": "-expectedValueAmount",
    /// "limit": 20}`. Raises InvalidInputError for unknown fields or bad ranges.
    #[pyo3(signature = (filters = None, filter_mode = "strict"))]
    fn screen_json(
        &self,
        py: Python<'_>,
        filters: Option<std::collections::HashMap<String, Bound<'_, PyAny>>>,
        filter_mode: &str,
    ) -> PyResult<Vec<u8>> {
        let m = mode(filter_mode)?;
        let mut pairs = Vec::new();
        for (k, v) in filters.unwrap_or_default() {
            pairs.push((k, v.str()?.to_string()));
        }
        let query = scanner_core::model::ScreenQuery::from_params(pairs).map_err(to_py)?;
        let store = self.store()?;
        let page = block_on(py, async move { store.screen(m, &query).await })?;
        serde_json::to_vec(&page).map_err(|e| to_py(scanner_core::Error::internal(e.to_string())))
    }

    /// `serve()` answering with the bytes of the scan's JSON document; same policy.
    #[pyo3(signature = (scanner, filter_mode = "strict", max_age_minutes = 15.0, stale = "revalidate", *, max_stale_minutes = None, stale_if_error_minutes = None))]
    #[allow(clippy::too_many_arguments)]
    fn serve_json(
        &self,
        py: Python<'_>,
        scanner: PyRef<'_, Scanner>,
        filter_mode: &str,
        max_age_minutes: f64,
        stale: &str,
        max_stale_minutes: Option<f64>,
        stale_if_error_minutes: Option<f64>,
    ) -> PyResult<CachedJson> {
        let (m, opts) = serve_options(
            filter_mode,
            max_age_minutes,
            stale,
            max_stale_minutes,
            stale_if_error_minutes,
        )?;
        let live: std::sync::Arc<dyn core::LiveScan> = scanner.inner.clone();
        let store = self.store()?;
        let c = block_on(py, async move { store.serve_json(live, m, opts).await })?;
        Ok(CachedJson { inner: c })
    }

    /// Every scan saved from now on, by any process: `for notice in store.subscribe(): …`
    /// (or `async for`). LISTEN/NOTIFY on PostgreSQL, polling on SQLite and through a
    /// transaction-mode pooler.
    fn subscribe(&self, py: Python<'_>) -> PyResult<ScanSubscription> {
        let store = self.store()?;
        let sub = block_on(py, async move { store.subscribe().await })?;
        Ok(ScanSubscription::new(sub))
    }

    /// `"sqlite"` or `"postgres"`.
    #[getter]
    fn backend(&self) -> String {
        self.store()
            .map(|s| format!("{:?}", s.backend()).to_ascii_lowercase())
            .unwrap_or_else(|_| "closed".to_owned())
    }

    fn __repr__(&self) -> String {
        match self.store() {
            Ok(s) => format!("<optscan.ScanStore {}>", s.redacted_url()),
            Err(_) => "<optscan.ScanStore closed>".to_owned(),
        }
    }
}
