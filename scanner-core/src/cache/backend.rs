//! The one seam between the store's behaviour and a database dialect: [`StoreBackend`],
//! implemented by `sqlite.rs` and `postgres.rs`, plus the row conversions they share.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::cycle_rows::CycleRows;
use super::lock::Fence;
use super::types::{RotationState, ScanNotice, ScanSummary};
use super::url::Secret;
use crate::model::{FilterMode, ScanResult};
use crate::{Error, ErrorKind, Result};

/// What every database dialect provides: [`ScanRows`], [`AuxRows`] and the batched
/// [`CycleRows`]. Methods are plain data access; policy (freshness, single flight, degraded
/// scans) lives in `store.rs` and `serve.rs`.
pub(crate) trait StoreBackend: ScanRows + AuxRows + CycleRows {}

impl<T: ScanRows + AuxRows + CycleRows> StoreBackend for T {}

/// The scan table: save, read, clean up, and follow new rows.
#[async_trait]
pub(crate) trait ScanRows: Send + Sync + 'static {
    async fn migrate(&self) -> Result<()>;
    /// Whether the scan table exists (a reader checks instead of migrating).
    async fn is_migrated(&self) -> Result<bool>;
    /// Insert `result` in one transaction; a second save of the same `scan_id` is a no-op.
    /// With a `fence`, the same transaction first renews that lease and fails with
    /// [`ErrorKind::Busy`] (writing nothing) when another holder has taken it.
    async fn save(&self, result: &ScanResult, degraded: bool, fence: Option<&Fence>) -> Result<()>;
    /// Newest scan of `mode`; with `prefer_good`, the newest non-degraded one when any exists.
    async fn latest(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<ScanResult>>;
    /// The `scan_id` that [`ScanRows::latest`] would return, without its payload.
    async fn latest_id(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<Uuid>>;
    async fn get(&self, scan_id: Uuid) -> Result<Option<ScanResult>>;
    /// The stored candidate-set blob of a scan ([`crate::model::CandidateSet::encode`]).
    async fn candidates(&self, scan_id: Uuid) -> Result<Option<Vec<u8>>>;
    async fn history(&self, mode: Option<FilterMode>, limit: u32) -> Result<Vec<ScanSummary>>;
    async fn cleanup(&self, keep: u32) -> Result<u64>;
    /// Scans saved after `cursor` (a backend-specific position), advancing it. A `None`
    /// cursor starts at "now"; what that first call returns already existed (callers mark
    /// it seen). Rows may repeat across calls; callers drop repeats by `scan_id`.
    async fn poll_notices(&self, cursor: &mut Option<i64>) -> Result<Vec<ScanNotice>>;
}

/// The side tables: rotation state, IV history, per-symbol analysis cache, writer leases.
#[async_trait]
pub(crate) trait AuxRows: Send + Sync + 'static {
    async fn rotation(&self, mode: FilterMode) -> Result<Option<RotationState>>;
    async fn set_rotation(&self, mode: FilterMode, state: &RotationState) -> Result<()>;
    /// Record each `(symbol, iv)` for `date` (replacing that day's) in one statement.
    async fn record_ivs(&self, date: NaiveDate, ivs: &[(String, f64)]) -> Result<()>;
    /// The recorded IVs on or after `since` of every symbol in `symbols`, oldest first, in
    /// one statement. Symbols with no history are absent from the map.
    async fn iv_histories(
        &self,
        symbols: &[String],
        since: NaiveDate,
    ) -> Result<HashMap<String, Vec<(NaiveDate, f64)>>>;
    async fn put_symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        payload: &serde_json::Value,
    ) -> Result<()>;
    /// The payload with this fingerprint computed at or after `fresh_after`.
    async fn symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        fresh_after: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>>;
    /// Take lease `name` for `holder` until `now + lease` if it is free or expired.
    /// Rows of `symbol_analysis_cache` for `keys` in one statement: key → (fingerprint,
    /// payload JSON text).
    async fn symbol_rows(&self, keys: &[String]) -> Result<HashMap<String, (String, String)>>;
    /// Upsert `(key, fingerprint, payload JSON text)` rows in one statement (keys unique).
    async fn put_symbol_rows(&self, rows: &[(String, String, String)]) -> Result<()>;
    async fn try_lease(&self, name: &str, holder: &str, lease: std::time::Duration)
        -> Result<bool>;
    /// The current holder of lease `name` (expired or not), if there is a row.
    async fn lease_holder(&self, name: &str) -> Result<Option<String>>;
    /// Hand lease `name` from `dead` (certainly gone) to `holder`, if `dead` still has it.
    async fn steal_lease(
        &self,
        name: &str,
        dead: &str,
        holder: &str,
        lease: std::time::Duration,
    ) -> Result<bool>;
    /// Give lease `name` back if `holder` still holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()>;
    /// Close the connection pool; later calls fail with a database error.
    async fn close(&self);
}

/// A driver error as a typed [`Error`], with the password scrubbed from the message.
pub(crate) fn db_error(secret: &Secret, context: &str, err: sqlx::Error) -> Error {
    let kind = match &err {
        sqlx::Error::PoolTimedOut => ErrorKind::Timeout,
        sqlx::Error::RowNotFound => ErrorKind::NotFound,
        // undefined_table: a store opened without migrating on a database never migrated.
        sqlx::Error::Database(e) if e.code().as_deref() == Some("42P01") => {
            return Error::new(
                ErrorKind::NotFound,
                secret.scrub(&format!(
                    "{context}: the database is not migrated ({e}): run `optscan migrate`"
                )),
            );
        }
        _ => ErrorKind::Database,
    };
    Error::new(kind, secret.scrub(&format!("{context}: {err}")))
}

/// A stored row that no longer parses (hand-edited, written by a newer version, …).
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Database,
        format!("cached scan row has an unreadable {what}: {detail}"),
    )
}

pub(crate) fn parse_mode(s: &str) -> Result<FilterMode> {
    match s {
        "strict" => Ok(FilterMode::Strict),
        "relaxed" => Ok(FilterMode::Relaxed),
        other => Err(corrupt("filter_mode", other)),
    }
}

pub(crate) fn to_i64(what: &str, v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::invalid_input(format!("{what} {v} exceeds i64::MAX")))
}

pub(crate) fn to_u64(what: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(what, v))
}

/// The candidate set of `result` as a blob to store with it, `None` when it has none.
pub(crate) fn candidate_blob(result: &ScanResult) -> Result<Option<(Vec<u8>, i64)>> {
    if result.candidates.is_empty() {
        return Ok(None);
    }
    let n = i64::try_from(result.candidates.len()).unwrap_or(i64::MAX);
    Ok(Some((result.candidates.encode()?, n)))
}

/// Timestamps are stored at microsecond precision (PostgreSQL's resolution).
#[cfg(feature = "sqlite")]
pub(crate) fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Reject values a database cannot hold before opening a transaction: JSON has no NaN or
/// infinity (serde would write `null` and the row could never be read back).
pub(crate) fn validate(result: &ScanResult) -> Result<()> {
    let finite = |what: String, v: f64| {
        if v.is_finite() {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "scan {}: {what} must be finite, got {v}",
                result.scan_id
            )))
        }
    };
    finite("scan_duration_seconds".into(), result.scan_duration_seconds)?;
    for (stage, secs) in &result.metadata.stage_timings {
        finite(format!("stageTimings.{stage}"), *secs)?;
    }
    for (i, o) in result.opportunities.iter().enumerate() {
        for (name, v) in [
            ("strike", o.strike),
            ("premium", o.premium),
            ("bid", o.bid),
            ("ask", o.ask),
            ("impliedVolatility", o.implied_volatility),
            ("stockPrice", o.stock_price),
            ("score", o.score),
            ("riskAdjustedScore", o.risk_adjusted_score),
            ("probabilityOfProfit", o.probability_of_profit),
        ] {
            finite(format!("opportunity {i} ({}) {name}", o.symbol), v)?;
        }
    }
    to_i64("total_evaluated", result.total_evaluated)?;
    Ok(())
}
