//! Final selection (original-system.md §4.6): institutional filters with the best-available
//! fallback, then diversity caps that keep the **best** `max_per_symbol` per symbol and
//! `max_results` overall by riskAdjustedScore — the original kept the cheapest.

use serde_json::json;

use super::build::PendingDetails;
use super::{composite::filter_score, ScanConfig};
use crate::market::quality::QualityTier;
use crate::model::{Opportunity, Rejections};

/// An analysed contract waiting for the final selection.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The opportunity as it will be emitted.
    pub opportunity: Opportunity,
    /// Probability of profit, 0–1.
    pub pop: f64,
    /// Raw delta.
    pub delta: f64,
    /// Data-quality score 0–100.
    pub quality_score: f64,
    /// Data-quality tier.
    pub tier: QualityTier,
    /// A backtest strong enough to let PoP ≥ 0.08 pass alone (§4.6).
    pub strong_backtest: bool,
    /// Its screen fields ([`crate::model::ScreenField`] order) for the scan's candidate set.
    pub screen: [f64; crate::model::candidates_stored()],
    /// Expiration, days since 1970-01-01.
    pub expiration_days: i32,
    /// What its `details` are built from once it is selected (`None` for candidates the
    /// ranking can never select: they are only counted).
    pub pending: Option<Box<PendingDetails>>,
}

/// Outcome of [`rank`].
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// Selected opportunities, best riskAdjustedScore first. Their `details` hold only the
    /// fallback's keys until they are built from `pending`.
    pub opportunities: Vec<Opportunity>,
    /// What each selected opportunity's details are built from (same order).
    pub pending: Vec<Option<Box<PendingDetails>>>,
    /// True when the best-available fallback filled the list.
    pub fallback_used: bool,
    /// Candidates dropped here, by stage and reason.
    pub rejections: Rejections,
}

fn by_score_desc(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    let (x, y) = (&a.opportunity, &b.opportunity);
    y.risk_adjusted_score
        .total_cmp(&x.risk_adjusted_score)
        .then_with(|| x.contract_symbol.cmp(&y.contract_symbol))
}

/// Select the opportunities to return from `candidates` under `cfg`.
pub fn rank(candidates: Vec<Candidate>, cfg: &ScanConfig) -> Ranked {
    let gates = &cfg.institutional;
    let mut rejections = Rejections::default();
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for c in candidates {
        let failures = failures(&c, gates);
        if failures.is_empty() {
            passed.push(c);
        } else {
            failed.push((c, failures));
        }
    }
    let fallback_used = passed.len() < gates.min_results && !failed.is_empty();
    let pool: Vec<Candidate> = if fallback_used {
        let mut all: Vec<(f64, Candidate)> = passed.into_iter().map(|c| (fscore(&c), c)).collect();
        for (mut c, failures) in failed {
            let reason = format!("Relaxed: failed {}", failures.join(", "));
            c.opportunity
                .details
                .insert("_fallback".into(), json!(true));
            c.opportunity
                .details
                .insert("_fallback_reason".into(), json!(reason));
            c.opportunity
                .details
                .insert("_filter_failures".into(), json!(failures));
            all.push((fscore(&c), c));
        }
        all.sort_by(|(sa, a), (sb, b)| {
            sb.total_cmp(sa)
                .then_with(|| a.opportunity.premium.total_cmp(&b.opportunity.premium))
                .then_with(|| by_score_desc(a, b))
        });
        let dropped = all.len().saturating_sub(gates.min_results) as u64;
        rejections.add("fallback", "below_best_available", dropped);
        all.into_iter()
            .take(gates.min_results)
            .map(|(s, mut c)| {
                c.opportunity
                    .details
                    .insert("_filter_score".into(), json!(s));
                c
            })
            .collect()
    } else {
        // Each dropped candidate is counted once, under its first failure.
        for (_, failures) in &failed {
            rejections.add("institutional", failures[0], 1);
        }
        passed
    };
    let mut pool = pool;
    pool.sort_by(by_score_desc);
    let mut per_symbol = std::collections::HashMap::<String, usize>::new();
    let (mut out, mut pending) = (Vec::new(), Vec::new());
    for c in pool {
        let n = per_symbol.entry(c.opportunity.symbol.clone()).or_default();
        if *n >= cfg.max_per_symbol {
            rejections.add("diversity", "max_per_symbol", 1);
            continue;
        }
        if out.len() >= cfg.max_results {
            rejections.add("diversity", "max_results", 1);
            continue;
        }
        *n += 1;
        out.push(c.opportunity);
        pending.push(c.pending);
    }
    Ranked {
        opportunities: out,
        pending,
        fallback_used,
        rejections,
    }
}

/// The institutional filters a candidate fails (§4.6), in a fixed order.
fn failures(c: &Candidate, gates: &super::InstitutionalGates) -> Vec<&'static str> {
    let ras = c.opportunity.risk_adjusted_score;
    let strong = c.strong_backtest && c.pop >= 0.08;
    let mut out = Vec::new();
    if c.tier == QualityTier::Rejected {
        out.push("rejected_quality");
    }
    if c.pop < gates.min_probability && !strong {
        out.push("probability");
    }
    if ras < gates.min_risk_adjusted_score && !strong {
        out.push("risk_adjusted_score");
    }
    if c.delta.abs() < gates.min_abs_delta {
        out.push("delta");
    }
    out
}

/// Which of one symbol's candidates [`rank`] could ever select: its best `max_per_symbol`
/// passing candidates by riskAdjustedScore (the normal path) and its first `min_results`
/// in the fallback order (unless the symbol alone has `min_results` passing candidates, which
/// rules the fallback out). The others need no opportunity JSON — they are still counted.
pub fn contenders(candidates: &[Candidate], cfg: &ScanConfig) -> Vec<bool> {
    let n = candidates.len();
    let mut keep = vec![false; n];
    let mut passing: Vec<usize> = (0..n)
        .filter(|&i| failures(&candidates[i], &cfg.institutional).is_empty())
        .collect();
    passing.sort_by(|&a, &b| by_score_desc(&candidates[a], &candidates[b]));
    for &i in passing.iter().take(cfg.max_per_symbol) {
        keep[i] = true;
    }
    // With this many passing here, the scan passes at least as many: no fallback can happen.
    if passing.len() >= cfg.institutional.min_results {
        return keep;
    }
    let f: Vec<f64> = candidates.iter().map(fscore).collect();
    let mut all: Vec<usize> = (0..n).collect();
    all.sort_by(|&a, &b| {
        let (x, y) = (&candidates[a], &candidates[b]);
        f[b].total_cmp(&f[a])
            .then_with(|| x.opportunity.premium.total_cmp(&y.opportunity.premium))
            .then_with(|| by_score_desc(x, y))
    });
    for &i in all.iter().take(cfg.institutional.min_results) {
        keep[i] = true;
    }
    keep
}

/// Whether only a strong backtest stands between `c` and the institutional filters: PoP ≥
/// 0.08 and every failure is one a strong backtest waives (§4.6).
pub fn rescuable(c: &Candidate, cfg: &ScanConfig) -> bool {
    let g = &cfg.institutional;
    c.pop >= 0.08
        && c.tier != QualityTier::Rejected
        && c.delta.abs() >= g.min_abs_delta
        && !failures(c, g).is_empty()
}

fn fscore(c: &Candidate) -> f64 {
    filter_score(
        c.quality_score,
        c.pop,
        c.opportunity.risk_adjusted_score,
        c.delta,
    )
}

#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
