//! A panicking source never takes the host down: a panic while fetching a symbol fails that
//! symbol with `Internal` (the scan completes), and one anywhere else fails the scan with
//! `Internal` — never an abort.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::model::{OptionChain, PriceHistory};
use scanner_core::scan::{ScanConfig, ScanRequest, Scanner};
use scanner_core::{ErrorKind, Result};

/// Panics in `price_history` of one symbol, in `option_chain` of another, and in
/// `universe` when asked to.
struct Panicky {
    inner: SyntheticMarket,
    in_history: String,
    in_chain: String,
    in_universe: bool,
}

#[async_trait]
impl MarketData for Panicky {
    fn name(&self) -> &str {
        "panicky"
    }
    async fn universe(&self) -> Result<Vec<String>> {
        assert!(!self.in_universe, "deliberate panic listing the universe");
        self.inner.universe().await
    }
    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        if symbol == self.in_history {
            panic!("deliberate panic fetching {symbol}'s history");
        }
        self.inner.price_history(symbol, sessions, as_of).await
    }
    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        if symbol == self.in_chain {
            let chains: Vec<OptionChain> = Vec::new();
            #[allow(clippy::indexing_slicing)]
            return Ok(chains[0].clone()); // a deliberate out-of-bounds panic
        }
        self.inner.option_chain(symbol, as_of).await
    }
}

fn source(in_universe: bool) -> Arc<Panicky> {
    Arc::new(Panicky {
        inner: SyntheticMarket::new(7, 8),
        in_history: "SYN0001".into(),
        in_chain: "SYN0004".into(),
        in_universe,
    })
}

fn request() -> ScanRequest {
    ScanRequest {
        as_of: Some(Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap()),
        ..ScanRequest::default()
    }
}

#[tokio::test]
async fn a_symbol_whose_source_panics_fails_alone_with_internal() {
    let cfg = ScanConfig {
        backtest: false,
        ..ScanConfig::default()
    };
    let out = Scanner::new(source(false), cfg)
        .unwrap()
        .run(request())
        .await
        .expect("the scan completes");
    let r = &out.results[0];
    assert_eq!(r.symbols_scanned.len(), 6, "{:?}", r.symbols_scanned);
    for sym in ["SYN0001", "SYN0004"] {
        let f = r
            .metadata
            .failed_symbols
            .iter()
            .find(|f| f.symbol == sym)
            .unwrap_or_else(|| panic!("{sym} not reported: {:?}", r.metadata.failed_symbols));
        assert_eq!(f.kind, "Internal");
        assert!(f.reason.contains("panicked"), "{}", f.reason);
    }
}

#[tokio::test]
async fn a_panic_outside_a_symbol_fails_the_scan_with_internal() {
    let err = Scanner::new(source(true), ScanConfig::default())
        .unwrap()
        .run(request())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.message().contains("universe"), "{err}");
}

#[tokio::test]
async fn the_synthetic_test_hook_panics_where_told() {
    // The hook the Python and Node tests use; nextest runs each test in its own process.
    std::env::set_var(scanner_core::market::PANIC_HOOK_ENV, "SYN0002");
    let market = Arc::new(SyntheticMarket::new(7, 5));
    std::env::remove_var(scanner_core::market::PANIC_HOOK_ENV);
    let cfg = ScanConfig {
        backtest: false,
        ..ScanConfig::default()
    };
    let out = Scanner::new(market, cfg)
        .unwrap()
        .run(request())
        .await
        .unwrap();
    let failed = &out.results[0].metadata.failed_symbols;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(
        (failed[0].symbol.as_str(), failed[0].kind.as_str()),
        ("SYN0002", "Internal")
    );
}
