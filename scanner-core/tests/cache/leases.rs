//! Writer leases with liveness: a heartbeat keeps a working holder's lease, a holder on
//! another machine that stops renewing loses it after one TTL, a lost lease fences the save,
//! and a killed holder on this machine frees its mode at once.

use std::time::{Duration, Instant};

use scanner_core::cache::{ScanStore, DEFAULT_LEASE_TTL};
use scanner_core::model::FilterMode::{Relaxed, Strict};
use scanner_core::ErrorKind;
use sqlx::Connection;

use crate::fixtures::{minutes_ago, scan};
use crate::harness::{Target, TestDb};

/// Run one statement on the test database directly (not through the store).
pub async fn exec(db: &TestDb, sql: &str) {
    match db.target {
        Target::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.direct_url)
                .await
                .expect("sqlite");
            sqlx::query(sql).execute(&mut c).await.expect(sql);
        }
        Target::Postgres | Target::PgBouncer => {
            let mut c = sqlx::PgConnection::connect(&db.direct_url)
                .await
                .expect("postgres");
            sqlx::query(sql).execute(&mut c).await.expect(sql);
        }
    }
}

async fn try_for(store: &ScanStore, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if let Ok(l) = store.acquire_writer(Strict, DEFAULT_LEASE_TTL).await {
            l.release().await.unwrap();
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

pub async fn writer_lease(db: &TestDb) {
    let store = db.store().await;
    let ttl = Duration::from_secs(60);
    let lease = store.acquire_writer(Strict, ttl).await.unwrap();
    let busy = store.acquire_writer(Strict, ttl).await.unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Busy);
    // Modes lock independently.
    let other = store.acquire_writer(Relaxed, ttl).await.unwrap();
    lease.renew().await.unwrap();
    lease.release().await.unwrap();
    let again = store.acquire_writer(Strict, ttl).await.unwrap();
    drop(again);
    drop(other);
    // Drop releases in the background.
    assert!(
        try_for(&store, Duration::from_secs(2)).await.is_some(),
        "a dropped lease is released"
    );
    for bad in [
        Duration::ZERO,
        Duration::from_millis(500),
        Duration::from_secs(7200),
    ] {
        let e = store.acquire_writer(Strict, bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}");
    }
}

pub async fn heartbeat_keeps_a_working_holder(db: &TestDb) {
    let (a, b) = (db.store().await, db.store().await);
    let lease = a
        .acquire_writer(Strict, Duration::from_secs(1))
        .await
        .unwrap();
    // Three TTLs later the holder still has it: the heartbeat renewed it.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let busy = b
        .acquire_writer(Strict, DEFAULT_LEASE_TTL)
        .await
        .unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Busy, "renewed by the heartbeat");
    assert!(!lease.is_lost());
    let mut s = scan(Strict, 3, minutes_ago(0.0));
    s.scan_id = uuid::Uuid::new_v4();
    a.save_under(&s, &lease).await.unwrap();
    lease.release().await.unwrap();
    assert!(try_for(&b, Duration::from_secs(1)).await.is_some());
}

pub async fn foreign_holder_expires_and_fences(db: &TestDb) {
    let (a, b) = (db.store().await, db.store().await);
    let lease = a
        .acquire_writer(Strict, Duration::from_secs(1))
        .await
        .unwrap();
    // Another machine takes the row over (as if our lease had expired while we were cut off).
    exec(
        db,
        "UPDATE scanner_locks SET holder = 'elsewhere|another-machine|1@1|x' \
         WHERE name = 'scan:strict'",
    )
    .await;
    let mut s = scan(Strict, 3, minutes_ago(0.0));
    s.scan_id = uuid::Uuid::new_v4();
    let fenced = a.save_under(&s, &lease).await.unwrap_err();
    assert_eq!(fenced.kind(), ErrorKind::Busy, "{fenced}");
    assert!(a.get(s.scan_id).await.unwrap().is_none(), "nothing written");
    // Nobody renews the foreign row: it frees the mode after one TTL, not before.
    let start = Instant::now();
    let waited = try_for(&b, Duration::from_secs(5)).await.expect("expired");
    assert!(
        waited >= Duration::from_millis(300),
        "{waited:?}: freed too early"
    );
    assert!(start.elapsed() < Duration::from_secs(4), "{waited:?}");
    assert!(lease.is_lost(), "the heartbeat noticed the takeover");
    drop(lease);
}
