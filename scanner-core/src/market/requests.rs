//! What a scan spent at each data provider. On vendor data a scan is bound by requests,
//! not compute, so every scan of an HTTP source reports them (`metadata.requests`).

use serde::{Deserialize, Serialize};

/// Requests made to one provider (over one scan, or since the source was built).
///
/// ```
/// use scanner_core::market::ProviderRequests;
/// let before = ProviderRequests { sent: 10, bytes: 4_000, ..Default::default() };
/// let after = ProviderRequests { sent: 25, retried: 1, bytes: 9_000, cache_hits: 3, ..Default::default() };
/// let run = after.since(&before);
/// assert_eq!((run.sent, run.retried, run.bytes, run.cache_hits), (15, 1, 5_000, 3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRequests {
    /// HTTP requests sent (every attempt, retries and session set-up included).
    pub sent: u64,
    /// Attempts that were retries of a failed one.
    pub retried: u64,
    /// Answers that were HTTP 429 (rate limited).
    pub rate_limited: u64,
    /// Response body bytes received.
    pub bytes: u64,
    /// Seconds requests spent waiting: for the pacer, the provider's rate-limit window,
    /// `Retry-After` and backoff (summed over concurrent requests).
    pub waiting_seconds: f64,
    /// Requests not sent because the store already held the answer (cached histories).
    pub cache_hits: u64,
}

impl ProviderRequests {
    /// The counts accumulated since `earlier` (a snapshot of the same counters).
    pub fn since(&self, earlier: &ProviderRequests) -> ProviderRequests {
        ProviderRequests {
            sent: self.sent.saturating_sub(earlier.sent),
            retried: self.retried.saturating_sub(earlier.retried),
            rate_limited: self.rate_limited.saturating_sub(earlier.rate_limited),
            bytes: self.bytes.saturating_sub(earlier.bytes),
            waiting_seconds: (self.waiting_seconds - earlier.waiting_seconds).max(0.0),
            cache_hits: self.cache_hits.saturating_sub(earlier.cache_hits),
        }
    }
}
