//! Serving policy cases, run on every backend with a counting fake scanner.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use scanner_core::cache::{LiveScan, ServeOptions, ServeSource, StalePolicy};
use scanner_core::model::{FilterMode, FilterMode::Strict, ScanResult};
use scanner_core::{Error, ErrorKind, Result};
use tokio::sync::Semaphore;

use crate::fixtures::{degraded, minutes_ago, scan};
use crate::harness::TestDb;

/// Counts calls; optionally waits for a permit, sleeps, fails or returns a degraded scan.
#[derive(Default)]
pub struct FakeScanner {
    pub calls: AtomicUsize,
    pub delay: Duration,
    pub fail: bool,
    pub degraded: bool,
    pub gate: Option<Arc<Semaphore>>,
}

impl FakeScanner {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl LiveScan for FakeScanner {
    async fn run_scan(&self, mode: FilterMode) -> Result<ScanResult> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("gate open").forget();
        }
        tokio::time::sleep(self.delay).await;
        if self.fail {
            return Err(Error::new(ErrorKind::DataSource, "vendor is down"));
        }
        Ok(if self.degraded {
            degraded(mode, minutes_ago(0.0))
        } else {
            scan(mode, 3, minutes_ago(0.0))
        })
    }
}

pub fn opts() -> ServeOptions {
    ServeOptions {
        wait: Duration::from_secs(20),
        ..ServeOptions::default()
    }
}

pub async fn fresh_cache_is_served_without_scanning(db: &TestDb) {
    let store = db.store().await;
    let cached = scan(Strict, 2, minutes_ago(5.0));
    store.save(&cached).await.unwrap();
    let fake = Arc::new(FakeScanner::default());
    let got = store.serve(fake.clone(), Strict, opts()).await.unwrap();
    assert_eq!(
        (got.result.scan_id, got.source, got.is_stale),
        (cached.scan_id, ServeSource::Cache, false)
    );
    assert_eq!(fake.calls(), 0);
}

pub async fn single_flight_on_empty_cache(db: &TestDb) {
    let store = db.store().await;
    let fake = Arc::new(FakeScanner {
        delay: Duration::from_millis(300),
        ..Default::default()
    });
    let calls = (0..50).map(|_| {
        let (store, fake) = (store.clone(), fake.clone());
        tokio::spawn(async move { store.serve(fake, Strict, opts()).await })
    });
    let results = futures_util::future::join_all(calls).await;
    assert_eq!(fake.calls(), 1, "50 concurrent callers share one live scan");
    let ids: std::collections::HashSet<_> = results
        .into_iter()
        .map(|r| r.expect("task").expect("served").result.scan_id)
        .collect();
    assert_eq!(ids.len(), 1, "everyone got the same scan");
    let saved = store.latest(Strict, None).await.unwrap().unwrap();
    assert!(
        ids.contains(&saved.result.scan_id),
        "the live scan was saved"
    );
}

pub async fn stale_while_revalidate(db: &TestDb) {
    let store = db.store().await;
    let old = scan(Strict, 2, minutes_ago(30.0));
    store.save(&old).await.unwrap();
    let gate = Arc::new(Semaphore::new(0));
    let fake = Arc::new(FakeScanner {
        gate: Some(gate.clone()),
        ..Default::default()
    });
    // The scanner is blocked on the gate, so these return without waiting for it.
    for _ in 0..3 {
        let got = store.serve(fake.clone(), Strict, opts()).await.unwrap();
        assert_eq!(
            (got.result.scan_id, got.source),
            (old.scan_id, ServeSource::Cache)
        );
        assert!(got.is_stale && got.age_minutes > 29.0);
    }
    gate.add_permits(10);
    let mut refreshed = None;
    for _ in 0..200 {
        if let Some(c) = store
            .latest(Strict, Some(chrono::Duration::minutes(15)))
            .await
            .unwrap()
        {
            refreshed = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refreshed = refreshed.expect("background refresh saved a fresh scan");
    assert_ne!(refreshed.result.scan_id, old.scan_id);
    assert_eq!(
        fake.calls(),
        1,
        "one background refresh for three stale serves"
    );
    let got = store.serve(fake.clone(), Strict, opts()).await.unwrap();
    assert_eq!(
        (got.result.scan_id, got.is_stale),
        (refreshed.result.scan_id, false)
    );
}

pub async fn stale_policy_live_waits_for_the_scan(db: &TestDb) {
    let store = db.store().await;
    store
        .save(&scan(Strict, 2, minutes_ago(30.0)))
        .await
        .unwrap();
    let fake = Arc::new(FakeScanner::default());
    let o = ServeOptions {
        stale: StalePolicy::Live,
        ..opts()
    };
    let got = store.serve(fake.clone(), Strict, o).await.unwrap();
    assert_eq!(
        (got.source, got.is_stale, fake.calls()),
        (ServeSource::Live, false, 1)
    );
    assert!(got.age_minutes < 1.0);
}

pub async fn stale_if_error(db: &TestDb) {
    let store = db.store().await;
    let failing = Arc::new(FakeScanner {
        fail: true,
        ..Default::default()
    });
    // Nothing cached and the scan fails: a typed error, never an empty success.
    let err = store
        .serve(failing.clone(), Strict, opts())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataSource);
    let old = scan(Strict, 2, minutes_ago(45.0));
    store.save(&old).await.unwrap();
    let o = ServeOptions {
        stale: StalePolicy::Live,
        ..opts()
    };
    let got = store.serve(failing.clone(), Strict, o).await.unwrap();
    assert_eq!(got.result.scan_id, old.scan_id);
    assert!(got.is_stale);
    assert!(
        got.error
            .as_deref()
            .unwrap_or("")
            .contains("vendor is down"),
        "{:?}",
        got.error
    );
    // Too old even for stale-if-error.
    let strict = ServeOptions {
        stale_if_error: chrono::Duration::minutes(30),
        ..o
    };
    assert_eq!(
        store
            .serve(failing, Strict, strict)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::DataSource
    );
}

pub async fn all_failed_scan_keeps_the_good_one(db: &TestDb) {
    let store = db.store().await;
    let good = scan(Strict, 4, minutes_ago(40.0));
    store.save(&good).await.unwrap();
    let bad = Arc::new(FakeScanner {
        degraded: true,
        ..Default::default()
    });
    let o = ServeOptions {
        stale: StalePolicy::Live,
        ..opts()
    };
    let got = store.serve(bad.clone(), Strict, o).await.unwrap();
    assert_eq!((got.result.scan_id, got.is_stale), (good.scan_id, true));
    assert!(got.error.is_some());
    assert_eq!(
        store
            .latest(Strict, None)
            .await
            .unwrap()
            .unwrap()
            .result
            .scan_id,
        good.scan_id
    );
    let hist = store.history(Some(Strict), 10).await.unwrap();
    assert_eq!(
        hist.iter().filter(|h| h.degraded).count(),
        1,
        "the failed scan was recorded"
    );
}

pub async fn long_scan_keeps_its_lease(db: &TestDb) {
    // Two handles with separate in-process flights behave like two processes.
    let (a, b) = (db.store().await, db.store().await);
    let fake = Arc::new(FakeScanner {
        delay: Duration::from_millis(3_500),
        ..Default::default()
    });
    let o = ServeOptions {
        lease: Duration::from_secs(1),
        ..opts()
    };
    let serving = tokio::spawn({
        let fake = fake.clone();
        async move { a.serve(fake, Strict, o).await }
    });
    // Well past the 1 s lease: without renewal another process could take it over.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(fake.calls(), 1);
    let busy = b
        .acquire_writer(Strict, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(
        busy.kind(),
        ErrorKind::Busy,
        "the scanning process renews its lease"
    );
    let got = serving.await.unwrap().unwrap();
    assert_eq!(got.source, ServeSource::Live);
}
