//! Knobs for opening a store and for serving, each a `Default` struct whose defaults are
//! named in the field docs, so the CLI and bindings only override what users set.

use std::sync::Arc;
use std::time::Duration;

pub use super::url::PoolerMode;

/// How [`super::ScanStore::open`] connects.
#[derive(Clone)]
pub struct StoreOptions {
    /// Apply the embedded migrations on open (default `true`). Must be `false` through a
    /// transaction-mode pooler: migrate over a direct or session-mode URL instead.
    pub migrate: bool,
    /// Open for reading only (default `false`): nothing is migrated or created — a missing
    /// SQLite file is [`crate::ErrorKind::NotFound`], an unmigrated database says "run
    /// `optscan migrate`" — and read-only SQLite files and read-only database roles work.
    /// Writes through such a store fail. `migrate` is ignored.
    pub read_only: bool,
    /// Pooler handling (default [`PoolerMode::Auto`]).
    pub pooler: PoolerMode,
    /// Connection pool size (default 5; `sqlite::memory:` always uses 1).
    pub max_connections: u32,
    /// How long to wait for a pooled connection (default 10 s).
    pub acquire_timeout: Duration,
    /// The longest any one database call may take — connect, acquire, query, diagnostics —
    /// before it fails with [`crate::ErrorKind::Timeout`] naming the operation (default 30 s).
    pub query_timeout: Duration,
    /// When `true` (the default), `latest()` skips scans in which every symbol failed as long
    /// as a good scan of the mode exists; `false` returns the newest scan whatever it holds.
    pub prefer_good_scans: bool,
    /// How often a SQLite subscription polls for new scans (default 250 ms). Also how long
    /// [`super::ScanStore::screen`] answers from the scan it holds before checking for a
    /// newer one saved by another process (its own saves are seen at once).
    pub poll_interval: Duration,
    /// Test hook: called inside the save transaction after the row is written and before
    /// commit (crash tests kill the process here). Not part of the stable API.
    #[doc(hidden)]
    pub before_commit: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl StoreOptions {
    /// Options for a reader (`latest`, `history`, a web route): [`Self::read_only`] set,
    /// everything else default.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use scanner_core::cache::{ScanStore, StoreOptions};
    /// use scanner_core::ErrorKind;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let url = format!("sqlite://{}", dir.path().join("typo.db").display());
    /// let err = ScanStore::open(Some(&url), StoreOptions::reader()).await.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// assert!(!dir.path().join("typo.db").exists(), "a reader creates nothing");
    /// # });
    /// ```
    pub fn reader() -> Self {
        Self {
            read_only: true,
            migrate: false,
            ..Self::default()
        }
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            migrate: true,
            read_only: false,
            pooler: PoolerMode::Auto,
            max_connections: 5,
            acquire_timeout: Duration::from_secs(10),
            query_timeout: Duration::from_secs(30),
            prefer_good_scans: true,
            poll_interval: Duration::from_millis(250),
            before_commit: None,
        }
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("migrate", &self.migrate)
            .field("read_only", &self.read_only)
            .field("pooler", &self.pooler)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("query_timeout", &self.query_timeout)
            .field("prefer_good_scans", &self.prefer_good_scans)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

/// What `serve` does with a cached scan older than `max_age`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StalePolicy {
    /// Serve the stale scan at once and refresh it in the background (the default).
    #[default]
    Revalidate,
    /// Run (or join) a live scan and serve its result.
    Live,
}

impl StalePolicy {
    /// `"revalidate"` or `"live"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StalePolicy::Revalidate => "revalidate",
            StalePolicy::Live => "live",
        }
    }
}

impl std::str::FromStr for StalePolicy {
    type Err = crate::Error;

    /// Parses `revalidate`/`live` (any case).
    ///
    /// ```
    /// use scanner_core::cache::StalePolicy;
    /// assert_eq!("Live".parse::<StalePolicy>()?, StalePolicy::Live);
    /// assert_eq!(StalePolicy::Revalidate.as_str(), "revalidate");
    /// assert!("later".parse::<StalePolicy>().is_err());
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "revalidate" => Ok(StalePolicy::Revalidate),
            "live" => Ok(StalePolicy::Live),
            other => Err(crate::Error::invalid_input(format!(
                "stale must be \"revalidate\" or \"live\", got {other:?}"
            ))),
        }
    }
}

/// A host's minutes (`maxAgeMinutes`, `max_stale_minutes`, …) as a duration: finite and
/// `>= 0`, else [`crate::ErrorKind::InvalidInput`] naming the setting. Huge values saturate
/// (an age limit of "forever").
///
/// ```
/// use scanner_core::cache::minutes;
/// assert_eq!(minutes("maxAgeMinutes", 1.5)?, chrono::Duration::seconds(90));
/// assert!(minutes("maxAgeMinutes", -1.0).unwrap_err().message().contains("maxAgeMinutes"));
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn minutes(name: &str, m: f64) -> crate::Result<chrono::Duration> {
    if !(m.is_finite() && m >= 0.0) {
        return Err(crate::Error::invalid_input(format!(
            "{name} must be a finite number >= 0, got {m}"
        )));
    }
    Ok(chrono::Duration::microseconds(
        (m * 60e6).round().min(i64::MAX as f64 / 2.0) as i64,
    ))
}

/// How [`super::ScanStore::serve`] trades freshness against latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServeOptions {
    /// A cached scan at most this old is fresh (default 15 minutes).
    pub max_age: chrono::Duration,
    /// What to do with a stale scan (default [`StalePolicy::Revalidate`]).
    pub stale: StalePolicy,
    /// How old a stale scan may be and still be served while revalidating (default 24 h).
    pub max_stale: chrono::Duration,
    /// How old the last good scan may be and still be served when a live scan fails
    /// (stale-if-error; default 7 days).
    pub stale_if_error: chrono::Duration,
    /// How long to wait for another process's scan of the same mode (default 120 s, the
    /// original's live-scan budget).
    pub wait: Duration,
    /// Writer lease TTL for a live scan (default [`super::DEFAULT_LEASE_TTL`], 30 s),
    /// renewed while the scan runs. Waiting callers take over within this long when the
    /// process running the scan dies (at once when it ran on the same machine).
    pub lease: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_age: chrono::Duration::minutes(15),
            stale: StalePolicy::Revalidate,
            max_stale: chrono::Duration::hours(24),
            stale_if_error: chrono::Duration::days(7),
            wait: Duration::from_secs(120),
            lease: super::DEFAULT_LEASE_TTL,
        }
    }
}
