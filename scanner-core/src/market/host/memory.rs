//! [`MemoryMarket`]: a source over histories and chains a host already holds — the cheapest
//! path for a worker that fetched everything itself. It answers exactly like
//! [`crate::market::CsvMarket`] on the same data: histories cut at the as-of date, the latest
//! chain snapshot at or before the as-of, and a generated chain (same seed scheme) for a
//! symbol without chains.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::chain::ChainTable;
use super::history::history_from_table;
use super::table::{short, Table};
use crate::calendar::ny_date;
use crate::market::chain_gen::{generate_chain, short_history, ChainParams};
use crate::market::rng::hash_str;
use crate::market::MarketData;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, Result};

/// Options of [`MemoryMarket`]; the defaults match [`crate::market::CsvMarketOptions`].
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryMarketOptions {
    /// Seed of generated chains (default 7).
    pub seed: u64,
    /// Generator parameters for symbols without chains (default [`ChainParams::default`]).
    pub chain_params: ChainParams,
    /// Dividend yield of generated chains (default 0.0).
    pub dividend_yield: f64,
}

impl Default for MemoryMarketOptions {
    fn default() -> Self {
        Self {
            seed: 7,
            chain_params: ChainParams::default(),
            dividend_yield: 0.0,
        }
    }
}

#[derive(Debug, Clone)]
struct Snapshots {
    /// Chains with an as-of, oldest first.
    timed: Vec<Arc<OptionChain>>,
    /// A chain given without an as-of: valid at any as-of (stamped with the scan's).
    timeless: Option<Arc<OptionChain>>,
}

/// An in-memory source over histories and chains a host already holds: histories cut at
/// the as-of date, the latest chain snapshot at or before it, and a generated chain (the
/// same seed scheme as [`crate::market::CsvMarket`]) for a symbol without chains.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scanner_core::market::{MarketData, MemoryMarket};
/// let m = MemoryMarket::from_value(serde_json::json!({
///     "histories": {"ABC": {"date": ["2024-02-01", "2024-02-02"], "open": [10, 10],
///                            "high": [11, 11], "low": [9, 9], "close": [10, 10.5]}},
///     "chains": {"ABC": {"spot": 10.5, "quotes": [
///         {"contractSymbol": "ABC240301C00010000", "strike": 10, "bid": 0.9, "ask": 1.0}]}},
/// }))?;
/// assert_eq!(m.universe().await?, vec!["ABC".to_string()]);
/// let as_of = "2024-02-02T21:00:00Z".parse().unwrap();
/// assert_eq!(m.option_chain("ABC", as_of).await?.quotes.len(), 1);
/// # Ok::<(), scanner_core::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryMarket {
    histories: BTreeMap<String, Arc<PriceHistory>>,
    chains: BTreeMap<String, Snapshots>,
    options: MemoryMarketOptions,
}

impl MemoryMarket {
    /// An empty market with `options`.
    pub fn new(options: MemoryMarketOptions) -> Self {
        Self {
            options,
            ..Default::default()
        }
    }

    /// Add (or replace) the full history of its symbol.
    pub fn insert_history(&mut self, history: PriceHistory) {
        self.histories
            .insert(history.symbol().to_owned(), Arc::new(history));
    }

    /// Add a history given as a table (see [`history_from_table`]).
    pub fn insert_history_table(&mut self, symbol: &str, table: &Table) -> Result<()> {
        self.insert_history(history_from_table(symbol, table)?);
        Ok(())
    }

    /// Add one chain snapshot of `symbol`; one without an as-of serves every as-of.
    pub fn insert_chain(&mut self, symbol: &str, chain: &ChainTable) -> Result<()> {
        let built = Arc::new(chain.into_chain(symbol, DateTime::<Utc>::MIN_UTC)?);
        let s = self
            .chains
            .entry(symbol.to_owned())
            .or_insert_with(|| Snapshots {
                timed: Vec::new(),
                timeless: None,
            });
        if chain.as_of.is_some() {
            let i = s.timed.partition_point(|c| c.as_of <= built.as_of);
            s.timed.insert(i, built);
        } else if s.timeless.replace(built).is_some() {
            return Err(Error::invalid_input(format!(
                "{symbol}: two chains without an as-of"
            )));
        }
        Ok(())
    }

    /// Build from a document: `{"histories": {SYMBOL: table}, "chains": {SYMBOL: chain or
    /// [chain, …]}}`, where a table is records or columns (see [`Table::from_value`]) and a
    /// chain is [`ChainTable::from_value`]'s document. Every chain's symbol needs a history.
    pub fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut m) = value else {
            return Err(Error::invalid_input(format!(
                "MemoryMarket: expected an object, got {}",
                short(&value)
            )));
        };
        let mut me = Self::default();
        let mut section = |name: &str| match m.remove(name) {
            None | Some(Value::Null) => Ok(serde_json::Map::new()),
            Some(Value::Object(o)) => Ok(o),
            Some(other) => Err(Error::invalid_input(format!(
                "MemoryMarket: `{name}` must map symbols to data, got {}",
                short(&other)
            ))),
        };
        let (histories, chains) = (section("histories")?, section("chains")?);
        if let Some(k) = m.keys().next() {
            return Err(Error::invalid_input(format!(
                "MemoryMarket: unknown key `{k}` (known: histories, chains)"
            )));
        }
        for (sym, t) in histories {
            me.insert_history_table(&sym, &Table::from_value(t)?)?;
        }
        for (sym, c) in chains {
            let docs = match c {
                Value::Array(items) if items.first().is_some_and(is_chain_doc) => items,
                other => vec![other],
            };
            for d in docs {
                me.insert_chain(&sym, &ChainTable::from_value(d)?)?;
            }
        }
        me.check()?;
        Ok(me)
    }

    /// Fail when a chain's symbol has no history (it could never be scanned).
    pub fn check(&self) -> Result<()> {
        match self
            .chains
            .keys()
            .find(|s| !self.histories.contains_key(*s))
        {
            Some(s) => Err(Error::invalid_input(format!(
                "MemoryMarket: chains for {s} but no history"
            ))),
            None => Ok(()),
        }
    }

    /// The symbols, sorted.
    pub fn symbols(&self) -> Vec<String> {
        self.histories.keys().cloned().collect()
    }

    fn history(&self, symbol: &str) -> Result<&Arc<PriceHistory>> {
        self.histories
            .get(symbol)
            .ok_or_else(|| Error::not_found(format!("{symbol}: not in this MemoryMarket")))
    }

    /// The synchronous form of [`MarketData::option_chain`].
    pub fn chain_at(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        let h = self.history(symbol)?;
        if let Some(s) = self.chains.get(symbol) {
            let i = s.timed.partition_point(|c| c.as_of <= as_of);
            if let Some(c) = i.checked_sub(1).and_then(|i| s.timed.get(i)) {
                return Ok(c.as_ref().clone());
            }
            return match &s.timeless {
                Some(c) => Ok(OptionChain {
                    as_of,
                    ..c.as_ref().clone()
                }),
                None => Err(Error::not_found(format!(
                    "{symbol}: no chain at or before {as_of}"
                ))),
            };
        }
        let have = h.dates().partition_point(|d| *d <= ny_date(as_of));
        short_history(symbol, have, &self.options.chain_params, as_of)?;
        let seed = self.options.seed ^ hash_str(symbol);
        generate_chain(
            h,
            as_of,
            self.options.dividend_yield,
            &self.options.chain_params,
            seed,
        )
    }
}

/// Whether a JSON value looks like one chain document rather than one quote record.
fn is_chain_doc(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.keys()
            .any(|k| matches!(super::table::norm(k).as_str(), "quotes" | "contracts"))
    })
}

#[async_trait]
impl MarketData for MemoryMarket {
    fn name(&self) -> &str {
        "memory"
    }

    fn provenance(&self, symbol: &str) -> Option<crate::market::SymbolProvenance> {
        use crate::market::Origin;
        self.histories.contains_key(symbol).then(|| {
            let chain = if self.chains.contains_key(symbol) {
                Origin::Host
            } else {
                Origin::Generated
            };
            crate::market::SymbolProvenance {
                chain,
                history: Origin::Host,
            }
        })
    }

    async fn universe(&self) -> Result<Vec<String>> {
        Ok(self.symbols())
    }

    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        Ok(self.history(symbol)?.truncated(ny_date(as_of), sessions))
    }

    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        self.chain_at(symbol, as_of)
    }
}
