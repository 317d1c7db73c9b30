//! The legacy opportunity score and the labels derived from it (original-system.md §5.1),
//! kept so an existing UI's numbers keep their meaning. Inputs are flat numbers, so the
//! rules can be tested without building a chain.

use serde::{Deserialize, Serialize};

/// What the legacy score looks at. Money is per contract, percentages are 0–100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreInputs {
    /// Contracts traded.
    pub volume: f64,
    /// Open interest.
    pub open_interest: f64,
    /// Bid per share.
    pub bid: f64,
    /// Ask per share.
    pub ask: f64,
    /// Entry price per share.
    pub premium: f64,
    /// ROI of the 1σ scenario, percent.
    pub one_sd_roi_pct: f64,
    /// Net profit of the 1σ scenario per contract.
    pub one_sd_net: f64,
    /// Best scenario ROI, percent.
    pub best_roi_pct: f64,
    /// Probability of profit, percent.
    pub pop_pct: f64,
    /// Signed move to breakeven in the option's direction, percent (≤ 0: already beyond).
    pub breakeven_move_pct: f64,
    /// Implied volatility (annual decimal).
    pub iv: f64,
    /// Days to expiration.
    pub dte: i64,
}

impl ScoreInputs {
    /// Volume over open interest (OI floored at 1).
    pub fn volume_ratio(&self) -> f64 {
        self.volume / self.open_interest.max(1.0)
    }
    /// Cost basis per contract.
    pub fn cost(&self) -> f64 {
        self.premium * 100.0
    }
    /// 1σ net profit over the cost.
    pub fn payoff(&self) -> f64 {
        if self.cost() > 0.0 {
            self.one_sd_net / self.cost()
        } else {
            0.0
        }
    }
}

/// The legacy 0–100 score (§5.1 table), clamped.
///
/// ```
/// use scanner_core::scan::{legacy_score, ScoreInputs};
/// let s = ScoreInputs { volume: 500.0, open_interest: 100.0, bid: 1.0, ask: 1.02, premium: 1.01,
///     one_sd_roi_pct: 40.0, one_sd_net: 40.4, best_roi_pct: 120.0, pop_pct: 40.0,
///     breakeven_move_pct: 1.5, iv: 0.3, dte: 20 };
/// // 18 (vol/OI 5) + 18 (spread 2%) + 10 (ROI/4) + 14 (0.35·40) + 10 (BE<2%, payoff .4→.7·10=7) …
/// let score = legacy_score(&s);
/// assert!((score - (18.0 + 18.0 + 10.0 + 14.0 + 7.0 + 5.0 + 9.0)).abs() < 1e-9);
/// ```
pub fn legacy_score(s: &ScoreInputs) -> f64 {
    let ratio = s.volume_ratio();
    let vol_oi = match ratio {
        r if r > 4.0 => 18.0,
        r if r > 3.0 => 15.0,
        r if r > 2.0 => 12.0,
        r if r > 1.5 => 8.0,
        _ => 0.0,
    };
    let spread = (s.ask - s.bid) / s.premium.max(0.01);
    let spread_pts = match spread {
        x if x < 0.05 => 18.0,
        x if x < 0.10 => 12.0,
        x if x < 0.20 => 6.0,
        _ => 0.0,
    };
    let roi_pts = (s.one_sd_roi_pct.max(0.0) / 4.0).min(25.0);
    let prob_pts = 0.35 * s.pop_pct.clamp(1.0, 99.0);
    let be = s.breakeven_move_pct.abs();
    let bf = match be {
        x if x < 2.0 => 1.0,
        x if x < 4.0 => 0.7,
        x if x < 6.0 => 0.4,
        _ => 0.0,
    };
    let payoff = s.payoff();
    let pm = match payoff {
        p if p >= 0.5 => 1.0,
        p if p >= 0.3 => 0.7,
        p if p >= 0.2 => 0.5,
        _ => 0.3,
    };
    let iv_pts = if (0.2..=0.6).contains(&s.iv) {
        5.0
    } else if s.iv > 0.8 {
        -3.0
    } else {
        0.0
    };
    let cost = s.cost();
    let afford = match cost {
        c if c < 200.0 => 9.0,
        c if c < 500.0 => 7.0,
        c if c < 1000.0 => 5.0,
        c if c < 2000.0 => 3.0,
        c if c < 5000.0 => 1.0,
        _ => 0.0,
    };
    let penalty = match payoff {
        p if p < 0.1 => -8.0,
        p if p < 0.2 => -5.0,
        p if p < 0.3 => -3.0,
        _ => 0.0,
    };
    (vol_oi + spread_pts + roi_pts + prob_pts + 10.0 * bf * pm + iv_pts + afford + penalty)
        .clamp(0.0, 100.0)
}

/// `min(95, 0.35·score + 0.65·PoP%)`.
pub fn confidence(score: f64, pop_pct: f64) -> f64 {
    (0.35 * score + 0.65 * pop_pct).min(95.0)
}

/// Risk level before backtests (§5.1): `low`, `medium` or `high`.
pub fn risk_level(s: &ScoreInputs) -> &'static str {
    let be = s.breakeven_move_pct;
    if (be <= 0.0 && s.pop_pct >= 65.0) || (be.abs() <= 5.0 && s.pop_pct >= 70.0) {
        "low"
    } else if s.best_roi_pct >= 250.0 && s.pop_pct >= 55.0 {
        "medium"
    } else if s.premium < 1.0 && s.pop_pct < 50.0 {
        "high"
    } else {
        "medium"
    }
}

/// `probable-winner`, `high-upside-retail` or `speculative` (§5.1).
pub fn quality_lane(s: &ScoreInputs) -> &'static str {
    if s.pop_pct >= 25.0 {
        "probable-winner"
    } else if s.pop_pct >= 10.0
        && s.cost() < 500.0
        && (s.one_sd_roi_pct >= 100.0 || s.payoff() >= 2.0)
    {
        "high-upside-retail"
    } else {
        "speculative"
    }
}

/// Catalyst labels (§5.1).
pub fn catalysts(s: &ScoreInputs) -> Vec<String> {
    let mut out = Vec::new();
    if s.pop_pct >= 50.0 {
        out.push("High Probability Setup (>50%)");
    } else if s.pop_pct >= 40.0 {
        out.push("Good Probability (>40%)");
    }
    if s.one_sd_roi_pct >= 50.0 {
        out.push("Strong Expected Returns");
    } else if s.one_sd_roi_pct >= 30.0 {
        out.push("Solid Expected Returns");
    }
    if s.volume_ratio() > 1.5 {
        out.push("Unusual Volume Activity");
    }
    out.into_iter().map(String::from).collect()
}

/// Pattern labels (§5.1); `directional_score` is the enhanced bias score when known.
pub fn patterns(s: &ScoreInputs, directional_score: Option<f64>) -> Vec<String> {
    let mut out = vec![
        "Liquidity Analysis".to_owned(),
        "Probability-Focused Analysis".to_owned(),
    ];
    if s.breakeven_move_pct.abs() < 4.0 {
        out.push("Tight Breakeven".to_owned());
    }
    if directional_score.is_some_and(|d| d.abs() > 30.0) {
        out.push("Strong Directional Signal".to_owned());
    }
    out
}

/// Reasoning sentences (§5.1).
pub fn reasoning(s: &ScoreInputs) -> Vec<String> {
    let mut out = Vec::new();
    if s.volume_ratio() > 2.0 {
        out.push(format!(
            "Volume is {:.1}× open interest: fresh positioning today",
            s.volume_ratio()
        ));
    }
    if (s.ask - s.bid) / s.premium.max(0.01) < 0.1 {
        out.push("Tight bid/ask spread keeps entry and exit costs low".to_owned());
    }
    let be = s.breakeven_move_pct;
    if be <= 0.0 {
        out.push("Already beyond breakeven at today's price".to_owned());
    } else if be <= 5.0 {
        out.push(format!("Needs only a {be:.1}% move to break even"));
    } else if be <= 8.0 {
        out.push(format!("Breakeven is a reachable {be:.1}% move away"));
    }
    if s.best_roi_pct >= 200.0 {
        out.push(format!(
            "Upside of {:.0}% in the best modelled scenario",
            s.best_roi_pct
        ));
    }
    if s.pop_pct >= 65.0 {
        out.push(format!("{:.0}% modelled probability of profit", s.pop_pct));
    }
    out.push(format!("{} days until expiration", s.dte));
    if out.len() == 1 {
        out.insert(
            0,
            "Balanced mix of liquidity, probability and payoff".to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ScoreInputs {
        ScoreInputs {
            volume: 50.0,
            open_interest: 100.0,
            bid: 1.0,
            ask: 1.5,
            premium: 1.25,
            iv: 1.0,
            dte: 10,
            ..Default::default()
        }
    }

    #[test]
    fn score_is_clamped_and_monotone_in_probability() {
        let lo = legacy_score(&ScoreInputs {
            pop_pct: 10.0,
            ..base()
        });
        let hi = legacy_score(&ScoreInputs {
            pop_pct: 60.0,
            ..base()
        });
        assert!((hi - lo - 0.35 * 50.0).abs() < 1e-9);
        let max = ScoreInputs {
            volume: 1e6,
            one_sd_roi_pct: 1e4,
            one_sd_net: 1e6,
            pop_pct: 99.0,
            iv: 0.3,
            bid: 1.0,
            ask: 1.0,
            premium: 1.0,
            ..base()
        };
        assert_eq!(legacy_score(&max), 100.0);
        assert!(legacy_score(&base()) >= 0.0);
    }

    #[test]
    fn labels_follow_the_thresholds() {
        assert_eq!(
            risk_level(&ScoreInputs {
                breakeven_move_pct: -1.0,
                pop_pct: 70.0,
                ..base()
            }),
            "low"
        );
        assert_eq!(
            risk_level(&ScoreInputs {
                premium: 0.5,
                pop_pct: 30.0,
                ..base()
            }),
            "high"
        );
        assert_eq!(
            quality_lane(&ScoreInputs {
                pop_pct: 30.0,
                ..base()
            }),
            "probable-winner"
        );
        assert_eq!(
            quality_lane(&ScoreInputs {
                pop_pct: 15.0,
                one_sd_roi_pct: 150.0,
                ..base()
            }),
            "high-upside-retail"
        );
        assert_eq!(confidence(100.0, 100.0), 95.0);
        assert!(
            catalysts(&ScoreInputs {
                pop_pct: 55.0,
                volume: 400.0,
                ..base()
            })
            .len()
                == 2
        );
        assert_eq!(
            reasoning(&ScoreInputs {
                breakeven_move_pct: 20.0,
                ..base()
            })[0],
            "Balanced mix of liquidity, probability and payoff"
        );
    }
}
