//! `ScanStore.run_scheduled` for Python: the core's one scheduled cycle (leases → rotation →
//! IV history → scan → save → rotation and IV writes) and its report, so a Python worker
//! rotates through the universe exactly as `optscan worker` does.

use pyo3::prelude::*;
use scanner_core::cache as core;

use crate::model::ScanResult;

/// What one scheduled cycle did.
#[pyclass(frozen, module = "optscan")]
pub struct RunReport {
    inner: core::RunReport,
}

impl From<core::RunReport> for RunReport {
    fn from(inner: core::RunReport) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl RunReport {
    /// One saved result per mode, strict first.
    #[getter]
    fn results(&self) -> Vec<ScanResult> {
        self.inner
            .results
            .iter()
            .map(|r| ScanResult { inner: r.clone() })
            .collect()
    }

    /// The rotation position the next cycle starts from.
    #[getter]
    fn next_position(&self) -> usize {
        self.inner.next_position
    }

    /// Symbols in the source's universe.
    #[getter]
    fn universe_size(&self) -> usize {
        self.inner.universe_size
    }

    /// ATM IVs recorded for IV rank.
    #[getter]
    fn ivs_recorded(&self) -> usize {
        self.inner.ivs_recorded
    }

    /// Wall time of the whole cycle, database included.
    #[getter]
    fn elapsed_seconds(&self) -> f64 {
        self.inner.elapsed.as_secs_f64()
    }

    /// What this worker did in a queued cycle (`None` without `queue=`).
    #[getter]
    fn queue(&self) -> Option<QueueRun> {
        self.inner.queue.clone().map(|inner| QueueRun { inner })
    }

    fn __repr__(&self) -> String {
        format!(
            "RunReport(results={}, next_position={}, universe_size={}, ivs_recorded={})",
            self.inner.results.len(),
            self.inner.next_position,
            self.inner.universe_size,
            self.inner.ivs_recorded
        )
    }
}

/// This worker's part in a cycle shared through a queue.
#[pyclass(frozen, module = "optscan")]
pub struct QueueRun {
    inner: core::QueueReport,
}

#[pymethods]
impl QueueRun {
    /// The cycle joined (or planned).
    #[getter]
    fn cycle_id(&self) -> String {
        self.inner.cycle_id.to_string()
    }

    /// Whether this worker planned the cycle.
    #[getter]
    fn planned(&self) -> bool {
        self.inner.planned
    }

    /// Shards this worker scanned and wrote, in order.
    #[getter]
    fn shards_scanned(&self) -> Vec<u32> {
        self.inner.shards_scanned.clone()
    }

    /// Whether this worker merged the cycle (the report's results are then the merged scans).
    #[getter]
    fn merged_here(&self) -> bool {
        self.inner.merged_here
    }

    /// Messages of already merged cycles this worker archived.
    #[getter]
    fn stale_archived(&self) -> u32 {
        self.inner.stale_archived
    }

    fn __repr__(&self) -> String {
        format!(
            "QueueRun(cycle_id={}, planned={}, shards_scanned={:?}, merged_here={})",
            self.inner.cycle_id,
            self.inner.planned,
            self.inner.shards_scanned,
            self.inner.merged_here
        )
    }
}

/// The `queue=` arguments of `run_scheduled`.
pub struct QueueArgs {
    pub name: Option<String>,
    pub shard_size: Option<usize>,
    pub visibility_timeout: Option<f64>,
    pub cycle_deadline: Option<f64>,
}

/// The core options of one cycle.
pub fn options(
    as_of: Option<chrono::DateTime<chrono::Utc>>,
    lease_ttl_secs: Option<f64>,
    queue: QueueArgs,
) -> PyResult<core::RunOptions> {
    let mut o = core::RunOptions {
        as_of,
        ..Default::default()
    };
    if let Some(t) = lease_ttl_secs {
        if !(t.is_finite() && t > 0.0) {
            return Err(crate::error::invalid(format!(
                "lease_ttl must be a number of seconds > 0, got {t}"
            )));
        }
        o.lease_ttl = std::time::Duration::from_secs_f64(t.min(1e9));
    }
    match queue.name {
        Some(name) => {
            o.queue = Some(
                core::QueueOptions::from_seconds(
                    &name,
                    queue.shard_size,
                    queue.visibility_timeout,
                    queue.cycle_deadline,
                )
                .map_err(crate::error::to_py)?,
            )
        }
        None if queue.shard_size.is_some()
            || queue.visibility_timeout.is_some()
            || queue.cycle_deadline.is_some() =>
        {
            return Err(crate::error::invalid(
                "shard_size, visibility_timeout and cycle_deadline need queue=",
            ))
        }
        None => {}
    }
    Ok(o)
}
