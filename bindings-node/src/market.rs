//! Market-data sources as JS classes (`SyntheticMarket`, `CsvMarket`, `YahooMarket`,
//! `PolygonMarket`, `TradierMarket`), each a handle to a core `MarketData` that a
//! `Scanner` accepts. API keys are read by the core and never echoed back.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::{
    ClassInstance, Env, FromNapiValue, JavaScriptClassExt, Object, PromiseRaw, Unknown,
};
use napi::JsValue;
use napi_derive::napi;
use scanner_core::market::{self as core, CsvMarketOptions, MarketData};

use crate::error::{from_napi, invalid, IntoJs, JsError};
use crate::runtime::promise;

/// Parse an ISO-8601 instant (`2024-03-15T20:00:00Z`) or date (`2024-03-15`, read as the
/// 16:00 New York close) given by JS.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, JsError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    match s.parse::<chrono::NaiveDate>() {
        Ok(d) => Ok(scanner_core::calendar::expiry_instant(d)),
        Err(_) => Err(invalid(format!(
            "asOf must be an ISO-8601 instant or date, got {s:?}"
        ))),
    }
}

fn universe<'env>(
    env: &'env Env,
    src: &Arc<dyn MarketData>,
) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
    let src = Arc::clone(src);
    promise(env, async move { src.universe().await }, |u| u)
}

/// Options of [`SyntheticMarket`].
#[napi(object)]
pub struct SyntheticMarketOptions {
    /// Random seed (7): the same seed gives the same market.
    pub seed: Option<u32>,
    /// Number of symbols in the universe (60).
    pub symbols: Option<u32>,
}

/// The offline, seeded synthetic market (default source of the CLI and tests).
#[napi]
pub struct SyntheticMarket {
    pub(crate) inner: Arc<dyn MarketData>,
}

#[napi]
impl SyntheticMarket {
    /// A synthetic market of `symbols` symbols from `seed`.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<SyntheticMarketOptions>) -> Result<Self, JsError> {
        let o = options.unwrap_or(SyntheticMarketOptions {
            seed: None,
            symbols: None,
        });
        let market = core::SyntheticMarket::try_new(
            u64::from(o.seed.unwrap_or(7)),
            o.symbols.unwrap_or(60) as usize,
        )
        .js()?;
        Ok(Self {
            inner: Arc::new(market),
        })
    }

    /// The symbols this source can scan.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn universe<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
        universe(env, &self.inner)
    }
}

/// Options of [`CsvMarket`].
#[napi(object, js_name = "CsvMarketOptions")]
pub struct CsvMarketInit {
    /// A folder of daily price CSV files (or one file).
    pub path: String,
    /// Default as-of instant of scans over this source (ISO-8601; default: now).
    pub as_of: Option<String>,
    /// Seed of generated chains for symbols without chain files (7).
    pub seed: Option<u32>,
    /// Folder of chain snapshot files (default `<path>/chains` when present).
    pub chain_dir: Option<String>,
}

/// Daily CSV price files, with chain files or generated chains.
#[napi]
pub struct CsvMarket {
    pub(crate) inner: Arc<dyn MarketData>,
    pub(crate) as_of: Option<DateTime<Utc>>,
}

#[napi]
impl CsvMarket {
    /// Open the folder; throws `NotFound` when it does not exist or holds no history.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: CsvMarketInit) -> Result<Self, JsError> {
        let as_of = options.as_of.as_deref().map(parse_instant).transpose()?;
        let opts = CsvMarketOptions {
            seed: u64::from(options.seed.unwrap_or(7)),
            chain_dir: options.chain_dir.map(Into::into),
            ..CsvMarketOptions::default()
        };
        let market = core::CsvMarket::open_with(&options.path, opts).js()?;
        Ok(Self {
            inner: Arc::new(market),
            as_of,
        })
    }

    /// The symbols this source can scan.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn universe<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
        universe(env, &self.inner)
    }
}

/// Options of the HTTP vendor sources.
#[napi(object)]
pub struct VendorOptions {
    /// API key or token (default: `POLYGON_API_KEY` / `TRADIER_TOKEN`; unused by Yahoo).
    pub api_key: Option<String>,
    /// Symbols to scan instead of the vendor's default universe.
    pub universe: Option<Vec<String>>,
}

macro_rules! vendor {
    ($doc:literal, $name:ident, |$key:ident| $build:expr) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            pub(crate) inner: Arc<dyn MarketData>,
        }

        #[napi]
        impl $name {
            /// Build the source; throws `InvalidInput` when a required key is missing.
            #[napi(constructor, catch_unwind)]
            pub fn new(options: Option<VendorOptions>) -> Result<Self, JsError> {
                let o = options.unwrap_or(VendorOptions {
                    api_key: None,
                    universe: None,
                });
                let $key = o.api_key;
                let market = $build;
                let market = match o.universe {
                    Some(u) => market.with_universe(u),
                    None => market,
                };
                Ok(Self {
                    inner: Arc::new(market),
                })
            }

            /// The symbols this source can scan.
            #[napi(ts_return_type = "Promise<string[]>")]
            pub fn universe<'env>(
                &self,
                env: &'env Env,
            ) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
                universe(env, &self.inner)
            }
        }
    };
}

vendor!("Yahoo Finance over HTTP (no key).", YahooMarket, |_key| {
    core::YahooMarket::new()
});
vendor!(
    "Polygon.io over HTTP (`apiKey` or `POLYGON_API_KEY`).",
    PolygonMarket,
    |key| core::PolygonMarket::new(key).js()?
);
vendor!(
    "Tradier over HTTP (`apiKey` or `TRADIER_TOKEN`).",
    TradierMarket,
    |key| core::TradierMarket::new(key).js()?
);

/// Any source class, as a `Scanner` argument: the core handle plus its default as-of.
pub struct SourceArg {
    /// The core source.
    pub inner: Arc<dyn MarketData>,
    /// Default scan instant (CSV sources).
    pub as_of: Option<DateTime<Utc>>,
}

impl SourceArg {
    /// Read a source class instance; anything else is `InvalidInput`.
    pub fn from_js(env: &Env, v: &Unknown<'_>) -> Result<Self, JsError> {
        let raw = (env.raw(), v.raw());
        macro_rules! try_class {
            ($t:ty, |$c:ident| $as_of:expr) => {
                if <$t>::instance_of(env, v).map_err(from_napi)? {
                    // SAFETY: `raw` is a live value of this call, checked to be a `$t`.
                    let $c = unsafe { ClassInstance::<$t>::from_napi_value(raw.0, raw.1) }
                        .map_err(from_napi)?;
                    return Ok(Self {
                        inner: Arc::clone(&$c.inner),
                        as_of: $as_of,
                    });
                }
            };
        }
        try_class!(SyntheticMarket, |c| None);
        try_class!(CsvMarket, |c| c.as_of);
        try_class!(YahooMarket, |c| None);
        try_class!(PolygonMarket, |c| None);
        try_class!(TradierMarket, |c| None);
        try_class!(crate::host::MemoryMarket, |c| c.as_of);
        if v.get_type().map_err(from_napi)? == napi::ValueType::Object {
            // SAFETY: `raw` is a live object value of this call.
            let obj = unsafe { Object::from_napi_value(raw.0, raw.1) }.map_err(from_napi)?;
            return Ok(Self {
                inner: Arc::new(crate::js_source::JsSource::new(&obj)?),
                as_of: None,
            });
        }
        Err(invalid(
            "source must be a SyntheticMarket, CsvMarket, MemoryMarket, YahooMarket, PolygonMarket, TradierMarket or an object with universe(), priceHistory() and optionChain()",
        ))
    }
}
