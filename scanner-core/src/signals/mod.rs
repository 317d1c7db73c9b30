//! Directional and swing signals, computed **once per symbol** from its price history, its
//! option chain and (when the source has them) SPY and a volatility proxy. The original
//! recomputed them for every contract on fabricated baselines (original-system.md §7, §12.27).
//!
//! Every signal is a plain function over slices or a [`PriceHistory`](crate::model::PriceHistory)
//! so it can be tested on hand-built series.

mod aggregate;
mod bias;
mod context;
mod flow;
mod news;
mod regime;
mod skew;
mod swing;
mod volume_profile;

pub use aggregate::{aggregate, EnhancedBias};
pub use bias::{legacy_bias, LegacyBias};
pub use context::MarketContext;
pub use flow::{smart_money_flow, FlowInputs};
pub use news::{NewsReading, NewsSentiment, NoNews};
pub use regime::{adx, linear_fit, regime};
pub use skew::{options_skew, SkewPoint};
pub use swing::{atr, swing_signal, SwingFactor, SwingSignal, MIN_SWING_ROWS};
pub use volume_profile::{profile_signal, volume_profile, VolumeProfile, PROFILE_SESSIONS};

use serde::{Deserialize, Serialize};

/// One directional signal: a score in −100…100 (positive is bullish) and a confidence 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    /// Signal name, e.g. `"options_skew"`.
    pub name: String,
    /// Weight in the aggregate.
    pub weight: f64,
    /// `bullish`, `bearish` or `neutral`.
    pub direction: String,
    /// Score, −100…100.
    pub score: f64,
    /// Confidence, 0–100.
    pub confidence: f64,
    /// Why, in one sentence.
    pub rationale: String,
    /// Readings behind the score.
    pub details: serde_json::Value,
}

impl Signal {
    /// A signal whose direction follows `score` against `threshold`.
    pub fn new(
        name: &str,
        weight: f64,
        score: f64,
        confidence: f64,
        threshold: f64,
        rationale: String,
        details: serde_json::Value,
    ) -> Self {
        Self {
            name: name.to_owned(),
            weight,
            direction: direction(score, threshold).to_owned(),
            score: score.clamp(-100.0, 100.0),
            confidence: confidence.clamp(0.0, 100.0),
            rationale,
            details,
        }
    }
}

/// `bullish` above `threshold`, `bearish` below `−threshold`, else `neutral`.
pub fn direction(score: f64, threshold: f64) -> &'static str {
    if score > threshold {
        "bullish"
    } else if score < -threshold {
        "bearish"
    } else {
        "neutral"
    }
}

/// Linear map of `x` from `[lo, hi]` onto `[0, 100]`, clamped; a non-finite `x` maps to 50.
///
/// ```
/// use scanner_core::signals::scale;
/// assert_eq!(scale(2.0, 1.0, 3.0), 50.0);
/// assert_eq!(scale(9.0, 0.8, 2.2), 100.0);
/// assert_eq!(scale(f64::NAN, 0.8, 2.2), 50.0);
/// ```
pub fn scale(x: f64, lo: f64, hi: f64) -> f64 {
    if !x.is_finite() {
        return 50.0;
    }
    ((x - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0)
}

/// Mean of a slice; NaN when empty.
pub(crate) fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation (n − 1); NaN for fewer than two values.
pub(crate) fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return f64::NAN;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0)).sqrt()
}

/// The last `n` items of a slice (all of it when shorter).
pub(crate) fn tail(xs: &[f64], n: usize) -> &[f64] {
    &xs[xs.len().saturating_sub(n)..]
}
