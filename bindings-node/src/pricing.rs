//! Vectorised option math on `Float64Array`s: `blackScholes` and `impliedVolatility`.
//!
//! Inputs are typed arrays or plain numbers broadcast together (a length-1 array or a
//! number stretches to the common length); outputs are fresh `Float64Array`s. The Promise
//! forms run on the libuv thread pool so a large batch never blocks the event loop; the
//! `…Sync` forms exist for small batches. Invalid rows give NaN (status 4), as in the core.

use std::borrow::Cow;

use napi::bindgen_prelude::{AsyncTask, Either, Either3, Float64Array, Int8Array, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use scanner_core::pricing::{implied_vol_batch, BsmBatch, GreeksColumns, IvBatch, IvStatus};

use crate::error::{invalid, IntoJs, JsError, JsResult};

/// A numeric argument: a `Float64Array` or one number for every row.
type Num = Either<Float64Array, f64>;
/// The option type: a boolean, `"call"`/`"put"`, or a `Uint8Array` (1 = call, 0 = put).
type Kind = Either3<bool, String, Uint8Array>;

/// Arguments of [`black_scholes`]: every field broadcast against the others.
#[napi(object, object_to_js = false)]
pub struct BlackScholesInput {
    /// `true`/`"call"`/1 for calls, `false`/`"put"`/0 for puts.
    #[napi(ts_type = "boolean | \"call\" | \"put\" | Uint8Array")]
    pub is_call: Kind,
    /// Underlying price.
    #[napi(ts_type = "Float64Array | number")]
    pub spot: Num,
    /// Strike.
    #[napi(ts_type = "Float64Array | number")]
    pub strike: Num,
    /// Calendar years to expiry.
    #[napi(ts_type = "Float64Array | number")]
    pub years: Num,
    /// Continuous risk-free rate (0.045 = 4.5%).
    #[napi(ts_type = "Float64Array | number")]
    pub rate: Num,
    /// Annual volatility.
    #[napi(ts_type = "Float64Array | number")]
    pub vol: Num,
    /// Continuous dividend yield (default 0).
    #[napi(ts_type = "Float64Array | number")]
    pub dividend_yield: Option<Num>,
}

/// Arguments of [`implied_volatility`]: every field broadcast against the others.
#[napi(object, object_to_js = false)]
pub struct ImpliedVolatilityInput {
    /// Option price per share.
    #[napi(ts_type = "Float64Array | number")]
    pub price: Num,
    /// `true`/`"call"`/1 for calls, `false`/`"put"`/0 for puts.
    #[napi(ts_type = "boolean | \"call\" | \"put\" | Uint8Array")]
    pub is_call: Kind,
    /// Underlying price.
    #[napi(ts_type = "Float64Array | number")]
    pub spot: Num,
    /// Strike.
    #[napi(ts_type = "Float64Array | number")]
    pub strike: Num,
    /// Calendar years to expiry.
    #[napi(ts_type = "Float64Array | number")]
    pub years: Num,
    /// Continuous risk-free rate.
    #[napi(ts_type = "Float64Array | number")]
    pub rate: Num,
    /// Continuous dividend yield (default 0).
    #[napi(ts_type = "Float64Array | number")]
    pub dividend_yield: Option<Num>,
}

/// Price and raw greeks, one `Float64Array` per quantity (API.md §1 conventions).
#[napi(object, object_from_js = false)]
pub struct Greeks {
    /// Value per share.
    pub price: Float64Array,
    /// ∂V/∂S.
    pub delta: Float64Array,
    /// ∂²V/∂S².
    pub gamma: Float64Array,
    /// ∂V/∂σ per 1.00 of vol.
    pub vega: Float64Array,
    /// −∂V/∂T per year.
    pub theta: Float64Array,
    /// ∂V/∂r.
    pub rho: Float64Array,
    /// ∂V/∂q.
    pub epsilon: Float64Array,
    /// ∂²V/∂S∂σ.
    pub vanna: Float64Array,
    /// −∂Δ/∂T.
    pub charm: Float64Array,
    /// ∂²V/∂σ².
    pub vomma: Float64Array,
    /// ∂³V/∂S³.
    pub speed: Float64Array,
    /// ∂Γ/∂σ.
    pub zomma: Float64Array,
    /// −∂Γ/∂T.
    pub color: Float64Array,
    /// ∂³V/∂σ³.
    pub ultima: Float64Array,
    /// Δ·S/V.
    pub lambda: Float64Array,
    /// N(±d2).
    pub prob_itm: Float64Array,
}

impl From<GreeksColumns> for Greeks {
    fn from(c: GreeksColumns) -> Self {
        Self {
            price: c.price.into(),
            delta: c.delta.into(),
            gamma: c.gamma.into(),
            vega: c.vega.into(),
            theta: c.theta.into(),
            rho: c.rho.into(),
            epsilon: c.epsilon.into(),
            vanna: c.vanna.into(),
            charm: c.charm.into(),
            vomma: c.vomma.into(),
            speed: c.speed.into(),
            zomma: c.zomma.into(),
            color: c.color.into(),
            ultima: c.ultima.into(),
            lambda: c.lambda.into(),
            prob_itm: c.prob_itm.into(),
        }
    }
}

/// Implied volatilities with a status code per row (see [`iv_status_names`]).
#[napi(object, object_from_js = false)]
pub struct ImpliedVolatilityResult {
    /// Annual volatility, NaN unless the status is 0 (ok).
    pub vol: Float64Array,
    /// 0 ok, 1 below intrinsic, 2 above maximum, 3 no time value, 4 invalid input.
    pub status: Int8Array,
}

/// Names of the implied-volatility status codes, indexed by code (`["ok", …]`).
#[napi]
pub fn iv_status_names() -> Vec<String> {
    [
        IvStatus::Ok,
        IvStatus::BelowIntrinsic,
        IvStatus::AboveMaximum,
        IvStatus::NoTimeValue,
        IvStatus::InvalidInput,
    ]
    .iter()
    .map(|s| s.as_str().to_owned())
    .collect()
}

fn num_len(n: &Num) -> usize {
    match n {
        Either::A(a) => a.len(),
        Either::B(_) => 1,
    }
}

fn kind_len(k: &Kind) -> usize {
    match k {
        Either3::C(a) => a.len(),
        _ => 1,
    }
}

/// The broadcast length of arguments of lengths `lens` (1 stretches), or an error naming
/// the first argument that fits neither.
fn broadcast(lens: &[(&str, usize)]) -> JsResult<usize> {
    let n = lens
        .iter()
        .map(|(_, l)| *l)
        .filter(|&l| l != 1)
        .max()
        .unwrap_or(1);
    for (name, l) in lens {
        if *l != 1 && *l != n {
            return Err(invalid(format!(
                "{name} has length {l}, expected 1 or {n} (arrays must broadcast)"
            )));
        }
    }
    Ok(n)
}

/// A column of length `n`: borrowed when it already has that length.
fn column(v: &Num, n: usize) -> Cow<'_, [f64]> {
    match v {
        Either::A(a) if a.len() == n => Cow::Borrowed(&a[..]),
        Either::A(a) => Cow::Owned(vec![a.first().copied().unwrap_or(f64::NAN); n]),
        Either::B(x) => Cow::Owned(vec![*x; n]),
    }
}

fn kinds(k: &Kind, n: usize) -> JsResult<Vec<bool>> {
    let one = |b: bool| Ok(vec![b; n]);
    match k {
        Either3::A(b) => one(*b),
        Either3::B(s) => one(s.parse::<scanner_core::model::OptionKind>().js()?
            == scanner_core::model::OptionKind::Call),
        Either3::C(a) => {
            let flags = a
                .iter()
                .map(|&v| match v {
                    1 => Ok(true),
                    0 => Ok(false),
                    v => Err(invalid(format!("isCall entries must be 0 or 1, got {v}"))),
                })
                .collect::<JsResult<Vec<bool>>>()?;
            Ok(if flags.len() == n {
                flags
            } else {
                vec![flags[0]; n]
            })
        }
    }
}

/// Owned, broadcast inputs of one batch, ready to run off the JS thread.
pub struct Columns {
    is_call: Vec<bool>,
    cols: Vec<Vec<f64>>,
}

fn collect(kind: &Kind, named: &[(&str, &Num)]) -> JsResult<Columns> {
    let mut lens = vec![("isCall", kind_len(kind))];
    lens.extend(named.iter().map(|(name, v)| (*name, num_len(v))));
    let n = broadcast(&lens)?;
    Ok(Columns {
        is_call: kinds(kind, n)?,
        cols: named
            .iter()
            .map(|(_, v)| column(v, n).into_owned())
            .collect(),
    })
}

fn bs_columns(input: &BlackScholesInput) -> JsResult<Columns> {
    let q = input.dividend_yield.as_ref().unwrap_or(&Either::B(0.0));
    collect(
        &input.is_call,
        &[
            ("spot", &input.spot),
            ("strike", &input.strike),
            ("years", &input.years),
            ("rate", &input.rate),
            ("dividendYield", q),
            ("vol", &input.vol),
        ],
    )
}

fn iv_columns(input: &ImpliedVolatilityInput) -> JsResult<Columns> {
    let q = input.dividend_yield.as_ref().unwrap_or(&Either::B(0.0));
    collect(
        &input.is_call,
        &[
            ("price", &input.price),
            ("spot", &input.spot),
            ("strike", &input.strike),
            ("years", &input.years),
            ("rate", &input.rate),
            ("dividendYield", q),
        ],
    )
}

fn run_bs(c: &Columns) -> scanner_core::Result<GreeksColumns> {
    let [s, k, t, r, q, v] = [0, 1, 2, 3, 4, 5].map(|i| c.cols[i].as_slice());
    let input = BsmBatch {
        is_call: &c.is_call,
        spot: s,
        strike: k,
        years: t,
        rate: r,
        dividend_yield: q,
        vol: v,
    };
    // Fresh columns written once by the kernel (no NaN fill first).
    GreeksColumns::compute(&input)
}

fn run_iv(c: &Columns) -> scanner_core::Result<(Vec<f64>, Vec<i8>)> {
    let [p, s, k, t, r, q] = [0, 1, 2, 3, 4, 5].map(|i| c.cols[i].as_slice());
    let input = IvBatch {
        price: p,
        is_call: &c.is_call,
        spot: s,
        strike: k,
        years: t,
        rate: r,
        dividend_yield: q,
    };
    let n = c.is_call.len();
    let (mut vol, mut status) = (vec![f64::NAN; n], vec![IvStatus::Ok; n]);
    implied_vol_batch(&input, &mut vol, &mut status)?;
    Ok((vol, status.iter().map(|s| s.code()).collect()))
}

/// Black–Scholes–Merton price and every raw greek, on the calling thread.
#[napi(catch_unwind)]
pub fn black_scholes_sync(input: BlackScholesInput) -> Result<Greeks, JsError> {
    run_bs(&bs_columns(&input)?).map(Greeks::from).js()
}

/// Implied volatility with per-row status, on the calling thread.
#[napi(catch_unwind)]
pub fn implied_volatility_sync(
    input: ImpliedVolatilityInput,
) -> Result<ImpliedVolatilityResult, JsError> {
    let (vol, status) = run_iv(&iv_columns(&input)?).js()?;
    Ok(ImpliedVolatilityResult {
        vol: vol.into(),
        status: status.into(),
    })
}

/// Background job of [`black_scholes`].
pub struct BlackScholesTask(Columns);

impl Task for BlackScholesTask {
    type Output = GreeksColumns;
    type JsValue = Greeks;
    fn compute(&mut self) -> napi::Result<GreeksColumns> {
        run_bs(&self.0).map_err(|e| napi::Error::from_reason(e.to_string()))
    }
    fn resolve(&mut self, _env: Env, out: GreeksColumns) -> napi::Result<Greeks> {
        Ok(out.into())
    }
}

/// Background job of [`implied_volatility`].
pub struct ImpliedVolatilityTask(Columns);

impl Task for ImpliedVolatilityTask {
    type Output = (Vec<f64>, Vec<i8>);
    type JsValue = ImpliedVolatilityResult;
    fn compute(&mut self) -> napi::Result<Self::Output> {
        run_iv(&self.0).map_err(|e| napi::Error::from_reason(e.to_string()))
    }
    fn resolve(&mut self, _env: Env, (vol, status): Self::Output) -> napi::Result<Self::JsValue> {
        Ok(ImpliedVolatilityResult {
            vol: vol.into(),
            status: status.into(),
        })
    }
}

/// Black–Scholes–Merton price and every raw greek, computed on the libuv thread pool.
/// Shape errors throw at once with `code: "InvalidInput"`.
#[napi(catch_unwind, ts_return_type = "Promise<Greeks>")]
pub fn black_scholes(input: BlackScholesInput) -> Result<AsyncTask<BlackScholesTask>, JsError> {
    Ok(AsyncTask::new(BlackScholesTask(bs_columns(&input)?)))
}

/// Implied volatility (NaN where none) with per-row status, on the libuv thread pool.
#[napi(catch_unwind, ts_return_type = "Promise<ImpliedVolatilityResult>")]
pub fn implied_volatility(
    input: ImpliedVolatilityInput,
) -> Result<AsyncTask<ImpliedVolatilityTask>, JsError> {
    Ok(AsyncTask::new(ImpliedVolatilityTask(iv_columns(&input)?)))
}
