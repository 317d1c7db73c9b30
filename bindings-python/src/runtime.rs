//! The binding's single tokio runtime, and the helper that runs a core future on it with the
//! GIL released, so Python threads keep running while scans and database calls wait, and
//! Ctrl-C still interrupts the wait.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

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

/// How often a blocking call wakes to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Block on `fut` with the GIL released, mapping the core error (and a panic, as
/// `InternalError`) to its exception.
///
/// The wait wakes every 100 ms to run Python's signal handlers, so Ctrl-C during a long
/// scan raises `KeyboardInterrupt` at once; the future is then dropped, which cancels it.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = scanner_core::Result<T>> + Send,
{
    let rt = runtime()?;
    // A panic in the engine is an InternalError here, never a dead interpreter.
    let mut fut = std::pin::pin!(scanner_core::catch_panic(fut));
    loop {
        // The timer must be created inside the runtime, hence the async block.
        let step =
            py.detach(|| rt.block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut fut).await }));
        match step {
            Ok(out) => return out.map_err(to_py),
            Err(_still_running) => py.check_signals()?,
        }
    }
}

/// Hand the runtime to `pyo3-async-runtimes`, so `*_async` methods await on it.
pub fn init_async() -> PyResult<()> {
    let rt = runtime()?;
    // Already initialised (module imported twice in one process) is fine.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(rt);
    Ok(())
}
