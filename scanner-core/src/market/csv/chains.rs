//! Option-chain snapshot files in optscan's normalized schema (CSV or JSON), for users
//! who have real quotes. Each snapshot is one underlying at one instant; a bad quote is
//! skipped and counted, never silently dropped.
//!
//! **CSV** (header required, any column order, names case- and `_`-insensitive):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `as_of` | yes | snapshot instant, RFC 3339 (`2017-11-10T21:00:00Z`) |
//! | `underlying` | yes | ticker |
//! | `spot` | yes | underlying price per share |
//! | `kind` | yes | `call`/`put` (or `c`/`p`) |
//! | `strike` | yes | per share |
//! | `expiration` | yes | `YYYY-MM-DD` |
//! | `bid`, `ask` | yes | per share, 0 when absent |
//! | `last` | no | per share, empty when never traded |
//! | `volume`, `open_interest` | no | contracts (empty = 0) |
//! | `iv` (or `implied_volatility`) | no | vendor IV, annual decimal |
//! | `quote_time` | no | RFC 3339 |
//! | `contract_symbol` | no | OCC symbol (generated when absent) |
//! | `dividend_yield` | no | continuous, decimal (default 0) |
//!
//! **JSON**: one object or an array of objects shaped like [`OptionChain`]'s JSON
//! (`underlying`, `spot`, `asOf`, optional `dividendYield`, `quotes`), where each quote has
//! `kind`, `strike`, `expiration`, `bid`, `ask` and optionally `contractSymbol`, `last`,
//! `volume`, `openInterest`, `vendorIv` (or `impliedVolatility`) and `quoteTime`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::fields::{self, find, norm_header, number, text};
use crate::market::chain_gen::occ_symbol;
use crate::market::LoadReport;
use crate::model::{OptionChain, OptionKind, OptionQuote};
use crate::{Error, Result};

/// Snapshots read from one file, plus the row accounting.
#[derive(Debug, Clone)]
pub struct ParsedChains {
    /// One chain per `(underlying, as_of)`, sorted by underlying then time.
    pub chains: Vec<OptionChain>,
    /// Quotes read, kept and skipped by reason.
    pub report: LoadReport,
}

type Key = (String, DateTime<Utc>);

struct Group {
    spot: f64,
    dividend_yield: f64,
    quotes: Vec<OptionQuote>,
}

fn finish(groups: BTreeMap<Key, Group>, mut report: LoadReport) -> ParsedChains {
    let mut chains = Vec::with_capacity(groups.len());
    for ((underlying, as_of), g) in groups {
        let n = g.quotes.len() as u64;
        match OptionChain::new(underlying, g.spot, as_of, g.dividend_yield, g.quotes) {
            Ok(c) => chains.push(c),
            // Spot or yield out of range: every quote of the snapshot goes, counted.
            Err(_) => report.unkeep("bad_chain", n),
        }
    }
    ParsedChains { chains, report }
}

/// Parse a normalized chain-snapshot CSV (see the module docs for the schema).
///
/// ```
/// use scanner_core::market::csv::parse_chain_csv;
/// let data = b"as_of,underlying,spot,kind,strike,expiration,bid,ask,volume\n\
///   2017-11-10T21:00:00Z,SPY,258.09,call,260,2017-11-17,1.10,1.12,5000\n\
///   2017-11-10T21:00:00Z,SPY,258.09,put,-5,2017-11-17,1.10,1.12,5000\n";
/// let p = parse_chain_csv(data, "spy.csv").unwrap();
/// assert_eq!(p.chains[0].quotes.len(), 1);
/// assert_eq!(p.report.rows_skipped.count("load", "bad_strike"), 1);
/// ```
pub fn parse_chain_csv(bytes: &[u8], file: &str) -> Result<ParsedChains> {
    let bytes = fields::maybe_gunzip(bytes, file)?;
    let mut rdr = fields::reader(&bytes);
    let mut rec = ::csv::ByteRecord::new();
    let headers: Vec<String> = loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) if rec.iter().all(|f| f.is_empty()) => continue,
            Ok(true) => break rec.iter().map(norm_header).collect(),
            Ok(false) => return Err(Error::invalid_input(format!("{file}: empty file"))),
            Err(e) => {
                return Err(Error::invalid_input(format!(
                    "{file}: unreadable header: {e}"
                )))
            }
        }
    };
    let need = |names: &[&str]| {
        find(&headers, names).ok_or_else(|| {
            Error::invalid_input(format!(
                "{file}: no {} column in header {headers:?}",
                names[0]
            ))
        })
    };
    let c = CsvCols {
        as_of: need(&["asof"])?,
        underlying: need(&["underlying", "symbol", "ticker"])?,
        spot: need(&["spot", "stockprice", "underlyingprice"])?,
        kind: need(&["kind", "type", "optiontype"])?,
        strike: need(&["strike"])?,
        expiration: need(&["expiration", "expiry"])?,
        bid: need(&["bid"])?,
        ask: need(&["ask"])?,
        last: find(&headers, &["last", "lastprice"]),
        volume: find(&headers, &["volume"]),
        oi: find(&headers, &["openinterest", "oi"]),
        iv: find(&headers, &["iv", "impliedvolatility", "vendoriv"]),
        quote_time: find(&headers, &["quotetime"]),
        contract: find(&headers, &["contractsymbol", "contract"]),
        dividend_yield: find(&headers, &["dividendyield"]),
    };
    let mut report = LoadReport::new(file);
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Err(_) => {
                report.skip("malformed_row");
                continue;
            }
            Ok(true) => {}
        }
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        match csv_row(&rec, &c) {
            Ok((key, spot, dy, quote)) => {
                report.kept(1);
                groups
                    .entry(key)
                    .or_insert_with(|| Group {
                        spot,
                        dividend_yield: dy,
                        quotes: Vec::new(),
                    })
                    .quotes
                    .push(quote);
            }
            Err(reason) => report.skip(reason),
        }
    }
    Ok(finish(groups, report))
}

struct CsvCols {
    as_of: usize,
    underlying: usize,
    spot: usize,
    kind: usize,
    strike: usize,
    expiration: usize,
    bid: usize,
    ask: usize,
    last: Option<usize>,
    volume: Option<usize>,
    oi: Option<usize>,
    iv: Option<usize>,
    quote_time: Option<usize>,
    contract: Option<usize>,
    dividend_yield: Option<usize>,
}

type Row = (Key, f64, f64, OptionQuote);

fn csv_row(rec: &::csv::ByteRecord, c: &CsvCols) -> std::result::Result<Row, &'static str> {
    let present = |i: usize| rec.get(i).is_some_and(|f| !f.is_empty());
    let optional = |i: Option<usize>| i.filter(|&i| present(i));
    let opt_num = |i: Option<usize>| -> std::result::Result<Option<f64>, &'static str> {
        optional(i)
            .map(|i| number(rec, i).ok_or("bad_number"))
            .transpose()
    };
    let required = [
        c.as_of,
        c.underlying,
        c.spot,
        c.kind,
        c.strike,
        c.expiration,
        c.bid,
        c.ask,
    ];
    if !required.iter().all(|&i| present(i)) {
        return Err("missing_field");
    }
    let as_of = text(rec, c.as_of)
        .and_then(fields::instant)
        .ok_or("bad_time")?;
    let underlying = text(rec, c.underlying)
        .ok_or("missing_field")?
        .to_ascii_uppercase();
    let kind: OptionKind = text(rec, c.kind)
        .and_then(|s| s.parse().ok())
        .ok_or("bad_kind")?;
    let expiration = text(rec, c.expiration)
        .and_then(fields::date)
        .ok_or("bad_date")?;
    let num = |i| number(rec, i).ok_or("bad_number");
    let (spot, strike, bid, ask) = (num(c.spot)?, num(c.strike)?, num(c.bid)?, num(c.ask)?);
    let volume = opt_num(c.volume)?.unwrap_or(0.0);
    let oi = opt_num(c.oi)?.unwrap_or(0.0);
    let quote_time = match optional(c.quote_time) {
        Some(i) => Some(text(rec, i).and_then(fields::instant).ok_or("bad_time")?),
        None => None,
    };
    let contract = optional(c.contract)
        .and_then(|i| text(rec, i))
        .map(str::to_owned);
    let q = Raw {
        contract,
        kind,
        strike,
        expiration,
        bid,
        ask,
        last: opt_num(c.last)?,
        volume,
        oi,
        iv: opt_num(c.iv)?,
        quote_time,
    };
    let dy = opt_num(c.dividend_yield)?.unwrap_or(0.0);
    let quote = q.into_quote(&underlying)?;
    Ok(((underlying, as_of), spot, dy, quote))
}

/// A quote before validation, shared by both formats.
struct Raw {
    contract: Option<String>,
    kind: OptionKind,
    strike: f64,
    expiration: NaiveDate,
    bid: f64,
    ask: f64,
    last: Option<f64>,
    volume: f64,
    oi: f64,
    iv: Option<f64>,
    quote_time: Option<DateTime<Utc>>,
}

impl Raw {
    fn into_quote(self, underlying: &str) -> std::result::Result<OptionQuote, &'static str> {
        if !(self.strike.is_finite() && self.strike > 0.0) {
            return Err("bad_strike");
        }
        if !(self.bid >= 0.0 && self.ask >= 0.0 && self.last.is_none_or(|l| l >= 0.0)) {
            return Err("negative_price");
        }
        let count = |x: f64| (0.0..1e15).contains(&x).then_some(x as u64);
        let (Some(volume), Some(open_interest)) = (count(self.volume), count(self.oi)) else {
            return Err("bad_count");
        };
        let q = OptionQuote {
            contract_symbol: self
                .contract
                .unwrap_or_else(|| occ_symbol(underlying, self.expiration, self.kind, self.strike)),
            underlying: underlying.to_owned(),
            kind: self.kind,
            strike: self.strike,
            expiration: self.expiration,
            bid: self.bid,
            ask: self.ask,
            last: self.last,
            volume,
            open_interest,
            vendor_iv: self.iv,
            quote_time: self.quote_time,
        };
        q.validate().map_err(|_| "invalid_quote")?;
        Ok(q)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonChain {
    underlying: String,
    spot: f64,
    as_of: DateTime<Utc>,
    #[serde(default)]
    dividend_yield: f64,
    #[serde(default)]
    quotes: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonQuote {
    contract_symbol: Option<String>,
    kind: OptionKind,
    strike: f64,
    expiration: NaiveDate,
    bid: f64,
    ask: f64,
    last: Option<f64>,
    #[serde(default)]
    volume: f64,
    #[serde(default)]
    open_interest: f64,
    #[serde(alias = "impliedVolatility")]
    vendor_iv: Option<f64>,
    quote_time: Option<DateTime<Utc>>,
}

/// Parse a normalized chain-snapshot JSON file (see the module docs for the schema).
///
/// A document that is not JSON, or not an object or array, is an
/// [`crate::ErrorKind::InvalidInput`] error; a chain object without a valid header counts
/// its quotes under `bad_chain`; a bad quote counts under `bad_quote` (or the reason of
/// the failed check).
pub fn parse_chain_json(bytes: &[u8], file: &str) -> Result<ParsedChains> {
    let bytes = fields::maybe_gunzip(bytes, file)?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid_input(format!("{file}: not JSON: {e}")))?;
    let items = match doc {
        serde_json::Value::Array(items) => items,
        obj @ serde_json::Value::Object(_) => vec![obj],
        _ => {
            return Err(Error::invalid_input(format!(
                "{file}: expected a chain object or an array of them"
            )))
        }
    };
    let mut report = LoadReport::new(file);
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for item in items {
        let n_quotes = item
            .get("quotes")
            .and_then(|q| q.as_array())
            .map_or(1, |q| q.len().max(1));
        let Ok(chain) = serde_json::from_value::<JsonChain>(item) else {
            report.skip_n("bad_chain", n_quotes as u64);
            continue;
        };
        let underlying = chain.underlying.trim().to_ascii_uppercase();
        let group = groups
            .entry((underlying.clone(), chain.as_of))
            .or_insert_with(|| Group {
                spot: chain.spot,
                dividend_yield: chain.dividend_yield,
                quotes: Vec::new(),
            });
        for value in chain.quotes {
            let Ok(j) = serde_json::from_value::<JsonQuote>(value) else {
                report.skip("bad_quote");
                continue;
            };
            let raw = Raw {
                contract: j.contract_symbol,
                kind: j.kind,
                strike: j.strike,
                expiration: j.expiration,
                bid: j.bid,
                ask: j.ask,
                last: j.last,
                volume: j.volume,
                oi: j.open_interest,
                iv: j.vendor_iv,
                quote_time: j.quote_time,
            };
            match raw.into_quote(&underlying) {
                Ok(q) => {
                    report.kept(1);
                    group.quotes.push(q);
                }
                Err(reason) => report.skip(reason),
            }
        }
    }
    Ok(finish(groups, report))
}
