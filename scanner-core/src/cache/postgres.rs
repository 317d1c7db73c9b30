//! The PostgreSQL / Supabase backend, safe behind a transaction-mode pooler on any port.
//!
//! Unless the store was opened with [`super::PoolerMode::Direct`], it assumes a pooler may
//! sit in front (PgBouncer `pool_mode = transaction`, Supavisor, RDS Proxy, pgcat — on any
//! port; no URL flag needed): statements are unnamed (`persistent(false)`, statement cache
//! off), every operation with parameters runs inside an explicit transaction so one server
//! connection sees all of its protocol messages, and the hot parameterless read (the newest
//! scan id) is one simple-protocol round trip. `Direct` caches named statements instead.

use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use super::backend::{
    candidate_blob, corrupt, db_error, parse_mode, to_i64, to_u64, validate, ScanRows,
};
use super::lock::Fence;
use super::postgres_read::Lit;
use super::types::{age_minutes, is_historical, ScanNotice, ScanSummary};
use super::url::{DbUrl, Secret};
use super::StoreOptions;
use crate::model::{FilterMode, Opportunity, ScanMetadata, ScanResult};
use crate::{Error, ErrorKind, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Connections a writer store keeps open (see [`PostgresBackend::connect`]).
const WRITER_WARM: u32 = 2;

/// Pooled connections idle longer than this are pinged before use.
const IDLE_PING_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// The channel the insert trigger notifies.
pub(crate) const CHANNEL: &str = "optscan_scans";

const SCAN_COLUMNS: &str = "c.scan_id, c.scan_timestamp, c.filter_mode, c.opportunities, \
     c.total_evaluated, c.symbols_scanned, c.scan_duration_seconds, c.metadata";

/// The newest row of mode `$1`; with `$2`, the newest good one while any exists.
const LATEST_FROM: &str = "FROM cached_scan_results c WHERE c.filter_mode = $1 \
     AND NOT c.historical \
     AND ($2 = false OR c.status = 'ok' OR NOT EXISTS (SELECT 1 FROM cached_scan_results g \
     WHERE g.filter_mode = $1 AND g.status = 'ok' AND NOT g.historical)) \
     ORDER BY c.scan_timestamp DESC LIMIT 1";

pub(crate) struct PostgresBackend {
    pub(crate) pool: PgPool,
    /// Pooler-safe statements (everything but [`super::PoolerMode::Direct`]).
    pub(crate) transaction_mode: bool,
    /// The URL or the options say a transaction pooler is certainly in front: no
    /// migrations, no LISTEN.
    pub(crate) known_pooled: bool,
    secret: Secret,
    before_commit: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl PostgresBackend {
    pub async fn connect(
        url: &DbUrl,
        opts: &StoreOptions,
        transaction_mode: bool,
        known_pooled: bool,
    ) -> Result<Self> {
        let context = format!("connecting to PostgreSQL at {}", url.redacted);
        let err = |e| db_error(&url.secret, &context, e);
        let mut connect = PgConnectOptions::from_str(&url.driver_url)
            .map_err(err)?
            .application_name("optscan");
        if transaction_mode {
            // Poolers reject unknown startup parameters and named statements.
            connect = connect.statement_cache_capacity(0).extra_float_digits(None);
        }
        let max = opts.max_connections.max(1);
        let pool = match PgPoolOptions::new()
            .max_connections(max)
            // A writer keeps a second connection open: sqlx checks each connection on its
            // way back to the pool (a round trip), and an operation that follows at once
            // would otherwise wait for a new connection (four round trips) — and a lease's
            // heartbeat runs beside the cycle's own statements.
            .min_connections(if opts.read_only {
                0
            } else {
                max.min(WRITER_WARM)
            })
            .acquire_timeout(opts.acquire_timeout)
            // A ping before every use costs a round trip per operation (50 ms to a hosted
            // database): only connections idle for a while are checked.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_PING_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(connect.clone())
            .await
        {
            Ok(pool) => pool,
            // The pool only says it timed out; one direct attempt tells why (refused, DNS, …).
            Err(sqlx::Error::PoolTimedOut) => {
                // The diagnostic attempt has the same time limit: a frozen server answers
                // neither.
                let attempt = sqlx::ConnectOptions::connect(&connect);
                let why = match tokio::time::timeout(opts.acquire_timeout, attempt).await {
                    Ok(Err(e)) => e.to_string(),
                    Ok(Ok(_)) => "timed out waiting for a connection".to_owned(),
                    Err(_) => format!("no answer within {:?}", opts.acquire_timeout),
                };
                return Err(Error::new(
                    ErrorKind::Timeout,
                    url.secret.scrub(&format!("{context}: {why}")),
                ));
            }
            Err(e) => return Err(err(e)),
        };
        Ok(Self {
            pool,
            transaction_mode,
            known_pooled,
            secret: url.secret.clone(),
            before_commit: opts.before_commit.clone(),
        })
    }

    /// A statement, unnamed when talking to a transaction-mode pooler.
    pub(super) fn q<'q>(&self, sql: &'q str) -> Query<'q, Postgres, PgArguments> {
        sqlx::query(sql).persistent(!self.transaction_mode)
    }

    pub(super) fn err(&self, context: &str) -> impl Fn(sqlx::Error) -> Error + '_ {
        let context = context.to_owned();
        move |e| db_error(&self.secret, &context, e)
    }

    pub(super) async fn tx(&self, context: &str) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(self.err(context))
    }

    pub(super) async fn commit(
        &self,
        tx: Transaction<'static, Postgres>,
        context: &str,
    ) -> Result<()> {
        tx.commit().await.map_err(self.err(context))
    }

    /// Whether every embedded migration is applied with its checksum (one simple query).
    async fn up_to_date(&self) -> Result<bool> {
        let rows = match sqlx::raw_sql(
            "SELECT version, encode(checksum, 'hex') FROM _sqlx_migrations WHERE success",
        )
        .fetch_all(&self.pool)
        .await
        {
            Ok(rows) => rows,
            // No bookkeeping table yet (42P01): not migrated.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => {
                return Ok(false)
            }
            Err(e) => return Err(self.err("checking applied migrations")(e)),
        };
        let mut applied = std::collections::HashMap::new();
        for r in &rows {
            let version: i64 = r.try_get(0).map_err(|e| corrupt("migration version", e))?;
            let checksum: String = r.try_get(1).map_err(|e| corrupt("migration checksum", e))?;
            applied.insert(version, checksum);
        }
        Ok(MIGRATOR.iter().all(|m| {
            let hex: String = m.checksum.iter().map(|b| format!("{b:02x}")).collect();
            applied.get(&m.version) == Some(&hex)
        }))
    }

    /// Whether a test hook runs before commits (saves then take the transaction path).
    pub(super) fn has_commit_hook(&self) -> bool {
        self.before_commit.is_some()
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }
}

fn scan_from_row(row: &PgRow) -> Result<ScanResult> {
    let get_err = |e: sqlx::Error| corrupt("column", e);
    let mode: String = row.try_get(2).map_err(get_err)?;
    let opps: Json<Vec<Opportunity>> = row.try_get(3).map_err(|e| corrupt("opportunities", e))?;
    let metadata: Json<ScanMetadata> = row.try_get(7).map_err(|e| corrupt("metadata", e))?;
    Ok(ScanResult {
        scan_id: row.try_get(0).map_err(get_err)?,
        scan_timestamp: row.try_get(1).map_err(get_err)?,
        filter_mode: parse_mode(&mode)?,
        opportunities: opps.0,
        total_evaluated: to_u64("total_evaluated", row.try_get(4).map_err(get_err)?)?,
        symbols_scanned: row.try_get(5).map_err(get_err)?,
        scan_duration_seconds: row.try_get(6).map_err(get_err)?,
        metadata: metadata.0,
        candidates: Default::default(),
    })
}

#[async_trait]
impl ScanRows for PostgresBackend {
    async fn migrate(&self) -> Result<()> {
        if self.known_pooled {
            return Err(Error::invalid_input(
                "migrations cannot run through a transaction-mode pooler; run them over a \
                 direct or session-mode URL (Supabase: port 5432) or open with migrate = false",
            ));
        }
        // Up to date: nothing to run. This is also what keeps an undetected transaction
        // pooler safe once the schema exists: the migrator's session advisory lock is
        // never taken through it.
        if self.up_to_date().await? {
            return Ok(());
        }
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            Error::new(
                ErrorKind::Database,
                self.secret.scrub(&format!("migrating PostgreSQL: {e}")),
            )
        })
    }

    async fn save(&self, r: &ScanResult, degraded: bool, fence: Option<&Fence>) -> Result<()> {
        validate(r)?;
        if self.transaction_mode && self.before_commit.is_none() {
            if let Some(done) = self.save_in_one_statement(r, degraded, fence).await? {
                return Ok(done);
            }
        }
        let mut tx = self.tx("starting save").await?;
        if let Some(f) = fence {
            let held = self
                .upsert_lease(&mut tx, &f.name, &f.holder, f.ttl)
                .await
                .map_err(self.err("checking the writer lease"))?;
            if !held {
                return Err(super::lock::lost_error(&f.name));
            }
        }
        self.q(
            "INSERT INTO cached_scan_results (scan_id, scan_timestamp, filter_mode, opportunities, \
             total_evaluated, symbols_scanned, scan_duration_seconds, metadata, opportunity_count, \
             status, historical) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (scan_id) DO NOTHING",
        )
        .bind(r.scan_id)
        .bind(r.scan_timestamp)
        .bind(r.filter_mode.as_str())
        .bind(Json(&r.opportunities))
        .bind(to_i64("total_evaluated", r.total_evaluated)?)
        .bind(&r.symbols_scanned)
        .bind(r.scan_duration_seconds)
        .bind(Json(&r.metadata))
        .bind(i32::try_from(r.opportunities.len()).unwrap_or(i32::MAX))
        .bind(if degraded { "degraded" } else { "ok" })
        .bind(is_historical(r))
        .execute(&mut *tx)
        .await
        .map_err(self.err("saving scan"))?;
        if let Some((data, n)) = candidate_blob(r)? {
            self.q(
                "INSERT INTO scan_candidates (scan_id, format, candidate_count, data) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (scan_id) DO NOTHING",
            )
            .bind(r.scan_id)
            .bind(i16::from(data[0]))
            .bind(i32::try_from(n).unwrap_or(i32::MAX))
            .bind(data)
            .execute(&mut *tx)
            .await
            .map_err(self.err("saving the scan's candidates"))?;
        }
        if let Some(hook) = &self.before_commit {
            hook();
        }
        self.commit(tx, "committing scan").await
    }

    async fn is_migrated(&self) -> Result<bool> {
        let rows = sqlx::raw_sql("SELECT to_regclass('cached_scan_results') IS NOT NULL")
            .fetch_all(&self.pool)
            .await
            .map_err(self.err("checking the schema"))?;
        rows.first()
            .map(|r| {
                r.try_get::<bool, _>(0)
                    .map_err(|e| corrupt("schema check", e))
            })
            .unwrap_or(Ok(false))
    }

    async fn latest(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<ScanResult>> {
        let sql = format!("SELECT {SCAN_COLUMNS} {LATEST_FROM}");
        let lits = [Lit::Name(mode.as_str()), Lit::Bool(prefer_good)];
        let rows = self.read(&sql, &lits, "reading latest scan").await?;
        rows.first().map(scan_from_row).transpose()
    }

    async fn latest_id(&self, mode: FilterMode, prefer_good: bool) -> Result<Option<Uuid>> {
        let sql = format!("SELECT c.scan_id {LATEST_FROM}");
        let lits = [Lit::Name(mode.as_str()), Lit::Bool(prefer_good)];
        let rows = self.read(&sql, &lits, "reading latest scan id").await?;
        rows.first()
            .map(|r| r.try_get(0).map_err(|e| corrupt("scan_id", e)))
            .transpose()
    }

    async fn get(&self, scan_id: Uuid) -> Result<Option<ScanResult>> {
        let sql = format!("SELECT {SCAN_COLUMNS} FROM cached_scan_results c WHERE c.scan_id = $1");
        let rows = self
            .read(&sql, &[Lit::Uuid(scan_id)], "reading scan")
            .await?;
        rows.first().map(scan_from_row).transpose()
    }

    async fn candidates(&self, scan_id: Uuid) -> Result<Option<Vec<u8>>> {
        let sql = "SELECT data FROM scan_candidates WHERE scan_id = $1";
        let rows = self
            .read(sql, &[Lit::Uuid(scan_id)], "reading a scan's candidates")
            .await?;
        rows.first()
            .map(|r| r.try_get(0).map_err(|e| corrupt("candidates", e)))
            .transpose()
    }

    async fn history(&self, mode: Option<FilterMode>, limit: u32) -> Result<Vec<ScanSummary>> {
        let sql = "SELECT scan_id, filter_mode, scan_timestamp, opportunity_count, \
            total_evaluated, cardinality(symbols_scanned), scan_duration_seconds, status, \
            historical FROM cached_scan_results WHERE ($1::text IS NULL OR filter_mode = $1) \
            ORDER BY scan_timestamp DESC LIMIT $2";
        let lits = [
            Lit::OptName(mode.map(FilterMode::as_str)),
            Lit::Int(i64::from(limit)),
        ];
        let rows = self.read(sql, &lits, "reading scan history").await?;
        let now = Utc::now();
        rows.iter()
            .map(|row| {
                let get_err = |e: sqlx::Error| corrupt("column", e);
                let ts: DateTime<Utc> = row.try_get(2).map_err(get_err)?;
                Ok(ScanSummary {
                    scan_id: row.try_get(0).map_err(get_err)?,
                    filter_mode: parse_mode(&row.try_get::<String, _>(1).map_err(get_err)?)?,
                    scan_timestamp: ts,
                    age_minutes: age_minutes(ts, now),
                    opportunity_count: to_u64(
                        "opportunity_count",
                        i64::from(row.try_get::<i32, _>(3).map_err(get_err)?),
                    )?,
                    total_evaluated: to_u64("total_evaluated", row.try_get(4).map_err(get_err)?)?,
                    symbols_scanned: to_u64(
                        "symbols_scanned",
                        i64::from(row.try_get::<i32, _>(5).map_err(get_err)?),
                    )?,
                    scan_duration_seconds: row.try_get(6).map_err(get_err)?,
                    degraded: row.try_get::<String, _>(7).map_err(get_err)? == "degraded",
                    historical: row.try_get(8).map_err(get_err)?,
                })
            })
            .collect()
    }

    async fn cleanup(&self, keep: u32) -> Result<u64> {
        let keep = i32::try_from(keep).unwrap_or(i32::MAX);
        let mut tx = self.tx("cleaning up old scans").await?;
        let n: i32 = self
            .q("SELECT cleanup_old_scans($1)")
            .bind(keep)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(self.err("cleaning up old scans"))?;
        self.commit(tx, "cleaning up old scans").await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn poll_notices(&self, cursor: &mut Option<i64>) -> Result<Vec<ScanNotice>> {
        let mut tx = self.tx("polling for new scans").await?;
        let after = match *cursor {
            Some(after) => after,
            None => self
                .q("SELECT clock_timestamp()")
                .fetch_one(&mut *tx)
                .await
                .and_then(|r| r.try_get::<DateTime<Utc>, _>(0))
                .map_err(self.err("starting subscription"))?
                .timestamp_micros(),
        };
        let since = DateTime::from_timestamp_micros(after).unwrap_or_default();
        // created_at is the saving transaction's start, not its commit: re-read a window
        // so a slow commit is not skipped (callers drop repeats by scan_id).
        let rows = self
            .q(
                "SELECT scan_id, filter_mode, scan_timestamp, created_at FROM cached_scan_results \
                WHERE created_at > $1 - interval '2 minutes' AND NOT historical \
                ORDER BY created_at, scan_timestamp",
            )
            .bind(since)
            .fetch_all(&mut *tx)
            .await
            .map_err(self.err("polling for new scans"))?;
        self.commit(tx, "polling for new scans").await?;
        *cursor = Some(after);
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let get_err = |e: sqlx::Error| corrupt("notice column", e);
            let created: DateTime<Utc> = row.try_get(3).map_err(get_err)?;
            *cursor = Some(created.timestamp_micros().max(after));
            out.push(ScanNotice {
                scan_id: row.try_get(0).map_err(get_err)?,
                filter_mode: parse_mode(&row.try_get::<String, _>(1).map_err(get_err)?)?,
                scan_timestamp: row.try_get(2).map_err(get_err)?,
            });
        }
        Ok(out)
    }
}
