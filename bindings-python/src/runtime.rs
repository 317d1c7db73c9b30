//! The binding's single tokio runtime, and the helper that runs a core future on it with the
//! GIL released, so Python threads keep running while scans and database calls wait.

use std::future::Future;
use std::sync::OnceLock;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::error::to_py;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The process-wide runtime (created on first use; two worker threads are plenty: the CPU
/// work of a scan runs on rayon, not on tokio).
pub fn runtime() -> PyResult<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("optscan-tokio")
        .enable_all()
        .build()
        .map_err(|e| to_py(scanner_core::Error::internal(format!("tokio runtime: {e}"))))?;
    Ok(RUNTIME.get_or_init(|| rt))
}

/// Block on `fut` with the GIL released, mapping the core error to its exception.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = scanner_core::Result<T>> + Send,
{
    let rt = runtime()?;
    py.detach(|| rt.block_on(fut)).map_err(to_py)
}

/// Hand the runtime to `pyo3-async-runtimes`, so `*_async` methods await on it.
pub fn init_async() -> PyResult<()> {
    let rt = runtime()?;
    // Already initialised (module imported twice in one process) is fine.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(rt);
    Ok(())
}
