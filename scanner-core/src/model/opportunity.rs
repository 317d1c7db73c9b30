//! One ranked trade idea in the original opportunity schema (original-system.md §10.1).
//!
//! The scan pipeline fills every field; nested analysis blocks are JSON objects whose
//! shapes are documented where they are produced.

use serde::{Deserialize, Serialize};

use super::OptionKind;

/// One opportunity, serialised in the original camelCase schema. Money follows the
/// original: `premium`, `bid`, `ask` and `*Amount` are per contract (×100); `strike`,
/// `stockPrice` and `breakeven*` are per share; `*Percent` and `probabilityOfProfit` are
/// 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opportunity {
    /// Underlying ticker.
    pub symbol: String,
    /// Call or put.
    pub option_type: OptionKind,
    /// OCC contract symbol.
    #[serde(default)]
    pub contract_symbol: String,
    /// Strike per share.
    pub strike: f64,
    /// Expiration date, `YYYY-MM-DD`.
    pub expiration: String,
    /// Entry price per contract.
    pub premium: f64,
    /// Bid per contract.
    pub bid: f64,
    /// Ask per contract.
    pub ask: f64,
    /// Contracts traded.
    pub volume: u64,
    /// Open interest.
    pub open_interest: u64,
    /// Implied volatility (annual decimal) solved from the mid.
    pub implied_volatility: f64,
    /// Underlying price per share.
    pub stock_price: f64,
    /// Legacy 0–100 score.
    pub score: f64,
    /// Risk-adjusted 0–100 score (the ranking key).
    #[serde(default)]
    pub risk_adjusted_score: f64,
    /// Probability of profit at expiry, percent: the real-world estimate
    /// ([`crate::probability::RealWorldModel`]) when the symbol's history allows one, else
    /// the risk-neutral one.
    pub probability_of_profit: f64,
    /// Probability of profit at expiry under the risk-neutral lognormal at the implied
    /// volatility, percent (absent from scans made before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_of_profit_risk_neutral: Option<f64>,
    /// Calendar days to expiration (New York dates).
    pub days_to_expiration: i64,
    /// Every other field of the schema (greeks, returnsAnalysis, positionSizing, …).
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}
