//! Market-data sources for Python. Every source class derives from `optscan.MarketData`,
//! which holds the core source behind an `Arc`, so `Scanner` accepts any of them. A Python
//! subclass of `MarketData` (or any object with the three methods) is wrapped as a
//! host source ([`crate::host_source`]); `MemoryMarket` converts Python data into the
//! core's [`core::MemoryMarket`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use scanner_core::market as core;

use crate::error::{invalid, to_py};
use crate::host_source::PySource;
use crate::host_table;
use crate::runtime::block_on;

/// Base class of every source. Subclass it in Python and define `universe()`,
/// `price_history(symbol, sessions, as_of)` and `option_chain(symbol, as_of)` (plain or
/// `async def`) to scan your own data.
#[pyclass(subclass, frozen, module = "optscan")]
pub struct MarketData {
    /// The wrapped core value (`None` for a source implemented in Python).
    pub inner: Option<Arc<dyn core::MarketData>>,
    /// The default as-of instant of scans over this source (None: now).
    pub as_of: Option<DateTime<Utc>>,
}

impl MarketData {
    fn init(inner: Arc<dyn core::MarketData>) -> PyClassInitializer<Self> {
        PyClassInitializer::from(Self {
            inner: Some(inner),
            as_of: None,
        })
    }

    fn native(&self) -> PyResult<&Arc<dyn core::MarketData>> {
        self.inner
            .as_ref()
            .ok_or_else(|| invalid("this MarketData subclass must define the method itself"))
    }
}

/// A core source and the default as-of of scans over it.
pub type SourceAndAsOf = (Arc<dyn core::MarketData>, Option<DateTime<Utc>>);

/// The core source behind any Python source object, and its default as-of: a built-in
/// source's own value, else the object wrapped as a [`PySource`].
pub fn source_from_py(obj: &Bound<'_, PyAny>) -> PyResult<SourceAndAsOf> {
    if let Ok(m) = obj.cast::<MarketData>() {
        let m = m.get();
        if let Some(inner) = &m.inner {
            return Ok((inner.clone(), m.as_of));
        }
    }
    Ok((Arc::new(PySource::new(obj)?), None))
}

#[pymethods]
impl MarketData {
    /// For subclasses written in Python (the arguments go to their `__init__`).
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(
        _args: &Bound<'_, pyo3::types::PyTuple>,
        _kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> Self {
        Self {
            inner: None,
            as_of: None,
        }
    }

    /// Provenance label (`"synthetic"`, `"csv"`, `"yahoo"`, `"memory"`, …; `"python"` for a
    /// subclass).
    #[getter]
    fn name(&self) -> String {
        self.inner
            .as_ref()
            .map_or_else(|| "python".to_owned(), |i| i.name().to_owned())
    }

    /// The symbols this source can scan (GIL released while it loads).
    fn universe(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let src = self.native()?.clone();
        block_on(py, async move { src.universe().await })
    }

    fn __repr__(&self) -> String {
        format!("<optscan source {}>", self.name())
    }
}

/// Histories and chains you already hold, scanned like `CsvMarket` scans files.
/// `histories`: `{symbol: DataFrame | dict of arrays | list of dicts}` (a date index or
/// column; open/high/low/close[/volume], any case). `chains`: `{symbol: chain | [chain, …]}`
/// where a chain is `{"spot": float, "as_of": datetime (optional: any as-of), "quotes":
/// DataFrame | list of dicts}` with yfinance or optscan column names. Symbols without
/// chains get generated ones (as `CsvMarket` does).
#[pyclass(extends = MarketData, frozen, module = "optscan")]
pub struct MemoryMarket;

#[pymethods]
impl MemoryMarket {
    #[new]
    #[pyo3(signature = (histories, chains = None, *, as_of = None, seed = 7))]
    fn new(
        histories: &Bound<'_, pyo3::types::PyDict>,
        chains: Option<&Bound<'_, pyo3::types::PyDict>>,
        as_of: Option<DateTime<Utc>>,
        seed: u64,
    ) -> PyResult<PyClassInitializer<Self>> {
        let mut m = core::MemoryMarket::new(core::MemoryMarketOptions {
            seed,
            ..Default::default()
        });
        for (sym, data) in histories.iter() {
            let sym: String = sym.extract()?;
            let t = host_table::table(&data)?;
            m.insert_history_table(&sym, &t).map_err(to_py)?;
        }
        for (sym, data) in chains.into_iter().flat_map(|c| c.iter()) {
            let sym: String = sym.extract()?;
            let many = data.cast::<pyo3::types::PyList>().is_ok_and(|l| {
                l.get_item(0)
                    .is_ok_and(|c| c.cast::<pyo3::types::PyDict>().is_ok_and(is_chain_dict))
            });
            let items: Vec<Bound<'_, PyAny>> = if many {
                data.try_iter()?.collect::<PyResult<_>>()?
            } else {
                vec![data]
            };
            for c in items {
                m.insert_chain(&sym, &host_table::chain(&c)?)
                    .map_err(to_py)?;
            }
        }
        m.check().map_err(to_py)?;
        Ok(PyClassInitializer::from(MarketData {
            inner: Some(Arc::new(m)),
            as_of,
        })
        .add_subclass(Self))
    }
}

fn is_chain_dict(d: &Bound<'_, pyo3::types::PyDict>) -> bool {
    d.contains("quotes").unwrap_or(false) || d.contains("contracts").unwrap_or(false)
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
    /// over this source (a timezone-aware datetime), e.g. the last date of the data. `seed`
    /// (7) seeds generated chains; `chain_dir` is the folder of chain snapshots (default
    /// `<path>/chains` when present) — as Node's `CsvMarket` options.
    #[new]
    #[pyo3(signature = (path, as_of = None, *, seed = 7, chain_dir = None))]
    fn new(
        path: std::path::PathBuf,
        as_of: Option<DateTime<Utc>>,
        seed: u64,
        chain_dir: Option<std::path::PathBuf>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let opts = core::CsvMarketOptions {
            seed,
            chain_dir,
            ..core::CsvMarketOptions::default()
        };
        let market = core::CsvMarket::open_with(&path, opts).map_err(to_py)?;
        Ok(PyClassInitializer::from(MarketData {
            inner: Some(Arc::new(market)),
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
