//! A host's option-chain table as an [`OptionChain`]. Columns are the ones yfinance frames
//! and the original worker use (`contractSymbol`, `strike`, `lastPrice`, `bid`, `ask`,
//! `volume`, `openInterest`, `impliedVolatility`, `type`/`optionType`, `expiration`) or
//! optscan's own (`kind`, `last`, `iv`, …), any case. A missing kind or expiration is read
//! from the OCC contract symbol; missing volume/open interest are 0, missing bid/ask "no
//! quote" (0). Spot and as-of come with the table ([`ChainTable`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::table::{norm, short, Table};
use crate::market::chain_gen::occ_symbol;
use crate::model::{OptionChain, OptionKind, OptionQuote};
use crate::{Error, Result};

/// One chain as a host hands it over: the quotes table plus what is not per contract.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainTable {
    /// Underlying price; `None` reads a `spot`/`underlyingPrice` column instead.
    pub spot: Option<f64>,
    /// When the chain was observed; `None` means "at the scan's as-of".
    pub as_of: Option<DateTime<Utc>>,
    /// Continuous dividend yield (default 0).
    pub dividend_yield: f64,
    /// One row per contract.
    pub quotes: Table,
}

const SPOT: &[&str] = &[
    "spot",
    "underlyingprice",
    "stockprice",
    "regularmarketprice",
];

impl ChainTable {
    /// A chain document: `{"spot": …, "asOf"|"as_of": …, "dividendYield": …, "quotes":
    /// table}` (`contracts` for `quotes`), or a bare table whose rows carry a
    /// `spot` column.
    pub fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut m) = value else {
            return Ok(Self {
                quotes: Table::from_value(value)?,
                ..Default::default()
            });
        };
        let key = |m: &serde_json::Map<String, Value>, names: &[&str]| {
            m.keys()
                .find(|k| names.contains(&norm(k).as_str()))
                .cloned()
        };
        let Some(q) = key(&m, &["quotes", "contracts"]) else {
            return Ok(Self {
                quotes: Table::from_value(Value::Object(m))?,
                ..Default::default()
            });
        };
        let quotes = Table::from_value(m.remove(&q).unwrap_or(Value::Null))?;
        let spot = match key(&m, SPOT).and_then(|k| m.remove(&k)) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(other) => {
                return Err(Error::invalid_input(format!(
                    "`spot` must be a number, got {}",
                    short(&other)
                )))
            }
        };
        let as_of = match key(&m, &["asof"]).and_then(|k| m.remove(&k)) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(parse_instant(&s)?),
            Some(other) => {
                return Err(Error::invalid_input(format!(
                    "`asOf` must be an RFC 3339 string, got {}",
                    short(&other)
                )))
            }
        };
        let dividend_yield = match key(&m, &["dividendyield"]).and_then(|k| m.remove(&k)) {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            None | Some(Value::Null) => 0.0,
            Some(other) => {
                return Err(Error::invalid_input(format!(
                    "`dividendYield` must be a number, got {}",
                    short(&other)
                )))
            }
        };
        if let Some(k) = m.keys().next() {
            return Err(Error::invalid_input(format!(
                "chain: unknown key `{k}` (known: spot, asOf, dividendYield, quotes)"
            )));
        }
        Ok(Self {
            spot,
            as_of,
            dividend_yield,
            quotes,
        })
    }

    /// The chain of `underlying`, observed at `self.as_of` or else `default_as_of`.
    pub fn into_chain(
        &self,
        underlying: &str,
        default_as_of: DateTime<Utc>,
    ) -> Result<OptionChain> {
        let what = format!("option chain of {underlying}");
        let spot = match self.spot {
            Some(s) => s,
            None => {
                let c = self.quotes.find(SPOT).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "{what}: no spot (give `spot`, or a `spot` column)"
                    ))
                })?;
                c.number(0)?.ok_or_else(|| {
                    Error::invalid_input(format!("{what}: column `{}` is empty", c.name))
                })?
            }
        };
        let quotes = quotes_from_table(underlying, &self.quotes)
            .map_err(|e| Error::invalid_input(format!("{what}: {}", e.message())))?;
        OptionChain::new(
            underlying,
            spot,
            self.as_of.unwrap_or(default_as_of),
            self.dividend_yield,
            quotes,
        )
    }
}

/// Parse an RFC 3339 instant (`2024-07-19T20:00:00Z`).
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::invalid_input(format!("{s:?} is not an RFC 3339 instant: {e}")))
}

/// Kind, expiration and strike from an OCC symbol (`AAPL240719C00190000`).
pub fn parse_occ(symbol: &str) -> Option<(OptionKind, NaiveDate, f64)> {
    let s = symbol.trim();
    let tail = s.get(s.len().checked_sub(15)?..)?;
    let date = NaiveDate::parse_from_str(tail.get(..6)?, "%y%m%d").ok()?;
    let kind = tail.get(6..7)?.parse().ok()?;
    let strike = tail.get(7..)?.parse::<u64>().ok()? as f64 / 1000.0;
    Some((kind, date, strike))
}

fn quotes_from_table(underlying: &str, t: &Table) -> Result<Vec<OptionQuote>> {
    let contract = t.find(&["contractsymbol", "contract", "occ"]);
    let strike = t.need("quotes", &["strike"])?;
    let kind = t.find(&["type", "optiontype", "kind", "right", "callput"]);
    let expiration = t.find(&["expiration", "expiry", "expirationdate", "expire"]);
    let (bid, ask) = (t.find(&["bid"]), t.find(&["ask"]));
    let last = t.find(&["lastprice", "last"]);
    let volume = t.find(&["volume"]);
    let oi = t.find(&["openinterest", "oi"]);
    let iv = t.find(&["impliedvolatility", "iv", "vendoriv"]);
    let under = t.find(&["underlying", "underlyingsymbol"]);
    if contract.is_none() && (kind.is_none() || expiration.is_none()) {
        return Err(Error::invalid_input(format!(
            "no `type` and `expiration` columns and no `contractSymbol` to read them from (columns: {})",
            t.names().join(", ")
        )));
    }
    let opt = |c: Option<super::table::Col<'_>>, i: usize| match c {
        Some(c) => c.number(i),
        None => Ok(None),
    };
    let count = |c: Option<super::table::Col<'_>>, i: usize| -> Result<u64> {
        Ok(opt(c, i)?
            .filter(|x| x.is_finite() && *x > 0.0)
            .map_or(0, |x| x.round() as u64))
    };
    let mut out = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        if let Some(u) = under.map(|c| c.text(i)).transpose()?.flatten() {
            if u != underlying {
                return Err(Error::invalid_input(format!("row {i} belongs to {u}")));
            }
        }
        let sym = contract.map(|c| c.text(i)).transpose()?.flatten();
        let occ = sym.and_then(parse_occ);
        let k = match kind.map(|c| c.text(i)).transpose()?.flatten() {
            Some(s) => s.parse::<OptionKind>().map_err(|_| {
                Error::invalid_input(format!(
                    "column `{}` row {i}: expected call or put, got {s:?}",
                    kind.map_or("", |c| c.name)
                ))
            })?,
            None => occ.map(|o| o.0).ok_or_else(|| missing("type", i))?,
        };
        let exp = match expiration.map(|c| c.date(i)).transpose()?.flatten() {
            Some(d) => d,
            None => occ.map(|o| o.1).ok_or_else(|| missing("expiration", i))?,
        };
        let k_strike = strike.number(i)?.ok_or_else(|| missing(strike.name, i))?;
        out.push(OptionQuote {
            contract_symbol: sym
                .map_or_else(|| occ_symbol(underlying, exp, k, k_strike), str::to_owned),
            underlying: underlying.to_owned(),
            kind: k,
            strike: k_strike,
            expiration: exp,
            bid: opt(bid, i)?.unwrap_or(0.0),
            ask: opt(ask, i)?.unwrap_or(0.0),
            last: opt(last, i)?,
            volume: count(volume, i)?,
            open_interest: count(oi, i)?,
            vendor_iv: opt(iv, i)?,
            quote_time: None,
            last_trade_time: None,
        });
    }
    Ok(out)
}

fn missing(col: &str, row: usize) -> Error {
    Error::invalid_input(format!("column `{col}` row {row} is missing"))
}
