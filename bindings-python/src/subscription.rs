//! `ScanStore.subscribe()`: newly saved scans as a Python iterator (`for n in sub`, which
//! releases the GIL while it waits and still answers Ctrl-C) and as an async iterator
//! (`async for n in sub`). Fed by the core's LISTEN/NOTIFY or polling.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use scanner_core::cache;
use tokio::sync::{Mutex, Notify};

use crate::error::{invalid, to_py};
use crate::runtime::block_on;

/// A newly saved scan, as yielded by a `ScanSubscription`.
#[pyclass(frozen, module = "optscan")]
pub struct ScanNotice {
    /// The wrapped core value.
    pub inner: cache::ScanNotice,
}

#[pymethods]
impl ScanNotice {
    /// The saved scan's UUID as a string.
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

    fn __repr__(&self) -> String {
        format!(
            "<optscan.ScanNotice {} {} {}>",
            self.inner.filter_mode,
            self.inner.scan_id,
            self.inner.scan_timestamp.to_rfc3339()
        )
    }
}

/// The core subscription plus a close signal that reaches a waiting `next`.
struct Shared {
    sub: Mutex<Option<cache::ScanSubscription>>,
    closed: Notify,
    is_closed: AtomicBool,
}

/// The next notice; `None` once closed (even while waiting) or, with `wait`, when it passes.
async fn next_notice(
    shared: Arc<Shared>,
    wait: Option<Duration>,
) -> scanner_core::Result<Option<cache::ScanNotice>> {
    let closed = shared.closed.notified();
    tokio::pin!(closed);
    // Registered before the flag is read, so a close() in between still wakes us.
    closed.as_mut().enable();
    if shared.is_closed.load(Ordering::SeqCst) {
        return Ok(None);
    }
    let deadline = async {
        match wait {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(deadline);
    let mut guard = tokio::select! {
        g = shared.sub.lock() => g,
        () = &mut closed => return Ok(None),
        () = &mut deadline => return Ok(None),
    };
    let Some(sub) = guard.as_mut() else {
        return Ok(None);
    };
    tokio::select! {
        n = sub.next() => n.map(Some),
        () = &mut closed => Ok(None),
        () = &mut deadline => Ok(None),
    }
}

/// Every scan saved after `ScanStore.subscribe()` returned, in order; `close()` ends it.
#[pyclass(frozen, module = "optscan")]
pub struct ScanSubscription {
    inner: Arc<Shared>,
}

impl ScanSubscription {
    /// Wrap a core subscription.
    pub fn new(sub: cache::ScanSubscription) -> Self {
        Self {
            inner: Arc::new(Shared {
                sub: Mutex::new(Some(sub)),
                closed: Notify::new(),
                is_closed: AtomicBool::new(false),
            }),
        }
    }
}

#[pymethods]
impl ScanSubscription {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<ScanNotice> {
        let inner = Arc::clone(&self.inner);
        match block_on(py, next_notice(inner, None))? {
            Some(inner) => Ok(ScanNotice { inner }),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    /// The next notice, waiting at most `timeout` seconds (None: no limit); None when the
    /// time passes first or the subscription is closed.
    #[pyo3(signature = (timeout = None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<ScanNotice>> {
        let wait = timeout
            .map(|t| {
                if t.is_finite() && t >= 0.0 {
                    Ok(Duration::from_secs_f64(t.min(1e9)))
                } else {
                    Err(invalid(format!(
                        "timeout must be a finite number >= 0, got {t}"
                    )))
                }
            })
            .transpose()?;
        let inner = Arc::clone(&self.inner);
        Ok(block_on(py, next_notice(inner, wait))?.map(|inner| ScanNotice { inner }))
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            match next_notice(inner, None).await.map_err(to_py)? {
                Some(inner) => Ok(ScanNotice { inner }),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// Stop listening; iteration then ends, also for a `next` waiting in another thread.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.is_closed.store(true, Ordering::SeqCst);
        self.inner.closed.notify_waiters();
        let inner = Arc::clone(&self.inner);
        block_on(py, async move {
            inner.sub.lock().await.take();
            Ok(())
        })
    }
}
