//! # scanner-core
//!
//! The optscan engine: market data sources, option math (Black–Scholes–Merton greeks,
//! implied volatility, probabilities), the scan pipeline, backtests, and the scan cache.
//! Python, Node and the `optscan` command call into this crate; all logic lives here.
//!
//! Conventions (timestamps in UTC, calendar-time year fractions, raw greeks as plain partial
//! derivatives) are documented in [`calendar`] and [`pricing`].
#![deny(missing_docs)]

pub mod backtest;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub mod cache;
pub mod calendar;
pub mod calibrate;
mod error;
pub mod market;
pub mod model;
pub mod pricing;
pub mod probability;
pub mod scan;
pub mod signals;

pub use error::{catch_panic, Error, ErrorKind, Result};

#[cfg(test)]
mod send_sync {
    //! Public types cross `future_into_py` and napi async functions: they must be
    //! `Send + Sync + 'static`.
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<crate::Error>();
        assert_send_sync::<crate::model::OptionChain>();
        assert_send_sync::<crate::model::PriceHistory>();
        assert_send_sync::<crate::model::ScanResult>();
    }
}
