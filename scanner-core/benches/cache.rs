//! Cache latency benchmark for scans of 20 and 500 opportunities on SQLite, PostgreSQL
//! (direct) and PostgreSQL through PgBouncer in transaction mode: `latest()` and
//! `latest_json()` while the newest scan is unchanged (the common read), the first
//! `latest()` after each save (the scan is fetched and decoded), and `save()`. Postgres
//! parts are skipped when no server or `pgbouncer` is found.
//!
//! Run: `cargo bench -p optscan-core --bench cache`

#[path = "../tests/cache/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "../tests/cache/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::time::{Duration, Instant};

use harness::{Target, TestDb};
use scanner_core::model::FilterMode;

/// Saves and reads per case; `cargo test --benches` (no `--bench` flag) runs a smoke pass.
fn sizes() -> (usize, usize) {
    if std::env::args().any(|a| a == "--bench") {
        (60, 2_000)
    } else {
        (3, 10)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn bench(target: Target) {
    let (saves_n, reads_n) = sizes();
    for n in [20usize, 500] {
        let Some(db) = TestDb::new(target).await else {
            return;
        };
        let store = db.store().await;
        let mut saves = Vec::with_capacity(saves_n);
        let mut cold = Vec::with_capacity(saves_n);
        for i in 0..saves_n {
            let scan = fixtures::scan(
                FilterMode::Strict,
                n,
                fixtures::minutes_ago((saves_n - i) as f64),
            );
            let t = Instant::now();
            store.save(&scan).await.expect("save");
            saves.push(t.elapsed());
            let t = Instant::now();
            let got = store
                .latest(FilterMode::Strict, None)
                .await
                .expect("latest");
            cold.push(t.elapsed());
            assert_eq!(got.map(|c| c.result.scan_id), Some(scan.scan_id));
        }
        // Warm up, then time reads of the newest scan.
        for _ in 0..50 {
            store
                .latest(FilterMode::Strict, None)
                .await
                .expect("latest");
        }
        let mut reads = Vec::with_capacity(reads_n);
        for _ in 0..reads_n {
            let t = Instant::now();
            let got = store
                .latest(FilterMode::Strict, None)
                .await
                .expect("latest");
            reads.push(t.elapsed());
            assert_eq!(got.map(|c| c.result.opportunities.len()), Some(n));
        }
        let mut json_reads = Vec::with_capacity(reads_n);
        for _ in 0..reads_n {
            let t = Instant::now();
            let got = store
                .latest_json(FilterMode::Strict, None)
                .await
                .expect("latest_json");
            json_reads.push(t.elapsed());
            assert_eq!(got.map(|c| c.opportunity_count), Some(n));
        }
        let line = |what: &str, v: &mut Vec<Duration>| {
            v.sort();
            format!(
                "{what} {:>6.3}/{:>6.3}",
                ms(percentile(v, 0.50)),
                ms(percentile(v, 0.99))
            )
        };
        println!(
            "{:<9} opps={:<3}  p50/p99 ms: {}  {}  {}  {}",
            format!("{target:?}"),
            n,
            line("latest", &mut reads),
            line("latest_json", &mut json_reads),
            line("first read after save", &mut cold),
            line("save", &mut saves),
        );
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        for target in [Target::Sqlite, Target::Postgres, Target::PgBouncer] {
            bench(target).await;
        }
    });
}
