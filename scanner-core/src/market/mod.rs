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
pub mod quality;
pub(crate) mod rng;
mod synthetic;

pub use csv::{ChainSource, CsvMarket, CsvMarketOptions};
pub use host::{MemoryMarket, MemoryMarketOptions};
pub use load_report::{LoadReport, LOAD_STAGE};
#[doc(hidden)]
pub use synthetic::PANIC_HOOK_ENV;
pub use synthetic::{SyntheticMarket, MAX_SYMBOLS as MAX_SYNTHETIC_SYMBOLS};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{OptionChain, PriceHistory};
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
}
