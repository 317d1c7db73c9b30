//! The request budget of one provider: a pacer that spaces request starts to the configured
//! rate and to what the provider says is left (Tradier's `X-Ratelimit-*`, any
//! `Retry-After`), and the counters a scan reports as `metadata.requests`. Pacing to the
//! provider's window is what keeps a long scan out of 429s instead of retrying into them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use crate::market::ProviderRequests;

/// Pacer and counters shared by every request of one source.
pub(crate) struct Budget {
    interval: Duration,
    next_start: Mutex<Instant>,
    sent: AtomicU64,
    retried: AtomicU64,
    rate_limited: AtomicU64,
    bytes: AtomicU64,
    waited_nanos: AtomicU64,
}

impl Budget {
    /// A budget that starts at most one request per `interval`.
    pub(crate) fn new(interval: Duration) -> Self {
        Self {
            interval,
            next_start: Mutex::new(Instant::now()),
            sent: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            waited_nanos: AtomicU64::new(0),
        }
    }

    /// Wait for this request's start slot. A slot at or past `deadline` is not waited for
    /// (`false`: the caller gives up).
    pub(crate) async fn pace(&self, deadline: Instant) -> bool {
        let start = {
            let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
            let start = (*next).max(Instant::now());
            if start >= deadline {
                return false;
            }
            *next = start
                .checked_add(self.interval)
                .unwrap_or_else(super::http::far_future);
            start
        };
        self.wait_until(start).await;
        self.sent.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Sleep (a backoff), counting the time as waiting.
    pub(crate) async fn sleep(&self, d: Duration) {
        self.wait_until(Instant::now() + d).await;
    }

    async fn wait_until(&self, t: Instant) {
        let d = t.saturating_duration_since(Instant::now());
        if !d.is_zero() {
            let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
            self.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
            tokio::time::sleep_until(t).await;
        }
    }

    /// Start no request before `until` (a `Retry-After`, an exhausted window).
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
        *next = (*next).max(until);
    }

    /// Read Tradier-style `X-Ratelimit-Available` / `X-Ratelimit-Expiry` (epoch ms when the
    /// window resets): spread what is left of the window evenly over its remaining time,
    /// and wait for the reset when nothing is left.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let Some((available, left)) = window(headers, chrono::Utc::now().timestamp_millis()) else {
            return;
        };
        let now = Instant::now();
        let until = if available == 0 {
            now.checked_add(left)
        } else {
            now.checked_add(left / u32::try_from(available).unwrap_or(u32::MAX))
        };
        if let Some(t) = until {
            self.hold_until(t);
        }
    }

    pub(crate) fn count_retry(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_bytes(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// The counters so far.
    pub(crate) fn snapshot(&self) -> ProviderRequests {
        ProviderRequests {
            sent: self.sent.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            waiting_seconds: self.waited_nanos.load(Ordering::Relaxed) as f64 / 1e9,
            // Served from the store, not this provider: counted by `CachedHistories`.
            cache_hits: 0,
        }
    }
}

/// Requests left in the provider's window and the time until it resets, from
/// `X-Ratelimit-Available` and `X-Ratelimit-Expiry` (epoch milliseconds), at `now_ms`.
fn window(headers: &HeaderMap, now_ms: i64) -> Option<(u64, Duration)> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    let available = u64::try_from(num("x-ratelimit-available")?).ok()?;
    let expiry_ms = num("x-ratelimit-expiry")?;
    // A reset more than an hour away is a unit mix-up or a hostile value: ignore it.
    let left_ms = u64::try_from(expiry_ms.checked_sub(now_ms)?).ok()?;
    (left_ms <= 3_600_000).then(|| (available, Duration::from_millis(left_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                *k,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn tradier_window_headers_are_read_and_nonsense_ignored() {
        let now = 1_700_000_000_000;
        let h = headers(&[
            ("x-ratelimit-allowed", "120"),
            ("x-ratelimit-used", "100"),
            ("x-ratelimit-available", "20"),
            ("x-ratelimit-expiry", "1700000030000"),
        ]);
        assert_eq!(window(&h, now), Some((20, Duration::from_secs(30))));
        let past = headers(&[("x-ratelimit-available", "0"), ("x-ratelimit-expiry", "1")]);
        assert_eq!(window(&past, now), None);
        let far = headers(&[
            ("x-ratelimit-available", "0"),
            ("x-ratelimit-expiry", "1800000000000"),
        ]);
        assert_eq!(window(&far, now), None);
        assert_eq!(
            window(&headers(&[("x-ratelimit-available", "3")]), now),
            None
        );
    }

    #[tokio::test]
    async fn an_exhausted_window_holds_the_next_start_until_the_reset() {
        let b = Budget::new(Duration::from_millis(1));
        let reset = chrono::Utc::now().timestamp_millis() + 300;
        b.observe(&headers(&[
            ("x-ratelimit-available", "0"),
            ("x-ratelimit-expiry", &reset.to_string()),
        ]));
        let t = Instant::now();
        assert!(b.pace(t + Duration::from_secs(5)).await);
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t.elapsed()
        );
        let s = b.snapshot();
        assert_eq!(s.sent, 1);
        assert!(s.waiting_seconds >= 0.25);
        // A slot past the deadline is refused without waiting.
        b.hold_until(Instant::now() + Duration::from_secs(60));
        assert!(!b.pace(Instant::now() + Duration::from_millis(10)).await);
    }
}
