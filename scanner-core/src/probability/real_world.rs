//! Real-world probabilities: filtered historical simulation (FHS) of standardised horizon
//! returns, because the risk-neutral lognormal answers "what do option prices imply", not
//! "how often does this trade pay" (the variance risk premium, fat tails and a drift that is
//! not the risk-free rate all separate the two).
//!
//! Model. For a horizon of `d` calendar days (`T = d/365`) and an entry at the close `S_s`
//! of session `s`, the standardised outcome is `z = ln(S_end/S_s) / (σ_s·√T)`, where `σ_s` is
//! the [`VolForecast`] known at that close. The law of `z` (its end value, and the largest
//! rise and fall along the way on the daily highs and lows) is estimated from the history of
//! many symbols and stored as quantiles per horizon ([`HorizonLaw`]). Today's contract is
//! evaluated by rescaling with today's `σ_t`: `S_T = S_t·exp(σ_t·√T·z)`. Nothing of the
//! contract's own implied volatility enters, so the premium paid (and with it the variance
//! risk premium) lowers the probability of profit through the breakeven only.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Recalibration;
use crate::model::OptionKind;
use crate::{Error, Result};

/// Lowest and highest probability the model reports: a finite sample never proves certainty.
pub(super) const P_FLOOR: f64 = 0.0005;

/// The volatility a standardised return is scaled by: `σ² = w·RV_short² + (1 − w)·RV_long²`,
/// close-to-close, annualised with 252 sessions, from closes up to and including the entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolForecast {
    /// Sessions of the short window (20).
    pub short_window: usize,
    /// Sessions of the long window (250; shorter histories use what they have).
    pub long_window: usize,
    /// Weight `w` of the short window's variance (0.5).
    pub short_weight: f64,
    /// Returns needed before a forecast is made (60).
    pub min_returns: usize,
}

impl Default for VolForecast {
    fn default() -> Self {
        Self {
            short_window: 20,
            long_window: 250,
            short_weight: 0.5,
            min_returns: 60,
        }
    }
}

impl VolForecast {
    /// The forecast from `closes` (oldest first, the last one is the entry close); `None`
    /// with fewer than `min_returns` returns or a non-positive price.
    ///
    /// ```
    /// use scanner_core::probability::VolForecast;
    /// let closes: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 100.0 } else { 101.0 }).collect();
    /// let v = VolForecast::default().forecast(&closes).unwrap();
    /// assert!((v - 0.158).abs() < 0.005); // about |ln 1.01|·√252 (sample variances)
    /// assert!(VolForecast::default().forecast(&closes[..30]).is_none());
    /// ```
    pub fn forecast(&self, closes: &[f64]) -> Option<f64> {
        let n = closes.len();
        if n < self.min_returns + 1 || closes.iter().any(|c| c.is_nan() || *c <= 0.0) {
            return None;
        }
        let var = |w: usize| -> f64 {
            let start = n - (w.min(n - 1) + 1);
            let r: Vec<f64> = closes[start..]
                .windows(2)
                .map(|p| (p[1] / p[0]).ln())
                .collect();
            let m = r.len() as f64;
            let mean = r.iter().sum::<f64>() / m;
            r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0) * 252.0
        };
        let w = self.short_weight.clamp(0.0, 1.0);
        let v =
            (w * var(self.short_window.max(2)) + (1.0 - w) * var(self.long_window.max(2))).sqrt();
        (v.is_finite() && v > 0.0).then_some(v)
    }
}

/// The law of standardised outcomes over one horizon, as sorted quantiles at equally spaced
/// levels `0, 1/m, …, 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizonLaw {
    /// Calendar days of the horizon.
    pub days: i64,
    /// Windows the quantiles were estimated from.
    pub windows: usize,
    /// Quantiles of `z_end`.
    pub end: Vec<f64>,
    /// Quantiles of the largest standardised rise (on highs), ≥ ... the entry close.
    pub up: Vec<f64>,
    /// Quantiles of the largest standardised fall (on lows).
    pub down: Vec<f64>,
}

/// One standardised window `(z_end, z_up, z_down)` of a horizon.
pub type Window = (f64, f64, f64);

/// Quantiles of a sample at `m + 1` equally spaced levels (the sample is sorted in place).
fn quantiles(v: &mut [f64], m: usize) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (0..=m)
        .map(|i| {
            let pos = i as f64 / m as f64 * (n - 1) as f64;
            let (lo, frac) = (pos.floor() as usize, pos.fract());
            let hi = (lo + 1).min(n - 1);
            v[lo] + frac * (v[hi] - v[lo])
        })
        .collect()
}

/// `P(Z ≤ x)` from quantiles, linear between them.
pub(super) fn cdf(q: &[f64], x: f64) -> f64 {
    let m = (q.len() - 1) as f64;
    if x < q[0] {
        return 0.0;
    }
    if x >= q[q.len() - 1] {
        return 1.0;
    }
    let i = q.partition_point(|v| *v <= x).max(1) - 1;
    let span = q[i + 1] - q[i];
    let frac = if span > 0.0 { (x - q[i]) / span } else { 1.0 };
    (i as f64 + frac) / m
}

impl HorizonLaw {
    /// Estimate from `windows` (consumed) with `levels + 1` quantiles.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with fewer than 100
    /// windows, `levels < 2` or a non-finite value.
    pub fn fit(days: i64, windows: Vec<Window>, levels: usize) -> Result<Self> {
        if windows.len() < 100 || levels < 2 {
            return Err(Error::invalid_input(format!(
                "horizon {days} d: {} windows, {levels} levels (need ≥ 100 and ≥ 2)",
                windows.len()
            )));
        }
        if windows
            .iter()
            .any(|w| !(w.0.is_finite() && w.1.is_finite() && w.2.is_finite()))
        {
            return Err(Error::invalid_input(format!(
                "horizon {days} d: non-finite window"
            )));
        }
        let n = windows.len();
        let mut e: Vec<f64> = windows.iter().map(|w| w.0).collect();
        let mut u: Vec<f64> = windows.iter().map(|w| w.1).collect();
        let mut d: Vec<f64> = windows.iter().map(|w| w.2).collect();
        Ok(Self {
            days,
            windows: n,
            end: quantiles(&mut e, levels),
            up: quantiles(&mut u, levels),
            down: quantiles(&mut d, levels),
        })
    }
}

/// The real-world probabilities of one long option held to expiry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealWorldProbabilities {
    /// P(S_T beyond breakeven).
    pub probability_of_profit: f64,
    /// P(S_T beyond the strike).
    pub probability_itm: f64,
    /// P(the price reaches the breakeven before expiry, on daily highs/lows).
    pub probability_touch_breakeven: f64,
    /// P(the price reaches the strike before expiry).
    pub probability_touch_strike: f64,
    /// Undiscounted `E[payoff at expiry] − premium` per share under the model.
    pub expected_value: f64,
    /// Horizon (calendar days) of the law used.
    pub horizon_days: i64,
}

/// A fitted real-world model: the volatility forecast and one law per horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealWorldModel {
    /// How `σ_t` is forecast.
    pub vol: VolForecast,
    /// Last day whose data the fit used (every window ended on or before it).
    pub fitted_through: NaiveDate,
    /// Symbols whose histories were used.
    pub fit_symbols: usize,
    /// Laws by increasing horizon.
    pub horizons: Vec<HorizonLaw>,
    /// The monotone map applied to the law's probability of profit and of finishing in the
    /// money, fitted on the law's own past predictions and outcomes (None: the raw law).
    #[serde(default)]
    pub recalibration: Option<Recalibration>,
    /// How the model scored on data the fit never saw (set by the calibration report).
    #[serde(default)]
    pub out_of_sample: Option<OutOfSample>,
}

/// A model's out-of-sample scores next to the risk-neutral model's on the same contracts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutOfSample {
    /// Entries after this date on held-out tickers were scored.
    pub split_date: NaiveDate,
    /// Held-out tickers.
    pub holdout_symbols: usize,
    /// Replayed contracts.
    pub observations: u64,
    /// Effective (non-overlapping) observations.
    pub effective_observations: f64,
    /// Brier score of this model.
    pub brier_score: f64,
    /// Its Brier skill against the base rate.
    pub brier_skill: f64,
    /// Its expected calibration error.
    pub ece: f64,
    /// Its log loss.
    pub log_loss: f64,
    /// The risk-neutral model's Brier score on the same contracts.
    pub risk_neutral_brier_score: f64,
    /// The risk-neutral model's Brier skill.
    pub risk_neutral_brier_skill: f64,
    /// The risk-neutral model's expected calibration error.
    pub risk_neutral_ece: f64,
}

/// The model shipped with the crate: fitted by `optscan calibrate` on the CC0 set (training
/// tickers, windows ending by 2016-06-30).
const BUILTIN: &str = include_str!("real_world_model.json");

impl RealWorldModel {
    /// The shipped model (see `real_world_model.json` beside this file).
    ///
    /// ```
    /// let m = scanner_core::probability::RealWorldModel::builtin();
    /// assert!(!m.horizons.is_empty());
    /// ```
    pub fn builtin() -> &'static RealWorldModel {
        static MODEL: std::sync::OnceLock<RealWorldModel> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            serde_json::from_str(BUILTIN).expect("the shipped real-world model parses")
        })
    }

    /// The law whose horizon is nearest `days` (in log terms).
    pub(super) fn law(&self, days: i64) -> Option<&HorizonLaw> {
        let d = (days.max(1) as f64).ln();
        self.horizons.iter().min_by(|a, b| {
            ((a.days as f64).ln() - d)
                .abs()
                .total_cmp(&((b.days as f64).ln() - d).abs())
        })
    }

    /// `p` through the recalibration map, if any, kept inside the reported range.
    pub(super) fn recalibrated(&self, p: f64) -> f64 {
        match &self.recalibration {
            Some(r) => r.apply(p).clamp(P_FLOOR, 1.0 - P_FLOOR),
            None => p,
        }
    }

    /// Probabilities of a long option bought at `premium` (per share) with `days` calendar
    /// days to expiry, given today's spot and volatility forecast `vol`.
    ///
    /// `None` when an input is not positive and finite or the model has no horizon.
    ///
    /// ```
    /// use scanner_core::model::OptionKind;
    /// use scanner_core::probability::RealWorldModel;
    /// let m = RealWorldModel::builtin();
    /// let p = m.analyze(OptionKind::Call, 100.0, 105.0, 1.0, 30, 0.25).unwrap();
    /// assert!(p.probability_of_profit < p.probability_itm);
    /// assert!(p.probability_itm <= p.probability_touch_strike);
    /// ```
    pub fn analyze(
        &self,
        kind: OptionKind,
        spot: f64,
        strike: f64,
        premium: f64,
        days: i64,
        vol: f64,
    ) -> Option<RealWorldProbabilities> {
        self.at_expiry(days, vol)?
            .analyze(kind, spot, strike, premium)
    }
}

/// `P(w·(S_T − level) > 0)` under `law` with `S_T = spot·exp(scale·z)`.
pub(super) fn beyond(law: &HorizonLaw, w: f64, spot: f64, level: f64, scale: f64) -> f64 {
    if level <= 0.0 {
        return if w > 0.0 { 1.0 } else { 0.0 };
    }
    let below = cdf(&law.end, (level / spot).ln() / scale);
    (if w > 0.0 { 1.0 - below } else { below }).clamp(P_FLOOR, 1.0 - P_FLOOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_cdf_round_trips() {
        let mut v: Vec<f64> = (0..1001).map(|i| i as f64 / 1000.0).collect();
        let q = quantiles(&mut v, 100);
        assert!((cdf(&q, 0.25) - 0.25).abs() < 1e-9);
        assert_eq!(cdf(&q, -1.0), 0.0);
        assert_eq!(cdf(&q, 2.0), 1.0);
    }

    #[test]
    fn fit_rejects_small_or_bad_samples() {
        assert!(HorizonLaw::fit(30, vec![(0.0, 0.1, -0.1); 10], 100).is_err());
        let mut w = vec![(0.0, 0.1, -0.1); 200];
        w[3].0 = f64::NAN;
        assert!(HorizonLaw::fit(30, w, 100).is_err());
    }

    #[test]
    fn standard_normal_law_gives_lognormal_answers() {
        // Quantiles of N(0,1): a driftless lognormal in the model's scaling.
        let inv = |p: f64| {
            let (mut lo, mut hi) = (-10.0, 10.0);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if crate::pricing::norm_cdf(mid) < p {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        };
        let mut z: Vec<f64> = (1..20000).map(|i| inv(i as f64 / 20000.0)).collect();
        let windows: Vec<Window> = z.drain(..).map(|x| (x, x.max(0.0), x.min(0.0))).collect();
        let m = RealWorldModel {
            vol: VolForecast::default(),
            fitted_through: NaiveDate::from_ymd_opt(2016, 6, 30).unwrap(),
            fit_symbols: 1,
            horizons: vec![HorizonLaw::fit(30, windows, 400).unwrap()],
            recalibration: None,
            out_of_sample: None,
        };
        let p = m
            .analyze(OptionKind::Put, 100.0, 95.0, 0.0, 30, 0.3)
            .unwrap();
        let sd = 0.3 * (30.0f64 / 365.0).sqrt();
        let expect = crate::pricing::norm_cdf((0.95f64).ln() / sd);
        assert!((p.probability_of_profit - expect).abs() < 2e-3, "{p:?}");
    }
}
