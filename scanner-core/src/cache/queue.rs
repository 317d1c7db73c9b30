//! Scale-out through a PostgreSQL queue: the options, messages and reports of a scan cycle
//! shared by many workers over pgmq (Supabase Queues), so a universe too large for one
//! worker's vendor keys is scanned by several and still saved as one scan per mode.
//!
//! The queue is used only through pgmq's SQL API (`pgmq.create`, `pgmq.send_batch`,
//! `pgmq.read` with a visibility timeout, `pgmq.delete`, `pgmq.archive`), so a database with
//! the pgmq extension (Supabase Queues) and one where optscan installed pgmq's SQL behave the
//! same. The cycle itself lives in `queue_cycle.rs`, its SQL in `queue_pg.rs`, the merge in
//! `queue_merge.rs`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Error, Result};
#[cfg(feature = "postgres")]
use {
    crate::model::{FilterMode, ScanResult},
    crate::scan::ScanConfig,
    serde::Deserialize,
};

/// How a worker takes part in queued cycles ([`super::RunOptions::queue`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueOptions {
    /// The pgmq queue (lower-case letters, digits and `_`, at most 40 characters).
    pub name: String,
    /// Symbols per shard (one message each). Default 250.
    pub shard_size: usize,
    /// How long a read message stays invisible to other workers; a worker that dies
    /// mid-shard lets its shard be read again after this. Default 120 s.
    pub visibility_timeout: Duration,
    /// Time from planning after which the cycle is merged without its missing shards (their
    /// symbols are reported failed with kind `ShardTimeout`). Default 10 min.
    pub cycle_deadline: Duration,
    /// How often an idle worker looks for a shard or for the end of the cycle. Default 500 ms.
    pub poll_interval: Duration,
}

impl QueueOptions {
    /// Defaults for queue `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            shard_size: 250,
            visibility_timeout: Duration::from_secs(120),
            cycle_deadline: Duration::from_secs(600),
            poll_interval: Duration::from_millis(500),
        }
    }

    /// Options from a host's plain values (durations as seconds), validated: how the Python
    /// and Node bindings read their `queue` arguments.
    ///
    /// ```
    /// use scanner_core::cache::QueueOptions;
    /// let q = QueueOptions::from_seconds("scans", Some(100), Some(60.0), None).unwrap();
    /// assert_eq!((q.shard_size, q.visibility_timeout.as_secs()), (100, 60));
    /// assert!(QueueOptions::from_seconds("scans", None, Some(f64::NAN), None).is_err());
    /// assert!(QueueOptions::from_seconds("Bad Name", None, None, None).is_err());
    /// ```
    pub fn from_seconds(
        name: &str,
        shard_size: Option<usize>,
        visibility_timeout_secs: Option<f64>,
        cycle_deadline_secs: Option<f64>,
    ) -> Result<Self> {
        let seconds = |what: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(Duration::from_secs_f64(v.min(1e9)))
            } else {
                Err(Error::invalid_input(format!(
                    "{what} must be a number of seconds > 0, got {v}"
                )))
            }
        };
        let mut q = Self::new(name);
        if let Some(n) = shard_size {
            q.shard_size = n;
        }
        if let Some(v) = visibility_timeout_secs {
            q.visibility_timeout = seconds("visibility timeout", v)?;
        }
        if let Some(v) = cycle_deadline_secs {
            q.cycle_deadline = seconds("cycle deadline", v)?;
        }
        q.validate()?;
        Ok(q)
    }

    /// Reject a bad queue name or out-of-range sizes and durations.
    pub fn validate(&self) -> Result<()> {
        check_queue_name(&self.name)?;
        if self.shard_size == 0 || self.shard_size > 100_000 {
            return Err(Error::invalid_input(format!(
                "shard size must be between 1 and 100000, got {}",
                self.shard_size
            )));
        }
        for (what, d, max) in [
            ("visibility timeout", self.visibility_timeout, 86_400),
            ("cycle deadline", self.cycle_deadline, 7 * 86_400),
        ] {
            if d < Duration::from_secs(1) || d > Duration::from_secs(max) {
                return Err(Error::invalid_input(format!(
                    "{what} must be between 1 s and {max} s, got {d:?}"
                )));
            }
        }
        if self.poll_interval.is_zero() || self.poll_interval > Duration::from_secs(60) {
            return Err(Error::invalid_input(format!(
                "poll interval must be > 0 and at most 60 s, got {:?}",
                self.poll_interval
            )));
        }
        Ok(())
    }
}

/// A pgmq queue name: what pgmq accepts and safe to quote as a table suffix.
pub(crate) fn check_queue_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "queue name {name:?} must be 1–40 lower-case letters, digits or _"
        )))
    }
}

/// What one worker did in a queued cycle ([`super::RunReport::queue`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueReport {
    /// The cycle this worker joined (or planned).
    pub cycle_id: Uuid,
    /// True when this worker planned the cycle (it was the coordinator).
    pub planned: bool,
    /// Shards this worker scanned and wrote, in order (a redelivered shard may appear here
    /// and in another worker's report; its row was overwritten, never counted twice).
    pub shards_scanned: Vec<u32>,
    /// True when this worker merged the cycle and saved its scans (then the report's
    /// `results` are the merged scans; otherwise they are empty).
    pub merged_here: bool,
    /// Messages of cycles already merged that this worker archived.
    pub stale_archived: u32,
}

/// One shard's message on the queue.
#[cfg(feature = "postgres")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShardMessage {
    pub cycle_id: Uuid,
    pub shard: u32,
    pub modes: Vec<FilterMode>,
    pub as_of: DateTime<Utc>,
    pub fingerprint: String,
    pub symbols: Vec<String>,
}

/// One shard's partial result, stored as JSON keyed by (cycle, shard).
#[cfg(feature = "postgres")]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShardPartial {
    /// One result per mode, in the cycle's mode order.
    pub results: Vec<ScanResult>,
    /// Each mode's candidate set, encoded and hex-written (empty when none).
    pub candidates: Vec<String>,
    /// The 30-day ATM IVs measured in the shard.
    pub atm_ivs: Vec<(String, f64)>,
}

/// The fingerprint of a configuration: workers scan a shard only with the configuration the
/// coordinator planned it with.
#[cfg(feature = "postgres")]
pub(crate) fn fingerprint(cfg: &ScanConfig) -> Result<String> {
    let text = serde_json::to_string(cfg)
        .map_err(|e| Error::internal(format!("serialising the configuration: {e}")))?;
    let mut h = crc32fast::Hasher::new();
    h.update(text.as_bytes());
    Ok(format!("{:08x}-{}", h.finalize(), text.len()))
}

/// What `optscan queue status` shows: the queue's recent cycles.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
    /// The queue.
    pub queue: String,
    /// Whether pgmq (extension or SQL) is present in the database.
    pub pgmq_installed: bool,
    /// The newest cycles, newest first.
    pub cycles: Vec<CycleStatus>,
}

/// One cycle in [`QueueStatus`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CycleStatus {
    /// The cycle.
    pub cycle_id: Uuid,
    /// Its as-of instant.
    pub as_of: DateTime<Utc>,
    /// When it was planned, and by which worker.
    pub created_at: DateTime<Utc>,
    /// The planning worker.
    pub coordinator: String,
    /// After this the cycle is merged without its missing shards.
    pub deadline: DateTime<Utc>,
    /// Shards in the cycle.
    pub shards: u32,
    /// Shards whose partial result is written.
    pub done: u32,
    /// Shards read by a worker and not yet visible again.
    pub in_flight: u32,
    /// Shards waiting on the queue.
    pub pending: u32,
    /// Shards delivered more than once (a worker died or was too slow).
    pub redelivered: u32,
    /// Workers that wrote a shard.
    pub workers: Vec<String>,
    /// When the merge saved the cycle's scans.
    pub merged_at: Option<DateTime<Utc>>,
    /// The merged scans.
    pub scan_ids: Vec<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert!(QueueOptions::new("scan_2").validate().is_ok());
        for bad in ["", "Scan", "a-b", "x'; drop table y; --", &"q".repeat(41)] {
            assert!(QueueOptions::new(bad).validate().is_err(), "{bad:?}");
        }
        let mut q = QueueOptions::new("scan");
        q.shard_size = 0;
        assert!(q.validate().is_err());
        let mut q = QueueOptions::new("scan");
        q.visibility_timeout = Duration::ZERO;
        assert!(q.validate().is_err());
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn the_fingerprint_follows_the_configuration() {
        use crate::scan::ScanConfig;
        let a = ScanConfig::default();
        let mut b = ScanConfig::default();
        b.max_results += 1;
        assert_eq!(fingerprint(&a).unwrap(), fingerprint(&a.clone()).unwrap());
        assert_ne!(fingerprint(&a).unwrap(), fingerprint(&b).unwrap());
    }
}
