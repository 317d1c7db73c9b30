//! `ScanConfig` and `Scanner` for Python. `scan()` runs the core scan with the GIL released
//! and calls `on_progress` from the worker threads (taking the GIL only for the call);
//! `scan_async()` is its asyncio twin on the binding's tokio runtime.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use scanner_core::scan::{self as core, CancelToken, ProgressFn, ScanEvent};

use crate::error::{invalid, to_py};
use crate::host_table::to_json;
use crate::market::source_from_py;
use crate::model::{to_py_value, ScanResult};
use crate::runtime::block_on;

/// What a scan looks for. Every argument is keyword-only and optional; omitted ones keep the
/// core's defaults (the original system's thresholds).
#[pyclass(frozen, module = "optscan")]
#[derive(Clone)]
pub struct ScanConfig {
    /// The wrapped core value.
    pub inner: core::ScanConfig,
}

impl ScanConfig {
    fn from_json_value(value: serde_json::Value) -> PyResult<Self> {
        core::ScanConfig::from_value(value)
            .map(|inner| Self { inner })
            .map_err(to_py)
    }
}

#[pymethods]
impl ScanConfig {
    /// Every core setting as a keyword argument, snake_case (`max_results=10`,
    /// `gates={"min_score": 50}`); omitted ones keep the core's defaults. Unknown names
    /// and invalid values raise `InvalidInputError` (with the closest known name).
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut doc = match kwargs {
            Some(k) => to_json(k.as_any())?,
            None => serde_json::Value::Object(Default::default()),
        };
        // `name=None` keeps the core's default, as an omitted keyword does.
        if let serde_json::Value::Object(m) = &mut doc {
            m.retain(|_, v| !v.is_null());
        }
        Self::from_json_value(doc)
    }

    /// Build from a dict (snake_case or camelCase keys, nested dicts for the gate groups).
    #[staticmethod]
    fn from_dict(doc: &Bound<'_, PyDict>) -> PyResult<Self> {
        Self::from_json_value(to_json(doc.as_any())?)
    }

    /// Build from a `.toml` or `.json` file (the format the CLI's `--config` reads).
    #[staticmethod]
    fn from_file(path: std::path::PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        let doc: serde_json::Value = if path.extension().is_some_and(|e| e == "toml") {
            toml::from_str(&text)
                .map_err(|e| invalid(format!("{}: not TOML: {e}", path.display())))?
        } else {
            serde_json::from_str(&text)
                .map_err(|e| invalid(format!("{}: not JSON: {e}", path.display())))?
        };
        core::ScanConfig::from_value(doc)
            .map(|inner| Self { inner })
            .map_err(|e| invalid(format!("{}: {}", path.display(), e.message())))
    }

    /// Every setting's camelCase path (`maxResults`, `gates.minScore`, …), from the core:
    /// what this class must accept (the parity tests walk it).
    #[staticmethod]
    fn field_paths() -> Vec<String> {
        core::ScanConfig::field_paths()
    }

    /// `"strict"`, `"relaxed"` or `"both"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        self.inner.filter_mode.as_str()
    }

    /// Symbols per scan (None: the source's whole universe).
    #[getter]
    fn max_symbols(&self) -> Option<usize> {
        self.inner.max_symbols
    }

    /// Opportunities kept per mode.
    #[getter]
    fn max_results(&self) -> usize {
        self.inner.max_results
    }

    /// Opportunities kept per symbol.
    #[getter]
    fn max_per_symbol(&self) -> usize {
        self.inner.max_per_symbol
    }

    /// Trading sessions of history per symbol.
    #[getter]
    fn lookback_sessions(&self) -> usize {
        self.inner.lookback_sessions
    }

    /// Continuous annual risk-free rate.
    #[getter]
    fn risk_free_rate(&self) -> f64 {
        self.inner.risk_free_rate
    }

    /// Whether opportunities are backtested.
    #[getter]
    fn backtest(&self) -> bool {
        self.inner.backtest
    }

    /// Every setting (including the advanced gates) as a camelCase dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner)
    }

    /// Every setting as a camelCase JSON document (what `from_dict` and the CLI read).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| invalid(e.to_string()))
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self) -> String {
        format!(
            "ScanConfig(filter_mode='{}', max_symbols={:?}, max_results={})",
            self.filter_mode(),
            self.inner.max_symbols,
            self.inner.max_results
        )
    }
}

/// Scans a market-data source.
#[pyclass(frozen, module = "optscan")]
pub struct Scanner {
    /// The wrapped core value.
    pub inner: Arc<core::Scanner>,
    /// The default as-of of its source.
    pub as_of: Option<DateTime<Utc>>,
}

/// The progress callback bridge: calls `f(event_dict)` under the GIL; the first exception it
/// raises cancels the scan and is re-raised by `scan()`.
struct Progress {
    failure: Arc<Mutex<Option<PyErr>>>,
    cancel: CancelToken,
}

impl Progress {
    fn new() -> Self {
        Self {
            failure: Arc::new(Mutex::new(None)),
            cancel: CancelToken::default(),
        }
    }

    fn callback(&self, f: Py<PyAny>) -> ProgressFn {
        let failure = self.failure.clone();
        let cancel = self.cancel.clone();
        Arc::new(move |ev: &ScanEvent| {
            Python::attach(|py| {
                let called = to_py_value(py, ev).and_then(|d| f.call1(py, (d,)));
                if let Err(e) = called {
                    if let Ok(mut slot) = failure.lock() {
                        slot.get_or_insert(e);
                    }
                    cancel.cancel();
                }
            })
        })
    }

    fn take_failure(&self) -> Option<PyErr> {
        self.failure.lock().ok().and_then(|mut s| s.take())
    }
}

/// One result per mode becomes a `ScanResult`, or a list of them for `filter_mode="both"`.
fn results_to_py(
    py: Python<'_>,
    mut results: Vec<scanner_core::model::ScanResult>,
) -> PyResult<Py<PyAny>> {
    if results.len() == 1 {
        if let Some(r) = results.pop() {
            return Ok(Py::new(py, ScanResult { inner: r })?.into_any());
        }
    }
    let list = PyList::empty(py);
    for r in results {
        list.append(Py::new(py, ScanResult { inner: r })?)?;
    }
    Ok(list.into_any().unbind())
}

impl Scanner {
    fn request(
        &self,
        symbols: Option<Vec<String>>,
        as_of: Option<DateTime<Utc>>,
        progress: &Progress,
        on_progress: Option<Py<PyAny>>,
    ) -> core::ScanRequest {
        core::ScanRequest {
            symbols,
            as_of: as_of.or(self.as_of),
            progress: on_progress.map(|f| progress.callback(f)),
            cancel: progress.cancel.clone(),
            ..Default::default()
        }
    }
}

#[pymethods]
impl Scanner {
    #[new]
    #[pyo3(signature = (source, config = None))]
    fn new(source: &Bound<'_, PyAny>, config: Option<ScanConfig>) -> PyResult<Self> {
        let config = config.map(|c| c.inner).unwrap_or_default();
        let (source, as_of) = source_from_py(source)?;
        let inner = core::Scanner::new(source, config).map_err(to_py)?;
        Ok(Self {
            inner: Arc::new(inner),
            as_of,
        })
    }

    /// Run one scan with the GIL released. `on_progress(event: dict)` is called from worker
    /// threads for every stage and symbol. Returns a `ScanResult` (a list of two for
    /// `filter_mode="both"`).
    #[pyo3(signature = (symbols = None, on_progress = None, *, as_of = None))]
    fn scan(
        &self,
        py: Python<'_>,
        symbols: Option<Vec<String>>,
        on_progress: Option<Py<PyAny>>,
        as_of: Option<DateTime<Utc>>,
    ) -> PyResult<Py<PyAny>> {
        let progress = Progress::new();
        let req = self.request(symbols, as_of, &progress, on_progress);
        let scanner = self.inner.clone();
        let out = block_on(py, async move { scanner.run(req).await });
        if let Some(e) = progress.take_failure() {
            return Err(e);
        }
        results_to_py(py, out?.results)
    }

    /// `await scanner.scan_async(...)`: the same scan without blocking the event loop.
    #[pyo3(signature = (symbols = None, on_progress = None, *, as_of = None))]
    fn scan_async<'py>(
        &self,
        py: Python<'py>,
        symbols: Option<Vec<String>>,
        on_progress: Option<Py<PyAny>>,
        as_of: Option<DateTime<Utc>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let progress = Progress::new();
        let req = self.request(symbols, as_of, &progress, on_progress);
        let scanner = self.inner.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let out = scanner.run(req).await;
            if let Some(e) = progress.take_failure() {
                return Err(e);
            }
            let results = out.map_err(to_py)?.results;
            Python::attach(|py| results_to_py(py, results))
        })
    }

    /// The configuration in use.
    #[getter]
    fn config(&self) -> ScanConfig {
        ScanConfig {
            inner: self.inner.config().clone(),
        }
    }

    fn __repr__(&self) -> String {
        format!("<optscan.Scanner source={}>", self.inner.source().name())
    }
}
