//! The symbol's implied-volatility level, computed once per symbol: the at-the-money IV per
//! expiration, the constant-maturity 30-day ATM IV, and its rank and percentile against a
//! history. When no IV history exists the rank uses realized volatility as an explicitly
//! flagged proxy (the original silently reported IV·100 as "rank").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::OptionKind;

/// One solved contract IV, the input to the ATM term structure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IvPoint {
    /// Expiration date.
    pub expiration: NaiveDate,
    /// Year fraction to expiry.
    pub years: f64,
    /// Call or put.
    pub kind: OptionKind,
    /// Strike.
    pub strike: f64,
    /// Implied volatility solved from the mid.
    pub iv: f64,
}

/// ATM IV of one expiration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AtmIv {
    /// Expiration date.
    pub expiration: NaiveDate,
    /// Year fraction to expiry.
    pub years: f64,
    /// IV interpolated linearly in strike at the spot, averaged over calls and puts.
    pub iv: f64,
}

/// ATM IV per expiration (ascending), from contracts bracketing `spot`.
pub fn atm_term_structure(points: &[IvPoint], spot: f64) -> Vec<AtmIv> {
    let mut exps: Vec<NaiveDate> = points.iter().map(|p| p.expiration).collect();
    exps.sort_unstable();
    exps.dedup();
    // One buffer for every (expiration, side) smile instead of one allocation each.
    let mut smile: Vec<(f64, f64)> = Vec::new();
    let mut of = |exp: NaiveDate, kind: OptionKind| {
        smile.clear();
        smile.extend(
            points
                .iter()
                .filter(|p| p.expiration == exp && p.kind == kind && p.iv.is_finite() && p.iv > 0.0)
                .map(|p| (p.strike, p.iv)),
        );
        smile.sort_by(|a, b| a.0.total_cmp(&b.0));
        interpolate_at(&smile, spot)
    };
    let mut out = Vec::with_capacity(exps.len());
    for exp in exps {
        let Some(years) = points.iter().find(|p| p.expiration == exp).map(|p| p.years) else {
            continue;
        };
        let iv = match (of(exp, OptionKind::Call), of(exp, OptionKind::Put)) {
            (Some(c), Some(p)) => 0.5 * (c + p),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => continue,
        };
        out.push(AtmIv {
            expiration: exp,
            years,
            iv,
        });
    }
    out
}

/// Linear interpolation of sorted `(x, y)` pairs at `x0`, flat beyond the ends.
fn interpolate_at(v: &[(f64, f64)], x0: f64) -> Option<f64> {
    let first = v.first()?;
    let last = v.last()?;
    if x0 <= first.0 {
        return Some(first.1);
    }
    if x0 >= last.0 {
        return Some(last.1);
    }
    let i = v.partition_point(|p| p.0 <= x0);
    let (a, b) = (v[i - 1], v[i]);
    Some(a.1 + (b.1 - a.1) * (x0 - a.0) / (b.0 - a.0))
}

/// Constant-maturity ATM IV at `target_years` (30/365 for the 30-day IV): linear in total
/// variance σ²T between the bracketing expirations, flat in σ outside them.
///
/// ```
/// use chrono::NaiveDate;
/// use scanner_core::scan::{constant_maturity_iv, AtmIv};
/// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// let term = [AtmIv { expiration: d, years: 10.0 / 365.0, iv: 0.20 },
///             AtmIv { expiration: d, years: 50.0 / 365.0, iv: 0.30 }];
/// let iv = constant_maturity_iv(&term, 30.0 / 365.0).unwrap();
/// let w = (0.2f64.powi(2) * 10.0 + (0.3f64.powi(2) * 50.0 - 0.2f64.powi(2) * 10.0) * 0.5) / 30.0;
/// assert!((iv - w.sqrt()).abs() < 1e-12);
/// ```
pub fn constant_maturity_iv(term: &[AtmIv], target_years: f64) -> Option<f64> {
    let mut t: Vec<&AtmIv> = term
        .iter()
        .filter(|a| a.years > 0.0 && a.iv.is_finite())
        .collect();
    t.sort_by(|a, b| a.years.total_cmp(&b.years));
    let first = t.first()?;
    let last = t.last()?;
    if target_years <= first.years {
        return Some(first.iv);
    }
    if target_years >= last.years {
        return Some(last.iv);
    }
    let i = t.partition_point(|a| a.years <= target_years);
    let (a, b) = (t[i - 1], t[i]);
    let (wa, wb) = (a.iv * a.iv * a.years, b.iv * b.iv * b.years);
    let w = wa + (wb - wa) * (target_years - a.years) / (b.years - a.years);
    Some((w / target_years).max(0.0).sqrt())
}

/// Where the current IV sits in its history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IvRank {
    /// (current − min)/(max − min) · 100 over the history.
    pub rank: f64,
    /// Share of history strictly below plus half of ties, · 100.
    pub percentile: f64,
    /// Observations in the history.
    pub observations: usize,
    /// True when the history is realized volatility standing in for missing IV history.
    pub realized_vol_proxy: bool,
}

/// Rank and percentile of `current` against `history` (None for an empty history).
///
/// ```
/// use scanner_core::scan::iv_rank;
/// let r = iv_rank(0.33, &[0.25, 0.30, 0.45], false).unwrap();
/// assert!((r.percentile - 66.666_666_666_666_67).abs() < 1e-9);
/// assert!((r.rank - 40.0).abs() < 1e-9);
/// ```
pub fn iv_rank(current: f64, history: &[f64], realized_vol_proxy: bool) -> Option<IvRank> {
    let h: Vec<f64> = history.iter().copied().filter(|v| v.is_finite()).collect();
    if h.is_empty() || !current.is_finite() {
        return None;
    }
    let (lo, hi) = h
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), &v| {
            (l.min(v), u.max(v))
        });
    let rank = if hi > lo {
        ((current - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0)
    } else {
        50.0
    };
    let below = h.iter().filter(|&&v| v < current).count() as f64;
    let equal = h.iter().filter(|&&v| v == current).count() as f64;
    let percentile = (below + 0.5 * equal) / h.len() as f64 * 100.0;
    Some(IvRank {
        rank,
        percentile,
        observations: h.len(),
        realized_vol_proxy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atm_iv_interpolates_between_the_strikes_around_spot() {
        let e = NaiveDate::from_ymd_opt(2024, 2, 16).unwrap();
        let p = |kind, strike, iv| IvPoint {
            expiration: e,
            years: 0.1,
            kind,
            strike,
            iv,
        };
        let pts = [
            p(OptionKind::Call, 95.0, 0.30),
            p(OptionKind::Call, 105.0, 0.20),
            p(OptionKind::Put, 100.0, 0.26),
        ];
        let t = atm_term_structure(&pts, 100.0);
        assert_eq!(t.len(), 1);
        assert!((t[0].iv - 0.5 * (0.25 + 0.26)).abs() < 1e-12);
    }

    #[test]
    fn flat_history_ranks_in_the_middle_and_nan_is_ignored() {
        let r = iv_rank(0.2, &[0.2, 0.2, f64::NAN], true).unwrap();
        assert_eq!((r.rank, r.percentile, r.observations), (50.0, 50.0, 2));
        assert!(r.realized_vol_proxy);
        assert!(iv_rank(0.2, &[], false).is_none());
    }
}
