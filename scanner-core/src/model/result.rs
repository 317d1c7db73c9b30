//! What a scan produces and what the cache stores: [`ScanResult`] and its parts.
//!
//! The opportunity JSON keeps the original camelCase schema (original-system.md §10.1) so
//! an existing UI reading `cached_scan_results` keeps working.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Opportunity;
use crate::{Error, Result};

/// Which set of thresholds produced a result. The cache accepts exactly these two.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FilterMode {
    /// The original's strict liquidity gates (the default).
    #[default]
    Strict,
    /// The relaxed fallback stages.
    Relaxed,
}

impl FilterMode {
    /// Both modes, strict first.
    pub const ALL: [FilterMode; 2] = [FilterMode::Strict, FilterMode::Relaxed];

    /// `"strict"` or `"relaxed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterMode::Strict => "strict",
            FilterMode::Relaxed => "relaxed",
        }
    }
}

impl std::fmt::Display for FilterMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FilterMode {
    type Err = Error;

    /// Parses `strict`/`relaxed` and the original route's synonyms (`tight`, `wide`, …).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "strict" | "strict-only" | "strict_only" | "tight" => Ok(FilterMode::Strict),
            "relaxed" | "wide" | "expanded" | "loose" => Ok(FilterMode::Relaxed),
            other => Err(Error::invalid_input(format!(
                "filter mode must be strict or relaxed, got {other:?}"
            ))),
        }
    }
}

/// Counts of dropped contracts or symbols: `stage → reason → count`. Nothing a scan drops
/// goes uncounted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rejections(pub BTreeMap<String, BTreeMap<String, u64>>);

impl Rejections {
    /// Count `n` drops at `stage` for `reason`.
    ///
    /// ```
    /// use scanner_core::model::Rejections;
    /// let mut r = Rejections::default();
    /// r.add("liquidity", "volume<=100", 3);
    /// r.add("liquidity", "volume<=100", 2);
    /// assert_eq!(r.count("liquidity", "volume<=100"), 5);
    /// assert_eq!(r.total(), 5);
    /// ```
    pub fn add(&mut self, stage: &str, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        // The common case, a reason already counted, allocates nothing.
        if let Some(c) = self.0.get_mut(stage).and_then(|r| r.get_mut(reason)) {
            *c += n;
            return;
        }
        *self
            .0
            .entry(stage.to_owned())
            .or_default()
            .entry(reason.to_owned())
            .or_default() += n;
    }

    /// Merge another set of counts into this one.
    pub fn merge(&mut self, other: &Rejections) {
        for (stage, reasons) in &other.0 {
            for (reason, n) in reasons {
                self.add(stage, reason, *n);
            }
        }
    }

    /// The count for one stage and reason (0 when absent).
    pub fn count(&self, stage: &str, reason: &str) -> u64 {
        self.0
            .get(stage)
            .and_then(|r| r.get(reason))
            .copied()
            .unwrap_or(0)
    }

    /// Total drops over every stage and reason.
    pub fn total(&self) -> u64 {
        self.0.values().flat_map(|r| r.values()).sum()
    }
}

/// A symbol the scan could not analyse, with the reason. A failed symbol never fails a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedSymbol {
    /// The ticker.
    pub symbol: String,
    /// The error kind (`"NotFound"`, `"Timeout"`, …).
    pub kind: String,
    /// A human-readable reason (no secrets).
    pub reason: String,
}

/// Scan metadata (original-system.md §10.2, plus `dataSource`, `failedSymbols`,
/// `rejections`, `stageTimings`, `calibrationMetrics`). Fields the engine does not model
/// explicitly are kept in `extra`, so nothing written by another version is lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanMetadata {
    /// When market data was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
    /// Where the data came from: `"synthetic"`, `"csv"`, `"yahoo"`, ….
    #[serde(default)]
    pub data_source: String,
    /// Filter mode of this result.
    #[serde(default)]
    pub filter_mode: FilterMode,
    /// Symbols requested for this scan.
    #[serde(default)]
    pub requested_symbols: Vec<String>,
    /// Symbols that returned data.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// Number of symbols that returned data.
    #[serde(default)]
    pub symbol_count: u64,
    /// Contracts fetched before any filter.
    #[serde(default)]
    pub total_options: u64,
    /// Contracts analysed after liquidity filtering.
    #[serde(default)]
    pub total_evaluated: u64,
    /// Number of opportunities returned.
    #[serde(default)]
    pub opportunity_count: u64,
    /// Symbols that failed, with reasons.
    #[serde(default)]
    pub failed_symbols: Vec<FailedSymbol>,
    /// Dropped contracts and symbols by stage and reason.
    #[serde(default)]
    pub rejections: Rejections,
    /// Wall time per stage, in seconds.
    #[serde(default)]
    pub stage_timings: BTreeMap<String, f64>,
    /// Where each analysed symbol's chain and history came from (a vendor, files, the host,
    /// generated), when its source says.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provenance: BTreeMap<String, crate::market::SymbolProvenance>,
    /// What the scan spent at each data provider (sent, retried, rate-limited, bytes, time
    /// waiting, cache hits); present in every scan of an HTTP source.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, crate::market::ProviderRequests>,
    /// Calibration of the probability model (Brier score, log loss, reliability bins).
    #[serde(default)]
    pub calibration_metrics: serde_json::Value,
    /// Every other metadata field (relaxedScan, rotationState, …).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The outcome of one scan in one filter mode: what the worker saves and the route serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// Unique id of this scan (the cache's idempotency key).
    pub scan_id: Uuid,
    /// When the scan ran (UTC).
    pub scan_timestamp: DateTime<Utc>,
    /// Strict or relaxed.
    pub filter_mode: FilterMode,
    /// Ranked opportunities, best first.
    pub opportunities: Vec<Opportunity>,
    /// Contracts analysed after liquidity filtering.
    pub total_evaluated: u64,
    /// Symbols that returned data.
    pub symbols_scanned: Vec<String>,
    /// Wall time of the scan.
    pub scan_duration_seconds: f64,
    /// Counts, provenance and diagnostics.
    pub metadata: ScanMetadata,
    /// Every contract the scan evaluated (for screening); not part of the JSON document. Saved
    /// with the scan in its own compact form; empty on a result read back from the cache
    /// (the store loads it separately when screening).
    #[serde(skip)]
    pub candidates: std::sync::Arc<super::CandidateSet>,
}

impl ScanResult {
    /// An empty result for `mode`, stamped now with a fresh id.
    pub fn empty(filter_mode: FilterMode) -> Self {
        Self {
            scan_id: Uuid::new_v4(),
            scan_timestamp: Utc::now(),
            filter_mode,
            opportunities: Vec::new(),
            total_evaluated: 0,
            symbols_scanned: Vec::new(),
            scan_duration_seconds: 0.0,
            metadata: ScanMetadata {
                filter_mode,
                ..ScanMetadata::default()
            },
            candidates: Default::default(),
        }
    }

    /// The canonical JSON document of this result (camelCase, field order fixed).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::internal(format!("serialising scan result: {e}")))
    }

    /// Parse a result from its JSON document.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json)
            .map_err(|e| Error::invalid_input(format!("not a scan result: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_mode_parses_synonyms_and_rejects_others() {
        assert_eq!("tight".parse::<FilterMode>().unwrap(), FilterMode::Strict);
        assert_eq!("WIDE".parse::<FilterMode>().unwrap(), FilterMode::Relaxed);
        assert!("both".parse::<FilterMode>().is_err());
    }

    #[test]
    fn json_round_trip_keeps_unknown_metadata() {
        let mut r = ScanResult::empty(FilterMode::Relaxed);
        r.metadata
            .extra
            .insert("relaxedScan".into(), serde_json::json!({"applied": true}));
        let back = ScanResult::from_json(&r.to_json().unwrap()).unwrap();
        assert_eq!(back, r);
        assert!(r.to_json().unwrap().contains("\"filterMode\":\"relaxed\""));
    }
}
