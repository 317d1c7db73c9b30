//! `latestJson` and `serveJson`: a cached scan handed to JS as the UTF-8 bytes of its JSON
//! document, for HTTP routes that send it on. The core serialises each scan once and shares
//! the text; each call copies it into a fresh `Buffer` on a worker thread, so the event loop
//! neither builds objects nor transcodes a string (a scan is a few hundred kB; decoding it
//! into a JS string alone costs about as much as the whole rest of a request).

use napi::bindgen_prelude::{Buffer, Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::cache as core;

use crate::cache::{iso, ScanStore};
use crate::error::{from_napi, JsError};
use crate::http::HttpRepresentation;
use crate::runtime::promise;
use crate::store_options::{latest_args, serve_args, LatestOptions, ServeInit};

/// A scan as served, as its canonical JSON document plus what describes it (API.md §5).
#[napi(object, object_from_js = false)]
pub struct CachedJson {
    /// UTF-8 bytes of the scan's canonical JSON document (`ScanResult::to_json` in the
    /// core): `JSON.parse(json.toString())` gives the object `latest()` returns as `result`.
    /// A fresh copy per call, so writing into it affects no one else.
    pub json: Buffer,
    /// The scan's id.
    pub scan_id: String,
    /// When it ran (ISO-8601, UTC).
    pub scan_timestamp: String,
    /// `"strict"` or `"relaxed"`.
    pub filter_mode: String,
    /// Opportunities in the document.
    pub opportunity_count: u32,
    /// Contracts analysed after liquidity filtering (exact below 2^53).
    pub total_evaluated: f64,
    /// Minutes since the scan ran.
    pub age_minutes: f64,
    /// True when older than the caller's max age.
    pub is_stale: bool,
    /// `"cache"` or `"live"`.
    pub source: String,
    /// Why a stale scan was served instead of a fresh one (a failed live scan).
    pub error: Option<String>,
    /// ETag, Last-Modified and precompressed bodies: `http.negotiate({ ifNoneMatch, … })`.
    pub http: HttpRepresentation,
}

/// A served scan with its bytes already copied out of the shared text (off the JS thread).
pub struct Copied(core::CachedJson, Vec<u8>);

impl From<core::CachedJson> for Copied {
    fn from(c: core::CachedJson) -> Self {
        let bytes = c.json.as_bytes().to_vec();
        Self(c, bytes)
    }
}

impl From<Copied> for CachedJson {
    fn from(Copied(c, bytes): Copied) -> Self {
        Self {
            json: Buffer::from(bytes),
            scan_id: c.scan_id.to_string(),
            scan_timestamp: iso(c.scan_timestamp),
            filter_mode: c.filter_mode.as_str().to_owned(),
            opportunity_count: u32::try_from(c.opportunity_count).unwrap_or(u32::MAX),
            total_evaluated: c.total_evaluated as f64,
            age_minutes: c.age_minutes,
            is_stale: c.is_stale,
            source: c.source.as_str().to_owned(),
            error: c.error,
            http: HttpRepresentation(c.http),
        }
    }
}

#[napi]
impl ScanStore {
    /// `latest()` as JSON bytes: the newest scan of a mode, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<CachedJson | null>")]
    pub fn latest_json<'env>(
        &self,
        env: &'env Env,
        options: Option<LatestOptions>,
    ) -> Result<PromiseRaw<'env, Option<CachedJson>>, JsError> {
        let (m, age) = latest_args(options)?;
        let store = self.get();
        promise(
            env,
            async move { Ok(store?.latest_json(m, age).await?.map(Copied::from)) },
            |c| c.map(CachedJson::from),
        )
        .map_err(from_napi)
    }

    /// `serve()` as JSON bytes: same policy (fresh, stale-while-revalidate, single-flight
    /// live scan, stale-if-error), answering with the document a route can send as is.
    #[napi(catch_unwind, ts_return_type = "Promise<CachedJson>")]
    pub fn serve_json<'env>(
        &self,
        env: &'env Env,
        options: ServeInit<'_>,
    ) -> Result<PromiseRaw<'env, CachedJson>, JsError> {
        let (m, opts, scanner) = serve_args(&options)?;
        let store = self.get();
        promise(
            env,
            async move { Ok(Copied::from(store?.serve_json(scanner, m, opts).await?)) },
            CachedJson::from,
        )
        .map_err(from_napi)
    }
}
