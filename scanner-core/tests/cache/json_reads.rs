//! Reads that hand out a scan's JSON text, and the in-memory memo behind every read: it
//! must follow the table (another process's save, a cleanup) and never serve a scan the
//! table no longer leads with.

use std::sync::Arc;

use scanner_core::cache::{ServeSource, StoreOptions};
use scanner_core::model::FilterMode::{Relaxed, Strict};
use scanner_core::model::ScanResult;

use crate::fixtures::{minutes_ago, scan};
use crate::harness::TestDb;
use crate::serve_cases::{opts, FakeScanner};

pub async fn json_reads_match_the_result(db: &TestDb) {
    let store = db.store().await;
    assert!(store.latest_json(Strict, None).await.unwrap().is_none());
    let saved = scan(Strict, 5, minutes_ago(3.0));
    store.save(&saved).await.unwrap();

    let j = store
        .latest_json(Strict, None)
        .await
        .unwrap()
        .expect("saved");
    assert_eq!(&*j.json, saved.to_json().unwrap().as_str());
    assert_eq!(ScanResult::from_json(&j.json).unwrap(), saved);
    assert_eq!(
        (j.scan_id, j.scan_timestamp, j.filter_mode),
        (saved.scan_id, saved.scan_timestamp, Strict)
    );
    assert_eq!(
        (j.opportunity_count, j.total_evaluated),
        (5, saved.total_evaluated)
    );
    assert!((j.age_minutes - 3.0).abs() < 0.5, "age {}", j.age_minutes);
    assert_eq!(
        (j.source, j.is_stale, j.error.clone()),
        (ServeSource::Cache, false, None)
    );
    let m = chrono::Duration::minutes;
    assert!(store
        .latest_json(Strict, Some(m(1)))
        .await
        .unwrap()
        .is_none());
    assert!(store.latest_json(Relaxed, None).await.unwrap().is_none());

    // serve_json: a fresh cache without scanning, the same text as latest_json.
    let fake = Arc::new(FakeScanner::default());
    let served = store
        .serve_json(fake.clone(), Strict, opts())
        .await
        .unwrap();
    assert_eq!((served.source, fake.calls()), (ServeSource::Cache, 0));
    assert_eq!(served.json, j.json);
    // Nothing cached for relaxed: one live scan, saved, and its document handed out.
    let live = store
        .serve_json(fake.clone(), Relaxed, opts())
        .await
        .unwrap();
    assert_eq!((live.source, fake.calls()), (ServeSource::Live, 1));
    let stored = store
        .latest(Relaxed, None)
        .await
        .unwrap()
        .expect("live scan saved");
    assert_eq!(&*live.json, stored.result.to_json().unwrap().as_str());
    assert_eq!(live.scan_id, stored.result.scan_id);
}

pub async fn memo_follows_the_table(db: &TestDb) {
    let reader = db.store().await;
    let writer = db.store_with(StoreOptions::default()).await;
    let first = scan(Strict, 2, minutes_ago(10.0));
    writer.save(&first).await.unwrap();

    // Two reads of an unchanged table share one serialised document.
    let a = reader.latest_json(Strict, None).await.unwrap().unwrap();
    let b = reader.latest_json(Strict, None).await.unwrap().unwrap();
    assert!(
        Arc::ptr_eq(&a.json, &b.json),
        "the second read reused the memo"
    );
    assert_eq!(a.scan_id, first.scan_id);

    // An older scan saved later does not take the lead; the memo still answers.
    writer
        .save(&scan(Strict, 1, minutes_ago(60.0)))
        .await
        .unwrap();
    let c = reader.latest_json(Strict, None).await.unwrap().unwrap();
    assert!(Arc::ptr_eq(&a.json, &c.json));

    // Another store (another process) saves a newer scan: the next read sees it.
    let second = scan(Strict, 4, minutes_ago(1.0));
    writer.save(&second).await.unwrap();
    let got = reader.latest(Strict, None).await.unwrap().unwrap();
    assert_eq!(got.result, second);
    let d = reader.latest_json(Strict, None).await.unwrap().unwrap();
    assert_eq!(&*d.json, second.to_json().unwrap().as_str());

    // A cleanup that removes every scan leaves nothing to serve, memo or not.
    writer.cleanup(0).await.unwrap();
    assert!(reader.latest_json(Strict, None).await.unwrap().is_none());
    assert!(reader.latest(Strict, None).await.unwrap().is_none());
}
