//! `Scanner` and the scan-result record: a scan runs on the runtime's worker threads (never
//! on the event loop) and reports progress through a non-blocking thread-safe function.

use std::sync::Arc;

use napi::bindgen_prelude::{Env, FromNapiValue, PromiseRaw, ToNapiValue, Unknown};
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use scanner_core::model::ScanResult as CoreResult;
use scanner_core::scan::{self as core, ModeSelection, ProgressFn, ScanConfig, ScanRequest};
use serde_json::Value;

use crate::error::{invalid, IntoJs, JsError};
use crate::market::{parse_instant, SourceArg};
use crate::runtime::promise;

/// A JSON document crossing into JS as one `JSON.parse` of its text: far cheaper than
/// building a large object property by property through N-API (a scan is ~100 kB).
#[derive(Clone, Debug, Default)]
pub struct Json(pub Value);

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let text = serde_json::to_string(&val.0)
            .map_err(|e| napi::Error::from_reason(format!("serialising JSON: {e}")))?;
        let ok = |s: sys::napi_status, what: &str| {
            if s == sys::Status::napi_ok {
                Ok(())
            } else {
                Err(napi::Error::from_reason(format!(
                    "JSON.parse bridge: {what}"
                )))
            }
        };
        let (mut global, mut json, mut parse, mut out) = (
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        // SAFETY: called on the JS thread with a live `env`, as every ToNapiValue is.
        unsafe {
            ok(sys::napi_get_global(env, &mut global), "global")?;
            ok(
                sys::napi_get_named_property(env, global, c"JSON".as_ptr(), &mut json),
                "JSON",
            )?;
            ok(
                sys::napi_get_named_property(env, json, c"parse".as_ptr(), &mut parse),
                "parse",
            )?;
            let arg = String::to_napi_value(env, text)?;
            ok(
                sys::napi_call_function(env, json, parse, 1, &arg, &mut out),
                "call",
            )?;
        }
        Ok(out)
    }
}

impl FromNapiValue for Json {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: forwarded unchanged from napi's own conversion of this argument.
        unsafe { Value::from_napi_value(env, v) }.map(Json)
    }
}

/// A finished scan (API.md §4): opportunities in the original camelCase schema.
#[napi(object)]
#[derive(Clone)]
pub struct ScanResult {
    /// UUID of the scan.
    pub scan_id: String,
    /// When it ran (ISO-8601, UTC).
    pub scan_timestamp: String,
    /// `"strict"` or `"relaxed"`.
    pub filter_mode: String,
    /// Ranked opportunities (original-system.md §10.1).
    #[napi(ts_type = "Array<Record<string, any>>")]
    pub opportunities: Json,
    /// Contracts analysed after liquidity filtering (exact below 2^53).
    pub total_evaluated: f64,
    /// Symbols that returned data.
    pub symbols_scanned: Vec<String>,
    /// Wall time, seconds.
    pub scan_duration_seconds: f64,
    /// Counts, provenance and diagnostics (original-system.md §10.2 plus optscan fields).
    #[napi(ts_type = "Record<string, any>")]
    pub metadata: Json,
}

fn take_str(v: &mut serde_json::Map<String, Value>, key: &str) -> String {
    match v.remove(key) {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

impl ScanResult {
    /// Convert a core result (through its canonical JSON, so strings match `toJson`).
    pub fn from_core(r: &CoreResult) -> scanner_core::Result<Self> {
        let Value::Object(mut m) = serde_json::to_value(r)
            .map_err(|e| scanner_core::Error::internal(format!("serialising scan: {e}")))?
        else {
            return Err(scanner_core::Error::internal(
                "scan result is not an object",
            ));
        };
        let arr = |v: Option<Value>| match v {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        Ok(Self {
            scan_id: take_str(&mut m, "scanId"),
            scan_timestamp: take_str(&mut m, "scanTimestamp"),
            filter_mode: take_str(&mut m, "filterMode"),
            opportunities: Json(Value::Array(arr(m.remove("opportunities")))),
            total_evaluated: r.total_evaluated as f64,
            symbols_scanned: r.symbols_scanned.clone(),
            scan_duration_seconds: r.scan_duration_seconds,
            metadata: Json(m.remove("metadata").unwrap_or(Value::Null)),
        })
    }

    /// Rebuild the core result; fields that do not parse give `InvalidInput`.
    pub fn to_core(&self) -> scanner_core::Result<CoreResult> {
        let n = self.total_evaluated;
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0) {
            return Err(scanner_core::Error::invalid_input(format!(
                "totalEvaluated must be a whole number >= 0, got {n}"
            )));
        }
        let doc = serde_json::json!({
            "scanId": self.scan_id,
            "scanTimestamp": self.scan_timestamp,
            "filterMode": self.filter_mode,
            "opportunities": self.opportunities.0,
            "totalEvaluated": n as u64,
            "symbolsScanned": self.symbols_scanned,
            "scanDurationSeconds": self.scan_duration_seconds,
            "metadata": self.metadata.0,
        });
        serde_json::from_value(doc)
            .map_err(|e| scanner_core::Error::invalid_input(format!("not a scan result: {e}")))
    }
}

/// Scan configuration (API.md §4): every core setting, camelCase (snake_case also read),
/// all optional, defaults from the core (`scanConfigDefaults()`), validated by the core's
/// one parser — unknown keys fail with the closest known one. The nested groups may be
/// given in part.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScanConfigInit {
    /// `"strict"` (default), `"relaxed"` or `"both"` (use `scanAll` for both).
    pub filter_mode: Option<String>,
    /// Scan at most this many symbols per run (all).
    pub max_symbols: Option<u32>,
    /// Opportunities returned per mode (20).
    pub max_results: Option<u32>,
    /// Opportunities kept per symbol (5).
    pub max_per_symbol: Option<u32>,
    /// Daily sessions of history per symbol (365).
    pub lookback_sessions: Option<u32>,
    /// Continuous risk-free rate (0.045).
    pub risk_free_rate: Option<f64>,
    /// Nearest expirations analysed per symbol (6).
    pub max_expirations: Option<u32>,
    /// Strict liquidity gate (`{minVolume, minOpenInterest, minPrice}`).
    #[napi(ts_type = "{ minVolume?: number; minOpenInterest?: number; minPrice?: number }")]
    pub strict_liquidity: Option<Json>,
    /// Relaxed liquidity gate (`{minVolume, minOpenInterest, minPrice}`).
    #[napi(ts_type = "{ minVolume?: number; minOpenInterest?: number; minPrice?: number }")]
    pub relaxed_liquidity: Option<Json>,
    /// Contracts kept per symbol by volume before analysis (150).
    pub top_by_volume: Option<u32>,
    /// Per-contract gates (`minScore`, `minProbabilityPct`, …).
    #[napi(ts_type = "Record<string, number>")]
    pub gates: Option<Json>,
    /// Institutional ranking gates (`minProbability`, …).
    #[napi(ts_type = "Record<string, number>")]
    pub institutional: Option<Json>,
    /// Concurrent symbol fetches (8).
    pub fetch_concurrency: Option<u32>,
    /// Deadline for fetching one symbol, seconds (30).
    pub symbol_deadline_secs: Option<f64>,
    /// Portfolio size for sizing examples.
    pub portfolio_size: Option<f64>,
    /// Daily contract budget for sizing.
    pub daily_contract_budget: Option<f64>,
    /// Run backtest validation per candidate (true).
    pub backtest: Option<bool>,
    /// Backtest take-profit fraction (0.5).
    pub take_profit: Option<f64>,
    /// Backtest stop-loss fraction (0.5).
    pub stop_loss: Option<f64>,
    /// Backtest lookback, sessions (252).
    pub backtest_lookback_sessions: Option<u32>,
    /// Volatility window of backtest entries, sessions (20).
    pub backtest_vol_window: Option<u32>,
    /// Swing signal and directional filter (true).
    pub signals: Option<bool>,
}

/// A JS config object through the core's one parser (`null`/`undefined` keep defaults).
pub fn config_from_js(doc: Option<Json>) -> Result<ScanConfig, JsError> {
    let mut v = doc
        .map(|d| d.0)
        .unwrap_or(Value::Object(Default::default()));
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| !x.is_null());
    }
    ScanConfig::from_value(v).js()
}

/// A progress callback: receives each `ScanEvent` as a plain object (`{event: "stage" |
/// "symbol" | "finished", …}`), called without blocking the scan.
pub type ProgressCallback = ThreadsafeFunction<Value, (), Value, Status, false>;

/// Options of one scan.
#[napi(object, object_to_js = false)]
pub struct ScanOptions {
    /// Scan exactly these symbols instead of the source's universe.
    pub symbols: Option<Vec<String>>,
    /// The scan instant (ISO-8601; default: the source's asOf, else now).
    pub as_of: Option<String>,
    /// Progress callback.
    #[napi(ts_type = "(event: Record<string, any>) => void")]
    pub on_progress: Option<ProgressCallback>,
}

/// Runs scans over one source with one configuration.
#[napi]
pub struct Scanner {
    pub(crate) inner: core::Scanner,
    pub(crate) as_of: Option<chrono::DateTime<chrono::Utc>>,
}

#[napi]
impl Scanner {
    /// A scanner over `source`; throws `InvalidInput` for a bad configuration.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "source: SyntheticMarket | CsvMarket | MemoryMarket | YahooMarket | PolygonMarket | TradierMarket | MarketDataSource, config?: ScanConfigInit"
    )]
    pub fn new(env: &Env, source: Unknown<'_>, config: Option<Json>) -> Result<Self, JsError> {
        let source = SourceArg::from_js(env, &source)?;
        let cfg = config_from_js(config)?;
        let inner = core::Scanner::new(source.inner, cfg).js()?;
        Ok(Self {
            inner,
            as_of: source.as_of,
        })
    }

    /// The filter mode(s) this scanner produces: `"strict"`, `"relaxed"` or `"both"`.
    #[napi(getter)]
    pub fn filter_mode(&self) -> String {
        self.inner.config().filter_mode.as_str().to_owned()
    }

    /// Every setting in use, as a camelCase object (what `new Scanner(src, config)` reads).
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn config(&self) -> Json {
        Json(serde_json::to_value(self.inner.config()).unwrap_or_default())
    }

    /// Run one scan (strict or relaxed) off the event loop; rejects with `code` on failure.
    #[napi(catch_unwind, ts_return_type = "Promise<ScanResult>")]
    pub fn scan<'env>(
        &self,
        env: &'env Env,
        options: Option<ScanOptions>,
    ) -> Result<PromiseRaw<'env, ScanResult>, JsError> {
        if self.inner.config().filter_mode == ModeSelection::Both {
            return Err(invalid(
                "filterMode \"both\" yields two results: use scanAll()",
            ));
        }
        let fut = self.run(options)?;
        promise(
            env,
            async move {
                fut.await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| scanner_core::Error::internal("scan produced no result"))
            },
            |r| r,
        )
        .map_err(crate::error::from_napi)
    }

    /// Run a scan and return every mode's result (two for `"both"`).
    #[napi(catch_unwind, ts_return_type = "Promise<ScanResult[]>")]
    pub fn scan_all<'env>(
        &self,
        env: &'env Env,
        options: Option<ScanOptions>,
    ) -> Result<PromiseRaw<'env, Vec<ScanResult>>, JsError> {
        let fut = self.run(options)?;
        promise(env, fut, |r| r).map_err(crate::error::from_napi)
    }
}

impl Scanner {
    fn run(
        &self,
        options: Option<ScanOptions>,
    ) -> Result<impl std::future::Future<Output = scanner_core::Result<Vec<ScanResult>>>, JsError>
    {
        let o = options.unwrap_or(ScanOptions {
            symbols: None,
            as_of: None,
            on_progress: None,
        });
        let as_of = match o.as_of.as_deref() {
            Some(s) => Some(parse_instant(s)?),
            None => self.as_of,
        };
        let progress: Option<ProgressFn> = o.on_progress.map(|tsfn| {
            let tsfn = Arc::new(tsfn);
            Arc::new(move |e: &core::ScanEvent| {
                if let Ok(v) = serde_json::to_value(e) {
                    tsfn.call(v, ThreadsafeFunctionCallMode::NonBlocking);
                }
            }) as ProgressFn
        });
        let req = ScanRequest {
            symbols: o.symbols,
            as_of,
            progress,
            ..ScanRequest::default()
        };
        let scanner = self.inner.clone();
        Ok(async move {
            let out = scanner.run(req).await?;
            out.results.iter().map(ScanResult::from_core).collect()
        })
    }
}
