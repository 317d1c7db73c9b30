//! Daily histories change once a session, not every scan: [`CachedHistories`] keeps each
//! symbol's bars in the store (`symbol_analysis_cache`, keyed `history:<source>:<SYMBOL>`,
//! fingerprinted by the last completed session) and asks the source only for what is
//! missing. A scan reads every symbol's row in one statement before fetching and writes the
//! new ones in one statement after; hits are reported in `metadata.requests`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};

use super::ScanStore;
use crate::calendar::ny_date;
use crate::market::{MarketData, ProviderRequests, SymbolProvenance};
use crate::model::{OptionChain, PriceHistory, Rejections};
use crate::Result;

/// Bars asked for beyond the weekdays missing from a cached history (holidays, a late bar).
const TOP_UP_SLACK: usize = 3;

/// A source whose daily histories are cached in a [`ScanStore`].
///
/// ```no_run
/// # async fn run() -> scanner_core::Result<()> {
/// use std::sync::Arc;
/// use scanner_core::cache::{CachedHistories, ScanStore, StoreOptions};
/// use scanner_core::market::{MarketData, YahooMarket};
/// let store = ScanStore::open(None, StoreOptions::default()).await?;
/// let source: Arc<dyn MarketData> =
///     Arc::new(CachedHistories::new(Arc::new(YahooMarket::new()), store));
/// # Ok(()) }
/// ```
pub struct CachedHistories {
    inner: Arc<dyn MarketData>,
    store: ScanStore,
    loaded: Mutex<HashMap<String, (NaiveDate, Arc<PriceHistory>)>>,
    fresh: Mutex<Vec<(String, String, String)>>,
    hits: AtomicU64,
    errors: AtomicU64,
}

impl CachedHistories {
    /// Cache `inner`'s histories in `store`.
    pub fn new(inner: Arc<dyn MarketData>, store: ScanStore) -> Self {
        Self {
            inner,
            store,
            loaded: Mutex::new(HashMap::new()),
            fresh: Mutex::new(Vec::new()),
            hits: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    /// Store operations that failed (the scan then fetched from the source instead).
    pub fn store_errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    fn key(&self, symbol: &str) -> String {
        format!(
            "history:{}:{}",
            self.inner.name(),
            symbol.trim().to_ascii_uppercase()
        )
    }

    fn cached(&self, symbol: &str) -> Option<(NaiveDate, Arc<PriceHistory>)> {
        let map = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&self.key(symbol)).cloned()
    }

    fn remember(&self, symbol: &str, session: NaiveDate, history: &PriceHistory) {
        let Ok(payload) = serde_json::to_string(history) else {
            return;
        };
        let key = self.key(symbol);
        let mut fresh = self.fresh.lock().unwrap_or_else(|p| p.into_inner());
        fresh.retain(|(k, _, _)| *k != key);
        fresh.push((key, session.to_string(), payload));
    }
}

/// The last session whose daily bar is final at `as_of`: today after 16:00 New York on a
/// weekday, else the weekday before (exchange holidays are not modelled: a holiday's
/// fingerprint just matches the bars fetched on it).
pub(crate) fn last_session(as_of: DateTime<Utc>) -> NaiveDate {
    let ny = as_of.with_timezone(&chrono_tz::America::New_York);
    let mut d = ny_date(as_of);
    let weekday = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    if weekday && ny.hour() >= 16 {
        return d;
    }
    loop {
        d = d.pred_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return d;
        }
    }
}

/// A history read back from the store, checked like any new one (a row edited by hand or
/// written by another version must not slip past the invariants).
fn revalidate(h: &PriceHistory) -> Result<PriceHistory> {
    PriceHistory::new(
        h.symbol(),
        h.dates().to_vec(),
        h.open().to_vec(),
        h.high().to_vec(),
        h.low().to_vec(),
        h.close().to_vec(),
        h.volume().to_vec(),
    )
}

/// `old`'s bars before `new`'s first date, then `new`'s.
fn merge(old: &PriceHistory, new: &PriceHistory) -> Result<PriceHistory> {
    let first_new = new.dates().first().copied();
    let keep = old
        .dates()
        .iter()
        .take_while(|d| first_new.is_none_or(|f| **d < f))
        .count();
    let join = |a: &[f64], b: &[f64]| a[..keep].iter().chain(b).copied().collect::<Vec<_>>();
    PriceHistory::new(
        new.symbol(),
        old.dates()[..keep]
            .iter()
            .chain(new.dates())
            .copied()
            .collect(),
        join(old.open(), new.open()),
        join(old.high(), new.high()),
        join(old.low(), new.low()),
        join(old.close(), new.close()),
        join(old.volume(), new.volume()),
    )
}

#[async_trait]
impl MarketData for CachedHistories {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn universe(&self) -> Result<Vec<String>> {
        self.inner.universe().await
    }

    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let session = last_session(as_of);
        let cutoff = ny_date(as_of);
        if let Some((fp, cached)) = self.cached(symbol) {
            if fp == session && cached.len() >= sessions {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(cached.truncated(cutoff, sessions));
            }
            // An older fingerprint: ask only for the bars since the cached ones.
            if let Some(last) = cached.last_date().filter(|d| *d < cutoff) {
                let gap = (cutoff - last).num_days().max(0) as usize;
                let wanted = gap * 5 / 7 + TOP_UP_SLACK;
                if wanted < sessions {
                    let recent = self.inner.price_history(symbol, wanted, as_of).await?;
                    let merged = merge(&cached, &recent)?.truncated(cutoff, sessions);
                    if merged.len() >= sessions {
                        self.remember(symbol, session, &merged);
                        return Ok(merged);
                    }
                }
            }
        }
        let history = self.inner.price_history(symbol, sessions, as_of).await?;
        self.remember(symbol, session, &history);
        Ok(history)
    }

    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        self.inner.option_chain(symbol, as_of).await
    }

    fn provenance(&self, symbol: &str) -> Option<SymbolProvenance> {
        self.inner.provenance(symbol)
    }

    fn source_rejections(&self, symbol: &str) -> Rejections {
        self.inner.source_rejections(symbol)
    }

    fn requests(&self) -> Option<ProviderRequests> {
        let mut r = self.inner.requests().unwrap_or_default();
        r.cache_hits += self.hits.load(Ordering::Relaxed);
        Some(r)
    }

    /// Load every symbol's cached history in one statement.
    async fn prepare(&self, symbols: &[String], sessions: usize, as_of: DateTime<Utc>) {
        self.inner.prepare(symbols, sessions, as_of).await;
        let keys: Vec<String> = symbols.iter().map(|s| self.key(s)).collect();
        let rows = match self.store.inner.backend.symbol_rows(&keys).await {
            Ok(rows) => rows,
            Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        for (key, (fp, payload)) in rows {
            let parsed = NaiveDate::parse_from_str(&fp, "%Y-%m-%d")
                .ok()
                .zip(serde_json::from_str::<PriceHistory>(&payload).ok())
                .and_then(|(d, h)| Some((d, revalidate(&h).ok()?)));
            match parsed {
                Some((d, h)) => {
                    loaded.insert(key, (d, Arc::new(h)));
                }
                // An unreadable row is refetched and overwritten.
                None => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Save the histories fetched during the scan in one statement.
    async fn finish(&self) {
        self.inner.finish().await;
        let rows = std::mem::take(&mut *self.fresh.lock().unwrap_or_else(|p| p.into_inner()));
        if self
            .store
            .inner
            .backend
            .put_symbol_rows(&rows)
            .await
            .is_err()
        {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_last_final_session_is_today_after_the_close_else_the_weekday_before() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap_or_default();
        // Wednesday 2024-07-10, 15:00 New York: Tuesday's bar is the last final one.
        let open = Utc.with_ymd_and_hms(2024, 7, 10, 19, 0, 0).unwrap();
        assert_eq!(last_session(open), d(7, 9));
        // 16:30 New York: today's.
        let closed = Utc.with_ymd_and_hms(2024, 7, 10, 20, 30, 0).unwrap();
        assert_eq!(last_session(closed), d(7, 10));
        // Monday morning: Friday's. Sunday: Friday's.
        let monday = Utc.with_ymd_and_hms(2024, 7, 15, 13, 0, 0).unwrap();
        assert_eq!(last_session(monday), d(7, 12));
        let sunday = Utc.with_ymd_and_hms(2024, 7, 14, 20, 0, 0).unwrap();
        assert_eq!(last_session(sunday), d(7, 12));
    }
}
