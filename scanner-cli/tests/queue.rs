//! `optscan worker --queue`: worker processes sharing cycles through a pgmq queue on a real
//! PostgreSQL give the same opportunities as one worker scanning everything, and a worker
//! killed mid-shard costs a visibility timeout, never a missing or duplicated symbol.
//!
//! Size: `OPTSCAN_QUEUE_TEST_SYMBOLS` (default 800; the 10,000 runs the same test).

use std::collections::BTreeSet;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const AS_OF: &str = "2024-03-15";

fn optscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optscan"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn psql(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A fresh database, dropped when the guard goes; `None` (skipped) without a server.
struct Db {
    name: String,
    url: String,
}

impl Db {
    fn fresh() -> Option<Self> {
        let name = format!("optscan_queue_{}", uuid::Uuid::new_v4().simple());
        let ok = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"])
            .arg(format!("CREATE DATABASE {name}"))
            .output();
        match ok {
            Ok(o) if o.status.success() => Some(Self {
                url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
                name,
            }),
            _ if std::env::var_os("CI").is_some() => {
                panic!("PostgreSQL at 127.0.0.1:5432 is required in CI")
            }
            _ => {
                eprintln!("skipped: PostgreSQL at 127.0.0.1:5432 is not reachable");
                None
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

fn symbols() -> usize {
    std::env::var("OPTSCAN_QUEUE_TEST_SYMBOLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(800)
}

fn worker(db: &Db, universe: usize, extra: &[&str]) -> Child {
    let u = universe.to_string();
    Command::new(env!("CARGO_BIN_EXE_optscan"))
        .args(["worker", "--once", "--queue", "scan", "--db", &db.url])
        // A 10,000-symbol merge saves tens of MB of candidates: room for a debug build.
        .args(["--db-timeout", "300s"])
        .args(["--universe", &u, "--as-of", AS_OF, "--filter-mode", "both"])
        .args(extra)
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The single-worker scan at the same as-of: mode → opportunities.
fn single(universe: usize) -> serde_json::Value {
    let u = universe.to_string();
    let out = optscan(&[
        "scan",
        "--no-save",
        "--json",
        "--universe",
        &u,
        "--as-of",
        AS_OF,
        "--filter-mode",
        "both",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The merged scans saved in `db`: (mode, opportunities, symbols scanned, failed symbols).
fn merged(db: &Db) -> Vec<(String, serde_json::Value, Vec<String>, Vec<String>)> {
    let rows = psql(
        &db.name,
        "SELECT json_build_array(filter_mode, opportunities, symbols_scanned, \
         metadata->'failedSymbols') FROM cached_scan_results ORDER BY filter_mode DESC",
    );
    rows.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let strings = |x: &serde_json::Value| -> Vec<String> {
                x.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().or(s["symbol"].as_str()).unwrap().to_owned())
                    .collect()
            };
            (
                v[0].as_str().unwrap().to_owned(),
                v[1].clone(),
                strings(&v[2]),
                strings(&v[3]),
            )
        })
        .collect()
}

/// Every symbol of the universe exactly once, scanned or failed, in every mode; and the
/// opportunities equal to the single-worker scan's.
fn check_against_single(db: &Db, universe: usize, logs: &str) {
    let saved = merged(db);
    assert_eq!(saved.len(), 2, "one merged scan per mode\n{logs}");
    let single = single(universe);
    for (mode, opps, scanned, failed) in &saved {
        let mut all: Vec<&String> = scanned.iter().chain(failed).collect();
        all.sort();
        let distinct: BTreeSet<&String> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "{mode}: a symbol counted twice");
        assert_eq!(all.len(), universe, "{mode}: symbols missing\n{logs}");
        assert_eq!(
            opps,
            &single[mode.as_str()]["opportunities"],
            "{mode}: merged opportunities differ from one worker's"
        );
        assert!(
            !opps.as_array().unwrap().is_empty(),
            "{mode}: nothing to compare"
        );
    }
}

fn logs(outs: &[Output]) -> String {
    outs.iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect()
}

#[test]
fn four_workers_give_the_opportunities_of_one() {
    let Some(db) = Db::fresh() else {
        return;
    };
    let n = symbols();
    assert!(optscan(&["migrate", "--db", &db.url]).status.success());
    let shard = (n / 16).max(1).to_string();
    let started = Instant::now();
    let children: Vec<Child> = (0..4)
        .map(|_| worker(&db, n, &["--shard-size", &shard]))
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let wall = started.elapsed();
    let logs = logs(&outs);
    assert!(outs.iter().all(|o| o.status.success()), "{logs}");
    assert_eq!(
        logs.matches("; merged\n").count(),
        1,
        "exactly one merge\n{logs}"
    );
    let workers = psql(
        &db.name,
        "SELECT count(DISTINCT worker) FROM scan_cycle_shards",
    );
    eprintln!(
        "{n} symbols, 16 shards, 4 worker processes: cycle in {:.1} s, {workers} workers wrote shards",
        wall.as_secs_f64()
    );
    check_against_single(&db, n, &logs);
    // Cleanup takes the cycle and its partial rows with the cycle's last scan.
    assert!(optscan(&["cleanup", "--keep", "0", "--db", &db.url])
        .status
        .success());
    let left = psql(
        &db.name,
        "SELECT (SELECT count(*) FROM scan_cycles) + (SELECT count(*) FROM scan_cycle_shards)",
    );
    assert_eq!(left, "0", "cleanup left cycle rows behind");
}

#[test]
fn a_worker_killed_mid_shard_costs_a_timeout_not_a_symbol() {
    let Some(db) = Db::fresh() else {
        return;
    };
    let n = 600;
    assert!(optscan(&["migrate", "--db", &db.url]).status.success());
    let opts = ["--shard-size", "200", "--visibility-timeout", "3s"];
    let started = Instant::now();
    let mut victim = worker(&db, n, &opts);
    // Kill it as soon as it is scanning a shard (a shard takes seconds, the poll 20 ms).
    let needle = format!("|{}@", victim.id());
    let shard = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the worker never started a shard"
        );
        let rows = psql(
            &db.name,
            &format!(
                "SELECT shard FROM scan_cycle_shards WHERE partial IS NULL \
                 AND started_at IS NOT NULL AND position('{needle}' in worker) > 0"
            ),
        );
        if let Some(s) = rows.lines().next() {
            break s.to_owned();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    victim.kill().unwrap(); // SIGKILL
    let killed_at = Instant::now();
    let killed = chrono::Utc::now().to_rfc3339();
    let _ = victim.wait();
    let unfinished = psql(
        &db.name,
        &format!("SELECT partial IS NULL FROM scan_cycle_shards WHERE shard = {shard}"),
    );
    assert_eq!(
        unfinished, "t",
        "the worker was killed after finishing its shard"
    );
    let rest: Vec<Child> = (0..2).map(|_| worker(&db, n, &opts)).collect();
    let outs: Vec<Output> = rest
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let logs = logs(&outs);
    assert!(outs.iter().all(|o| o.status.success()), "{logs}");
    let figures = psql(
        &db.name,
        &format!(
            "SELECT deliveries, round(extract(epoch FROM started_at - '{killed}'::timestamptz), 1), \
             round(extract(epoch FROM finished_at - started_at), 1) \
             FROM scan_cycle_shards WHERE shard = {shard}"
        ),
    );
    let f: Vec<&str> = figures.split('|').collect();
    let (deliveries, reread, rescan) = (f[0], f[1], f[2]);
    let redelivered = psql(
        &db.name,
        "SELECT count(*) FROM scan_cycle_shards WHERE deliveries > 1",
    );
    assert!(
        deliveries.parse::<u32>().unwrap() >= 2,
        "shard {shard} was not redelivered"
    );
    eprintln!(
        "kill -9 mid-shard: shard {shard} delivered {deliveries} times ({redelivered} shard(s) \
         redelivered), read again {reread} s after the kill (visibility timeout 3 s) and rescanned \
         in {rescan} s; cycle done {:.1} s after the kill, {:.1} s in all",
        killed_at.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    check_against_single(&db, n, &logs);
}

#[test]
fn queue_on_sqlite_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("q.db").display());
    let out = optscan(&[
        "worker",
        "--once",
        "--queue",
        "scan",
        "--db",
        &db,
        "--universe",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--queue needs PostgreSQL"), "{err}");
}

#[test]
fn a_shard_missing_at_the_deadline_fails_its_symbols_with_shard_timeout() {
    let Some(db) = Db::fresh() else {
        return;
    };
    let n = 300;
    assert!(optscan(&["migrate", "--db", &db.url]).status.success());
    // The dead worker's shard stays invisible for an hour: only the deadline can end the cycle.
    let opts = [
        "--shard-size",
        "100",
        "--visibility-timeout",
        "1h",
        "--cycle-deadline",
        "20s",
    ];
    let started = Instant::now();
    let mut victim = worker(&db, n, &opts);
    let needle = format!("|{}@", victim.id());
    let shard = loop {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the worker never started a shard"
        );
        let rows = psql(
            &db.name,
            &format!(
                "SELECT shard FROM scan_cycle_shards WHERE partial IS NULL \
                 AND started_at IS NOT NULL AND position('{needle}' in worker) > 0"
            ),
        );
        if let Some(s) = rows.lines().next() {
            break s.to_owned();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    victim.kill().unwrap();
    let _ = victim.wait();
    let out = worker(&db, n, &opts).wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let lost: BTreeSet<String> = psql(
        &db.name,
        &format!("SELECT unnest(symbols) FROM scan_cycle_shards WHERE shard = {shard}"),
    )
    .lines()
    .map(str::to_owned)
    .collect();
    for (mode, _, scanned, _) in merged(&db) {
        let timed_out: BTreeSet<String> = psql(
            &db.name,
            &format!(
                "SELECT f->>'symbol' FROM cached_scan_results, \
                 jsonb_array_elements(metadata->'failedSymbols') f \
                 WHERE filter_mode = '{mode}' AND f->>'kind' = 'ShardTimeout'"
            ),
        )
        .lines()
        .map(str::to_owned)
        .collect();
        assert_eq!(timed_out, lost, "{mode}: the dead shard's symbols");
        assert_eq!(scanned.len() + lost.len(), n, "{mode}\n{log}");
        assert!(scanned.iter().all(|s| !lost.contains(s)), "{mode}");
    }
}
