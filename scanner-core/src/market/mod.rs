//! Market data: one async trait that every source implements, so the scan never cares
//! whether quotes come from the offline synthetic market, CSV files or a vendor.
//!
//! `as_of` makes historical scans possible without look-ahead: a source never returns a
//! bar or a quote stamped after `as_of`.
//!
//! Offline sources live here: [`SyntheticMarket`] (seeded, the default), [`CsvMarket`]
//! (real daily history from files), [`MemoryMarket`] and the [`host`] tables that carry
//! data from Python and JS, the [`chain_gen`] generator both use for option
//! chains, and the per-contract [`quality`] checks.

pub mod chain_gen;
pub mod csv;
pub mod host;
mod load_report;
mod provenance;
pub mod quality;
mod requests;
pub(crate) mod rng;
mod synthetic;

pub use csv::{ChainSource, CsvMarket, CsvMarketOptions};
pub use host::{MemoryMarket, MemoryMarketOptions};
pub use load_report::{LoadReport, LOAD_STAGE};
pub use provenance::{Origin, QuoteSource, SymbolProvenance};
pub use requests::ProviderRequests;
#[doc(hidden)]
pub use synthetic::PANIC_HOOK_ENV;
pub use synthetic::{SyntheticMarket, MAX_SYMBOLS as MAX_SYNTHETIC_SYMBOLS};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{OptionChain, PriceHistory, Rejections};
use crate::Result;

#[cfg(feature = "http")]
pub mod vendors;
#[cfg(feature = "http")]
pub use vendors::{HttpConfig, PolygonMarket, TradierMarket, YahooMarket};

/// A source of underlying histories and option chains.
///
/// Errors are per symbol and carry a kind: [`crate::ErrorKind::NotFound`],
/// [`crate::ErrorKind::RateLimited`], [`crate::ErrorKind::Timeout`] or
/// [`crate::ErrorKind::DataSource`] (with detail). A failing symbol never fails a scan.
#[async_trait]
pub trait MarketData: Send + Sync {
    /// Short provenance label reported as `metadata.dataSource` (`"synthetic"`, `"csv"`,
    /// `"yahoo"`, `"polygon"`, `"tradier"`).
    fn name(&self) -> &str;

    /// The symbols this source can scan, in a stable order.
    async fn universe(&self) -> Result<Vec<String>>;

    /// The last `sessions` daily bars of `symbol` dated on or before `as_of`'s New York date.
    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory>;

    /// The option chain of `symbol` as it stood at `as_of`.
    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain>;

    /// Where `symbol`'s chain and history come from (a vendor, files, the host, generated).
    /// The scan lists it under `metadata.provenance` and marks each opportunity's
    /// `quoteSource`; `None` (the default) means the source does not say.
    fn provenance(&self, _symbol: &str) -> Option<SymbolProvenance> {
        None
    }

    /// Rows and pages dropped while serving `symbol`'s last history and chain (a vendor's
    /// unusable contracts, a missing expiration page), which the scan adds to
    /// `metadata.rejections`. Empty by default.
    fn source_rejections(&self, _symbol: &str) -> Rejections {
        Rejections::default()
    }

    /// Requests made so far to the provider behind this source (`None`, the default, for
    /// sources that make none). A scan reports the difference over its run under
    /// `metadata.requests`; scans running at the same time on one source share counters.
    fn requests(&self) -> Option<ProviderRequests> {
        None
    }

    /// Called once before a scan fetches `symbols` (histories of `sessions` bars as of
    /// `as_of`), so a source can load what it needs for the whole batch in one go (the
    /// store's history cache does). Nothing by default.
    async fn prepare(&self, _symbols: &[String], _sessions: usize, _as_of: DateTime<Utc>) {}

    /// Called once after a scan fetched its batch, so a source can save what it learned in
    /// one go. Nothing by default.
    async fn finish(&self) {}
}
