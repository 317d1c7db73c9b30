//! A single listed option contract and its quote, as every source delivers it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionKind {
    /// The right to buy at the strike.
    Call,
    /// The right to sell at the strike.
    Put,
}

impl OptionKind {
    /// `"call"` or `"put"`, as in the opportunity JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Call => "call",
            OptionKind::Put => "put",
        }
    }

    /// +1 for calls, −1 for puts (the sign that turns call formulas into put formulas).
    pub fn sign(self) -> f64 {
        match self {
            OptionKind::Call => 1.0,
            OptionKind::Put => -1.0,
        }
    }

    /// Payoff at expiry per share for an underlying price `spot_at_expiry`.
    ///
    /// ```
    /// use scanner_core::model::OptionKind;
    /// assert_eq!(OptionKind::Call.intrinsic(110.0, 100.0), 10.0);
    /// assert_eq!(OptionKind::Put.intrinsic(110.0, 100.0), 0.0);
    /// ```
    pub fn intrinsic(self, spot_at_expiry: f64, strike: f64) -> f64 {
        (self.sign() * (spot_at_expiry - strike)).max(0.0)
    }
}

impl std::str::FromStr for OptionKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let is = |word: &str| t.eq_ignore_ascii_case(word);
        if is("call") || is("c") {
            Ok(OptionKind::Call)
        } else if is("put") || is("p") {
            Ok(OptionKind::Put)
        } else {
            Err(Error::invalid_input(format!(
                "option kind must be call or put, got {:?}",
                t.to_ascii_lowercase()
            )))
        }
    }
}

/// One contract's quote. Prices are per share; `bid`/`ask` of 0 mean "no quote" (vendors
/// report that outside market hours) and are judged by data quality, not rejected here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionQuote {
    /// OCC-style contract symbol, e.g. `AAPL240719C00190000`.
    pub contract_symbol: String,
    /// Underlying ticker.
    pub underlying: String,
    /// Call or put.
    pub kind: OptionKind,
    /// Strike price per share.
    pub strike: f64,
    /// Expiration date (the contract expires at 16:00 New York time on this date).
    pub expiration: NaiveDate,
    /// Best bid per share (0 when absent).
    pub bid: f64,
    /// Best ask per share (0 when absent).
    pub ask: f64,
    /// Last trade price per share, if the contract has traded.
    pub last: Option<f64>,
    /// Contracts traded in the session.
    pub volume: u64,
    /// Open interest in contracts.
    pub open_interest: u64,
    /// The vendor's implied volatility (annual decimal), kept beside optscan's own.
    pub vendor_iv: Option<f64>,
    /// When the bid/ask was taken, if the vendor says (for Yahoo, which stamps no single
    /// quote, the response's market time).
    pub quote_time: Option<DateTime<Utc>>,
    /// When the contract last traded, if the vendor says; often days before a live bid/ask,
    /// so it is kept apart from `quote_time` and never used to age the quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_trade_time: Option<DateTime<Utc>>,
}

impl OptionQuote {
    /// Check the fields that no downstream step can work around: a positive finite strike,
    /// non-negative finite prices, finite optional values, non-empty symbols.
    ///
    /// ```
    /// # use scanner_core::model::{OptionKind, OptionQuote};
    /// # use chrono::NaiveDate;
    /// let mut q = OptionQuote {
    ///     contract_symbol: "SYNA240719C00100000".into(), underlying: "SYNA".into(),
    ///     kind: OptionKind::Call, strike: 100.0,
    ///     expiration: NaiveDate::from_ymd_opt(2024, 7, 19).unwrap(),
    ///     bid: 1.0, ask: 1.1, last: Some(1.05), volume: 10, open_interest: 20,
    ///     vendor_iv: None, quote_time: None, last_trade_time: None,
    /// };
    /// assert!(q.validate().is_ok());
    /// q.strike = -5.0;
    /// assert!(q.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| {
            Err(Error::invalid_input(format!(
                "{}: {what}",
                self.contract_symbol
            )))
        };
        if self.contract_symbol.trim().is_empty() || self.underlying.trim().is_empty() {
            return Err(Error::invalid_input(
                "option quote needs a contract symbol and an underlying",
            ));
        }
        if !(self.strike.is_finite() && self.strike > 0.0) {
            return bad("strike must be positive and finite");
        }
        if !(self.bid.is_finite() && self.bid >= 0.0 && self.ask.is_finite() && self.ask >= 0.0) {
            return bad("bid and ask must be finite and non-negative");
        }
        if self.last.is_some_and(|p| !(p.is_finite() && p >= 0.0)) {
            return bad("last price must be finite and non-negative");
        }
        if self.vendor_iv.is_some_and(|v| !v.is_finite()) {
            return bad("vendor IV must be finite");
        }
        Ok(())
    }

    /// Mid of bid and ask when both are quoted (> 0), else `None`.
    pub fn mid(&self) -> Option<f64> {
        (self.bid > 0.0 && self.ask > 0.0).then_some(0.5 * (self.bid + self.ask))
    }
}
