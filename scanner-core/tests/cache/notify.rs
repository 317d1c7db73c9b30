//! Push updates: delivery on every backend, and reconnect after the listener's backend is
//! terminated on PostgreSQL.

use std::time::Duration;

use scanner_core::cache::{PoolerMode, ScanStore, StoreOptions};
use scanner_core::model::FilterMode::{Relaxed, Strict};
use sqlx::Connection;

use crate::fixtures::{minutes_ago, scan};
use crate::harness::{Target, TestDb};

async fn next(sub: &mut scanner_core::cache::ScanSubscription) -> scanner_core::cache::ScanNotice {
    tokio::time::timeout(Duration::from_secs(15), sub.next())
        .await
        .expect("a notice within 15 s")
        .expect("notice")
}

pub async fn subscribe_delivers_new_scans(db: &TestDb) {
    let store = db
        .store_with(StoreOptions {
            poll_interval: Duration::from_millis(50),
            // Direct PostgreSQL is promised so LISTEN is used (and its reconnect tested);
            // SQLite and PgBouncer poll.
            pooler: if db.target == Target::Postgres {
                PoolerMode::Direct
            } else {
                PoolerMode::Auto
            },
            ..Default::default()
        })
        .await;
    let before = scan(Strict, 1, minutes_ago(2.0));
    store.save(&before).await.unwrap();
    let mut sub = store.subscribe().await.unwrap();
    let a = scan(Strict, 2, minutes_ago(1.0));
    let b = scan(Relaxed, 2, minutes_ago(0.5));
    store.save(&a).await.unwrap();
    store.save(&a).await.unwrap(); // idempotent save: no second notice
    store.save(&b).await.unwrap();
    let n1 = next(&mut sub).await;
    assert_eq!(
        (n1.scan_id, n1.filter_mode, n1.scan_timestamp),
        (a.scan_id, Strict, a.scan_timestamp)
    );
    let n2 = next(&mut sub).await;
    assert_eq!((n2.scan_id, n2.filter_mode), (b.scan_id, Relaxed));
    if db.target == Target::Postgres {
        reconnects_after_terminate(db, &store, &mut sub).await;
    }
    // Nothing else was announced (no duplicate of `a`, nothing from before subscribing).
    let extra = tokio::time::timeout(Duration::from_millis(300), sub.next()).await;
    assert!(extra.is_err(), "unexpected notice {extra:?}");
}

async fn reconnects_after_terminate(
    db: &TestDb,
    store: &ScanStore,
    sub: &mut scanner_core::cache::ScanSubscription,
) {
    let mut admin = sqlx::PgConnection::connect(&db.direct_url).await.unwrap();
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(killed, vec![(true,)], "exactly one listener was terminated");
    // Saved while the listener is (probably) still down: caught up from the table.
    let c = scan(Strict, 1, minutes_ago(0.2));
    store.save(&c).await.unwrap();
    assert_eq!(next(sub).await.scan_id, c.scan_id);
    // And live delivery works again on the new connection.
    let d = scan(Relaxed, 1, minutes_ago(0.1));
    store.save(&d).await.unwrap();
    assert_eq!(next(sub).await.scan_id, d.scan_id);
}
