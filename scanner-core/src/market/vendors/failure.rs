//! How one failed HTTP attempt is classified: its error kind, whether a retry can help,
//! and the server's `Retry-After`. Kept apart so the retry loop reads as a loop.

use std::time::Duration;

use reqwest::{StatusCode, Url};

use super::secret::redact_url;
use crate::{Error, ErrorKind};

/// The outcome of one attempt that did not succeed.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) status: Option<u16>,
    pub(crate) retryable: bool,
    pub(crate) retry_after: Option<Duration>,
}

impl Failure {
    /// A failure no retry can fix.
    pub(crate) fn fatal(error: Error) -> Self {
        Self {
            error,
            status: None,
            retryable: false,
            retry_after: None,
        }
    }

    /// A non-2xx answer: 404 is NotFound; 408, 429 and 5xx are retried; the rest is final.
    pub(crate) fn from_status(
        vendor: &str,
        url: &Url,
        status: StatusCode,
        retry_after: Option<Duration>,
    ) -> Self {
        let shown = redact_url(url.as_str());
        let (kind, retryable, hint) = match status.as_u16() {
            404 => (ErrorKind::NotFound, false, ""),
            429 => (ErrorKind::RateLimited, true, ""),
            408 => (ErrorKind::Timeout, true, ""),
            401 | 403 => (ErrorKind::DataSource, false, " (check the credentials)"),
            500..=599 => (ErrorKind::DataSource, true, ""),
            _ => (ErrorKind::DataSource, false, ""),
        };
        Failure {
            error: Error::new(
                kind,
                format!("{vendor}: GET {shown} returned HTTP {status}{hint}"),
            ),
            status: Some(status.as_u16()),
            retryable,
            retry_after,
        }
    }

    /// A transport error (timeout, refused connection, broken body): retried.
    pub(crate) fn transport(vendor: &str, url: &Url, e: reqwest::Error) -> Self {
        let shown = redact_url(url.as_str());
        let (kind, what) = if e.is_timeout() {
            (ErrorKind::Timeout, "timed out")
        } else if e.is_connect() {
            (ErrorKind::DataSource, "could not connect")
        } else {
            (ErrorKind::DataSource, "failed")
        };
        // Building or redirect-policy errors will not fix themselves; network ones might.
        let retryable = !(e.is_builder() || e.is_redirect());
        let error =
            Error::new(kind, format!("{vendor}: GET {shown} {what}")).with_source(e.without_url());
        Failure {
            error,
            status: None,
            retryable,
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds_and_retry_rules() {
        let url = Url::parse("http://h/v3/x?apiKey=s3cret").unwrap_or_else(|e| panic!("{e}"));
        let cases = [
            (404, ErrorKind::NotFound, false),
            (429, ErrorKind::RateLimited, true),
            (408, ErrorKind::Timeout, true),
            (401, ErrorKind::DataSource, false),
            (503, ErrorKind::DataSource, true),
            (400, ErrorKind::DataSource, false),
        ];
        for (code, kind, retryable) in cases {
            let status = StatusCode::from_u16(code).unwrap_or_else(|e| panic!("{e}"));
            let f = Failure::from_status("polygon", &url, status, None);
            assert_eq!(
                (f.error.kind(), f.retryable, f.status),
                (kind, retryable, Some(code))
            );
            assert!(!f.error.message().contains("s3cret"), "{}", f.error);
        }
    }
}
