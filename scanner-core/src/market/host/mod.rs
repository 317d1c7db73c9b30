//! Data handed over by a host language — Python DataFrames and dicts of arrays, JS objects —
//! and the in-memory source built from it. The bindings only move cells into a [`Table`];
//! column lookup (any case, the yfinance names and optscan's), cell parsing, OCC symbol
//! decoding and every "which column is wrong" message live here, so a Python source, a
//! Node source and [`MemoryMarket`] read the same data the same way.

mod chain;
mod epoch;
mod history;
mod memory;
mod table;

pub use chain::{parse_instant, parse_occ, ChainTable};
pub use epoch::NOT_A_TIME;
pub use history::{history_from_table, history_window, DATE_COLUMNS};
pub use memory::{MemoryMarket, MemoryMarketOptions};
pub use table::{Column, Table};
