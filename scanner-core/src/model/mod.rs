//! The market model every layer shares: contracts, chains, price histories and results.
//!
//! Constructors validate and return typed errors, so downstream code never has to guess
//! whether a strike can be negative or a history can run backwards.

mod candidates;
mod chain;
mod history;
mod opportunity;
mod option;
mod result;
mod screen;
mod screen_run;

pub use candidates::{CandidateRow, CandidateSet, ScreenField};
pub use chain::{OptionChain, MAX_CHAIN_CONTRACTS};
pub use history::PriceHistory;
pub use opportunity::Opportunity;
pub use option::{OptionKind, OptionQuote};
pub use result::{FailedSymbol, FilterMode, Rejections, ScanMetadata, ScanResult};
pub use screen::{
    FieldRange, ScreenGreeks, ScreenPage, ScreenQuery, ScreenRow, DEFAULT_SCREEN_LIMIT,
    MAX_SCREEN_LIMIT,
};

/// Number of stored screen fields per candidate (the scan pipeline fills that many).
pub(crate) const fn candidates_stored() -> usize {
    candidates::STORED
}
