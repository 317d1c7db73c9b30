//! Where the engine's calls into a Python source run: one thread that takes queued calls
//! back to back under a single hold of the GIL, with a spill to tokio's blocking pool for
//! any call that waits too long in the queue.
//!
//! A 60-symbol scan makes 120 source calls. Run each on its own pool thread, and every call
//! pays for waking a thread and for handing the GIL between up to `fetch_concurrency`
//! threads (context switches were most of what a fast source cost). Here a fast source's
//! calls queue up and run one after the other on the caller thread, which takes the GIL once
//! per burst. A call that sits in the queue longer than [`SPILL_AFTER`] (the caller thread is
//! busy with a slow call: network I/O, a `time.sleep`) is taken back and run on a pool thread
//! instead, so a source that releases the GIL while it waits still gets its concurrency.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use pyo3::prelude::*;
use scanner_core::{Error, Result};

/// How long a call may wait for the caller thread before it runs on a pool thread.
const SPILL_AFTER: Duration = Duration::from_millis(2);

type Task = Box<dyn for<'py> FnOnce(Python<'py>) + Send>;

/// One queued call; whoever takes the task first (the caller thread, the spill, or the
/// waiting future being dropped) is the only one to run or discard it.
struct Slot(Mutex<Option<Task>>);

impl Slot {
    fn take(&self) -> Option<Task> {
        self.0.lock().map(|mut t| t.take()).unwrap_or(None)
    }
}

#[derive(Default)]
struct Queue {
    calls: Mutex<VecDeque<Arc<Slot>>>,
    ready: Condvar,
}

impl Queue {
    fn pop(&self) -> Option<Arc<Slot>> {
        self.calls.lock().ok()?.pop_front()
    }

    /// Wait (without the GIL) for the next call.
    fn wait(&self) -> Arc<Slot> {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(s) = calls.pop_front() {
                return s;
            }
            calls = self.ready.wait(calls).unwrap_or_else(|p| p.into_inner());
        }
    }
}

static QUEUE: OnceLock<Option<Arc<Queue>>> = OnceLock::new();

/// The queue, its thread started on first use (`None` if the thread could not start: every
/// call then runs on the pool).
fn queue() -> Option<&'static Arc<Queue>> {
    QUEUE
        .get_or_init(|| {
            let q = Arc::new(Queue::default());
            let served = q.clone();
            std::thread::Builder::new()
                .name("optscan-python".into())
                .spawn(move || serve(&served))
                .ok()
                .map(|_| q)
        })
        .as_ref()
}

/// The caller thread: hold the GIL while calls are queued, release it when none are.
fn serve(q: &Queue) {
    keep_thread_state();
    loop {
        let first = q.wait();
        Python::attach(|py| {
            let mut next = Some(first);
            while let Some(slot) = next {
                if let Some(task) = slot.take() {
                    // A panic in a call drops its result sender (the caller sees an error);
                    // the thread keeps serving.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task(py)));
                }
                next = q.pop();
            }
        });
    }
}

/// Discards a call that has not started when its caller stops waiting (a deadline passed,
/// the scan was cancelled).
struct DiscardUnstarted(Arc<Slot>);

impl Drop for DiscardUnstarted {
    fn drop(&mut self) {
        drop(self.0.take());
    }
}

/// Run `f` with the GIL held, on the caller thread or, past [`SPILL_AFTER`] in the queue,
/// on a blocking-pool thread; `what` names the call in the error a lost call becomes.
pub async fn with_gil<T, F>(what: &'static str, f: F) -> Result<T>
where
    T: Send + 'static,
    F: for<'py> FnOnce(Python<'py>) -> T + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let slot = Arc::new(Slot(Mutex::new(Some(Box::new(move |py: Python<'_>| {
        let _ = tx.send(f(py));
    })))));
    let _discard = DiscardUnstarted(slot.clone());
    if let Some(q) = queue() {
        if let Ok(mut calls) = q.calls.lock() {
            calls.push_back(slot.clone());
            q.ready.notify_one();
        }
        if let Ok(out) = tokio::time::timeout(SPILL_AFTER, &mut rx).await {
            return out.map_err(|_| lost(what));
        }
    }
    // Still queued (the caller thread is busy with a slow call), or no caller thread.
    if let Some(task) = slot.take() {
        tokio::task::spawn_blocking(move || {
            keep_thread_state();
            Python::attach(task)
        });
    }
    rx.await.map_err(|_| lost(what))
}

fn lost(what: &str) -> Error {
    Error::internal(format!(
        "{what}: the call into Python stopped without a result"
    ))
}

thread_local! {
    static THREAD_STATE_KEPT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Give this thread (the caller thread, a blocking-pool thread) a Python thread state that
/// outlives each hold of the GIL.
///
/// Without it every `Python::attach` on a thread creates a fresh thread state and
/// deletes it on release: an allocation of the interpreter's frame stack (an `mmap`), page
/// faults, an `munmap` and a cross-CPU TLB flush per call. Holding one `PyGILState_Ensure`
/// open (and handing the GIL straight back) makes every later attach on this thread reuse
/// the state. The state is freed with the interpreter; a pool thread that exits leaves one
/// small state behind, which is bounded by the pool's size.
fn keep_thread_state() {
    THREAD_STATE_KEPT.with(|kept| {
        if kept.get() {
            return;
        }
        // SAFETY: called on a thread that holds no GIL (never inside `Python::attach`),
        // with the interpreter initialised (a `PySource` exists). Ensure
        // takes the GIL with this thread's new state; SaveThread releases the GIL and keeps
        // the state; the matching Release is deliberately never called.
        unsafe {
            if pyo3::ffi::Py_IsInitialized() == 0 {
                return;
            }
            let _ = pyo3::ffi::PyGILState_Ensure();
            pyo3::ffi::PyEval_SaveThread();
        }
        kept.set(true);
    });
}
