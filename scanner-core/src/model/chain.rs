//! An option chain: every quoted contract of one underlying at one instant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OptionQuote;
use crate::{Error, Result};

/// The option chain of one underlying as of one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionChain {
    /// Underlying ticker.
    pub underlying: String,
    /// Underlying price per share.
    pub spot: f64,
    /// When the chain (and `spot`) was observed.
    pub as_of: DateTime<Utc>,
    /// Continuous annual dividend yield of the underlying (decimal).
    pub dividend_yield: f64,
    /// The contracts, in any order.
    pub quotes: Vec<OptionQuote>,
}

/// The most contracts one symbol's chain may hold (the largest listed chains have a few
/// tens of thousands); more is a malformed source, refused before it is analysed.
pub const MAX_CHAIN_CONTRACTS: usize = 200_000;

impl OptionChain {
    /// Build a chain, validating the spot, the yield and every quote (which must belong
    /// to `underlying`).
    pub fn new(
        underlying: impl Into<String>,
        spot: f64,
        as_of: DateTime<Utc>,
        dividend_yield: f64,
        quotes: Vec<OptionQuote>,
    ) -> Result<Self> {
        let underlying = underlying.into();
        if underlying.trim().is_empty() {
            return Err(Error::invalid_input(
                "option chain needs an underlying symbol",
            ));
        }
        if !(spot.is_finite() && spot > 0.0) {
            return Err(Error::invalid_input(format!(
                "{underlying}: spot must be positive and finite, got {spot}"
            )));
        }
        if quotes.len() > MAX_CHAIN_CONTRACTS {
            return Err(Error::invalid_input(format!(
                "{underlying}: a chain of {} contracts exceeds the limit of {MAX_CHAIN_CONTRACTS}",
                quotes.len()
            )));
        }
        if !(dividend_yield.is_finite() && dividend_yield > -1.0 && dividend_yield < 1.0) {
            return Err(Error::invalid_input(format!(
                "{underlying}: dividend yield {dividend_yield} is out of range"
            )));
        }
        for q in &quotes {
            q.validate()?;
            if q.underlying != underlying {
                return Err(Error::invalid_input(format!(
                    "{} belongs to {}, not to chain {underlying}",
                    q.contract_symbol, q.underlying
                )));
            }
        }
        Ok(Self {
            underlying,
            spot,
            as_of,
            dividend_yield,
            quotes,
        })
    }

    /// Distinct expiration dates in ascending order.
    pub fn expirations(&self) -> Vec<chrono::NaiveDate> {
        let mut dates: Vec<_> = self.quotes.iter().map(|q| q.expiration).collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }
}
