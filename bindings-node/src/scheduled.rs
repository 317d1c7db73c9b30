//! `store.runScheduled({scanner, ...})`: the core's one scheduled cycle (leases → rotation →
//! IV history → scan → save → rotation and IV writes), so a Node worker rotates through the
//! universe exactly as `optscan worker` does.

use napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;
use scanner_core::cache as core;

use crate::error::{invalid, JsError};
use crate::market::parse_instant;
use crate::scan::{ScanResult, Scanner};

/// Options of `runScheduled`.
#[napi(object, object_to_js = false)]
pub struct RunScheduledInit<'a> {
    /// The scanner to run (its config's `maxSymbols` sets the batch size).
    pub scanner: ClassInstance<'a, Scanner>,
    /// The as-of instant (ISO-8601; default: the source's asOf, else now).
    pub as_of: Option<String>,
    /// Writer lease TTL in seconds (30).
    pub lease_ttl_secs: Option<f64>,
    /// Take part in a cycle shared by many workers through this PostgreSQL (pgmq) queue,
    /// as `optscan worker --queue` does.
    pub queue: Option<QueueInit>,
}

/// A cycle shared by many workers through a pgmq queue.
#[napi(object)]
pub struct QueueInit {
    /// The queue (1–40 lower-case letters, digits or `_`).
    pub name: String,
    /// Symbols per shard (250).
    pub shard_size: Option<u32>,
    /// Seconds a read shard stays invisible to other workers (120).
    pub visibility_timeout_secs: Option<f64>,
    /// Seconds from planning after which the cycle is merged without its missing shards (600).
    pub cycle_deadline_secs: Option<f64>,
}

/// What this worker did in a queued cycle.
#[napi(object)]
pub struct QueueRun {
    /// The cycle joined (or planned).
    pub cycle_id: String,
    /// Whether this worker planned the cycle.
    pub planned: bool,
    /// Shards this worker scanned and wrote, in order.
    pub shards_scanned: Vec<u32>,
    /// Whether this worker merged the cycle (the report's results are then the merged scans).
    pub merged_here: bool,
    /// Messages of already merged cycles this worker archived.
    pub stale_archived: u32,
}

/// What one scheduled cycle did.
#[napi(object)]
pub struct RunReport {
    /// One saved result per mode, strict first.
    pub results: Vec<ScanResult>,
    /// The rotation position the next cycle starts from.
    pub next_position: u32,
    /// Symbols in the source's universe.
    pub universe_size: u32,
    /// ATM IVs recorded for IV rank.
    pub ivs_recorded: u32,
    /// Wall time of the cycle, seconds.
    pub elapsed_seconds: f64,
    /// This worker's part when the cycle ran through a queue.
    pub queue: Option<QueueRun>,
}

/// The core scanner and options of one cycle.
pub fn run_args(
    o: &RunScheduledInit<'_>,
) -> Result<(scanner_core::scan::Scanner, core::RunOptions), JsError> {
    let mut opts = core::RunOptions {
        as_of: match o.as_of.as_deref() {
            Some(s) => Some(parse_instant(s)?),
            None => o.scanner.as_of,
        },
        ..Default::default()
    };
    if let Some(t) = o.lease_ttl_secs {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid(format!("leaseTtlSecs must be > 0, got {t}")));
        }
        opts.lease_ttl = std::time::Duration::from_secs_f64(t.min(1e9));
    }
    if let Some(q) = &o.queue {
        opts.queue = Some(
            core::QueueOptions::from_seconds(
                &q.name,
                q.shard_size.map(|n| n as usize),
                q.visibility_timeout_secs,
                q.cycle_deadline_secs,
            )
            .map_err(crate::error::to_js)?,
        );
    }
    Ok((o.scanner.inner.clone(), opts))
}

/// The core report as its JS record.
pub fn report(r: core::RunReport) -> scanner_core::Result<RunReport> {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(RunReport {
        results: r
            .results
            .iter()
            .map(ScanResult::from_core)
            .collect::<scanner_core::Result<_>>()?,
        next_position: clamp(r.next_position),
        universe_size: clamp(r.universe_size),
        ivs_recorded: clamp(r.ivs_recorded),
        elapsed_seconds: r.elapsed.as_secs_f64(),
        queue: r.queue.map(|q| QueueRun {
            cycle_id: q.cycle_id.to_string(),
            planned: q.planned,
            shards_scanned: q.shards_scanned,
            merged_here: q.merged_here,
            stale_archived: q.stale_archived,
        }),
    })
}
