//! The ranking replay: on past scan dates, do the contracts the real-world expected value
//! ranks highest do better than every eligible contract, and better than the same number
//! picked at random? Scan dates are a month apart and contracts expire within 30 days, so
//! no two dates share a holding period and each date is one independent observation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::replay::Observation;
use super::CalibrateOptions;
use crate::market::rng::Rng;

/// Sessions between scan dates.
pub const SCAN_EVERY_SESSIONS: usize = 21;
/// Longest expiry the replay buys, calendar days (shorter than the gap between dates).
pub const MAX_DTE: i64 = 30;
/// Random draws per scan date for the random strategy.
const RANDOM_DRAWS: usize = 200;

/// One strategy's realised results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyResult {
    /// What it picks.
    pub name: String,
    /// Scan dates.
    pub dates: usize,
    /// Contracts bought over all dates.
    pub contracts: usize,
    /// Mean over dates of the equal-weight return on premium, held to expiry.
    pub mean_return: f64,
    /// 95 % interval of that mean (normal approximation over dates).
    pub interval: [f64; 2],
    /// Share of contracts that ended in profit.
    pub win_rate: f64,
}

/// The replay's three strategies side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RankingReport {
    /// Top `top_n` by real-world expected value per dollar of premium.
    pub top: StrategyResult,
    /// Every eligible contract.
    pub all: StrategyResult,
    /// `top_n` picked uniformly at random (mean of many draws per date).
    pub random: StrategyResult,
    /// Mean over dates of (top − all), with its 95 % interval: the ranking's edge.
    pub edge_over_all: [f64; 3],
}

fn summarise(name: &str, per_date: &[(f64, usize, usize)]) -> StrategyResult {
    let n = per_date.len();
    let mean = per_date.iter().map(|d| d.0).sum::<f64>() / n.max(1) as f64;
    let half = half_width(&per_date.iter().map(|d| d.0).collect::<Vec<_>>());
    let contracts: usize = per_date.iter().map(|d| d.1).sum();
    let wins: usize = per_date.iter().map(|d| d.2).sum();
    StrategyResult {
        name: name.to_owned(),
        dates: n,
        contracts,
        mean_return: mean,
        interval: [mean - half, mean + half],
        win_rate: wins as f64 / contracts.max(1) as f64,
    }
}

/// 1.96 standard errors of the mean of `v` (∞ with fewer than two values).
fn half_width(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if v.len() < 2 {
        return f64::INFINITY;
    }
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    1.96 * (var / n).sqrt()
}

/// Replay the ranking on `calendar` dates after the split (every
/// [`SCAN_EVERY_SESSIONS`]-th session).
pub(crate) fn replay(
    obs: &[Observation],
    calendar: &[NaiveDate],
    opts: &CalibrateOptions,
) -> RankingReport {
    let dates: Vec<NaiveDate> = calendar
        .iter()
        .filter(|d| **d > opts.split_date)
        .step_by(SCAN_EVERY_SESSIONS)
        .copied()
        .collect();
    let mut by_date: std::collections::BTreeMap<NaiveDate, Vec<&Observation>> =
        dates.iter().map(|d| (*d, Vec::new())).collect();
    for o in obs.iter().filter(|o| o.dte <= MAX_DTE) {
        if let Some(v) = by_date.get_mut(&o.date) {
            v.push(o);
        }
    }
    let (mut top, mut all, mut random, mut edge) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rng = Rng::stream(opts.seed, 0x7261_6e6b);
    for (_, mut v) in by_date.into_iter().filter(|(_, v)| v.len() >= opts.top_n) {
        let stats = |set: &[&Observation]| {
            let k = set.len();
            let mean = set.iter().map(|o| o.ret).sum::<f64>() / k as f64;
            (mean, k, set.iter().filter(|o| o.profit).count())
        };
        let a = stats(&v);
        v.sort_by(|x, y| y.ev_rw.total_cmp(&x.ev_rw).then(x.symbol.cmp(&y.symbol)));
        let t = stats(&v[..opts.top_n]);
        let (mut sum, mut wins) = (0.0, 0usize);
        for _ in 0..RANDOM_DRAWS {
            // A partial Fisher–Yates shuffle draws top_n distinct contracts.
            let len = v.len();
            for i in 0..opts.top_n {
                let j = i + (rng.uniform() * (len - i) as f64) as usize;
                v.swap(i, j.min(len - 1));
            }
            let r = stats(&v[..opts.top_n]);
            sum += r.0;
            wins += r.2;
        }
        random.push((
            sum / RANDOM_DRAWS as f64,
            opts.top_n,
            (wins as f64 / RANDOM_DRAWS as f64).round() as usize,
        ));
        edge.push(t.0 - a.0);
        top.push(t);
        all.push(a);
    }
    let m = edge.iter().sum::<f64>() / edge.len().max(1) as f64;
    let h = half_width(&edge);
    RankingReport {
        top: summarise(&format!("top {} by real-world EV", opts.top_n), &top),
        all: summarise("all eligible", &all),
        random: summarise(&format!("random {}", opts.top_n), &random),
        edge_over_all: [m, m - h, m + h],
    }
}
