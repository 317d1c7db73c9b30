//! A source written in Python: any object with `universe()`, `price_history(symbol,
//! sessions, as_of)` and `option_chain(symbol, as_of)`, plain or `async def`. The engine's
//! fetch stage calls it like any core source (bounded concurrency, the per-symbol
//! deadline): plain methods run through [`crate::python_caller`] holding the GIL only for
//! the call and the conversion; coroutines run on one event-loop thread owned by this module. A
//! Python exception becomes the symbol's failure (kind from an `optscan` error class,
//! else `DataSource`), never a failed scan.

use std::sync::OnceLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use scanner_core::market::host::history_window;
use scanner_core::market::MarketData;
use scanner_core::model::{OptionChain, PriceHistory};
use scanner_core::{Error, ErrorKind, Result};

use crate::error::kind_of;
use crate::host_table;
use crate::python_caller::with_gil;

/// The wrapped Python object and the label reported as `metadata.dataSource`.
pub struct PySource {
    obj: std::sync::Arc<Py<PyAny>>,
    name: String,
}

impl PySource {
    /// Wrap `obj`, checking that it has the three methods.
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        for m in ["universe", "price_history", "option_chain"] {
            if !obj.getattr(m).is_ok_and(|f| f.is_callable()) {
                return Err(crate::error::invalid(format!(
                    "a market-data source needs a `{m}` method (universe, price_history, option_chain)"
                )));
            }
        }
        let name = obj
            .getattr("name")
            .ok()
            .and_then(|n| n.extract::<String>().ok())
            .unwrap_or_else(|| "python".to_owned());
        Ok(Self {
            obj: std::sync::Arc::new(obj.clone().unbind()),
            name,
        })
    }
}

/// A Python exception as a core error: its kind when it is an `optscan` error, else
/// `DataSource`, with `Type: message` as the reason.
pub fn from_py(py: Python<'_>, e: &PyErr) -> Error {
    let ty = e.get_type(py);
    let name = ty
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let msg = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    let kind = kind_of(py, e).unwrap_or(ErrorKind::DataSource);
    Error::new(kind, format!("{name}: {msg}"))
}

static LOOP: OnceLock<Py<PyAny>> = OnceLock::new();

/// The event loop coroutines of async sources run on (a daemon thread, started once).
fn event_loop(py: Python<'_>) -> PyResult<&'static Py<PyAny>> {
    if let Some(l) = LOOP.get() {
        return Ok(l);
    }
    let asyncio = py.import("asyncio")?;
    let lp = asyncio.call_method0("new_event_loop")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("target", lp.getattr("run_forever")?)?;
    kwargs.set_item("daemon", true)?;
    kwargs.set_item("name", "optscan-sources")?;
    py.import("threading")?
        .getattr("Thread")?
        .call((), Some(&kwargs))?
        .call_method0("start")?;
    Ok(LOOP.get_or_init(|| lp.unbind()))
}

impl PySource {
    /// Call `method(*args)` and wait for its value (awaiting it when it is a coroutine),
    /// `extract` what the engine needs from it under the GIL, then `finish` that in Rust
    /// with the GIL free.
    async fn call<X, T, A, E, F>(
        &self,
        method: &'static str,
        args: A,
        extract: E,
        finish: F,
    ) -> Result<T>
    where
        X: Send + 'static,
        A: for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyTuple>> + Send + 'static,
        E: FnOnce(&Bound<'_, PyAny>) -> Result<X> + Send + 'static,
        F: FnOnce(X) -> Result<T>,
    {
        let obj = self.obj.clone();
        let called = with_gil(method, move |py| -> Result<Either<X>> {
            let out = args(py)
                .and_then(|a| obj.call_method1(py, method, a))
                .map_err(|e| from_py(py, &e))?;
            let out = out.into_bound(py);
            if is_awaitable(&out) {
                let (tx, rx) = tokio::sync::oneshot::channel();
                submit(py, &out, tx).map_err(|e| from_py(py, &e))?;
                return Ok(Either::Pending(rx, Box::new(extract)));
            }
            extract(&out).map(Either::Ready)
        })
        .await??;
        let extracted = match called {
            Either::Ready(x) => x,
            Either::Pending(rx, extract) => {
                let value = rx.await.map_err(|_| {
                    Error::internal(format!("{method}: the event loop dropped the call"))
                })?;
                with_gil(method, move |py| match value {
                    Ok(v) => extract(v.bind(py)),
                    Err(e) => Err(from_py(py, &e)),
                })
                .await??
            }
        };
        finish(extracted)
    }
}

type Extractor<X> = Box<dyn FnOnce(&Bound<'_, PyAny>) -> Result<X> + Send>;

enum Either<X> {
    Ready(X),
    Pending(
        tokio::sync::oneshot::Receiver<PyResult<Py<PyAny>>>,
        Extractor<X>,
    ),
}

/// Whether a method returned something to await (`collections.abc.Awaitable`, whose
/// check is cached per type, unlike a failing `hasattr(value, "__await__")`, which builds
/// an exception for every DataFrame).
fn is_awaitable(value: &Bound<'_, PyAny>) -> bool {
    static AWAITABLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = value.py();
    let Ok(abc) = AWAITABLE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("collections.abc")?.getattr("Awaitable")?.unbind())
    }) else {
        return value.hasattr("__await__").unwrap_or(false);
    };
    value.is_instance(abc.bind(py)).unwrap_or(false)
}

/// Run `coro` on the sources' loop; its outcome is sent on `tx`.
fn submit(
    py: Python<'_>,
    coro: &Bound<'_, PyAny>,
    tx: tokio::sync::oneshot::Sender<PyResult<Py<PyAny>>>,
) -> PyResult<()> {
    let lp = event_loop(py)?;
    let fut = py
        .import("asyncio")?
        .call_method1("run_coroutine_threadsafe", (coro, lp.bind(py)))?;
    let tx = std::sync::Mutex::new(Some(tx));
    let done = PyCFunction::new_closure(py, None, None, move |args, _kwargs| -> PyResult<()> {
        let f = args.get_item(0)?;
        let out = f.call_method0("result").map(Bound::unbind);
        if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
            let _ = tx.send(out);
        }
        Ok(())
    })?;
    fut.call_method1("add_done_callback", (done,))?;
    Ok(())
}

fn invalid_shape(e: PyErr) -> Error {
    Python::attach(|py| {
        let kind = kind_of(py, &e).unwrap_or(ErrorKind::InvalidInput);
        Error::new(kind, e.value(py).to_string())
    })
}

#[async_trait]
impl MarketData for PySource {
    fn name(&self) -> &str {
        &self.name
    }

    /// The host application hands over both its histories and its chains.
    fn provenance(&self, _symbol: &str) -> Option<scanner_core::market::SymbolProvenance> {
        use scanner_core::market::{Origin, SymbolProvenance};
        Some(SymbolProvenance {
            chain: Origin::Host,
            history: Origin::Host,
        })
    }

    async fn universe(&self) -> Result<Vec<String>> {
        self.call(
            "universe",
            |py| Ok(PyTuple::empty(py)),
            |v| {
                v.try_iter()
                    .and_then(|it| {
                        it.map(|s| s?.extract::<String>())
                            .collect::<PyResult<Vec<_>>>()
                    })
                    .map_err(|_| Error::invalid_input("universe() must return an iterable of str"))
            },
            Ok,
        )
        .await
    }

    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let sym = symbol.to_owned();
        self.call(
            "price_history",
            {
                let s = symbol.to_owned();
                move |py| (s, sessions, as_of).into_pyobject(py)
            },
            |v| host_table::table(v).map_err(invalid_shape),
            // Rust's own work, with the GIL free for the next call.
            move |table| history_window(&sym, &table, sessions, as_of),
        )
        .await
    }

    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        let sym = symbol.to_owned();
        self.call(
            "option_chain",
            {
                let s = symbol.to_owned();
                move |py| (s, as_of).into_pyobject(py)
            },
            |v| host_table::chain(v).map_err(invalid_shape),
            move |table| table.into_chain(&sym, as_of),
        )
        .await
    }
}
