//! Honest backtest validation and probability calibration, run inside every scan.
//!
//! For each entry day in the lookback, a contract with the candidate's moneyness and DTE is
//! priced by Black–Scholes–Merton at the volatility known **that day**, marked on the later
//! sessions' opens, highs and lows for take-profit and stop-loss, and otherwise held to expiry,
//! with outcomes from the real later prices; the same replay records the model's predicted
//! probability of profit against the realised outcome (original-system.md §8, §12.29).
//!
//! ```
//! use chrono::NaiveDate;
//! use scanner_core::backtest::{run_backtest, summarize, PathSet, TradeSpec};
//! use scanner_core::model::{OptionKind, PriceHistory};
//! let dates: Vec<NaiveDate> = (0..120).map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
//!     + chrono::Duration::days(i)).collect();
//! let close: Vec<f64> = (0..120).map(|i| 100.0 * (1.0 + 0.01 * (i as f64 * 0.7).sin())).collect();
//! let h = PriceHistory::new("X", dates, close.clone(), close.iter().map(|c| c * 1.01).collect(),
//!     close.iter().map(|c| c * 0.99).collect(), close.clone(), vec![1e6; 120])?;
//! let paths = PathSet::new(&h, 20);
//! let spec = TradeSpec { kind: OptionKind::Call, moneyness: 1.0, dte: 14, take_profit: 0.5,
//!     stop_loss: 0.5, rate: 0.0, dividend_yield: 0.0 };
//! let run = run_backtest(&paths, &spec, 252);
//! let report = summarize(&run.trades, spec.rate);
//! assert_eq!(report.trades, run.trades.len());
//! assert!(run.trades.iter().all(|t| t.exit_row > t.entry_row));
//! # Ok::<(), scanner_core::Error>(())
//! ```

mod calibration;
mod engine;
mod paths;
mod stats;

pub use calibration::{
    Calibration, CalibrationBreakdown, CalibrationSummary, ReliabilityBin, DTE_BUCKETS,
    MONEYNESS_BUCKETS,
};
pub use engine::{pop_lognormal, run_backtest, BacktestRun, ExitReason, Trade, TradeSpec};
pub use paths::PathSet;
pub use stats::{
    is_strong, summarize, BacktestReport, ExitCounts, RecentTrade, SampleSizeQuality, TradeOutcome,
};
