//! One scheduled scan cycle, as the worker, the CLI and the bindings run it: take the
//! writer leases, continue the symbol rotation, read the IV history, scan, save under the
//! leases, advance the rotation and record IVs — and give the leases back on every exit
//! path (success, error, cancellation).
//!
//! It lives in the core so every host gets the same guarantees: bad input is rejected
//! before a lease is taken, a scan that covered no symbol is never saved, a scan in which
//! every symbol failed never replaces a good one, and the database sees one statement per
//! step for the whole batch (not one per symbol).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cycle_rows::{CycleEnd, FencedSave};
use super::lock::{check_ttl, lost_error, release_all, scan_lock_name, Fence};
use super::types::{is_degraded, HISTORICAL_AFTER};
use super::{QueueOptions, QueueReport, RotationState, ScanStore, WriterLease, DEFAULT_LEASE_TTL};
use crate::calendar;
use crate::model::ScanResult;
use crate::scan::{next_batch, CancelToken, ProgressFn, ScanRequest, Scanner};
use crate::{Error, ErrorKind, Result};
use chrono::{DateTime, Utc};

/// How [`ScanStore::run_scheduled`] runs one cycle. `Default` is a live cycle now.
#[derive(Clone)]
pub struct RunOptions {
    /// The as-of instant (default: now). One more than [`HISTORICAL_AFTER`] in the past
    /// makes a historical cycle: its scans are saved marked historical (never served as the
    /// live scan) and the rotation is left alone.
    pub as_of: Option<DateTime<Utc>>,
    /// Writer lease TTL (default [`DEFAULT_LEASE_TTL`]).
    pub lease_ttl: Duration,
    /// Cancel the cycle: the scan stops, nothing is saved, the leases are released.
    pub cancel: CancelToken,
    /// Progress events of the scan.
    pub progress: Option<ProgressFn>,
    /// How long to keep retrying a save that fails because the database is unreachable
    /// (default zero: fail at once). A worker sets this so a scan finished during an outage
    /// is saved as soon as the database is back, instead of being lost with its cycle.
    pub save_patience: Duration,
    /// Take part in a cycle shared by many workers through this PostgreSQL (pgmq) queue
    /// instead of scanning the whole universe here (default: none). See [`QueueOptions`].
    pub queue: Option<QueueOptions>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            as_of: None,
            lease_ttl: DEFAULT_LEASE_TTL,
            cancel: CancelToken::default(),
            progress: None,
            save_patience: Duration::ZERO,
            queue: None,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("as_of", &self.as_of)
            .field("lease_ttl", &self.lease_ttl)
            .field("cancelled", &self.cancel.is_cancelled())
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

/// What one scheduled cycle did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// One saved result per mode, strict first.
    pub results: Vec<ScanResult>,
    /// The rotation position the next cycle starts from.
    pub next_position: usize,
    /// Symbols in the source's universe.
    pub universe_size: usize,
    /// ATM IVs recorded for IV rank.
    pub ivs_recorded: usize,
    /// Wall time of the whole cycle, including the database.
    pub elapsed: Duration,
    /// Set when saving had to wait for the database ([`RunOptions::save_patience`]).
    pub save_outage: Option<SaveOutage>,
    /// Database operations of the whole cycle (leases, rotation, IV history, saves, IV
    /// records): a constant handful, whatever the number of symbols.
    pub database_operations: u64,
    /// Seconds of the cycle spent waiting for the database.
    pub database_seconds: f64,
    /// What this worker did in a queued cycle ([`RunOptions::queue`]); then `results` holds
    /// the merged scans when this worker merged the cycle, and is empty otherwise.
    pub queue: Option<QueueReport>,
}

/// A database outage that a cycle's save waited out.
#[derive(Debug, Clone)]
pub struct SaveOutage {
    /// The first failure, as reported by the database layer (no secrets).
    pub first_error: String,
    /// How long the save waited until it succeeded.
    pub waited: Duration,
    /// Save attempts, the successful one included.
    pub attempts: u32,
}

impl ScanStore {
    /// Run one scheduled cycle of `scanner` (every mode of its configuration) into this
    /// store. Fails with [`ErrorKind::Busy`] while another writer scans a mode, with
    /// [`ErrorKind::DataSource`] when the source has no symbols or every symbol failed (the
    /// failed scan is recorded as degraded and never replaces a good one), and with
    /// [`ErrorKind::Cancelled`] when cancelled; the leases are released in every case.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use scanner_core::cache::{RunOptions, ScanStore, StoreOptions};
    /// use scanner_core::market::SyntheticMarket;
    /// use scanner_core::scan::{ScanConfig, Scanner};
    ///
    /// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
    /// let mut cfg = ScanConfig::default();
    /// cfg.max_symbols = Some(3);
    /// cfg.backtest = false;
    /// let scanner = Scanner::new(Arc::new(SyntheticMarket::new(7, 10)), cfg)?;
    /// let first = store.run_scheduled(&scanner, RunOptions::default()).await?;
    /// let second = store.run_scheduled(&scanner, RunOptions::default()).await?;
    /// // The rotation moves on: the second cycle scans the next three symbols.
    /// assert_ne!(first.results[0].symbols_scanned, second.results[0].symbols_scanned);
    /// # Ok::<(), scanner_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn run_scheduled(&self, scanner: &Scanner, opts: RunOptions) -> Result<RunReport> {
        check_ttl(opts.lease_ttl)?;
        if let Some(q) = &opts.queue {
            #[cfg(feature = "postgres")]
            return self.run_queued(scanner, &opts, q).await;
            #[cfg(not(feature = "postgres"))]
            return Err(Error::invalid_input(format!(
                "queue {:?} needs PostgreSQL: this build has no PostgreSQL support",
                q.name
            )));
        }
        let started = Instant::now();
        let (ops0, wait0) = self.database_stats();
        let modes = scanner.config().filter_mode.modes();
        // A panicking source fails the call with Internal, never the host.
        let universe = crate::catch_panic(scanner.source().universe()).await?;
        if universe.is_empty() {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!(
                    "source {} has no symbols: nothing to scan, the cache is left as it is",
                    scanner.source().name()
                ),
            ));
        }
        // One operation takes every mode's lease and reads where the rotation stands.
        let backend = Arc::clone(&self.inner.backend);
        let fences: Vec<Fence> = modes
            .iter()
            .map(|&m| Fence::new(scan_lock_name(m), opts.lease_ttl))
            .collect();
        let rotation_of = scanner.config().max_symbols.map(|_| modes[0]);
        let start = backend.begin_cycle(&fences, rotation_of).await?;
        let mut leases = Vec::with_capacity(fences.len());
        let mut pending = fences.into_iter().zip(start.taken);
        while let Some((fence, taken)) = pending.next() {
            match WriterLease::settle(Arc::clone(&backend), fence, taken).await {
                Ok(l) => leases.push(l),
                Err(e) => {
                    let taken: Vec<Fence> = pending.filter(|(_, t)| *t).map(|(f, _)| f).collect();
                    let _ = release_all(&*backend, leases, taken).await;
                    return Err(e);
                }
            }
        }
        let position = start
            .rotation
            .map_or(0, |r| usize::try_from(r.position).unwrap_or(0));
        let out =
            crate::catch_panic(self.cycle(scanner, &opts, &universe, &leases, position)).await;
        // A failed release is taken back by the next acquire here, or expires elsewhere.
        let _ = release_all(&*backend, leases, Vec::new()).await;
        let (results, next_position, ivs_recorded, save_outage) = out?;
        let (ops1, wait1) = self.database_stats();
        Ok(RunReport {
            database_operations: ops1 - ops0,
            database_seconds: wait1 - wait0,
            results,
            next_position,
            universe_size: universe.len(),
            ivs_recorded,
            elapsed: started.elapsed(),
            save_outage,
            queue: None,
        })
    }

    async fn cycle(
        &self,
        scanner: &Scanner,
        opts: &RunOptions,
        universe: &[String],
        leases: &[WriterLease],
        position: usize,
    ) -> Result<(Vec<ScanResult>, usize, usize, Option<SaveOutage>)> {
        let cfg = scanner.config();
        let modes = cfg.filter_mode.modes();
        let as_of = opts.as_of.unwrap_or_else(Utc::now);
        let (ops_at_start, wait_at_start) = self.database_stats();
        let position = if cfg.max_symbols.is_some() {
            position
        } else {
            0
        };
        let batch = next_batch(universe, cfg.max_symbols, position);
        let since = calendar::ny_date(as_of) - chrono::Days::new(365);
        let iv_history: HashMap<String, Vec<f64>> = self
            .iv_histories(&batch.symbols, since)
            .await?
            .into_iter()
            .map(|(sym, h)| (sym, h.into_iter().map(|(_, v)| v).collect()))
            .collect();
        let req = ScanRequest {
            symbols: Some(batch.symbols.clone()),
            as_of: Some(as_of),
            iv_history,
            progress: opts.progress.clone(),
            cancel: opts.cancel.clone(),
            ..ScanRequest::default()
        };
        let outcome = scanner.run(req).await?;
        if opts.cancel.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "scan cancelled"));
        }
        let mut results = outcome.results;
        let (ops, wait) = self.database_stats();
        for r in &mut results {
            // What the cycle asked of the database before saving (the save is one more).
            r.metadata.extra.insert(
                "database".into(),
                serde_json::json!({
                    "operationsBeforeSave": ops - ops_at_start,
                    "waitSecondsBeforeSave": wait - wait_at_start,
                }),
            );
        }
        let all_failed = results
            .iter()
            .find(|r| r.symbols_scanned.is_empty())
            .map(|r| r.metadata.failed_symbols.len());
        // A backfill of a past as-of is saved for the record (never served as live) and
        // leaves the live rotation where it is.
        let historical = as_of + HISTORICAL_AFTER < Utc::now();
        let state = RotationState {
            position: batch.next_position as u64,
            universe_size: batch.universe_size as u64,
            updated_at: Utc::now(),
        };
        let saves: Vec<FencedSave<'_>> = results
            .iter()
            .zip(leases)
            .map(|(r, lease)| FencedSave {
                result: r,
                degraded: is_degraded(r),
                fence: lease.fence(),
            })
            .collect();
        let end = CycleEnd {
            saves: &saves,
            rotation: (!historical && all_failed.is_none()).then_some((modes, &state)),
            ivs: all_failed
                .is_none()
                .then(|| (calendar::ny_date(as_of), &outcome.atm_ivs[..])),
        };
        let mut outage = None;
        let held = self
            .finish_patiently(end, opts.save_patience, &mut outage)
            .await?;
        if let Some((lost, _)) = saves.iter().zip(&held).find(|(_, &h)| !h) {
            return Err(lost_error(&lost.fence.name));
        }
        if let Some(failures) = all_failed {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!(
                    "every symbol failed ({failures} failures): the scan was recorded as \
                     degraded and the previous good scan is still served"
                ),
            ));
        }
        Ok((results, batch.next_position, outcome.atm_ivs.len(), outage))
    }

    /// Write the cycle's end, retrying database failures (1, 2, 4 … 8 s apart) for up to
    /// `patience` (every step is idempotent); returns per save whether its lease held.
    async fn finish_patiently(
        &self,
        end: CycleEnd<'_>,
        patience: Duration,
        outage: &mut Option<SaveOutage>,
    ) -> Result<Vec<bool>> {
        let start = Instant::now();
        let mut backoff = Duration::from_secs(1);
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.inner.backend.finish_cycle(end).await {
                Ok(held) => {
                    if let Some(o) = outage.as_mut() {
                        o.waited += start.elapsed();
                        o.attempts += attempts;
                    }
                    return Ok(held);
                }
                Err(e)
                    if matches!(e.kind(), ErrorKind::Database | ErrorKind::Timeout)
                        && start.elapsed() + backoff <= patience =>
                {
                    outage.get_or_insert_with(|| SaveOutage {
                        first_error: e.to_string(),
                        waited: Duration::ZERO,
                        attempts: 0,
                    });
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(8));
                }
                Err(e) => return Err(e),
            }
        }
    }
}
