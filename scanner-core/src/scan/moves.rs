//! Historical move analysis (original-system.md §7.1, done right): how often did the
//! underlying move far enough, within the option's life, to reach the breakeven?
//!
//! * Windows follow the data's own session calendar: a window starting on session `i` ends on
//!   the last session dated within `DTE` calendar days (the original reused calendar DTE as a
//!   row count, making windows about 1.45× too long).
//! * A touch is judged on intraday highs and lows, not closes.
//! * Windows overlap, so the interval uses the number of non-overlapping windows as its sample
//!   size and claims exactly the confidence it computes (Jeffreys, 95% by default).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::PriceHistory;
use crate::probability::jeffreys_interval;

/// A probability in percent with its Jeffreys interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    /// Lower bound, percent.
    pub lower: f64,
    /// Upper bound, percent.
    pub upper: f64,
    /// Confidence level of the interval (0.95).
    pub confidence: f64,
}

/// One historical window in which the move happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TouchEvent {
    /// First session of the window.
    pub date: NaiveDate,
    /// Calendar days from the window start to the touch.
    pub days_to_target: i64,
}

/// The move the option needs, as analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveRequirement {
    /// Required move in percent of the start price (always ≥ 0).
    pub percent: f64,
    /// Required move in price units at today's close.
    pub amount: f64,
    /// `"up"` or `"down"`.
    pub direction: String,
    /// Horizon in calendar days.
    pub timeframe_days: i64,
    /// Median sessions per window on this calendar.
    pub sessions: usize,
}

/// Result of [`analyze_moves`], serialised as `historicalContext`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveContext {
    /// False when there was not enough history (then only `message` is meaningful).
    pub available: bool,
    /// Same as `touch_probability` (the original's name).
    pub empirical_probability: f64,
    /// Jeffreys posterior mean of "reached the target at any time in the window", percent.
    pub touch_probability: f64,
    /// Jeffreys posterior mean of "closed beyond the target at the window end", percent.
    pub finish_probability: f64,
    /// Interval for the touch probability.
    pub touch_confidence: Interval,
    /// Interval for the finish probability.
    pub finish_confidence: Interval,
    /// Windows in which the target was touched.
    pub occurrences: u64,
    /// Windows that finished beyond the target.
    pub close_occurrences: u64,
    /// Complete windows analysed.
    pub total_periods: u64,
    /// Non-overlapping windows: the sample size behind the intervals.
    pub effective_periods: u64,
    /// The most recent window that touched.
    pub last_touch: Option<TouchEvent>,
    /// Up to three most recent touches, newest first.
    pub recent_touches: Vec<TouchEvent>,
    /// Mean calendar days to the touch over touching windows.
    pub avg_days_to_target: Option<f64>,
    /// 0–100: more windows and a recent touch score higher.
    pub quality_score: f64,
    /// `low`, `medium` or `high`.
    pub quality_label: String,
    /// What was analysed.
    pub move_requirement: MoveRequirement,
    /// One-sentence reading.
    pub analysis: String,
    /// Why the analysis is unavailable, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Analyse how often `h` moved by `target` (a signed fraction: +0.05 = up 5%, −0.05 = down
/// 5%) within `horizon_days` calendar days, at the given interval `confidence`.
pub fn analyze_moves(
    h: &PriceHistory,
    target: f64,
    horizon_days: i64,
    confidence: f64,
) -> MoveContext {
    let up = target >= 0.0;
    let (dates, close, high, low) = (h.dates(), h.close(), h.high(), h.low());
    let requirement = |sessions| MoveRequirement {
        percent: target.abs() * 100.0,
        amount: target.abs() * h.last_close().unwrap_or(0.0),
        direction: if up { "up" } else { "down" }.to_owned(),
        timeframe_days: horizon_days,
        sessions,
    };
    let horizon = horizon_days.max(1);
    let mut touches: Vec<TouchEvent> = Vec::new();
    let (mut finishes, mut periods, mut lengths) = (0u64, 0u64, Vec::new());
    let last_date = dates.last().copied();
    for i in 0..h.len() {
        let Some(end_date) = dates[i].checked_add_days(chrono::Days::new(horizon as u64)) else {
            break;
        };
        if last_date.is_none_or(|d| d < end_date) {
            break; // incomplete window: its outcome is not known yet
        }
        let end = dates.partition_point(|d| *d <= end_date) - 1;
        if end <= i {
            continue;
        }
        periods += 1;
        lengths.push(end - i);
        let level = close[i] * (1.0 + target);
        let hit = (i + 1..=end).find(|&j| {
            if up {
                high[j] >= level
            } else {
                low[j] <= level
            }
        });
        if let Some(j) = hit {
            touches.push(TouchEvent {
                date: dates[i],
                days_to_target: (dates[j] - dates[i]).num_days(),
            });
        }
        if if up {
            close[end] >= level
        } else {
            close[end] <= level
        } {
            finishes += 1;
        }
    }
    lengths.sort_unstable();
    let median_len = lengths.get(lengths.len() / 2).copied().unwrap_or(0);
    if periods < 10 {
        return unavailable(
            requirement(median_len),
            confidence,
            "fewer than 10 complete windows of history",
        );
    }
    let n_eff = (periods / (median_len.max(1) as u64)).max(1);
    let touched = touches.len() as u64;
    let interval = |k: u64| {
        let k_eff = ((k as f64 / periods as f64) * n_eff as f64).round() as u64;
        let (lo, hi) = jeffreys_interval(k_eff, n_eff, confidence);
        Interval {
            lower: lo * 100.0,
            upper: hi * 100.0,
            confidence,
        }
    };
    let mean = |k: u64| (k as f64 + 0.5) / (periods as f64 + 1.0) * 100.0;
    let recency_days = touches
        .last()
        .zip(last_date)
        .map(|(t, d)| (d - t.date).num_days());
    let recency_term = recency_days.map_or(0.0, |r| (1.0 - r as f64 / 120.0).max(0.0));
    let quality_score = (0.6 * (periods as f64 / 200.0).min(1.0) + 0.4 * recency_term) * 100.0;
    let quality_label = if periods < 40 || recency_days.is_none_or(|r| r > 180) {
        "low"
    } else if quality_score >= 70.0 && periods >= 120 {
        "high"
    } else {
        "medium"
    };
    let avg_days = (!touches.is_empty()).then(|| {
        touches.iter().map(|t| t.days_to_target as f64).sum::<f64>() / touches.len() as f64
    });
    let touch_p = mean(touched);
    let analysis = format!(
        "In {periods} windows of {horizon} calendar days, the stock moved {}{:.1}% at some point in {touched} ({touch_p:.0}%) and finished beyond it in {finishes}.",
        if up { "+" } else { "-" },
        target.abs() * 100.0
    );
    MoveContext {
        available: true,
        empirical_probability: touch_p,
        touch_probability: touch_p,
        finish_probability: mean(finishes),
        touch_confidence: interval(touched),
        finish_confidence: interval(finishes),
        occurrences: touched,
        close_occurrences: finishes,
        total_periods: periods,
        effective_periods: n_eff,
        last_touch: touches.last().cloned(),
        recent_touches: touches.iter().rev().take(3).cloned().collect(),
        avg_days_to_target: avg_days,
        quality_score,
        quality_label: quality_label.to_owned(),
        move_requirement: requirement(median_len),
        analysis,
        message: None,
    }
}

fn unavailable(req: MoveRequirement, confidence: f64, why: &str) -> MoveContext {
    let zero = Interval {
        lower: 0.0,
        upper: 100.0,
        confidence,
    };
    MoveContext {
        available: false,
        empirical_probability: 0.0,
        touch_probability: 0.0,
        finish_probability: 0.0,
        touch_confidence: zero,
        finish_confidence: zero,
        occurrences: 0,
        close_occurrences: 0,
        total_periods: 0,
        effective_periods: 0,
        last_touch: None,
        recent_touches: Vec::new(),
        avg_days_to_target: None,
        quality_score: 0.0,
        quality_label: "low".to_owned(),
        move_requirement: req,
        analysis: String::new(),
        message: Some(why.to_owned()),
    }
}

#[cfg(test)]
#[path = "moves_tests.rs"]
mod tests;
