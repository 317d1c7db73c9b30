//! Statistics of a replay: what `backtestValidation` reports. Risk ratios (Sharpe, Sortino,
//! drawdown) use only **non-overlapping** trades, because consecutive daily entries share most
//! of their path and would overstate the evidence (original-system.md §12.29).

use serde::{Deserialize, Serialize};

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
    pub exits: ExitCounts,
    /// How much independent evidence the replay holds.
    pub sample_size_quality: SampleSizeQuality,
    /// The three most recent trades, newest first.
    pub recent_examples: Vec<RecentTrade>,
}

/// Replayed trades by why they closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitCounts {
    /// Held to expiry.
    pub expiry: usize,
    /// Closed at the stop.
    pub stop_loss: usize,
    /// Closed at the take-profit level.
    pub take_profit: usize,
}

/// `high` (≥ 20 independent trades), `medium` (≥ 10) or `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleSizeQuality {
    /// At least 20 non-overlapping trades.
    High,
    /// 10 to 19.
    Medium,
    /// Fewer than 10.
    Low,
}

impl SampleSizeQuality {
    /// The grade of `independent` non-overlapping trades.
    ///
    /// ```
    /// use scanner_core::backtest::SampleSizeQuality;
    /// assert_eq!(SampleSizeQuality::of(20), SampleSizeQuality::High);
    /// assert_eq!(SampleSizeQuality::of(10), SampleSizeQuality::Medium);
    /// assert_eq!(SampleSizeQuality::of(9), SampleSizeQuality::Low);
    /// ```
    pub fn of(independent: usize) -> Self {
        match independent {
            k if k >= 20 => Self::High,
            k if k >= 10 => Self::Medium,
            _ => Self::Low,
        }
    }
}

/// Whether a replayed trade made money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TradeOutcome {
    /// A positive return.
    Win,
    /// Zero or negative.
    Loss,
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
    pub outcome: TradeOutcome,
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
    // Every backtested candidate is summarised, so this reads the trades in place, in two
    // passes over all trades and two over the non-overlapping ones. Each sum adds the same
    // terms in the same order from the same start (−0, as `Iterator::sum` does) as a sum
    // over copied lists would: the figures are bit for bit the same.
    let n = trades.len();
    let median = match n {
        0 => 0.0,
        _ => {
            let mut order: Vec<f64> = trades.iter().map(|t| t.ret).collect();
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
    let held = |t: &Trade| (t.exit_row - t.entry_row) as f64;
    let days = |t: &Trade| t.days_held;
    let (mut best, mut worst) = (None::<f64>, None::<f64>);
    let (mut wins, mut losses) = (0, 0);
    let (mut gain, mut loss_sum, mut total) = (-0.0f64, -0.0f64, -0.0f64);
    let (mut held_sum, mut days_sum) = (-0.0f64, -0.0f64);
    let mut exits = ExitCounts::default();
    for t in trades {
        let r = t.ret;
        best = Some(best.map_or(r, |b| if r.total_cmp(&b).is_ge() { r } else { b }));
        worst = Some(worst.map_or(r, |w| if r.total_cmp(&w).is_lt() { r } else { w }));
        if r > 0.0 {
            wins += 1;
            gain += r;
        } else if r <= 0.0 {
            losses += 1;
            loss_sum += r;
        }
        total += r;
        match t.exit {
            ExitReason::TakeProfit => exits.take_profit += 1,
            ExitReason::StopLoss => exits.stop_loss += 1,
            ExitReason::Expiry => exits.expiry += 1,
        }
        held_sum += held(t);
        days_sum += days(t) as f64;
    }
    let (best, worst) = (best.unwrap_or(0.0), worst.unwrap_or(0.0));
    let mean_of = |sum: f64, k: usize| if k == 0 { 0.0 } else { sum / k as f64 };
    let loss = -loss_sum;
    let win_rate = if n > 0 { wins as f64 / n as f64 } else { 0.0 };
    let expectancy = win_rate * mean_of(gain, wins) + (1.0 - win_rate) * mean_of(loss_sum, losses);

    let excess = |t: &Trade| t.ret - rate * days(t) as f64 / 365.0;
    let (mut k, mut excess_sum, mut held_indep) = (0usize, -0.0f64, -0.0f64);
    for t in independent(trades) {
        k += 1;
        excess_sum += excess(t);
        held_indep += held(t);
    }
    let m = mean_of(excess_sum, k);
    let avg_held_indep = mean_of(held_indep, k);
    let ann = if avg_held_indep > 0.0 {
        (SESSIONS_PER_YEAR / avg_held_indep).sqrt()
    } else {
        0.0
    };
    let (mut dev_sq, mut down_sq) = (-0.0f64, -0.0f64);
    let (mut cum, mut peak, mut mdd) = (0.0f64, 0.0f64, 0.0f64);
    let stakes = k as f64;
    let mut account_dd = 0.0f64;
    for t in independent(trades) {
        let x = excess(t);
        dev_sq += (x - m).powi(2);
        down_sq += x.min(0.0).powi(2);
        cum += t.ret;
        peak = peak.max(cum);
        mdd = mdd.max(peak - cum);
        account_dd = account_dd.max((peak - cum) / (stakes + peak));
    }
    let (sharpe, sortino) = if k >= 2 {
        let sd = (dev_sq / (k as f64 - 1.0)).sqrt();
        let dd = (down_sq / k as f64).sqrt();
        (
            (sd > 0.0).then(|| m / sd * ann),
            (dd > 0.0).then(|| m / dd * ann),
        )
    } else {
        (None, None)
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
            outcome: if t.ret > 0.0 {
                TradeOutcome::Win
            } else {
                TradeOutcome::Loss
            },
        })
        .collect();
    BacktestReport {
        trades: n,
        winning_trades: wins,
        losing_trades: losses,
        win_rate,
        avg_return_pct: pct(mean_of(total, n)),
        median_return_pct: pct(median),
        best_return_pct: pct(best),
        worst_return_pct: pct(worst),
        profit_factor: (loss > 0.0).then(|| gain / loss),
        expectancy_pct: pct(expectancy),
        independent_trades: k,
        sharpe_ratio: sharpe,
        sortino_ratio: sortino,
        max_drawdown_pct: pct(account_dd.clamp(0.0, 1.0)),
        max_drawdown_stake_pct: pct(mdd),
        total_return_pct: pct(total),
        avg_sessions_held: mean_of(held_sum, n),
        avg_days_held: mean_of(days_sum, n),
        exits,
        sample_size_quality: SampleSizeQuality::of(k),
        recent_examples: recent,
    }
}

/// The non-overlapping trades, oldest first: greedily the next entry at or after the last
/// exit.
fn independent(trades: &[Trade]) -> impl Iterator<Item = &Trade> {
    let mut last_exit: Option<usize> = None;
    trades.iter().filter(move |t| {
        let take = last_exit.is_none_or(|e| t.entry_row >= e);
        if take {
            last_exit = Some(t.exit_row);
        }
        take
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figures computed the plain way, over copied lists (as before the summary read
    /// the trades in place), in the order of [`figures`].
    fn reference(trades: &[Trade], rate: f64) -> Vec<f64> {
        let rets: Vec<f64> = trades.iter().map(|t| t.ret).collect();
        let mean = |v: &[f64]| {
            if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let gain: f64 = rets.iter().copied().filter(|r| *r > 0.0).sum();
        let loss: f64 = -rets.iter().copied().filter(|r| *r <= 0.0).sum::<f64>();
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
        let ann =
            (SESSIONS_PER_YEAR / mean(&indep.iter().map(|t| held(t)).collect::<Vec<_>>())).sqrt();
        let sd = (ex.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (ex.len() as f64 - 1.0)).sqrt();
        let dd = (ex.iter().map(|x| x.min(0.0).powi(2)).sum::<f64>() / ex.len() as f64).sqrt();
        let (mut cum, mut peak, mut mdd, mut account) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for t in &indep {
            cum += t.ret;
            peak = peak.max(cum);
            mdd = mdd.max(peak - cum);
            account = account.max((peak - cum) / (indep.len() as f64 + peak));
        }
        vec![
            indep.len() as f64,
            pct(mean(&rets)),
            pct(rets.iter().sum()),
            if loss > 0.0 { gain / loss } else { f64::NAN },
            if ex.len() >= 2 && sd > 0.0 {
                m / sd * ann
            } else {
                f64::NAN
            },
            if ex.len() >= 2 && dd > 0.0 {
                m / dd * ann
            } else {
                f64::NAN
            },
            pct(mdd),
            pct(account.clamp(0.0, 1.0)),
            mean(&trades.iter().map(held).collect::<Vec<_>>()),
            pct(rets.iter().copied().max_by(f64::total_cmp).unwrap_or(0.0)),
            pct(rets.iter().copied().min_by(f64::total_cmp).unwrap_or(0.0)),
        ]
    }

    fn figures(r: &BacktestReport) -> Vec<f64> {
        vec![
            r.independent_trades as f64,
            r.avg_return_pct,
            r.total_return_pct,
            r.profit_factor.unwrap_or(f64::NAN),
            r.sharpe_ratio.unwrap_or(f64::NAN),
            r.sortino_ratio.unwrap_or(f64::NAN),
            r.max_drawdown_stake_pct,
            r.max_drawdown_pct,
            r.avg_sessions_held,
            r.best_return_pct,
            r.worst_return_pct,
        ]
    }

    fn trades(seed: u64, n: usize) -> Vec<Trade> {
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let day0 = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        let reasons = [
            ExitReason::TakeProfit,
            ExitReason::StopLoss,
            ExitReason::Expiry,
        ];
        (0..n)
            .map(|i| {
                let exit_row = i + 1 + (next() * 20.0) as usize;
                let u = next();
                Trade {
                    entry_row: i,
                    exit_row,
                    entry_date: day0 + chrono::Duration::days(i as i64 * 7 / 5),
                    exit_date: day0 + chrono::Duration::days(exit_row as i64 * 7 / 5),
                    days_held: (exit_row as i64 * 7 / 5) - (i as i64 * 7 / 5),
                    premium: 1.0,
                    ret: if u < 0.1 { 0.0 } else { 3.0 * u - 1.2 },
                    exit: reasons[i % 3],
                }
            })
            .collect()
    }

    #[test]
    fn in_place_summary_matches_the_plain_computation_bit_for_bit() {
        for (seed, n) in [(2, 1), (3, 2), (4, 37), (5, 252), (6, 1000)] {
            let t = trades(seed, n);
            let r = summarize(&t, 0.043);
            let want = reference(&t, 0.043);
            for (i, (g, w)) in figures(&r).iter().zip(&want).enumerate() {
                let same = g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan());
                assert!(same, "seed {seed}, figure {i}: {g} vs {w}");
            }
            let e = r.exits;
            assert_eq!(e.take_profit + e.stop_loss + e.expiry, n, "seed {seed}");
            assert_eq!(e.take_profit, n.div_ceil(3), "seed {seed}");
        }
        let empty = summarize(&[], 0.043);
        assert_eq!((empty.trades, empty.avg_return_pct), (0, 0.0));
        assert_eq!(empty.sample_size_quality, SampleSizeQuality::Low);
    }
}
