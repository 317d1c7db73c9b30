//! The SQLite backend: an embedded file in WAL mode, for laptops, the CLI and tests.
//!
//! JSON is stored as TEXT and timestamps as fixed-width UTC text, so plain string order is
//! time order and the file stays readable with the `sqlite3` shell.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::Row;
use uuid::Uuid;

use super::backend::{
    candidate_blob, corrupt, db_error, parse_mode, to_i64, to_u64, truncate_micros, validate,
    ScanRows,
};
use super::lock::Fence;
use super::types::{age_minutes, is_historical, ScanNotice, ScanSummary};
use super::url::{DbUrl, Secret};
use super::StoreOptions;
use crate::model::{FilterMode, ScanResult};
use crate::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// The newest row of mode `?1`; with `?2`, the newest good one while any exists.
const LATEST_FROM: &str = "FROM cached_scan_results c WHERE c.filter_mode = ?1 \
     AND c.historical = 0 \
     AND (?2 = 0 OR c.status = 'ok' OR NOT EXISTS (SELECT 1 FROM cached_scan_results g \
     WHERE g.filter_mode = ?1 AND g.status = 'ok' AND g.historical = 0)) \
     ORDER BY c.scan_timestamp DESC, c.seq DESC LIMIT 1";

const SCAN_COLUMNS: &str = "scan_id, scan_timestamp, filter_mode, opportunities, \
     total_evaluated, symbols_scanned, scan_duration_seconds, metadata";

pub(crate) struct SqliteBackend {
    pub(super) pool: SqlitePool,
    secret: Secret,
    before_commit: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// `2026-11-29T13:00:00.123456Z`: fixed width, so text order is time order.
pub(crate) fn fmt_ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(super) fn parse_ts(what: &str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(what, format!("{s:?} ({e})")))
}

impl SqliteBackend {
    pub async fn connect(url: &DbUrl, opts: &StoreOptions) -> Result<Self> {
        let context = format!("opening SQLite database {}", url.redacted);
        let err = |e| db_error(&url.secret, &context, e);
        let mut connect = SqliteConnectOptions::from_str(&url.driver_url)
            .map_err(err)?
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let in_memory =
            url.driver_url.contains(":memory:") || url.driver_url.contains("mode=memory");
        if opts.read_only {
            let path = connect.get_filename();
            if !in_memory && !path.exists() {
                return Err(Error::not_found(format!(
                    "no SQLite database at {}: run `optscan migrate` (or a scan) first",
                    path.display()
                )));
            }
            // A reader changes nothing, not even the journal mode.
            connect = connect.read_only(true).create_if_missing(false);
        } else {
            connect = connect
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
        }
        let mut pool = SqlitePoolOptions::new()
            .max_connections(if in_memory {
                1
            } else {
                opts.max_connections.max(1)
            })
            .acquire_timeout(opts.acquire_timeout);
        if in_memory {
            // Every connection to `:memory:` is its own database: keep the one alive.
            pool = pool.idle_timeout(None).max_lifetime(None);
        }
        let pool = pool.connect_with(connect).await.map_err(err)?;
        Ok(Self {
            pool,
            secret: url.secret.clone(),
            before_commit: opts.before_commit.clone(),
        })
    }

    pub(super) fn err(&self, context: &str) -> impl Fn(sqlx::Error) -> Error + '_ {
        let context = context.to_owned();
        move |e| db_error(&self.secret, &context, e)
    }
}

fn scan_from_row(row: &SqliteRow) -> Result<ScanResult> {
    let get_err = |e: sqlx::Error| corrupt("column", e);
    let id: String = row.try_get(0).map_err(get_err)?;
    let ts: String = row.try_get(1).map_err(get_err)?;
    let mode: String = row.try_get(2).map_err(get_err)?;
    let opps: String = row.try_get(3).map_err(get_err)?;
    let total: i64 = row.try_get(4).map_err(get_err)?;
    let symbols: String = row.try_get(5).map_err(get_err)?;
    let duration: f64 = row.try_get(6).map_err(get_err)?;
    let metadata: String = row.try_get(7).map_err(get_err)?;
    Ok(ScanResult {
        scan_id: Uuid::parse_str(&id).map_err(|e| corrupt("scan_id", e))?,
        scan_timestamp: parse_ts("scan_timestamp", &ts)?,
        filter_mode: parse_mode(&mode)?,
        opportunities: serde_json::from_str(&opps).map_err(|e| corrupt("opportunities", e))?,
        total_evaluated: to_u64("total_evaluated", total)?,
        symbols_scanned: serde_json::from_str(&symbols)
            .map_err(|e| corrupt("symbols_scanned", e))?,
        scan_duration_seconds: duration,
        metadata: serde_json::from_str(&metadata).map_err(|e| corrupt("metadata", e))?,
        candidates: Default::default(),
    })
}

pub(super) fn json<T: serde::Serialize + ?Sized>(what: &str, v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| Error::invalid_input(format!("{what} cannot be stored as JSON: {e}")))
}

#[async_trait]
impl ScanRows for SqliteBackend {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            Error::new(
                crate::ErrorKind::Database,
                self.secret.scrub(&format!("migrating SQLite: {e}")),
            )
        })
    }

    async fn save(&self, r: &ScanResult, degraded: bool, fence: Option<&Fence>) -> Result<()> {
        validate(r)?;
        let opps = json("opportunities", &r.opportunities)?;
        let symbols = json("symbols_scanned", &r.symbols_scanned)?;
        let metadata = json("metadata", &r.metadata)?;
        let blob = candidate_blob(r)?;
        let mut tx = self.pool.begin().await.map_err(self.err("starting save"))?;
        if let Some(f) = fence {
            let held = super::sqlite_aux::upsert_lease(&mut tx, &f.name, &f.holder, f.ttl)
                .await
                .map_err(self.err("checking the writer lease"))?;
            if !held {
                return Err(super::lock::lost_error(&f.name));
            }
        }
        sqlx::query(
            "INSERT INTO cached_scan_results (scan_id, scan_timestamp, filter_mode, opportunities, \
             total_evaluated, symbols_scanned, scan_duration_seconds, metadata, opportunity_count, \
             status, historical) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (scan_id) DO NOTHING",
        )
        .bind(r.scan_id.to_string())
        .bind(fmt_ts(truncate_micros(r.scan_timestamp)))
        .bind(r.filter_mode.as_str())
        .bind(opps)
        .bind(to_i64("total_evaluated", r.total_evaluated)?)
        .bind(symbols)
        .bind(r.scan_duration_seconds)
        .bind(metadata)
        .bind(r.opportunities.len() as i64)
        .bind(if degraded { "degraded" } else { "ok" })
        .bind(is_historical(r))
        .execute(&mut *tx)
        .await
        .map_err(self.err("saving scan"))?;
        if let Some((data, n)) = blob {
            sqlx::query(
                "INSERT INTO scan_candidates (scan_id, format, candidate_count, data) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (scan_id) DO NOTHING",
            )
            .bind(r.scan_id.to_string())
            .bind(i64::from(data[0]))
            .bind(n)
            .bind(data)
            .execute(&mut *tx)
            .await
            .map_err(self.err("saving the scan's candidates"))?;
        }
        if let Some(hook) = &self.before_commit {
            hook();
        }
        tx.commit().await.map_err(self.err("committing scan"))
    }

    async fn is_migrated(&self) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cached_scan_results'",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(self.err("checking the schema"))?;
        Ok(found.is_some())
    }

    async fn latest(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<ScanResult>> {
        let sql = format!("SELECT {SCAN_COLUMNS} {LATEST_FROM}");
        let row = sqlx::query(&sql)
            .bind(mode.as_str())
            .bind(prefer_good)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading latest scan"))?;
        row.as_ref().map(scan_from_row).transpose()
    }

    async fn latest_id(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<Uuid>> {
        let sql = format!("SELECT c.scan_id {LATEST_FROM}");
        let id: Option<String> = sqlx::query_scalar(&sql)
            .bind(mode.as_str())
            .bind(prefer_good)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading latest scan id"))?;
        id.map(|s| Uuid::parse_str(&s).map_err(|e| corrupt("scan_id", e)))
            .transpose()
    }

    async fn get(&self, scan_id: Uuid) -> Result<Option<ScanResult>> {
        let sql = format!("SELECT {SCAN_COLUMNS} FROM cached_scan_results WHERE scan_id = ?1");
        let row = sqlx::query(&sql)
            .bind(scan_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading scan"))?;
        row.as_ref().map(scan_from_row).transpose()
    }

    async fn candidates(&self, scan_id: Uuid) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT data FROM scan_candidates WHERE scan_id = ?1")
            .bind(scan_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading a scan's candidates"))
    }

    async fn history(&self, mode: Option<FilterMode>, limit: u32) -> Result<Vec<ScanSummary>> {
        let rows = sqlx::query(
            "SELECT scan_id, filter_mode, scan_timestamp, opportunity_count, total_evaluated, \
             json_array_length(symbols_scanned), scan_duration_seconds, status, historical \
             FROM cached_scan_results WHERE (?1 IS NULL OR filter_mode = ?1) \
             ORDER BY scan_timestamp DESC, seq DESC LIMIT ?2",
        )
        .bind(mode.map(FilterMode::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(self.err("reading scan history"))?;
        let now = Utc::now();
        rows.iter()
            .map(|row| {
                let get_err = |e: sqlx::Error| corrupt("column", e);
                let ts = parse_ts(
                    "scan_timestamp",
                    &row.try_get::<String, _>(2).map_err(get_err)?,
                )?;
                Ok(ScanSummary {
                    scan_id: Uuid::parse_str(&row.try_get::<String, _>(0).map_err(get_err)?)
                        .map_err(|e| corrupt("scan_id", e))?,
                    filter_mode: parse_mode(&row.try_get::<String, _>(1).map_err(get_err)?)?,
                    scan_timestamp: ts,
                    age_minutes: age_minutes(ts, now),
                    opportunity_count: to_u64(
                        "opportunity_count",
                        row.try_get(3).map_err(get_err)?,
                    )?,
                    total_evaluated: to_u64("total_evaluated", row.try_get(4).map_err(get_err)?)?,
                    symbols_scanned: to_u64("symbols_scanned", row.try_get(5).map_err(get_err)?)?,
                    scan_duration_seconds: row.try_get(6).map_err(get_err)?,
                    degraded: row.try_get::<String, _>(7).map_err(get_err)? == "degraded",
                    historical: row.try_get(8).map_err(get_err)?,
                })
            })
            .collect()
    }

    async fn cleanup(&self, keep: u32) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM cached_scan_results WHERE seq IN (SELECT seq FROM (SELECT seq, \
             row_number() OVER (PARTITION BY filter_mode ORDER BY scan_timestamp DESC, seq DESC) \
             AS rn FROM cached_scan_results) WHERE rn > ?1)",
        )
        .bind(i64::from(keep))
        .execute(&self.pool)
        .await
        .map_err(self.err("cleaning up old scans"))?;
        Ok(done.rows_affected())
    }

    async fn poll_notices(&self, cursor: &mut Option<i64>) -> Result<Vec<ScanNotice>> {
        let Some(after) = *cursor else {
            let max: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM cached_scan_results")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(self.err("starting subscription"))?;
            *cursor = Some(max);
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT seq, scan_id, filter_mode, scan_timestamp FROM cached_scan_results \
             WHERE seq > ?1 AND historical = 0 ORDER BY seq",
        )
        .bind(after)
        .fetch_all(&self.pool)
        .await
        .map_err(self.err("polling for new scans"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let get_err = |e: sqlx::Error| corrupt("notice column", e);
            *cursor = Some(row.try_get(0).map_err(get_err)?);
            out.push(ScanNotice {
                scan_id: Uuid::parse_str(&row.try_get::<String, _>(1).map_err(get_err)?)
                    .map_err(|e| corrupt("scan_id", e))?,
                filter_mode: parse_mode(&row.try_get::<String, _>(2).map_err(get_err)?)?,
                scan_timestamp: parse_ts(
                    "scan_timestamp",
                    &row.try_get::<String, _>(3).map_err(get_err)?,
                )?,
            });
        }
        Ok(out)
    }
}
