//! Implied volatility with an explicit reason when there is none, because market quotes are
//! often below intrinsic, above the no-arbitrage maximum or pure intrinsic, and a bare NaN
//! hides which (the most common complaint against existing IV libraries).
//!
//! The inversion itself is Jäckel's "Let's Be Rational" from the `implied-vol` crate, applied
//! to the undiscounted price on the forward `F = S·e^{(r−q)T}`, which is how dividends enter.

use implied_vol::{DefaultSpecialFn, ImpliedBlackVolatility};
use serde::{Deserialize, Serialize};

use crate::model::OptionKind;
use crate::{Error, Result};

/// Why an implied volatility was or was not found. The `i8` codes are stable (bindings
/// return them as int8 arrays).
#[repr(i8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IvStatus {
    /// A finite, positive volatility reproduces the price.
    #[default]
    Ok = 0,
    /// The price is below the discounted forward intrinsic value `e^{−rT}·max(±(F−K), 0)`.
    BelowIntrinsic = 1,
    /// The price is at or above the σ → ∞ limit (`S·e^{−qT}` for calls, `K·e^{−rT}` for
    /// puts), or above intrinsic at expiry.
    AboveMaximum = 2,
    /// The price equals intrinsic value (to rounding), so every small volatility fits.
    NoTimeValue = 3,
    /// An input was out of domain (S ≤ 0, K ≤ 0, years < 0, price < 0, non-finite).
    InvalidInput = 4,
}

impl IvStatus {
    /// The stable name: `"ok"`, `"below_intrinsic"`, `"above_maximum"`, `"no_time_value"`,
    /// `"invalid_input"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IvStatus::Ok => "ok",
            IvStatus::BelowIntrinsic => "below_intrinsic",
            IvStatus::AboveMaximum => "above_maximum",
            IvStatus::NoTimeValue => "no_time_value",
            IvStatus::InvalidInput => "invalid_input",
        }
    }

    /// The stable `i8` code (0 = ok … 4 = invalid input).
    pub fn code(self) -> i8 {
        self as i8
    }
}

/// Result of an implied-volatility inversion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IvSolution {
    /// Annual implied volatility; NaN unless `status` is [`IvStatus::Ok`].
    pub vol: f64,
    /// Why the volatility is (or is not) available.
    pub status: IvStatus,
}

impl IvSolution {
    fn fail(status: IvStatus) -> Self {
        Self {
            vol: f64::NAN,
            status,
        }
    }
}

/// The Black–Scholes–Merton volatility that reproduces `price` (per share).
///
/// Quotes outside the attainable range are not errors: they come back with a status and a
/// NaN volatility.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `price < 0`, `spot <= 0`,
/// `strike <= 0`, `years < 0` or any input is not finite.
///
/// ```
/// use scanner_core::{model::OptionKind, pricing::{implied_vol, IvStatus}};
/// let iv = implied_vol(5.87602423383, OptionKind::Call, 100.0, 100.0, 0.5, 0.01, 0.0)?;
/// assert_eq!(iv.status, IvStatus::Ok);
/// assert!((iv.vol - 0.2).abs() < 1e-10);
/// let below = implied_vol(1.0, OptionKind::Call, 120.0, 100.0, 0.5, 0.01, 0.0)?;
/// assert_eq!(below.status, IvStatus::BelowIntrinsic);
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn implied_vol(
    price: f64,
    kind: OptionKind,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
) -> Result<IvSolution> {
    let sol = iv_unchecked(
        price,
        kind == OptionKind::Call,
        spot,
        strike,
        years,
        rate,
        dividend_yield,
    );
    if sol.status == IvStatus::InvalidInput {
        return Err(Error::invalid_input(format!(
            "implied_vol needs price >= 0, spot > 0, strike > 0, years >= 0, all finite; got \
             price={price}, spot={spot}, strike={strike}, years={years}, rate={rate}, \
             dividend_yield={dividend_yield}"
        )));
    }
    Ok(sol)
}

/// The kernel behind [`implied_vol`] and the batch API; never fails, reports
/// [`IvStatus::InvalidInput`] instead.
#[inline]
pub(crate) fn iv_unchecked(
    price: f64,
    is_call: bool,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
) -> IvSolution {
    let valid = price >= 0.0
        && spot > 0.0
        && strike > 0.0
        && years >= 0.0
        && price.is_finite()
        && spot.is_finite()
        && strike.is_finite()
        && years.is_finite()
        && rate.is_finite()
        && dividend_yield.is_finite();
    if !valid {
        return IvSolution::fail(IvStatus::InvalidInput);
    }
    let forward = spot * ((rate - dividend_yield) * years).exp();
    let undiscounted = price * (rate * years).exp();
    let (intrinsic, maximum) = if is_call {
        ((forward - strike).max(0.0), forward)
    } else {
        ((strike - forward).max(0.0), strike)
    };
    // Rounding noise of `F − K`: a few ulps of the larger of F and K. It only blurs the
    // time value when the option is in the money or at it; clearly out of the money the
    // intrinsic value is exactly 0 and any positive price, however small, is time value.
    let rounding = 8.0 * f64::EPSILON * forward.max(strike);
    let tol = if intrinsic > 0.0 || (forward - strike).abs() <= rounding {
        rounding
    } else {
        0.0
    };
    let time_value = undiscounted - intrinsic;
    if time_value < -tol {
        return IvSolution::fail(IvStatus::BelowIntrinsic);
    }
    if time_value <= tol {
        return IvSolution::fail(IvStatus::NoTimeValue);
    }
    if undiscounted >= maximum - rounding || years == 0.0 {
        return IvSolution::fail(IvStatus::AboveMaximum);
    }
    let solved = ImpliedBlackVolatility::builder()
        .option_price(undiscounted)
        .forward(forward)
        .strike(strike)
        .expiry(years)
        .is_call(is_call)
        .build()
        .and_then(|iv| iv.calculate::<DefaultSpecialFn>());
    match solved {
        Some(vol) if vol.is_finite() && vol > 0.0 => IvSolution {
            vol,
            status: IvStatus::Ok,
        },
        Some(vol) if vol.is_infinite() => IvSolution::fail(IvStatus::AboveMaximum),
        // The time value is positive but below what the solver can resolve.
        _ => IvSolution::fail(IvStatus::NoTimeValue),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_the_api_table() {
        let all = [
            (IvStatus::Ok, 0, "ok"),
            (IvStatus::BelowIntrinsic, 1, "below_intrinsic"),
            (IvStatus::AboveMaximum, 2, "above_maximum"),
            (IvStatus::NoTimeValue, 3, "no_time_value"),
            (IvStatus::InvalidInput, 4, "invalid_input"),
        ];
        for (s, code, name) in all {
            assert_eq!(s.code(), code);
            assert_eq!(s.as_str(), name);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn each_status_is_reachable() {
        use OptionKind::{Call, Put};
        let st = |p, k, s, t| implied_vol(p, k, s, 100.0, t, 0.05, 0.02).unwrap().status;
        // Deep ITM put worth less than its forward intrinsic (about 49.2 undiscounted).
        assert_eq!(st(10.0, Put, 50.0, 0.5), IvStatus::BelowIntrinsic);
        // Call worth more than the discounted stock.
        assert_eq!(st(101.0, Call, 100.0, 0.5), IvStatus::AboveMaximum);
        // Zero price for an OTM option: no time value.
        assert_eq!(st(0.0, Call, 80.0, 0.5), IvStatus::NoTimeValue);
        // Expired option priced at intrinsic.
        assert_eq!(st(5.0, Call, 105.0, 0.0), IvStatus::NoTimeValue);
        assert_eq!(st(6.0, Call, 105.0, 0.0), IvStatus::AboveMaximum);
        let err = implied_vol(-1.0, Call, 100.0, 100.0, 0.5, 0.05, 0.0).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    }

    /// Hull's implied-vol example (anchors §E #24): c = 1.875 → σ ≈ 0.2345.
    #[test]
    fn hull_example() {
        let iv = implied_vol(1.875, OptionKind::Call, 21.0, 20.0, 0.25, 0.10, 0.0).unwrap();
        assert_eq!(iv.status, IvStatus::Ok);
        assert!((iv.vol - 0.2345).abs() < 1e-4, "{}", iv.vol);
    }
}
