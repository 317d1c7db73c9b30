//! `screenJson`: filter and sort every contract the newest scan evaluated (the core's
//! `ScanStore::screen`), answered as the bytes of the page's JSON document for routes.

use std::collections::HashMap;

use napi::bindgen_prelude::{Buffer, Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::model::ScreenQuery;

use crate::cache::ScanStore;
use crate::error::{from_napi, to_js, JsError};
use crate::runtime::promise;
use crate::store_options::mode;

/// Options of `screenJson`.
#[napi(object)]
#[derive(Default)]
pub struct ScreenOptions {
    /// `"strict"` (default) or `"relaxed"`.
    pub filter_mode: Option<String>,
    /// Filters as in a query string: `delta.min`, `daysToExpiration.max`, `type`, `symbols`,
    /// `tiers`, `sort` (`-field` descending), `limit`, `offset`.
    pub query: Option<HashMap<String, String>>,
}

#[napi]
impl ScanStore {
    /// The screen page (`{scanId, candidateCount, matched, rows}`, rows in the opportunity
    /// schema's camelCase) as UTF-8 JSON bytes. Rejects with `InvalidInput` for unknown
    /// fields or bad ranges, `NotFound` when no scan of the mode is cached.
    #[napi(catch_unwind, ts_return_type = "Promise<Buffer>")]
    pub fn screen_json<'env>(
        &self,
        env: &'env Env,
        options: Option<ScreenOptions>,
    ) -> Result<PromiseRaw<'env, Buffer>, JsError> {
        let o = options.unwrap_or_default();
        let m = mode(o.filter_mode.as_deref())?;
        let query = ScreenQuery::from_params(o.query.unwrap_or_default()).map_err(to_js)?;
        let store = self.get();
        promise(
            env,
            async move {
                let page = store?.screen(m, &query).await?;
                serde_json::to_vec(&page)
                    .map_err(|e| scanner_core::Error::internal(format!("screen page: {e}")))
            },
            Buffer::from,
        )
        .map_err(from_napi)
    }
}
