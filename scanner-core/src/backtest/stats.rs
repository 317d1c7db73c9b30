//! Statistics of a replay: what `backtestValidation` reports. Risk ratios (Sharpe, Sortino,
//! drawdown) use only **non-overlapping** trades, because consecutive daily entries share most
//! of their path and would overstate the evidence (original-system.md §12.29).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use chrono::NaiveDate;

use super::engine::{ExitReason, Trade};

/// Sessions per year, to annualise per-trade ratios.
const SESSIONS_PER_YEAR: f64 = 252.0;

/// The summary of one candidate's backtest. Returns are in percent of the premium.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestReport {
    /// Completed trades (one per entry day, overlapping).
    pub trades: usize,
    /// Trades with a positive return.
    pub winning_trades: usize,
    /// Trades with a zero or negative return.
    pub losing_trades: usize,
    /// Winning share, 0–1.
    pub win_rate: f64,
    /// Mean return, %.
    pub avg_return_pct: f64,
    /// Median return, %.
    pub median_return_pct: f64,
    /// Best return, %.
    pub best_return_pct: f64,
    /// Worst return, %.
    pub worst_return_pct: f64,
    /// Sum of gains over the sum of losses (`None` without losses).
    pub profit_factor: Option<f64>,
    /// Expected return per trade, % (win rate × mean win + loss rate × mean loss).
    pub expectancy_pct: f64,
    /// Trades kept when no two overlap in time (the sample the ratios below use).
    pub independent_trades: usize,
    /// Annualised Sharpe ratio of the non-overlapping trades' excess returns.
    pub sharpe_ratio: Option<f64>,
    /// Annualised Sortino ratio (downside deviation) of the same.
    pub sortino_ratio: Option<f64>,
    /// Largest peak-to-trough fall, 0–100 % of the account (the original's unit), of an
    /// account that starts with one stake per non-overlapping trade and puts one stake into
    /// each in turn (no compounding): `max (peak − equity) / peak` over the equity `k + Σ
    /// returns`, in stakes. It cannot exceed 100 because every trade can lose at most its stake.
    pub max_drawdown_pct: f64,
    /// Largest peak-to-trough fall of the summed non-overlapping returns, in % of one stake
    /// (can exceed 100: 300 means three stakes lost from the peak).
    pub max_drawdown_stake_pct: f64,
    /// Sum of every trade's return, % of one stake.
    pub total_return_pct: f64,
    /// Mean sessions held.
    pub avg_sessions_held: f64,
    /// Mean calendar days held.
    pub avg_days_held: f64,
    /// Exits by reason.
    pub exits: Value,
    /// `high` (≥ 20 independent trades), `medium` (≥ 10) or `low`.
    pub sample_size_quality: String,
    /// The three most recent trades, newest first.
    pub recent_examples: Vec<RecentTrade>,
}

/// One recent replayed trade, as `backtestValidation.recentExamples[]` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentTrade {
    /// Entry session.
    pub entry_date: NaiveDate,
    /// Exit session.
    pub exit_date: NaiveDate,
    /// The entry session again, under the original's name.
    pub date: NaiveDate,
    /// Return on the premium, %.
    pub return_pct: f64,
    /// Sessions between entry and exit.
    pub sessions_held: usize,
    /// Calendar days between entry and exit.
    pub days_held: i64,
    /// Why it closed.
    pub exit: ExitReason,
    /// `win` (positive return) or `loss`.
    pub outcome: String,
}

fn pct(x: f64) -> f64 {
    (x * 10_000.0).round() / 100.0
}

/// Strong backtest of original-system.md §4.6: (n ≥ 100 and win rate ≥ 0.50) or (n ≥ 50 and
/// ≥ 0.60) or (n ≥ 20 and ≥ 0.70).
///
/// ```
/// assert!(scanner_core::backtest::is_strong(60, 0.61));
/// assert!(!scanner_core::backtest::is_strong(60, 0.55));
/// ```
pub fn is_strong(trades: usize, win_rate: f64) -> bool {
    (trades >= 100 && win_rate >= 0.50)
        || (trades >= 50 && win_rate >= 0.60)
        || (trades >= 20 && win_rate >= 0.70)
}

/// Summarise `trades` (oldest first); `rate` is the risk-free rate for excess returns.
pub fn summarize(trades: &[Trade], rate: f64) -> BacktestReport {
    let n = trades.len();
    let rets: Vec<f64> = trades.iter().map(|t| t.ret).collect();
    // Every backtested candidate is summarised: the median, best and worst come from a
    // selection (same values as a full sort), the sums from iterators, not copies.
    let mut order = rets.clone();
    let median = match n {
        0 => 0.0,
        _ => {
            let (below, mid, _) = order.select_nth_unstable_by(n / 2, f64::total_cmp);
            let mid = *mid;
            if n % 2 == 1 {
                mid
            } else {
                let lower = below.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
                0.5 * (lower + mid)
            }
        }
    };
    let best = rets.iter().copied().max_by(f64::total_cmp).unwrap_or(0.0);
    let worst = rets.iter().copied().min_by(f64::total_cmp).unwrap_or(0.0);
    let mean_of = |sum: f64, k: usize| if k == 0 { 0.0 } else { sum / k as f64 };
    let mean = |v: &[f64]| mean_of(v.iter().sum::<f64>(), v.len());
    let wins = rets.iter().filter(|r| **r > 0.0).count();
    let losses = rets.iter().filter(|r| **r <= 0.0).count();
    let gain: f64 = rets.iter().copied().filter(|r| *r > 0.0).sum();
    let loss_sum: f64 = rets.iter().copied().filter(|r| *r <= 0.0).sum();
    let loss = -loss_sum;
    let win_rate = if n > 0 { wins as f64 / n as f64 } else { 0.0 };
    let expectancy = win_rate * mean_of(gain, wins) + (1.0 - win_rate) * mean_of(loss_sum, losses);

    // Non-overlapping trades: greedily take the next entry at or after the last exit.
    let mut indep: Vec<&Trade> = Vec::new();
    for t in trades {
        if indep.last().is_none_or(|p| t.entry_row >= p.exit_row) {
            indep.push(t);
        }
    }
    let held = |t: &Trade| (t.exit_row - t.entry_row) as f64;
    let ex: Vec<f64> = indep
        .iter()
        .map(|t| t.ret - rate * (t.exit_date - t.entry_date).num_days() as f64 / 365.0)
        .collect();
    let m = mean(&ex);
    let avg_held_indep = mean(&indep.iter().map(|t| held(t)).collect::<Vec<_>>());
    let ann = if avg_held_indep > 0.0 {
        (SESSIONS_PER_YEAR / avg_held_indep).sqrt()
    } else {
        0.0
    };
    let (sharpe, sortino) = if ex.len() >= 2 {
        let sd = (ex.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (ex.len() as f64 - 1.0)).sqrt();
        let dd = (ex.iter().map(|x| x.min(0.0).powi(2)).sum::<f64>() / ex.len() as f64).sqrt();
        (
            (sd > 0.0).then(|| m / sd * ann),
            (dd > 0.0).then(|| m / dd * ann),
        )
    } else {
        (None, None)
    };
    let (mut cum, mut peak, mut mdd) = (0.0f64, 0.0f64, 0.0f64);
    let stakes = indep.len() as f64;
    let mut account_dd = 0.0f64;
    for t in &indep {
        cum += t.ret;
        peak = peak.max(cum);
        mdd = mdd.max(peak - cum);
        account_dd = account_dd.max((peak - cum) / (stakes + peak));
    }
    let days = |t: &Trade| (t.exit_date - t.entry_date).num_days();
    let count = |r: ExitReason| trades.iter().filter(|t| t.exit == r).count();
    let quality = match indep.len() {
        k if k >= 20 => "high",
        k if k >= 10 => "medium",
        _ => "low",
    };
    let recent = trades
        .iter()
        .rev()
        .take(3)
        .map(|t| RecentTrade {
            entry_date: t.entry_date,
            exit_date: t.exit_date,
            date: t.entry_date,
            return_pct: pct(t.ret),
            sessions_held: t.exit_row - t.entry_row,
            days_held: days(t),
            exit: t.exit,
            outcome: if t.ret > 0.0 { "win" } else { "loss" }.to_owned(),
        })
        .collect();
    BacktestReport {
        trades: n,
        winning_trades: wins,
        losing_trades: losses,
        win_rate,
        avg_return_pct: pct(mean(&rets)),
        median_return_pct: pct(median),
        best_return_pct: pct(best),
        worst_return_pct: pct(worst),
        profit_factor: (loss > 0.0).then(|| gain / loss),
        expectancy_pct: pct(expectancy),
        independent_trades: indep.len(),
        sharpe_ratio: sharpe,
        sortino_ratio: sortino,
        max_drawdown_pct: pct(account_dd.clamp(0.0, 1.0)),
        max_drawdown_stake_pct: pct(mdd),
        total_return_pct: pct(rets.iter().sum()),
        avg_sessions_held: mean(&trades.iter().map(held).collect::<Vec<_>>()),
        avg_days_held: mean(&trades.iter().map(|t| days(t) as f64).collect::<Vec<_>>()),
        exits: json!({"takeProfit": count(ExitReason::TakeProfit), "stopLoss": count(ExitReason::StopLoss),
                      "expiry": count(ExitReason::Expiry)}),
        sample_size_quality: quality.to_owned(),
        recent_examples: recent,
    }
}
