//! Cross-process cases: the test binary re-runs itself as a helper process
//! (`--exact process::child_helper --ignored`), told what to do by environment variables.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scanner_core::cache::{ScanStore, ServeOptions, ServeSource, StoreOptions, DEFAULT_LEASE_TTL};
use scanner_core::model::FilterMode::Strict;
use scanner_core::ErrorKind;

use crate::fixtures::{minutes_ago, scan};
use crate::harness::TestDb;
use crate::serve_cases::FakeScanner;

fn child(db: &TestDb, action: &str, extra: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        "process::child_helper",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("OPTSCAN_CHILD_ACTION", action)
    .env("OPTSCAN_CHILD_URL", &db.url)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn helper process")
}

/// Read the child's stdout until it says `CHILD:…`; returns what it said.
fn child_says(c: &mut Child) -> String {
    let out = c.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(out).lines();
    let said = lines
        .by_ref()
        .map_while(|l| l.ok())
        // libtest may print "test … ... " on the same line first.
        .find_map(|l| l.find("CHILD:").map(|i| l[i..].trim().to_owned()))
        .unwrap_or_default();
    // Keep draining in the background so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    said
}

pub async fn writer_lock_across_processes(db: &TestDb) {
    let store = db.store().await;
    // 1. We hold the lease: the other process reports Busy and exits cleanly.
    let lease = store
        .acquire_writer(Strict, Duration::from_secs(60))
        .await
        .unwrap();
    let mut c = child(db, "lock", &[]);
    let said = tokio::task::spawn_blocking(move || (child_says(&mut c), c.wait()))
        .await
        .unwrap();
    assert_eq!(said.0, "CHILD:BUSY");
    assert!(said.1.unwrap().success());
    lease.release().await.unwrap();

    // 2. The other process holds it while it scans: our serve neither scans nor saves,
    //    it waits for the other process's result.
    let scan_id = uuid::Uuid::new_v4();
    let mut c = child(
        db,
        "lock",
        &[
            ("OPTSCAN_CHILD_HOLD_MS", "1500".into()),
            ("OPTSCAN_CHILD_SCAN_ID", scan_id.to_string()),
        ],
    );
    let (said, mut c) = tokio::task::spawn_blocking(move || (child_says(&mut c), c))
        .await
        .unwrap();
    assert_eq!(said, "CHILD:ACQUIRED");
    let busy = store
        .acquire_writer(Strict, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Busy);
    let fake = Arc::new(FakeScanner::default());
    let opts = ServeOptions {
        wait: Duration::from_secs(30),
        ..ServeOptions::default()
    };
    let got = store.serve(fake.clone(), Strict, opts).await.unwrap();
    assert_eq!(fake.calls(), 0, "only the lease holder scans");
    assert_eq!(
        (got.result.scan_id, got.source),
        (scan_id, ServeSource::Cache)
    );
    assert!(tokio::task::spawn_blocking(move || c.wait())
        .await
        .unwrap()
        .unwrap()
        .success());
    // 3. Released by the other process: ours to take.
    store
        .acquire_writer(Strict, Duration::from_secs(60))
        .await
        .unwrap()
        .release()
        .await
        .unwrap();
}

pub async fn killed_writer_leaves_no_partial_row(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("in-transaction");
    let scan_id = uuid::Uuid::new_v4();
    let mut c = child(
        db,
        "save",
        &[
            ("OPTSCAN_CHILD_MARKER", marker.display().to_string()),
            ("OPTSCAN_CHILD_SCAN_ID", scan_id.to_string()),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(
            Instant::now() < deadline,
            "helper never reached the middle of its save"
        );
        assert!(c.try_wait().unwrap().is_none(), "helper exited early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL in the middle of the save transaction.
    c.kill().unwrap();
    c.wait().unwrap();
    let store = db.store().await;
    assert!(
        store.get(scan_id).await.unwrap().is_none(),
        "no partial row"
    );
    assert!(store.history(None, 10).await.unwrap().is_empty());
    // The database is not left locked, and the id is free: a new save with it lands whole.
    let mut again = scan(Strict, 500, minutes_ago(0.0));
    again.scan_id = scan_id;
    store.save(&again).await.unwrap();
    assert_eq!(store.get(scan_id).await.unwrap().unwrap().result, again);
}

pub async fn killed_holder_frees_its_lease_at_once(db: &TestDb) {
    let store = db.store().await;
    let mut c = child(db, "lock", &[("OPTSCAN_CHILD_HOLD_MS", "120000".into())]);
    assert_eq!(child_says(&mut c), "CHILD:ACQUIRED");
    let busy = store
        .acquire_writer(Strict, DEFAULT_LEASE_TTL)
        .await
        .unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Busy, "the live holder keeps it");
    c.kill().expect("kill -9 the holder");
    c.wait().expect("reap the holder");
    // Same machine, process gone: taken over at once, not after the 60 s TTL.
    let start = Instant::now();
    let lease = store
        .acquire_writer(Strict, DEFAULT_LEASE_TTL)
        .await
        .expect("a dead holder's lease is free");
    assert!(start.elapsed() < Duration::from_secs(2));
    lease.release().await.unwrap();
}

pub async fn killed_live_scan_is_taken_over_by_waiting_callers(db: &TestDb) {
    let store = db.store().await;
    // The child starts a long live scan on an empty cache and holds the serve lease.
    let mut c = child(db, "serve", &[]);
    assert_eq!(child_says(&mut c), "CHILD:SERVING");
    let start = Instant::now();
    loop {
        match store.acquire_writer(Strict, DEFAULT_LEASE_TTL).await {
            Err(e) if e.kind() == ErrorKind::Busy => break,
            Ok(l) => l.release().await.unwrap(),
            Err(e) => panic!("{e}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the child never took the lease"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Three callers here wait for the child's scan …
    let fake = Arc::new(FakeScanner {
        delay: Duration::from_millis(300),
        ..Default::default()
    });
    let opts = ServeOptions {
        wait: Duration::from_secs(60),
        ..ServeOptions::default()
    };
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let (s, f) = (store.clone(), fake.clone());
            tokio::spawn(async move { s.serve(f, Strict, opts).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.calls(), 0, "they wait while the child is alive");
    // … and take over when it is killed: within one TTL plus one scan (here: at once).
    c.kill().expect("kill -9 the scanning process");
    c.wait().expect("reap");
    let killed = Instant::now();
    for w in waiters {
        let got = w.await.unwrap().expect("served after the takeover");
        assert_eq!(got.source, ServeSource::Live);
    }
    assert_eq!(fake.calls(), 1, "one live scan for all three waiters");
    assert!(
        killed.elapsed() < DEFAULT_LEASE_TTL + Duration::from_secs(5),
        "took {:?}",
        killed.elapsed()
    );
}

/// Not a test on its own: the helper process body for the cases above.
#[tokio::test]
#[ignore = "helper process for the cross-process tests"]
async fn child_helper() {
    let (Ok(action), Ok(url)) = (
        std::env::var("OPTSCAN_CHILD_ACTION"),
        std::env::var("OPTSCAN_CHILD_URL"),
    ) else {
        return;
    };
    let scan_id = std::env::var("OPTSCAN_CHILD_SCAN_ID")
        .ok()
        .and_then(|s| s.parse().ok());
    let mut opts = StoreOptions {
        migrate: url.starts_with("sqlite:"),
        ..Default::default()
    };
    if action == "save" {
        let marker = std::env::var("OPTSCAN_CHILD_MARKER").expect("marker path");
        opts.before_commit = Some(Arc::new(move || {
            std::fs::write(&marker, b"row written, not committed").expect("marker");
            std::thread::sleep(Duration::from_secs(120));
        }));
    }
    let store = ScanStore::open(Some(&url), opts)
        .await
        .expect("helper store");
    match action.as_str() {
        "lock" => match store.acquire_writer(Strict, Duration::from_secs(60)).await {
            Ok(lease) => {
                println!("CHILD:ACQUIRED");
                let hold = std::env::var("OPTSCAN_CHILD_HOLD_MS")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(hold)).await;
                if let Some(id) = scan_id {
                    let mut s = scan(Strict, 5, minutes_ago(0.0));
                    s.scan_id = id;
                    store.save(&s).await.expect("helper save");
                }
                lease.release().await.expect("release");
            }
            Err(e) if e.kind() == ErrorKind::Busy => println!("CHILD:BUSY"),
            Err(e) => panic!("helper lock failed: {e}"),
        },
        "serve" => {
            println!("CHILD:SERVING");
            let slow = Arc::new(FakeScanner {
                delay: Duration::from_secs(120),
                ..Default::default()
            });
            let _ = store.serve(slow, Strict, ServeOptions::default()).await;
        }
        "save" => {
            let mut s = scan(Strict, 500, minutes_ago(0.0));
            if let Some(id) = scan_id {
                s.scan_id = id;
            }
            store.save(&s).await.expect("helper save");
        }
        other => panic!("unknown helper action {other}"),
    }
}
