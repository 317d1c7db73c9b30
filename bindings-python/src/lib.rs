//! `optscan._native`: the Python face of `scanner-core`. Each module converts Python values
//! to core types and back; every bit of logic stays in the core.

#![deny(missing_docs)]

mod broadcast;
mod cache;
mod cache_json;
mod error;
mod host_source;
mod host_table;
mod market;
mod model;
mod pricing;
mod python_caller;
mod runtime;
mod scan;
mod scheduled;
mod subscription;

use pyo3::prelude::*;

/// The native module: registers every function, class and exception.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::init_async()?;
    error::register(m)?;
    m.add_function(wrap_pyfunction!(pricing::black_scholes, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::implied_volatility, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::_bsm_scalar, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::_implied_vol_scalar, m)?)?;
    m.add("IV_STATUS", pricing::iv_status(m.py())?)?;
    m.add_class::<market::MarketData>()?;
    m.add_class::<market::SyntheticMarket>()?;
    m.add_class::<market::CsvMarket>()?;
    m.add_class::<market::MemoryMarket>()?;
    m.add_class::<market::YahooMarket>()?;
    m.add_class::<market::PolygonMarket>()?;
    m.add_class::<market::TradierMarket>()?;
    m.add_class::<scan::ScanConfig>()?;
    m.add_class::<scan::Scanner>()?;
    m.add_class::<model::ScanResult>()?;
    m.add_class::<model::CachedScan>()?;
    m.add_class::<model::ScanSummary>()?;
    m.add_class::<cache_json::CachedJson>()?;
    m.add_class::<cache_json::Negotiated>()?;
    m.add_class::<cache::ScanStore>()?;
    m.add_class::<scheduled::RunReport>()?;
    m.add_class::<scheduled::QueueRun>()?;
    m.add_class::<subscription::ScanSubscription>()?;
    m.add_class::<subscription::ScanNotice>()?;
    Ok(())
}
