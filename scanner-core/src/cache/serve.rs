//! The serving policy: fresh cache, stale-while-revalidate, single-flight live scans and
//! stale-if-error (RFC 5861 semantics, like nginx's `proxy_cache_use_stale updating` plus
//! `proxy_cache_lock`).
//!
//! In one process, concurrent callers for a mode share one live scan (a shared, spawned
//! future per mode). Across processes the scan runs under the mode's writer lease, so at
//! most one process scans; the others poll for its result until [`ServeOptions::wait`].

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use futures_util::future::{BoxFuture, FutureExt, Shared};

use super::hot::{HotScan, Served};
use super::lock::{scan_lock_name, WriterLease};
use super::types::{is_degraded, minutes, CachedJson, CachedScan, ServeSource};
use super::{ScanStore, ServeOptions, StalePolicy};
use crate::model::{FilterMode, ScanResult};
use crate::{Error, ErrorKind, Result};

/// Something that can run a live scan: the scan engine implements it; the store only calls it.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// use scanner_core::cache::{LiveScan, ScanStore, ServeOptions, ServeSource, StoreOptions};
/// use scanner_core::model::{FilterMode, ScanResult};
///
/// struct Fake;
/// #[async_trait::async_trait]
/// impl LiveScan for Fake {
///     async fn run_scan(&self, mode: FilterMode) -> scanner_core::Result<ScanResult> {
///         let mut r = ScanResult::empty(mode);
///         r.symbols_scanned = vec!["AAPL".into()];
///         Ok(r)
///     }
/// }
///
/// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
/// let first = store.serve(Arc::new(Fake), FilterMode::Strict, ServeOptions::default()).await?;
/// assert_eq!(first.source, ServeSource::Live); // nothing cached: scanned and saved
/// let second = store.serve(Arc::new(Fake), FilterMode::Strict, ServeOptions::default()).await?;
/// assert_eq!(second.source, ServeSource::Cache); // fresh: served from the cache
/// assert_eq!(second.result.scan_id, first.result.scan_id);
/// # Ok::<(), scanner_core::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait LiveScan: Send + Sync {
    /// Scan `mode` now and return the result (the store saves it).
    async fn run_scan(&self, mode: FilterMode) -> Result<ScanResult>;
}

type FlightOutput = std::result::Result<Served, (ErrorKind, String)>;
/// One in-process live scan that every concurrent caller of a mode awaits.
pub(crate) type Flight = Shared<BoxFuture<'static, FlightOutput>>;

/// How often a waiting process checks whether the lease holder has saved its scan.
const WAIT_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl ScanStore {
    /// Serve the scan of `mode` by policy: a fresh cached scan as is; a stale one at once
    /// with a background refresh ([`StalePolicy::Revalidate`]) or after a live scan
    /// ([`StalePolicy::Live`]); a live scan when nothing is cached. Live scans are single
    /// flight. When the live scan fails, the last good scan is served marked stale with the
    /// error attached; with nothing to serve, the scan's typed error is returned.
    pub async fn serve(
        &self,
        scanner: Arc<dyn LiveScan>,
        mode: FilterMode,
        opts: ServeOptions,
    ) -> Result<CachedScan> {
        Ok(self
            .serve_served(scanner, mode, opts)
            .await?
            .into_cached_scan())
    }

    /// [`Self::serve`] answering with the scan's canonical JSON text (serialised once per
    /// scan and shared), for HTTP handlers that pass the document through.
    pub async fn serve_json(
        &self,
        scanner: Arc<dyn LiveScan>,
        mode: FilterMode,
        opts: ServeOptions,
    ) -> Result<CachedJson> {
        self.serve_served(scanner, mode, opts).await?.into_json()
    }

    async fn serve_served(
        &self,
        scanner: Arc<dyn LiveScan>,
        mode: FilterMode,
        opts: ServeOptions,
    ) -> Result<Served> {
        for (name, d) in [
            ("max_age", opts.max_age),
            ("max_stale", opts.max_stale),
            ("stale_if_error", opts.stale_if_error),
        ] {
            if d < chrono::Duration::zero() {
                return Err(Error::invalid_input(format!(
                    "{name} must be >= 0, got {d}"
                )));
            }
        }
        let cached = self.latest_served(mode, None).await?;
        if let Some(c) = &cached {
            if c.age_minutes <= minutes(opts.max_age) {
                return Ok(c.clone());
            }
            if opts.stale == StalePolicy::Revalidate && c.age_minutes <= minutes(opts.max_stale) {
                // Start (or join) the refresh; it runs to completion on its own task.
                drop(self.flight(scanner, mode, opts));
                let mut stale = c.clone();
                stale.is_stale = true;
                return Ok(stale);
            }
        }
        match self.flight(scanner, mode, opts).await {
            Ok(scan) => Ok(scan),
            Err((kind, message)) => match cached {
                Some(mut c) if c.age_minutes <= minutes(opts.stale_if_error) => {
                    c.is_stale = true;
                    c.error = Some(format!("{kind}: {message}"));
                    Ok(c)
                }
                _ => Err(Error::new(kind, message)),
            },
        }
    }

    /// The running live scan of `mode`, or a new one.
    fn flight(&self, scanner: Arc<dyn LiveScan>, mode: FilterMode, opts: ServeOptions) -> Flight {
        let mut flights = self
            .inner
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(f) = flights.get(&mode) {
            return f.clone();
        }
        let store = self.clone();
        let task = tokio::spawn(async move {
            let out = store.live(scanner.as_ref(), mode, opts).await;
            store
                .inner
                .flights
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&mode);
            out.map_err(|e| (e.kind(), e.message().to_owned()))
        });
        let flight = async move {
            task.await.unwrap_or_else(|e| {
                Err((ErrorKind::Internal, format!("live scan task failed: {e}")))
            })
        }
        .boxed()
        .shared();
        flights.insert(mode, flight.clone());
        flight
    }

    /// Scan under the writer lease, or wait for the process that holds it.
    async fn live(
        &self,
        scanner: &dyn LiveScan,
        mode: FilterMode,
        opts: ServeOptions,
    ) -> Result<Served> {
        let deadline = Instant::now() + opts.wait;
        loop {
            match WriterLease::acquire(
                Arc::clone(&self.inner.backend),
                scan_lock_name(mode),
                opts.lease,
            )
            .await
            {
                Ok(lease) => {
                    let out = match self.latest_served(mode, Some(opts.max_age)).await? {
                        // Another process finished a scan while we queued for the lease.
                        Some(fresh) => Ok(fresh),
                        None => self.scan_and_save(scanner, mode, &lease).await,
                    };
                    // If release fails the lease still expires on its own.
                    let _ = lease.release().await;
                    return out;
                }
                Err(e) if e.kind() == ErrorKind::Busy => {
                    if let Some(fresh) = self.latest_served(mode, Some(opts.max_age)).await? {
                        return Ok(fresh);
                    }
                    if Instant::now() >= deadline {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "waited {:?} for another process's {mode} scan without a result",
                                opts.wait
                            ),
                        ));
                    }
                    tokio::time::sleep(WAIT_POLL).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn scan_and_save(
        &self,
        scanner: &dyn LiveScan,
        mode: FilterMode,
        lease: &WriterLease,
    ) -> Result<Served> {
        let result = scanner.run_scan(mode).await?;
        if result.filter_mode != mode {
            return Err(Error::internal(format!(
                "the scanner returned a {} result when asked for {mode}",
                result.filter_mode
            )));
        }
        let saved = self.save_under(&result, lease).await;
        if is_degraded(&result) {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!(
                    "every symbol failed in the live {mode} scan ({} failures); recorded as degraded",
                    result.metadata.failed_symbols.len()
                ),
            ));
        }
        let scan = Arc::new(HotScan::new(result));
        if saved.is_ok() {
            self.inner.hot.put(Arc::clone(&scan));
        }
        let mut served = Served::new(scan, ServeSource::Live);
        // A good scan that could not be cached is still served, with the reason.
        served.error = saved.err().map(|e| format!("not cached: {e}"));
        Ok(served)
    }
}
