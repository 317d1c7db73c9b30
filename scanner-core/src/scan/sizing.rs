//! Kelly position sizing with the original's damping factors and caps
//! (original-system.md §9), emitted as `positionSizing`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Inputs of the sizing rule. Money is per contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingInputs {
    /// Cost basis per contract.
    pub cost: f64,
    /// Probability of profit, percent.
    pub pop_pct: f64,
    /// Net profit of the 1σ, 2σ and best scenarios.
    pub net_1sd: f64,
    /// See `net_1sd`.
    pub net_2sd: f64,
    /// See `net_1sd`.
    pub best_net: f64,
    /// Best ROI / 100 when positive.
    pub risk_reward: Option<f64>,
    /// `low`, `medium`, `high` or `extreme`.
    pub risk_level: &'static str,
    /// Legacy score 0–100.
    pub score: f64,
    /// 1σ expected move in percent of spot.
    pub expected_move_1sd_pct: f64,
    /// Portfolio size for allocation examples.
    pub portfolio_size: Option<f64>,
    /// Daily contract budget, reported in limits.
    pub daily_contract_budget: Option<f64>,
}

/// The sizing result; `None` fields mean "no position".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionSizing {
    /// Recommended fraction of capital.
    pub recommended_fraction: f64,
    /// Conservative fraction.
    pub conservative_fraction: f64,
    /// Aggressive fraction.
    pub aggressive_fraction: f64,
    /// Full Kelly fraction.
    pub kelly_fraction: f64,
    /// p·ln(1 + f·b) + q·ln(1 − f).
    pub expected_log_growth: f64,
    /// p·b − q.
    pub expected_edge: f64,
    /// `aggressive`, `balanced`, `conservative`, `micro_speculative` or `capital_preservation`.
    pub risk_budget_tier: String,
    /// Why.
    pub rationale: Vec<String>,
    /// Inputs and factors.
    pub inputs: Value,
    /// Caps applied.
    pub limits: Value,
    /// Contracts for example portfolios.
    pub capital_allocation_examples: Vec<AllocationExample>,
}

/// What the recommended fraction buys in one example portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationExample {
    /// Portfolio size, dollars.
    pub portfolio: f64,
    /// Whole contracts bought.
    pub contracts: f64,
    /// Premium paid for them (the capital at risk), dollars.
    pub capital_at_risk: f64,
    /// Capital at risk over the portfolio, as a **fraction** (0.0249 is 2.49 %): the
    /// original's unit, which its page multiplies by 100.
    pub allocation_percent: f64,
}

/// `x` rounded to `dp` decimals, `0` rather than `-0` when it rounds to zero.
fn round(x: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    (x * m).round() / m + 0.0
}

/// Size one opportunity, or `None` when there is no positive payoff to size.
pub fn position_sizing(x: &SizingInputs) -> Option<PositionSizing> {
    let p = (x.pop_pct / 100.0).clamp(0.0, 0.95);
    if p <= 0.0 || x.cost <= 0.0 {
        return None;
    }
    let q = (1.0 - p).max(1e-6);
    let mut w = 0.7 * x.net_1sd.max(0.0) + 0.3 * x.net_2sd.max(0.0);
    if w <= 0.0 {
        w = x.best_net;
    }
    let b = w / x.cost;
    if b <= 0.0 {
        return None;
    }
    let kelly = ((p * (b + 1.0) - 1.0) / b).max(0.0);
    let edge = p * b - q;
    let mut inputs = json!({"winProbability": round(p, 4), "lossProbability": round(q, 4), "payoffRatio": round(b, 4),
        "expectedEdge": round(edge, 4), "costBasis": round(x.cost, 2)});
    if edge <= 0.0 {
        let f = if (-0.1..0.0).contains(&edge) && x.score >= 60.0 {
            (0.001 + 0.002 * ((edge + 0.1) / 0.1) * ((x.score - 60.0) / 40.0)).clamp(0.001, 0.003)
        } else {
            0.0
        };
        let tier = if f > 0.0 {
            "micro_speculative"
        } else {
            "capital_preservation"
        };
        return Some(PositionSizing {
            recommended_fraction: round(f, 4),
            conservative_fraction: round(f / 2.0, 4),
            aggressive_fraction: round(1.5 * f, 4),
            kelly_fraction: round(kelly, 4),
            expected_log_growth: 0.0,
            expected_edge: round(edge, 4),
            risk_budget_tier: tier.to_owned(),
            rationale: vec![format!(
                "Edge {edge:.3} is not positive: at most a micro allocation"
            )],
            inputs,
            limits: json!({"maxPerTrade": 0.05}),
            capital_allocation_examples: examples(f, x),
        });
    }
    let score_f = (x.score / 100.0).clamp(0.55, 1.0);
    let prob_f = (0.4 + 0.6 * p).clamp(0.5, 1.0);
    let vol_f = 1.0 / (1.0 + 3.5 * x.expected_move_1sd_pct / 100.0);
    let reward_f = (0.7 + 0.25 * x.risk_reward.unwrap_or(b)).clamp(0.6, 1.25);
    let risk_f = match x.risk_level {
        "low" => 1.0,
        "medium" => 0.7,
        "high" => 0.45,
        "extreme" => 0.25,
        _ => 0.6,
    };
    let mut f = (kelly * score_f * prob_f * vol_f * reward_f * risk_f)
        .min(1.1 * kelly)
        .clamp(0.0, 0.05);
    if f <= 0.0 {
        return None;
    }
    let streak = ((0.05f64.ln() / q.ln()).ceil()).max(1.0);
    let dd = 1.0 - (1.0 - f).powf(streak);
    if dd > 0.25 {
        f *= 0.25 / dd;
    }
    f = f.min(0.05);
    let conservative = if f < 0.002 {
        f
    } else {
        (0.6 * f).clamp(0.0, 0.05)
    };
    let aggressive = f.max((1.4 * f).min(0.05).min(kelly));
    let tier = if f >= 0.03 {
        "aggressive"
    } else if f >= 0.015 {
        "balanced"
    } else {
        "conservative"
    };
    let growth = p * (1.0 + f * b).ln() + q * (1.0 - f).ln();
    if let Value::Object(m) = &mut inputs {
        for (k, v) in [
            ("scoreFactor", score_f),
            ("probabilityFactor", prob_f),
            ("volatilityFactor", vol_f),
            ("rewardFactor", reward_f),
            ("volatility", x.expected_move_1sd_pct / 100.0),
        ] {
            m.insert(k.to_owned(), json!(round(v, 4)));
        }
        m.insert("riskLevel".to_owned(), json!(x.risk_level));
    }
    let mut limits = json!({"maxPerTrade": 0.05, "maxDrawdown95": round(dd.min(0.25), 4), "losingStreak95": streak});
    if let (Some(budget), Value::Object(m)) = (x.daily_contract_budget, &mut limits) {
        m.insert("dailyContractBudget".to_owned(), json!(budget));
    }
    Some(PositionSizing {
        recommended_fraction: round(f, 4),
        conservative_fraction: round(conservative, 4),
        aggressive_fraction: round(aggressive, 4),
        kelly_fraction: round(kelly, 4),
        expected_log_growth: round(growth, 6),
        expected_edge: round(edge, 4),
        risk_budget_tier: tier.to_owned(),
        rationale: vec![
            format!(
                "Kelly fraction {kelly:.3} from a {:.0}% win probability and a {b:.2}× payoff",
                p * 100.0
            ),
            format!(
                "Damped by score, probability, volatility, reward and {} risk to {f:.4}",
                x.risk_level
            ),
            format!(
                "A 95% losing streak of {streak} trades would draw down {:.1}%",
                dd.min(0.25) * 100.0
            ),
        ],
        inputs,
        limits,
        capital_allocation_examples: examples(f, x),
    })
}

fn examples(f: f64, x: &SizingInputs) -> Vec<AllocationExample> {
    let capitals: Vec<f64> = match x.portfolio_size {
        Some(p) => vec![0.5 * p, p, 2.0 * p],
        None => vec![50_000.0, 100_000.0, 250_000.0],
    };
    capitals
        .into_iter()
        .filter_map(|cap| {
            let alloc = cap * f;
            let mut n = (alloc / x.cost).floor();
            if n == 0.0 && alloc >= 0.5 * x.cost {
                n = 1.0;
            }
            (n > 0.0).then(|| AllocationExample {
                portfolio: cap,
                contracts: n,
                capital_at_risk: round(n * x.cost, 2),
                allocation_percent: round(n * x.cost / cap, 6),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> SizingInputs {
        SizingInputs {
            cost: 200.0,
            pop_pct: 45.0,
            net_1sd: 300.0,
            net_2sd: 700.0,
            best_net: 900.0,
            risk_reward: Some(4.5),
            risk_level: "medium",
            score: 70.0,
            expected_move_1sd_pct: 8.0,
            portfolio_size: None,
            daily_contract_budget: None,
        }
    }

    #[test]
    fn kelly_matches_the_closed_form_and_caps_hold() {
        let s = position_sizing(&base()).unwrap();
        let (p, b) = (0.45, (0.7 * 300.0 + 0.3 * 700.0) / 200.0);
        assert!((s.kelly_fraction - round((p * (b + 1.0) - 1.0) / b, 4)).abs() < 1e-12);
        assert!(s.recommended_fraction <= 0.05 && s.recommended_fraction > 0.0);
        assert!(
            s.conservative_fraction <= s.recommended_fraction
                && s.aggressive_fraction >= s.recommended_fraction
        );
    }

    #[test]
    fn allocation_examples_are_fractions_of_the_portfolio() {
        let s = position_sizing(&base()).unwrap();
        assert!(!s.capital_allocation_examples.is_empty());
        for e in &s.capital_allocation_examples {
            assert!((e.allocation_percent - e.capital_at_risk / e.portfolio).abs() < 1e-6);
            assert!(
                e.allocation_percent > 0.0 && e.allocation_percent <= 0.06,
                "{e:?}"
            );
        }
    }

    #[test]
    fn negative_edge_gives_at_most_a_micro_allocation() {
        let s = position_sizing(&SizingInputs {
            pop_pct: 10.0,
            net_1sd: 100.0,
            net_2sd: 150.0,
            score: 80.0,
            ..base()
        })
        .unwrap();
        assert!(s.expected_edge < 0.0);
        assert!(s.recommended_fraction <= 0.003);
        assert!(position_sizing(&SizingInputs {
            pop_pct: 0.0,
            ..base()
        })
        .is_none());
    }
}
