//! The `optscan` command end to end: scan → latest on SQLite and Postgres, history,
//! cleanup, migrate, exit codes and secret redaction.

mod common;

use std::process::Command;

use common::{optscan, stderr, stdout};

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("optscan.db").display())
}

#[test]
fn scan_then_latest_shows_the_saved_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let out = optscan(&[
        "scan",
        "--max-symbols",
        "8",
        "--universe",
        "20",
        "--db",
        &db,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("exactly one JSON document");
    let id = doc["scanId"].as_str().unwrap().to_owned();
    assert_eq!(doc["filterMode"], "strict");
    assert_eq!(doc["symbolsScanned"].as_array().unwrap().len(), 8);

    let latest = optscan(&["latest", "--db", &db, "--json"]);
    assert!(latest.status.success(), "{}", stderr(&latest));
    let cached: serde_json::Value = serde_json::from_str(stdout(&latest).trim()).unwrap();
    assert_eq!(cached["scanId"], id.as_str());
    assert!(cached["ageMinutes"].as_f64().unwrap() >= 0.0);
    assert_eq!(cached["source"], "cache");

    let human = optscan(&["latest", "--db", &db]);
    assert!(
        stdout(&human).contains("Last updated: "),
        "{}",
        stdout(&human)
    );

    // Screening every contract the scan evaluated.
    let args = [
        "screen",
        "type=put",
        "daysToExpiration.max=60",
        "sort=-volumeOiRatio",
        "limit=7",
    ];
    let screen = optscan(&[&args[..], &["--db", &db, "--json"]].concat());
    assert!(screen.status.success(), "{}", stderr(&screen));
    let page: serde_json::Value = serde_json::from_str(stdout(&screen).trim()).unwrap();
    assert_eq!(page["scanId"], id.as_str());
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert!(page["candidateCount"].as_u64().unwrap() > page["matched"].as_u64().unwrap());
    assert!(rows
        .iter()
        .all(|r| r["optionType"] == "put" && r["daysToExpiration"].as_i64().unwrap() <= 60));
    let ratios: Vec<f64> = rows
        .iter()
        .map(|r| r["volumeOiRatio"].as_f64().unwrap())
        .collect();
    assert!(ratios.windows(2).all(|w| w[0] >= w[1]), "{ratios:?}");
    let table = optscan(&[&args[..], &["--db", &db]].concat());
    assert!(
        stdout(&table).contains("candidates matched"),
        "{}",
        stdout(&table)
    );
    for bad in ["delta.min=x", "bogus=1", "delta.min=0.9", "nokey"] {
        let out = optscan(&["screen", bad, "delta.max=0.5", "--db", &db]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn both_modes_history_and_cleanup_per_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    for _ in 0..3 {
        let out = optscan(&[
            "scan",
            "--filter-mode",
            "both",
            "--max-symbols",
            "5",
            "--universe",
            "10",
            "--db",
            &db,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("(relaxed): "), "{}", stdout(&out));
    }
    let hist = optscan(&["history", "--db", &db, "--limit", "10", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(stdout(&hist).trim()).unwrap();
    assert_eq!(rows.len(), 6);
    let clean = optscan(&["cleanup", "--keep", "1", "--db", &db]);
    assert!(
        stdout(&clean).contains("Deleted 4 old scans"),
        "{}",
        stdout(&clean)
    );
    let relaxed = optscan(&["latest", "--filter-mode", "relaxed", "--db", &db, "--json"]);
    assert!(
        relaxed.status.success(),
        "cleanup must keep the newest relaxed scan too"
    );
}

#[test]
fn exit_codes_and_redacted_errors() {
    assert_eq!(optscan(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        optscan(&["scan", "--filter-mode", "sideways", "--no-save"])
            .status
            .code(),
        Some(2)
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = optscan(&["latest", "--db", &sqlite_url(&dir)]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no SQLite database"),
        "{}",
        stderr(&missing)
    );
    assert!(
        !dir.path().join("optscan.db").exists(),
        "a read command creates nothing"
    );
    assert!(optscan(&["migrate", "--db", &sqlite_url(&dir)])
        .status
        .success());
    let empty = optscan(&["latest", "--db", &sqlite_url(&dir)]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        stderr(&empty).contains("no strict scan"),
        "{}",
        stderr(&empty)
    );
    let down = optscan(&[
        "migrate",
        "--db",
        "postgres://scanner:hunter2secret@127.0.0.1:1/optscan",
    ]);
    assert_eq!(down.status.code(), Some(1));
    assert!(
        !stderr(&down).contains("hunter2secret"),
        "password leaked: {}",
        stderr(&down)
    );
}

/// Create a fresh Postgres database, or `None` (with a message) when the server is absent.
fn fresh_postgres() -> Option<(String, String)> {
    let name = format!("optscan_cli_{}", uuid::Uuid::new_v4().simple());
    let ok = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            &format!("CREATE DATABASE {name}"),
        ])
        .output();
    match ok {
        Ok(o) if o.status.success() => {
            Some((format!("postgres://postgres@127.0.0.1:5432/{name}"), name))
        }
        _ if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL at 127.0.0.1:5432 is required in CI")
        }
        _ => {
            eprintln!("skipped: PostgreSQL at 127.0.0.1:5432 is not reachable");
            None
        }
    }
}

#[test]
fn migrate_scan_and_latest_on_postgres() {
    let Some((url, name)) = fresh_postgres() else {
        return;
    };
    let m = optscan(&["migrate", "--db", &url]);
    assert!(m.status.success(), "{}", stderr(&m));
    let s = optscan(&[
        "scan",
        "--max-symbols",
        "6",
        "--universe",
        "12",
        "--db",
        &url,
    ]);
    assert!(s.status.success(), "{}", stderr(&s));
    assert!(stdout(&s).contains("Saved scan "), "{}", stdout(&s));
    let l = optscan(&["latest", "--db", &url, "--json"]);
    let cached: serde_json::Value = serde_json::from_str(stdout(&l).trim()).unwrap();
    assert_eq!(cached["symbolsScanned"].as_array().unwrap().len(), 6);
    let _ = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ])
        .output();
}

#[test]
fn rotation_is_persisted_so_successive_runs_walk_the_universe() {
    // The original kept its position in a local file, so ephemeral cron runners scanned the
    // same 15 names forever; here the position lives in the database.
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let out = optscan(&[
            "scan",
            "--max-symbols",
            "5",
            "--universe",
            "15",
            "--db",
            &db,
            "--json",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        for s in doc["symbolsScanned"].as_array().unwrap() {
            assert!(
                seen.insert(s.as_str().unwrap().to_owned()),
                "{s} scanned twice"
            );
        }
    }
    assert_eq!(seen.len(), 15);
}

#[test]
fn a_past_as_of_scan_is_kept_apart_from_the_live_cache() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let small = [
        "--universe",
        "6",
        "--max-symbols",
        "3",
        "--no-backtest",
        "--db",
        &db,
    ];
    // A backfill on an empty cache: saved, but there is still no live scan to serve.
    let past = optscan(&[&["scan", "--as-of", "2024-06-12", "--json"][..], &small].concat());
    assert!(past.status.success(), "{}", stderr(&past));
    let past_id = serde_json::from_str::<serde_json::Value>(&stdout(&past)).unwrap()["scanId"]
        .as_str()
        .unwrap()
        .to_owned();
    let none = optscan(&["latest", "--db", &db]);
    assert_eq!(none.status.code(), Some(1), "{}", stdout(&none));
    // A live scan, then another backfill: latest is the live one.
    let live = optscan(&[&["scan", "--json"][..], &small].concat());
    assert!(live.status.success(), "{}", stderr(&live));
    let live_id = serde_json::from_str::<serde_json::Value>(&stdout(&live)).unwrap()["scanId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        optscan(&[&["scan", "--as-of", "2024-06-13"][..], &small].concat())
            .status
            .success()
    );
    let latest = optscan(&["latest", "--db", &db, "--json"]);
    let latest: serde_json::Value = serde_json::from_str(&stdout(&latest)).unwrap();
    assert_eq!(latest["scanId"].as_str(), Some(live_id.as_str()));
    // history says which is which.
    let hist = optscan(&["history", "--db", &db, "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&hist)).unwrap();
    let kind = |id: &str| {
        rows.iter()
            .find(|r| r["scanId"].as_str() == Some(id))
            .map(|r| r["historical"].as_bool())
    };
    assert_eq!(kind(&past_id), Some(Some(true)));
    assert_eq!(kind(&live_id), Some(Some(false)));
    assert!(stdout(&optscan(&["history", "--db", &db])).contains("historical"));
}

fn psql(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-XAtqc", sql])
        .output()
        .expect("psql");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn read_commands_never_migrate_or_create() {
    let Some((url, name)) = fresh_postgres() else {
        return;
    };
    for cmd in ["latest", "history"] {
        let out = optscan(&[cmd, "--db", &url]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("run `optscan migrate`"),
            "{}",
            stderr(&out)
        );
    }
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    assert_eq!(psql(&name, tables), "0", "a read command created tables");
    assert!(optscan(&["migrate", "--db", &url]).status.success());
    assert!(stderr(&optscan(&["latest", "--db", &url])).contains("no strict scan"));
    psql(
        "postgres",
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );

    // SQLite: a reader leaves the file byte for byte as it was, and `mode=ro` URLs work.
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let scan = optscan(&["scan", "--universe", "4", "--no-backtest", "--db", &db]);
    assert!(scan.status.success(), "{}", stderr(&scan));
    let file = dir.path().join("optscan.db");
    let before = std::fs::read(&file).unwrap();
    for url in [db.clone(), format!("{db}?mode=ro")] {
        let out = optscan(&["latest", "--db", &url, "--json"]);
        assert!(out.status.success(), "{url}: {}", stderr(&out));
        assert!(optscan(&["history", "--db", &url]).status.success());
    }
    assert!(
        std::fs::read(&file).unwrap() == before,
        "a reader wrote to the file"
    );
}
