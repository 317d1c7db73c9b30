//! The offline default market: seeded, deterministic, no files and no network, so scans,
//! tests and benchmarks run anywhere and give the same answer for the same seed.
//!
//! Symbols are `SYN0000`, `SYN0001`, … (never a real ticker). Each has a fixed profile
//! (price level $3–$900, volatility, dividend yield, liquidity; a few index-like names and
//! some illiquid ones) and a price path from [`path`](self) that can be generated for any
//! window of New York weekdays since 2000-01-03. Chains come from
//! [`generate_chain`](crate::market::chain_gen::generate_chain) on that path.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use scanner_core::market::SyntheticMarket;
//! let m = SyntheticMarket::new(7, 60);
//! let as_of = Utc.with_ymd_and_hms(2024, 7, 19, 18, 0, 0).unwrap();
//! let h = m.history_at("SYN0003", 30, as_of).unwrap();
//! assert_eq!(h.len(), 30);
//! assert!(h.last_date().unwrap() <= as_of.date_naive());
//! let chain = m.chain_at("SYN0003", as_of).unwrap();
//! assert_eq!(chain.spot, h.last_close().unwrap());
//! ```

mod path;
mod profile;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::calendar::ny_date;
use crate::market::chain_gen::{generate_chain, short_history, ChainParams};
use crate::market::MarketData;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, Result};

/// Sessions of history the chain generator looks at (a year of realized volatility).
const CHAIN_LOOKBACK: usize = 260;

/// A seeded, deterministic, offline market of `symbols` fake names.
#[derive(Debug, Clone)]
pub struct SyntheticMarket {
    seed: u64,
    profiles: Vec<profile::Profile>,
    chain_params: ChainParams,
    /// Test hook: symbols (or `universe`) whose fetch panics, from
    /// [`PANIC_HOOK_ENV`]. Empty unless that variable is set.
    panic_on: Vec<String>,
}

/// The most symbols a synthetic market may have ([`SyntheticMarket::try_new`]).
pub const MAX_SYMBOLS: usize = 100_000;

/// Test hook, not a feature: a comma-separated list of symbols whose fetches panic (and
/// `universe`, whose listing panics) in every [`SyntheticMarket`] built while it is set.
/// Hosts' tests use it to prove a panicking source becomes an `Internal` error.
pub const PANIC_HOOK_ENV: &str = "OPTSCAN_TEST_PANIC_SYMBOLS";

impl SyntheticMarket {
    /// A market of `symbols` names (`SYN0000` …) generated from `seed`.
    /// Prefer [`Self::try_new`] with a size that comes from a user.
    pub fn new(seed: u64, symbols: usize) -> Self {
        let panic_on = std::env::var(PANIC_HOOK_ENV)
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default();
        Self {
            seed,
            profiles: (0..symbols).map(|i| profile::profile(seed, i)).collect(),
            chain_params: ChainParams::default(),
            panic_on,
        }
    }

    /// [`Self::new`], refusing more than [`MAX_SYMBOLS`] symbols with
    /// [`crate::ErrorKind::InvalidInput`] instead of allocating them.
    pub fn try_new(seed: u64, symbols: usize) -> Result<Self> {
        if symbols > MAX_SYMBOLS {
            return Err(Error::invalid_input(format!(
                "a synthetic market has at most {MAX_SYMBOLS} symbols, got {symbols}"
            )));
        }
        Ok(Self::new(seed, symbols))
    }

    fn panic_hook(&self, what: &str) {
        if self.panic_on.iter().any(|s| s == what) {
            panic!("{PANIC_HOOK_ENV}: deliberate panic for {what}");
        }
    }

    /// Replace the chain-generator parameters (builder style).
    pub fn with_chain_params(mut self, params: ChainParams) -> Self {
        self.chain_params = params;
        self
    }

    /// The seed this market was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Whether the market has no symbols.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The tickers, in index order.
    pub fn symbols(&self) -> Vec<String> {
        self.profiles.iter().map(|p| p.ticker.clone()).collect()
    }

    /// The continuous dividend yield of `symbol`.
    pub fn dividend_yield(&self, symbol: &str) -> Result<f64> {
        Ok(self.profile(symbol)?.1.dividend_yield)
    }

    /// Whether `symbol` imitates a broad index fund (low vol, very liquid, a dividend).
    pub fn is_index_like(&self, symbol: &str) -> Result<bool> {
        Ok(self.profile(symbol)?.1.style == profile::Style::IndexLike)
    }

    fn profile(&self, symbol: &str) -> Result<(usize, &profile::Profile)> {
        profile::index_of(symbol)
            .and_then(|i| self.profiles.get(i).map(|p| (i, p)))
            .ok_or_else(|| {
                Error::not_found(format!(
                    "{symbol:?} is not in this synthetic market of {} symbols",
                    self.profiles.len()
                ))
            })
    }

    /// The last `sessions` daily bars of `symbol` dated on or before `as_of`'s New York
    /// date (the synchronous form of [`MarketData::price_history`]).
    ///
    /// Errors: [`crate::ErrorKind::NotFound`] for an unknown symbol or an `as_of` before
    /// the first session (2000-01-03).
    pub fn history_at(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let (i, p) = self.profile(symbol)?;
        let last = path::session_on_or_before(ny_date(as_of)).ok_or_else(|| {
            Error::not_found(format!(
                "{symbol}: no synthetic sessions before {}",
                path::EPOCH
            ))
        })?;
        let first = last - i64::try_from(sessions).unwrap_or(i64::MAX).min(last + 1) + 1;
        path::bars(p, self.seed, i, first, last)
    }

    /// The option chain of `symbol` at `as_of` (the synchronous form of
    /// [`MarketData::option_chain`]): generated on the symbol's history up to `as_of`.
    pub fn chain_at(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        let (i, p) = self.profile(symbol)?;
        let history = self.history_at(symbol, CHAIN_LOOKBACK, as_of)?;
        short_history(symbol, history.len(), &self.chain_params, as_of)?;
        generate_chain(
            &history,
            as_of,
            p.dividend_yield,
            &self.chain_params,
            self.seed ^ i as u64,
        )
    }
}

#[async_trait]
impl MarketData for SyntheticMarket {
    fn name(&self) -> &str {
        "synthetic"
    }

    fn provenance(&self, _symbol: &str) -> Option<crate::market::SymbolProvenance> {
        Some(crate::market::SymbolProvenance {
            chain: crate::market::Origin::Generated,
            history: crate::market::Origin::Generated,
        })
    }

    async fn universe(&self) -> Result<Vec<String>> {
        self.panic_hook("universe");
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
        self.panic_hook(symbol);
        self.chain_at(symbol, as_of)
    }
}
