//! [`ScanStore`]: the handle the worker, the CLI and the bindings hold. It picks a backend
//! from the URL and applies the policies that don't depend on the dialect (max age,
//! degraded scans, input checks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::backend::StoreBackend;
use super::hot::{HotCache, Served};
use super::lock::{scan_lock_name, WriterLease};
use super::serve::Flight;
use super::timed::{DbStats, Timed};
use super::types::{is_degraded, CachedJson, CachedScan, RotationState, ScanSummary};
use super::url::{Backend, DbUrl, PoolerMode};
use super::StoreOptions;
use crate::model::{FilterMode, ScanResult};
use crate::{Error, Result};

/// The default database when neither a URL nor `$DATABASE_URL` is given.
pub const DEFAULT_URL: &str = "sqlite://optscan.db";

/// The scan cache: save, read, serve and subscribe to scan results on SQLite or
/// PostgreSQL/Supabase. Cheap to clone (an `Arc` inside); `Debug` shows the URL with its
/// password redacted.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scanner_core::cache::{ScanStore, StoreOptions};
/// use scanner_core::model::{FilterMode, ScanResult};
///
/// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
/// let scan = ScanResult::empty(FilterMode::Strict);
/// let id = store.save(&scan).await?;
/// let cached = store.latest(FilterMode::Strict, None).await?.expect("just saved");
/// assert_eq!(cached.result.scan_id, id);
/// assert!(store.latest(FilterMode::Relaxed, None).await?.is_none());
/// # Ok::<(), scanner_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct ScanStore {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub backend: Arc<dyn StoreBackend>,
    pub kind: Backend,
    pub redacted: String,
    pub opts: StoreOptions,
    #[cfg(feature = "postgres")]
    pub pg: Option<Arc<super::postgres::PostgresBackend>>,
    pub flights: Mutex<HashMap<FilterMode, Flight>>,
    pub hot: HotCache,
    pub screens: super::screen::ScreenMemo,
    pub stats: Arc<DbStats>,
}

impl std::fmt::Debug for ScanStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanStore")
            .field("backend", &self.inner.kind)
            .field("url", &self.inner.redacted)
            .field("options", &self.inner.opts)
            .finish()
    }
}

impl ScanStore {
    /// Open (and by default migrate) the store at `url`: `sqlite://PATH`, `sqlite::memory:`,
    /// or `postgres://USER:PASS@HOST:PORT/DB?...`. `None` reads `$DATABASE_URL`, else
    /// [`DEFAULT_URL`]. Errors never contain the password.
    pub async fn open(url: Option<&str>, opts: StoreOptions) -> Result<Self> {
        let raw = match url {
            Some(u) => u.to_owned(),
            None => std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned()),
        };
        let url = DbUrl::parse(raw.trim())?;
        for (name, d) in [
            ("acquire_timeout", opts.acquire_timeout),
            ("poll_interval", opts.poll_interval),
            ("query_timeout", opts.query_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::invalid_input(format!("{name} must be > 0")));
            }
        }
        // Pooler-safe statements unless told the connection is direct; the URL (port 6543,
        // `?pgbouncer=true`) or the options can also say a pooler is certainly there.
        #[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
        let (transaction_mode, known_pooled) = match opts.pooler {
            PoolerMode::Auto if url.says_direct => (false, false),
            PoolerMode::Auto => (true, url.looks_pooled),
            PoolerMode::Direct => (false, false),
            PoolerMode::Transaction => (true, true),
        };
        #[cfg(feature = "postgres")]
        type PgHandle = Option<Arc<super::postgres::PostgresBackend>>;
        #[cfg(not(feature = "postgres"))]
        type PgHandle = Option<()>;
        let (backend, pg): (Arc<dyn StoreBackend>, PgHandle) = match url.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => (
                Arc::new(
                    connect_within(&opts, super::sqlite::SqliteBackend::connect(&url, &opts))
                        .await?,
                ),
                None,
            ),
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                if known_pooled && opts.migrate && !opts.read_only {
                    return Err(Error::invalid_input(format!(
                        "{} is a transaction-mode pooler, which cannot run migrations: migrate \
                         over a direct or session-mode URL first and open this one with \
                         migrate = false",
                        url.redacted
                    )));
                }
                let b = Arc::new(
                    connect_within(
                        &opts,
                        super::postgres::PostgresBackend::connect(
                            &url,
                            &opts,
                            transaction_mode,
                            known_pooled,
                        ),
                    )
                    .await?,
                );
                (Arc::clone(&b) as Arc<dyn StoreBackend>, Some(b))
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::invalid_input(format!(
                    "this build of optscan has no {other:?} support (enable the cargo feature)"
                )))
            }
        };
        #[cfg(not(feature = "postgres"))]
        let _ = pg;
        // Every call below this point has a time limit and is counted.
        let stats = Arc::new(DbStats::default());
        let backend: Arc<dyn StoreBackend> = Arc::new(Timed {
            inner: backend,
            limit: opts.query_timeout,
            stats: Arc::clone(&stats),
        });
        let store = Self {
            inner: Arc::new(Inner {
                backend,
                kind: url.backend,
                redacted: url.redacted,
                opts,
                #[cfg(feature = "postgres")]
                pg,
                flights: Mutex::new(HashMap::new()),
                hot: HotCache::default(),
                screens: Default::default(),
                stats,
            }),
        };
        // A PostgreSQL reader learns that the schema is missing from its first read (the
        // error says to migrate), sparing a round trip on every cold start; SQLite is local.
        if store.inner.opts.read_only && store.inner.kind == Backend::Sqlite {
            if !store.inner.backend.is_migrated().await? {
                return Err(Error::not_found(format!(
                    "database {} is not migrated: run `optscan migrate`",
                    store.inner.redacted
                )));
            }
        } else if store.inner.opts.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Database operations sent through this store (and its clones) so far, and the seconds
    /// spent waiting for them. Each operation is one transaction: about three round trips
    /// through a pooler-safe connection (BEGIN, statement, COMMIT), one for the newest-scan
    /// check.
    pub fn database_stats(&self) -> (u64, f64) {
        self.inner.stats.snapshot()
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        self.inner.kind
    }

    /// The connection URL with its password replaced by `***`.
    pub fn redacted_url(&self) -> String {
        self.inner.redacted.clone()
    }

    /// Close the connection pool (waiting for checked-out connections). Every clone shares
    /// the pool, so later calls on any clone fail with [`crate::ErrorKind::Database`].
    pub async fn close(&self) {
        self.inner.backend.close().await;
    }

    /// Apply the embedded migrations (idempotent).
    pub async fn migrate(&self) -> Result<()> {
        self.inner.backend.migrate().await
    }

    /// Save `result` in one transaction and return its `scan_id`. Saving the same `scan_id`
    /// again is a no-op. A scan in which every symbol failed is recorded as degraded (see
    /// [`StoreOptions::prefer_good_scans`]). Timestamps are kept at microsecond precision.
    pub async fn save(&self, result: &ScanResult) -> Result<Uuid> {
        self.inner
            .backend
            .save(result, is_degraded(result), None)
            .await?;
        Ok(result.scan_id)
    }

    /// [`Self::save`] fenced by `lease`: the save transaction first renews the lease and
    /// writes nothing, failing with [`crate::ErrorKind::Busy`], when another writer has
    /// taken it (it expired while this holder was cut off). A writer that lost its lease can
    /// never overwrite the scan of the writer that took over.
    pub async fn save_under(&self, result: &ScanResult, lease: &WriterLease) -> Result<Uuid> {
        self.inner
            .backend
            .save(result, is_degraded(result), Some(lease.fence()))
            .await?;
        Ok(result.scan_id)
    }

    /// The newest scan of `mode` (the newest good one while any exists, by default), or
    /// `None` when there is none or it is older than `max_age`.
    ///
    /// The decoded newest scan is kept in memory: while the table's newest `scan_id` stays
    /// the same, a read costs one small query and no parsing.
    pub async fn latest(
        &self,
        mode: FilterMode,
        max_age: Option<chrono::Duration>,
    ) -> Result<Option<CachedScan>> {
        Ok(self
            .latest_served(mode, max_age)
            .await?
            .map(Served::into_cached_scan))
    }

    /// [`Self::latest`] as canonical JSON text, serialised once per scan and shared: the
    /// cheapest way to hand a cached scan to an HTTP response.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use scanner_core::cache::{ScanStore, StoreOptions};
    /// use scanner_core::model::{FilterMode, ScanResult};
    ///
    /// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
    /// let scan = ScanResult::empty(FilterMode::Strict);
    /// store.save(&scan).await?;
    /// let cached = store.latest_json(FilterMode::Strict, None).await?.expect("just saved");
    /// let stored = store.latest(FilterMode::Strict, None).await?.expect("just saved").result;
    /// assert_eq!(&*cached.json, stored.to_json()?.as_str()); // timestamps stored to the µs
    /// assert_eq!(cached.scan_id, scan.scan_id);
    /// # Ok::<(), scanner_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn latest_json(
        &self,
        mode: FilterMode,
        max_age: Option<chrono::Duration>,
    ) -> Result<Option<CachedJson>> {
        self.latest_served(mode, max_age)
            .await?
            .map(Served::into_json)
            .transpose()
    }

    /// The scan with this id, if stored.
    pub async fn get(&self, scan_id: Uuid) -> Result<Option<CachedScan>> {
        Ok(self
            .inner
            .backend
            .get(scan_id)
            .await?
            .map(CachedScan::from_cache))
    }

    /// Summaries (no opportunity payloads) of the newest `limit` scans, of one mode or all.
    pub async fn history(&self, mode: Option<FilterMode>, limit: u32) -> Result<Vec<ScanSummary>> {
        self.inner.backend.history(mode, limit).await
    }

    /// Delete all but the newest `keep` scans of each mode; returns the rows deleted.
    pub async fn cleanup(&self, keep: u32) -> Result<u64> {
        self.inner.backend.cleanup(keep).await
    }

    /// Take the writer lease of `mode` with time-to-live `ttl` (1 s to 1 h; see
    /// [`super::DEFAULT_LEASE_TTL`]), or fail with [`crate::ErrorKind::Busy`] while a live
    /// process (or task) holds it. The lease renews itself every `ttl / 3` until released or
    /// dropped; a holder that dies frees the mode within `ttl`, at once when it ran on this
    /// machine.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use scanner_core::cache::{ScanStore, StoreOptions, DEFAULT_LEASE_TTL};
    /// use scanner_core::model::FilterMode;
    /// use scanner_core::ErrorKind;
    ///
    /// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
    /// let lease = store.acquire_writer(FilterMode::Strict, DEFAULT_LEASE_TTL).await?;
    /// let busy = store.acquire_writer(FilterMode::Strict, DEFAULT_LEASE_TTL).await;
    /// assert_eq!(busy.unwrap_err().kind(), ErrorKind::Busy);
    /// lease.release().await?;
    /// store.acquire_writer(FilterMode::Strict, DEFAULT_LEASE_TTL).await?.release().await?;
    /// # Ok::<(), scanner_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn acquire_writer(&self, mode: FilterMode, ttl: Duration) -> Result<WriterLease> {
        WriterLease::acquire(Arc::clone(&self.inner.backend), scan_lock_name(mode), ttl).await
    }

    /// The persisted symbol rotation of `mode`.
    pub async fn rotation(&self, mode: FilterMode) -> Result<Option<RotationState>> {
        self.inner.backend.rotation(mode).await
    }

    /// Persist the symbol rotation of `mode`.
    pub async fn set_rotation(&self, mode: FilterMode, state: &RotationState) -> Result<()> {
        if state.universe_size > 0 && state.position >= state.universe_size {
            return Err(Error::invalid_input(format!(
                "rotation position {} is outside a universe of {}",
                state.position, state.universe_size
            )));
        }
        self.inner.backend.set_rotation(mode, state).await
    }

    /// Record the ATM 30-day implied volatility of `symbol` on `date` (replacing that day's).
    pub async fn record_iv(&self, symbol: &str, date: NaiveDate, atm_iv_30d: f64) -> Result<()> {
        self.record_ivs(date, &[(symbol.to_owned(), atm_iv_30d)])
            .await
    }

    /// Record many symbols' ATM 30-day IVs for `date` in one database statement.
    pub async fn record_ivs(&self, date: NaiveDate, ivs: &[(String, f64)]) -> Result<()> {
        for (symbol, iv) in ivs {
            check_symbol(symbol)?;
            if !iv.is_finite() || *iv < 0.0 {
                return Err(Error::invalid_input(format!(
                    "ATM IV of {symbol} must be finite and >= 0, got {iv}"
                )));
            }
        }
        self.inner.backend.record_ivs(date, ivs).await
    }

    /// The recorded ATM IVs of `symbol` on or after `since`, oldest first.
    pub async fn iv_history(
        &self,
        symbol: &str,
        since: NaiveDate,
    ) -> Result<Vec<(NaiveDate, f64)>> {
        let mut all = self.iv_histories(&[symbol.to_owned()], since).await?;
        Ok(all.remove(symbol).unwrap_or_default())
    }

    /// [`Self::iv_history`] of many symbols in one database statement; symbols with no
    /// history are absent from the map.
    pub async fn iv_histories(
        &self,
        symbols: &[String],
        since: NaiveDate,
    ) -> Result<HashMap<String, Vec<(NaiveDate, f64)>>> {
        for s in symbols {
            check_symbol(s)?;
        }
        self.inner.backend.iv_histories(symbols, since).await
    }

    /// Cache a per-symbol analysis computed from inputs identified by `fingerprint`.
    pub async fn put_symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        check_symbol(symbol)?;
        self.inner
            .backend
            .put_symbol_analysis(symbol, fingerprint, payload)
            .await
    }

    /// The cached analysis of `symbol` if it was computed from the same `fingerprint` within
    /// `ttl`; `None` otherwise (recompute it).
    pub async fn symbol_analysis(
        &self,
        symbol: &str,
        fingerprint: &str,
        ttl: chrono::Duration,
    ) -> Result<Option<serde_json::Value>> {
        check_symbol(symbol)?;
        if ttl < chrono::Duration::zero() {
            return Err(Error::invalid_input(format!("ttl must be >= 0, got {ttl}")));
        }
        self.inner
            .backend
            .symbol_analysis(symbol, fingerprint, Utc::now() - ttl)
            .await
    }
}

/// Connecting, with the store's time limit (a frozen server accepts TCP and never answers).
async fn connect_within<T>(
    opts: &StoreOptions,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    // Room for the pool's own acquire timeout and its diagnostic attempt to say why first.
    let limit = opts.acquire_timeout.saturating_mul(2) + opts.query_timeout;
    tokio::time::timeout(limit, fut)
        .await
        .unwrap_or_else(|_| Err(super::timed::timeout("connecting", limit)))
}

fn check_symbol(symbol: &str) -> Result<()> {
    if symbol.trim().is_empty() {
        return Err(Error::invalid_input("symbol must not be empty"));
    }
    Ok(())
}
