//! The SQL of queued cycles on PostgreSQL: pgmq's API for the messages (`pgmq.create`,
//! `pgmq.send_batch`, `pgmq.read`, `pgmq.delete`, `pgmq.archive` — the same calls on Supabase
//! Queues and on pgmq installed as SQL) and the `scan_cycles` / `scan_cycle_shards` rows
//! (migration 0005). Every statement is one simple-protocol query with its values inlined
//! (pooler-safe, one round trip); the few that change several rows run as one multi-statement
//! query, which PostgreSQL executes as one transaction.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::backend::corrupt;
use super::postgres::PostgresBackend;
use super::postgres_read::{inline_all, Lit};
use super::queue::{CycleStatus, ShardMessage};
use crate::model::FilterMode;
use crate::{Error, ErrorKind, Result};

/// A planned cycle as stored.
#[derive(Debug, Clone)]
pub(crate) struct CycleRow {
    pub cycle_id: Uuid,
    pub as_of: DateTime<Utc>,
    pub modes: Vec<FilterMode>,
    pub fingerprint: String,
    pub shard_count: u32,
    pub created_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub merged: bool,
}

/// A shard row as the merge reads it.
#[derive(Debug, Clone)]
pub(crate) struct ShardRow {
    pub shard: u32,
    pub symbols: Vec<String>,
    pub worker: Option<String>,
    pub deliveries: u32,
    pub seconds: Option<f64>,
    pub partial: Option<String>,
}

/// A message read from the queue.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub msg_id: i64,
    pub read_ct: i32,
    /// The message, or why it could not be decoded.
    pub message: std::result::Result<ShardMessage, String>,
}

/// How far a cycle is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    pub shards: u32,
    pub done: u32,
    pub past_deadline: bool,
    pub merged: bool,
}

const CYCLE_COLUMNS: &str = "cycle_id, as_of, modes, config_fingerprint, shard_count, \
    created_at, deadline, merged_at IS NOT NULL";

fn sql(template: &str, lits: &[Lit<'_>]) -> Result<String> {
    inline_all(template, lits).ok_or_else(|| {
        Error::invalid_input("a queue value contains a NUL character or a non-finite number")
    })
}

fn u32_of(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn cycle_row(row: &PgRow) -> Result<CycleRow> {
    let e = |e: sqlx::Error| corrupt("scan cycle", e);
    let modes: Vec<String> = row.try_get(2).map_err(e)?;
    Ok(CycleRow {
        cycle_id: row.try_get(0).map_err(e)?,
        as_of: row.try_get(1).map_err(e)?,
        modes: modes
            .iter()
            .map(|m| m.parse())
            .collect::<Result<Vec<FilterMode>>>()?,
        fingerprint: row.try_get(3).map_err(e)?,
        shard_count: u32_of(row.try_get(4).map_err(e)?),
        created_at: row.try_get(5).map_err(e)?,
        deadline: row.try_get(6).map_err(e)?,
        merged: row.try_get(7).map_err(e)?,
    })
}

impl PostgresBackend {
    /// Install pgmq's SQL unless pgmq (the extension, as on Supabase, or an earlier SQL
    /// install) is already there, then create `queue` (idempotent).
    pub(crate) async fn queue_ensure(&self, queue: &str) -> Result<()> {
        if !self.pgmq_installed().await? {
            pgmq::install::install_sql_from_embedded(&self.pool)
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Database,
                        self.secret()
                            .scrub(&format!("installing pgmq's SQL (needs a direct or session connection with CREATE rights): {e}")),
                    )
                })?;
        }
        let q = sql("SELECT pgmq.create($1)", &[Lit::Name(queue)])?;
        self.read_raw(&q, "creating the pgmq queue").await.map(drop)
    }

    /// Whether the `pgmq` functions exist (extension or SQL install).
    pub(crate) async fn pgmq_installed(&self) -> Result<bool> {
        let rows = self
            .read_raw(
                "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n \
                 ON n.oid = p.pronamespace WHERE n.nspname = 'pgmq' AND p.proname = 'read')",
                "looking for pgmq",
            )
            .await?;
        rows.first()
            .map(|r| r.try_get::<bool, _>(0))
            .transpose()
            .map_err(|e| corrupt("pgmq check", e))
            .map(|b| b.unwrap_or(false))
    }

    /// The cycle of `queue` at `as_of`, or (without `as_of`) its newest unmerged cycle.
    pub(crate) async fn find_cycle(
        &self,
        queue: &str,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Option<CycleRow>> {
        let q = match as_of {
            Some(t) => sql(
                &format!(
                    "SELECT {CYCLE_COLUMNS} FROM scan_cycles WHERE queue_name = $1 AND as_of = $2"
                ),
                &[Lit::Name(queue), Lit::Time(t)],
            )?,
            None => sql(
                &format!(
                    "SELECT {CYCLE_COLUMNS} FROM scan_cycles WHERE queue_name = $1 \
                     AND merged_at IS NULL ORDER BY created_at DESC LIMIT 1"
                ),
                &[Lit::Name(queue)],
            )?,
        };
        let rows = self.read_raw(&q, "reading the scan cycle").await?;
        rows.first().map(cycle_row).transpose()
    }

    /// Record a new cycle with its shards and send one message per shard, atomically.
    pub(crate) async fn plan_cycle(
        &self,
        queue: &str,
        cycle: &CycleRow,
        coordinator: &str,
        messages: &[ShardMessage],
    ) -> Result<()> {
        let modes: Vec<String> = cycle.modes.iter().map(|m| m.as_str().to_owned()).collect();
        let symbol_count: usize = messages.iter().map(|m| m.symbols.len()).sum();
        let mut stmts = vec![sql(
            "INSERT INTO scan_cycles (cycle_id, queue_name, as_of, modes, config_fingerprint, \
             shard_count, symbol_count, coordinator, created_at, deadline) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                Lit::Uuid(cycle.cycle_id),
                Lit::Name(queue),
                Lit::Time(cycle.as_of),
                Lit::Texts(&modes),
                Lit::Text(&cycle.fingerprint),
                Lit::Int(i64::from(cycle.shard_count)),
                Lit::Int(symbol_count as i64),
                Lit::Text(coordinator),
                Lit::Time(cycle.created_at),
                Lit::Time(cycle.deadline),
            ],
        )?];
        let mut bodies = Vec::with_capacity(messages.len());
        for m in messages {
            stmts.push(sql(
                "INSERT INTO scan_cycle_shards (cycle_id, shard, symbols) VALUES ($1, $2, $3)",
                &[
                    Lit::Uuid(m.cycle_id),
                    Lit::Int(i64::from(m.shard)),
                    Lit::Texts(&m.symbols),
                ],
            )?);
            bodies.push(
                serde_json::to_string(m)
                    .map_err(|e| Error::internal(format!("serialising a shard message: {e}")))?,
            );
        }
        stmts.push(sql(
            "SELECT count(*) FROM pgmq.send_batch($1, $2::jsonb[])",
            &[Lit::Name(queue), Lit::Texts(&bodies)],
        )?);
        self.write_raw(&stmts.join(";\n"), "planning the scan cycle")
            .await
            .map(drop)
    }

    /// Read one message, invisible to others for `vt_secs`.
    pub(crate) async fn read_shard(&self, queue: &str, vt_secs: i64) -> Result<Option<Delivery>> {
        let q = sql(
            "SELECT msg_id, read_ct, message::text FROM pgmq.read($1, $2::integer, 1)",
            &[Lit::Name(queue), Lit::Int(vt_secs)],
        )?;
        let rows = self.read_raw(&q, "reading the queue").await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let e = |e: sqlx::Error| corrupt("queue message", e);
        let text: String = row.try_get(2).map_err(e)?;
        Ok(Some(Delivery {
            msg_id: row.try_get(0).map_err(e)?,
            read_ct: row.try_get(1).map_err(e)?,
            message: serde_json::from_str(&text).map_err(|e| format!("{e}: {text:.200}")),
        }))
    }

    /// Say who scans a shard (for `queue status`) and how often it was delivered.
    pub(crate) async fn start_shard(
        &self,
        m: &ShardMessage,
        worker: &str,
        read_ct: i32,
    ) -> Result<()> {
        let q = sql(
            "UPDATE scan_cycle_shards SET worker = $3, deliveries = greatest(deliveries, $4), \
             started_at = now() WHERE cycle_id = $1 AND shard = $2",
            &[
                Lit::Uuid(m.cycle_id),
                Lit::Int(i64::from(m.shard)),
                Lit::Text(worker),
                Lit::Int(i64::from(read_ct)),
            ],
        )?;
        self.write_raw(&q, "starting a shard").await.map(drop)
    }

    /// Write a shard's partial result (overwriting an earlier delivery's) and delete its
    /// message, in one transaction; nothing is written once the cycle is merged.
    pub(crate) async fn finish_shard(
        &self,
        queue: &str,
        msg_id: i64,
        m: &ShardMessage,
        worker: &str,
        seconds: f64,
        partial: &str,
    ) -> Result<()> {
        let write = sql(
            "UPDATE scan_cycle_shards s SET partial = $3::jsonb, worker = $4, seconds = $5, \
             finished_at = now() FROM scan_cycles c WHERE s.cycle_id = $1 AND s.shard = $2 \
             AND c.cycle_id = s.cycle_id AND c.merged_at IS NULL",
            &[
                Lit::Uuid(m.cycle_id),
                Lit::Int(i64::from(m.shard)),
                Lit::Text(partial),
                Lit::Text(worker),
                Lit::Float(seconds),
            ],
        )?;
        let delete = sql(
            "SELECT pgmq.delete($1, $2::bigint)",
            &[Lit::Name(queue), Lit::Int(msg_id)],
        )?;
        self.write_raw(&format!("{write};\n{delete}"), "writing a shard")
            .await
            .map(drop)
    }

    /// Move a message to the queue's archive (a shard of a merged cycle, or unreadable).
    pub(crate) async fn archive(&self, queue: &str, msg_id: i64) -> Result<()> {
        let q = sql(
            "SELECT pgmq.archive($1, $2::bigint)",
            &[Lit::Name(queue), Lit::Int(msg_id)],
        )?;
        self.read_raw(&q, "archiving a message").await.map(drop)
    }

    /// How far `cycle` is.
    pub(crate) async fn progress(&self, cycle: Uuid) -> Result<Option<Progress>> {
        let q = sql(
            "SELECT c.shard_count, (SELECT count(*)::int FROM scan_cycle_shards s \
             WHERE s.cycle_id = c.cycle_id AND s.partial IS NOT NULL), \
             c.deadline < now(), c.merged_at IS NOT NULL FROM scan_cycles c WHERE c.cycle_id = $1",
            &[Lit::Uuid(cycle)],
        )?;
        let rows = self.read_raw(&q, "reading cycle progress").await?;
        let e = |e: sqlx::Error| corrupt("cycle progress", e);
        rows.first()
            .map(|r| {
                Ok(Progress {
                    shards: u32_of(r.try_get(0).map_err(e)?),
                    done: u32_of(r.try_get(1).map_err(e)?),
                    past_deadline: r.try_get(2).map_err(e)?,
                    merged: r.try_get(3).map_err(e)?,
                })
            })
            .transpose()
    }

    /// The cycle and its shards, in shard order, for the merge.
    pub(crate) async fn cycle_shards(&self, cycle: Uuid) -> Result<(CycleRow, Vec<ShardRow>)> {
        let q = sql(
            &format!("SELECT {CYCLE_COLUMNS} FROM scan_cycles WHERE cycle_id = $1"),
            &[Lit::Uuid(cycle)],
        )?;
        let rows = self.read_raw(&q, "reading the scan cycle").await?;
        let c = rows
            .first()
            .map(cycle_row)
            .transpose()?
            .ok_or_else(|| Error::not_found(format!("scan cycle {cycle} is gone")))?;
        let q = sql(
            "SELECT shard, symbols, worker, deliveries, seconds, partial::text \
             FROM scan_cycle_shards WHERE cycle_id = $1 ORDER BY shard",
            &[Lit::Uuid(cycle)],
        )?;
        let e = |e: sqlx::Error| corrupt("shard row", e);
        let shards = self
            .read_raw(&q, "reading the cycle's shards")
            .await?
            .iter()
            .map(|r| {
                Ok(ShardRow {
                    shard: u32_of(r.try_get(0).map_err(e)?),
                    symbols: r.try_get(1).map_err(e)?,
                    worker: r.try_get(2).map_err(e)?,
                    deliveries: u32_of(r.try_get(3).map_err(e)?),
                    seconds: r.try_get(4).map_err(e)?,
                    partial: r.try_get(5).map_err(e)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((c, shards))
    }

    /// Mark `cycle` merged into `scan_ids` by `worker`.
    pub(crate) async fn mark_merged(
        &self,
        cycle: Uuid,
        worker: &str,
        scan_ids: &[Uuid],
    ) -> Result<()> {
        let ids: Vec<String> = scan_ids.iter().map(Uuid::to_string).collect();
        let q = sql(
            "UPDATE scan_cycles SET merged_at = now(), merged_by = $2, scan_ids = $3::uuid[] \
             WHERE cycle_id = $1 AND merged_at IS NULL",
            &[Lit::Uuid(cycle), Lit::Text(worker), Lit::Texts(&ids)],
        )?;
        self.write_raw(&q, "marking the cycle merged")
            .await
            .map(drop)
    }

    /// The newest `limit` cycles of `queue` with their shards' states.
    pub(crate) async fn cycle_statuses(&self, queue: &str, limit: u32) -> Result<Vec<CycleStatus>> {
        // pgmq keeps a queue's messages in table pgmq.q_<queue>; the name was checked.
        let q = sql(
            &format!(
                "WITH m AS (SELECT (message->>'cycleId')::uuid AS cycle_id, \
                 count(*) FILTER (WHERE vt <= now())::int AS pending, \
                 count(*) FILTER (WHERE vt > now())::int AS in_flight \
                 FROM pgmq.\"q_{queue}\" GROUP BY 1) \
                 SELECT c.cycle_id, c.as_of, c.created_at, c.coordinator, c.deadline, \
                 c.shard_count, \
                 (SELECT count(*)::int FROM scan_cycle_shards s WHERE s.cycle_id = c.cycle_id \
                  AND s.partial IS NOT NULL), \
                 coalesce(m.in_flight, 0), coalesce(m.pending, 0), \
                 (SELECT count(*)::int FROM scan_cycle_shards s WHERE s.cycle_id = c.cycle_id \
                  AND s.deliveries > 1), \
                 ARRAY(SELECT DISTINCT s.worker FROM scan_cycle_shards s \
                  WHERE s.cycle_id = c.cycle_id AND s.worker IS NOT NULL ORDER BY 1), \
                 c.merged_at, c.scan_ids \
                 FROM scan_cycles c LEFT JOIN m ON m.cycle_id = c.cycle_id \
                 WHERE c.queue_name = $1 ORDER BY c.created_at DESC LIMIT $2"
            ),
            &[Lit::Name(queue), Lit::Int(i64::from(limit))],
        )?;
        let e = |e: sqlx::Error| corrupt("cycle status", e);
        self.read_raw(&q, "reading the queue status")
            .await?
            .iter()
            .map(|r| {
                Ok(CycleStatus {
                    cycle_id: r.try_get(0).map_err(e)?,
                    as_of: r.try_get(1).map_err(e)?,
                    created_at: r.try_get(2).map_err(e)?,
                    coordinator: r.try_get(3).map_err(e)?,
                    deadline: r.try_get(4).map_err(e)?,
                    shards: u32_of(r.try_get(5).map_err(e)?),
                    done: u32_of(r.try_get(6).map_err(e)?),
                    in_flight: u32_of(r.try_get(7).map_err(e)?),
                    pending: u32_of(r.try_get(8).map_err(e)?),
                    redelivered: u32_of(r.try_get(9).map_err(e)?),
                    workers: r.try_get(10).map_err(e)?,
                    merged_at: r.try_get(11).map_err(e)?,
                    scan_ids: r.try_get(12).map_err(e)?,
                })
            })
            .collect()
    }

    /// Whether `queue` exists (its pgmq table is there).
    pub(crate) async fn queue_exists(&self, queue: &str) -> Result<bool> {
        let q = format!("SELECT to_regclass('pgmq.\"q_{queue}\"') IS NOT NULL");
        let rows = self.read_raw(&q, "looking for the queue").await?;
        rows.first()
            .map(|r| r.try_get::<bool, _>(0))
            .transpose()
            .map_err(|e| corrupt("queue check", e))
            .map(|b| b.unwrap_or(false))
    }

    /// Keep a message invisible for another `vt_secs` (the scanning worker is alive).
    pub(crate) async fn extend_visibility(
        &self,
        queue: &str,
        msg_id: i64,
        vt_secs: i64,
    ) -> Result<()> {
        let q = sql(
            "SELECT msg_id FROM pgmq.set_vt($1, $2::bigint, $3::integer)",
            &[Lit::Name(queue), Lit::Int(msg_id), Lit::Int(vt_secs)],
        )?;
        self.read_raw(&q, "extending a message's visibility")
            .await
            .map(drop)
    }
}
