//! Parsers for Tradier's market-data JSON (expirations, chains with greeks, quotes,
//! history), apart from the HTTP code so they can be fuzzed and tested on bytes alone.
//!
//! Tradier quirks handled here: a single item comes as an object instead of a one-element
//! list (`options.option`, `expirations.date`, `history.day`, `quotes.quote`), "nothing"
//! is `null` (`{"options": null}`), `mid_iv` is 0 when there is no IV, and greeks may be
//! null altogether.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::json::{as_num, date, from_millis, list, num, parse_body, path, text};
use super::rows::{build_history, RawBar, RawContract, IV_PLACEHOLDER_MAX};
use super::ParseReport;
use crate::model::{OptionKind, OptionQuote, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// Parse `/v1/markets/options/expirations`; `{"expirations": null}` is NotFound.
pub fn parse_expirations(body: &[u8], symbol: &str) -> Result<Vec<NaiveDate>> {
    let doc = parse_body(body, "tradier", &format!("{symbol} expirations"))?;
    let Some(exps) = doc.get("expirations").filter(|e| !e.is_null()) else {
        return Err(Error::not_found(format!(
            "tradier: no option expirations for {symbol}"
        )));
    };
    let mut dates: Vec<NaiveDate> = list(exps.get("date"))
        .into_iter()
        .filter_map(|d| NaiveDate::parse_from_str(d.as_str()?.trim(), "%Y-%m-%d").ok())
        .collect();
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

/// Parse one `/v1/markets/options/chains` response; `{"options": null}` is an empty list.
pub fn parse_chain(
    body: &[u8],
    symbol: &str,
    report: &mut ParseReport,
) -> Result<Vec<OptionQuote>> {
    let doc = parse_body(body, "tradier", &format!("{symbol} chain"))?;
    let options = path(&doc, &["options", "option"]);
    if doc.get("options").is_none() {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!("tradier: {symbol}: unexpected chain response shape"),
        ));
    }
    let mut quotes = Vec::new();
    for row in list(options) {
        let raw = contract(row);
        quotes.extend(raw.into_quote(symbol, report));
    }
    Ok(quotes)
}

fn contract(row: &Value) -> RawContract {
    let greeks = row.get("greeks").unwrap_or(&Value::Null);
    let (mid, smv) = (num(greeks, "mid_iv"), num(greeks, "smv_vol"));
    let mut notes = Vec::new();
    let iv = match (mid, smv) {
        (Some(m), _) if m > IV_PLACEHOLDER_MAX => Some(m),
        (_, Some(s)) if s > IV_PLACEHOLDER_MAX => {
            notes.push("iv_from_smv_vol");
            Some(s)
        }
        _ => mid.or(smv),
    };
    let stamp = |k: &str| num(row, k).filter(|ms| *ms > 0.0).and_then(from_millis);
    RawContract {
        symbol: text(row, "symbol").map(str::to_owned),
        kind: text(row, "option_type").and_then(|k| k.parse::<OptionKind>().ok()),
        strike: num(row, "strike"),
        expiration: date(row, "expiration_date"),
        bid: num(row, "bid"),
        ask: num(row, "ask"),
        last: num(row, "last"),
        volume: num(row, "volume"),
        open_interest: num(row, "open_interest"),
        iv,
        quote_time: stamp("bid_date").max(stamp("ask_date")),
        last_trade_time: stamp("trade_date"),
        notes,
    }
}

/// The underlying's price from `/v1/markets/quotes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradierQuote {
    /// Last trade price, if positive.
    pub last: Option<f64>,
    /// Previous close, if positive.
    pub prevclose: Option<f64>,
}

/// Parse `/v1/markets/quotes?symbols=…` for `symbol`; unmatched symbols are NotFound.
pub fn parse_quote(body: &[u8], symbol: &str) -> Result<TradierQuote> {
    let doc = parse_body(body, "tradier", &format!("{symbol} quote"))?;
    let quotes = doc.get("quotes").unwrap_or(&Value::Null);
    let found = list(quotes.get("quote"))
        .into_iter()
        .find(|q| text(q, "symbol").is_some_and(|s| s.eq_ignore_ascii_case(symbol)));
    let Some(q) = found else {
        return Err(Error::not_found(format!("tradier: no quote for {symbol}")));
    };
    let positive = |k: &str| num(q, k).filter(|p| p.is_finite() && *p > 0.0);
    Ok(TradierQuote {
        last: positive("last"),
        prevclose: positive("prevclose"),
    })
}

/// Parse `/v1/markets/history` into the last `sessions` bars on or before `as_of`'s New
/// York date; `{"history": null}` is NotFound.
pub fn parse_history(
    body: &[u8],
    symbol: &str,
    sessions: usize,
    as_of: DateTime<Utc>,
    report: &mut ParseReport,
) -> Result<PriceHistory> {
    let doc = parse_body(body, "tradier", &format!("{symbol} history"))?;
    let Some(history) = doc.get("history").filter(|h| !h.is_null()) else {
        return Err(Error::not_found(format!(
            "tradier: no price history for {symbol}"
        )));
    };
    let bars = list(history.get("day"))
        .into_iter()
        .map(|d| RawBar {
            date: date(d, "date"),
            open: num(d, "open"),
            high: num(d, "high"),
            low: num(d, "low"),
            close: num(d, "close"),
            volume: d.get("volume").and_then(as_num),
        })
        .collect();
    build_history(symbol, "tradier", bars, sessions, as_of, report)
}
