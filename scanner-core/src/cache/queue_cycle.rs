//! One worker's part in a queued cycle ([`super::RunOptions::queue`]): join the queue's
//! cycle (planning it as coordinator when there is none), scan shards read from the queue
//! until none is left, and merge the cycle once every shard is written or its deadline has
//! passed — whichever worker gets there first, exactly once.
//!
//! Failure model: a worker that dies mid-shard stops renewing its message's visibility, so
//! the shard is read again by another worker after the visibility timeout and its row is
//! overwritten; a coordinator that dies before its plan committed leaves nothing (the plan is
//! one transaction) and the next worker plans; a merger that dies is replaced once its merge
//! lease expires, and its saves are idempotent (derived scan ids).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use uuid::Uuid;

use super::cycle_rows::{CycleEnd, FencedSave};
use super::lock::{lost_error, release_all, scan_lock_name, Fence};
use super::postgres::PostgresBackend;
use super::queue::{
    fingerprint, QueueOptions, QueueReport, QueueStatus, ShardMessage, ShardPartial,
};
use super::queue_merge::{decode, merge, to_hex};
use super::queue_pg::{CycleRow, Delivery};
use super::types::is_degraded;
use super::{RunOptions, RunReport, ScanStore, WriterLease};
use crate::calendar;
use crate::model::ScanResult;
use crate::scan::{next_batch, ScanRequest, Scanner};
use crate::{Error, ErrorKind, Result};

/// What a worker needs at hand while it takes part in a cycle.
struct Worker<'a> {
    store: &'a ScanStore,
    pg: Arc<PostgresBackend>,
    scanner: &'a Scanner,
    opts: &'a RunOptions,
    q: &'a QueueOptions,
    me: String,
    fingerprint: String,
}

impl ScanStore {
    /// The PostgreSQL backend, or a clear error: queued cycles need PostgreSQL (pgmq).
    fn queue_backend(&self) -> Result<Arc<PostgresBackend>> {
        self.inner.pg.clone().ok_or_else(|| {
            Error::invalid_input(format!(
                "a queue needs PostgreSQL (pgmq); {} is {:?}, which runs single-worker \
                 scheduled cycles only: drop the queue option",
                self.inner.redacted, self.inner.kind
            ))
        })
    }

    /// Take part in the queued cycle of `opts.queue` (see the module docs).
    pub(crate) async fn run_queued(
        &self,
        scanner: &Scanner,
        opts: &RunOptions,
        q: &QueueOptions,
    ) -> Result<RunReport> {
        q.validate()?;
        let pg = self.queue_backend()?;
        let started = Instant::now();
        let (ops0, wait0) = self.database_stats();
        let w = Worker {
            store: self,
            pg,
            scanner,
            opts,
            q,
            me: super::holder::new_holder(),
            fingerprint: fingerprint(scanner.config())?,
        };
        w.db(w.pg.queue_ensure(&q.name)).await?;
        let (cycle, planned) = w.join_or_plan().await?;
        let mut report = QueueReport {
            cycle_id: cycle.cycle_id,
            planned,
            shards_scanned: Vec::new(),
            merged_here: false,
            stale_archived: 0,
        };
        let mut results = Vec::new();
        let universe_size = cycle_symbols(&w, cycle.cycle_id).await?;
        loop {
            if opts.cancel.is_cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "queued cycle cancelled"));
            }
            let vt = q.visibility_timeout.as_secs().max(1) as i64;
            if let Some(d) = w.db(w.pg.read_shard(&q.name, vt)).await? {
                w.handle(d, &mut report).await?;
                continue;
            }
            let Some(p) = w.db(w.pg.progress(cycle.cycle_id)).await? else {
                return Err(Error::not_found(format!(
                    "cycle {} was deleted",
                    cycle.cycle_id
                )));
            };
            if p.merged {
                break;
            }
            if p.done >= p.shards || p.past_deadline {
                if let Some(r) = w.try_merge(cycle.cycle_id).await? {
                    results = r;
                    report.merged_here = true;
                    break;
                }
            }
            tokio::time::sleep(q.poll_interval).await;
        }
        let (ops1, wait1) = self.database_stats();
        Ok(RunReport {
            results,
            next_position: 0,
            universe_size,
            ivs_recorded: 0,
            elapsed: started.elapsed(),
            save_outage: None,
            database_operations: ops1 - ops0,
            database_seconds: wait1 - wait0,
            queue: Some(report),
        })
    }

    /// The newest `limit` cycles of `queue` with their shards pending, in flight and done.
    pub async fn queue_status(&self, queue: &str, limit: u32) -> Result<QueueStatus> {
        super::queue::check_queue_name(queue)?;
        let pg = self.queue_backend()?;
        let installed = pg.pgmq_installed().await?;
        let cycles = if installed && pg.queue_exists(queue).await? {
            pg.cycle_statuses(queue, limit).await?
        } else {
            Vec::new()
        };
        Ok(QueueStatus {
            queue: queue.to_owned(),
            pgmq_installed: installed,
            cycles,
        })
    }
}

async fn cycle_symbols(w: &Worker<'_>, cycle: Uuid) -> Result<usize> {
    let (_, shards) = w.db(w.pg.cycle_shards(cycle)).await?;
    Ok(shards.iter().map(|s| s.symbols.len()).sum())
}

impl Worker<'_> {
    /// A queue statement, with the store's time limit and counted in its statistics.
    async fn db<T>(&self, fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        let limit = self.store.inner.opts.query_timeout;
        let t = Instant::now();
        let out = tokio::time::timeout(limit, fut)
            .await
            .unwrap_or_else(|_| Err(super::timed::timeout("queue statement", limit)));
        self.store.inner.stats.record(t.elapsed());
        out
    }

    /// The cycle to work on: the one at the as-of asked for, else the newest unmerged one;
    /// when there is none, the worker that takes the queue's planning lease plans it.
    async fn join_or_plan(&self) -> Result<(CycleRow, bool)> {
        let as_of = self.opts.as_of;
        let lease = format!("plan:{}", self.q.name);
        loop {
            if let Some(c) = self.db(self.pg.find_cycle(&self.q.name, as_of)).await? {
                return Ok((c, false));
            }
            let b = &self.store.inner.backend;
            if b.try_lease(&lease, &self.me, self.opts.lease_ttl).await? {
                let out = match self.db(self.pg.find_cycle(&self.q.name, as_of)).await {
                    Ok(Some(c)) => Ok((c, false)),
                    Ok(None) => self.plan().await.map(|c| (c, true)),
                    Err(e) => Err(e),
                };
                let _ = b.release_lease(&lease, &self.me).await;
                return out;
            }
            tokio::time::sleep(self.q.poll_interval).await;
        }
    }

    /// Split the universe into shards and send one message per shard (one transaction).
    async fn plan(&self) -> Result<CycleRow> {
        let cfg = self.scanner.config();
        let universe = crate::catch_panic(self.scanner.source().universe()).await?;
        let batch = next_batch(&universe, cfg.max_symbols, 0);
        if batch.symbols.is_empty() {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!(
                    "source {} has no symbols: nothing to plan",
                    self.scanner.source().name()
                ),
            ));
        }
        let now = Utc::now();
        let deadline = chrono::Duration::from_std(self.q.cycle_deadline)
            .map_err(|e| Error::invalid_input(e.to_string()))?;
        let shards: Vec<&[String]> = batch.symbols.chunks(self.q.shard_size).collect();
        let cycle = CycleRow {
            cycle_id: Uuid::new_v4(),
            as_of: self.opts.as_of.unwrap_or(now),
            modes: cfg.filter_mode.modes().to_vec(),
            fingerprint: self.fingerprint.clone(),
            shard_count: shards.len() as u32,
            created_at: now,
            deadline: now + deadline,
            merged: false,
        };
        let messages: Vec<ShardMessage> = shards
            .iter()
            .enumerate()
            .map(|(i, s)| ShardMessage {
                cycle_id: cycle.cycle_id,
                shard: i as u32,
                modes: cycle.modes.clone(),
                as_of: cycle.as_of,
                fingerprint: self.fingerprint.clone(),
                symbols: s.to_vec(),
            })
            .collect();
        self.db(self
            .pg
            .plan_cycle(&self.q.name, &cycle, &self.me, &messages))
            .await?;
        Ok(cycle)
    }

    /// Scan one delivered shard and write it, or set aside a message that is not ours to scan.
    async fn handle(&self, d: Delivery, report: &mut QueueReport) -> Result<()> {
        let m = match d.message {
            Ok(m) => m,
            Err(_) => {
                self.db(self.pg.archive(&self.q.name, d.msg_id)).await?;
                report.stale_archived += 1;
                return Ok(());
            }
        };
        let live = self.db(self.pg.progress(m.cycle_id)).await?;
        if live.is_none_or(|p| p.merged) {
            self.db(self.pg.archive(&self.q.name, d.msg_id)).await?;
            report.stale_archived += 1;
            return Ok(());
        }
        if m.fingerprint != self.fingerprint {
            // Planned under another configuration: left for a worker configured like the
            // coordinator (it becomes visible again after the timeout).
            return Ok(());
        }
        self.db(self.pg.start_shard(&m, &self.me, d.read_ct))
            .await?;
        let started = Instant::now();
        let keep_alive = self.keep_invisible(d.msg_id);
        let scanned = self.scan_shard(&m).await;
        keep_alive.abort();
        let partial = scanned?;
        let text = serde_json::to_string(&partial)
            .map_err(|e| Error::internal(format!("serialising a shard: {e}")))?;
        let secs = started.elapsed().as_secs_f64();
        self.db(self
            .pg
            .finish_shard(&self.q.name, d.msg_id, &m, &self.me, secs, &text))
            .await?;
        report.shards_scanned.push(m.shard);
        Ok(())
    }

    /// Renew the message's invisibility every third of the timeout while the shard is
    /// scanned, so a slow shard is not handed to a second worker; a dead worker stops renewing.
    fn keep_invisible(&self, msg_id: i64) -> tokio::task::JoinHandle<()> {
        let (pg, queue, vt) = (
            Arc::clone(&self.pg),
            self.q.name.clone(),
            self.q.visibility_timeout,
        );
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(vt / 3).await;
                let _ = pg
                    .extend_visibility(&queue, msg_id, vt.as_secs().max(1) as i64)
                    .await;
            }
        })
    }

    async fn scan_shard(&self, m: &ShardMessage) -> Result<ShardPartial> {
        let mut cfg = self.scanner.config().clone();
        // The global fallback is the merge's to judge: a shard returns passing candidates only.
        cfg.institutional.min_results = 0;
        let scanner = Scanner::new(Arc::clone(self.scanner.source()), cfg)?;
        let since = calendar::ny_date(m.as_of) - chrono::Days::new(365);
        let iv_history: HashMap<String, Vec<f64>> = self
            .store
            .iv_histories(&m.symbols, since)
            .await?
            .into_iter()
            .map(|(sym, h)| (sym, h.into_iter().map(|(_, v)| v).collect()))
            .collect();
        let req = ScanRequest {
            symbols: Some(m.symbols.clone()),
            as_of: Some(m.as_of),
            iv_history,
            progress: self.opts.progress.clone(),
            cancel: self.opts.cancel.clone(),
            ..ScanRequest::default()
        };
        let outcome = scanner.run(req).await?;
        let candidates = outcome
            .results
            .iter()
            .map(|r| {
                if r.candidates.is_empty() {
                    Ok(String::new())
                } else {
                    r.candidates.encode().map(|b| to_hex(&b))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ShardPartial {
            results: outcome.results,
            candidates,
            atm_ivs: outcome.atm_ivs,
        })
    }

    /// Merge `cycle` and save its scans under the modes' writer leases, unless another
    /// worker holds the cycle's merge lease (then `None`: it merges).
    async fn try_merge(&self, cycle: Uuid) -> Result<Option<Vec<ScanResult>>> {
        let b = Arc::clone(&self.store.inner.backend);
        // Renewed while the merge runs (a big cycle's save takes a while); freed by a crash.
        let lease =
            match WriterLease::acquire(b, format!("merge:{cycle}"), self.opts.lease_ttl).await {
                Ok(l) => l,
                Err(e) if e.kind() == ErrorKind::Busy => return Ok(None),
                Err(e) => return Err(e),
            };
        let out = self.merge_and_save(cycle).await;
        let _ = lease.release().await;
        out
    }

    async fn merge_and_save(&self, cycle_id: Uuid) -> Result<Option<Vec<ScanResult>>> {
        let merge_started = Utc::now();
        let (cycle, rows) = self.db(self.pg.cycle_shards(cycle_id)).await?;
        let complete = rows.iter().all(|r| r.partial.is_some());
        // Only a worker configured like the coordinator ranks its cycle.
        if cycle.merged
            || cycle.fingerprint != self.fingerprint
            || !(complete || cycle.deadline < Utc::now())
        {
            return Ok(None);
        }
        let shards = rows.into_iter().map(decode).collect::<Result<Vec<_>>>()?;
        let cfg = self.scanner.config();
        let results = merge(&cycle, &shards, cfg, &self.q.name, &self.me, merge_started)?;
        let ivs: Vec<(String, f64)> = shards
            .iter()
            .filter_map(|s| s.partial.as_ref())
            .flat_map(|p| p.atm_ivs.iter().cloned())
            .collect();
        let backend = Arc::clone(&self.store.inner.backend);
        let fences: Vec<Fence> = cycle
            .modes
            .iter()
            .map(|&m| Fence::new(scan_lock_name(m), self.opts.lease_ttl))
            .collect();
        let start = backend.begin_cycle(&fences, None).await?;
        let mut leases: Vec<WriterLease> = Vec::new();
        let mut pending = fences.into_iter().zip(start.taken);
        while let Some((fence, taken)) = pending.next() {
            match WriterLease::settle(Arc::clone(&backend), fence, taken).await {
                Ok(l) => leases.push(l),
                Err(e) => {
                    let taken: Vec<Fence> = pending.filter(|(_, t)| *t).map(|(f, _)| f).collect();
                    let _ = release_all(&*backend, leases, taken).await;
                    // A single-worker writer holds a mode: merge on a later poll.
                    return if e.kind() == ErrorKind::Busy {
                        Ok(None)
                    } else {
                        Err(e)
                    };
                }
            }
        }
        let held_fences: Vec<Fence> = leases.iter().map(|l| l.fence().clone()).collect();
        let saves: Vec<FencedSave<'_>> = results
            .iter()
            .zip(&held_fences)
            .map(|(r, fence)| FencedSave {
                result: r,
                degraded: is_degraded(r),
                fence,
            })
            .collect();
        let all_failed = results.iter().any(|r| r.symbols_scanned.is_empty());
        let end = CycleEnd {
            saves: &saves,
            rotation: None,
            ivs: (!all_failed).then(|| (calendar::ny_date(cycle.as_of), &ivs[..])),
        };
        let held = backend.finish_cycle(end).await;
        let _ = release_all(&*backend, leases, Vec::new()).await;
        let held = held?;
        if let Some((s, _)) = saves.iter().zip(&held).find(|(_, &h)| !h) {
            return Err(lost_error(&s.fence.name));
        }
        let ids: Vec<Uuid> = results.iter().map(|r| r.scan_id).collect();
        self.db(self.pg.mark_merged(cycle_id, &self.me, &ids))
            .await?;
        Ok(Some(results))
    }
}
