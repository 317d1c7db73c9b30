//! The one place where core errors become Python exceptions: a tree rooted at
//! `optscan.OptscanError` with one subclass per [`ErrorKind`], so callers can catch broadly or
//! by kind, and every function maps errors the same way.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use scanner_core::{Error, ErrorKind};

create_exception!(
    optscan,
    OptscanError,
    PyException,
    "Root of every optscan error."
);
create_exception!(
    optscan,
    InvalidInputError,
    OptscanError,
    "An argument was invalid."
);
create_exception!(
    optscan,
    NotFoundError,
    OptscanError,
    "A symbol, scan or row does not exist."
);
create_exception!(
    optscan,
    DataSourceError,
    OptscanError,
    "A market-data source failed."
);
create_exception!(
    optscan,
    RateLimitedError,
    OptscanError,
    "A source refused the request (rate limit)."
);
create_exception!(
    optscan,
    TimeoutError,
    OptscanError,
    "An operation missed its deadline."
);
create_exception!(
    optscan,
    DatabaseError,
    OptscanError,
    "The cache database failed."
);
create_exception!(
    optscan,
    BusyError,
    OptscanError,
    "Another writer holds the lock for this work."
);
create_exception!(
    optscan,
    CancelledError,
    OptscanError,
    "The operation was cancelled."
);
create_exception!(
    optscan,
    InternalError,
    OptscanError,
    "A bug or unexpected state inside optscan."
);

/// The Python class of an error kind (the root for kinds added after this binding).
fn class_of(py: Python<'_>, kind: ErrorKind) -> Bound<'_, pyo3::types::PyType> {
    match kind {
        ErrorKind::InvalidInput => py.get_type::<InvalidInputError>(),
        ErrorKind::NotFound => py.get_type::<NotFoundError>(),
        ErrorKind::DataSource => py.get_type::<DataSourceError>(),
        ErrorKind::RateLimited => py.get_type::<RateLimitedError>(),
        ErrorKind::Timeout => py.get_type::<TimeoutError>(),
        ErrorKind::Database => py.get_type::<DatabaseError>(),
        ErrorKind::Busy => py.get_type::<BusyError>(),
        ErrorKind::Cancelled => py.get_type::<CancelledError>(),
        ErrorKind::Internal => py.get_type::<InternalError>(),
        _ => py.get_type::<OptscanError>(),
    }
}

/// The core kind of an `optscan` exception (`None` for any other exception).
pub fn kind_of(py: Python<'_>, err: &PyErr) -> Option<ErrorKind> {
    [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::DataSource,
        ErrorKind::RateLimited,
        ErrorKind::Timeout,
        ErrorKind::Database,
        ErrorKind::Busy,
        ErrorKind::Cancelled,
        ErrorKind::Internal,
    ]
    .into_iter()
    .find(|k| err.is_instance(py, &class_of(py, *k)))
}

/// Convert a core error into the exception of its kind (message without the kind prefix).
pub fn to_py(err: Error) -> PyErr {
    let m = err.message().to_owned();
    let py_err = match err.kind() {
        ErrorKind::InvalidInput => InvalidInputError::new_err(m),
        ErrorKind::NotFound => NotFoundError::new_err(m),
        ErrorKind::DataSource => DataSourceError::new_err(m),
        ErrorKind::RateLimited => RateLimitedError::new_err(m),
        ErrorKind::Timeout => TimeoutError::new_err(m),
        ErrorKind::Database => DatabaseError::new_err(m),
        ErrorKind::Busy => BusyError::new_err(m),
        ErrorKind::Cancelled => CancelledError::new_err(m),
        ErrorKind::Internal => InternalError::new_err(m),
        _ => OptscanError::new_err(m),
    };
    // The source chain (an I/O or driver error) becomes `__cause__`, innermost last.
    let chain: Vec<String> = std::iter::successors(std::error::Error::source(&err), |c| c.source())
        .map(|c| c.to_string())
        .collect();
    if !chain.is_empty() {
        Python::attach(|py| {
            let cause = chain.into_iter().rev().fold(None, |inner, message| {
                let c = pyo3::exceptions::PyException::new_err(message);
                c.set_cause(py, inner);
                Some(c)
            });
            py_err.set_cause(py, cause);
        });
    }
    py_err
}

/// Shorthand for an `InvalidInputError`.
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py(Error::invalid_input(message))
}

/// `(kind name, exception class)` for every core kind: the tests check none is missing.
#[pyfunction]
pub fn _error_classes(py: Python<'_>) -> Vec<(&'static str, Bound<'_, pyo3::types::PyType>)> {
    ErrorKind::ALL
        .iter()
        .map(|&k| (k.as_str(), class_of(py, k)))
        .collect()
}

/// Raise the exception of the kind named `kind` (lets tests exercise the real mapping).
#[pyfunction]
pub fn _raise_kind(kind: &str) -> PyResult<()> {
    match ErrorKind::ALL.iter().find(|k| k.as_str() == kind) {
        Some(&k) => Err(to_py(Error::new(k, format!("test {kind}")))),
        None => Err(invalid(format!("unknown error kind {kind:?}"))),
    }
}

/// Register the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("OptscanError", py.get_type::<OptscanError>())?;
    for &k in ErrorKind::ALL.iter() {
        m.add(format!("{}Error", k.as_str()), class_of(py, k))?;
    }
    m.add_function(wrap_pyfunction!(_error_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_raise_kind, m)?)?;
    Ok(())
}
