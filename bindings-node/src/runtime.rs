//! The binding's single async runtime and the bridge from core futures to JS Promises.
//!
//! All async work runs on napi-rs's multi-thread tokio runtime (feature `tokio_rt`), which
//! the addon owns for its whole life; the core never builds its own. Futures run on its
//! worker threads, so scans, database calls and `serve` never block the Node event loop.
//! Node does not `fork()` a live process (child processes `exec`), so unlike the Python
//! binding no after-fork reset is needed. The result is converted on the JS thread, where
//! a core error becomes an `Error` with `code` (see [`crate::error::rejection`]).

use std::future::Future;

use napi::bindgen_prelude::{Env, PromiseRaw, ToNapiValue};

/// Run `fut` on the runtime and return a Promise of `convert(output)`; a core error rejects
/// the Promise with an `Error` whose `code` is the error kind (`Internal` for a panic).
pub fn promise<'env, T, V, F, C>(
    env: &'env Env,
    fut: F,
    convert: C,
) -> napi::Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = scanner_core::Result<T>> + Send + 'static,
    C: FnOnce(T) -> V + 'static,
{
    // A panic in the engine rejects with code "Internal"; the Node process lives on.
    let fut = scanner_core::catch_panic(fut);
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, out| match out {
        Ok(value) => Ok(convert(value)),
        Err(e) => Err(crate::error::rejection(env, &e)),
    })
}
