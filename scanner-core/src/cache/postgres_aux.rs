//! PostgreSQL side tables: rotation state, IV history, the per-symbol analysis cache and
//! writer leases. Same transaction-per-operation rule as the scan table (`postgres.rs`).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::Row;

use super::backend::{corrupt, to_i64, to_u64, AuxRows};
use super::postgres::PostgresBackend;
use super::postgres_cycle::UPSERT_LEASE;
use super::postgres_read::Lit;
use super::types::RotationState;
use crate::model::FilterMode;
use crate::Result;

#[async_trait]
impl AuxRows for PostgresBackend {
    async fn rotation(&self, mode: FilterMode) -> Result<Option<RotationState>> {
        let rows = self
            .read(
                "SELECT position, universe_size, updated_at FROM scanner_state \
                 WHERE filter_mode = $1",
                &[Lit::Name(mode.as_str())],
                "reading rotation state",
            )
            .await?;
        let row = rows.first();
        let Some(row) = row else { return Ok(None) };
        let get_err = |e: sqlx::Error| corrupt("rotation column", e);
        Ok(Some(RotationState {
            position: to_u64("position", row.try_get(0).map_err(get_err)?)?,
            universe_size: to_u64("universe_size", row.try_get(1).map_err(get_err)?)?,
            updated_at: row.try_get(2).map_err(get_err)?,
        }))
    }

    async fn set_rotation(&self, mode: FilterMode, st: &RotationState) -> Result<()> {
        self.write(
            "INSERT INTO scanner_state (filter_mode, position, universe_size, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (filter_mode) DO UPDATE SET \
             position = excluded.position, universe_size = excluded.universe_size, \
             updated_at = excluded.updated_at",
            &[
                Lit::Name(mode.as_str()),
                Lit::Int(to_i64("position", st.position)?),
                Lit::Int(to_i64("universe_size", st.universe_size)?),
                Lit::Time(st.updated_at),
            ],
            "saving rotation state",
        )
        .await
        .map(drop)
    }

    async fn record_ivs(&self, date: NaiveDate, ivs: &[(String, f64)]) -> Result<()> {
        if ivs.is_empty() {
            return Ok(());
        }
        let symbols: Vec<String> = ivs.iter().map(|(s, _)| s.clone()).collect();
        let values: Vec<f64> = ivs.iter().map(|(_, v)| *v).collect();
        // One statement for the batch: the rows travel as two arrays.
        self.write(
            "INSERT INTO iv_history (symbol, date, atm_iv_30d) \
             SELECT s, $3, v FROM UNNEST($1::text[], $2::float8[]) AS t(s, v) \
             ON CONFLICT (symbol, date) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d, \
             recorded_at = now()",
            &[Lit::Texts(&symbols), Lit::Floats(&values), Lit::Date(date)],
            "recording IVs",
        )
        .await
        .map(drop)
    }

    async fn iv_histories(
        &self,
        symbols: &[String],
        since: NaiveDate,
    ) -> Result<HashMap<String, Vec<(NaiveDate, f64)>>> {
        if symbols.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self
            .read(
                "SELECT symbol, date, atm_iv_30d FROM iv_history \
                 WHERE symbol = ANY($1::text[]) AND date >= $2 ORDER BY symbol, date",
                &[Lit::Texts(symbols), Lit::Date(since)],
                "reading IV history",
            )
            .await?;
        let mut out: HashMap<String, Vec<(NaiveDate, f64)>> = HashMap::new();
        for r in &rows {
            let get_err = |e: sqlx::Error| corrupt("iv_history column", e);
            out.entry(r.try_get(0).map_err(get_err)?)
                .or_default()
                .push((
                    r.try_get(1).map_err(get_err)?,
                    r.try_get(2).map_err(get_err)?,
                ));
        }
        Ok(out)
    }

    async fn put_symbol_analysis(
        &self,
        symbol: &str,
        fp: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.tx("saving symbol analysis").await?;
        self.q(
            "INSERT INTO symbol_analysis_cache (symbol, fingerprint, computed_at, payload) \
             VALUES ($1, $2, now(), $3) ON CONFLICT (symbol) DO UPDATE SET \
             fingerprint = excluded.fingerprint, computed_at = excluded.computed_at, \
             payload = excluded.payload",
        )
        .bind(symbol)
        .bind(fp)
        .bind(Json(payload))
        .execute(&mut *tx)
        .await
        .map_err(self.err("saving symbol analysis"))?;
        self.commit(tx, "saving symbol analysis").await
    }

    async fn symbol_analysis(
        &self,
        symbol: &str,
        fp: &str,
        fresh_after: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>> {
        let mut tx = self.tx("reading symbol analysis").await?;
        let row = self
            .q(
                "SELECT payload FROM symbol_analysis_cache WHERE symbol = $1 AND fingerprint = $2 \
                AND computed_at >= $3",
            )
            .bind(symbol)
            .bind(fp)
            .bind(fresh_after)
            .fetch_optional(&mut *tx)
            .await
            .map_err(self.err("reading symbol analysis"))?;
        self.commit(tx, "reading symbol analysis").await?;
        row.map(|r| {
            r.try_get::<Json<serde_json::Value>, _>(0)
                .map(|j| j.0)
                .map_err(|e| corrupt("payload", e))
        })
        .transpose()
    }

    async fn symbol_rows(&self, keys: &[String]) -> Result<HashMap<String, (String, String)>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self
            .read(
                "SELECT symbol, fingerprint, payload::text FROM symbol_analysis_cache \
                 WHERE symbol = ANY($1::text[])",
                &[Lit::Texts(keys)],
                "reading cached histories",
            )
            .await?;
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
        let col = |i: usize| -> Vec<String> {
            rows.iter()
                .map(|r| match i {
                    0 => r.0.clone(),
                    1 => r.1.clone(),
                    _ => r.2.clone(),
                })
                .collect()
        };
        let (keys, fps, payloads) = (col(0), col(1), col(2));
        // One statement for the batch: the rows travel as three arrays.
        self.write(
            "INSERT INTO symbol_analysis_cache (symbol, fingerprint, computed_at, payload) \
             SELECT k, f, now(), p::jsonb FROM UNNEST($1::text[], $2::text[], $3::text[]) \
             AS t(k, f, p) ON CONFLICT (symbol) DO UPDATE SET \
             fingerprint = excluded.fingerprint, computed_at = excluded.computed_at, \
             payload = excluded.payload",
            &[Lit::Texts(&keys), Lit::Texts(&fps), Lit::Texts(&payloads)],
            "saving cached histories",
        )
        .await
        .map(drop)
    }

    async fn try_lease(&self, name: &str, holder: &str, lease: Duration) -> Result<bool> {
        let lits = [
            Lit::Name(name),
            Lit::Text(holder),
            Lit::Float(lease.as_secs_f64()),
        ];
        let n = self
            .write(UPSERT_LEASE, &lits, "taking writer lease")
            .await?;
        Ok(n == 1)
    }

    async fn lease_holder(&self, name: &str) -> Result<Option<String>> {
        let rows = self
            .read(
                "SELECT holder FROM scanner_locks WHERE name = $1",
                &[Lit::Name(name)],
                "reading writer lease",
            )
            .await?;
        rows.first()
            .map(|r| {
                r.try_get::<String, _>(0)
                    .map_err(|e| corrupt("lease holder", e))
            })
            .transpose()
    }

    async fn steal_lease(
        &self,
        name: &str,
        dead: &str,
        holder: &str,
        lease: Duration,
    ) -> Result<bool> {
        let n = self
            .write(
                "UPDATE scanner_locks SET holder = $3, acquired_at = now(), \
                 expires_at = now() + make_interval(secs => $4) WHERE name = $1 AND holder = $2",
                &[
                    Lit::Name(name),
                    Lit::Text(dead),
                    Lit::Text(holder),
                    Lit::Float(lease.as_secs_f64()),
                ],
                "taking over a dead writer's lease",
            )
            .await?;
        Ok(n == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        self.write(
            "DELETE FROM scanner_locks WHERE name = $1 AND holder = $2",
            &[Lit::Name(name), Lit::Text(holder)],
            "releasing writer lease",
        )
        .await
        .map(drop)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

impl PostgresBackend {
    /// Take lease `name` for `holder` if it is free, expired or already `holder`'s.
    pub(super) async fn upsert_lease(
        &self,
        conn: &mut sqlx::PgConnection,
        name: &str,
        holder: &str,
        lease: Duration,
    ) -> sqlx::Result<bool> {
        let done = self
            .q(UPSERT_LEASE)
            .bind(name)
            .bind(holder)
            .bind(lease.as_secs_f64())
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
