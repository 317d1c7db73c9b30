//! Vendor market data over HTTP (cargo feature `http`): Yahoo, Polygon and Tradier behind
//! one [`crate::market::MarketData`] trait and one HTTP layer, so retries, rate limits,
//! deadlines, quirk handling and secret redaction behave the same for every vendor.
//!
//! Live vendors only serve "now": `option_chain` with an `as_of` more than a few minutes
//! in the past is an InvalidInput error rather than a silently current chain. Histories
//! honour `as_of` by dropping bars after its New York date.

#[macro_use]
mod core_macro;
mod budget;
mod config;
mod core;
mod failure;
mod http;
mod json;
mod polygon;
pub mod polygon_json;
mod report;
mod retry_after;
mod rows;
mod secret;
mod tradier;
pub mod tradier_json;
mod yahoo;
mod yahoo_consent;
pub mod yahoo_json;
mod yahoo_session;

use chrono::{DateTime, NaiveDate, Utc};

pub use self::core::normalize_symbol;
pub use config::HttpConfig;
pub use polygon::PolygonMarket;
pub use report::ParseReport;
pub use rows::{is_iv_placeholder, IV_PLACEHOLDER_MAX};
pub use secret::{redact_url, Secret};
pub use tradier::TradierMarket;
pub use yahoo::YahooMarket;

use crate::calendar::ny_date;
use crate::model::{OptionChain, OptionQuote};
use crate::{Error, ErrorKind, Result};

/// The first calendar day to ask for so that `sessions` trading sessions before `as_of`
/// are covered (5 sessions per 7 days, plus two weeks of holidays and slack).
pub(crate) fn lookback_start(as_of: DateTime<Utc>, sessions: usize) -> DateTime<Utc> {
    let days = (sessions.min(100_000) as i64) * 7 / 5 + 14;
    as_of
        .checked_sub_signed(chrono::Duration::days(days))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Assemble a chain from parsed quotes: keep the `wanted` expirations (others are counted
/// as `expired` or `beyond_max_expirations`), turn the vendor's simple annual dividend
/// yield into a continuous one, and validate. Model errors become DataSource errors, since
/// the data came from the vendor.
pub(crate) fn finish_chain(
    vendor: &str,
    symbol: &str,
    spot: f64,
    dividend_yield: Option<f64>,
    quotes: Vec<OptionQuote>,
    wanted: &[NaiveDate],
    report: &mut ParseReport,
) -> Result<OptionChain> {
    let today = ny_date(Utc::now());
    let mut kept = Vec::with_capacity(quotes.len());
    for q in quotes {
        if wanted.contains(&q.expiration) {
            kept.push(q);
        } else if q.expiration < today {
            report.unkeep("expired");
        } else {
            report.unkeep("beyond_max_expirations");
        }
    }
    if report.rows == 0 {
        return Err(Error::not_found(format!(
            "{vendor}: {symbol} has no listed options"
        )));
    }
    let filtered = report.skipped.count(vendor, "expired")
        + report.skipped.count(vendor, "beyond_max_expirations");
    if kept.is_empty() && report.skipped.total() > filtered {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!("{vendor}: {symbol}: no usable option rows"),
        ));
    }
    let q = match dividend_yield {
        None => 0.0,
        Some(y) if (0.0..1.0).contains(&y) => y.ln_1p(),
        Some(_) => {
            report.flag("bad_dividend_yield");
            0.0
        }
    };
    OptionChain::new(symbol, spot, Utc::now(), q, kept)
        .map_err(|e| Error::new(ErrorKind::DataSource, format!("{vendor}: {}", e.message())))
}

/// The nearest `n` expirations on or after today (New York) among `quotes`.
pub(crate) fn nearest_expirations(quotes: &[OptionQuote], n: usize) -> Vec<NaiveDate> {
    let today = ny_date(Utc::now());
    let mut dates: Vec<NaiveDate> = quotes
        .iter()
        .map(|q| q.expiration)
        .filter(|d| *d >= today)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    dates.truncate(n);
    dates
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn sources_cross_async_and_ffi_boundaries() {
        assert_send_sync::<super::YahooMarket>();
        assert_send_sync::<super::PolygonMarket>();
        assert_send_sync::<super::TradierMarket>();
        assert_send_sync::<super::ParseReport>();
        assert_send_sync::<super::HttpConfig>();
    }

    #[test]
    fn lookback_covers_the_sessions_with_slack() {
        let as_of = Utc.with_ymd_and_hms(2024, 7, 18, 21, 0, 0).unwrap();
        // 30 sessions ≈ 42 calendar days, plus 14 days of slack.
        assert_eq!((as_of - super::lookback_start(as_of, 30)).num_days(), 56);
        let min = DateTime::<Utc>::MIN_UTC;
        assert_eq!(super::lookback_start(min, 5), min);
    }
}
