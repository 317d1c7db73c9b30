//! Screening benchmark: a synthetic scan's real candidate set (every contract it evaluated),
//! stored in an in-memory SQLite cache. Prints the candidate count, the stored bytes per
//! candidate, the cost of building and encoding the set (what a scan and a save add), the
//! first screen after a new scan (read + decode + query) and the p50/p99 of a typical
//! filter + sort + limit-50 query answered from memory, and that query once the freshness
//! window has passed (one newest-id check against the database first).
//!
//! Run: `cargo bench -p optscan-core --bench screen` (add `-- 500` for another universe size).

use std::sync::Arc;
use std::time::{Duration, Instant};

use scanner_core::cache::{ScanStore, StoreOptions};
use scanner_core::market::SyntheticMarket;
use scanner_core::model::{CandidateRow, CandidateSet, FilterMode, ScreenQuery};
use scanner_core::scan::{ModeSelection, ScanConfig, Scanner};

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// CPU time of this thread (`CLOCK_THREAD_CPUTIME_ID`): on a shared machine wall time also
/// measures the neighbours; a screen answered from memory never leaves its thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc provides.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn main() {
    let symbols: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let cfg = ScanConfig {
            max_symbols: Some(symbols),
            backtest: false,
            signals: false,
            filter_mode: ModeSelection::Strict,
            ..ScanConfig::default()
        };
        let scanner =
            Scanner::new(Arc::new(SyntheticMarket::new(7, symbols)), cfg).expect("config");
        let t = Instant::now();
        let scan = scanner.scan().await.expect("scan").remove(0);
        let scan_secs = t.elapsed().as_secs_f64();
        let set = Arc::clone(&scan.candidates);
        let n = set.len();

        // What the scan adds: one push per candidate into the columnar set.
        let names: Vec<String> = (0..symbols).map(|i| format!("S{i:04}")).collect();
        let t = Instant::now();
        let mut built = CandidateSet::default();
        for i in 0..n {
            let mut values = [0.0; scanner_core::model::ScreenField::ALL.len() - 2];
            for (j, v) in values.iter_mut().enumerate() {
                *v = (i * 31 + j * 7) as f64 * 0.01;
            }
            built.push(&CandidateRow {
                symbol: &names[i % symbols],
                kind: scanner_core::model::OptionKind::Call,
                expiration_days: 20_000 + (i % 60) as i32,
                tier: scanner_core::market::quality::QualityTier::High,
                values,
            });
        }
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(built.len(), n);
        let encode_start = Instant::now();
        let blob = set.encode().expect("encode");
        let encode_ms = encode_start.elapsed().as_secs_f64() * 1e3;
        let decode_start = Instant::now();
        let decoded = CandidateSet::decode(&blob).expect("decode");
        let decode_ms = decode_start.elapsed().as_secs_f64() * 1e3;
        assert_eq!(decoded.len(), n);

        // First screen after each new scan: read the blob, decode, answer.
        let typical = ScreenQuery::from_params([
            ("type", "call"),
            ("daysToExpiration.max", "45"),
            ("delta.min", "0.25"),
            ("delta.max", "0.6"),
            ("probabilityOfProfit.min", "30"),
            ("sort", "-expectedValueAmount"),
            ("limit", "50"),
        ])
        .expect("query");
        let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default())
            .await
            .expect("store");
        let mut firsts = Vec::new();
        for i in 0..5 {
            let mut s = scan.clone();
            s.scan_id = uuid::Uuid::new_v4();
            s.scan_timestamp = chrono::Utc::now() + chrono::Duration::seconds(i);
            store.save(&s).await.expect("save");
            let t = Instant::now();
            let page = store.screen(FilterMode::Strict, &typical).await.expect("first");
            firsts.push(t.elapsed());
            assert_eq!(page.scan_id, s.scan_id);
        }
        firsts.sort();

        // Warm: the same scan, from memory.
        let mut warm = Vec::new();
        let mut cpu = Vec::new();
        let mut matched = 0;
        for _ in 0..2000 {
            let (c, t) = (thread_cpu(), Instant::now());
            let page = store.screen(FilterMode::Strict, &typical).await.expect("warm");
            warm.push(t.elapsed());
            cpu.push(thread_cpu().saturating_sub(c));
            matched = page.matched;
        }
        warm.sort();
        cpu.sort();

        // Once the freshness window (`poll_interval`, 250 ms) has passed, a screen first
        // asks the database for the newest scan id.
        let mut rechecks = Vec::new();
        for _ in 0..10 {
            tokio::time::sleep(StoreOptions::default().poll_interval).await;
            let t = Instant::now();
            store.screen(FilterMode::Strict, &typical).await.expect("recheck");
            rechecks.push(t.elapsed());
        }
        rechecks.sort();
        println!("Screening a {symbols}-symbol synthetic scan ({scan_secs:.1} s to scan)");
        println!("| figure | value |");
        println!("|---|---|");
        println!("| candidates (every contract evaluated) | {n} |");
        println!(
            "| stored blob | {:.0} kB, {:.1} bytes/candidate |",
            blob.len() as f64 / 1e3,
            blob.len() as f64 / n as f64
        );
        println!(
            "| build the set during the scan | {build_ms:.1} ms ({:.2} % of the scan) |",
            build_ms / 10.0 / scan_secs
        );
        println!("| encode (on save) | {encode_ms:.1} ms |");
        println!("| decode (first screen) | {decode_ms:.1} ms |");
        println!(
            "| first screen after a new scan (read + decode + query), median of 5 | {:.1} ms |",
            pct(&firsts, 0.5)
        );
        println!(
            "| typical filter+sort+limit-50 from memory ({matched} matched): p50 / p99 | {:.3} / {:.3} ms |",
            pct(&warm, 0.5),
            pct(&warm, 0.99)
        );
        println!(
            "| the same, CPU time of the screening thread: p50 / p99 | {:.3} / {:.3} ms |",
            pct(&cpu, 0.5),
            pct(&cpu, 0.99)
        );
        println!(
            "| the same query after the 250 ms freshness window (+ newest-id check), median of 10 | {:.3} ms |",
            pct(&rechecks, 0.5)
        );
    });
}
