//! The scan pipeline: configuration, universe rotation, once-per-symbol statistics,
//! per-contract analysis, scoring, ranking and packaging, run with bounded concurrency and
//! progressive results.
//!
//! ```no_run
//! # async fn run() -> scanner_core::Result<()> {
//! use std::sync::Arc;
//! use scanner_core::{market::SyntheticMarket, scan::{ScanConfig, Scanner}};
//! let scanner = Scanner::new(Arc::new(SyntheticMarket::new(7, 60)), ScanConfig::strict())?;
//! let results = scanner.scan().await?;
//! println!("{} opportunities", results[0].opportunities.len());
//! # Ok(()) }
//! ```

mod analysed;
mod build;
mod composite;
mod config;
mod config_doc;
mod contract;
mod directional;
mod freshness;
mod iv_rank;
mod liquidity;
mod moves;
mod package;
mod pipeline;
mod progress;
mod rank;
mod relaxed;
mod score;
mod sizing;
mod symbol;
mod tags;
mod universe;
mod validation;
mod volatility;

pub use composite::{
    filter_score, quality_multiplier, risk_metrics, CompositeInputs, RiskMetrics, ScoreBreakdown,
};
pub use config::{ContractGates, InstitutionalGates, LiquidityGate, ModeSelection, ScanConfig};
pub use contract::{analyze_contract, itm_fraction, ContractAnalysis, SymbolInputs};
pub use directional::{symbol_signals, SymbolSignals, FILTER_CONFIDENCE, FILTER_SCORE};
pub use freshness::{MAX_STALE_SESSIONS, STALE_HISTORY};
pub use iv_rank::{atm_term_structure, constant_maturity_iv, iv_rank, AtmIv, IvPoint, IvRank};
pub use liquidity::{gate_failure, liquid_sets, LiquidSets, LiquidityStage};
pub use moves::{analyze_moves, Interval, MoveContext, MoveRequirement, TouchEvent};
pub use pipeline::{ScanOutcome, ScanRequest, Scanner};
pub use progress::{CancelToken, ProgressFn, ScanEvent};
pub use rank::{rank, Candidate, Ranked};
pub use relaxed::{relaxed_scan, RelaxedScan, RelaxedStages, StageSummary, StageSymbols};
pub use score::{
    catalysts, confidence, legacy_score, patterns, quality_lane, reasoning, risk_level, ScoreInputs,
};
pub use sizing::{position_sizing, AllocationExample, PositionSizing, SizingInputs};
pub use symbol::{analyze_symbol, SymbolEnv, SymbolOutcome};
pub use tags::{tags, TagInputs};
pub use universe::{next_batch, Batch};
pub use validation::{
    backtest_risk_level, validation_json, Validation, MIN_KELLY_TRADES, MIN_REPORTED_TRADES,
};
pub use volatility::{realized_vol, rolling_close_vol, sample_variance, RealizedVol};
