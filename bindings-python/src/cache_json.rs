//! `CachedJson`: a served scan as the bytes of its JSON document, for web handlers (Flask,
//! FastAPI, …) that send it on without building Python objects per request.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use scanner_core::cache;

/// A scan as served by `ScanStore.latest_json()` / `serve_json()`: its canonical JSON
/// document as UTF-8 `bytes` plus what describes it.
#[pyclass(frozen, module = "optscan")]
pub struct CachedJson {
    /// The wrapped core value (the text is shared with other readers, never copied here).
    pub inner: cache::CachedJson,
}

#[pymethods]
impl CachedJson {
    /// The scan's JSON document (`ScanResult.to_json()` of the stored scan) as UTF-8 bytes.
    #[getter]
    fn json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.json.as_bytes())
    }

    /// The scan's UUID as a string.
    #[getter]
    fn scan_id(&self) -> String {
        self.inner.scan_id.to_string()
    }

    /// When the scan ran.
    #[getter]
    fn scan_timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.scan_timestamp
    }

    /// `"strict"` or `"relaxed"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        self.inner.filter_mode.as_str()
    }

    /// Opportunities in the document.
    #[getter]
    fn opportunity_count(&self) -> usize {
        self.inner.opportunity_count
    }

    /// Contracts analysed after liquidity filtering.
    #[getter]
    fn total_evaluated(&self) -> u64 {
        self.inner.total_evaluated
    }

    /// Minutes since the scan ran.
    #[getter]
    fn age_minutes(&self) -> f64 {
        self.inner.age_minutes
    }

    /// True when older than the caller's max age (served stale).
    #[getter]
    fn is_stale(&self) -> bool {
        self.inner.is_stale
    }

    /// `"cache"` or `"live"`.
    #[getter]
    fn source(&self) -> &'static str {
        self.inner.source.as_str()
    }

    /// Why a stale scan was served instead of a fresh one, if so.
    #[getter]
    fn error(&self) -> Option<String> {
        self.inner.error.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "<optscan.CachedJson {} {} {} bytes, {:.1} min old, {}>",
            self.inner.filter_mode,
            self.inner.scan_id,
            self.inner.json.len(),
            self.inner.age_minutes,
            self.source()
        )
    }
}
