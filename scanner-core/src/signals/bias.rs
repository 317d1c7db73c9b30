//! The legacy directional bias of original-system.md §7.3: bullish/bearish points from the
//! swing signal's momentum z-score and (when present) news sentiment. It is the fallback
//! preference of the directional filter when the enhanced bias is neutral.
//!
//! Besides the points, each input is reported as one entry of `signals` in the shape the
//! enhanced bias uses (name, direction, score, confidence, weight, weighted contribution), so
//! a page that lists the signals behind a bias can list these too.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::OptionKind;

/// The legacy bias of one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyBias {
    /// `bullish`, `bearish` or `neutral`.
    pub direction: String,
    /// Confidence 0–100.
    pub confidence: f64,
    /// Net points, bullish minus bearish (−50…50).
    pub score: f64,
    /// Bullish points, bearish points and their difference.
    pub scores: Value,
    /// Each input that was present, as a signal.
    pub signals: Vec<LegacySignal>,
    /// What each input said (`news` is `"absent"` without a news hook).
    pub signal_values: Value,
}

/// One input of the legacy bias. `score` is its signed points over the most it can give
/// (−100…100), `weight` that maximum over the maximum of all inputs (momentum 0.6, news 0.4),
/// `weightedContribution` the signed points it added to the net score. The rule has no
/// per-input confidence: `confidence` repeats the bias's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacySignal {
    /// `momentum` or `news_sentiment`.
    pub name: String,
    /// `bullish`, `bearish` or `neutral`.
    pub direction: String,
    /// Signed points over the input's maximum, −100…100.
    pub score: f64,
    /// The bias's confidence, 0–100.
    pub confidence: f64,
    /// The input's maximum points over the total maximum.
    pub weight: f64,
    /// Signed points added to the net score.
    pub weighted_contribution: f64,
    /// The same, under the original's snake_case name.
    #[serde(rename = "weighted_contribution")]
    pub weighted_contribution_snake: f64,
    /// Why, in one sentence.
    pub rationale: String,
}

impl LegacyBias {
    /// `aligned`, `opposed` or `neutral` for a contract of `kind`.
    pub fn alignment(&self, kind: OptionKind) -> &'static str {
        match (self.direction.as_str(), kind) {
            ("bullish", OptionKind::Call) | ("bearish", OptionKind::Put) => "aligned",
            ("bullish", OptionKind::Put) | ("bearish", OptionKind::Call) => "opposed",
            _ => "neutral",
        }
    }
}

/// Points: momentum z > 1.5 → +30 bull, > 0.5 → +15; < −1.5 → +30 bear, < −0.5 → +15;
/// news > 0.3 → +20, > 0.1 → +10 (mirrored for bearish). net > 20 bullish, < −20 bearish.
///
/// ```
/// use scanner_core::signals::legacy_bias;
/// let b = legacy_bias(2.0, Some(0.4));
/// assert_eq!((b.direction.as_str(), b.confidence), ("bullish", 100.0)); // 50 + 50
/// let n = legacy_bias(0.7, None);
/// assert_eq!((n.direction.as_str(), n.confidence), ("neutral", 42.5)); // 50 − 15/2
/// ```
pub fn legacy_bias(momentum_z: f64, news: Option<f64>) -> LegacyBias {
    let z = momentum_z;
    let momentum_pts = if z > 1.5 {
        30.0
    } else if z > 0.5 {
        15.0
    } else if z < -1.5 {
        -30.0
    } else if z < -0.5 {
        -15.0
    } else {
        0.0
    };
    let news_pts = news.map(|n| {
        if n > 0.3 {
            20.0
        } else if n > 0.1 {
            10.0
        } else if n < -0.3 {
            -20.0
        } else if n < -0.1 {
            -10.0
        } else {
            0.0
        }
    });
    let pts = [Some(momentum_pts), news_pts];
    let bull: f64 = pts
        .iter()
        .flatten()
        .filter(|p| **p > 0.0)
        .fold(0.0, |a, p| a + p);
    let bear: f64 = pts
        .iter()
        .flatten()
        .filter(|p| **p < 0.0)
        .fold(0.0, |a, p| a - p);
    let net: f64 = bull - bear;
    let (direction, confidence) = if net > 20.0 {
        ("bullish", (50.0 + net).min(100.0))
    } else if net < -20.0 {
        ("bearish", (50.0 - net).min(100.0))
    } else {
        ("neutral", 50.0 - net.abs() / 2.0)
    };
    let signal = |name: &str, points: f64, max: f64, rationale: String| LegacySignal {
        name: name.to_owned(),
        direction: super::direction(points, 0.0).to_owned(),
        score: points / max * 100.0,
        confidence,
        weight: max / 50.0,
        weighted_contribution: points,
        weighted_contribution_snake: points,
        rationale,
    };
    let mut signals = vec![signal(
        "momentum",
        momentum_pts,
        30.0,
        format!("close {z:.2} standard deviations from its 20-session mean"),
    )];
    if let (Some(n), Some(p)) = (news, news_pts) {
        signals.push(signal(
            "news_sentiment",
            p,
            20.0,
            format!("mean headline sentiment {n:.2}"),
        ));
    }
    LegacyBias {
        direction: direction.to_owned(),
        confidence,
        score: net,
        scores: json!({"bullish": bull, "bearish": bear, "net": net}),
        signals,
        signal_values: json!({"momentumZ": if z.is_finite() { json!(z) } else { Value::Null },
            "news": match news { Some(n) => json!(n), None => json!("absent") }}),
    }
}
