//! Backtest validation of a symbol's surviving candidates: one shared [`PathSet`] per symbol
//! (prices, the volatility known each day, the session calendar), one replay per candidate,
//! and the risk-level and Kelly adjustments the original meant the backtest to drive
//! (original-system.md §5.1, §8.1, §9).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::analysed::Analysed;
use super::contract::SymbolInputs;
use super::sizing::PositionSizing;
use super::ScanConfig;
use crate::backtest::{run_backtest, summarize, BacktestReport, Calibration, PathSet, TradeSpec};
use crate::model::OptionQuote;

/// Trades needed before a backtest is reported and adjusts the risk level (5).
pub const MIN_REPORTED_TRADES: usize = 5;
/// Trades needed before the Kelly sizing is recomputed from the win rate (20).
pub const MIN_KELLY_TRADES: usize = 20;

/// One candidate's backtest and calibration replay.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The statistics.
    pub report: BacktestReport,
    /// Predicted PoP against outcomes at expiry.
    pub calibration: Calibration,
    /// Calendar days the lookback spans.
    pub lookback_days: i64,
    /// The replayed contract.
    pub spec: TradeSpec,
}

impl Validation {
    /// The replayed contract in words (side, moneyness, DTE): built only for the finalists
    /// whose `backtestValidation` is written, not for every backtested candidate.
    pub fn pattern(&self) -> String {
        pattern_description(&self.spec)
    }
}

/// Replay every contract in `indices` (which passed the gates) on the symbol's `paths`.
pub(crate) fn validate(
    paths: &PathSet,
    quotes: &[OptionQuote],
    analysed: &Analysed,
    indices: &[usize],
    sym: &SymbolInputs,
    cfg: &ScanConfig,
) -> BTreeMap<usize, Validation> {
    indices
        .iter()
        .filter_map(|&i| {
            let a = analysed.get(i)?.as_ref().ok()?;
            let q = &quotes[i];
            let spec = TradeSpec {
                kind: q.kind,
                moneyness: q.strike / sym.spot,
                dte: a.dte.max(1),
                take_profit: cfg.take_profit,
                stop_loss: cfg.stop_loss,
                rate: sym.rate,
                dividend_yield: sym.dividend_yield,
            };
            let run = run_backtest(paths, &spec, cfg.backtest_lookback_sessions);
            let mut calibration = Calibration::default();
            for (p, y) in &run.calibration {
                calibration.add(*p, *y, a.dte);
            }
            Some((
                i,
                Validation {
                    report: summarize(&run.trades, sym.rate),
                    calibration,
                    lookback_days: paths.calendar_days(cfg.backtest_lookback_sessions),
                    spec,
                },
            ))
        })
        .collect()
}

/// `PUT 4.9% in the money, 9 days to expiry`: the contract each replay re-creates.
fn pattern_description(spec: &TradeSpec) -> String {
    let m = spec.moneyness;
    let itm = match spec.kind {
        crate::model::OptionKind::Call => m < 1.0,
        crate::model::OptionKind::Put => m > 1.0,
    };
    let distance = (m - 1.0).abs() * 100.0;
    let side = match spec.kind {
        crate::model::OptionKind::Call => "CALL",
        crate::model::OptionKind::Put => "PUT",
    };
    let where_ = if distance < 0.05 {
        "at the money".to_owned()
    } else if itm {
        format!("{distance:.1}% in the money")
    } else {
        format!("{distance:.1}% out of the money")
    };
    format!(
        "{side} {where_}, {} days to expiry, re-entered every session",
        spec.dte
    )
}

/// The risk level after the backtest rules of §5.1 (only with ≥ 5 trades): `extreme` at win
/// rate ≤ 10% with ≥ 50 trades, `high` ≤ 30%, `medium` ≤ 45%, `low` when PoP ≥ 50%, else the
/// level without backtest.
///
/// ```
/// use scanner_core::scan::backtest_risk_level;
/// assert_eq!(backtest_risk_level("medium", 60, 0.05, 40.0), "extreme");
/// assert_eq!(backtest_risk_level("low", 10, 0.25, 70.0), "high");
/// assert_eq!(backtest_risk_level("high", 30, 0.60, 55.0), "low");
/// assert_eq!(backtest_risk_level("high", 3, 0.0, 55.0), "high"); // too few trades
/// ```
pub fn backtest_risk_level(
    base: &'static str,
    trades: usize,
    win_rate: f64,
    pop_pct: f64,
) -> &'static str {
    if trades < MIN_REPORTED_TRADES {
        base
    } else if win_rate <= 0.10 && trades >= 50 {
        "extreme"
    } else if win_rate <= 0.30 {
        "high"
    } else if win_rate <= 0.45 {
        "medium"
    } else if pop_pct >= 50.0 {
        "low"
    } else {
        base
    }
}

/// The `backtestValidation` JSON.
pub fn validation_json(v: &Validation, cfg: &ScanConfig) -> Value {
    let r = &v.report;
    let mut j = json!(r);
    j["available"] = json!(r.trades >= MIN_REPORTED_TRADES);
    if r.trades < MIN_REPORTED_TRADES {
        j["reason"] = json!(format!(
            "{} completed trades (needs {MIN_REPORTED_TRADES})",
            r.trades
        ));
    }
    j["winRate"] = json!((r.win_rate * 10_000.0).round() / 100.0);
    j["patternType"] = json!("same_moneyness_same_dte_replay");
    j["method"] = json!(format!(
        "entry each session at BSM with {}-session realized volatility; take profit +{:.0}%, stop −{:.0}% on daily open/high/low marks; else held to expiry",
        cfg.backtest_vol_window, cfg.take_profit * 100.0, cfg.stop_loss * 100.0
    ));
    j["lookbackSessions"] = json!(cfg.backtest_lookback_sessions);
    // The original's names for the same facts.
    j["similarTradesFound"] = json!(r.trades);
    j["lookbackDays"] = json!(v.lookback_days);
    j["patternDescription"] = json!(v.pattern());
    j
}

/// Mark a sizing as recomputed from a backtest.
pub fn mark_backtest_driven(s: &mut PositionSizing, trades: usize) {
    if let Value::Object(m) = &mut s.inputs {
        m.insert("backtestDriven".into(), json!(true));
        m.insert("backtestSampleSize".into(), json!(trades));
    }
}
