//! The SQL surface other clients use directly (Supabase RPC, psql): `get_latest_scan`,
//! `cleanup_old_scans`, the NOTIFY trigger payload, and the Supabase roles' grants and RLS.

use scanner_core::model::FilterMode::{Relaxed, Strict};
use sqlx::{Connection, Row};

use crate::fixtures::{degraded, minutes_ago, scan};
use crate::harness::{Target, TestDb};

const MIGRATION: &str = include_str!("../../migrations/postgres/0001_scan_cache.sql");

#[tokio::test]
async fn get_latest_scan_reports_age_and_skips_degraded() {
    let Some(db) = TestDb::new(Target::Postgres).await else {
        return;
    };
    let store = db.store().await;
    let good = scan(Strict, 3, minutes_ago(20.0));
    store.save(&good).await.unwrap();
    store
        .save(&degraded(Strict, minutes_ago(2.0)))
        .await
        .unwrap();
    let mut c = sqlx::PgConnection::connect(&db.direct_url).await.unwrap();
    let row =
        sqlx::query("SELECT scan_id, age_minutes, symbols_scanned FROM get_latest_scan('strict')")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(row.get::<uuid::Uuid, _>(0), good.scan_id);
    let age: f64 = row.get(1);
    assert!((age - 20.0).abs() < 0.5, "age {age}");
    assert_eq!(
        row.get::<Vec<String>, _>(2),
        good.symbols_scanned,
        "symbols_scanned is filled"
    );
    let none = sqlx::query("SELECT * FROM get_latest_scan('relaxed')")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert!(none.is_empty());
    // The CHECK on filter_mode rejects anything but the two modes.
    let bad = sqlx::query(
        "INSERT INTO cached_scan_results (scan_id, filter_mode) VALUES (gen_random_uuid(), 'both')",
    )
    .execute(&mut c)
    .await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn cleanup_function_keeps_newest_per_mode() {
    let Some(db) = TestDb::new(Target::Postgres).await else {
        return;
    };
    let store = db.store().await;
    for i in 0..4 {
        store
            .save(&scan(Strict, 1, minutes_ago(10.0 + i as f64)))
            .await
            .unwrap();
        store
            .save(&scan(Relaxed, 1, minutes_ago(10.0 + i as f64)))
            .await
            .unwrap();
    }
    let mut c = sqlx::PgConnection::connect(&db.direct_url).await.unwrap();
    let n: i32 = sqlx::query_scalar("SELECT cleanup_old_scans(1)")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(
        n, 6,
        "3 strict + 3 relaxed deleted; the original only cleaned strict"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM cached_scan_results")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(left, 2);
}

/// Run the migration with Supabase's roles present, inside a transaction that is rolled
/// back, so the roles never exist outside this test.
#[tokio::test]
async fn supabase_roles_get_read_and_write_rights() {
    let Some(db) = TestDb::new(Target::Postgres).await else {
        return;
    };
    let mut c = sqlx::PgConnection::connect(&db.direct_url).await.unwrap();
    let mut tx = c.begin().await.unwrap();
    sqlx::raw_sql(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
             BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
           END IF;
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
             BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
           END IF;
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
             BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
           END IF;
         END $$",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::raw_sql(MIGRATION)
        .execute(&mut *tx)
        .await
        .expect("migration re-runs with Supabase roles");
    let write = "INSERT INTO cached_scan_results (scan_id, filter_mode) VALUES (gen_random_uuid(), 'strict')";
    sqlx::raw_sql(&format!("SET LOCAL ROLE service_role; {write}; RESET ROLE"))
        .execute(&mut *tx)
        .await
        .expect("service_role writes");
    for role in ["anon", "authenticated"] {
        sqlx::raw_sql(&format!("SET LOCAL ROLE {role}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM get_latest_scan('strict')")
            .fetch_one(&mut *tx)
            .await
            .expect("readers can call get_latest_scan");
        assert_eq!(n, 1, "{role} sees the row through RLS");
        sqlx::raw_sql("SAVEPOINT w")
            .execute(&mut *tx)
            .await
            .unwrap();
        let denied = sqlx::raw_sql(write).execute(&mut *tx).await;
        assert!(denied.is_err(), "{role} must not write");
        sqlx::raw_sql("ROLLBACK TO SAVEPOINT w; RESET ROLE")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn transaction_pooler_refuses_migrations_with_a_clear_error() {
    let Some(db) = TestDb::new(Target::PgBouncer).await else {
        return;
    };
    // Said to be a pooler: migrations are refused up front.
    let flagged = format!("{}?pgbouncer=true", db.url);
    let opts = scanner_core::cache::StoreOptions::default(); // migrate = true, pooler = Auto
    let err = scanner_core::cache::ScanStore::open(Some(&flagged), opts.clone())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), scanner_core::ErrorKind::InvalidInput);
    assert!(err.message().contains("direct or session-mode"), "{err}");
    // Not said: the schema is up to date, so opening with migrate = true runs nothing
    // through the pooler (no session advisory lock is taken) and works, twice over.
    for _ in 0..2 {
        let store = scanner_core::cache::ScanStore::open(Some(&db.url), opts.clone())
            .await
            .expect("an up-to-date schema needs no migration");
        store.history(None, 1).await.expect("reads work");
    }
}
