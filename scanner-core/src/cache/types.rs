//! The records the cache hands out: a served scan with its age and provenance, history
//! summaries, rotation state and push notices.
//!
//! They are plain serde structs so the CLI, the bindings and an HTTP route can emit them as
//! JSON without another mapping layer.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::http::{HttpRepresentation, HttpRequest, Negotiated};
use crate::model::{FilterMode, ScanResult};

/// Where a served result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServeSource {
    /// Read from the cache table.
    Cache,
    /// Produced by a live scan during this request.
    Live,
}

impl ServeSource {
    /// `"cache"` or `"live"`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Live => "live",
        }
    }
}

/// A scan as served: the result plus how old it is and whether it is past its max age.
///
/// Serialised in camelCase with the result's own fields (`scanTimestamp`, …) flattened in,
/// next to `ageMinutes`, `isStale`, `source` and `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedScan {
    /// The stored scan, exactly as saved.
    #[serde(flatten)]
    pub result: ScanResult,
    /// Minutes between `result.scan_timestamp` and the moment it was read.
    pub age_minutes: f64,
    /// True when the result is older than the caller's max age (served stale).
    pub is_stale: bool,
    /// `cache` or `live`.
    pub source: ServeSource,
    /// Why a stale result was served instead of a fresh one (a failed live scan), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CachedScan {
    /// Wrap a result read from the cache, computing its age now; not stale.
    pub fn from_cache(result: ScanResult) -> Self {
        let age_minutes = age_minutes(result.scan_timestamp, Utc::now());
        Self {
            result,
            age_minutes,
            is_stale: false,
            source: ServeSource::Cache,
            error: None,
        }
    }
}

/// A scan as served, as its canonical JSON text: for HTTP handlers that hand the document
/// on without building a [`ScanResult`] per request (see [`super::ScanStore::serve_json`]).
///
/// `json` is exactly [`ScanResult::to_json`] of the stored scan, serialised once per scan
/// and shared by every reader; the other fields describe it without parsing it.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedJson {
    /// The scan's canonical JSON document.
    pub json: Arc<str>,
    /// Its HTTP representation (`ETag`, `Last-Modified`, gzip and brotli bytes), built once
    /// per scan: [`CachedJson::negotiate`] answers a request from it.
    pub http: Arc<HttpRepresentation>,
    /// The scan's id.
    pub scan_id: Uuid,
    /// When the scan ran.
    pub scan_timestamp: DateTime<Utc>,
    /// The scan's filter mode.
    pub filter_mode: FilterMode,
    /// Opportunities in the document.
    pub opportunity_count: usize,
    /// Contracts the scan analysed after liquidity filtering.
    pub total_evaluated: u64,
    /// Minutes between `scan_timestamp` and the moment it was read.
    pub age_minutes: f64,
    /// True when older than the caller's max age (served stale).
    pub is_stale: bool,
    /// `cache` or `live`.
    pub source: ServeSource,
    /// Why a stale scan was served instead of a fresh one, if so.
    pub error: Option<String>,
}

impl CachedJson {
    /// What to send for a request with these headers: 304, or the body in br, gzip or
    /// identity, from bytes compressed once per scan. See [`HttpRepresentation::negotiate`].
    pub fn negotiate(&self, req: &HttpRequest<'_>) -> Negotiated {
        self.http.negotiate(req)
    }
}

/// A duration in (fractional) minutes; saturates at `f64::MAX` beyond ±292,000 years.
pub(crate) fn minutes(d: chrono::Duration) -> f64 {
    d.num_microseconds().map_or(f64::MAX, |us| us as f64 / 60e6)
}

/// Minutes from `then` to `now` (negative when `then` lies in the future).
pub(crate) fn age_minutes(then: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    (now - then)
        .num_microseconds()
        .map_or(f64::MAX, |us| us as f64 / 60e6)
}

/// One row of [`super::ScanStore::history`]: everything but the opportunity payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    /// The scan's id.
    pub scan_id: Uuid,
    /// Strict or relaxed.
    pub filter_mode: FilterMode,
    /// When the scan ran.
    pub scan_timestamp: DateTime<Utc>,
    /// Minutes since the scan ran.
    pub age_minutes: f64,
    /// Number of opportunities stored.
    pub opportunity_count: u64,
    /// Contracts analysed after liquidity filtering.
    pub total_evaluated: u64,
    /// Number of symbols that returned data.
    pub symbols_scanned: u64,
    /// Wall time of the scan, seconds.
    pub scan_duration_seconds: f64,
    /// `true` when every symbol failed (kept for the record, not served while a good scan exists).
    pub degraded: bool,
    /// `true` for a scan of a past as-of (kept for the record, never served as the live scan).
    #[serde(default)]
    pub historical: bool,
}

/// Where the symbol rotation of one filter mode stands, persisted so ephemeral runners
/// don't rescan the same first symbols every run (original-system.md §12 bug 19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationState {
    /// Index of the next symbol to scan.
    pub position: u64,
    /// Size of the universe the position refers to.
    pub universe_size: u64,
    /// When the state was last written.
    pub updated_at: DateTime<Utc>,
}

/// A newly saved scan, as pushed by [`super::ScanSubscription`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanNotice {
    /// The saved scan's id.
    pub scan_id: Uuid,
    /// Its filter mode.
    pub filter_mode: FilterMode,
    /// Its scan timestamp.
    pub scan_timestamp: DateTime<Utc>,
}

/// Whether a result counts as "every symbol failed": nothing scanned, failures recorded.
/// How far before the moment it ran a scan's as-of must lie to count as historical.
pub const HISTORICAL_AFTER: chrono::Duration = chrono::Duration::hours(1);

/// A scan of a past as-of (`metadata.fetchedAt` more than [`HISTORICAL_AFTER`] before its
/// `scanTimestamp`): a backfill, never the live scan.
pub(crate) fn is_historical(result: &ScanResult) -> bool {
    result
        .metadata
        .fetched_at
        .is_some_and(|as_of| as_of + HISTORICAL_AFTER < result.scan_timestamp)
}

pub(crate) fn is_degraded(result: &ScanResult) -> bool {
    result.symbols_scanned.is_empty() && !result.metadata.failed_symbols.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_json_carries_age_staleness_and_source() {
        let mut c = CachedScan::from_cache(ScanResult::empty(FilterMode::Strict));
        c.is_stale = true;
        c.error = Some("DataSource: vendor down".into());
        let v = serde_json::to_value(&c).unwrap();
        for key in [
            "scanId",
            "scanTimestamp",
            "filterMode",
            "opportunities",
            "ageMinutes",
            "isStale",
            "source",
            "error",
        ] {
            assert!(v.get(key).is_some(), "missing {key} in {v}");
        }
        assert_eq!(v["source"], "cache");
        assert_eq!(v["isStale"], true);
        let back: CachedScan = serde_json::from_value(v).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn age_is_in_minutes() {
        let now = Utc::now();
        let then = now - chrono::Duration::seconds(90);
        assert_eq!(age_minutes(then, now), 1.5);
    }
}
