//! The real-world law at one horizon and one volatility forecast: what every contract of
//! one expiration of one symbol shares, computed once for all of them (the law, its scale,
//! and the spot growth at each quantile cell's midpoint that the expected value sums over).

use super::real_world::{beyond, cdf, HorizonLaw, P_FLOOR};
use super::{RealWorldModel, RealWorldProbabilities};
use crate::model::OptionKind;

/// A [`RealWorldModel`]'s law for one expiration at one volatility forecast.
///
/// ```
/// use scanner_core::model::OptionKind;
/// use scanner_core::probability::RealWorldModel;
/// let m = RealWorldModel::builtin();
/// let law = m.at_expiry(30, 0.25).unwrap();
/// for strike in [95.0, 100.0, 105.0] {
///     assert_eq!(
///         law.analyze(OptionKind::Call, 100.0, strike, 1.0),
///         m.analyze(OptionKind::Call, 100.0, strike, 1.0, 30, 0.25)
///     );
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ExpiryLaw<'a> {
    model: &'a RealWorldModel,
    law: &'a HorizonLaw,
    /// `σ·√T`: standardised outcomes to log returns.
    scale: f64,
    /// `exp(scale · midpoint)` of each quantile cell of the end law.
    growth: Vec<f64>,
}

impl RealWorldModel {
    /// The law whose horizon is nearest `days` and its scale `σ·√T` at `vol` (`None` when
    /// `vol` is not positive and finite, `days < 1`, or the model has no horizon).
    fn scaled(&self, days: i64, vol: f64) -> Option<(&HorizonLaw, f64)> {
        if !(vol.is_finite() && vol > 0.0 && days >= 1) {
            return None;
        }
        Some((self.law(days)?, vol * (days as f64 / 365.0).sqrt()))
    }

    /// The law for contracts `days` calendar days from expiry at volatility forecast `vol`
    /// (`None` when `vol` is not positive and finite, `days < 1`, or the model has no
    /// horizon).
    pub fn at_expiry(&self, days: i64, vol: f64) -> Option<ExpiryLaw<'_>> {
        let (law, scale) = self.scaled(days, vol)?;
        let growth = law
            .end
            .windows(2)
            .map(|q| (scale * 0.5 * (q[0] + q[1])).exp())
            .collect();
        Some(ExpiryLaw {
            model: self,
            law,
            scale,
            growth,
        })
    }

    /// Only the probability of profit of [`RealWorldModel::analyze`] (no expected value, so
    /// none of [`ExpiryLaw`]'s per-expiration work).
    pub fn probability_of_profit(
        &self,
        kind: OptionKind,
        spot: f64,
        strike: f64,
        premium: f64,
        days: i64,
        vol: f64,
    ) -> Option<f64> {
        let (law, scale) = self.scaled(days, vol)?;
        profit_probability(self, law, scale, kind, spot, strike, premium)
    }
}

/// `P(S_T beyond breakeven)` through the model's recalibration; `None` when the contract's
/// own inputs cannot be evaluated.
fn profit_probability(
    model: &RealWorldModel,
    law: &HorizonLaw,
    scale: f64,
    kind: OptionKind,
    spot: f64,
    strike: f64,
    premium: f64,
) -> Option<f64> {
    let ok = |x: f64| x.is_finite() && x > 0.0;
    if !(ok(spot) && ok(strike) && premium.is_finite() && premium >= 0.0) {
        return None;
    }
    let w = kind.sign();
    Some(model.recalibrated(beyond(law, w, spot, strike + w * premium, scale)))
}

impl ExpiryLaw<'_> {
    /// Probabilities of a long option bought at `premium` (per share) at today's `spot`:
    /// [`RealWorldModel::analyze`] for this expiration and forecast, bit for bit.
    pub fn analyze(
        &self,
        kind: OptionKind,
        spot: f64,
        strike: f64,
        premium: f64,
    ) -> Option<RealWorldProbabilities> {
        let pop = self.probability_of_profit(kind, spot, strike, premium)?;
        let (law, scale) = (self.law, self.scale);
        let w = kind.sign();
        let clamp = |p: f64| p.clamp(P_FLOOR, 1.0 - P_FLOOR);
        let touch = |level: f64| -> f64 {
            if w * (spot - level) >= 0.0 {
                return 1.0;
            }
            if level <= 0.0 {
                return 0.0;
            }
            let x = (level / spot).ln() / scale;
            clamp(if w > 0.0 {
                1.0 - cdf(&law.up, x)
            } else {
                cdf(&law.down, x)
            })
        };
        let breakeven = strike + w * premium;
        // E[payoff]: the mean over the quantile cells, each at its midpoint.
        let payoff = self
            .growth
            .iter()
            .map(|g| kind.intrinsic(spot * g, strike))
            .sum::<f64>()
            / self.growth.len() as f64;
        let itm = self.model.recalibrated(beyond(law, w, spot, strike, scale));
        Some(RealWorldProbabilities {
            probability_of_profit: pop,
            probability_itm: itm,
            // Touching a level is at least as likely as finishing beyond it.
            probability_touch_breakeven: touch(breakeven).max(pop),
            probability_touch_strike: touch(strike).max(itm),
            expected_value: payoff - premium,
            horizon_days: law.days,
        })
    }

    /// Only the probability of profit of [`ExpiryLaw::analyze`] (no expected value).
    pub fn probability_of_profit(
        &self,
        kind: OptionKind,
        spot: f64,
        strike: f64,
        premium: f64,
    ) -> Option<f64> {
        profit_probability(
            self.model, self.law, self.scale, kind, spot, strike, premium,
        )
    }
}
