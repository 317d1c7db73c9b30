//! A source written in JS: any object `{ universe(), priceHistory(symbol, sessions, asOf),
//! optionChain(symbol, asOf) }` whose methods return values or Promises (arrays of plain
//! objects, objects of arrays or typed arrays). The engine's fetch stage calls it like any
//! core source — bounded concurrency, the per-symbol deadline — through thread-safe
//! functions: each call is queued onto the JS thread, the returned value (or the settled
//! Promise) is copied to JSON there, and everything else (tables, chains) happens on the
//! engine's threads, so the event loop only runs the user's code and one copy. A throw, a
//! rejection or a wrong shape fails that symbol with its reason, never the scan.

use std::cell::Cell;
use std::rc::Rc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use napi::bindgen_prelude::{
    CallbackContext, Env, FnArgs, FromNapiValue, Function, JsObjectValue, JsValuesTupleIntoVec,
    Object, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{JsValue, Status, ValueType};
use scanner_core::market::host::{history_window, ChainTable, Table};
use scanner_core::market::MarketData;
use scanner_core::model::{OptionChain, PriceHistory};
use scanner_core::{Error, ErrorKind, Result};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::error::{from_napi, invalid, JsError};

/// One method of the source object, bound to it, callable from any thread. Weak: a source
/// held by a `Scanner` does not keep the process alive.
type Method<A> = ThreadsafeFunction<A, Unknown<'static>, A, Status, false, true>;

/// A JS object used as a core [`MarketData`] source.
pub struct JsSource {
    name: String,
    universe: Method<()>,
    price_history: Method<FnArgs<(String, u32, String)>>,
    option_chain: Method<FnArgs<(String, String)>>,
}

/// The three method names, as a message lists them.
const METHODS: &str = "universe, priceHistory, optionChain";

impl JsSource {
    /// Wrap `obj`; `InvalidInput` when a method is missing. `obj.name` (a string), when
    /// present, is reported as the scan's `dataSource` (default `"js"`).
    pub fn new(obj: &Object<'_>) -> std::result::Result<Self, JsError> {
        let name = obj
            .get_named_property::<Unknown>("name")
            .ok()
            .filter(|n| n.get_type().ok() == Some(ValueType::String))
            .and_then(|n| unsafe { String::from_napi_value(n.value().env, n.raw()) }.ok())
            .unwrap_or_else(|| "js".to_owned());
        Ok(Self {
            name,
            universe: bind(obj, "universe")?,
            price_history: bind(obj, "priceHistory")?,
            option_chain: bind(obj, "optionChain")?,
        })
    }
}

/// `obj[name].bind(obj)` as a thread-safe function.
fn bind<A: 'static + JsValuesTupleIntoVec>(
    obj: &Object<'_>,
    name: &str,
) -> std::result::Result<Method<A>, JsError> {
    let f: Unknown = obj.get_named_property(name).map_err(from_napi)?;
    if f.get_type().map_err(from_napi)? != ValueType::Function {
        return Err(invalid(format!(
            "a market-data source needs a `{name}` method ({METHODS})"
        )));
    }
    // SAFETY: `f` is a live function value of this call (checked just above).
    let f = unsafe { Function::<A, Unknown>::from_napi_value(f.value().env, f.raw()) }
        .map_err(from_napi)?;
    f.bind(obj)
        .and_then(|b| {
            b.build_threadsafe_function::<A>()
                .callee_handled::<false>()
                .weak::<true>()
                .build()
        })
        .map_err(from_napi)
}

type Reply = oneshot::Sender<Result<Value>>;

/// Call `method` on the JS thread and wait for its value (awaiting a returned Promise).
async fn call<A: 'static + JsValuesTupleIntoVec>(
    method: &'static str,
    f: &Method<A>,
    args: A,
) -> Result<Value> {
    let (tx, rx) = oneshot::channel();
    let status = f.call_with_return_value(
        args,
        ThreadsafeFunctionCallMode::NonBlocking,
        move |ret, env| {
            settle(method, ret, &env, tx);
            Ok(())
        },
    );
    if status != Status::Ok {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!("{method}: the JS thread is not accepting calls ({status})"),
        ));
    }
    rx.await
        .map_err(|_| Error::internal(format!("{method}: the JS thread dropped the call")))?
}

/// On the JS thread: turn what the method returned (or threw) into the reply.
fn settle(method: &'static str, ret: napi::Result<Unknown<'static>>, env: &Env, tx: Reply) {
    let value = match ret {
        Err(e) => return send_once(&Cell::new(Some(tx)), Err(thrown(method, "threw", e))),
        Ok(v) => v,
    };
    let mut promise = false;
    // SAFETY: `value` is a live value of this callback.
    unsafe { napi::sys::napi_is_promise(env.raw(), value.raw(), &mut promise) };
    if !promise {
        return send_once(&Cell::new(Some(tx)), convert(method, &value));
    }
    let tx = Rc::new(Cell::new(Some(tx)));
    let (on_value, on_error) = (tx.clone(), tx.clone());
    // SAFETY: `value` is a live Promise of this callback.
    let attached = unsafe { PromiseRaw::<Unknown>::from_napi_value(env.raw(), value.raw()) }
        .and_then(|p| {
            p.then(move |ctx: CallbackContext<Unknown>| {
                send_once(&on_value, convert(method, &ctx.value));
                Ok(())
            })?
            .catch(move |ctx: CallbackContext<Unknown>| {
                let e = napi::Error::from_unknown_without_coercion(ctx.value);
                send_once(&on_error, Err(thrown(method, "rejected", e)));
                Ok(())
            })
            .map(|_| ())
        });
    if let Err(e) = attached {
        let e = Error::internal(format!(
            "{method}: could not await its Promise: {}",
            e.reason
        ));
        send_once(&tx, Err(e));
    }
}

fn send_once(tx: &Cell<Option<Reply>>, out: Result<Value>) {
    if let Some(tx) = tx.take() {
        // The receiver is gone when the deadline passed first: nothing to tell.
        let _ = tx.send(out);
    }
}

fn thrown(method: &str, how: &str, e: napi::Error) -> Error {
    let reason = if e.reason.is_empty() {
        "(no message)".to_owned()
    } else {
        e.reason
    };
    Error::new(ErrorKind::DataSource, format!("{method}() {how}: {reason}"))
}

fn convert(method: &str, v: &Unknown<'_>) -> Result<Value> {
    // SAFETY: `v` is a live value of the current JS-thread callback.
    unsafe { crate::js_json::to_json(v.value().env, v.raw()) }
        .map_err(|e| Error::invalid_input(format!("{method}() returned {e}")))
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[async_trait]
impl MarketData for JsSource {
    fn name(&self) -> &str {
        &self.name
    }

    /// The host application hands over both its histories and its chains.
    fn provenance(&self, _symbol: &str) -> Option<scanner_core::market::SymbolProvenance> {
        use scanner_core::market::{Origin, SymbolProvenance};
        Some(SymbolProvenance {
            chain: Origin::Host,
            history: Origin::Host,
        })
    }

    async fn universe(&self) -> Result<Vec<String>> {
        let v = call("universe", &self.universe, ()).await?;
        let bad = || Error::invalid_input("universe() must return an array of strings");
        match v {
            Value::Array(items) => items
                .into_iter()
                .map(|s| match s {
                    Value::String(s) => Ok(s),
                    _ => Err(bad()),
                })
                .collect(),
            _ => Err(bad()),
        }
    }

    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let n = u32::try_from(sessions).unwrap_or(u32::MAX);
        let args = FnArgs::from((symbol.to_owned(), n, iso(as_of)));
        let v = call("priceHistory", &self.price_history, args).await?;
        history_window(symbol, &Table::from_value(v)?, sessions, as_of)
    }

    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        let args = FnArgs::from((symbol.to_owned(), iso(as_of)));
        let v = call("optionChain", &self.option_chain, args).await?;
        ChainTable::from_value(v)?.into_chain(symbol, as_of)
    }
}

/// The shape of a JS source, for TypeScript (`new Scanner(source)` reads the object
/// directly; this type only describes it). `asOf` arrives as an ISO-8601 string; values
/// may be returned directly or as Promises.
#[napi_derive::napi(object, object_from_js = false, object_to_js = false)]
pub struct MarketDataSource {
    /// Reported as the scan's `dataSource` (default `"js"`).
    pub name: Option<String>,
    /// The symbols to scan.
    #[napi(ts_type = "() => string[] | Promise<string[]>")]
    pub universe: String,
    /// Daily bars up to `asOf`: records `[{date, open, high, low, close, volume}]` or
    /// columns `{date: [...], close: Float64Array, …}`.
    #[napi(
        ts_type = "(symbol: string, sessions: number, asOf: string) => object | Promise<object>"
    )]
    pub price_history: String,
    /// One chain: `{spot, asOf?, quotes: [{contractSymbol, strike, bid, ask, lastPrice,
    /// volume, openInterest, impliedVolatility, type, expiration}]}`.
    #[napi(ts_type = "(symbol: string, asOf: string) => object | Promise<object>")]
    pub option_chain: String,
}
