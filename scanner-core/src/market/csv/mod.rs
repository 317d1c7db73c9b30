//! Real daily history from a folder of CSV files, for offline scans and backtests on real
//! prices. Chains come from snapshot files when the user has them, else from the chain
//! generator on the real history ([`ChainSource::Generated`], marked synthetic).
//!
//! Layouts found under the folder (or a single file passed directly):
//! * the CC0 layout: `Stocks/<t>.us.txt` and `ETFs/<t>.us.txt`, header
//!   `Date,Open,High,Low,Close,Volume,OpenInt`;
//! * otherwise (no `Stocks/` or `ETFs/` folder), generic `*.csv` / `*.csv.gz` / `*.txt`
//!   files at the top level with header
//!   `date,open,high,low,close,volume[,adj_close][,ticker]` in any order; without a
//!   ticker column the file stem is the ticker;
//! * chain snapshots (see [`chains`]) under `<folder>/chains/` or
//!   [`CsvMarketOptions::chain_dir`], as `*.csv`, `*.json` (optionally `.gz`).

pub mod chains;
mod chains_json;
mod discover;
mod fields;
pub mod history;
mod market;

pub use chains::{parse_chain_csv, ParsedChains};
pub use chains_json::parse_chain_json;
pub use history::{parse_history, ParsedHistories};
pub use market::{ChainSource, CsvMarket, CsvMarketOptions, FileError};
