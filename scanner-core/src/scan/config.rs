//! Everything a scan can be told, in one serialisable struct, so a TOML/JSON file, a Python
//! keyword call, a JS options object and CLI flags all configure the same thing.
//!
//! The defaults are the original system's thresholds (original-system.md §4, Appendix B).

use serde::{Deserialize, Serialize};

use crate::model::FilterMode;
use crate::{Error, Result};

/// Which results a scan produces. `Both` computes strict and relaxed results from one fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeSelection {
    /// Strict thresholds only (the default).
    #[default]
    Strict,
    /// Strict thresholds, then the relaxed fallback stages when they leave nothing.
    Relaxed,
    /// Both of the above from the same data.
    Both,
}

impl ModeSelection {
    /// `"strict"`, `"relaxed"` or `"both"` (what [`std::str::FromStr`] reads back).
    pub fn as_str(self) -> &'static str {
        match self {
            ModeSelection::Strict => "strict",
            ModeSelection::Relaxed => "relaxed",
            ModeSelection::Both => "both",
        }
    }

    /// The filter modes this selection produces, strict first.
    pub fn modes(self) -> &'static [FilterMode] {
        match self {
            ModeSelection::Strict => &[FilterMode::Strict],
            ModeSelection::Relaxed => &[FilterMode::Relaxed],
            ModeSelection::Both => &FilterMode::ALL,
        }
    }
}

impl std::str::FromStr for ModeSelection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if s.trim().eq_ignore_ascii_case("both") {
            return Ok(ModeSelection::Both);
        }
        Ok(match s.parse::<FilterMode>()? {
            FilterMode::Strict => ModeSelection::Strict,
            FilterMode::Relaxed => ModeSelection::Relaxed,
        })
    }
}

/// A liquidity gate: every inequality is strict, as in the original.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LiquidityGate {
    /// Volume must exceed this.
    pub min_volume: u64,
    /// Open interest must exceed this.
    pub min_open_interest: u64,
    /// The last price (or mid when never traded) must exceed this, per share.
    pub min_price: f64,
}

/// Per-contract gates of the scan (original-system.md §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ContractGates {
    /// Minimum legacy score (45).
    pub min_score: f64,
    /// Minimum probability of profit in percent (5).
    pub min_probability_pct: f64,
    /// Minimum ROI of the 1σ scenario in percent (3).
    pub min_one_sd_roi_pct: f64,
    /// Strikes outside `[min_strike_ratio·S, max_strike_ratio·S]` are dropped (0.2, 3.0).
    pub min_strike_ratio: f64,
    /// See `min_strike_ratio`.
    pub max_strike_ratio: f64,
    /// Contracts more than this fraction in the money are dropped (0.15).
    pub max_itm_fraction: f64,
    /// Minimum data-quality score (60 = medium or better).
    pub min_quality_score: f64,
}

impl Default for ContractGates {
    fn default() -> Self {
        Self {
            min_score: 45.0,
            min_probability_pct: 5.0,
            min_one_sd_roi_pct: 3.0,
            min_strike_ratio: 0.2,
            max_strike_ratio: 3.0,
            max_itm_fraction: 0.15,
            min_quality_score: 60.0,
        }
    }
}

/// The institutional filters and fallback of original-system.md §4.6.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct InstitutionalGates {
    /// Minimum probability of profit as a fraction (0.01).
    pub min_probability: f64,
    /// Minimum riskAdjustedScore (5).
    pub min_risk_adjusted_score: f64,
    /// Minimum |delta| (0.001).
    pub min_abs_delta: f64,
    /// Below this many passes, the best-available fallback tops up to it (10).
    pub min_results: usize,
}

impl Default for InstitutionalGates {
    fn default() -> Self {
        Self {
            min_probability: 0.01,
            min_risk_adjusted_score: 5.0,
            min_abs_delta: 0.001,
            min_results: 10,
        }
    }
}

/// Configuration of one scan. Every field has a default (named in its doc) and can be
/// overridden; missing fields in a TOML/JSON document take their defaults.
///
/// ```
/// use scanner_core::scan::{ScanConfig, ModeSelection};
/// let c: ScanConfig = serde_json::from_str(r#"{"filterMode": "relaxed", "maxSymbols": 30}"#).unwrap();
/// assert_eq!(c.filter_mode, ModeSelection::Relaxed);
/// assert_eq!(c.max_symbols, Some(30));
/// assert_eq!(c.max_results, 20); // default kept
///
/// // Backtest validation and signals: on by default, tunable, or off.
/// let b: ScanConfig = serde_json::from_str(
///     r#"{"takeProfit": 1.0, "stopLoss": 0.3, "backtestLookbackSessions": 126}"#).unwrap();
/// assert!(b.backtest && b.signals);
/// assert_eq!((b.take_profit, b.stop_loss, b.backtest_vol_window), (1.0, 0.3, 20));
/// let off: ScanConfig = serde_json::from_str(r#"{"backtest": false, "signals": false}"#).unwrap();
/// assert!(!off.backtest && !off.signals);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ScanConfig {
    /// Strict, relaxed or both (strict).
    pub filter_mode: ModeSelection,
    /// Scan at most this many symbols per run, rotating through the universe (all).
    pub max_symbols: Option<usize>,
    /// Opportunities returned per mode (20).
    pub max_results: usize,
    /// Opportunities kept per symbol, the best by riskAdjustedScore (5).
    pub max_per_symbol: usize,
    /// Daily sessions of history per symbol (365).
    pub lookback_sessions: usize,
    /// Continuous risk-free rate (0.045).
    pub risk_free_rate: f64,
    /// Nearest expirations analysed per symbol (6).
    pub max_expirations: usize,
    /// Strict liquidity gate (volume > 100, OI > 100, price > 0.05, bid and ask > 0).
    pub strict_liquidity: LiquidityGate,
    /// Relaxed fallback gate (volume > 50, OI > 50, price > 0.03).
    pub relaxed_liquidity: LiquidityGate,
    /// Contracts kept per symbol after the strict gate, by volume (150).
    pub top_by_volume: usize,
    /// Per-contract gates.
    pub gates: ContractGates,
    /// Institutional filters and fallback.
    pub institutional: InstitutionalGates,
    /// Concurrent symbol fetches (8).
    pub fetch_concurrency: usize,
    /// Hard deadline for fetching one symbol, seconds (30).
    pub symbol_deadline_secs: f64,
    /// Portfolio size for sizing examples (None: 50k/100k/250k examples).
    pub portfolio_size: Option<f64>,
    /// Daily contract budget reported in sizing limits.
    pub daily_contract_budget: Option<f64>,
    /// Run backtest validation for every surviving candidate (true).
    pub backtest: bool,
    /// Take-profit of the backtest as a fraction of the premium (0.5 = +50%).
    pub take_profit: f64,
    /// Stop-loss of the backtest as a fraction of the premium (0.5 = −50%).
    pub stop_loss: f64,
    /// Entry days replayed by each backtest, counted in sessions back from the as-of date
    /// (252). Only entries whose holding period ends by the as-of date count.
    pub backtest_lookback_sessions: usize,
    /// Sessions of close-to-close returns behind the volatility "known that day" that prices
    /// each backtest entry (20).
    pub backtest_vol_window: usize,
    /// Compute the swing signal and directional biases once per symbol and apply the
    /// directional filter (true).
    pub signals: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            filter_mode: ModeSelection::Strict,
            max_symbols: None,
            max_results: 20,
            max_per_symbol: 5,
            lookback_sessions: 365,
            risk_free_rate: 0.045,
            max_expirations: 6,
            strict_liquidity: LiquidityGate {
                min_volume: 100,
                min_open_interest: 100,
                min_price: 0.05,
            },
            relaxed_liquidity: LiquidityGate {
                min_volume: 50,
                min_open_interest: 50,
                min_price: 0.03,
            },
            top_by_volume: 150,
            gates: ContractGates::default(),
            institutional: InstitutionalGates::default(),
            fetch_concurrency: 8,
            symbol_deadline_secs: 30.0,
            portfolio_size: None,
            daily_contract_budget: None,
            backtest: true,
            take_profit: 0.5,
            stop_loss: 0.5,
            backtest_lookback_sessions: 252,
            backtest_vol_window: 20,
            signals: true,
        }
    }
}

impl ScanConfig {
    /// The strict preset (the default).
    pub fn strict() -> Self {
        Self::default()
    }

    /// The relaxed preset: strict thresholds plus the relaxed fallback stages.
    pub fn relaxed() -> Self {
        Self {
            filter_mode: ModeSelection::Relaxed,
            ..Self::default()
        }
    }

    /// Check that every field is usable; bindings call this before scanning.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::invalid_input(format!("scan config: {m}")));
        if self.max_results == 0 || self.max_per_symbol == 0 {
            return bad("max_results and max_per_symbol must be at least 1");
        }
        if self.max_symbols == Some(0) {
            return bad("max_symbols must be at least 1 when given");
        }
        if !(60..=MAX_SESSIONS).contains(&self.lookback_sessions) {
            return bad(&format!(
                "lookback_sessions must be between 60 and {MAX_SESSIONS}"
            ));
        }
        if self.backtest_lookback_sessions > MAX_SESSIONS
            || self.max_results > MAX_COUNT
            || self.max_per_symbol > MAX_COUNT
            || self.max_expirations > MAX_COUNT
            || self.top_by_volume > MAX_COUNT
            || self.max_symbols.is_some_and(|n| n > MAX_COUNT * 10)
        {
            return bad(&format!(
                "backtest_lookback_sessions must be at most {MAX_SESSIONS}; max_results, \
                 max_per_symbol, max_expirations and top_by_volume at most {MAX_COUNT}; \
                 max_symbols at most {}",
                MAX_COUNT * 10
            ));
        }
        if !self.risk_free_rate.is_finite() || self.risk_free_rate.abs() > 1.0 {
            return bad("risk_free_rate must be a finite annual decimal");
        }
        if self.max_expirations == 0 || self.top_by_volume == 0 || self.fetch_concurrency == 0 {
            return bad("max_expirations, top_by_volume and fetch_concurrency must be at least 1");
        }
        if self.fetch_concurrency > MAX_FETCH_CONCURRENCY {
            return bad(&format!(
                "fetch_concurrency must be at most {MAX_FETCH_CONCURRENCY}, got {}",
                self.fetch_concurrency
            ));
        }
        if !(self.symbol_deadline_secs.is_finite()
            && self.symbol_deadline_secs > 0.0
            && self.symbol_deadline_secs <= MAX_SYMBOL_DEADLINE_SECS)
        {
            return bad(&format!(
                "symbol_deadline_secs must be in (0, {MAX_SYMBOL_DEADLINE_SECS}], got {}",
                self.symbol_deadline_secs
            ));
        }
        if !(self.take_profit > 0.0 && self.stop_loss > 0.0 && self.stop_loss <= 1.0) {
            return bad("take_profit must be positive and stop_loss in (0, 1]");
        }
        if self.backtest_lookback_sessions == 0 || self.backtest_vol_window < 2 {
            return bad(
                "backtest_lookback_sessions must be at least 1 and backtest_vol_window at least 2",
            );
        }
        if self
            .portfolio_size
            .is_some_and(|p| !(p.is_finite() && p > 0.0))
        {
            return bad("portfolio_size must be positive");
        }
        Ok(())
    }
}

/// The most daily sessions of history a scan may ask for (about 40 years).
pub const MAX_SESSIONS: usize = 10_000;

/// The upper bound of the count settings (results, expirations, contracts per symbol).
pub const MAX_COUNT: usize = 10_000;

/// The most symbols fetched at once (more would only trip vendors' rate limits).
pub const MAX_FETCH_CONCURRENCY: usize = 1024;

/// The longest per-symbol fetch deadline, in seconds.
pub const MAX_SYMBOL_DEADLINE_SECS: f64 = 3600.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_carry_the_original_thresholds() {
        let s = ScanConfig::strict();
        assert_eq!(
            (
                s.strict_liquidity.min_volume,
                s.strict_liquidity.min_open_interest
            ),
            (100, 100)
        );
        assert_eq!((s.relaxed_liquidity.min_volume, s.top_by_volume), (50, 150));
        assert_eq!(
            (s.max_results, s.max_per_symbol, s.lookback_sessions),
            (20, 5, 365)
        );
        assert_eq!(ScanConfig::relaxed().filter_mode, ModeSelection::Relaxed);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn bad_values_are_rejected_with_a_reason() {
        let c = ScanConfig {
            max_results: 0,
            ..ScanConfig::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("max_results"));
        assert!("sideways".parse::<ModeSelection>().is_err());
        assert_eq!("both".parse::<ModeSelection>().unwrap().modes().len(), 2);
    }
}
