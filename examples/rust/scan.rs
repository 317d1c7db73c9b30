//! A full strict scan of the offline synthetic market, printing the top 20 opportunities.
//!
//! Run with `cargo run --release -p optscan-core --example scan`.

use std::sync::Arc;

use scanner_core::market::SyntheticMarket;
use scanner_core::scan::{ScanConfig, Scanner};

#[tokio::main]
async fn main() -> scanner_core::Result<()> {
    let scanner = Scanner::new(Arc::new(SyntheticMarket::new(7, 60)), ScanConfig::strict())?;
    let results = scanner.scan().await?;
    let r = &results[0];
    println!(
        "{:<4} {:<8} {:<5} {:>8} {:<10} {:>4} {:>9} {:>6} {:>6}",
        "#", "symbol", "type", "strike", "expiry", "dte", "premium", "PoP%", "RAS"
    );
    for (i, o) in r.opportunities.iter().take(20).enumerate() {
        println!(
            "{:<4} {:<8} {:<5} {:>8.2} {:<10} {:>4} {:>9.2} {:>6.1} {:>6.1}",
            i + 1,
            o.symbol,
            o.option_type.as_str(),
            o.strike,
            o.expiration,
            o.days_to_expiration,
            o.premium,
            o.probability_of_profit,
            o.risk_adjusted_score
        );
    }
    println!(
        "{} opportunities from {} symbols ({} contracts evaluated) in {:.2} s",
        r.opportunities.len(),
        r.symbols_scanned.len(),
        r.total_evaluated,
        r.scan_duration_seconds
    );
    Ok(())
}
