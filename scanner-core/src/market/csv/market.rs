//! The [`CsvMarket`] source itself: parallel loading of what [`discover`] found, and the
//! [`MarketData`] implementation with `as_of` truncation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::discover::{discover, load_one, Loaded};
use crate::calendar::ny_date;
use crate::market::chain_gen::{generate_chain, short_history, ChainParams};
use crate::market::rng::hash_str;
use crate::market::{LoadReport, MarketData, LOAD_STAGE};
use crate::model::{OptionChain, PriceHistory, Rejections};
use crate::{Error, Result};

/// Options of [`CsvMarket::open_with`]. Defaults are named per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsvMarketOptions {
    /// Folder of chain-snapshot files (default: `<folder>/chains` when it exists).
    pub chain_dir: Option<PathBuf>,
    /// Seed of generated chains (default 7).
    pub seed: u64,
    /// Generator parameters for symbols without snapshot files (default
    /// [`ChainParams::default`]).
    pub chain_params: ChainParams,
    /// Dividend yield assumed for generated chains (default 0.0; CSV bars carry none).
    pub dividend_yield: f64,
    /// Rescale bars by `adj_close / close` when a file has that column (default true).
    pub use_adjusted_close: bool,
}

impl Default for CsvMarketOptions {
    fn default() -> Self {
        Self {
            chain_dir: None,
            seed: 7,
            chain_params: ChainParams::default(),
            dividend_yield: 0.0,
            use_adjusted_close: true,
        }
    }
}

/// Where a symbol's option chains come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChainSource {
    /// Snapshot files supplied by the user (real quotes).
    Files,
    /// The chain generator on the real history: synthetic quotes.
    Generated,
}

/// A file that could not be read at all (its rows are not in any report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileError {
    /// The file, relative to the opened folder.
    pub file: String,
    /// Why it was unusable.
    pub message: String,
}

/// Daily history from CSV files (and optional chain snapshots); see the [module
/// docs](super).
#[derive(Debug, Clone)]
pub struct CsvMarket {
    histories: BTreeMap<String, Arc<PriceHistory>>,
    snapshots: BTreeMap<String, Vec<Arc<OptionChain>>>,
    /// The file each history and each symbol's chain snapshots came from (provenance).
    files: BTreeMap<String, (String, BTreeSet<String>)>,
    reports: Vec<LoadReport>,
    errors: Vec<FileError>,
    options: CsvMarketOptions,
}

impl CsvMarket {
    /// Open a folder (or one file) with default options.
    ///
    /// ```
    /// use scanner_core::market::{CsvMarket, ChainSource};
    /// let dir = tempfile::tempdir().unwrap();
    /// let mut csv = String::from("date,open,high,low,close,volume\n");
    /// for d in 1..=28 {
    ///     csv += &format!("2024-02-{d:02},10,11,9,10.{d},1000\n");
    /// }
    /// std::fs::write(dir.path().join("abc.csv"), csv).unwrap();
    /// let m = CsvMarket::open(dir.path()).unwrap();
    /// assert_eq!(m.symbols(), vec!["ABC".to_string()]);
    /// assert_eq!(m.chain_source("ABC"), Some(ChainSource::Generated));
    /// assert_eq!(m.load_reports()[0].rows_kept, 28);
    /// ```
    ///
    /// Errors: [`crate::ErrorKind::NotFound`] when the path does not exist or holds no history
    /// file. Files that fail to parse do not fail the open; see [`CsvMarket::file_errors`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, CsvMarketOptions::default())
    }

    /// Open a folder (or one file) with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: CsvMarketOptions) -> Result<Self> {
        let root = path.as_ref();
        if !root.exists() {
            return Err(Error::not_found(format!(
                "{} does not exist",
                root.display()
            )));
        }
        let (base, jobs) = discover(root, options.chain_dir.clone())?;
        let adjust = options.use_adjusted_close;
        let loaded: Vec<Loaded> = jobs
            .par_iter()
            .map(|(p, kind)| load_one(&base, p, kind, adjust))
            .collect();
        let mut me = Self {
            histories: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            files: BTreeMap::new(),
            reports: Vec::new(),
            errors: Vec::new(),
            options,
        };
        for l in loaded {
            match l {
                Loaded::Histories(hs, mut r) => {
                    for h in hs {
                        // The first file wins on a duplicate ticker; the loser's rows count.
                        if me.histories.contains_key(h.symbol()) {
                            r.unkeep("duplicate_ticker", h.len() as u64);
                        } else {
                            me.files.entry(h.symbol().to_owned()).or_default().0 = r.file.clone();
                            me.histories.insert(h.symbol().to_owned(), Arc::new(h));
                        }
                    }
                    me.reports.push(r);
                }
                Loaded::Chains(cs, r) => {
                    for c in cs {
                        let files = &mut me.files.entry(c.underlying.clone()).or_default().1;
                        files.insert(r.file.clone());
                        me.snapshots
                            .entry(c.underlying.clone())
                            .or_default()
                            .push(Arc::new(c));
                    }
                    me.reports.push(r);
                }
                Loaded::Failed(e) => me.errors.push(e),
            }
        }
        for v in me.snapshots.values_mut() {
            v.sort_by_key(|c| c.as_of);
        }
        Ok(me)
    }

    /// Per-file row accounting (rows read, kept, skipped by reason).
    pub fn load_reports(&self) -> &[LoadReport] {
        &self.reports
    }

    /// Files that could not be read at all.
    pub fn file_errors(&self) -> &[FileError] {
        &self.errors
    }

    /// Every skipped row of every file, plus one `unreadable_file` per failed file, under
    /// stage `"load"`: ready to merge into `metadata.rejections`.
    pub fn rejections(&self) -> Rejections {
        let mut r = Rejections::default();
        for rep in &self.reports {
            r.merge(&rep.rows_skipped);
        }
        r.add(LOAD_STAGE, "unreadable_file", self.errors.len() as u64);
        r
    }

    /// Tickers found, sorted.
    pub fn symbols(&self) -> Vec<String> {
        self.histories.keys().cloned().collect()
    }

    /// Where `symbol`'s chains come from (`None` for an unknown symbol).
    pub fn chain_source(&self, symbol: &str) -> Option<ChainSource> {
        if self.snapshots.contains_key(symbol) {
            Some(ChainSource::Files)
        } else {
            self.histories
                .contains_key(symbol)
                .then_some(ChainSource::Generated)
        }
    }

    /// The full loaded history of `symbol`, if any.
    pub fn full_history(&self, symbol: &str) -> Option<&PriceHistory> {
        self.histories.get(symbol).map(|h| h.as_ref())
    }

    fn history(&self, symbol: &str) -> Result<&PriceHistory> {
        self.full_history(symbol)
            .ok_or_else(|| Error::not_found(format!("{symbol}: no history file")))
    }

    /// The synchronous form of [`MarketData::price_history`]: the last `sessions` bars
    /// dated on or before `as_of`'s New York date.
    pub fn history_at(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        Ok(self.history(symbol)?.truncated(ny_date(as_of), sessions))
    }

    /// The synchronous form of [`MarketData::option_chain`]: the latest snapshot taken at
    /// or before `as_of` when the symbol has snapshot files, else a generated chain on the
    /// history up to `as_of`.
    pub fn chain_at(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        if let Some(snaps) = self.snapshots.get(symbol) {
            let i = snaps.partition_point(|c| c.as_of <= as_of);
            return match i.checked_sub(1).and_then(|i| snaps.get(i)) {
                Some(c) => Ok(c.as_ref().clone()),
                None => Err(Error::not_found(format!(
                    "{symbol}: no chain snapshot at or before {as_of}"
                ))),
            };
        }
        let h = self.history(symbol)?;
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

#[async_trait]
impl MarketData for CsvMarket {
    fn name(&self) -> &str {
        "csv"
    }

    fn provenance(&self, symbol: &str) -> Option<crate::market::SymbolProvenance> {
        use crate::market::Origin;
        let (history, chains) = self.files.get(symbol)?;
        let chain = match self.chain_source(symbol)? {
            ChainSource::Files => {
                Origin::File(chains.iter().cloned().collect::<Vec<_>>().join(", "))
            }
            ChainSource::Generated => Origin::Generated,
        };
        Some(crate::market::SymbolProvenance {
            chain,
            history: Origin::File(history.clone()),
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
        self.history_at(symbol, sessions, as_of)
    }

    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        self.chain_at(symbol, as_of)
    }
}
