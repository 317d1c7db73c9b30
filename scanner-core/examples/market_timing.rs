//! One-shot timings of the market-data speed targets, for runs under `/usr/bin/time` where
//! the machine is shared (criterion's wall-clock numbers then include other processes):
//! `cargo run --release -p optscan-core --example market_timing`.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use rayon::prelude::*;
use scanner_core::market::{CsvMarket, SyntheticMarket};

fn main() -> Result<(), scanner_core::Error> {
    let base = std::env::var_os("OPTSCAN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let cc0 = base.join("kaggle-us-stocks-etfs-cc0");
    if cc0.exists() {
        let t = Instant::now();
        let m = CsvMarket::open(&cc0)?;
        let rows: u64 = m.load_reports().iter().map(|r| r.rows_kept).sum();
        println!(
            "csv: {} tickers, {rows} rows in {:.3} s",
            m.symbols().len(),
            t.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "skipped: csv timing: CC0 data not found at {}",
            cc0.display()
        );
    }
    let as_of = Utc
        .with_ymd_and_hms(2026, 11, 27, 21, 0, 0)
        .single()
        .unwrap_or_default();
    let t = Instant::now();
    let m = SyntheticMarket::new(7, 5000);
    let (bars, quotes) = m
        .symbols()
        .par_iter()
        .map(|s| {
            let h = m.history_at(s, 365, as_of).map_or(0, |h| h.len());
            let c = m.chain_at(s, as_of).map_or(0, |c| c.quotes.len());
            (h, c)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "synthetic: 5000 symbols, {bars} bars, {quotes} quotes in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
