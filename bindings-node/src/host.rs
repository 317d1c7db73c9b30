//! Data a JS program already holds: `new MemoryMarket({histories, chains})` converts plain
//! objects (records or columns of numbers and ISO date strings) into the core's
//! `MemoryMarket`, which reads them exactly as Python's and as `CsvMarket` reads files; and
//! the configuration schema the core exposes for parity checks.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::{Env, PromiseRaw};
use napi_derive::napi;
use scanner_core::market::{self as core, MarketData};
use scanner_core::scan::ScanConfig;

use crate::error::{IntoJs, JsError};
use crate::market::parse_instant;
use crate::scan::Json;

/// Histories and chains you already hold. `histories`: `{SYMBOL: [{date, open, high, low,
/// close, volume}, …] | {date: [...], close: [...], …}}`; `chains`: `{SYMBOL: {spot, asOf?,
/// quotes: [{contractSymbol, strike, bid, ask, lastPrice, volume, openInterest,
/// impliedVolatility, type, expiration}, …]} | [chain, …]}`. Symbols without chains get
/// generated ones, as `CsvMarket` does.
#[napi]
pub struct MemoryMarket {
    pub(crate) inner: Arc<dyn MarketData>,
    pub(crate) as_of: Option<DateTime<Utc>>,
}

/// `new MemoryMarket({...})` options.
#[napi(object, object_to_js = false)]
pub struct MemoryMarketInit {
    /// `{SYMBOL: table}` (records or columns).
    #[napi(ts_type = "Record<string, Array<Record<string, any>> | Record<string, any[]>>")]
    pub histories: Json,
    /// `{SYMBOL: chain | chain[]}`.
    #[napi(ts_type = "Record<string, any>")]
    pub chains: Option<Json>,
    /// Default as-of of scans over this source (ISO-8601).
    pub as_of: Option<String>,
}

#[napi]
impl MemoryMarket {
    /// Build the market; throws `InvalidInput` naming the column of a wrong shape.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: MemoryMarketInit) -> Result<Self, JsError> {
        let as_of = options.as_of.as_deref().map(parse_instant).transpose()?;
        let doc = serde_json::json!({
            "histories": options.histories.0,
            "chains": options.chains.map(|c| c.0),
        });
        let market = core::MemoryMarket::from_value(doc).js()?;
        Ok(Self {
            inner: Arc::new(market),
            as_of,
        })
    }

    /// The symbols this source can scan.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn universe<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
        let src = self.inner.clone();
        crate::runtime::promise(env, async move { src.universe().await }, |u| u)
    }
}

/// Every `ScanConfig` setting's camelCase path (`maxResults`, `gates.minScore`, …), from the
/// core: what a `Scanner` config object may set (the parity tests walk it).
#[napi]
pub fn scan_config_field_paths() -> Vec<String> {
    ScanConfig::field_paths()
}

/// The core's default configuration as a plain object.
#[napi(ts_return_type = "Record<string, any>")]
pub fn scan_config_defaults() -> Json {
    Json(serde_json::to_value(ScanConfig::default()).unwrap_or_default())
}
