//! Merge a queued cycle's shard results into one scan per mode, with the same selection a
//! single-machine scan makes.
//!
//! Why this is exact: a shard is scanned with the cycle's configuration except that the
//! best-available fallback is off, so each shard returns its best `max_results` passing
//! opportunities by riskAdjustedScore after the per-symbol cap (a cap that never crosses a
//! shard, since a symbol lives in one shard). The global best `max_results` are among the
//! union of every shard's best `max_results`; ordering that union by riskAdjustedScore (ties
//! by contract symbol, as the ranking does) and cutting it gives the single-machine list, for
//! any shard boundaries. Per-opportunity details depend only on the opportunity's symbol. The
//! one thing a shard cannot know is whether the whole cycle has fewer than `min_results`
//! passing candidates (the best-available fallback); the merge reports that case in its
//! metadata (`queue.fallbackSkipped`) instead of guessing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::queue::ShardPartial;
use super::queue_pg::{CycleRow, ShardRow};
use crate::model::{CandidateRow, CandidateSet, FailedSymbol, FilterMode, Opportunity, ScanResult};
use crate::scan::ScanConfig;
use crate::{Error, Result};

/// The failure kind of a symbol whose shard missed the cycle's deadline.
pub const SHARD_TIMEOUT: &str = "ShardTimeout";

/// The id of the merged scan of mode number `i` of `cycle`: derived, so a merge repeated after
/// a crash saves nothing twice.
pub(crate) fn merged_scan_id(cycle: Uuid, i: usize) -> Uuid {
    Uuid::from_u128(cycle.as_u128() ^ (i as u128 + 1))
}

/// One shard as the merge sees it: its row and, when written, its decoded partial result.
pub(crate) struct ShardInput {
    pub row: ShardRow,
    pub partial: Option<ShardPartial>,
}

/// Decode a shard row's partial result.
pub(crate) fn decode(row: ShardRow) -> Result<ShardInput> {
    let partial = match &row.partial {
        Some(text) => Some(serde_json::from_str::<ShardPartial>(text).map_err(|e| {
            Error::new(
                crate::ErrorKind::Database,
                format!("shard {} has an unreadable partial result: {e}", row.shard),
            )
        })?),
        None => None,
    };
    Ok(ShardInput { row, partial })
}

fn by_score_desc(a: &Opportunity, b: &Opportunity) -> std::cmp::Ordering {
    b.risk_adjusted_score
        .total_cmp(&a.risk_adjusted_score)
        .then_with(|| a.contract_symbol.cmp(&b.contract_symbol))
}

/// Every shard's candidate set of one mode, in shard order.
fn concat_candidates(blobs: &[&str]) -> Result<CandidateSet> {
    let mut all = CandidateSet::default();
    for hex in blobs.iter().filter(|h| !h.is_empty()) {
        let bytes = from_hex(hex)?;
        let set = CandidateSet::decode(&bytes)?;
        for i in 0..set.len() {
            let mut values = [0.0; crate::model::candidates_stored()];
            for (k, v) in values.iter_mut().enumerate() {
                *v = f64::from(set.columns[k][i]);
            }
            all.push(&CandidateRow {
                symbol: set.symbol(i),
                kind: set.kinds[i],
                expiration_days: set.expirations[i],
                tier: set.tiers[i],
                values,
            });
        }
    }
    Ok(all)
}

pub(crate) fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn from_hex(s: &str) -> Result<Vec<u8>> {
    let bad = || Error::internal("a shard's candidate set is not hex");
    if !s.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).ok_or_else(bad)?, 16).map_err(|_| bad()))
        .collect()
}

/// Merge `shards` (every shard of `cycle`, in shard order) into one result per mode.
/// Shards without a partial result are past the deadline: their symbols fail with
/// [`SHARD_TIMEOUT`].
pub(crate) fn merge(
    cycle: &CycleRow,
    shards: &[ShardInput],
    cfg: &ScanConfig,
    queue: &str,
    merged_by: &str,
    merge_started: DateTime<Utc>,
) -> Result<Vec<ScanResult>> {
    let mut out = Vec::with_capacity(cycle.modes.len());
    let timed_out: Vec<u32> = shards
        .iter()
        .filter(|s| s.partial.is_none())
        .map(|s| s.row.shard)
        .collect();
    let workers: BTreeSet<&str> = shards
        .iter()
        .filter(|s| s.partial.is_some())
        .filter_map(|s| s.row.worker.as_deref())
        .collect();
    let shard_meta: Vec<serde_json::Value> = shards
        .iter()
        .map(|s| {
            json!({
                "shard": s.row.shard,
                "symbols": s.row.symbols.len(),
                "worker": s.row.worker,
                "seconds": s.row.seconds,
                "deliveries": s.row.deliveries,
                "done": s.partial.is_some(),
                "requests": s.partial.as_ref().and_then(|p| p.results.first())
                    .map(|r| &r.metadata.requests),
            })
        })
        .collect();
    for (i, &mode) in cycle.modes.iter().enumerate() {
        out.push(merge_mode(
            mode,
            i,
            cycle,
            shards,
            cfg,
            &MergeFacts {
                queue,
                merged_by,
                merge_started,
                timed_out: &timed_out,
                workers: &workers,
                shard_meta: &shard_meta,
            },
        )?);
    }
    Ok(out)
}

struct MergeFacts<'a> {
    queue: &'a str,
    merged_by: &'a str,
    merge_started: DateTime<Utc>,
    timed_out: &'a [u32],
    workers: &'a BTreeSet<&'a str>,
    shard_meta: &'a [serde_json::Value],
}

fn merge_mode(
    mode: FilterMode,
    index: usize,
    cycle: &CycleRow,
    shards: &[ShardInput],
    cfg: &ScanConfig,
    f: &MergeFacts<'_>,
) -> Result<ScanResult> {
    let mut parts: Vec<(&ScanResult, &str)> = Vec::new();
    for s in shards {
        if let Some(p) = &s.partial {
            let pos = p.results.iter().position(|r| r.filter_mode == mode);
            let r = pos.map(|k| &p.results[k]).ok_or_else(|| {
                Error::internal(format!("shard {} has no {mode} result", s.row.shard))
            })?;
            parts.push((
                r,
                pos.and_then(|k| p.candidates.get(k))
                    .map_or("", String::as_str),
            ));
        }
    }
    let mut base = parts
        .first()
        .map(|(r, _)| r.metadata.clone())
        .unwrap_or_default();
    let mut opportunities: Vec<Opportunity> = Vec::new();
    let (mut passed, mut failed) = (0u64, 0u64);
    let (mut symbols, mut failures) = (Vec::new(), Vec::new());
    let (mut total_options, mut evaluated) = (0u64, 0u64);
    let mut rejections = crate::model::Rejections::default();
    let mut iv_rank = serde_json::Map::new();
    let mut provenance = BTreeMap::new();
    for (r, _) in &parts {
        let m = &r.metadata;
        opportunities.extend(r.opportunities.iter().cloned());
        let count =
            |stage: &str| -> u64 { m.rejections.0.get(stage).map_or(0, |x| x.values().sum()) };
        passed += r.opportunities.len() as u64 + count("diversity");
        failed += count("institutional");
        symbols.extend(m.symbols.iter().cloned());
        failures.extend(m.failed_symbols.iter().cloned());
        total_options += m.total_options;
        evaluated += m.total_evaluated;
        rejections.merge(&m.rejections);
        if let Some(serde_json::Value::Object(o)) = m.extra.get("ivRank") {
            iv_rank.extend(o.clone());
        }
        provenance.extend(m.provenance.clone());
    }
    opportunities.sort_by(by_score_desc);
    let cut = opportunities.len().saturating_sub(cfg.max_results) as u64;
    opportunities.truncate(cfg.max_results);
    rejections.add("diversity", "max_results", cut);
    for s in shards.iter().filter(|s| s.partial.is_none()) {
        for sym in &s.row.symbols {
            failures.push(FailedSymbol {
                symbol: sym.clone(),
                kind: SHARD_TIMEOUT.into(),
                reason: format!(
                    "shard {} was not scanned before the cycle's deadline",
                    s.row.shard
                ),
            });
        }
    }
    let timeouts = failures.iter().filter(|x| x.kind == SHARD_TIMEOUT).count() as u64;
    rejections.add("symbols", SHARD_TIMEOUT, timeouts);
    let fallback_skipped = passed < cfg.institutional.min_results as u64 && failed > 0;
    let blobs: Vec<&str> = parts.iter().map(|(_, c)| *c).collect();
    let candidates = concat_candidates(&blobs)?;
    let now = Utc::now().trunc_subsecs(6);
    let wall = (now - cycle.created_at).num_milliseconds() as f64 / 1000.0;
    let merge_secs = (now - f.merge_started).num_milliseconds() as f64 / 1000.0;
    base.filter_mode = mode;
    base.requested_symbols = shards.iter().flat_map(|s| s.row.symbols.clone()).collect();
    base.symbol_count = symbols.len() as u64;
    base.symbols = symbols.clone();
    base.total_options = total_options;
    base.total_evaluated = evaluated;
    base.opportunity_count = opportunities.len() as u64;
    base.failed_symbols = failures;
    base.rejections = rejections;
    base.provenance = provenance;
    base.requests = BTreeMap::new();
    base.calibration_metrics =
        json!({"available": false, "reason": "not merged across the shards of a queued cycle"});
    let shard_secs: Vec<f64> = parts
        .iter()
        .filter_map(|(r, _)| r.metadata.stage_timings.get("total").copied())
        .collect();
    base.stage_timings = BTreeMap::from([
        (
            "shardMaxSeconds".to_owned(),
            shard_secs.iter().copied().fold(0.0, f64::max),
        ),
        ("shardSumSeconds".to_owned(), shard_secs.iter().sum()),
        ("merge".to_owned(), merge_secs),
        ("total".to_owned(), wall),
    ]);
    for k in ["relaxedScan", "rotationState", "database"] {
        base.extra.remove(k);
    }
    base.extra
        .insert("ivRank".into(), serde_json::Value::Object(iv_rank));
    base.extra
        .insert("bestAvailableFallback".into(), json!(false));
    base.extra.insert(
        "queue".into(),
        json!({
            "queue": f.queue,
            "cycleId": cycle.cycle_id,
            "plannedAt": cycle.created_at,
            "mergedBy": f.merged_by,
            "shards": f.shard_meta.len(),
            "workers": f.workers,
            "timedOutShards": f.timed_out,
            "fallbackSkipped": fallback_skipped,
            "shardDetails": f.shard_meta,
        }),
    );
    Ok(ScanResult {
        scan_id: merged_scan_id(cycle.cycle_id, index),
        scan_timestamp: now,
        filter_mode: mode,
        total_evaluated: evaluated,
        symbols_scanned: symbols,
        scan_duration_seconds: wall.max(0.0),
        metadata: base,
        opportunities,
        candidates: std::sync::Arc::new(candidates),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&bytes)).unwrap(), bytes);
        assert!(from_hex("abc").is_err());
        assert!(from_hex("zz").is_err());
    }

    #[test]
    fn merged_scan_ids_are_stable_and_distinct_per_mode() {
        let cycle = Uuid::new_v4();
        let (a, b) = (merged_scan_id(cycle, 0), merged_scan_id(cycle, 1));
        assert_ne!(a, b);
        assert_ne!(a, cycle);
        assert_eq!(a, merged_scan_id(cycle, 0));
    }
}
