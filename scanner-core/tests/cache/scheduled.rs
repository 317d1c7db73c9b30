//! Scheduled cycles against every backend: one statement per step for the whole batch (the
//! number of database operations does not grow with the number of symbols), rotation, and
//! historical cycles kept apart from the live cache.

use std::sync::Arc;

use scanner_core::cache::RunOptions;
use scanner_core::market::SyntheticMarket;
use scanner_core::model::FilterMode::Strict;
use scanner_core::scan::{ScanConfig, Scanner};

use crate::harness::TestDb;

fn scanner(symbols: usize) -> Scanner {
    let cfg = ScanConfig {
        max_symbols: Some(symbols),
        backtest: false,
        signals: false,
        ..ScanConfig::default()
    };
    Scanner::new(Arc::new(SyntheticMarket::new(7, 400)), cfg).expect("config")
}

pub async fn operations_do_not_grow_with_symbols(db: &TestDb) {
    let store = db.store().await;
    let small = store
        .run_scheduled(&scanner(5), RunOptions::default())
        .await
        .expect("small cycle");
    let large = store
        .run_scheduled(&scanner(120), RunOptions::default())
        .await
        .expect("large cycle");
    assert_eq!(large.results[0].symbols_scanned.len(), 120);
    assert!(large.ivs_recorded > 100, "{}", large.ivs_recorded);
    assert_eq!(
        small.database_operations, large.database_operations,
        "per-symbol database calls crept back in"
    );
    assert!(
        large.database_operations <= 12,
        "{}",
        large.database_operations
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
