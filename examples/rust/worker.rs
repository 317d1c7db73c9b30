//! A minimal background worker built on the `scanner-core` crate: run one scheduled cycle of
//! the synthetic market into a cache, then serve it the way a web route would (fresh → cache, missing → one live
//! scan), and print what a user would see.
//!
//! Run with `cargo run -p optscan-core --example worker -- [DATABASE_URL]`
//! (default: a fresh SQLite file in the system temp folder).

use std::sync::Arc;

use scanner_core::cache::{RunOptions, ScanStore, ServeOptions, StoreOptions};
use scanner_core::market::SyntheticMarket;
use scanner_core::model::FilterMode;
use scanner_core::scan::{ScanConfig, Scanner};

#[tokio::main]
async fn main() -> scanner_core::Result<()> {
    let default = format!(
        "sqlite://{}",
        std::env::temp_dir()
            .join(format!("optscan-example-{}.db", std::process::id()))
            .display()
    );
    let url = std::env::args().nth(1).unwrap_or(default);
    let store = ScanStore::open(Some(&url), StoreOptions::default()).await?;
    let scanner = Arc::new(Scanner::new(
        Arc::new(SyntheticMarket::new(7, 40)),
        ScanConfig::strict(),
    )?);

    // The worker's job: one scheduled cycle — writer lease, rotation, IV history, scan,
    // fenced save, lease released whatever happens.
    let report = store.run_scheduled(&scanner, RunOptions::default()).await?;
    for result in &report.results {
        println!(
            "saved {}: {} opportunities from {} symbols ({} database operations)",
            result.scan_id,
            result.opportunities.len(),
            result.symbols_scanned.len(),
            report.database_operations
        );
    }

    // The route's job: serve from the cache (a live scan only when nothing fresh exists).
    let served = store
        .serve(scanner, FilterMode::Strict, ServeOptions::default())
        .await?;
    println!(
        "served from {:?}, {:.1} minutes old, stale: {}",
        served.source, served.age_minutes, served.is_stale
    );
    for o in served.result.opportunities.iter().take(5) {
        println!(
            "  {} {} {} exp {}  PoP {:.1}%  score {:.1}",
            o.symbol,
            o.option_type.as_str(),
            o.strike,
            o.expiration,
            o.probability_of_profit,
            o.risk_adjusted_score
        );
    }
    Ok(())
}
