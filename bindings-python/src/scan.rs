//! `ScanConfig` and `Scanner` for Python. `scan()` runs the core scan with the GIL released
//! and calls `on_progress` from the worker threads (taking the GIL only for the call);
//! `scan_async()` is its asyncio twin on the binding's tokio runtime.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::PyList;
use scanner_core::scan::{self as core, CancelToken, ModeSelection, ProgressFn, ScanEvent};

use crate::error::to_py;
use crate::market::MarketData;
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

#[pymethods]
impl ScanConfig {
    #[new]
    #[pyo3(signature = (*, filter_mode = None, max_symbols = None, max_results = None,
        max_per_symbol = None, lookback_sessions = None, risk_free_rate = None, backtest = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        filter_mode: Option<&str>,
        max_symbols: Option<usize>,
        max_results: Option<usize>,
        max_per_symbol: Option<usize>,
        lookback_sessions: Option<usize>,
        risk_free_rate: Option<f64>,
        backtest: Option<bool>,
    ) -> PyResult<Self> {
        let mut c = core::ScanConfig::default();
        if let Some(m) = filter_mode {
            c.filter_mode = m.parse::<ModeSelection>().map_err(to_py)?;
        }
        c.max_symbols = max_symbols.or(c.max_symbols);
        c.max_results = max_results.unwrap_or(c.max_results);
        c.max_per_symbol = max_per_symbol.unwrap_or(c.max_per_symbol);
        c.lookback_sessions = lookback_sessions.unwrap_or(c.lookback_sessions);
        c.risk_free_rate = risk_free_rate.unwrap_or(c.risk_free_rate);
        c.backtest = backtest.unwrap_or(c.backtest);
        c.validate().map_err(to_py)?;
        Ok(Self { inner: c })
    }

    /// `"strict"`, `"relaxed"` or `"both"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        match self.inner.filter_mode {
            ModeSelection::Strict => "strict",
            ModeSelection::Relaxed => "relaxed",
            ModeSelection::Both => "both",
        }
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
    as_of: Option<DateTime<Utc>>,
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
    fn new(source: PyRef<'_, MarketData>, config: Option<ScanConfig>) -> PyResult<Self> {
        let config = config.map(|c| c.inner).unwrap_or_default();
        let inner = core::Scanner::new(source.inner.clone(), config).map_err(to_py)?;
        Ok(Self {
            inner: Arc::new(inner),
            as_of: source.as_of,
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
