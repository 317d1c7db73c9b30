//! Price and every raw greek of a European option in one pass, because the scan needs all of
//! them for every contract and they share the expensive parts (`ln`, `exp`, `erfc`).
//!
//! Conventions are the plain partial derivatives of API.md §1: `theta = −∂V/∂T`,
//! `charm = −∂Δ/∂T`, `color = −∂Γ/∂T`, vega and rho per 1.00 of vol and rate.

use serde::{Deserialize, Serialize};

use super::limits::deterministic_limit;
use super::normal::{norm_cdf, norm_pdf};
use crate::model::OptionKind;
use crate::{Error, Result};

/// Black–Scholes–Merton value and raw greeks of one option, per share.
///
/// Every field is a plain partial derivative of the value `V(S, K, T, r, q, σ)` (API.md §1).
/// Use [`Greeks::trader`] for the per-day / per-point view shown in opportunity JSON.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Greeks {
    /// Value per share `V`.
    pub price: f64,
    /// `∂V/∂S`.
    pub delta: f64,
    /// `∂²V/∂S²`.
    pub gamma: f64,
    /// `∂V/∂σ`, per 1.00 of volatility.
    pub vega: f64,
    /// `−∂V/∂T`, per year: the value lost as one year of calendar time passes.
    pub theta: f64,
    /// `∂V/∂r`, per 1.00 of rate.
    pub rho: f64,
    /// `∂V/∂q`, per 1.00 of dividend yield.
    pub epsilon: f64,
    /// `∂²V/∂S∂σ`.
    pub vanna: f64,
    /// `−∂Δ/∂T`, per year.
    pub charm: f64,
    /// `∂²V/∂σ²`.
    pub vomma: f64,
    /// `∂³V/∂S³`.
    pub speed: f64,
    /// `∂Γ/∂σ`.
    pub zomma: f64,
    /// `−∂Γ/∂T`, per year.
    pub color: f64,
    /// `∂³V/∂σ³`.
    pub ultima: f64,
    /// Elasticity `Δ·S/V`; 0 when the value is 0 (no leverage is defined there).
    pub lambda: f64,
    /// Risk-neutral probability of finishing in the money, `N(±d2)`.
    pub prob_itm: f64,
}

/// Whether the inputs of a BSM evaluation are inside the model's domain.
#[inline]
pub(crate) fn inputs_valid(
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> bool {
    spot > 0.0
        && strike > 0.0
        && years >= 0.0
        && vol >= 0.0
        && spot.is_finite()
        && strike.is_finite()
        && years.is_finite()
        && vol.is_finite()
        && rate.is_finite()
        && dividend_yield.is_finite()
}

/// Price and all greeks of a European option under Black–Scholes–Merton with a continuous
/// dividend yield.
///
/// `years` is calendar time to expiry, `rate` and `dividend_yield` are continuous annual
/// decimals, `vol` is annual. At `years == 0` or `vol == 0` (in practice: `years` or `σ√T`
/// below 1e-150) the deterministic limit is returned (value = discounted forward intrinsic; first-order greeks of the linear payoff;
/// at the exact kink the midpoint, with the higher-order greeks, which are infinite there,
/// reported as 0).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `spot <= 0`,
/// `strike <= 0`, `vol < 0`, `years < 0` or any input is not finite.
///
/// ```
/// use scanner_core::{model::OptionKind, pricing::bsm};
/// let g = bsm(OptionKind::Call, 100.0, 100.0, 0.5, 0.05, 0.02, 0.25)?;
/// assert!((g.price - 7.683040827874606).abs() < 1e-12);
/// assert!((g.theta - -8.183380287196185).abs() < 1e-11);
/// assert!(bsm(OptionKind::Put, -1.0, 100.0, 0.5, 0.05, 0.0, 0.2).is_err());
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn bsm(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> Result<Greeks> {
    if !inputs_valid(spot, strike, years, rate, dividend_yield, vol) {
        return Err(Error::invalid_input(format!(
            "bsm needs spot > 0, strike > 0, years >= 0, vol >= 0, all finite; got \
             spot={spot}, strike={strike}, years={years}, rate={rate}, \
             dividend_yield={dividend_yield}, vol={vol}"
        )));
    }
    Ok(greeks_unchecked(
        kind == OptionKind::Call,
        spot,
        strike,
        years,
        rate,
        dividend_yield,
        vol,
    ))
}

/// The kernel behind [`bsm`] and the batch API; inputs must satisfy [`inputs_valid`].
/// Always inlined so the 17-field result is built in place instead of copied.
#[inline(always)]
pub(crate) fn greeks_unchecked(
    is_call: bool,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> Greeks {
    let w = if is_call { 1.0 } else { -1.0 };
    let df_r = (-rate * years).exp();
    let df_q = (-dividend_yield * years).exp();
    let sqrt_t = years.sqrt();
    let sd = vol * sqrt_t;
    // Below ~1e-150 the reciprocals below would overflow; the option is then at its
    // zero-variance limit to far beyond double precision anyway.
    if sd <= 1e-150 || years <= 1e-150 {
        return deterministic_limit(w, spot, strike, years, rate, dividend_yield, df_r, df_q);
    }
    let carry = rate - dividend_yield;
    // Divisions are the slowest arithmetic here: take three reciprocals once.
    let inv_vol = 1.0 / vol;
    let inv_sqrt_t = 1.0 / sqrt_t;
    let inv_spot = 1.0 / spot;
    let inv_sd = inv_vol * inv_sqrt_t;
    let d1 = ((spot / strike).ln() + carry * years) * inv_sd + 0.5 * sd;
    let d2 = d1 - sd;
    let nd1 = norm_cdf(w * d1);
    let nd2 = norm_cdf(w * d2);
    let pdf = norm_pdf(d1);
    // Polynomial factors of φ(d1): clamped so that for huge σ, where φ(d1) underflows to 0,
    // they stay finite and the φ-weighted greeks come out 0 rather than 0·∞ = NaN. The clamp
    // never binds where φ(d1) > 0.
    let (p1, p2) = (d1.clamp(-1e50, 1e50), d2.clamp(-1e50, 1e50));

    let spot_q = spot * df_q;
    let strike_r = strike * df_r;
    let price = (w * (spot_q * nd1 - strike_r * nd2)).max(0.0);
    let delta = w * df_q * nd1;
    let gamma = df_q * pdf * inv_spot * inv_sd;
    let vega = spot_q * pdf * sqrt_t;
    let theta = -0.5 * spot_q * pdf * vol * inv_sqrt_t + w * dividend_yield * spot_q * nd1
        - w * rate * strike_r * nd2;
    let rho = w * strike_r * years * nd2;
    let epsilon = -w * spot_q * years * nd1;
    let vanna = -df_q * pdf * p2 * inv_vol;
    // ∂d1/∂T = (2(r−q)T − d2·σ√T) / (2T·σ√T), shared by charm and color.
    let inv_t = inv_sqrt_t * inv_sqrt_t;
    let dd1_dt = (carry * years - 0.5 * p2 * sd) * inv_t * inv_sd;
    let charm = w * dividend_yield * df_q * nd1 - df_q * pdf * dd1_dt;
    let d1d2 = p1 * p2;
    let vomma = vega * d1d2 * inv_vol;
    let speed = -gamma * inv_spot * (1.0 + p1 * inv_sd);
    let zomma = gamma * (d1d2 - 1.0) * inv_vol;
    let color = gamma * (dividend_yield + 0.5 * inv_t + p1 * dd1_dt);
    let ultima = -vega * inv_vol * inv_vol * (d1d2 * (1.0 - d1d2) + p1 * p1 + p2 * p2);
    let lambda = if price > 0.0 {
        delta * spot / price
    } else {
        0.0
    };
    Greeks {
        price,
        delta,
        gamma,
        vega,
        theta,
        rho,
        epsilon,
        vanna,
        charm,
        vomma,
        speed,
        zomma,
        color,
        ultima,
        lambda,
        prob_itm: nd2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API.md §1 reference point: every value printed there, to 1e-12 relative.
    #[test]
    fn api_reference_point() {
        let g = bsm(OptionKind::Call, 100.0, 100.0, 0.5, 0.05, 0.02, 0.25).unwrap();
        let expect = [
            (g.price, 7.683040827874606),
            (g.delta, 0.5631097179260998),
            (g.gamma, 0.022010250159397168),
            (g.vega, 27.512812699246464),
            (g.theta, -8.183380287196185),
            (g.rho, 24.313965482367685),
            (g.epsilon, -28.155485896304988),
            (g.vanna, 0.005502562539849315),
            (g.charm, -0.05614419675463184),
            (g.vomma, -0.06740639111315412),
            (g.speed, -0.0004358029531560639),
            (g.zomma, -0.08809492575047918),
            (g.color, 0.02311103779549402),
            (g.ultima, -12.947364510607157),
            (g.lambda, 7.329255831663663),
            (g.prob_itm, 0.4985895289796125),
        ];
        for (i, (got, want)) in expect.iter().enumerate() {
            assert!(
                (got - want).abs() <= 1e-10 * want.abs().max(1e-3),
                "field {i}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn invalid_inputs_are_errors() {
        let bad = [
            (0.0, 100.0, 1.0, 0.2),
            (100.0, -1.0, 1.0, 0.2),
            (100.0, 100.0, -1.0, 0.2),
            (100.0, 100.0, 1.0, -0.2),
            (f64::NAN, 100.0, 1.0, 0.2),
            (100.0, 100.0, f64::INFINITY, 0.2),
        ];
        for (s, k, t, v) in bad {
            let err = bsm(OptionKind::Call, s, k, t, 0.05, 0.0, v).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn price_matches_existing_bsm_price() {
        for &(kind, s, k) in &[
            (OptionKind::Call, 80.0, 100.0),
            (OptionKind::Put, 120.0, 95.0),
        ] {
            let g = bsm(kind, s, k, 0.7, 0.03, 0.01, 0.4).unwrap();
            let p = super::super::bsm_price(kind, s, k, 0.7, 0.03, 0.01, 0.4);
            assert!((g.price - p).abs() < 1e-12);
        }
    }
}
