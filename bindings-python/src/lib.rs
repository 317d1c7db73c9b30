//! `optscan._native`: the Python face of `scanner-core`. Each module converts Python values
//! to core types and back; every bit of logic stays in the core.

mod broadcast;
mod error;
mod pricing;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::init_async()?;
    error::register(m)?;
    m.add_function(wrap_pyfunction!(pricing::black_scholes, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::implied_volatility, m)?)?;
    m.add("IV_STATUS", pricing::iv_status(m.py())?)?;
    Ok(())
}
