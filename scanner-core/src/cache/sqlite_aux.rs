//! SQLite side tables: rotation state, IV history, the per-symbol analysis cache and
//! writer leases (expiry compared as fixed-width UTC text).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::backend::{corrupt, to_i64, to_u64, AuxRows};
use super::sqlite::{fmt_ts, json, parse_ts, SqliteBackend};
use super::types::RotationState;
use crate::model::FilterMode;
use crate::{Error, Result};

#[async_trait]
impl AuxRows for SqliteBackend {
    async fn rotation(&self, mode: FilterMode) -> Result<Option<RotationState>> {
        let row = sqlx::query(
            "SELECT position, universe_size, updated_at FROM scanner_state WHERE filter_mode = ?1",
        )
        .bind(mode.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(self.err("reading rotation state"))?;
        let Some(row) = row else { return Ok(None) };
        let get_err = |e: sqlx::Error| corrupt("rotation column", e);
        Ok(Some(RotationState {
            position: to_u64("position", row.try_get(0).map_err(get_err)?)?,
            universe_size: to_u64("universe_size", row.try_get(1).map_err(get_err)?)?,
            updated_at: parse_ts("updated_at", &row.try_get::<String, _>(2).map_err(get_err)?)?,
        }))
    }

    async fn set_rotation(&self, mode: FilterMode, s: &RotationState) -> Result<()> {
        sqlx::query(
            "INSERT INTO scanner_state (filter_mode, position, universe_size, updated_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (filter_mode) DO UPDATE SET \
             position = excluded.position, universe_size = excluded.universe_size, \
             updated_at = excluded.updated_at",
        )
        .bind(mode.as_str())
        .bind(to_i64("position", s.position)?)
        .bind(to_i64("universe_size", s.universe_size)?)
        .bind(fmt_ts(s.updated_at))
        .execute(&self.pool)
        .await
        .map_err(self.err("saving rotation state"))?;
        Ok(())
    }

    async fn record_ivs(&self, date: NaiveDate, ivs: &[(String, f64)]) -> Result<()> {
        if ivs.is_empty() {
            return Ok(());
        }
        let rows = serde_json::to_string(ivs).map_err(|e| Error::internal(e.to_string()))?;
        // One statement for the batch: the rows travel as a JSON array of [symbol, iv].
        sqlx::query(
            "INSERT INTO iv_history (symbol, date, atm_iv_30d) \
             SELECT json_extract(value, '$[0]'), ?2, json_extract(value, '$[1]') \
             FROM json_each(?1) WHERE true \
             ON CONFLICT (symbol, date) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d",
        )
        .bind(rows)
        .bind(date.format("%Y-%m-%d").to_string())
        .execute(&self.pool)
        .await
        .map_err(self.err("recording IVs"))?;
        Ok(())
    }

    async fn iv_histories(
        &self,
        symbols: &[String],
        since: NaiveDate,
    ) -> Result<HashMap<String, Vec<(NaiveDate, f64)>>> {
        if symbols.is_empty() {
            return Ok(HashMap::new());
        }
        let list = serde_json::to_string(symbols).map_err(|e| Error::internal(e.to_string()))?;
        let rows = sqlx::query(
            "SELECT symbol, date, atm_iv_30d FROM iv_history \
             WHERE symbol IN (SELECT value FROM json_each(?1)) AND date >= ?2 \
             ORDER BY symbol, date",
        )
        .bind(list)
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(self.err("reading IV history"))?;
        let mut out: HashMap<String, Vec<(NaiveDate, f64)>> = HashMap::new();
        for row in &rows {
            let get_err = |e: sqlx::Error| corrupt("iv_history column", e);
            let d: String = row.try_get(1).map_err(get_err)?;
            let date = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| corrupt("date", e))?;
            out.entry(row.try_get(0).map_err(get_err)?)
                .or_default()
                .push((date, row.try_get(2).map_err(get_err)?));
        }
        Ok(out)
    }

    async fn put_symbol_analysis(
        &self,
        symbol: &str,
        fp: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO symbol_analysis_cache (symbol, fingerprint, computed_at, payload) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (symbol) DO UPDATE SET \
             fingerprint = excluded.fingerprint, computed_at = excluded.computed_at, \
             payload = excluded.payload",
        )
        .bind(symbol)
        .bind(fp)
        .bind(fmt_ts(Utc::now()))
        .bind(json("payload", payload)?)
        .execute(&self.pool)
        .await
        .map_err(self.err("saving symbol analysis"))?;
        Ok(())
    }

    async fn symbol_analysis(
        &self,
        symbol: &str,
        fp: &str,
        fresh_after: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>> {
        let row = sqlx::query(
            "SELECT payload FROM symbol_analysis_cache WHERE symbol = ?1 AND fingerprint = ?2 \
             AND computed_at >= ?3",
        )
        .bind(symbol)
        .bind(fp)
        .bind(fmt_ts(fresh_after))
        .fetch_optional(&self.pool)
        .await
        .map_err(self.err("reading symbol analysis"))?;
        row.map(|r| {
            let text: String = r.try_get(0).map_err(|e| corrupt("payload", e))?;
            serde_json::from_str(&text).map_err(|e| corrupt("payload", e))
        })
        .transpose()
    }

    async fn symbol_rows(&self, keys: &[String]) -> Result<HashMap<String, (String, String)>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let list = serde_json::to_string(keys).map_err(|e| Error::internal(e.to_string()))?;
        let rows = sqlx::query(
            "SELECT symbol, fingerprint, payload FROM symbol_analysis_cache \
             WHERE symbol IN (SELECT value FROM json_each(?1))",
        )
        .bind(list)
        .fetch_all(&self.pool)
        .await
        .map_err(self.err("reading cached histories"))?;
        let get_err = |e: sqlx::Error| corrupt("symbol_analysis_cache column", e);
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            let fp: String = r.try_get(1).map_err(get_err)?;
            out.insert(
                r.try_get(0).map_err(get_err)?,
                (fp, r.try_get(2).map_err(get_err)?),
            );
        }
        Ok(out)
    }

    async fn put_symbol_rows(&self, rows: &[(String, String, String)]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // One statement for the batch: the rows travel as one JSON array of triples.
        let list = serde_json::to_string(rows).map_err(|e| Error::internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO symbol_analysis_cache (symbol, fingerprint, computed_at, payload) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2, \
             json_extract(value, '$[2]') FROM json_each(?1) WHERE true \
             ON CONFLICT (symbol) DO UPDATE SET fingerprint = excluded.fingerprint, \
             computed_at = excluded.computed_at, payload = excluded.payload",
        )
        .bind(list)
        .bind(fmt_ts(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(self.err("saving cached histories"))?;
        Ok(())
    }

    async fn try_lease(&self, name: &str, holder: &str, lease: Duration) -> Result<bool> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(self.err("taking writer lease"))?;
        upsert_lease(&mut conn, name, holder, lease)
            .await
            .map_err(self.err("taking writer lease"))
    }

    async fn lease_holder(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT holder FROM scanner_locks WHERE name = ?1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err("reading writer lease"))
    }

    async fn steal_lease(
        &self,
        name: &str,
        dead: &str,
        holder: &str,
        lease: Duration,
    ) -> Result<bool> {
        let now = Utc::now();
        let done = sqlx::query(
            "UPDATE scanner_locks SET holder = ?3, acquired_at = ?4, expires_at = ?5 \
             WHERE name = ?1 AND holder = ?2",
        )
        .bind(name)
        .bind(dead)
        .bind(holder)
        .bind(fmt_ts(now))
        .bind(fmt_ts(now + ttl(lease)))
        .execute(&self.pool)
        .await
        .map_err(self.err("taking over a dead writer's lease"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM scanner_locks WHERE name = ?1 AND holder = ?2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(self.err("releasing writer lease"))?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

fn ttl(lease: Duration) -> chrono::Duration {
    chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::days(365))
}

/// Take lease `name` for `holder` if it is free, expired or already `holder`'s.
pub(super) async fn upsert_lease(
    conn: &mut sqlx::SqliteConnection,
    name: &str,
    holder: &str,
    lease: Duration,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    let done = sqlx::query(
        "INSERT INTO scanner_locks (name, holder, acquired_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         acquired_at = CASE WHEN scanner_locks.holder = ?2 THEN scanner_locks.acquired_at \
         ELSE excluded.acquired_at END, expires_at = excluded.expires_at \
         WHERE scanner_locks.expires_at < ?3 OR scanner_locks.holder = ?2",
    )
    .bind(name)
    .bind(holder)
    .bind(fmt_ts(now))
    .bind(fmt_ts(now + ttl(lease)))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// SQLite is in-process: the one-by-one cycle steps cost no round trips.
impl super::cycle_rows::CycleRows for SqliteBackend {}
