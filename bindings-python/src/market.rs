//! Market-data sources for Python. Every source class derives from `optscan.MarketData`,
//! which holds the core source behind an `Arc`, so `Scanner` accepts any of them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use scanner_core::market as core;

use crate::error::to_py;
use crate::runtime::block_on;

/// Base class of every source.
#[pyclass(subclass, frozen, module = "optscan")]
pub struct MarketData {
    /// The wrapped core value.
    pub inner: Arc<dyn core::MarketData>,
    /// The default as-of instant of scans over this source (None: now).
    pub as_of: Option<DateTime<Utc>>,
}

impl MarketData {
    fn init(inner: Arc<dyn core::MarketData>) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Self { inner, as_of: None })
    }
}

#[pymethods]
impl MarketData {
    /// Provenance label (`"synthetic"`, `"csv"`, `"yahoo"`, …).
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The symbols this source can scan (GIL released while it loads).
    fn universe(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let src = self.inner.clone();
        block_on(py, async move { src.universe().await })
    }

    fn __repr__(&self) -> String {
        format!("<optscan source {}>", self.inner.name())
    }
}

/// The seeded, offline synthetic market (the default source).
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct SyntheticMarket;

#[pymethods]
impl SyntheticMarket {
    #[new]
    #[pyo3(signature = (seed = 7, symbols = 60))]
    fn new(seed: u64, symbols: usize) -> PyResult<PyClassInitializer<Self>> {
        let market = core::SyntheticMarket::try_new(seed, symbols).map_err(to_py)?;
        Ok(MarketData::init(Arc::new(market)).add_subclass(Self))
    }
}

/// Daily history from CSV files (with file or generated option chains).
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct CsvMarket;

#[pymethods]
impl CsvMarket {
    /// `path`: a folder of CSV files or one file. `as_of`: the default as-of instant of scans
    /// over this source (a timezone-aware datetime), e.g. the last date of the data.
    #[new]
    #[pyo3(signature = (path, as_of = None))]
    fn new(
        path: std::path::PathBuf,
        as_of: Option<DateTime<Utc>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let market = core::CsvMarket::open(&path).map_err(to_py)?;
        Ok(PyClassInitializer::from(MarketData {
            inner: Arc::new(market),
            as_of,
        })
        .add_subclass(Self))
    }
}

/// Yahoo Finance over HTTP (no key).
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct YahooMarket;

#[pymethods]
impl YahooMarket {
    #[new]
    fn new() -> PyClassInitializer<Self> {
        MarketData::init(Arc::new(core::YahooMarket::new())).add_subclass(Self)
    }
}

/// Polygon.io over HTTP; the key comes from `api_key` or `$POLYGON_API_KEY`.
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct PolygonMarket;

#[pymethods]
impl PolygonMarket {
    #[new]
    #[pyo3(signature = (api_key = None))]
    fn new(api_key: Option<String>) -> PyResult<PyClassInitializer<Self>> {
        let m = core::PolygonMarket::new(api_key).map_err(to_py)?;
        Ok(MarketData::init(Arc::new(m)).add_subclass(Self))
    }
}

/// Tradier over HTTP; the token comes from `token` or `$TRADIER_TOKEN`.
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct TradierMarket;

#[pymethods]
impl TradierMarket {
    #[new]
    #[pyo3(signature = (token = None))]
    fn new(token: Option<String>) -> PyResult<PyClassInitializer<Self>> {
        let m = core::TradierMarket::new(token).map_err(to_py)?;
        Ok(MarketData::init(Arc::new(m)).add_subclass(Self))
    }
}
