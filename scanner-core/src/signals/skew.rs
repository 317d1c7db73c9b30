//! The options-skew signal of original-system.md §7.4, measured against the **true ATM IV of
//! each expiration** (the original used the analysed contract's own IV as "ATM" and mixed all
//! expirations): expensive OTM puts relative to calls read bearish, and the reverse bullish.

use serde_json::json;

use super::{mean, Signal};
use crate::model::OptionKind;

/// One contract's implied volatility beside the ATM IV of its own expiration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkewPoint {
    /// Call or put.
    pub kind: OptionKind,
    /// `strike / spot − 1`.
    pub moneyness: f64,
    /// The contract's implied volatility.
    pub iv: f64,
    /// ATM implied volatility of the same expiration.
    pub atm_iv: f64,
}

/// The skew signal (weight 0.30), or `None` without at least two OTM calls and two OTM puts
/// 5–15% from spot.
///
/// `put_skew`/`call_skew` = mean of `(iv − atm)/atm·100` over OTM puts/calls; spread = put −
/// call; RR = mean IV of 10–15% OTM puts minus calls. Score = clip(−10·spread, ±100) +
/// clip(−100·RR, ±30); direction at ±15.
///
/// ```
/// use scanner_core::{model::OptionKind::*, signals::{options_skew, SkewPoint}};
/// let p = |kind, m: f64, iv| SkewPoint { kind, moneyness: m, iv, atm_iv: 0.30 };
/// // puts 10% richer than ATM, calls at ATM: spread +10 → score −100 (bearish)
/// let s = options_skew(&[p(Put, -0.06, 0.33), p(Put, -0.08, 0.33), p(Call, 0.06, 0.30),
///                        p(Call, 0.08, 0.30)]).unwrap();
/// assert_eq!(s.direction, "bearish");
/// assert!((s.score + 100.0).abs() < 1e-9);
/// ```
pub fn options_skew(points: &[SkewPoint]) -> Option<Signal> {
    let otm = |k: OptionKind, lo: f64, hi: f64| -> Vec<&SkewPoint> {
        points
            .iter()
            .filter(|p| p.kind == k && p.atm_iv > 0.0 && p.iv.is_finite())
            .filter(|p| {
                let away = k.sign() * p.moneyness; // distance out of the money
                (lo..=hi).contains(&away)
            })
            .collect()
    };
    let (puts, calls) = (
        otm(OptionKind::Put, 0.05, 0.15),
        otm(OptionKind::Call, 0.05, 0.15),
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
    let (put_skew, call_skew) = (rel(&puts), rel(&calls));
    let spread = put_skew - call_skew;
    let (wp, wc) = (
        otm(OptionKind::Put, 0.10, 0.15),
        otm(OptionKind::Call, 0.10, 0.15),
    );
    let rr = if wp.is_empty() || wc.is_empty() {
        0.0
    } else {
        mean(&wp.iter().map(|p| p.iv).collect::<Vec<_>>())
            - mean(&wc.iter().map(|p| p.iv).collect::<Vec<_>>())
    };
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
    let n = puts.len() + calls.len();
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
        format!("OTM puts {put_skew:+.1}% and calls {call_skew:+.1}% against each expiry's ATM IV"),
        json!({"putSkew": put_skew, "callSkew": call_skew, "skewSpread": spread, "riskReversal": rr,
               "contracts": n, "atmIv": atm}),
    ))
}
