//! Supabase hardening (issue #13): Supabase's default privileges give `anon`, `authenticated`
//! and `service_role` ALL on every new table, function and sequence in `public`, and RLS does
//! not stop TRUNCATE, TRIGGER or anything on a table without RLS. With those defaults applied
//! *before* migrating, visitors (`anon`, `authenticated`) must still only read the cache and
//! call `get_latest_scan`, and `service_role` only do what the worker does. Objects are listed
//! from the catalog, not by name, so an object a later migration adds without its grants fails
//! here.

use std::collections::BTreeSet;

use scanner_core::cache::{RotationState, ScanStore, StoreOptions};
use scanner_core::model::FilterMode::Strict;
use sqlx::{Connection, PgConnection, Row};

use crate::fixtures::{minutes_ago, scan};
use crate::harness::{pg_admin_url, replace_db, skip};

const VISITORS: [&str; 2] = ["anon", "authenticated"];
const SUPABASE_ROLES: [&str; 3] = ["anon", "authenticated", "service_role"];
/// SQLSTATE `insufficient_privilege`.
const DENIED: &str = "42501";
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";
const WORKER_TABLES: [&str; 8] = [
    "cached_scan_results",
    "scanner_state",
    "iv_history",
    "symbol_analysis_cache",
    "scanner_locks",
    "scan_candidates",
    "scan_cycles",
    "scan_cycle_shards",
];
const TABLE_PRIVILEGES: [&str; 7] = [
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];

/// What a Supabase project does to `public` (its defaults belong to the migrating role here,
/// to `postgres`/`supabase_admin` there; either way new objects get these grants).
const SUPABASE_DEFAULTS: &str = "
    GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;";

/// Create the Supabase roles unless they exist. Roles are cluster-wide and are left in place:
/// other tests may be creating them at the same moment, or using them.
async fn ensure_roles(admin: &mut PgConnection) {
    for role in SUPABASE_ROLES {
        match sqlx::raw_sql(&format!("CREATE ROLE {role} NOLOGIN"))
            .execute(&mut *admin)
            .await
        {
            Ok(_) => {}
            // duplicate_object, or unique_violation when another session created it meanwhile.
            Err(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("42710" | "23505")) => {}
            Err(e) => panic!("create role {role}: {e}"),
        }
    }
}

/// A database created empty (the harness's `TestDb` is migrated at once, before the defaults
/// could be applied); dropped at the end.
struct EmptyDb {
    name: String,
    url: String,
}

impl EmptyDb {
    async fn create(admin: &mut PgConnection, admin_url: &str) -> Self {
        let name = format!("optscan_t_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut *admin)
            .await
            .expect("create test database");
        let url = replace_db(admin_url, &name);
        Self { name, url }
    }
}

impl Drop for EmptyDb {
    fn drop(&mut self) {
        let (name, admin) = (self.name.clone(), pg_admin_url());
        // Its own runtime: this may run inside (or after) the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut c = PgConnection::connect(&admin).await.ok()?;
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(&drop).execute(&mut c).await.ok()
            })
        })
        .join();
    }
}

/// The URL with the session's role set at connection start (`-c role=…`).
fn as_role_url(url: &str, role: &str) -> String {
    let mut u = url::Url::parse(url).expect("database URL");
    u.query_pairs_mut().append_pair("options[role]", role);
    u.to_string()
}

/// Run `sql` as `role` in a transaction that is always rolled back; the SQLSTATE on error.
async fn attempt(c: &mut PgConnection, role: &str, sql: &str) -> Result<(), String> {
    let mut tx = c.begin().await.expect("begin");
    sqlx::raw_sql(&format!("SET LOCAL ROLE {role}"))
        .execute(&mut *tx)
        .await
        .expect("set role");
    let out = sqlx::raw_sql(sql).execute(&mut *tx).await;
    tx.rollback().await.expect("rollback");
    match out {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) => Err(format!(
            "{} ({})",
            e.code().as_deref().unwrap_or("?"),
            e.message()
        )),
        Err(e) => Err(format!("? ({e})")),
    }
}

/// `sql` must be refused to `role` for lack of privilege, not for any other reason.
async fn assert_denied(c: &mut PgConnection, role: &str, sql: &str) {
    match attempt(c, role, sql).await {
        Err(code) if code.starts_with(DENIED) => {}
        Err(other) => panic!("{role}: `{sql}` failed with {other}, expected {DENIED}"),
        Ok(()) => panic!("{role}: `{sql}` succeeded; it must be refused"),
    }
}

/// Every table-like relation in `public` with its first column (quoted), from the catalog.
async fn tables(c: &mut PgConnection) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT quote_ident(c.relname), quote_ident(a.attname)
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         ORDER BY 1",
    )
    .fetch_all(&mut *c)
    .await
    .expect("list tables")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Every sequence in `public`.
async fn sequences(c: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT quote_ident(relname) FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' ORDER BY 1",
    )
    .fetch_all(&mut *c)
    .await
    .expect("list sequences")
}

/// Every function and procedure in `public` not owned by an extension: (name, signature,
/// a call statement with NULL arguments).
async fn functions(c: &mut PgConnection) -> Vec<(String, String, String)> {
    sqlx::query(
        "SELECT p.proname::text, p.oid::regprocedure::text,
                CASE p.prokind WHEN 'p' THEN 'CALL ' ELSE 'SELECT ' END || p.oid::regproc::text
                || '(' || coalesce((SELECT string_agg('NULL::' || format_type(a.t, NULL), ', '
                                                      ORDER BY a.n)
                                    FROM unnest(p.proargtypes) WITH ORDINALITY a(t, n)), '') || ')'
         FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                           AND d.objid = p.oid AND d.deptype = 'e')
         ORDER BY 2",
    )
    .fetch_all(&mut *c)
    .await
    .expect("list functions")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

async fn check(c: &mut PgConnection, sql: &str, args: &[&str]) -> bool {
    let mut q = sqlx::query_scalar(sql);
    for a in args {
        q = q.bind(*a);
    }
    q.fetch_one(&mut *c).await.expect(sql)
}

/// The privilege matrix, read from the catalog: what each role may do on each object.
async fn assert_privilege_matrix(c: &mut PgConnection) {
    for (table, _) in tables(c).await {
        for role in SUPABASE_ROLES {
            for p in TABLE_PRIVILEGES {
                let expected = match role {
                    "service_role" => {
                        WORKER_TABLES.contains(&table.as_str())
                            && matches!(p, "SELECT" | "INSERT" | "UPDATE" | "DELETE")
                    }
                    _ => table == "cached_scan_results" && p == "SELECT",
                };
                let has = "SELECT has_table_privilege($1, $2::regclass, $3)";
                assert_eq!(
                    check(c, has, &[role, &table, p]).await,
                    expected,
                    "{role} {p} on {table}"
                );
                if matches!(p, "SELECT" | "INSERT" | "UPDATE" | "REFERENCES") {
                    let any = "SELECT has_any_column_privilege($1, $2::regclass, $3)";
                    assert_eq!(
                        check(c, any, &[role, &table, p]).await,
                        expected,
                        "{role} {p} on a column of {table}"
                    );
                }
            }
        }
    }
    for seq in sequences(c).await {
        for role in VISITORS {
            for p in ["USAGE", "SELECT", "UPDATE"] {
                let has = "SELECT has_sequence_privilege($1, $2, $3)";
                assert!(
                    !check(c, has, &[role, &seq, p]).await,
                    "{role} {p} on {seq}"
                );
            }
        }
    }
    for (name, signature, _) in functions(c).await {
        for role in SUPABASE_ROLES {
            let expected = name == "get_latest_scan"
                || (role == "service_role" && name == "cleanup_old_scans");
            let has = "SELECT has_function_privilege($1, $2::regprocedure, 'EXECUTE')";
            assert_eq!(
                check(c, has, &[role, &signature]).await,
                expected,
                "{role} EXECUTE on {signature}"
            );
        }
    }
    // The bookkeeping table is under RLS with no policy at all, so even a later blanket grant
    // would show these roles no row; its owner (the migrator) is not subject to it.
    let rls = "SELECT relrowsecurity FROM pg_class WHERE oid = $1::regclass";
    assert!(
        check(c, rls, &[MIGRATIONS_TABLE]).await,
        "RLS on {MIGRATIONS_TABLE}"
    );
    let policies = "SELECT NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = $1::regclass)";
    assert!(check(c, policies, &[MIGRATIONS_TABLE]).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_only_read_whatever_the_default_privileges() {
    let admin_url = pg_admin_url();
    let mut admin = match PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => return skip(&format!("PostgreSQL not reachable at {admin_url}: {e}")),
    };
    ensure_roles(&mut admin).await;
    let db = EmptyDb::create(&mut admin, &admin_url).await;
    let mut c = PgConnection::connect(&db.url).await.expect("connect");
    sqlx::raw_sql(SUPABASE_DEFAULTS)
        .execute(&mut c)
        .await
        .expect("apply Supabase's default privileges");
    // The defaults are in force: a new table hands visitors TRUNCATE (the hole being closed).
    sqlx::raw_sql("CREATE TABLE probe (x int)")
        .execute(&mut c)
        .await
        .unwrap();
    let truncate = "SELECT has_table_privilege('anon', 'probe', 'TRUNCATE')";
    assert!(check(&mut c, truncate, &[]).await, "defaults not applied");
    sqlx::raw_sql("DROP TABLE probe")
        .execute(&mut c)
        .await
        .unwrap();

    let store = ScanStore::open(Some(&db.url), StoreOptions::default())
        .await
        .expect("migrate with the defaults in place");
    let saved = scan(Strict, 3, minutes_ago(1.0));
    store.save(&saved).await.unwrap();
    store.close().await;

    // Guard against a vacuous pass: the catalog listing must see every optscan object.
    let listed: BTreeSet<String> = tables(&mut c).await.into_iter().map(|t| t.0).collect();
    for t in WORKER_TABLES.iter().chain([&MIGRATIONS_TABLE]) {
        assert!(listed.contains(*t), "{t} missing from {listed:?}");
    }
    let fns: BTreeSet<String> = functions(&mut c).await.into_iter().map(|f| f.0).collect();
    for f in ["get_latest_scan", "cleanup_old_scans", "notify_scan_saved"] {
        assert!(fns.contains(f), "{f} missing from {fns:?}");
    }

    assert_privilege_matrix(&mut c).await;

    // Every write visitors could try, on every table, refused for lack of privilege.
    for role in VISITORS {
        for (table, column) in tables(&mut c).await {
            let mut tries = vec![
                format!("INSERT INTO {table} DEFAULT VALUES"),
                format!("UPDATE {table} SET {column} = {column}"),
                format!("DELETE FROM {table}"),
                format!("TRUNCATE {table}"),
                // A trigger function anyone may execute, so only the TRIGGER privilege is tested.
                format!(
                    "CREATE TRIGGER optscan_probe BEFORE UPDATE ON {table} FOR EACH ROW \
                     EXECUTE FUNCTION suppress_redundant_updates_trigger()"
                ),
            ];
            if table != "cached_scan_results" {
                tries.push(format!("SELECT * FROM {table}"));
            }
            for sql in &tries {
                assert_denied(&mut c, role, sql).await;
            }
        }
        for (name, _, call) in functions(&mut c).await {
            if name != "get_latest_scan" {
                assert_denied(&mut c, role, &call).await;
            }
        }
    }
    // service_role writes rows, never the tables themselves, the functions it doesn't call
    // or the migration records.
    for table in WORKER_TABLES {
        for sql in [
            format!("TRUNCATE {table}"),
            format!(
                "CREATE TRIGGER optscan_probe BEFORE UPDATE ON {table} FOR EACH ROW \
                 EXECUTE FUNCTION suppress_redundant_updates_trigger()"
            ),
        ] {
            assert_denied(&mut c, "service_role", &sql).await;
        }
    }
    for sql in [
        format!("SELECT * FROM {MIGRATIONS_TABLE}"),
        format!("DELETE FROM {MIGRATIONS_TABLE}"),
        format!("TRUNCATE {MIGRATIONS_TABLE}"),
        "SELECT notify_scan_saved()".to_owned(),
    ] {
        assert_denied(&mut c, "service_role", &sql).await;
    }
    // Under RLS with no policy, a stray grant still shows visitors no migration record.
    let mut tx = c.begin().await.unwrap();
    sqlx::raw_sql("GRANT SELECT ON _sqlx_migrations TO anon; SET LOCAL ROLE anon")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0, "RLS hides migration records from anon");
    tx.rollback().await.unwrap();

    // Reads still work for visitors, through the table (RLS read policy) and the RPC.
    for role in VISITORS {
        let mut tx = c.begin().await.unwrap();
        sqlx::raw_sql(&format!("SET LOCAL ROLE {role}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT scan_id FROM cached_scan_results")
            .fetch_all(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{role} reads the cache: {e}"));
        assert_eq!(ids, vec![saved.scan_id], "{role} sees the saved scan");
        let latest: uuid::Uuid =
            sqlx::query_scalar("SELECT scan_id FROM get_latest_scan('strict')")
                .fetch_one(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{role} calls get_latest_scan: {e}"));
        assert_eq!(latest, saved.scan_id);
        tx.rollback().await.unwrap();
    }

    // The migration records are intact and every optscan object survived the attempts.
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success AND version > 0")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert!(applied >= 2, "{applied} migrations recorded");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM cached_scan_results")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(rows, 1);

    // Re-applying the hardening (e.g. by `supabase db push` after sqlx) changes nothing.
    sqlx::raw_sql(include_str!(
        "../../migrations/postgres/0002_supabase_role_grants.sql"
    ))
    .execute(&mut c)
    .await
    .expect("hardening re-runs");
    assert_privilege_matrix(&mut c).await;
    drop(c);
    drop(db);
}

/// The worker's whole SQL surface works when it connects as `service_role`, and a store
/// connected as a visitor cannot save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_role_runs_the_worker_and_visitors_cannot_save() {
    let admin_url = pg_admin_url();
    let mut admin = match PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => return skip(&format!("PostgreSQL not reachable at {admin_url}: {e}")),
    };
    ensure_roles(&mut admin).await;
    let db = EmptyDb::create(&mut admin, &admin_url).await;
    let mut c = PgConnection::connect(&db.url).await.expect("connect");
    sqlx::raw_sql(SUPABASE_DEFAULTS)
        .execute(&mut c)
        .await
        .unwrap();
    ScanStore::open(Some(&db.url), StoreOptions::default())
        .await
        .expect("migrate")
        .close()
        .await;

    let service_url = as_role_url(&db.url, "service_role");
    let mut probe = PgConnection::connect(&service_url).await.unwrap();
    let who: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut probe)
        .await
        .unwrap();
    assert_eq!(
        who, "service_role",
        "the URL option sets the session's role"
    );
    drop(probe);

    let no_migrate = || StoreOptions {
        migrate: false,
        ..Default::default()
    };
    let store = ScanStore::open(Some(&service_url), no_migrate())
        .await
        .expect("open as service_role");
    let lease = store
        .acquire_writer(Strict, std::time::Duration::from_secs(60))
        .await
        .expect("service_role takes the writer lease");
    let old = scan(Strict, 1, minutes_ago(30.0));
    let new = scan(Strict, 2, minutes_ago(1.0));
    store.save(&old).await.expect("service_role saves");
    store.save(&new).await.expect("service_role saves");
    lease.release().await.expect("service_role releases");
    let latest = store.latest(Strict, None).await.unwrap().expect("latest");
    assert_eq!(latest.result.scan_id, new.scan_id);
    assert_eq!(store.history(None, 10).await.unwrap().len(), 2);
    assert_eq!(store.cleanup(1).await.expect("service_role cleans up"), 1);
    let state = RotationState {
        position: 3,
        universe_size: 10,
        updated_at: minutes_ago(0.0),
    };
    store.set_rotation(Strict, &state).await.unwrap();
    assert_eq!(store.rotation(Strict).await.unwrap(), Some(state));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    store.record_iv("AAPL", day, 0.25).await.unwrap();
    assert_eq!(store.iv_history("AAPL", day).await.unwrap().len(), 1);
    let payload = serde_json::json!({"k": 1});
    store
        .put_symbol_analysis("AAPL", "fp", &payload)
        .await
        .unwrap();
    let cached = store
        .symbol_analysis("AAPL", "fp", chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(cached, Some(payload));
    store.close().await;

    for role in VISITORS {
        let store = ScanStore::open(Some(&as_role_url(&db.url, role)), no_migrate())
            .await
            .expect("visitors may connect");
        let err = store
            .save(&scan(Strict, 1, minutes_ago(0.5)))
            .await
            .expect_err("a visitor's save must be refused");
        assert_eq!(err.kind(), scanner_core::ErrorKind::Database, "{err}");
        assert!(err.message().contains("permission denied"), "{err}");
        let read = store.latest(Strict, None).await.unwrap().expect("readable");
        assert_eq!(read.result.scan_id, new.scan_id);
        store.close().await;
    }
    drop(c);
    drop(db);
}
