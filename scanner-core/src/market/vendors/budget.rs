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
    /// No request starts before this, even one whose start slot was handed out earlier.
    hold: Mutex<Instant>,
    /// What the provider said is left in its window (less requests already on their way)
    /// and when the window resets; each request sent spends one.
    window: Mutex<Option<(u64, Instant)>>,
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
            hold: Mutex::new(Instant::now()),
            window: Mutex::new(None),
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
        true
    }

    /// Just before sending (with a connection slot in hand): wait out a hold that came in
    /// after this request's start slot was handed out (`false`: it ends after `deadline`).
    /// Then count the request as sent.
    pub(crate) async fn clear_to_send(&self, deadline: Instant) -> bool {
        let hold = *self.hold.lock().unwrap_or_else(|p| p.into_inner());
        if hold > Instant::now() {
            if hold >= deadline {
                return false;
            }
            self.wait_until(hold).await;
        }
        loop {
            let reset = {
                let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
                match *w {
                    Some((left, reset)) if reset > Instant::now() => {
                        if left > 0 {
                            *w = Some((left - 1, reset));
                            break;
                        }
                        reset
                    }
                    _ => {
                        *w = None; // the window is over: the next answer says what is left
                        break;
                    }
                }
            };
            if reset >= deadline {
                return false;
            }
            self.wait_until(reset).await;
        }
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
        let mut hold = self.hold.lock().unwrap_or_else(|p| p.into_inner());
        *hold = (*hold).max(until);
    }

    /// Read Tradier-style `X-Ratelimit-Available` / `X-Ratelimit-Expiry` (epoch ms when the
    /// window resets): spread what is left of the window evenly over its remaining time,
    /// and wait for the reset when nothing is left. `in_flight` requests may already be on
    /// their way and count against what is left (the answer is one round trip old).
    pub(crate) fn observe(&self, headers: &HeaderMap, in_flight: u64) {
        let Some((available, left)) = window(headers, chrono::Utc::now().timestamp_millis()) else {
            return;
        };
        let now = Instant::now();
        let spendable = available.saturating_sub(in_flight);
        if let Some(reset) = now.checked_add(left) {
            *self.window.lock().unwrap_or_else(|p| p.into_inner()) = Some((spendable, reset));
        }
        // Spread what is left over the rest of the window rather than spending it at once.
        if spendable > 0 {
            let gap = left / u32::try_from(spendable).unwrap_or(u32::MAX);
            if let Some(t) = now.checked_add(gap) {
                let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
                *next = (*next).max(t);
            }
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
        // Two left, but two requests already on their way: nothing to spend until the reset.
        let window_headers = headers(&[
            ("x-ratelimit-available", "2"),
            ("x-ratelimit-expiry", &reset.to_string()),
        ]);
        b.observe(&window_headers, 2);
        let t = Instant::now();
        let deadline = t + Duration::from_secs(5);
        assert!(b.pace(deadline).await && b.clear_to_send(deadline).await);
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t.elapsed()
        );
        let s = b.snapshot();
        assert_eq!(s.sent, 1);
        assert!(s.waiting_seconds >= 0.25);
        // A slot past the deadline is refused without waiting, before and after pacing.
        let soon = Instant::now() + Duration::from_millis(10);
        assert!(b.pace(Instant::now() + Duration::from_secs(5)).await);
        b.hold_until(Instant::now() + Duration::from_secs(60));
        assert!(!b.clear_to_send(soon).await);
        assert!(!b.pace(soon).await);
    }
}
