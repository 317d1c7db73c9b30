//! Result objects handed to Python: `ScanResult`, `CachedScan` and `ScanSummary` wrap the
//! core structs; opportunities and metadata become plain dicts in the original camelCase
//! JSON schema, so Python sees exactly what the cache stores and the UI reads.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use scanner_core::cache;
use scanner_core::model;

use crate::error::invalid;

/// A JSON value as the matching Python object (dict, list, str, int, float, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serialisable core value as a Python object.
pub fn to_py_value<'py, T: serde::Serialize>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(v).map_err(|e| invalid(format!("not representable: {e}")))?;
    json_to_py(py, &json)
}

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| invalid(format!("not representable as JSON: {e}")))
}

/// The outcome of one scan of one filter mode.
#[pyclass(frozen, module = "optscan")]
pub struct ScanResult {
    /// The wrapped core value.
    pub inner: model::ScanResult,
}

#[pymethods]
impl ScanResult {
    /// Rebuild a result from its canonical JSON (as written by `to_json()`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(|inner| Self { inner })
            .map_err(|e| invalid(format!("not a ScanResult JSON document: {e}")))
    }

    /// The scan's UUID as a string.
    #[getter]
    fn scan_id(&self) -> String {
        self.inner.scan_id.to_string()
    }

    /// When the scan ran (timezone-aware UTC datetime).
    #[getter]
    fn scan_timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.scan_timestamp
    }

    /// `"strict"` or `"relaxed"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        self.inner.filter_mode.as_str()
    }

    /// The ranked opportunities as dicts in the original camelCase schema.
    #[getter]
    fn opportunities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner.opportunities)
    }

    /// Contracts analysed after liquidity filtering.
    #[getter]
    fn total_evaluated(&self) -> u64 {
        self.inner.total_evaluated
    }

    /// Symbols that returned data.
    #[getter]
    fn symbols_scanned(&self) -> Vec<String> {
        self.inner.symbols_scanned.clone()
    }

    /// Wall time of the scan in seconds.
    #[getter]
    fn scan_duration_seconds(&self) -> f64 {
        self.inner.scan_duration_seconds
    }

    /// Scan metadata as a dict (dataSource, failedSymbols, rejections, stageTimings, …).
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner.metadata)
    }

    /// The canonical JSON document.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// The whole result as a dict (the JSON document, parsed).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner)
    }

    /// The opportunities as a `pandas.DataFrame` (needs pandas).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas")?;
        pandas.call_method1("DataFrame", (self.opportunities(py)?,))
    }

    fn __len__(&self) -> usize {
        self.inner.opportunities.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "ScanResult(scan_id='{}', filter_mode='{}', opportunities={}, symbols_scanned={})",
            self.inner.scan_id,
            self.inner.filter_mode.as_str(),
            self.inner.opportunities.len(),
            self.inner.symbols_scanned.len()
        )
    }
}

/// A scan as served by the cache: the result plus its age and provenance.
#[pyclass(frozen, module = "optscan")]
pub struct CachedScan {
    /// The wrapped core value.
    pub inner: cache::CachedScan,
}

#[pymethods]
impl CachedScan {
    /// The stored scan.
    #[getter]
    fn result(&self) -> ScanResult {
        ScanResult {
            inner: self.inner.result.clone(),
        }
    }

    /// Minutes since the scan ran.
    #[getter]
    fn age_minutes(&self) -> f64 {
        self.inner.age_minutes
    }

    /// Whether the scan is older than the requested maximum age.
    #[getter]
    fn is_stale(&self) -> bool {
        self.inner.is_stale
    }

    /// `"cache"` or `"live"`.
    #[getter]
    fn source(&self) -> &'static str {
        self.inner.source.as_str()
    }

    /// Why a live refresh failed, when a stale scan is served instead.
    #[getter]
    fn error(&self) -> Option<String> {
        self.inner.error.clone()
    }

    /// The JSON document (the result's fields plus ageMinutes, isStale, source, error).
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "CachedScan(scan_id='{}', age_minutes={:.2}, is_stale={}, source='{}')",
            self.inner.result.scan_id,
            self.inner.age_minutes,
            if self.inner.is_stale { "True" } else { "False" },
            self.source()
        )
    }
}

/// One row of `ScanStore.history()`: a stored scan without its opportunities.
#[pyclass(frozen, module = "optscan")]
pub struct ScanSummary {
    /// The wrapped core value.
    pub inner: cache::ScanSummary,
}

#[pymethods]
impl ScanSummary {
    /// The scan's UUID as a string.
    #[getter]
    fn scan_id(&self) -> String {
        self.inner.scan_id.to_string()
    }

    /// `"strict"` or `"relaxed"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        self.inner.filter_mode.as_str()
    }

    /// When the scan ran.
    #[getter]
    fn scan_timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.scan_timestamp
    }

    /// Minutes since the scan ran.
    #[getter]
    fn age_minutes(&self) -> f64 {
        self.inner.age_minutes
    }

    /// Opportunities stored.
    #[getter]
    fn opportunity_count(&self) -> u64 {
        self.inner.opportunity_count
    }

    /// Contracts analysed after liquidity filtering.
    #[getter]
    fn total_evaluated(&self) -> u64 {
        self.inner.total_evaluated
    }

    /// Symbols that returned data.
    #[getter]
    fn symbols_scanned(&self) -> u64 {
        self.inner.symbols_scanned
    }

    /// Wall time of the scan in seconds.
    #[getter]
    fn scan_duration_seconds(&self) -> f64 {
        self.inner.scan_duration_seconds
    }

    /// True when every symbol of the scan failed.
    #[getter]
    fn degraded(&self) -> bool {
        self.inner.degraded
    }

    /// The row as a camelCase dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "ScanSummary(scan_id='{}', filter_mode='{}', opportunity_count={})",
            self.inner.scan_id,
            self.inner.filter_mode.as_str(),
            self.inner.opportunity_count
        )
    }
}
