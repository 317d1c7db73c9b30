//! The option records of `ScanStore` calls and their conversion to core options, shared by
//! `cache.rs` and `cache_json.rs`.

use std::sync::Arc;

use napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;
use scanner_core::cache::{self as core, ServeOptions, StalePolicy};
use scanner_core::model::FilterMode;

use crate::error::{IntoJs, JsError};
use crate::scan::Scanner;

/// Options of `ScanStore.open`.
#[napi(object)]
#[derive(Default)]
pub struct StoreOpenOptions {
    /// Apply pending migrations on open (true).
    pub migrate: Option<bool>,
    /// Pool size.
    pub max_connections: Option<u32>,
    /// How often `subscribe()` polls where it cannot LISTEN, milliseconds.
    pub poll_interval_ms: Option<u32>,
    /// How long a call waits for a database connection before failing, milliseconds
    /// (10000); an HTTP route may want to fail faster while the database is down.
    pub acquire_timeout_ms: Option<u32>,
}

/// Options of `latest`.
#[napi(object)]
#[derive(Default)]
pub struct LatestOptions {
    /// `"strict"` (default) or `"relaxed"`.
    pub filter_mode: Option<String>,
    /// Return null when the newest scan is older than this.
    pub max_age_minutes: Option<f64>,
}

/// Options of `history`.
#[napi(object)]
#[derive(Default)]
pub struct HistoryOptions {
    /// Only this mode (default: both).
    pub filter_mode: Option<String>,
    /// Newest rows returned (10).
    pub limit: Option<u32>,
}

/// Options of `serve`.
#[napi(object, object_to_js = false)]
pub struct ServeInit<'a> {
    /// Runs the live scan when the cache cannot answer.
    pub scanner: ClassInstance<'a, Scanner>,
    /// `"strict"` (default) or `"relaxed"`.
    pub filter_mode: Option<String>,
    /// A cached scan at most this old is fresh (15).
    pub max_age_minutes: Option<f64>,
    /// `"revalidate"` (default: serve stale, refresh in background) or `"live"`.
    pub stale: Option<String>,
    /// Oldest stale scan served while revalidating, minutes (1440).
    pub max_stale_minutes: Option<f64>,
    /// Oldest good scan served when a live scan fails, minutes (10080).
    pub stale_if_error_minutes: Option<f64>,
}

pub(crate) fn mode(m: Option<&str>) -> Result<FilterMode, JsError> {
    m.map_or(Ok(FilterMode::Strict), |s| s.parse::<FilterMode>().js())
}

pub(crate) fn minutes(name: &str, m: f64) -> Result<chrono::Duration, JsError> {
    core::minutes(name, m).js()
}

/// The mode and max age of a `latest`/`latestJson` call.
pub(crate) fn latest_args(
    options: Option<LatestOptions>,
) -> Result<(FilterMode, Option<chrono::Duration>), JsError> {
    let o = options.unwrap_or_default();
    let age = o
        .max_age_minutes
        .map(|a| minutes("maxAgeMinutes", a))
        .transpose()?;
    Ok((mode(o.filter_mode.as_deref())?, age))
}

/// The mode, policy and live scanner of a `serve`/`serveJson` call.
pub(crate) fn serve_args(
    options: &ServeInit<'_>,
) -> Result<(FilterMode, ServeOptions, Arc<dyn core::LiveScan>), JsError> {
    let m = mode(options.filter_mode.as_deref())?;
    let mut opts = ServeOptions::default();
    if let Some(a) = options.max_age_minutes {
        opts.max_age = minutes("maxAgeMinutes", a)?;
    }
    if let Some(a) = options.max_stale_minutes {
        opts.max_stale = minutes("maxStaleMinutes", a)?;
    }
    if let Some(a) = options.stale_if_error_minutes {
        opts.stale_if_error = minutes("staleIfErrorMinutes", a)?;
    }
    if let Some(p) = options.stale.as_deref() {
        opts.stale = p.parse::<StalePolicy>().js()?;
    }
    let scanner: Arc<dyn core::LiveScan> = Arc::new(options.scanner.inner.clone());
    Ok((m, opts, scanner))
}
