//! The per-symbol daily history cache: one statement to load a scan's histories, one to save
//! them, a hit when the last session has not changed, and only the missing bars fetched
//! when it has.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use scanner_core::cache::CachedHistories;
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::model::{OptionChain, PriceHistory};

use crate::harness::TestDb;

/// The synthetic market, recording the `sessions` of every history request.
struct Counting {
    inner: SyntheticMarket,
    asked: Mutex<Vec<usize>>,
}

#[async_trait]
impl MarketData for Counting {
    fn name(&self) -> &str {
        "counting"
    }
    async fn universe(&self) -> scanner_core::Result<Vec<String>> {
        self.inner.universe().await
    }
    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> scanner_core::Result<PriceHistory> {
        self.asked.lock().unwrap().push(sessions);
        self.inner.price_history(symbol, sessions, as_of).await
    }
    async fn option_chain(
        &self,
        symbol: &str,
        as_of: DateTime<Utc>,
    ) -> scanner_core::Result<OptionChain> {
        self.inner.option_chain(symbol, as_of).await
    }
}

fn counting() -> Arc<Counting> {
    Arc::new(Counting {
        inner: SyntheticMarket::new(11, 5),
        asked: Mutex::new(Vec::new()),
    })
}

/// One "scan": prepare, every symbol's history, finish.
async fn run(
    source: &CachedHistories,
    symbols: &[String],
    as_of: DateTime<Utc>,
) -> Vec<PriceHistory> {
    source.prepare(symbols, 60, as_of).await;
    let mut out = Vec::new();
    for s in symbols {
        out.push(source.price_history(s, 60, as_of).await.unwrap());
    }
    source.finish().await;
    out
}

pub async fn histories_are_cached_per_session(db: &TestDb) {
    let store = db.store().await;
    let symbols = SyntheticMarket::new(11, 5).universe().await.unwrap();
    // Wednesday 2024-07-10, after the close; then Thursday after the close.
    let wed = Utc.with_ymd_and_hms(2024, 7, 10, 21, 0, 0).unwrap();
    let thu = Utc.with_ymd_and_hms(2024, 7, 11, 21, 0, 0).unwrap();

    let first = counting();
    let cached = CachedHistories::new(first.clone(), store.clone());
    let ops = store.database_stats().0;
    let fetched = run(&cached, &symbols, wed).await;
    // One statement to load, one to save, whatever the number of symbols.
    assert_eq!(store.database_stats().0 - ops, 2);
    assert_eq!(*first.asked.lock().unwrap(), vec![60; 5]);
    assert_eq!(cached.requests().unwrap().cache_hits, 0);
    assert_eq!(cached.store_errors(), 0);

    // A new process, same session: every history from the store, none from the source.
    let second = counting();
    let cached = CachedHistories::new(second.clone(), store.clone());
    let again = run(&cached, &symbols, wed).await;
    assert_eq!(again, fetched);
    assert!(second.asked.lock().unwrap().is_empty());
    assert_eq!(cached.requests().unwrap().cache_hits, 5);

    // The next session: only the missing bars are asked for, and the result is the same as a
    // full fetch.
    let third = counting();
    let cached = CachedHistories::new(third.clone(), store.clone());
    let next = run(&cached, &symbols, thu).await;
    let asked = third.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 5);
    assert!(asked.iter().all(|n| *n <= 4), "{asked:?}");
    for (h, s) in next.iter().zip(&symbols) {
        let full = first.inner.price_history(s, 60, thu).await.unwrap();
        assert_eq!(*h, full, "{s}");
    }
    assert_eq!(cached.store_errors(), 0);
}
