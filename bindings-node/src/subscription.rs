//! `store.subscribe()`: newly saved scans as a JS async iterator (`for await … of`), fed by
//! the core's LISTEN/NOTIFY (PostgreSQL) or polling (SQLite, transaction poolers).

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncGenerator, Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::cache as core;

use crate::cache::{iso, ScanStore};
use crate::error::{from_napi, JsError};
use crate::runtime::promise;

/// A newly saved scan, as yielded by `subscribe()`.
#[napi(object, object_from_js = false)]
pub struct ScanNotice {
    /// The saved scan's id.
    pub scan_id: String,
    /// `"strict"` or `"relaxed"`.
    pub filter_mode: String,
    /// When it ran (ISO-8601, UTC).
    pub scan_timestamp: String,
}

impl From<core::ScanNotice> for ScanNotice {
    fn from(n: core::ScanNotice) -> Self {
        Self {
            scan_id: n.scan_id.to_string(),
            filter_mode: n.filter_mode.as_str().to_owned(),
            scan_timestamp: iso(n.scan_timestamp),
        }
    }
}

#[napi]
impl ScanStore {
    /// An async iterator of every scan saved after it starts:
    /// `for await (const n of await store.subscribe()) …`.
    #[napi(catch_unwind, ts_return_type = "Promise<ScanSubscription>")]
    pub fn subscribe<'env>(
        &self,
        env: &'env Env,
    ) -> Result<PromiseRaw<'env, ScanSubscription>, JsError> {
        let store = self.get();
        promise(env, async move { store?.subscribe().await }, |sub| {
            ScanSubscription {
                inner: Arc::new(tokio::sync::Mutex::new(Some(sub))),
            }
        })
        .map_err(from_napi)
    }
}

/// Newly saved scans, as an async iterator of [`ScanNotice`]; `break` or `close()` ends it.
#[napi(async_iterator)]
pub struct ScanSubscription {
    inner: Arc<tokio::sync::Mutex<Option<core::ScanSubscription>>>,
}

#[napi]
impl AsyncGenerator for ScanSubscription {
    type Yield = ScanNotice;
    type Next = ();
    type Return = ();

    fn next(
        &mut self,
        _value: Option<()>,
    ) -> impl std::future::Future<Output = napi::Result<Option<ScanNotice>>> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        async move {
            let mut guard = inner.lock().await;
            match guard.as_mut() {
                None => Ok(None),
                Some(sub) => match sub.next().await {
                    Ok(n) => Ok(Some(n.into())),
                    Err(e) => Err(napi::Error::from_reason(e.to_string())),
                },
            }
        }
    }

    fn complete(
        &mut self,
        _value: Option<()>,
    ) -> impl std::future::Future<Output = napi::Result<Option<ScanNotice>>> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        async move {
            inner.lock().await.take();
            Ok(None)
        }
    }
}
