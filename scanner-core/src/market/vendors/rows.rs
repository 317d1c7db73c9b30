//! Turning one vendor row into the model, with the same quirk rules for every vendor:
//! bid = ask = 0 stays 0, IV placeholders become `None`, nulls become counted defaults,
//! and rows that cannot be priced are skipped with a reason.

use chrono::{DateTime, NaiveDate, Utc};

use super::ParseReport;
use crate::calendar::ny_date;
use crate::model::{OptionKind, OptionQuote, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// Vendor IVs at or below this are placeholders (Yahoo sends 1e-5, Tradier 0), not data.
pub const IV_PLACEHOLDER_MAX: f64 = 1e-4;

/// Whether a vendor IV is a placeholder rather than a solved value: at or below
/// [`IV_PLACEHOLDER_MAX`] (Yahoo's 1e-5, Tradier's 0), or a point of Yahoo's bisection
/// lattice `2⁻ᵏ·(1 − 1e-5) + 1e-5` (0.500005, 0.2500075, 0.12500875, …) that its solver
/// leaves on contracts it could not price.
///
/// ```
/// use scanner_core::market::vendors::is_iv_placeholder;
/// assert!(is_iv_placeholder(0.00001));
/// assert!(is_iv_placeholder(0.500005) && is_iv_placeholder(0.0156348));
/// assert!(!is_iv_placeholder(0.5) && !is_iv_placeholder(0.25));
/// ```
pub fn is_iv_placeholder(iv: f64) -> bool {
    if iv <= IV_PLACEHOLDER_MAX {
        return true;
    }
    (1..=40).any(|k| {
        let point = 0.5f64.powi(k) * (1.0 - 1e-5) + 1e-5;
        // Within a few parts per million (Yahoo's printed digits), yet far enough from
        // round values: 0.5 is 1e-5 (relative) away from 0.500005.
        (iv - point).abs() <= point * 5e-6
    })
}

/// One contract as read from a vendor, before validation.
#[derive(Debug, Default)]
pub(crate) struct RawContract {
    pub symbol: Option<String>,
    pub kind: Option<OptionKind>,
    pub strike: Option<f64>,
    pub expiration: Option<NaiveDate>,
    pub bid: Option<f64>,
    pub ask: Option<f64>,
    pub last: Option<f64>,
    pub volume: Option<f64>,
    pub open_interest: Option<f64>,
    pub iv: Option<f64>,
    pub quote_time: Option<DateTime<Utc>>,
    pub last_trade_time: Option<DateTime<Utc>>,
    /// Vendor-specific adjustments, flagged only if the row is kept.
    pub notes: Vec<&'static str>,
}

impl RawContract {
    /// The model quote, or `None` (counted in `report`) when the row cannot be used.
    pub(crate) fn into_quote(
        self,
        underlying: &str,
        report: &mut ParseReport,
    ) -> Option<OptionQuote> {
        let Some(contract_symbol) = self.symbol.filter(|s| !s.trim().is_empty()) else {
            report.skip("missing_contract_symbol");
            return None;
        };
        let Some(kind) = self.kind else {
            report.skip("missing_option_type");
            return None;
        };
        let Some(strike) = self.strike.filter(|k| k.is_finite() && *k > 0.0) else {
            report.skip("bad_strike");
            return None;
        };
        let Some(expiration) = self.expiration else {
            report.skip("bad_expiration");
            return None;
        };
        let mut flags = self.notes;
        let (bid, ask) = match (self.bid, self.ask) {
            (Some(b), Some(a)) if b.is_finite() && a.is_finite() && b >= 0.0 && a >= 0.0 => (b, a),
            (None, _) | (_, None) => {
                flags.push("missing_bid_ask");
                (
                    self.bid.unwrap_or(0.0).max(0.0),
                    self.ask.unwrap_or(0.0).max(0.0),
                )
            }
            _ => {
                report.skip("bad_bid_ask");
                return None;
            }
        };
        if !(bid.is_finite() && ask.is_finite()) {
            report.skip("bad_bid_ask");
            return None;
        }
        if bid == 0.0 && ask == 0.0 {
            flags.push("no_quote");
        }
        let last = match self.last {
            Some(p) if p.is_finite() && p >= 0.0 => Some(p),
            Some(_) => {
                flags.push("bad_last");
                None
            }
            None => None,
        };
        let volume = count(self.volume, "missing_volume", &mut flags);
        let open_interest = count(self.open_interest, "missing_open_interest", &mut flags);
        let vendor_iv = match self.iv {
            Some(v) if v.is_finite() && is_iv_placeholder(v) => {
                flags.push("iv_placeholder");
                None
            }
            // A vendor solves its IV from a price: with no two-sided quote and no trade
            // there was no price to solve from, whatever number it sends.
            Some(v) if v.is_finite() && v > 0.0 && !(bid > 0.0 && ask > 0.0) && volume == 0 => {
                flags.push("iv_without_price");
                None
            }
            Some(v) if v.is_finite() && v > 0.0 => Some(v),
            Some(_) => {
                flags.push("bad_iv");
                None
            }
            None => {
                flags.push("missing_iv");
                None
            }
        };
        let quote = OptionQuote {
            contract_symbol: contract_symbol.trim().to_owned(),
            underlying: underlying.to_owned(),
            kind,
            strike,
            expiration,
            bid,
            ask,
            last,
            volume,
            open_interest,
            vendor_iv,
            quote_time: self.quote_time,
            last_trade_time: self.last_trade_time,
        };
        if quote.validate().is_err() {
            report.skip("invalid_quote");
            return None;
        }
        report.keep();
        flags.into_iter().for_each(|f| report.flag(f));
        Some(quote)
    }
}

/// A non-negative whole count; null, negative or non-finite become 0 and are flagged.
fn count(v: Option<f64>, missing: &'static str, flags: &mut Vec<&'static str>) -> u64 {
    match v {
        Some(x) if x.is_finite() && x >= 0.0 => x.round().min(u64::MAX as f64) as u64,
        _ => {
            flags.push(missing);
            0
        }
    }
}

/// One daily bar as read from a vendor, before validation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawBar {
    pub date: Option<NaiveDate>,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub close: Option<f64>,
    pub volume: Option<f64>,
}

/// Build a history from vendor bars: bars with null or non-positive prices, low/high that
/// do not bracket open/close, or dates after `as_of`'s New York date are skipped (and
/// counted); duplicate dates keep the last bar; the last `sessions` bars are returned.
pub(crate) fn build_history(
    symbol: &str,
    vendor: &str,
    bars: Vec<RawBar>,
    sessions: usize,
    as_of: DateTime<Utc>,
    report: &mut ParseReport,
) -> Result<PriceHistory> {
    if !(1900..=2200).contains(&chrono::Datelike::year(&as_of)) {
        return Err(Error::invalid_input(format!(
            "{vendor}: as_of {as_of} is outside 1900–2200"
        )));
    }
    let cutoff = ny_date(as_of);
    let mut good: Vec<(NaiveDate, [f64; 5])> = Vec::with_capacity(bars.len());
    for bar in bars {
        let (Some(d), Some(o), Some(h), Some(l), Some(c)) =
            (bar.date, bar.open, bar.high, bar.low, bar.close)
        else {
            report.skip("null_bar");
            continue;
        };
        if ![o, h, l, c].iter().all(|p| p.is_finite() && *p > 0.0) {
            report.skip("non_positive_price");
            continue;
        }
        if l > o.min(c) || h < o.max(c) {
            report.skip("inconsistent_bar");
            continue;
        }
        if d > cutoff {
            report.skip("after_as_of");
            continue;
        }
        let v = match bar.volume {
            Some(v) if v.is_finite() && v >= 0.0 => v,
            _ => {
                report.flag("missing_volume");
                0.0
            }
        };
        report.keep();
        good.push((d, [o, h, l, c, v]));
    }
    good.sort_by_key(|(d, _)| *d);
    let mut deduped: Vec<(NaiveDate, [f64; 5])> = Vec::with_capacity(good.len());
    for (d, row) in good {
        match deduped.last_mut() {
            Some(last) if last.0 == d => {
                // A later bar for the same session (e.g. a live bar) replaces the earlier one.
                *last = (d, row);
                report.unkeep("duplicate_date");
            }
            _ => deduped.push((d, row)),
        }
    }
    if deduped.is_empty() {
        // Nothing at all (or only bars after as_of) is "no data"; only broken bars is a bad source.
        let broken = report.skipped.total() - report.skipped.count(vendor, "after_as_of");
        let kind = if broken == 0 {
            ErrorKind::NotFound
        } else {
            ErrorKind::DataSource
        };
        return Err(Error::new(
            kind,
            format!("{vendor}: no usable daily bars for {symbol}"),
        ));
    }
    let col = |i: usize| deduped.iter().map(|(_, r)| r[i]).collect::<Vec<_>>();
    let dates = deduped.iter().map(|(d, _)| *d).collect();
    let history = PriceHistory::new(symbol, dates, col(0), col(1), col(2), col(3), col(4))?;
    Ok(history.truncated(cutoff, sessions))
}
