//! The enhanced composite score and the riskAdjustedScore that ranks opportunities
//! (original-system.md §5.2–§5.3), with the original's bugs fixed: the expected value is
//! analytic and per contract (not a per-share Monte Carlo ≈ 0), the probability interval is
//! the range of model PoPs consistent with the quoted bid and ask (not a heuristic that cost
//! every contract 4–10 points), and calls get a finite loss-ratio penalty.

use serde::{Deserialize, Serialize};

use crate::market::quality::QualityTier;

/// Inputs of the composite and risk-adjusted scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompositeInputs {
    /// Legacy 0–100 score.
    pub legacy_score: f64,
    /// Probability of profit, 0–1.
    pub pop: f64,
    /// Lower and upper PoP consistent with the bid/ask quotes, 0–1.
    pub pop_band: (f64, f64),
    /// Expected profit of the position at expiry, per contract.
    pub expected_value: f64,
    /// Delta (raw).
    pub delta: f64,
    /// Gamma (raw, per $1).
    pub gamma: f64,
    /// Theta per calendar day, per share.
    pub theta_per_day: f64,
    /// Cost basis per contract (the maximum loss).
    pub cost: f64,
    /// Profit of the +2σ (calls) / −2σ (puts) scenario per contract: the reference gain.
    pub reference_gain: f64,
    /// Data-quality tier.
    pub tier: QualityTier,
    /// Data-quality score 0–100.
    pub quality_score: f64,
}

/// Score and its unweighted parts, serialised as `enhancedAnalysis.riskMetrics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskMetrics {
    /// Composite score, 0–100.
    pub composite_score: f64,
    /// Risk-adjusted score, 0–100 (the ranking key).
    pub risk_adjusted_score: f64,
    /// The unweighted terms of the composite (snake_case keys, as the original).
    pub score_breakdown: ScoreBreakdown,
}

/// The unweighted terms of the composite score, serialised with the original's snake_case
/// keys in alphabetical order (a typed struct: no map is built per analysed contract).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// The legacy score, 0–100.
    pub base_score: f64,
    /// The enhanced data-quality score, 0–100.
    pub data_quality_score: f64,
    /// `|delta|·10`.
    pub delta_score: f64,
    /// Expected value per contract / 10, clamped to 0–20.
    pub expected_value_score: f64,
    /// `gamma·1000`, capped at 5.
    pub gamma_score: f64,
    /// PoP in percent.
    pub probability_score: f64,
    /// Theta per day ·100, floored at −10.
    pub theta_penalty: f64,
}

/// Multiplier applied to the composite for each data-quality tier.
pub fn quality_multiplier(tier: QualityTier) -> f64 {
    match tier {
        QualityTier::Institutional => 1.1,
        QualityTier::High => 1.0,
        QualityTier::Medium => 0.9,
        QualityTier::Low => 0.7,
        QualityTier::Rejected => 0.5,
    }
}

/// Composite and risk-adjusted scores.
pub fn risk_metrics(x: &CompositeInputs) -> RiskMetrics {
    let b = ScoreBreakdown {
        base_score: x.legacy_score,
        data_quality_score: x.quality_score,
        delta_score: x.delta.abs() * 10.0,
        expected_value_score: (x.expected_value / 10.0).clamp(0.0, 20.0),
        gamma_score: (x.gamma * 1000.0).min(5.0),
        probability_score: x.pop * 100.0,
        theta_penalty: (x.theta_per_day * 100.0).max(-10.0),
    };
    // Summed in the original's order (floating-point addition is not associative).
    let terms = [
        (b.base_score, 0.40),
        (b.probability_score, 0.30),
        (b.expected_value_score, 0.10),
        (b.delta_score, 0.10),
        (b.gamma_score, 0.05),
        (b.theta_penalty, 0.05),
    ];
    let sum: f64 = terms.iter().map(|(v, w)| v * w).sum();
    let composite = (sum * quality_multiplier(x.tier)).clamp(0.0, 100.0);
    let width = (x.pop_band.1 - x.pop_band.0).abs();
    let gain = x.reference_gain.max(0.0);
    let loss_ratio = if x.cost + gain > 0.0 {
        x.cost / (x.cost + gain)
    } else {
        1.0
    };
    let mut ras = composite - 10.0 * width - 15.0 * loss_ratio;
    match x.tier {
        QualityTier::Institutional => ras += 5.0,
        QualityTier::Low | QualityTier::Rejected => ras -= 10.0,
        _ => {}
    }
    if x.theta_per_day.abs() > 0.05 {
        ras -= 50.0 * x.theta_per_day.abs();
    }
    RiskMetrics {
        composite_score: composite,
        risk_adjusted_score: ras.clamp(0.0, 100.0),
        score_breakdown: b,
    }
}

/// The fallback ordering score of §5.5 (capped at 100).
pub fn filter_score(quality_score: f64, pop: f64, risk_adjusted_score: f64, delta: f64) -> f64 {
    let s = quality_score / 100.0 * 30.0
        + (pop * 100.0).min(30.0)
        + (risk_adjusted_score / 100.0 * 25.0).min(25.0)
        + (delta.abs() * 100.0).min(15.0);
    s.min(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> CompositeInputs {
        CompositeInputs {
            legacy_score: 60.0,
            pop: 0.4,
            pop_band: (0.38, 0.42),
            expected_value: 30.0,
            delta: 0.5,
            gamma: 0.03,
            theta_per_day: -0.04,
            cost: 200.0,
            reference_gain: 600.0,
            tier: QualityTier::High,
            quality_score: 90.0,
        }
    }

    #[test]
    fn composite_is_the_weighted_sum_of_the_documented_terms() {
        let m = risk_metrics(&base());
        let expected = 0.4 * 60.0 + 0.3 * 40.0 + 0.1 * 3.0 + 0.1 * 5.0 + 0.05 * 5.0 + 0.05 * -4.0;
        assert!((m.composite_score - expected).abs() < 1e-9);
        let ras = expected - 10.0 * 0.04 - 15.0 * 0.25;
        assert!((m.risk_adjusted_score - ras).abs() < 1e-9);
    }

    #[test]
    fn calls_pay_a_finite_loss_penalty_and_wider_bands_cost_more() {
        let narrow = risk_metrics(&base()).risk_adjusted_score;
        let wide = risk_metrics(&CompositeInputs {
            pop_band: (0.2, 0.6),
            ..base()
        })
        .risk_adjusted_score;
        assert!((narrow - wide - 10.0 * 0.36).abs() < 1e-9);
        let no_gain = risk_metrics(&CompositeInputs {
            reference_gain: 0.0,
            ..base()
        })
        .risk_adjusted_score;
        assert!(no_gain < narrow);
        assert!(filter_score(100.0, 1.0, 100.0, 1.0) <= 100.0);
    }
}
