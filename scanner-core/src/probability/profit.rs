//! Probabilities and expected value of a long call or put held to expiry, under one
//! lognormal convention, because the original emitted two disagreeing PoPs, a timeless
//! touch probability and an unseeded Monte Carlo EV (original-system.md §6.2, §12).
//!
//! Model: `S_T = S·exp((μ − σ²/2)T + σ√T·Z)` where `μ` is the annual drift of the *price*
//! (`E[S_T] = S·e^{μT}`): `r − q` under [`Drift::RiskNeutral`], the caller's `mu` under
//! [`Drift::RealWorld`]. The log-price drift used for touching is `μ − σ²/2`.

use serde::{Deserialize, Serialize};

use super::touch::touch_probability;
use crate::model::OptionKind;
use crate::pricing::norm_cdf;
use crate::{Error, Result};

/// Which drift the price follows when probabilities are computed.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Drift {
    /// The risk-neutral drift `r − q` (the measure option prices imply).
    #[default]
    RiskNeutral,
    /// A real-world view: `mu` is the annual continuously compounded expected price growth,
    /// `E[S_T] = S·e^{mu·T}` (an arithmetic drift; the log-price drift is `mu − σ²/2`).
    RealWorld {
        /// Annual expected price growth rate.
        mu: f64,
    },
}

/// A long option position to analyse. Money is per share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionInput {
    /// Call or put.
    pub kind: OptionKind,
    /// Underlying price now.
    pub spot: f64,
    /// Strike.
    pub strike: f64,
    /// Premium paid per share.
    pub premium: f64,
    /// Calendar years to expiry.
    pub years: f64,
    /// Continuous risk-free rate.
    pub rate: f64,
    /// Continuous dividend yield.
    pub dividend_yield: f64,
    /// Annual volatility (usually the implied volatility).
    pub vol: f64,
    /// Drift convention of the probabilities and the expected value.
    pub drift: Drift,
}

/// Probabilities and payoff figures of a long option held to expiry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbabilityAnalysis {
    /// P(the position is worth more than its premium at expiry) = P(S_T beyond breakeven).
    pub probability_of_profit: f64,
    /// P(S_T beyond the strike).
    pub probability_itm: f64,
    /// P(the price reaches the breakeven, from the option's side, at some time before
    /// expiry); 1 when spot is already there.
    pub probability_touch_breakeven: f64,
    /// P(the price reaches the strike, from the option's side, before expiry); 1 when the
    /// option is already in the money.
    pub probability_touch_strike: f64,
    /// Breakeven price at expiry: call `K + premium`, put `K − premium` (may be ≤ 0).
    pub breakeven: f64,
    /// Signed move to breakeven as a fraction of spot, `(breakeven − S)/S`.
    pub required_move: f64,
    /// One standard deviation of the log return to expiry, `σ√T` (fraction of spot).
    pub expected_move_1sd: f64,
    /// Two standard deviations, `2σ√T`.
    pub expected_move_2sd: f64,
    /// Undiscounted `E[payoff at expiry] − premium` per share under the chosen drift.
    pub expected_value: f64,
    /// Largest possible loss per share (the premium).
    pub max_loss: f64,
    /// Largest possible gain per share; `None` means unbounded (calls). For puts `K − premium`.
    pub max_gain: Option<f64>,
}

/// Analyse a long call or put held to expiry.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `spot <= 0`,
/// `strike <= 0`, `premium < 0`, `years < 0`, `vol < 0` or an input is not finite.
///
/// ```
/// use scanner_core::model::OptionKind;
/// use scanner_core::probability::{analyze, Drift, PositionInput};
/// let a = analyze(&PositionInput {
///     kind: OptionKind::Call, spot: 100.0, strike: 105.0, premium: 2.5, years: 30.0 / 365.0,
///     rate: 0.045, dividend_yield: 0.0, vol: 0.3, drift: Drift::RiskNeutral,
/// })?;
/// assert_eq!(a.breakeven, 107.5);
/// assert!(a.probability_of_profit < a.probability_itm);
/// assert!(a.probability_touch_breakeven > a.probability_of_profit);
/// assert_eq!(a.max_gain, None);
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn analyze(input: &PositionInput) -> Result<ProbabilityAnalysis> {
    let PositionInput {
        kind,
        spot,
        strike,
        premium,
        years,
        rate,
        dividend_yield,
        vol,
        drift,
    } = *input;
    let mu = match drift {
        Drift::RiskNeutral => rate - dividend_yield,
        Drift::RealWorld { mu } => mu,
    };
    let valid = spot > 0.0
        && strike > 0.0
        && premium >= 0.0
        && years >= 0.0
        && vol >= 0.0
        && [spot, strike, premium, years, rate, dividend_yield, vol, mu]
            .iter()
            .all(|x| x.is_finite());
    if !valid {
        return Err(Error::invalid_input(format!(
            "analyze needs spot > 0, strike > 0, premium >= 0, years >= 0, vol >= 0, all \
             finite; got {input:?}"
        )));
    }
    let w = kind.sign();
    let log_drift = mu - 0.5 * vol * vol;
    let sd = vol * years.sqrt();
    let forward = spot * (mu * years).exp();
    let breakeven = strike + w * premium;

    // P(w·(S_T − level) > 0).
    let prob_beyond = |level: f64| -> f64 {
        if level <= 0.0 {
            return if w > 0.0 { 1.0 } else { 0.0 };
        }
        if sd == 0.0 {
            return if w * (forward - level) > 0.0 {
                1.0
            } else {
                0.0
            };
        }
        norm_cdf(w * ((spot / level).ln() + log_drift * years) / sd)
    };
    // P(touching `level` before expiry), where "touching" is in the option's favourable
    // direction: a level already at or beyond spot on that side counts as touched.
    let touch = |level: f64| -> f64 {
        if w * (spot - level) >= 0.0 {
            1.0
        } else {
            touch_probability(spot, level, years, log_drift, vol)
        }
    };
    let expected_payoff = if sd == 0.0 {
        kind.intrinsic(forward, strike)
    } else {
        let d1 = (forward / strike).ln() / sd + 0.5 * sd;
        let d2 = d1 - sd;
        (w * (forward * norm_cdf(w * d1) - strike * norm_cdf(w * d2))).max(0.0)
    };
    Ok(ProbabilityAnalysis {
        probability_of_profit: prob_beyond(breakeven),
        probability_itm: prob_beyond(strike),
        probability_touch_breakeven: touch(breakeven),
        probability_touch_strike: touch(strike),
        breakeven,
        required_move: (breakeven - spot) / spot,
        expected_move_1sd: sd,
        expected_move_2sd: 2.0 * sd,
        expected_value: expected_payoff - premium,
        max_loss: premium,
        max_gain: match kind {
            OptionKind::Call => None,
            OptionKind::Put => Some(strike - premium),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::bsm;

    fn position(kind: OptionKind, premium: f64) -> PositionInput {
        PositionInput {
            kind,
            spot: 100.0,
            strike: 95.0,
            premium,
            years: 0.25,
            rate: 0.045,
            dividend_yield: 0.01,
            vol: 0.35,
            drift: Drift::RiskNeutral,
        }
    }

    /// Risk-neutral: P(ITM) is the BSM `N(±d2)` and the undiscounted EV is the forward
    /// value of the BSM price minus the premium.
    #[test]
    fn risk_neutral_matches_bsm() {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let a = analyze(&position(kind, 3.0)).unwrap();
            let g = bsm(kind, 100.0, 95.0, 0.25, 0.045, 0.01, 0.35).unwrap();
            assert!((a.probability_itm - g.prob_itm).abs() < 1e-14);
            let fwd_value = g.price * (0.045f64 * 0.25).exp();
            assert!((a.expected_value - (fwd_value - 3.0)).abs() < 1e-12);
        }
    }

    /// A put whose premium exceeds the strike cannot profit; it must not error.
    #[test]
    fn put_breakeven_below_zero_is_zero_probability() {
        let a = analyze(&position(OptionKind::Put, 120.0)).unwrap();
        assert!(a.breakeven < 0.0);
        assert_eq!(a.probability_of_profit, 0.0);
        assert_eq!(a.probability_touch_breakeven, 0.0);
        assert_eq!(a.max_gain, Some(-25.0));
    }

    /// With a real-world drift the EV is `S·e^{μT}`-based: a big positive drift makes a
    /// call's EV larger than under the risk-neutral measure.
    #[test]
    fn real_world_drift_moves_ev() {
        let mut p = position(OptionKind::Call, 3.0);
        let rn = analyze(&p).unwrap();
        p.drift = Drift::RealWorld { mu: 0.30 };
        let rw = analyze(&p).unwrap();
        assert!(rw.expected_value > rn.expected_value);
        assert!(rw.probability_of_profit > rn.probability_of_profit);
    }

    #[test]
    fn invalid_input_is_typed() {
        let mut p = position(OptionKind::Call, -1.0);
        assert!(analyze(&p).is_err());
        p.premium = 1.0;
        p.vol = f64::NAN;
        assert_eq!(
            analyze(&p).unwrap_err().kind(),
            crate::ErrorKind::InvalidInput
        );
    }
}
