//! The legacy directional bias of original-system.md §7.3: bullish/bearish points from the
//! swing signal's momentum z-score and (when present) news sentiment. It is the fallback
//! preference of the directional filter when the enhanced bias is neutral.

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
    /// Bullish points, bearish points and their difference.
    pub scores: Value,
    /// What each input said.
    pub signals: Value,
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
    let (mut bull, mut bear) = (0.0, 0.0);
    let z = momentum_z;
    if z > 1.5 {
        bull += 30.0
    } else if z > 0.5 {
        bull += 15.0
    } else if z < -1.5 {
        bear += 30.0
    } else if z < -0.5 {
        bear += 15.0
    }
    if let Some(n) = news {
        if n > 0.3 {
            bull += 20.0
        } else if n > 0.1 {
            bull += 10.0
        } else if n < -0.3 {
            bear += 20.0
        } else if n < -0.1 {
            bear += 10.0
        }
    }
    let net: f64 = bull - bear;
    let (direction, confidence) = if net > 20.0 {
        ("bullish", (50.0 + net).min(100.0))
    } else if net < -20.0 {
        ("bearish", (50.0 - net).min(100.0))
    } else {
        ("neutral", 50.0 - net.abs() / 2.0)
    };
    LegacyBias {
        direction: direction.to_owned(),
        confidence,
        scores: json!({"bullish": bull, "bearish": bear, "net": net}),
        signals: json!({"momentumZ": if z.is_finite() { json!(z) } else { Value::Null },
            "news": match news { Some(n) => json!(n), None => json!("absent") }}),
    }
}
