//! Screening: every evaluated contract is saved with its scan (compactly, in its own table),
//! read back once per scan, answers filters and sorts like the live scan's own set, and goes
//! when cleanup removes its scan.

use std::sync::Arc;

use scanner_core::cache::ServeOptions;
use scanner_core::market::SyntheticMarket;
use scanner_core::model::FilterMode::Strict;
use scanner_core::model::{OptionKind, ScreenQuery};
use scanner_core::scan::{ModeSelection, ScanConfig, Scanner};
use scanner_core::ErrorKind;

use crate::harness::{Target, TestDb};

fn scanner() -> Scanner {
    let cfg = ScanConfig {
        max_symbols: Some(12),
        backtest: false,
        signals: false,
        filter_mode: ModeSelection::Strict,
        ..ScanConfig::default()
    };
    Scanner::new(Arc::new(SyntheticMarket::new(11, 40)), cfg).expect("config")
}

/// Rows of `scan_candidates` (through the direct URL, whatever the store uses).
async fn stored_sets(db: &TestDb) -> i64 {
    let sql = "SELECT count(*) FROM scan_candidates";
    if db.target == Target::Sqlite {
        let pool = sqlx::SqlitePool::connect(&db.direct_url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
    } else {
        let pool = sqlx::PgPool::connect(&db.direct_url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
    }
}

pub async fn screens_the_saved_candidates_and_cleanup_removes_them(db: &TestDb) {
    let store = db.store().await;
    let q = ScreenQuery::from_params([
        ("type", "call"),
        ("daysToExpiration.max", "60"),
        ("delta.min", "0.2"),
        ("sort", "-expectedValueAmount"),
        ("limit", "25"),
    ])
    .unwrap();
    let missing = store.screen(Strict, &q).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    // A live scan: screened from the set the scan itself carried.
    let live = store
        .serve(Arc::new(scanner()), Strict, ServeOptions::default())
        .await
        .unwrap();
    let n = live.result.candidates.len();
    assert!(
        n > 100,
        "the synthetic scan evaluates many contracts, got {n}"
    );
    assert!(n as u64 <= live.result.total_evaluated);
    let from_live = store.screen(Strict, &q).await.unwrap();
    assert_eq!(from_live.scan_id, live.result.scan_id);
    assert_eq!(from_live.candidate_count, n);
    assert!(from_live.matched > 25 && from_live.rows.len() == 25);
    for r in &from_live.rows {
        assert_eq!(r.option_type, OptionKind::Call);
        assert!(
            r.days_to_expiration <= 60 && r.greeks.delta >= 0.2 - 1e-6,
            "{r:?}"
        );
    }
    assert!(from_live
        .rows
        .windows(2)
        .all(|w| w[0].expected_value_amount >= w[1].expected_value_amount));

    // Another process reads the stored blob: the same answer.
    let other = db.store().await;
    let from_db = other.screen(Strict, &q).await.unwrap();
    assert_eq!(from_db, from_live);
    let json = serde_json::to_value(&from_db.rows[0]).unwrap();
    for key in [
        "symbol",
        "optionType",
        "strike",
        "expiration",
        "daysToExpiration",
        "openInterest",
        "impliedVolatility",
        "probabilityOfProfit",
        "riskAdjustedScore",
    ] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
    assert!(json["greeks"]["delta"].is_number());

    let bad = ScreenQuery {
        limit: 0,
        ..q.clone()
    };
    assert_eq!(
        other.screen(Strict, &bad).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );

    // A newer scan replaces the screened set; cleanup removes the old scan's.
    assert_eq!(stored_sets(db).await, 1);
    let mut newer = scanner().scan().await.unwrap().remove(0);
    newer.scan_timestamp = chrono::Utc::now();
    other.save(&newer).await.unwrap();
    assert_eq!(
        other.screen(Strict, &q).await.unwrap().scan_id,
        newer.scan_id
    );
    assert_eq!(stored_sets(db).await, 2);
    assert_eq!(other.cleanup(1).await.unwrap(), 1);
    assert_eq!(stored_sets(db).await, 1);
    store.close().await;
    other.close().await;
}
