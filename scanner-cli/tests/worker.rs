//! `optscan worker`: overlapping workers never scan the same mode at once, SIGTERM stops it
//! cleanly, and a database outage is survived.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn worker(db: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_optscan"));
    c.args(["worker", "--db", db])
        .args(extra)
        .env_remove("DATABASE_URL");
    c
}

fn history(db: &str) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_optscan"))
        .args(["history", "--db", db, "--limit", "50", "--json"])
        .output()
        .unwrap();
    serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap()
}

#[test]
fn two_workers_never_scan_the_same_mode_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    // Create the schema first so both workers race only for the writer lease.
    assert!(Command::new(env!("CARGO_BIN_EXE_optscan"))
        .args(["migrate", "--db", &db])
        .status()
        .unwrap()
        .success());
    let args = ["--once", "--universe", "150", "--filter-mode", "strict"];
    let a = worker(&db, &args).stderr(Stdio::piped()).spawn().unwrap();
    let b = worker(&db, &args).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let rows = history(&db);
    // Each saved scan occupied [timestamp − duration, timestamp]; no two may overlap.
    let mut spans: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            let end = chrono::DateTime::parse_from_rfc3339(r["scanTimestamp"].as_str().unwrap())
                .unwrap()
                .timestamp_millis() as f64
                / 1000.0;
            (end - r["scanDurationSeconds"].as_f64().unwrap(), end)
        })
        .collect();
    spans.sort_by(|x, y| x.0.total_cmp(&y.0));
    assert!(
        spans.windows(2).all(|w| w[0].1 <= w[1].0),
        "overlapping scans: {spans:?}\n{logs}"
    );
    assert!(
        rows.len() == 1 && logs.contains("skipped"),
        "one worker must report Busy and skip: {} rows\n{logs}",
        rows.len()
    );
}

#[test]
fn sigterm_stops_the_worker_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    let mut child = worker(&db, &["--every", "1h", "--universe", "10"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let start = Instant::now();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("Saved scan") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no scan saved: {seen:?}"
        );
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    let rest: Vec<String> = lines.map_while(|l| l.ok()).collect();
    assert!(status.success(), "exit status {status:?}: {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("worker stopped")),
        "{rest:?}"
    );
}

#[test]
fn a_database_outage_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    // The database's directory does not exist yet: opening fails until it appears.
    let missing = dir.path().join("later");
    let db = format!("sqlite://{}", missing.join("w.db").display());
    let child = worker(&db, &["--once", "--universe", "8"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::create_dir_all(&missing).unwrap();
    let out = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{logs}");
    assert!(
        logs.contains("outage:") && logs.contains("recovered after"),
        "the outage must be visible in the log: {logs}"
    );
    assert!(logs.contains("Saved scan"), "{logs}");
    assert_eq!(history(&db).len(), 2, "both modes saved after the outage");
}
