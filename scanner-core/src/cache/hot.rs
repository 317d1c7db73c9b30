//! The newest scan of each mode, decoded once and kept in memory.
//!
//! A cached scan is a few hundred kB of JSON; fetching and parsing it on every read cost
//! milliseconds. Saved rows never change (a second save of a `scan_id` is a no-op), so a
//! read asks the database only for the `scan_id` at the head of the table and reuses the
//! decoded scan, and its JSON text, while that id stays the same. The memo is always
//! checked against the database, so it can never serve a scan the table no longer leads with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Utc;
use uuid::Uuid;

use super::http::HttpRepresentation;
use super::types::{age_minutes, minutes, CachedJson, CachedScan, ServeSource};
use super::ScanStore;
use crate::model::{CandidateSet, FilterMode, ScanResult};
use crate::{Error, Result};

/// A decoded scan and, once asked for, its canonical JSON text.
#[derive(Debug)]
pub(crate) struct HotScan {
    pub result: ScanResult,
    json: OnceLock<Arc<str>>,
    http: OnceLock<Arc<HttpRepresentation>>,
    /// Held while the representation is built: concurrent first requests wait for one
    /// build (a CPU-heavy compression) instead of each running their own.
    building: Mutex<()>,
    /// The scan's candidate set, loaded from the database on first screen.
    pub candidates: tokio::sync::OnceCell<Arc<CandidateSet>>,
}

impl HotScan {
    pub fn new(result: ScanResult) -> Self {
        Self {
            result,
            json: OnceLock::new(),
            http: OnceLock::new(),
            building: Mutex::new(()),
            candidates: tokio::sync::OnceCell::new(),
        }
    }

    /// [`ScanResult::to_json`], serialised on first use and shared afterwards.
    pub fn json(&self) -> Result<Arc<str>> {
        if let Some(j) = self.json.get() {
            return Ok(Arc::clone(j));
        }
        let text: Arc<str> = self.result.to_json()?.into();
        Ok(Arc::clone(self.json.get_or_init(|| text)))
    }

    /// The JSON text's HTTP representation (tag, gzip, brotli), built on first use and shared.
    pub fn http(&self) -> Result<Arc<HttpRepresentation>> {
        if let Some(h) = self.http.get() {
            return Ok(Arc::clone(h));
        }
        let _building = self
            .building
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(h) = self.http.get() {
            return Ok(Arc::clone(h)); // built while this call waited
        }
        let r = &self.result;
        let rep = Arc::new(HttpRepresentation::new(
            self.json()?,
            r.scan_id,
            r.scan_timestamp,
        )?);
        Ok(Arc::clone(self.http.get_or_init(|| rep)))
    }
}

/// One memo per mode, keyed by the scan's id.
#[derive(Debug, Default)]
pub(crate) struct HotCache {
    by_mode: Mutex<HashMap<FilterMode, Arc<HotScan>>>,
}

impl HotCache {
    /// The memo of `mode` if it holds scan `id`.
    pub fn get(&self, mode: FilterMode, id: Uuid) -> Option<Arc<HotScan>> {
        let map = self
            .by_mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&mode)
            .filter(|h| h.result.scan_id == id)
            .map(Arc::clone)
    }

    /// Whether any scan of `mode` is remembered.
    pub fn holds(&self, mode: FilterMode) -> bool {
        self.by_mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(&mode)
    }

    /// Remember `scan` as the newest of its mode.
    pub fn put(&self, scan: Arc<HotScan>) {
        self.by_mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(scan.result.filter_mode, scan);
    }
}

/// A scan on its way out of the store: the shared decoded scan plus how it is served.
#[derive(Debug, Clone)]
pub(crate) struct Served {
    pub scan: Arc<HotScan>,
    pub age_minutes: f64,
    pub is_stale: bool,
    pub source: ServeSource,
    pub error: Option<String>,
}

impl Served {
    /// `scan` as read from the cache now: its current age, not stale.
    pub fn new(scan: Arc<HotScan>, source: ServeSource) -> Self {
        Self {
            age_minutes: age_minutes(scan.result.scan_timestamp, Utc::now()),
            scan,
            is_stale: false,
            source,
            error: None,
        }
    }

    /// As a [`CachedScan`] owning a copy of the result.
    pub fn into_cached_scan(self) -> CachedScan {
        CachedScan {
            result: self.scan.result.clone(),
            age_minutes: self.age_minutes,
            is_stale: self.is_stale,
            source: self.source,
            error: self.error,
        }
    }

    /// As a [`CachedJson`] sharing the scan's JSON text.
    pub fn into_json(self) -> Result<CachedJson> {
        let r = &self.scan.result;
        Ok(CachedJson {
            json: self.scan.json()?,
            http: self.scan.http()?,
            scan_id: r.scan_id,
            scan_timestamp: r.scan_timestamp,
            filter_mode: r.filter_mode,
            opportunity_count: r.opportunities.len(),
            total_evaluated: r.total_evaluated,
            age_minutes: self.age_minutes,
            is_stale: self.is_stale,
            source: self.source,
            error: self.error,
        })
    }
}

impl ScanStore {
    /// The newest scan of `mode` from the in-memory memo when the table still leads with
    /// it, else read and remembered; `None` when there is none or it is older than `max_age`.
    pub(crate) async fn latest_served(
        &self,
        mode: FilterMode,
        max_age: Option<chrono::Duration>,
    ) -> Result<Option<Served>> {
        if let Some(age) = max_age {
            if age < chrono::Duration::zero() {
                return Err(Error::invalid_input(format!(
                    "max_age must be >= 0, got {age}"
                )));
            }
        }
        let prefer_good = self.inner.opts.prefer_good_scans;
        // Nothing remembered yet (a cold process): read the scan itself at once rather than
        // first its id — one round trip instead of two.
        let remembered = match self.inner.hot.holds(mode) {
            false => None,
            true => match self.inner.backend.latest_id(mode, prefer_good).await? {
                None => return Ok(None),
                Some(id) => self.inner.hot.get(mode, id),
            },
        };
        let scan = match remembered {
            Some(scan) => scan,
            // Not seen yet: read it (or whatever newer row replaced it meanwhile).
            None => match self.inner.backend.latest(mode, prefer_good).await? {
                Some(result) => {
                    let scan = Arc::new(HotScan::new(result));
                    self.inner.hot.put(Arc::clone(&scan));
                    scan
                }
                None => return Ok(None),
            },
        };
        let served = Served::new(scan, ServeSource::Cache);
        Ok(match max_age {
            Some(age) if served.age_minutes > minutes(age) => None,
            _ => Some(served),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_answers_only_for_the_same_id_and_json_matches_to_json() {
        let cache = HotCache::default();
        let scan = ScanResult::empty(FilterMode::Strict);
        let id = scan.scan_id;
        let expected = scan.to_json().expect("json");
        cache.put(Arc::new(HotScan::new(scan)));
        let hit = cache.get(FilterMode::Strict, id).expect("memo hit");
        assert_eq!(&*hit.json().expect("json"), expected.as_str());
        // The second call shares the same text.
        assert!(Arc::ptr_eq(&hit.json().unwrap(), &hit.json().unwrap()));
        assert!(cache.get(FilterMode::Strict, Uuid::new_v4()).is_none());
        assert!(cache.get(FilterMode::Relaxed, id).is_none());
    }
}
