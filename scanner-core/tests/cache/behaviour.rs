//! The data-access cases every backend must pass.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use scanner_core::cache::{RotationState, StoreOptions};
use scanner_core::model::FilterMode::{Relaxed, Strict};
use scanner_core::ErrorKind;
use serde_json::json;

use crate::fixtures::{degraded, minutes_ago, scan};
use crate::harness::TestDb;

pub async fn save_round_trip(db: &TestDb) {
    let store = db.store().await;
    let original = scan(Strict, 20, minutes_ago(1.0));
    assert_eq!(store.save(&original).await.unwrap(), original.scan_id);
    let back = store
        .get(original.scan_id)
        .await
        .unwrap()
        .expect("saved row");
    assert_eq!(back.result, original, "round trip must be lossless");
    assert!(!back.is_stale);
    // Idempotent: saving again (even concurrently) keeps one row.
    let saves = (0..8).map(|_| store.save(&original));
    for r in futures_util::future::join_all(saves).await {
        assert_eq!(r.unwrap(), original.scan_id);
    }
    assert_eq!(store.history(None, 100).await.unwrap().len(), 1);
    assert!(store.get(uuid::Uuid::new_v4()).await.unwrap().is_none());
}

pub async fn latest_per_mode(db: &TestDb) {
    let store = db.store().await;
    assert!(store.latest(Strict, None).await.unwrap().is_none());
    let old = scan(Strict, 2, minutes_ago(10.0));
    let new = scan(Strict, 3, minutes_ago(5.0));
    let relaxed = scan(Relaxed, 4, minutes_ago(1.0));
    // Insert out of time order: latest goes by scan_timestamp, not insert order.
    for s in [&new, &relaxed, &old] {
        store.save(s).await.unwrap();
    }
    let got = store.latest(Strict, None).await.unwrap().unwrap();
    assert_eq!(got.result.scan_id, new.scan_id);
    assert!(
        (got.age_minutes - 5.0).abs() < 0.5,
        "age {}",
        got.age_minutes
    );
    let got = store.latest(Relaxed, None).await.unwrap().unwrap();
    assert_eq!(got.result, relaxed);
}

pub async fn latest_within_max_age(db: &TestDb) {
    let store = db.store().await;
    store
        .save(&scan(Strict, 1, minutes_ago(30.0)))
        .await
        .unwrap();
    let m = chrono::Duration::minutes;
    assert!(store.latest(Strict, Some(m(15))).await.unwrap().is_none());
    let got = store.latest(Strict, Some(m(60))).await.unwrap().unwrap();
    assert!((got.age_minutes - 30.0).abs() < 0.5);
    let err = store.latest(Strict, Some(m(-1))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

pub async fn history_summaries(db: &TestDb) {
    let store = db.store().await;
    let mut ids = Vec::new();
    for (i, mode) in [Strict, Relaxed, Strict, Relaxed, Strict]
        .into_iter()
        .enumerate()
    {
        let s = scan(mode, i + 1, minutes_ago(50.0 - i as f64 * 10.0));
        ids.push((s.scan_id, mode, i as u64 + 1));
        store.save(&s).await.unwrap();
    }
    let all = store.history(None, 10).await.unwrap();
    let got: Vec<_> = all.iter().map(|h| h.scan_id).collect();
    let want: Vec<_> = ids.iter().rev().map(|x| x.0).collect();
    assert_eq!(got, want, "newest first");
    for h in &all {
        let (_, mode, n) = ids.iter().find(|x| x.0 == h.scan_id).unwrap();
        assert_eq!((h.filter_mode, h.opportunity_count), (*mode, *n));
        assert_eq!((h.symbols_scanned, h.total_evaluated), (2, 1_234));
        assert_eq!(h.scan_duration_seconds, 12.5);
        assert!(!h.degraded);
    }
    assert_eq!(store.history(Some(Relaxed), 10).await.unwrap().len(), 2);
    assert_eq!(store.history(None, 2).await.unwrap().len(), 2);
}

pub async fn cleanup_keeps_newest_per_mode(db: &TestDb) {
    let store = db.store().await;
    let mut strict = Vec::new();
    let mut relaxed = Vec::new();
    for i in 0..5 {
        let s = scan(Strict, 1, minutes_ago(100.0 - i as f64));
        store.save(&s).await.unwrap();
        strict.push(s.scan_id);
    }
    for i in 0..3 {
        let s = scan(Relaxed, 1, minutes_ago(200.0 - i as f64));
        store.save(&s).await.unwrap();
        relaxed.push(s.scan_id);
    }
    // 5 - 2 strict + 3 - 2 relaxed.
    assert_eq!(store.cleanup(2).await.unwrap(), 4);
    let left = |mode| {
        let store = store.clone();
        async move {
            let mut v: Vec<_> = store
                .history(Some(mode), 100)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.scan_id)
                .collect();
            v.sort();
            v
        }
    };
    let mut want_strict = strict[3..].to_vec();
    want_strict.sort();
    let mut want_relaxed = relaxed[1..].to_vec();
    want_relaxed.sort();
    assert_eq!(left(Strict).await, want_strict);
    assert_eq!(left(Relaxed).await, want_relaxed);
    assert_eq!(store.cleanup(2).await.unwrap(), 0);
}

pub async fn degraded_scan_never_hides_a_good_one(db: &TestDb) {
    let store = db.store().await;
    let only_bad = degraded(Relaxed, minutes_ago(3.0));
    store.save(&only_bad).await.unwrap();
    // With nothing good, the degraded scan is what there is.
    assert_eq!(
        store
            .latest(Relaxed, None)
            .await
            .unwrap()
            .unwrap()
            .result
            .scan_id,
        only_bad.scan_id
    );
    let good = scan(Strict, 5, minutes_ago(10.0));
    let bad = degraded(Strict, minutes_ago(1.0));
    store.save(&good).await.unwrap();
    store.save(&bad).await.unwrap();
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
    assert!(
        hist[0].degraded && hist[0].scan_id == bad.scan_id,
        "recorded, flagged"
    );
    let raw = db
        .store_with(StoreOptions {
            prefer_good_scans: false,
            ..Default::default()
        })
        .await;
    assert_eq!(
        raw.latest(Strict, None)
            .await
            .unwrap()
            .unwrap()
            .result
            .scan_id,
        bad.scan_id
    );
}

pub async fn rotation_state(db: &TestDb) {
    let store = db.store().await;
    assert!(store.rotation(Strict).await.unwrap().is_none());
    let s = RotationState {
        position: 15,
        universe_size: 155,
        updated_at: minutes_ago(0.0),
    };
    store.set_rotation(Strict, &s).await.unwrap();
    assert_eq!(store.rotation(Strict).await.unwrap(), Some(s.clone()));
    assert!(store.rotation(Relaxed).await.unwrap().is_none());
    let s2 = RotationState { position: 30, ..s };
    store.set_rotation(Strict, &s2).await.unwrap();
    assert_eq!(store.rotation(Strict).await.unwrap(), Some(s2));
    let bad = RotationState {
        position: 155,
        universe_size: 155,
        updated_at: Utc::now(),
    };
    assert_eq!(
        store.set_rotation(Strict, &bad).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

pub async fn iv_history(db: &TestDb) {
    let store = db.store().await;
    let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
    for (day, iv) in [(3, 0.30), (1, 0.25), (2, 0.27)] {
        store.record_iv("AAPL", d(day), iv).await.unwrap();
    }
    store.record_iv("AAPL", d(2), 0.28).await.unwrap();
    store.record_iv("MSFT", d(2), 0.5).await.unwrap();
    assert_eq!(
        store.iv_history("AAPL", d(2)).await.unwrap(),
        vec![(d(2), 0.28), (d(3), 0.30)]
    );
    assert_eq!(store.iv_history("AAPL", d(1)).await.unwrap().len(), 3);
    assert!(store.iv_history("NONE", d(1)).await.unwrap().is_empty());
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert_eq!(
            store.record_iv("AAPL", d(4), bad).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    assert_eq!(
        store.record_iv(" ", d(4), 0.2).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

pub async fn symbol_analysis_fingerprint_and_ttl(db: &TestDb) {
    let store = db.store().await;
    let payload = json!({"hv20": 0.21, "moves": [1.5, -2.25], "signal": "bullish"});
    store
        .put_symbol_analysis("AAPL", "fp-1", &payload)
        .await
        .unwrap();
    let hour = chrono::Duration::hours(1);
    assert_eq!(
        store.symbol_analysis("AAPL", "fp-1", hour).await.unwrap(),
        Some(payload.clone())
    );
    assert_eq!(
        store.symbol_analysis("AAPL", "fp-2", hour).await.unwrap(),
        None,
        "inputs changed"
    );
    assert_eq!(
        store.symbol_analysis("MSFT", "fp-1", hour).await.unwrap(),
        None
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let tiny = chrono::Duration::milliseconds(5);
    assert_eq!(
        store.symbol_analysis("AAPL", "fp-1", tiny).await.unwrap(),
        None,
        "expired"
    );
    let newer = json!({"hv20": 0.3});
    store
        .put_symbol_analysis("AAPL", "fp-2", &newer)
        .await
        .unwrap();
    assert_eq!(
        store.symbol_analysis("AAPL", "fp-2", hour).await.unwrap(),
        Some(newer)
    );
    assert_eq!(
        store.symbol_analysis("AAPL", "fp-1", hour).await.unwrap(),
        None,
        "replaced"
    );
}

pub async fn rejects_unstorable_values_and_closes(db: &TestDb) {
    let store = db.store().await;
    let mut bad = scan(Strict, 3, minutes_ago(1.0));
    bad.opportunities[2].premium = f64::NAN;
    let err = store.save(&bad).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.message().contains("opportunity 2") && err.message().contains("premium"),
        "{err}"
    );
    let mut bad = scan(Strict, 0, minutes_ago(1.0));
    bad.metadata
        .stage_timings
        .insert("fetch".into(), f64::INFINITY);
    assert_eq!(
        store.save(&bad).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert!(
        store.history(None, 10).await.unwrap().is_empty(),
        "nothing half-saved"
    );
    let clone = store.clone();
    store.close().await;
    assert_eq!(
        clone.latest(Strict, None).await.unwrap_err().kind(),
        ErrorKind::Database
    );
}
