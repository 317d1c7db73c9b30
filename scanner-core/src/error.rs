//! One error type for the whole engine, with a stable, matchable [`ErrorKind`].
//!
//! Module errors (market data, cache, …) convert into [`Error`]; bindings map the kind to
//! Python exception classes and JS `code` strings, so the kind is the contract and the
//! message is for humans.

use std::fmt;

/// The stable category of an [`Error`]. Bindings expose it as an exception class (Python)
/// or `err.code` (Node); the CLI maps it to an exit code.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The caller passed something invalid (a negative strike, an unknown filter mode, …).
    InvalidInput,
    /// The requested symbol, scan or row does not exist.
    NotFound,
    /// A market-data source failed or returned unusable data.
    DataSource,
    /// A source refused the request because of its rate limit.
    RateLimited,
    /// An operation did not finish within its deadline.
    Timeout,
    /// The cache database failed.
    Database,
    /// Another writer holds the lock for this work (e.g. a scan of the same mode).
    Busy,
    /// The operation was cancelled by the caller.
    Cancelled,
    /// A bug or an unexpected state inside optscan.
    Internal,
}

impl ErrorKind {
    /// Every kind, in declaration order (bindings use it to build their class tables).
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::DataSource,
        ErrorKind::RateLimited,
        ErrorKind::Timeout,
        ErrorKind::Database,
        ErrorKind::Busy,
        ErrorKind::Cancelled,
        ErrorKind::Internal,
    ];

    /// The kind's stable name, as used for JS `err.code` (`"InvalidInput"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::DataSource => "DataSource",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Database => "Database",
            ErrorKind::Busy => "Busy",
            ErrorKind::Cancelled => "Cancelled",
            ErrorKind::Internal => "Internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error type of every fallible public function in `scanner_core`.
///
/// ```
/// use scanner_core::{Error, ErrorKind};
/// let err = Error::invalid_input("strike must be positive, got -1");
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert!(err.to_string().contains("strike"));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attach the underlying cause (kept for `source()` chains, never shown with secrets).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for an [`ErrorKind::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for an [`ErrorKind::Internal`] error.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message, without the kind prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Run `fut`, turning a panic inside it into an [`ErrorKind::Internal`] error, so a bug in
/// the engine (or in a source) fails one call instead of aborting the host process.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scanner_core::{catch_panic, ErrorKind};
/// let failed = catch_panic(async { if true { panic!("boom") } else { Ok(1) } }).await;
/// let err = failed.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Internal);
/// assert!(err.message().contains("boom"));
/// # });
/// ```
pub async fn catch_panic<T>(fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .unwrap_or_else(|p| Err(Error::internal(format!("panicked: {}", panic_message(&*p)))))
}

/// The text of a caught panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique_and_stable() {
        let names: std::collections::BTreeSet<_> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert_eq!(ErrorKind::Busy.to_string(), "Busy");
    }

    #[test]
    fn display_has_kind_and_message() {
        let e = Error::new(ErrorKind::Timeout, "symbol AAA took longer than 5 s");
        assert_eq!(e.to_string(), "Timeout: symbol AAA took longer than 5 s");
    }
}
