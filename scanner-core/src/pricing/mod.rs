//! Black–Scholes–Merton pricing with a continuous dividend yield: value, every raw greek,
//! the trader view, implied volatility, and their batch (structure-of-arrays) forms.
//!
//! Raw greeks are plain partial derivatives (API.md §1): `theta = −∂V/∂T` per year, vega
//! and rho per 1.00; [`Greeks::trader`] gives the per-day / per-point JSON units.

mod batch;
mod greeks;
mod iv;
mod iv_batch;
mod limits;
mod normal;
mod simd;
mod split;
mod trader;

pub use batch::{bsm_batch, bsm_batch_into, BsmBatch, GreeksColumns, GREEK_NAMES};
pub use greeks::{bsm, Greeks};
pub use iv::{implied_vol, IvSolution, IvStatus};
pub use iv_batch::{implied_vol_batch, IvBatch};
pub use normal::{norm_cdf, norm_pdf};
pub use trader::{TraderGreeks, DAYS_PER_YEAR};

/// The instruction-set path the batch APIs ([`bsm_batch`], [`implied_vol_batch`]) run on in
/// this process: `"avx512"`, `"avx2"` or `"scalar"`. The best path the CPU supports, unless
/// the environment variable `OPTSCAN_SIMD` names another supported one.
///
/// ```
/// let path = scanner_core::pricing::simd_path();
/// assert!(["avx512", "avx2", "scalar"].contains(&path));
/// ```
pub fn simd_path() -> &'static str {
    simd::active().name()
}

use crate::model::OptionKind;

/// BSM value per share of a European option. Inputs are assumed valid (spot, strike > 0,
/// years, vol ≥ 0); at `years == 0` or `vol == 0` the value is the discounted forward
/// intrinsic value.
///
/// ```
/// use scanner_core::{model::OptionKind, pricing::bsm_price};
/// let v = bsm_price(OptionKind::Call, 100.0, 100.0, 0.5, 0.05, 0.02, 0.25);
/// assert!((v - 7.683040827874606).abs() < 1e-12);
/// ```
pub fn bsm_price(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> f64 {
    let df_r = (-rate * years).exp();
    let df_q = (-dividend_yield * years).exp();
    let sd = vol * years.sqrt();
    let w = kind.sign();
    if sd <= 0.0 {
        return (w * (spot * df_q - strike * df_r)).max(0.0);
    }
    let d1 = ((spot / strike).ln() + (rate - dividend_yield) * years) / sd + 0.5 * sd;
    let d2 = d1 - sd;
    w * (spot * df_q * norm_cdf(w * d1) - strike * df_r * norm_cdf(w * d2))
}
