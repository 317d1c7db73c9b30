//! PostgreSQL's fenced save and batched cycle steps, each as one statement in one round trip:
//! the lease renewals, the inserts, the rotation and the IV records are data-modifying CTEs
//! of a single (atomic) statement with every value inlined as a literal (`postgres_read.rs`),
//! so nothing is prepared and a transaction pooler cannot split it (on a direct connection
//! too: each is sent once per cycle, where a cached plan buys nothing). A value that cannot
//! be inlined falls back to the one-by-one steps.

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::backend::{candidate_blob, corrupt, to_i64, validate, AuxRows};
use super::cycle_rows::{
    begin_one_by_one, finish_one_by_one, CycleEnd, CycleRows, CycleStart, FencedSave,
};
use super::lock::Fence;
use super::postgres::PostgresBackend;
use super::postgres_read::{inline_all, Lit};
use super::types::{is_historical, RotationState};
use crate::model::{FilterMode, ScanResult};
use crate::{Error, Result};

/// Take lease `name` ($1) for holder $2 for $3 seconds if free, expired or already theirs.
pub(super) const UPSERT_LEASE: &str = "INSERT INTO scanner_locks (name, holder, acquired_at, \
    expires_at) VALUES ($1, $2, now(), now() + make_interval(secs => $3)) \
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
    acquired_at = CASE WHEN scanner_locks.holder = $2 THEN scanner_locks.acquired_at \
    ELSE excluded.acquired_at END, expires_at = excluded.expires_at \
    WHERE scanner_locks.expires_at < now() OR scanner_locks.holder = $2";

/// `fence`'s lease renewal, inlined, as the body of a CTE that has a row when it held.
fn renewal(fence: &Fence) -> Option<String> {
    let lits = [
        Lit::Name(&fence.name),
        Lit::Text(&fence.holder),
        Lit::Float(fence.ttl.as_secs_f64()),
    ];
    inline_all(&format!("{UPSERT_LEASE} RETURNING 1"), &lits)
}

/// The CTEs that insert `r` (`s{tag}`) and its candidate set (`c{tag}`, with the scan row
/// only), inlined, writing only when the CTE named `gate` has a row.
fn insert_scan(r: &ScanResult, degraded: bool, gate: &str, tag: &str) -> Result<Option<String>> {
    validate(r)?;
    let json = |what: &str, v: &dyn erased::Json| {
        v.text()
            .map_err(|e| Error::internal(format!("serialising {what}: {e}")))
    };
    let (opps, meta) = (
        json("opportunities", &r.opportunities)?,
        json("metadata", &r.metadata)?,
    );
    let lits = [
        Lit::Uuid(r.scan_id),
        Lit::Time(r.scan_timestamp),
        Lit::Name(r.filter_mode.as_str()),
        Lit::Text(&opps),
        Lit::Int(to_i64("total_evaluated", r.total_evaluated)?),
        Lit::Texts(&r.symbols_scanned),
        Lit::Float(r.scan_duration_seconds),
        Lit::Text(&meta),
        Lit::Int(i64::try_from(r.opportunities.len()).unwrap_or(i64::MAX)),
        Lit::Name(if degraded { "degraded" } else { "ok" }),
        Lit::Bool(is_historical(r)),
    ];
    let sql = format!(
        "s{tag} AS (INSERT INTO cached_scan_results (scan_id, scan_timestamp, filter_mode, \
         opportunities, total_evaluated, symbols_scanned, scan_duration_seconds, metadata, \
         opportunity_count, status, historical) \
         SELECT $1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9, $10, $11 \
         WHERE EXISTS (SELECT 1 FROM {gate}) ON CONFLICT (scan_id) DO NOTHING RETURNING 1)"
    );
    let Some(mut ctes) = inline_all(&sql, &lits) else {
        return Ok(None);
    };
    if let Some((data, n)) = candidate_blob(r)? {
        let lits = [
            Lit::Uuid(r.scan_id),
            Lit::Int(i64::from(data[0])),
            Lit::Int(n),
            Lit::Bytes(&data),
        ];
        let sql = format!(
            "c{tag} AS (INSERT INTO scan_candidates (scan_id, format, candidate_count, data) \
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM s{tag}) \
             ON CONFLICT (scan_id) DO NOTHING)"
        );
        let Some(cand) = inline_all(&sql, &lits) else {
            return Ok(None);
        };
        ctes = format!("{ctes}, {cand}");
    }
    Ok(Some(ctes))
}

/// The rotation upsert of `modes`, written only when `gate` holds.
fn upsert_rotation(modes: &[FilterMode], st: &RotationState, gate: &str) -> Result<Option<String>> {
    let names: Vec<String> = modes.iter().map(|m| m.as_str().to_owned()).collect();
    let lits = [
        Lit::Texts(&names),
        Lit::Int(to_i64("position", st.position)?),
        Lit::Int(to_i64("universe_size", st.universe_size)?),
        Lit::Time(st.updated_at),
    ];
    let sql = format!(
        "INSERT INTO scanner_state (filter_mode, position, universe_size, updated_at) \
         SELECT m, $2, $3, $4 FROM UNNEST($1) AS t(m) WHERE {gate} \
         ON CONFLICT (filter_mode) DO UPDATE SET position = excluded.position, \
         universe_size = excluded.universe_size, updated_at = excluded.updated_at"
    );
    Ok(inline_all(&sql, &lits))
}

/// The IV records of `date`, written only when `gate` holds.
fn insert_ivs(date: chrono::NaiveDate, ivs: &[(String, f64)], gate: &str) -> Option<String> {
    let symbols: Vec<String> = ivs.iter().map(|(s, _)| s.clone()).collect();
    let values: Vec<f64> = ivs.iter().map(|(_, v)| *v).collect();
    let sql = format!(
        "INSERT INTO iv_history (symbol, date, atm_iv_30d) \
         SELECT s, $3, v FROM UNNEST($1, $2) AS t(s, v) WHERE {gate} \
         ON CONFLICT (symbol, date) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d, \
         recorded_at = now()"
    );
    inline_all(
        &sql,
        &[Lit::Texts(&symbols), Lit::Floats(&values), Lit::Date(date)],
    )
}

/// The one statement that saves `saves` under their fences and then, if all held, writes the
/// rotation and the IVs; it returns one row with one count (1 held, 0 lost) per save.
fn finish_statement(end: &CycleEnd<'_>) -> Result<Option<String>> {
    let mut ctes = Vec::new();
    let mut held = Vec::new();
    for (i, s) in end.saves.iter().enumerate() {
        let (Some(fence), Some(insert)) = (
            renewal(s.fence),
            insert_scan(s.result, s.degraded, &format!("f{i}"), &i.to_string())?,
        ) else {
            return Ok(None);
        };
        ctes.push(format!("f{i} AS ({fence})"));
        ctes.push(insert);
        held.push(format!("EXISTS (SELECT 1 FROM f{i})"));
    }
    let gate = if held.is_empty() {
        "true".to_owned()
    } else {
        held.join(" AND ")
    };
    if let Some((modes, state)) = end.rotation {
        let Some(sql) = upsert_rotation(modes, state, &gate)? else {
            return Ok(None);
        };
        ctes.push(format!("rot AS ({sql})"));
    }
    if let Some((date, ivs)) = end.ivs.filter(|(_, ivs)| !ivs.is_empty()) {
        let Some(sql) = insert_ivs(date, ivs, &gate) else {
            return Ok(None);
        };
        ctes.push(format!("ivs AS ({sql})"));
    }
    let counts: Vec<String> = (0..end.saves.len())
        .map(|i| format!("(SELECT count(*) FROM f{i})"))
        .collect();
    let select = if counts.is_empty() {
        "SELECT 1".to_owned()
    } else {
        format!("SELECT {}", counts.join(", "))
    };
    if ctes.is_empty() {
        return Ok(Some(select));
    }
    Ok(Some(format!("WITH {} {select}", ctes.join(", "))))
}

fn held_counts(rows: &[PgRow], n: usize) -> Result<Vec<bool>> {
    let row = rows
        .first()
        .ok_or_else(|| corrupt("cycle result", "no row"))?;
    (0..n)
        .map(|i| {
            row.try_get::<i64, _>(i)
                .map(|c| c > 0)
                .map_err(|e| corrupt("cycle result", e))
        })
        .collect()
}

impl PostgresBackend {
    /// A fenced save as one statement in one round trip, when its values can be inlined
    /// (`None` otherwise: the caller uses a transaction).
    pub(super) async fn save_in_one_statement(
        &self,
        r: &ScanResult,
        degraded: bool,
        fence: Option<&Fence>,
    ) -> Result<Option<()>> {
        let Some(fence) = fence else {
            let Some(insert) = insert_scan(r, degraded, "always", "0")? else {
                return Ok(None);
            };
            let sql = format!("WITH always AS (SELECT 1), {insert} SELECT 1");
            self.read_raw(&sql, "saving scan").await?;
            return Ok(Some(()));
        };
        let saves = [FencedSave {
            result: r,
            degraded,
            fence,
        }];
        let end = CycleEnd {
            saves: &saves,
            rotation: None,
            ivs: None,
        };
        let Some(sql) = finish_statement(&end)? else {
            return Ok(None);
        };
        let rows = self.read_raw(&sql, "saving scan").await?;
        if held_counts(&rows, 1)?[0] {
            Ok(Some(()))
        } else {
            Err(super::lock::lost_error(&fence.name))
        }
    }
}

#[async_trait]
impl CycleRows for PostgresBackend {
    async fn begin_cycle(
        &self,
        fences: &[Fence],
        rotation: Option<FilterMode>,
    ) -> Result<CycleStart> {
        let names: Vec<String> = fences.iter().map(|f| f.name.clone()).collect();
        let holders: Vec<String> = fences.iter().map(|f| f.holder.clone()).collect();
        let ttls: Vec<f64> = fences.iter().map(|f| f.ttl.as_secs_f64()).collect();
        let lits = [
            Lit::Texts(&names),
            Lit::Texts(&holders),
            Lit::Floats(&ttls),
            Lit::OptName(rotation.map(|m| m.as_str())),
        ];
        let sql = "WITH l AS (INSERT INTO scanner_locks (name, holder, acquired_at, expires_at) \
             SELECT n, h, now(), now() + make_interval(secs => t) \
             FROM UNNEST($1, $2, $3) AS u(n, h, t) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             acquired_at = CASE WHEN scanner_locks.holder = excluded.holder \
             THEN scanner_locks.acquired_at ELSE excluded.acquired_at END, \
             expires_at = excluded.expires_at \
             WHERE scanner_locks.expires_at < now() OR scanner_locks.holder = excluded.holder \
             RETURNING name) \
             SELECT ARRAY(SELECT name FROM l)::text[], s.position, s.universe_size, s.updated_at \
             FROM (SELECT 1) one LEFT JOIN scanner_state s ON s.filter_mode = $4";
        let Some(sql) = inline_all(sql, &lits) else {
            return begin_one_by_one(self, fences, rotation).await;
        };
        let rows = self.read_raw(&sql, "taking writer leases").await?;
        let row = rows
            .first()
            .ok_or_else(|| corrupt("lease result", "no row"))?;
        let get_err = |e: sqlx::Error| corrupt("lease result", e);
        let got: Vec<String> = row.try_get(0).map_err(get_err)?;
        let position: Option<i64> = row.try_get(1).map_err(get_err)?;
        let rotation = match position {
            Some(p) => Some(RotationState {
                position: super::backend::to_u64("position", p)?,
                universe_size: super::backend::to_u64(
                    "universe_size",
                    row.try_get(2).map_err(get_err)?,
                )?,
                updated_at: row.try_get(3).map_err(get_err)?,
            }),
            None => None,
        };
        Ok(CycleStart {
            taken: fences.iter().map(|f| got.contains(&f.name)).collect(),
            rotation,
        })
    }

    async fn finish_cycle(&self, end: CycleEnd<'_>) -> Result<Vec<bool>> {
        if self.has_commit_hook() {
            return finish_one_by_one(self, end).await;
        }
        let Some(sql) = finish_statement(&end)? else {
            return finish_one_by_one(self, end).await;
        };
        let rows = self.read_raw(&sql, "saving the cycle").await?;
        held_counts(&rows, end.saves.len())
    }

    async fn release_leases(&self, fences: &[Fence]) -> Result<()> {
        let names: Vec<String> = fences.iter().map(|f| f.name.clone()).collect();
        let holders: Vec<String> = fences.iter().map(|f| f.holder.clone()).collect();
        let sql = "DELETE FROM scanner_locks l USING UNNEST($1, $2) AS u(n, h) \
                   WHERE l.name = u.n AND l.holder = u.h";
        match inline_all(sql, &[Lit::Texts(&names), Lit::Texts(&holders)]) {
            Some(sql) => self
                .write_raw(&sql, "releasing writer leases")
                .await
                .map(drop),
            None => {
                for f in fences {
                    self.release_lease(&f.name, &f.holder).await?;
                }
                Ok(())
            }
        }
    }
}

/// Serialisation of the two JSON columns without naming their types here.
mod erased {
    pub trait Json {
        fn text(&self) -> serde_json::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> serde_json::Result<String> {
            serde_json::to_string(self)
        }
    }
}
