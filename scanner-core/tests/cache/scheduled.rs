//! Scheduled cycles against every backend: four database operations per cycle whatever the
//! number of symbols and modes (leases + rotation, IV history, every write, release), a lease
//! lost mid-cycle fences its mode's save and moves nothing, rotation, and historical cycles
//! kept apart from the live cache.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use scanner_core::cache::RunOptions;
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::model::FilterMode::{Relaxed, Strict};
use scanner_core::model::{OptionChain, PriceHistory};
use scanner_core::scan::{ModeSelection, ScanConfig, Scanner};
use scanner_core::ErrorKind;
use tokio::sync::Notify;

use crate::harness::TestDb;

fn config(symbols: usize) -> ScanConfig {
    ScanConfig {
        max_symbols: Some(symbols),
        backtest: false,
        signals: false,
        filter_mode: ModeSelection::Both,
        ..ScanConfig::default()
    }
}

fn scanner(symbols: usize) -> Scanner {
    Scanner::new(Arc::new(SyntheticMarket::new(7, 400)), config(symbols)).expect("config")
}

/// No heartbeat falls inside these short cycles, so the count is the cycle's own.
fn long_lease() -> RunOptions {
    RunOptions {
        lease_ttl: Duration::from_secs(3600),
        ..RunOptions::default()
    }
}

pub async fn operations_do_not_grow_with_symbols(db: &TestDb) {
    let store = db.store().await;
    let small = store
        .run_scheduled(&scanner(5), long_lease())
        .await
        .expect("small cycle");
    let large = store
        .run_scheduled(&scanner(120), long_lease())
        .await
        .expect("large cycle");
    assert_eq!(large.results.len(), 2, "both modes");
    assert_eq!(large.results[0].symbols_scanned.len(), 120);
    assert!(large.ivs_recorded > 100, "{}", large.ivs_recorded);
    assert_eq!(
        small.database_operations, large.database_operations,
        "per-symbol database calls crept back in"
    );
    assert_eq!(
        large.database_operations, 4,
        "leases + rotation, IV history, saves + rotation + IVs, release"
    );
    let before_save = &large.results[0].metadata.extra["database"]["operationsBeforeSave"];
    assert!(before_save.as_u64().is_some_and(|n| n > 0), "{before_save}");
    // The IV history written in one statement is read back in one.
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let ivs = store
        .iv_histories(&large.results[0].symbols_scanned, since)
        .await
        .unwrap();
    assert_eq!(ivs.len(), large.ivs_recorded);
}

pub async fn historical_cycles_never_become_the_live_scan(db: &TestDb) {
    let store = db.store().await;
    let live = store
        .run_scheduled(&scanner(4), RunOptions::default())
        .await
        .unwrap();
    let rotation = store.rotation(Strict).await.unwrap().unwrap();
    let past = RunOptions {
        as_of: Some(
            chrono::DateTime::parse_from_rfc3339("2024-06-12T20:00:00Z")
                .unwrap()
                .into(),
        ),
        ..RunOptions::default()
    };
    let backfill = store.run_scheduled(&scanner(4), past).await.unwrap();
    let latest = store.latest(Strict, None).await.unwrap().unwrap();
    assert_eq!(latest.result.scan_id, live.results[0].scan_id);
    assert_eq!(
        store.rotation(Strict).await.unwrap().unwrap().position,
        rotation.position,
        "a backfill leaves the live rotation alone"
    );
    let hist = store.history(None, 10).await.unwrap();
    let flag = |id| hist.iter().find(|h| h.scan_id == id).map(|h| h.historical);
    assert_eq!(flag(backfill.results[0].scan_id), Some(true));
    assert_eq!(flag(live.results[0].scan_id), Some(false));
}

/// A synthetic source whose first history fetch waits until the test lets it go.
struct Gated {
    inner: SyntheticMarket,
    entered: Arc<Notify>,
    go: Arc<Notify>,
}

#[async_trait]
impl MarketData for Gated {
    fn name(&self) -> &str {
        "gated"
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
        self.entered.notify_one();
        self.go.notified().await;
        self.go.notify_one();
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

pub async fn a_lost_lease_fences_its_mode_and_moves_nothing(db: &TestDb) {
    let store = db.store().await;
    let (entered, go) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let source = Gated {
        inner: SyntheticMarket::new(7, 40),
        entered: Arc::clone(&entered),
        go: Arc::clone(&go),
    };
    let scanner = Scanner::new(Arc::new(source), config(6)).expect("config");
    let cycle = {
        let store = store.clone();
        tokio::spawn(async move { store.run_scheduled(&scanner, long_lease()).await })
    };
    entered.notified().await;
    // Another writer takes the strict lease over mid-scan (ours expired while cut off).
    crate::leases::exec(
        db,
        "UPDATE scanner_locks SET holder = 'elsewhere|another-machine|1@1|x' \
         WHERE name = 'scan:strict'",
    )
    .await;
    go.notify_one();
    let err = cycle.await.expect("no panic").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
    assert!(err.to_string().contains("scan:strict"), "{err}");
    let hist = store.history(None, 10).await.unwrap();
    assert!(hist.iter().all(|h| h.filter_mode != Strict), "{hist:?}");
    assert_eq!(
        hist.iter().filter(|h| h.filter_mode == Relaxed).count(),
        1,
        "the relaxed lease held: its scan is saved"
    );
    assert!(
        store.rotation(Relaxed).await.unwrap().is_none(),
        "the rotation waits for a cycle whose every lease held"
    );
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let symbols = SyntheticMarket::new(7, 40).universe().await.unwrap();
    assert!(store
        .iv_histories(&symbols, since)
        .await
        .unwrap()
        .is_empty());
}
