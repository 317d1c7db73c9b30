//! Parsers for Yahoo Finance's options v7 and chart v8 JSON, kept apart from the HTTP code
//! so they can be fuzzed and tested on bytes alone.
//!
//! Yahoo quirks handled here: expirations are unix seconds at 00:00 UTC of the expiration
//! date (converted with the UTC calendar, never shifted to New York); an unknown symbol is
//! `result: []` with HTTP 200; chart arrays contain nulls; IVs of `1e-5` and of the solver's bisection lattice are
//! placeholders; contracts carry no quote time of their own.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::json::{as_num, from_secs, list, num, parse_body, path, text};
use super::rows::{build_history, RawBar, RawContract};
use super::ParseReport;
use crate::calendar::ny_date;
use crate::model::{OptionKind, OptionQuote, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// One page of Yahoo's options endpoint (one expiration's contracts).
#[derive(Debug, Clone, PartialEq)]
pub struct YahooOptionsPage {
    /// Underlying price (`quote.regularMarketPrice`), if present.
    pub spot: Option<f64>,
    /// When that price was set (`quote.regularMarketTime`).
    pub spot_time: Option<DateTime<Utc>>,
    /// The simple annual dividend yield (decimal): the forward `quote.dividendYield` (a
    /// percentage) when present, else `trailingAnnualDividendYield` unless the dividend is
    /// in another currency than the price (ADRs); `None` when absent or implausible.
    pub dividend_yield: Option<f64>,
    /// Why a yield Yahoo sent was not used (`dividend_currency_mismatch`,
    /// `implausible_dividend_yield`).
    pub dividend_note: Option<&'static str>,
    /// Every listed expiration, as Yahoo's unix seconds and as a date.
    pub expirations: Vec<(i64, NaiveDate)>,
    /// The contracts on this page.
    pub quotes: Vec<OptionQuote>,
}

/// Convert Yahoo's expiration timestamp (00:00 UTC of the date) to the date.
///
/// ```
/// use scanner_core::market::vendors::yahoo_json::expiration_date;
/// // 1721347200 = 2024-07-19T00:00:00Z, which is still July 18 in New York.
/// assert_eq!(expiration_date(1721347200.0).unwrap().to_string(), "2024-07-19");
/// ```
pub fn expiration_date(secs: f64) -> Option<NaiveDate> {
    from_secs(secs).map(|t| t.date_naive())
}

/// Parse one options v7 response for `symbol`. Unknown symbols are NotFound; bad JSON or
/// a vendor error object is DataSource; bad contracts are skipped and counted in `report`.
pub fn parse_options(
    body: &[u8],
    symbol: &str,
    report: &mut ParseReport,
) -> Result<YahooOptionsPage> {
    let doc = parse_body(body, "yahoo", &format!("{symbol} options"))?;
    let chain = doc
        .get("optionChain")
        .ok_or_else(|| shape(symbol, "no optionChain"))?;
    if let Some(err) = chain.get("error").filter(|e| !e.is_null()) {
        return Err(vendor_error(symbol, err));
    }
    let results = list(chain.get("result"));
    let Some(result) = results.first() else {
        return Err(Error::not_found(format!(
            "yahoo: no option chain for {symbol}"
        )));
    };
    let quote = result.get("quote").unwrap_or(&Value::Null);
    let spot_time = num(quote, "regularMarketTime").and_then(from_secs);
    let expirations = list(result.get("expirationDates"))
        .into_iter()
        .filter_map(|v| {
            let secs = as_num(v)?;
            Some((secs as i64, expiration_date(secs)?))
        })
        .collect();
    let mut quotes = Vec::new();
    for block in list(result.get("options")) {
        let block_exp = num(block, "expirationDate").and_then(expiration_date);
        for (key, kind) in [("calls", OptionKind::Call), ("puts", OptionKind::Put)] {
            for row in list(block.get(key)) {
                let raw = contract(row, kind, block_exp, spot_time);
                quotes.extend(raw.into_quote(symbol, report));
            }
        }
    }
    let (dividend_yield, dividend_note) = dividend_yield(quote);
    Ok(YahooOptionsPage {
        spot: num(quote, "regularMarketPrice").filter(|p| p.is_finite() && *p > 0.0),
        spot_time,
        dividend_yield,
        dividend_note,
        expirations,
        quotes,
    })
}

/// The largest simple annual dividend yield taken at face value; above it the number is
/// far more likely a unit or currency mix-up than a dividend.
pub const MAX_PLAUSIBLE_DIVIDEND_YIELD: f64 = 0.15;

/// The underlying's dividend yield and, when Yahoo's was not used, why. Yahoo's
/// `trailingAnnualDividendYield` divides the dividend in `financialCurrency` by the price in
/// `currency`: for ADRs (BABA, BEKE) that is a foreign amount over a USD price.
fn dividend_yield(quote: &Value) -> (Option<f64>, Option<&'static str>) {
    let forward = num(quote, "dividendYield").map(|pct| pct / 100.0);
    let trailing = num(quote, "trailingAnnualDividendYield");
    let foreign = matches!(
        (text(quote, "financialCurrency"), text(quote, "currency")),
        (Some(f), Some(c)) if !f.eq_ignore_ascii_case(c)
    );
    let y = match (forward, trailing) {
        (Some(y), _) => y,
        (None, Some(_)) if foreign => return (None, Some("dividend_currency_mismatch")),
        (None, Some(y)) => y,
        (None, None) => return (None, None),
    };
    if y.is_finite() && (0.0..=MAX_PLAUSIBLE_DIVIDEND_YIELD).contains(&y) {
        (Some(y), None)
    } else {
        (None, Some("implausible_dividend_yield"))
    }
}

/// One contract row. Yahoo stamps no quote: the bid/ask are as of the response's market
/// time (`spot_time`), while `lastTradeDate` is the last trade, often days older.
fn contract(
    row: &Value,
    kind: OptionKind,
    block_exp: Option<NaiveDate>,
    spot_time: Option<DateTime<Utc>>,
) -> RawContract {
    RawContract {
        symbol: text(row, "contractSymbol").map(str::to_owned),
        kind: Some(kind),
        strike: num(row, "strike"),
        expiration: num(row, "expiration")
            .and_then(expiration_date)
            .or(block_exp),
        bid: num(row, "bid"),
        ask: num(row, "ask"),
        last: num(row, "lastPrice"),
        volume: num(row, "volume"),
        open_interest: num(row, "openInterest"),
        iv: num(row, "impliedVolatility"),
        quote_time: spot_time,
        last_trade_time: num(row, "lastTradeDate").and_then(from_secs),
        notes: Vec::new(),
    }
}

/// Parse a chart v8 response into the last `sessions` daily bars dated on or before
/// `as_of`'s New York date. Bars with nulls, bad prices or bad timestamps are skipped and
/// counted in `report`; an unknown symbol is NotFound.
pub fn parse_chart(
    body: &[u8],
    symbol: &str,
    sessions: usize,
    as_of: DateTime<Utc>,
    report: &mut ParseReport,
) -> Result<PriceHistory> {
    let bars = chart_bars(body, symbol, report)?;
    build_history(symbol, "yahoo", bars, sessions, as_of, report)
}

/// Raw daily bars (dates in New York time) of a chart response.
fn chart_bars(body: &[u8], symbol: &str, report: &mut ParseReport) -> Result<Vec<RawBar>> {
    let doc = parse_body(body, "yahoo", &format!("{symbol} chart"))?;
    let chart = doc.get("chart").ok_or_else(|| shape(symbol, "no chart"))?;
    if let Some(err) = chart.get("error").filter(|e| !e.is_null()) {
        return Err(vendor_error(symbol, err));
    }
    let results = list(chart.get("result"));
    let Some(result) = results.first() else {
        return Err(Error::not_found(format!(
            "yahoo: no price history for {symbol}"
        )));
    };
    let stamps = list(result.get("timestamp"));
    let quote = path(result, &["indicators", "quote"])
        .map(|q| list(Some(q)))
        .and_then(|q| q.first().copied())
        .unwrap_or(&Value::Null);
    let column = |key: &str| list(quote.get(key));
    let (open, high, low, close, volume) = (
        column("open"),
        column("high"),
        column("low"),
        column("close"),
        column("volume"),
    );
    let at = |col: &Vec<&Value>, i: usize| col.get(i).and_then(|v| as_num(v));
    let mut bars = Vec::with_capacity(stamps.len());
    for (i, stamp) in stamps.iter().enumerate() {
        let Some(date) = as_num(stamp).and_then(from_secs).map(ny_date) else {
            report.skip("bad_timestamp");
            continue;
        };
        bars.push(RawBar {
            date: Some(date),
            open: at(&open, i),
            high: at(&high, i),
            low: at(&low, i),
            close: at(&close, i),
            volume: at(&volume, i),
        });
    }
    Ok(bars)
}

fn vendor_error(symbol: &str, err: &Value) -> Error {
    let code = text(err, "code").unwrap_or("error");
    let description = text(err, "description").unwrap_or("");
    let kind = if code.eq_ignore_ascii_case("not found") {
        ErrorKind::NotFound
    } else {
        ErrorKind::DataSource
    };
    let detail: String = description.chars().take(200).collect();
    Error::new(kind, format!("yahoo: {symbol}: {code}: {detail}"))
}

fn shape(symbol: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::DataSource,
        format!("yahoo: {symbol}: unexpected response shape ({what})"),
    )
}
