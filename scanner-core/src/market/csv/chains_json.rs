//! The JSON flavour of chain snapshots: a chain object (or an array of them) shaped like
//! [`OptionChain`](crate::model::OptionChain)'s own JSON, parsed leniently quote by quote so
//! one bad quote costs one counted row, not the file.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::chains::{finish, Group, Key, ParsedChains, Raw};
use super::fields;
use crate::market::LoadReport;
use crate::model::OptionKind;
use crate::{Error, Result};

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
