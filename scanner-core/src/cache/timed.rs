//! A time limit on every database call, and a count of them: [`Timed`] wraps a backend so
//! that a frozen database (accepting TCP, answering nothing) fails each operation with a
//! `Timeout` naming it, instead of blocking a command, a route or a lease's heartbeat.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::backend::{AuxRows, ScanRows, StoreBackend};
use super::cycle_rows::{CycleEnd, CycleRows, CycleStart};
use super::lock::Fence;
use super::types::{RotationState, ScanNotice, ScanSummary};
use crate::model::{FilterMode, ScanResult};
use crate::{Error, ErrorKind, Result};

/// Operations sent and time spent waiting for the database, since the store was opened.
#[derive(Debug, Default)]
pub(crate) struct DbStats {
    ops: AtomicU64,
    wait_us: AtomicU64,
    /// Writes that can change which scan leads a mode (saves, cycles, cleanups), counted
    /// when they end: memos of "the newest scan" re-check after any of them.
    writes: AtomicU64,
}

impl DbStats {
    /// (operations, seconds waited) so far.
    pub fn snapshot(&self) -> (u64, f64) {
        (
            self.ops.load(Ordering::Relaxed),
            self.wait_us.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }

    /// Count one operation that waited `waited` (for statements sent outside [`Timed`]).
    #[cfg(feature = "postgres")]
    pub fn record(&self, waited: Duration) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.wait_us
            .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
    }

    /// Scan writes ended so far through this store (see the field).
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }
}

/// A backend whose every call is limited to `limit` and counted in `stats`.
pub(crate) struct Timed {
    pub inner: Arc<dyn StoreBackend>,
    pub limit: Duration,
    pub stats: Arc<DbStats>,
}

impl Timed {
    async fn run<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        let start = Instant::now();
        let out = tokio::time::timeout(self.limit, fut).await;
        self.stats.ops.fetch_add(1, Ordering::Relaxed);
        self.stats
            .wait_us
            .fetch_add(start.elapsed().as_micros() as u64, Ordering::Relaxed);
        out.unwrap_or_else(|_| Err(timeout(what, self.limit)))
    }

    /// [`Self::run`] for a write that may change the newest scan of a mode: counted in
    /// [`DbStats::writes`] once it ends, whatever the outcome (a timed-out save may still
    /// commit).
    async fn write<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        let out = self.run(what, fut).await;
        self.stats.writes.fetch_add(1, Ordering::Release);
        out
    }
}

/// The error of an operation that got no answer within `limit`.
pub(crate) fn timeout(what: &str, limit: Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("{what}: no answer from the database within {limit:?}"),
    )
}

#[async_trait]
impl ScanRows for Timed {
    async fn migrate(&self) -> Result<()> {
        self.run("migrating", self.inner.migrate()).await
    }
    async fn is_migrated(&self) -> Result<bool> {
        self.run("checking the schema", self.inner.is_migrated())
            .await
    }
    async fn save(&self, r: &ScanResult, degraded: bool, fence: Option<&Fence>) -> Result<()> {
        self.write("saving a scan", self.inner.save(r, degraded, fence))
            .await
    }
    async fn latest(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<ScanResult>> {
        self.run(
            "reading the latest scan",
            self.inner.latest(mode, prefer_good),
        )
        .await
    }
    async fn latest_id(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<Uuid>> {
        self.run(
            "reading the latest scan id",
            self.inner.latest_id(mode, prefer_good),
        )
        .await
    }
    async fn get(&self, scan_id: Uuid) -> Result<Option<ScanResult>> {
        self.run("reading a scan", self.inner.get(scan_id)).await
    }
    async fn candidates(&self, scan_id: Uuid) -> Result<Option<Vec<u8>>> {
        self.run(
            "reading a scan's candidates",
            self.inner.candidates(scan_id),
        )
        .await
    }
    async fn history(&self, mode: Option<FilterMode>, limit: u32) -> Result<Vec<ScanSummary>> {
        self.run("reading scan history", self.inner.history(mode, limit))
            .await
    }
    async fn cleanup(&self, keep: u32) -> Result<u64> {
        self.write("cleaning up old scans", self.inner.cleanup(keep))
            .await
    }
    async fn poll_notices(&self, cursor: &mut Option<i64>) -> Result<Vec<ScanNotice>> {
        self.run("polling for new scans", self.inner.poll_notices(cursor))
            .await
    }
}

#[async_trait]
impl AuxRows for Timed {
    async fn rotation(&self, mode: FilterMode) -> Result<Option<RotationState>> {
        self.run("reading rotation state", self.inner.rotation(mode))
            .await
    }
    async fn set_rotation(&self, mode: FilterMode, state: &RotationState) -> Result<()> {
        self.run(
            "saving rotation state",
            self.inner.set_rotation(mode, state),
        )
        .await
    }
    async fn record_ivs(&self, date: NaiveDate, ivs: &[(String, f64)]) -> Result<()> {
        self.run("recording IVs", self.inner.record_ivs(date, ivs))
            .await
    }
    async fn iv_histories(
        &self,
        symbols: &[String],
        since: NaiveDate,
    ) -> Result<HashMap<String, Vec<(NaiveDate, f64)>>> {
        self.run(
            "reading IV history",
            self.inner.iv_histories(symbols, since),
        )
        .await
    }
    async fn put_symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        let fut = self.inner.put_symbol_analysis(symbol, fingerprint, payload);
        self.run("saving symbol analysis", fut).await
    }
    async fn symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        fresh_after: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>> {
        let fut = self.inner.symbol_analysis(symbol, fingerprint, fresh_after);
        self.run("reading symbol analysis", fut).await
    }
    async fn symbol_rows(&self, keys: &[String]) -> Result<HashMap<String, (String, String)>> {
        self.run("reading cached histories", self.inner.symbol_rows(keys))
            .await
    }
    async fn put_symbol_rows(&self, rows: &[(String, String, String)]) -> Result<()> {
        self.run("saving cached histories", self.inner.put_symbol_rows(rows))
            .await
    }
    async fn try_lease(&self, name: &str, holder: &str, lease: Duration) -> Result<bool> {
        self.run(
            "taking writer lease",
            self.inner.try_lease(name, holder, lease),
        )
        .await
    }
    async fn lease_holder(&self, name: &str) -> Result<Option<String>> {
        self.run("reading writer lease", self.inner.lease_holder(name))
            .await
    }
    async fn steal_lease(
        &self,
        name: &str,
        dead: &str,
        holder: &str,
        lease: Duration,
    ) -> Result<bool> {
        let fut = self.inner.steal_lease(name, dead, holder, lease);
        self.run("taking over a dead writer's lease", fut).await
    }
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        self.run(
            "releasing writer lease",
            self.inner.release_lease(name, holder),
        )
        .await
    }
    async fn close(&self) {
        let _ = tokio::time::timeout(self.limit, self.inner.close()).await;
    }
}

#[async_trait]
impl CycleRows for Timed {
    async fn begin_cycle(
        &self,
        fences: &[Fence],
        rotation: Option<FilterMode>,
    ) -> Result<CycleStart> {
        self.run(
            "taking writer leases",
            self.inner.begin_cycle(fences, rotation),
        )
        .await
    }
    async fn finish_cycle(&self, end: CycleEnd<'_>) -> Result<Vec<bool>> {
        self.write("saving the cycle", self.inner.finish_cycle(end))
            .await
    }
    async fn release_leases(&self, fences: &[Fence]) -> Result<()> {
        self.run("releasing writer leases", self.inner.release_leases(fences))
            .await
    }
}
