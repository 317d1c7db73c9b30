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

/// The core options of one cycle.
pub fn options(
    as_of: Option<chrono::DateTime<chrono::Utc>>,
    lease_ttl_secs: Option<f64>,
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
    Ok(o)
}
