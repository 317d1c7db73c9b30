//! Turn a `--source` argument into a market-data source.

use std::sync::Arc;

use scanner_core::market::{
    CsvMarket, MarketData, PolygonMarket, SyntheticMarket, TradierMarket, YahooMarket,
};
use scanner_core::{Error, Result};

/// Build the source named by `spec` (`synthetic`, `csv:PATH`, `yahoo`, `polygon`, `tradier`).
pub fn build(spec: &str, seed: u64, universe: usize) -> Result<Arc<dyn MarketData>> {
    Ok(match spec {
        "synthetic" => Arc::new(SyntheticMarket::try_new(seed, universe)?),
        "yahoo" => Arc::new(YahooMarket::new()),
        "polygon" => Arc::new(PolygonMarket::new(None)?),
        "tradier" => Arc::new(TradierMarket::new(None)?),
        other => match other.strip_prefix("csv:") {
            Some(path) => Arc::new(CsvMarket::open(path)?),
            None => {
                return Err(Error::invalid_input(format!(
                    "unknown source {other:?}: use synthetic, csv:PATH, yahoo, polygon or tradier"
                )))
            }
        },
    })
}
