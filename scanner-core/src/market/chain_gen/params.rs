//! The knobs of the chain generator, with defaults chosen to resemble US equity option
//! listings (serde-friendly so bindings and configs can override single fields).

use serde::{Deserialize, Serialize};

/// Knobs of the chain generator. Every default is named in its field's doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChainParams {
    /// Risk-free rate used for BSM mids (default 0.045, the original's rate).
    pub rate: f64,
    /// Number of third-Friday monthlies listed (default 6, at most 60).
    pub monthly_count: usize,
    /// Number of weekly Fridays listed for liquid names (default 4, at most 104).
    pub weekly_count: usize,
    /// Average daily dollar volume from which a name gets weeklies and the fine strike
    /// grid (default $100M).
    pub weekly_min_dollar_volume: f64,
    /// Average daily dollar volume from which a name gets $1 strikes up to $500, like the
    /// big index ETFs (default $2B).
    pub dense_min_dollar_volume: f64,
    /// Strike range half-width in standard deviations of the move to expiry (default 2.5),
    /// never below `min_strike_width`.
    pub strike_sd: f64,
    /// Minimum strike half-width as a fraction of spot (default 0.10).
    pub min_strike_width: f64,
    /// Maximum strikes on each side of the money per expiration (default 20, at most 1000).
    pub max_strikes_per_side: usize,
    /// Implied over realized volatility ratio (default 1.10).
    pub iv_premium: f64,
    /// Term-structure time constant in years (default 0.25).
    pub term_tau: f64,
    /// Put skew per standard deviation of log-moneyness (default 0.06).
    pub skew: f64,
    /// Smile curvature per squared standard deviation (default 0.02).
    pub curvature: f64,
    /// Relative bid/ask spread of an at-the-money, long-dated, liquid contract (default 0.03).
    pub base_spread: f64,
    /// Extra relative spread per standard deviation away from the money (default 0.35).
    pub moneyness_spread: f64,
    /// Extra relative spread factor for short expiries: `× (1 + k / (DTE + 1))` (default 1.0).
    pub short_dte_spread: f64,
    /// At-the-money front-month volume per $1M of underlying daily dollar volume
    /// (default 0.5 contracts).
    pub volume_per_million: f64,
    /// Open interest as a multiple of expected daily volume (default 6).
    pub oi_multiple: f64,
    /// Sessions of history required (default 21: one month of returns; at most 260).
    pub min_sessions: usize,
}

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            rate: 0.045,
            monthly_count: 6,
            weekly_count: 4,
            weekly_min_dollar_volume: 1e8,
            dense_min_dollar_volume: 2e9,
            strike_sd: 2.5,
            min_strike_width: 0.10,
            max_strikes_per_side: 20,
            iv_premium: 1.10,
            term_tau: 0.25,
            skew: 0.06,
            curvature: 0.02,
            base_spread: 0.03,
            moneyness_spread: 0.35,
            short_dte_spread: 1.0,
            volume_per_million: 0.5,
            oi_multiple: 6.0,
            min_sessions: 21,
        }
    }
}
