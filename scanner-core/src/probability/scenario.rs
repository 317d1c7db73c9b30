//! The original's "returns analysis" scenario grid (original-system.md §6.2): the P&L of one
//! contract at expiry for a fixed set of underlying moves, which the UI shows as a table.
//! Kept rule for rule (caps, moves, 1SD/2SD choice) but with correct breakevens and a put
//! breakeven ≤ 0 that does not fail.

use serde::{Deserialize, Serialize};

use crate::model::OptionKind;
use crate::{Error, Result};

/// Shares per contract.
const MULTIPLIER: f64 = 100.0;

/// One move of the underlying and the resulting P&L of one contract at expiry. Its label
/// (`moveLabel` in JSON) is formatted on demand: a scan builds a grid for every contract it
/// analyses but shows the labels of a few.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "ScenarioJson", from = "ScenarioJson")]
pub struct Scenario {
    /// The move in percent of spot (−15.0 … +15.0).
    pub move_pct: f64,
    /// Payoff at expiry minus the premium, per contract.
    pub net: f64,
    /// `net / cost basis`, in percent.
    pub roi_pct: f64,
}

impl Scenario {
    /// The move as shown, one decimal with sign, e.g. `"+1.5%"`.
    pub fn move_label(&self) -> String {
        format!("{:+.1}%", self.move_pct)
    }
}

/// The serialised form of a [`Scenario`], label included.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScenarioJson {
    move_label: String,
    move_pct: f64,
    net: f64,
    roi_pct: f64,
}

impl From<Scenario> for ScenarioJson {
    fn from(s: Scenario) -> Self {
        Self {
            move_label: s.move_label(),
            move_pct: s.move_pct,
            net: s.net,
            roi_pct: s.roi_pct,
        }
    }
}

impl From<ScenarioJson> for Scenario {
    fn from(s: ScenarioJson) -> Self {
        Self {
            move_pct: s.move_pct,
            net: s.net,
            roi_pct: s.roi_pct,
        }
    }
}

/// The scenario grid and its summary figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioGrid {
    /// Scenarios in the original's order: −σ multiples, −fixed %, 0, +fixed %, +σ multiples.
    pub scenarios: [Scenario; 9],
    /// Index of the scenario closest to +1σ (calls) or −1σ (puts).
    pub one_sd: usize,
    /// Index of the scenario closest to ±2σ (with DTE ≤ 3, the ±1.5σ point).
    pub two_sd: usize,
    /// Index of the scenario with the highest ROI (the first one on ties).
    pub best: usize,
    /// 1σ move to expiry as a fraction of spot, `vol·√(max(DTE, 1)/365)`.
    pub sigma: f64,
    /// Largest absolute move in the grid (fraction of spot).
    pub cap: f64,
    /// Breakeven at expiry per share: call `K + p`, put `K − p`.
    pub breakeven_price: f64,
    /// Move to breakeven in percent of spot, positive in the option's favourable direction:
    /// call `(K + p − S)/S·100`, put `(S − (K − p))/S·100`.
    pub breakeven_move_percent: f64,
    /// Premium per contract.
    pub cost_basis: f64,
    /// ROI of the best scenario, percent.
    pub best_roi_percent: f64,
    /// Net P&L of the best scenario, per contract.
    pub best_net_profit: f64,
    /// ROI at the 1SD scenario, percent.
    pub one_sd_roi_percent: f64,
    /// Net P&L at the 1SD scenario, per contract.
    pub one_sd_net: f64,
    /// ROI at the 2SD scenario, percent.
    pub two_sd_roi_percent: f64,
    /// Net P&L at the 2SD scenario, per contract.
    pub two_sd_net: f64,
}

/// Build the scenario grid of a long option bought at `premium_per_share`.
///
/// `vol` is the annual (implied) volatility; `dte_days` the calendar days to expiry.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `spot`, `strike` or
/// `premium_per_share` is not positive and finite (ROI needs a cost), `vol < 0` or not
/// finite, or `dte_days < 0`.
///
/// ```
/// use scanner_core::{model::OptionKind, probability::scenario_grid};
/// let g = scenario_grid(OptionKind::Call, 100.0, 100.0, 2.0, 30, 0.3)?;
/// assert_eq!(g.scenarios.len(), 9);
/// assert_eq!(g.scenarios[4].move_label(), "+0.0%");
/// assert_eq!(g.breakeven_price, 102.0);
/// assert_eq!(g.scenarios[g.best].move_label(), "+15.0%");
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn scenario_grid(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    premium_per_share: f64,
    dte_days: i64,
    vol: f64,
) -> Result<ScenarioGrid> {
    let positive = |x: f64| x > 0.0 && x.is_finite();
    if !(positive(spot)
        && positive(strike)
        && positive(premium_per_share)
        && vol >= 0.0
        && vol.is_finite()
        && dte_days >= 0)
    {
        return Err(Error::invalid_input(format!(
            "scenario_grid needs spot, strike, premium > 0, vol >= 0 (finite) and dte >= 0; \
             got spot={spot}, strike={strike}, premium={premium_per_share}, vol={vol}, \
             dte={dte_days}"
        )));
    }
    let sigma = vol * (dte_days.max(1) as f64 / 365.0).sqrt();
    // (cap, multiples of σ, fixed percentage move) per DTE bucket.
    let (cap, sigmas, fixed): (f64, [f64; 3], f64) = match dte_days {
        ..=3 => (0.05, [0.5, 1.0, 1.5], 0.01),
        4..=7 => (0.10, [1.0, 1.5, 2.0], 0.02),
        8..=30 => (0.15, [1.0, 1.5, 2.0], 0.03),
        _ => (0.20, [1.0, 1.5, 2.0], 0.03),
    };
    let mut moves = [0.0f64; 9];
    for (i, m) in sigmas.iter().enumerate() {
        moves[2 - i] = -m * sigma;
        moves[6 + i] = m * sigma;
    }
    moves[3] = -fixed;
    moves[5] = fixed;
    let cost = premium_per_share * MULTIPLIER;
    let scenarios: [Scenario; 9] = moves.map(|m| {
        let m = m.clamp(-cap, cap);
        let payoff = kind.intrinsic(spot * (1.0 + m), strike) * MULTIPLIER;
        let net = payoff - cost;
        Scenario {
            move_pct: m * 100.0,
            net,
            roi_pct: net / cost * 100.0,
        }
    });
    let w = kind.sign();
    let closest = |target: f64| -> usize {
        let mut best = 0;
        for (i, s) in scenarios.iter().enumerate() {
            if (s.move_pct / 100.0 - target).abs()
                < (scenarios[best].move_pct / 100.0 - target).abs()
            {
                best = i;
            }
        }
        best
    };
    let one_sd = closest(w * sigma);
    let two_sd = closest(w * sigmas[2] * sigma);
    let mut best = 0;
    for (i, s) in scenarios.iter().enumerate() {
        if s.roi_pct > scenarios[best].roi_pct {
            best = i;
        }
    }
    let breakeven_price = strike + w * premium_per_share;
    Ok(ScenarioGrid {
        one_sd,
        two_sd,
        best,
        sigma,
        cap,
        breakeven_price,
        breakeven_move_percent: w * (breakeven_price - spot) / spot * 100.0,
        cost_basis: cost,
        best_roi_percent: scenarios[best].roi_pct,
        best_net_profit: scenarios[best].net,
        one_sd_roi_percent: scenarios[one_sd].roi_pct,
        one_sd_net: scenarios[one_sd].net,
        two_sd_roi_percent: scenarios[two_sd].roi_pct,
        two_sd_net: scenarios[two_sd].net,
        scenarios,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: put K=100, p=4, S=100, DTE 5 (cap 10 %, fixed ±2 %), vol 0.5.
    /// σ = 0.5·√(5/365) = 0.05852; moves −10 % (2σ capped), −8.78 %, −5.85 %, −2 %, 0, …
    #[test]
    fn hand_computed_put_grid() {
        let g = scenario_grid(OptionKind::Put, 100.0, 100.0, 4.0, 5, 0.5).unwrap();
        let sigma = 0.5 * (5.0f64 / 365.0).sqrt();
        assert!((g.sigma - sigma).abs() < 1e-15);
        assert_eq!(g.cap, 0.10);
        let labels: Vec<String> = g.scenarios.iter().map(|s| s.move_label()).collect();
        assert_eq!(
            labels,
            ["-10.0%", "-8.8%", "-5.9%", "-2.0%", "+0.0%", "+2.0%", "+5.9%", "+8.8%", "+10.0%"]
        );
        // −10 %: payoff 10·100 = 1000, net 600, ROI 150 %.
        assert!((g.scenarios[0].net - 600.0).abs() < 1e-9);
        assert!((g.scenarios[0].roi_pct - 150.0).abs() < 1e-9);
        assert_eq!(g.best, 0);
        assert_eq!(g.one_sd, 2); // closest to −σ
        assert_eq!(g.two_sd, 0); // −2σ is capped at −10 %
        assert_eq!(g.breakeven_price, 96.0);
        assert!((g.breakeven_move_percent - 4.0).abs() < 1e-12);
        assert_eq!(g.cost_basis, 400.0);
    }

    /// DTE ≤ 3 has no 2σ point: 2SD is the 1.5σ scenario; DTE 0 uses one day of vol.
    #[test]
    fn short_dated_grid() {
        let g = scenario_grid(OptionKind::Call, 50.0, 52.0, 0.5, 0, 0.4).unwrap();
        assert!((g.sigma - 0.4 * (1.0f64 / 365.0).sqrt()).abs() < 1e-15);
        assert_eq!(g.two_sd, 8);
        assert_eq!(g.one_sd, 7);
        assert_eq!(g.breakeven_price, 52.5);
    }

    #[test]
    fn deep_put_breakeven_does_not_fail() {
        let g = scenario_grid(OptionKind::Put, 10.0, 5.0, 6.0, 40, 0.9).unwrap();
        assert_eq!(g.breakeven_price, -1.0);
        assert!(g.scenarios.iter().all(|s| s.net < 0.0));
        assert!(scenario_grid(OptionKind::Put, 10.0, 5.0, 0.0, 40, 0.9).is_err());
        assert!(scenario_grid(OptionKind::Put, 10.0, 5.0, 1.0, -1, 0.9).is_err());
    }
}
