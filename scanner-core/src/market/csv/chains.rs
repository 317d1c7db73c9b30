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

pub(super) type Key = (String, DateTime<Utc>);

pub(super) struct Group {
    pub spot: f64,
    pub dividend_yield: f64,
    pub quotes: Vec<OptionQuote>,
}

pub(super) fn finish(groups: BTreeMap<Key, Group>, mut report: LoadReport) -> ParsedChains {
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
pub(super) struct Raw {
    pub contract: Option<String>,
    pub kind: OptionKind,
    pub strike: f64,
    pub expiration: NaiveDate,
    pub bid: f64,
    pub ask: f64,
    pub last: Option<f64>,
    pub volume: f64,
    pub oi: f64,
    pub iv: Option<f64>,
    pub quote_time: Option<DateTime<Utc>>,
}

impl Raw {
    pub(super) fn into_quote(
        self,
        underlying: &str,
    ) -> std::result::Result<OptionQuote, &'static str> {
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
            last_trade_time: None,
        };
        q.validate().map_err(|_| "invalid_quote")?;
        Ok(q)
    }
}
