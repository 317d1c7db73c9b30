//! Parsers for Polygon's v3 options snapshot and v2 aggregates JSON, apart from the HTTP
//! code so they can be fuzzed and tested on bytes alone.
//!
//! Polygon quirks handled here: tickers carry an `O:` prefix, quote times are nanoseconds,
//! bar times are milliseconds, `underlying_asset.price` is absent on some plans, and errors
//! arrive as `status: "ERROR"` bodies.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::json::{date, from_millis, from_nanos, list, num, parse_body, path, text};
use super::rows::{build_history, RawBar, RawContract};
use super::ParseReport;
use crate::calendar::ny_date;
use crate::model::{OptionKind, OptionQuote, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// One page of `/v3/snapshot/options/{underlying}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolygonSnapshotPage {
    /// The contracts on this page.
    pub quotes: Vec<OptionQuote>,
    /// The underlying price, from the first row that has `underlying_asset.price`.
    pub spot: Option<f64>,
    /// The next page's URL, if any (it carries no API key).
    pub next_url: Option<String>,
}

/// Parse one snapshot page for `symbol`; bad contracts are skipped and counted in `report`.
pub fn parse_snapshot(
    body: &[u8],
    symbol: &str,
    report: &mut ParseReport,
) -> Result<PolygonSnapshotPage> {
    let doc = parse_body(body, "polygon", &format!("{symbol} options snapshot"))?;
    check_status(&doc, symbol)?;
    let mut quotes = Vec::new();
    let mut spot = None;
    for row in list(doc.get("results")) {
        if spot.is_none() {
            spot = path(row, &["underlying_asset", "price"])
                .and_then(super::json::as_num)
                .filter(|p| p.is_finite() && *p > 0.0);
        }
        quotes.extend(contract(row).into_quote(symbol, report));
    }
    Ok(PolygonSnapshotPage {
        quotes,
        spot,
        next_url: text(&doc, "next_url").map(str::to_owned),
    })
}

fn contract(row: &Value) -> RawContract {
    let details = row.get("details").unwrap_or(&Value::Null);
    let quote = row.get("last_quote").unwrap_or(&Value::Null);
    let day = row.get("day").unwrap_or(&Value::Null);
    let last_trade = path(row, &["last_trade", "price"]).and_then(super::json::as_num);
    RawContract {
        symbol: text(details, "ticker").map(|t| t.trim_start_matches("O:").to_owned()),
        kind: text(details, "contract_type").and_then(|k| k.parse::<OptionKind>().ok()),
        strike: num(details, "strike_price"),
        expiration: date(details, "expiration_date"),
        bid: num(quote, "bid"),
        ask: num(quote, "ask"),
        last: last_trade.or_else(|| num(day, "close")),
        volume: num(day, "volume"),
        open_interest: num(row, "open_interest"),
        iv: num(row, "implied_volatility"),
        quote_time: num(quote, "last_updated").and_then(from_nanos),
        last_trade_time: path(row, &["last_trade", "sip_timestamp"])
            .and_then(super::json::as_num)
            .and_then(from_nanos),
        notes: Vec::new(),
    }
}

/// Parse `/v2/aggs/ticker/{t}/range/1/day/{from}/{to}` into the last `sessions` bars on or
/// before `as_of`'s New York date. An empty result is NotFound.
pub fn parse_aggs(
    body: &[u8],
    symbol: &str,
    sessions: usize,
    as_of: DateTime<Utc>,
    report: &mut ParseReport,
) -> Result<PriceHistory> {
    let doc = parse_body(body, "polygon", &format!("{symbol} aggregates"))?;
    check_status(&doc, symbol)?;
    let bars = list(doc.get("results"))
        .into_iter()
        .map(|r| RawBar {
            date: num(r, "t").and_then(from_millis).map(ny_date),
            open: num(r, "o"),
            high: num(r, "h"),
            low: num(r, "l"),
            close: num(r, "c"),
            volume: num(r, "v"),
        })
        .collect();
    build_history(symbol, "polygon", bars, sessions, as_of, report)
}

/// The previous session's close from `/v2/aggs/ticker/{t}/prev`, if present.
pub fn parse_prev_close(body: &[u8], symbol: &str) -> Result<Option<f64>> {
    let doc = parse_body(body, "polygon", &format!("{symbol} previous close"))?;
    check_status(&doc, symbol)?;
    Ok(list(doc.get("results"))
        .first()
        .and_then(|r| num(r, "c"))
        .filter(|p| p.is_finite() && *p > 0.0))
}

fn check_status(doc: &Value, symbol: &str) -> Result<()> {
    let status = text(doc, "status").unwrap_or("OK");
    if matches!(status, "OK" | "DELAYED") {
        return Ok(());
    }
    let detail: String = text(doc, "error")
        .or_else(|| text(doc, "message"))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    let kind = if status == "NOT_FOUND" {
        ErrorKind::NotFound
    } else {
        ErrorKind::DataSource
    };
    Err(Error::new(
        kind,
        format!("polygon: {symbol}: {status}: {detail}"),
    ))
}
