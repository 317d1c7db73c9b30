//! The knobs of the shared HTTP layer, in one plain `Default` struct so every vendor, the
//! bindings and the CLI configure timeouts, retries and rate limits the same way.

use std::time::Duration;

use crate::{Error, Result};

/// Timeouts, retries and rate limits for one vendor source.
///
/// ```
/// use std::time::Duration;
/// use scanner_core::market::vendors::HttpConfig;
/// let fast = HttpConfig { timeout: Duration::from_secs(2), ..HttpConfig::default() };
/// assert_eq!(fast.max_retries, 3);
/// assert!(fast.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// Time allowed for one request, body included. Default 10 s.
    pub timeout: Duration,
    /// Retries after the first attempt, on timeouts, connection errors, 408, 429 and 5xx.
    /// Default 3.
    pub max_retries: u32,
    /// First backoff delay; attempt `n` waits `backoff_base · 2ⁿ` plus up to 50 % jitter
    /// (or the server's `Retry-After`, if longer). Default 250 ms.
    pub backoff_base: Duration,
    /// Requests in flight at once to this provider. Default 4.
    pub max_concurrency: usize,
    /// Requests started per second to this provider. Default 5.
    pub requests_per_second: f64,
    /// Hard limit on everything one symbol's call does (all pages and retries).
    /// Default 30 s.
    pub symbol_deadline: Duration,
    /// The `User-Agent` header. Default `optscan/<version>`; some providers (Yahoo) answer
    /// unknown agents differently, so it can be set.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_retries: 3,
            backoff_base: Duration::from_millis(250),
            max_concurrency: 4,
            requests_per_second: 5.0,
            symbol_deadline: Duration::from_secs(30),
            user_agent: concat!("optscan/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl HttpConfig {
    /// Tradier's market-data limit: 120 requests a minute per token (the source also
    /// follows the `X-Ratelimit-*` headers Tradier sends).
    ///
    /// ```
    /// use scanner_core::market::vendors::HttpConfig;
    /// assert_eq!(HttpConfig::tradier().requests_per_second, 2.0);
    /// ```
    pub fn tradier() -> Self {
        Self {
            requests_per_second: 2.0,
            ..Self::default()
        }
    }

    /// Massive's (Polygon's) free plan: 5 requests a minute, one at a time. A symbol then
    /// takes a minute or more, so the per-symbol deadline is 10 minutes (raise the scan's
    /// `symbol_deadline_secs` to match).
    ///
    /// ```
    /// use scanner_core::market::vendors::HttpConfig;
    /// let free = HttpConfig::massive_free_tier();
    /// assert_eq!(free.request_interval_secs(), 12.0);
    /// ```
    pub fn massive_free_tier() -> Self {
        Self {
            requests_per_second: 5.0 / 60.0,
            max_concurrency: 1,
            symbol_deadline: Duration::from_secs(600),
            ..Self::default()
        }
    }

    /// Seconds between request starts at `requests_per_second`.
    pub fn request_interval_secs(&self) -> f64 {
        self.request_interval().as_secs_f64()
    }

    /// Check that the limits can be honoured: positive timeouts, at least one request in
    /// flight, and a finite positive request rate.
    pub fn validate(&self) -> Result<()> {
        if self.timeout.is_zero() || self.symbol_deadline.is_zero() {
            return Err(Error::invalid_input(
                "http config: timeout and symbol_deadline must be positive",
            ));
        }
        if self.user_agent.trim().is_empty()
            || reqwest::header::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(Error::invalid_input(
                "http config: user_agent must be a non-empty header value",
            ));
        }
        if self.max_concurrency == 0 {
            return Err(Error::invalid_input(
                "http config: max_concurrency must be at least 1",
            ));
        }
        if !(self.requests_per_second.is_finite() && self.requests_per_second > 0.0) {
            return Err(Error::invalid_input(format!(
                "http config: requests_per_second must be positive and finite, got {}",
                self.requests_per_second
            )));
        }
        Ok(())
    }

    /// The spacing between request starts that `requests_per_second` implies.
    pub(crate) fn request_interval(&self) -> Duration {
        Duration::try_from_secs_f64(1.0 / self.requests_per_second).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_limits_that_cannot_be_honoured() {
        let zero_rate = HttpConfig {
            requests_per_second: 0.0,
            ..HttpConfig::default()
        };
        assert!(zero_rate.validate().is_err());
        let no_slots = HttpConfig {
            max_concurrency: 0,
            ..HttpConfig::default()
        };
        assert!(no_slots.validate().is_err());
        assert_eq!(
            HttpConfig::default().request_interval(),
            Duration::from_millis(200)
        );
    }
}
