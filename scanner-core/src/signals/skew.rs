//! The options-skew signal of original-system.md §7.4, measured against the **true ATM IV of
//! each expiration** (the original used the analysed contract's own IV as "ATM" and mixed all
//! expirations) and against the symbol's **own usual skew**: equity puts are normally richer
//! than calls, so reading that as bearish would condemn every call. The front expiration's
//! skew is compared with the median skew of the later expirations of the same chain; a front
//! month whose puts are unusually rich reads bearish, unusually cheap bullish.

use serde_json::json;

use super::{mean, Signal};
use crate::model::OptionKind;

/// One contract's implied volatility beside the ATM IV of its own expiration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewPoint {
    /// Call or put.
    pub kind: OptionKind,
    /// Year fraction to the contract's expiry (groups points by expiration).
    pub years: f64,
    /// `strike / spot − 1`.
    pub moneyness: f64,
    /// The contract's implied volatility.
    pub iv: f64,
    /// ATM implied volatility of the same expiration.
    pub atm_iv: f64,
}

/// Log-moneyness in standard deviations of the expiry's ATM move, `ln(K/S)/(σ_atm·√T)`:
/// the unit in which skew is comparable across maturities.
fn standardized(p: &SkewPoint) -> f64 {
    (1.0 + p.moneyness).ln() / (p.atm_iv * p.years.max(1.0 / 365.0).sqrt())
}

/// Skew of one expiration: (spread, risk reversal, contracts used).
fn expiry_skew(points: &[&SkewPoint]) -> Option<(f64, f64, usize)> {
    let otm = |k: OptionKind, lo: f64, hi: f64| -> Vec<&SkewPoint> {
        points
            .iter()
            .copied()
            .filter(|p| p.kind == k && p.atm_iv > 0.0 && p.iv.is_finite())
            .filter(|p| (lo..=hi).contains(&(k.sign() * standardized(p))))
            .collect()
    };
    let (puts, calls) = (
        otm(OptionKind::Put, 0.5, 2.0),
        otm(OptionKind::Call, 0.5, 2.0),
    );
    if puts.len() < 2 || calls.len() < 2 {
        return None;
    }
    let rel = |v: &[&SkewPoint]| {
        mean(
            &v.iter()
                .map(|p| (p.iv - p.atm_iv) / p.atm_iv * 100.0)
                .collect::<Vec<_>>(),
        )
    };
    let spread = rel(&puts) - rel(&calls);
    let (wp, wc) = (
        otm(OptionKind::Put, 1.0, 2.0),
        otm(OptionKind::Call, 1.0, 2.0),
    );
    let rr = if wp.is_empty() || wc.is_empty() {
        0.0
    } else {
        mean(&wp.iter().map(|p| p.iv).collect::<Vec<_>>())
            - mean(&wc.iter().map(|p| p.iv).collect::<Vec<_>>())
    };
    Some((spread, rr, puts.len() + calls.len()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The skew signal (weight 0.30), or `None` unless at least two expirations each have two
/// OTM calls and two OTM puts 0.5–2 standard deviations from spot.
///
/// Per expiration: spread = mean `(iv − atm)/atm·100` of OTM puts minus that of OTM calls;
/// RR = mean IV of puts minus calls 1–2 standard deviations out. The signal uses the front expiration's excess
/// over the median of the later ones: score = clip(−10·excess spread, ±100) +
/// clip(−100·excess RR, ±30); direction at ±15.
///
/// ```
/// use scanner_core::{model::OptionKind::*, signals::{options_skew, SkewPoint}};
/// let p = |kind, years: f64, z: f64, iv| {
///     // a strike `z` standard deviations from spot at 30% ATM vol
///     let m = (z * 0.30 * years.sqrt()).exp() - 1.0;
///     SkewPoint { kind, years, moneyness: m, iv, atm_iv: 0.30 }
/// };
/// let chain = |years, put_iv| [p(Put, years, -0.8, put_iv), p(Put, years, -1.2, put_iv),
///                              p(Call, years, 0.8, 0.30), p(Call, years, 1.2, 0.30)];
/// // The usual skew (puts 5% rich) everywhere: neutral.
/// let usual: Vec<_> = [0.05, 0.1, 0.2].iter().flat_map(|&t| chain(t, 0.315)).collect();
/// assert_eq!(options_skew(&usual).unwrap().direction, "neutral");
/// // Front-month puts 15% rich against 5% later: fear in the front month reads bearish.
/// let mut fear = usual.clone();
/// fear.splice(0..4, chain(0.05, 0.345));
/// let s = options_skew(&fear).unwrap();
/// assert_eq!(s.direction, "bearish");
/// assert!((s.score + 100.0).abs() < 1e-9);
/// ```
pub fn options_skew(points: &[SkewPoint]) -> Option<Signal> {
    let mut years: Vec<f64> = points
        .iter()
        .map(|p| p.years)
        .filter(|y| y.is_finite())
        .collect();
    years.sort_by(f64::total_cmp);
    years.dedup();
    let per_expiry: Vec<(f64, f64, usize)> = years
        .iter()
        .filter_map(|&y| expiry_skew(&points.iter().filter(|p| p.years == y).collect::<Vec<_>>()))
        .collect();
    let (front, later) = per_expiry.split_first()?;
    if later.is_empty() {
        return None;
    }
    let (put_skew_front, rr_front, n) = *front;
    let usual_spread = median(later.iter().map(|x| x.0).collect());
    let usual_rr = median(later.iter().map(|x| x.1).collect());
    let spread = put_skew_front - usual_spread;
    let rr = rr_front - usual_rr;
    let (put_skew, call_skew) = (put_skew_front, usual_spread);
    let score = (-10.0 * spread).clamp(-100.0, 100.0) + (-100.0 * rr).clamp(-30.0, 30.0);
    let a = spread.abs();
    let mut conf: f64 = if a > 8.0 {
        85.0
    } else if a > 5.0 {
        75.0
    } else if a > 3.0 {
        65.0
    } else if a > 1.0 {
        55.0
    } else {
        45.0
    };
    if rr.abs() > 0.02 && a > 1.0 && rr.signum() == spread.signum() {
        conf += 10.0;
    }
    conf = conf.min(95.0);
    if n < 6 {
        conf *= 0.7;
    } else if n < 10 {
        conf *= 0.85;
    }
    let atm = mean(&points.iter().map(|p| p.atm_iv).collect::<Vec<_>>());
    if atm < 0.20 {
        conf *= 0.9;
    }
    Some(Signal::new(
        "options_skew",
        0.30,
        score,
        conf,
        15.0,
        format!("Front-month put–call skew {put_skew:+.1} points against its usual {call_skew:+.1} (later expirations)"),
        json!({"frontSkewSpread": put_skew, "usualSkewSpread": call_skew, "excessSpread": spread, "excessRiskReversal": rr,
               "contracts": n, "atmIv": atm}),
    ))
}
