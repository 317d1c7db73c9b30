//! The aggregator of original-system.md §7.4: combine the skew, flow, regime and
//! volume-profile signals into one enhanced directional bias, weighting each by its weight
//! and confidence. The directional filter of §4.4 reads its score and confidence.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{direction, Signal};
use crate::model::OptionKind;

/// The enhanced directional bias of one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnhancedBias {
    /// `bullish` (score > 15), `bearish` (< −15) or `neutral`.
    pub direction: String,
    /// Confidence 0–95.
    pub confidence: f64,
    /// Weighted score −100…100.
    pub score: f64,
    /// `Strong` / `Moderate` / `Weak` / `Very Weak` and the direction.
    pub recommendation: String,
    /// The signals that could be computed, with their weighted contributions.
    pub signals: Vec<Value>,
    /// Signals that had no input here (e.g. `news_sentiment`), reported rather than faked.
    pub absent: Vec<String>,
}

impl EnhancedBias {
    /// The option type this bias prefers, if any.
    pub fn preferred(&self) -> Option<OptionKind> {
        match self.direction.as_str() {
            "bullish" => Some(OptionKind::Call),
            "bearish" => Some(OptionKind::Put),
            _ => None,
        }
    }
}

/// Aggregate `signals`: score = Σ s·w·c/100 ÷ Σ w·c/100 over signals with confidence > 10;
/// confidence = 0.4·agreement% + 0.5·mean confidence + 10·meaningful/total −
/// 20·min(bull, bear)/n, clipped to [0, 95] (bull: score > 20, bear: < −20).
///
/// ```
/// use scanner_core::signals::{aggregate, Signal};
/// let s = |score: f64, conf: f64| Signal::new("x", 0.5, score, conf, 15.0, String::new(),
///     serde_json::Value::Null);
/// let b = aggregate(vec![s(60.0, 80.0), s(40.0, 60.0)], vec![]);
/// // (60·0.4 + 40·0.3)/(0.4 + 0.3) = 51.43; both bullish: 0.4·100 + 0.5·70 + 10 = 85
/// assert!((b.score - 36.0 / 0.7).abs() < 1e-9);
/// assert!((b.confidence - 85.0).abs() < 1e-9);
/// assert_eq!(b.direction, "bullish");
/// ```
pub fn aggregate(signals: Vec<Signal>, absent: Vec<String>) -> EnhancedBias {
    let used: Vec<&Signal> = signals.iter().filter(|s| s.confidence > 10.0).collect();
    let wsum: f64 = used.iter().map(|s| s.weight * s.confidence / 100.0).sum();
    let score = if wsum > 0.0 {
        used.iter()
            .map(|s| s.score * s.weight * s.confidence / 100.0)
            .sum::<f64>()
            / wsum
    } else {
        0.0
    };
    let n = signals.len();
    let confidence = if n == 0 {
        0.0
    } else {
        let bull = signals.iter().filter(|s| s.score > 20.0).count() as f64;
        let bear = signals.iter().filter(|s| s.score < -20.0).count() as f64;
        let agreeing = if score > 15.0 {
            bull
        } else if score < -15.0 {
            bear
        } else {
            n as f64 - bull - bear
        };
        let mean_conf = signals.iter().map(|s| s.confidence).sum::<f64>() / n as f64;
        (0.4 * agreeing / n as f64 * 100.0 + 0.5 * mean_conf + 10.0 * used.len() as f64 / n as f64
            - 20.0 * bull.min(bear) / n as f64)
            .clamp(0.0, 95.0)
    };
    let dir = direction(score, 15.0);
    let strength = if confidence >= 75.0 {
        "Strong"
    } else if confidence >= 60.0 {
        "Moderate"
    } else if confidence >= 45.0 {
        "Weak"
    } else {
        "Very Weak"
    };
    let signals_json = signals
        .iter()
        .map(|s| {
            let contrib = if wsum > 0.0 && s.confidence > 10.0 {
                s.score * s.weight * s.confidence / 100.0 / wsum
            } else {
                0.0
            };
            let mut v = json!(s);
            v["weightedContribution"] = json!(contrib);
            v["weighted_contribution"] = json!(contrib);
            v
        })
        .collect();
    EnhancedBias {
        direction: dir.to_owned(),
        confidence,
        score,
        recommendation: format!("{strength} {dir}"),
        signals: signals_json,
        absent,
    }
}
