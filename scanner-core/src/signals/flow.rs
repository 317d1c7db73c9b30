//! The smart-money-flow signal of original-system.md §7.4, with "unusual activity" measured
//! against the symbol's **own** volume history (the original fabricated a baseline from the
//! current chain, so its z-scores always saturated).

use serde_json::json;

use super::{mean, std_dev, Signal};
use crate::model::{OptionKind, OptionQuote};

/// What the flow signal reads.
#[derive(Debug, Clone, Copy)]
pub struct FlowInputs<'a> {
    /// The contracts to read (the eligible part of the chain).
    pub quotes: &'a [&'a OptionQuote],
    /// Underlying daily volumes, oldest first; the last one is the as-of session.
    pub share_volume: &'a [f64],
    /// Sign of the last close-to-close change (−1, 0, 1).
    pub price_direction: f64,
}

#[derive(Default)]
struct Side {
    volume: f64,
    aggression: f64,
    block_volume: f64,
}

/// The flow signal (weight 0.30), or `None` when the chain has no traded volume.
///
/// unusual = clip(z/3·100, 0, 100) with z the last session's share volume against the prior
/// 30 sessions, attributed to calls and puts by their volume shares; aggression =
/// volume-weighted `(last − mid)/mid·100` per side; block = % of a side's volume in contracts
/// with volume/OI > 0.5; net = (uc − up)/2 + (ac − ap)/4 + (bc − bp)/4 + C/P term +
/// 20·direction·|Vc − Vp|/(Vc + Vp) when the dominant side agrees with the price direction,
/// clipped to ±100; direction at ±20.
pub fn smart_money_flow(x: &FlowInputs<'_>) -> Option<Signal> {
    let (mut c, mut p) = (Side::default(), Side::default());
    for q in x.quotes {
        let v = q.volume as f64;
        if v <= 0.0 {
            continue;
        }
        let side = if q.kind == OptionKind::Call {
            &mut c
        } else {
            &mut p
        };
        side.volume += v;
        if let (Some(last), Some(mid)) = (q.last, q.mid()) {
            side.aggression += v * ((last - mid) / mid * 100.0).clamp(-100.0, 100.0);
        }
        if v / (q.open_interest.max(1) as f64) > 0.5 {
            side.block_volume += v;
        }
    }
    let total = c.volume + p.volume;
    if total <= 0.0 {
        return None;
    }
    let sv = x.share_volume;
    let z = if sv.len() >= 11 {
        let prior = &sv[sv.len().saturating_sub(31)..sv.len() - 1];
        let sd = std_dev(prior);
        if sd > 0.0 {
            (sv[sv.len() - 1] - mean(prior)) / sd
        } else {
            0.0
        }
    } else {
        0.0
    };
    let unusual = (z / 3.0 * 100.0).clamp(0.0, 100.0);
    let (uc, up) = (unusual * c.volume / total, unusual * p.volume / total);
    let agg = |s: &Side| {
        if s.volume > 0.0 {
            s.aggression / s.volume
        } else {
            0.0
        }
    };
    let blk = |s: &Side| {
        if s.volume > 0.0 {
            s.block_volume / s.volume * 100.0
        } else {
            0.0
        }
    };
    let (ac, ap, bc, bp) = (agg(&c), agg(&p), blk(&c), blk(&p));
    let ratio = if p.volume > 0.0 {
        c.volume / p.volume
    } else {
        5.0
    };
    let cp_term = if ratio > 2.0 {
        (15.0 * (ratio - 2.0)).min(30.0)
    } else if ratio < 0.5 {
        (60.0 * (ratio - 0.5)).max(-30.0)
    } else {
        0.0
    };
    let confirm = (c.volume - p.volume) / total;
    // Price confirmation counts only when the dominant side agrees with the price move (the
    // original's `20·dir·(Vc − Vp)/(Vc + Vp)` read falling prices on put volume as bullish).
    let confirmed = if x.price_direction * confirm > 0.0 {
        20.0 * x.price_direction * confirm.abs()
    } else {
        0.0
    };
    let net = ((uc - up) / 2.0 + (ac - ap) / 4.0 + (bc - bp) / 4.0 + cp_term + confirmed)
        .clamp(-100.0, 100.0);
    let mut conf: f64 = 50.0;
    if unusual > 50.0 {
        conf += 15.0;
    }
    if ac.abs().max(ap.abs()) > 30.0 {
        conf += 10.0;
    }
    if bc.max(bp) > 30.0 {
        conf += 10.0;
    }
    if x.price_direction * confirm > 0.0 && confirm.abs() > 0.3 {
        conf += 10.0;
    }
    Some(Signal::new(
        "smart_money_flow",
        0.30,
        net,
        conf.min(90.0),
        20.0,
        format!("call/put volume {ratio:.2}, share-volume z {z:.2} against the symbol's own 30 sessions"),
        json!({"callVolume": c.volume, "putVolume": p.volume, "callPutRatio": ratio, "volumeZ": z,
               "unusualScore": unusual, "callAggression": ac, "putAggression": ap,
               "callBlockPct": bc, "putBlockPct": bp, "baseline": "own_share_volume_30_sessions"}),
    ))
}
