//! Market-data speed targets (issue "Market data"): loading the 195-ticker CC0 set × 5
//! years (< 0.5 s on 2 cores) and generating 5,000 synthetic symbols with option chains
//! (< 2 s on 2 cores). Run: `cargo bench -p optscan-core --bench market`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use scanner_core::market::{CsvMarket, SyntheticMarket};

fn cc0_dir() -> Option<PathBuf> {
    let base = std::env::var_os("OPTSCAN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let dir = base.join("kaggle-us-stocks-etfs-cc0");
    dir.exists().then_some(dir)
}

fn csv_load(c: &mut Criterion) {
    let Some(dir) = cc0_dir() else {
        eprintln!("skipped: csv_load bench: CC0 data not found");
        return;
    };
    let mut g = c.benchmark_group("csv_load");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("cc0_195_tickers_5y", |b| {
        b.iter(|| {
            let m = CsvMarket::open(&dir).expect("CC0 data loads");
            assert_eq!(m.symbols().len(), 195);
            m
        })
    });
    g.finish();
}

fn synthetic(c: &mut Criterion) {
    let as_of = Utc.with_ymd_and_hms(2026, 11, 27, 21, 0, 0).unwrap();
    let mut g = c.benchmark_group("synthetic");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.bench_function("5000_symbols_history_365_and_chain", |b| {
        b.iter(|| {
            let m = SyntheticMarket::new(7, 5000);
            let symbols = m.symbols();
            let quotes: usize = symbols
                .par_iter()
                .map(|s| {
                    let h = m.history_at(s, 365, as_of).expect("synthetic history");
                    let chain = m.chain_at(s, as_of).expect("synthetic chain");
                    h.len() + chain.quotes.len()
                })
                .sum();
            assert!(quotes > 5000 * 365);
            quotes
        })
    });
    // The two halves, for diagnosis.
    let m = SyntheticMarket::new(7, 5000);
    let symbols = m.symbols();
    g.bench_function("5000_symbols_history_365_only", |b| {
        b.iter(|| {
            symbols
                .par_iter()
                .map(|s| m.history_at(s, 365, as_of).map_or(0, |h| h.len()))
                .sum::<usize>()
        })
    });
    g.bench_function("5000_symbols_chain_only", |b| {
        b.iter(|| {
            symbols
                .par_iter()
                .map(|s| m.chain_at(s, as_of).map_or(0, |c| c.quotes.len()))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, csv_load, synthetic);
criterion_main!(benches);
