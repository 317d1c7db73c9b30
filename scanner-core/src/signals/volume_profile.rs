//! The volume-profile signal of original-system.md §7.4: where the symbol traded most (the
//! point of control and the 70% value area) over the last [`PROFILE_SESSIONS`] sessions, and
//! whether price is leaving that zone on rising volume.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{mean, tail, Signal};

/// Sessions the profile reads.
pub const PROFILE_SESSIONS: usize = 30;

/// A volume-by-price profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeProfile {
    /// Point of control: centre of the bin holding the most volume.
    pub poc: f64,
    /// Share of all volume in the POC bin.
    pub poc_share: f64,
    /// Value-area low (70% of volume, grown outward from the POC).
    pub value_area_low: f64,
    /// Value-area high.
    pub value_area_high: f64,
    /// Mean volume of the last 5 sessions over the mean of all.
    pub surge: f64,
}

/// Build the profile of closes weighted by volume with `min(50, n/2)` bin edges; `None`
/// with fewer than 20 sessions, no volume or no price range.
///
/// ```
/// use scanner_core::signals::volume_profile;
/// let close: Vec<f64> = (0..20).map(|i| 100.0 + i as f64).collect();
/// let mut vol = vec![1.0; 20];
/// vol[5] = 100.0; // close 105 dominates
/// let p = volume_profile(&close, &vol).unwrap();
/// assert!((p.poc - 105.0).abs() < 2.2); // within one bin (width 19/9)
/// assert!(p.value_area_low <= 105.0 && 105.0 <= p.value_area_high);
/// ```
pub fn volume_profile(close: &[f64], volume: &[f64]) -> Option<VolumeProfile> {
    let n = close.len().min(volume.len());
    if n < 20 {
        return None;
    }
    let (lo, hi) = close[..n]
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    let total: f64 = volume[..n].iter().sum();
    if hi.is_nan() || lo.is_nan() || hi <= lo || total <= 0.0 {
        return None;
    }
    let bins = (n / 2).min(50) - 1;
    let width = (hi - lo) / bins as f64;
    let mut hist = vec![0.0; bins];
    for i in 0..n {
        let b = (((close[i] - lo) / width) as usize).min(bins - 1);
        hist[b] += volume[i];
    }
    let poc_bin = (0..bins)
        .max_by(|a, b| hist[*a].total_cmp(&hist[*b]).then(b.cmp(a)))
        .unwrap_or(0);
    let (mut l, mut r, mut acc) = (poc_bin, poc_bin, hist[poc_bin]);
    while acc < 0.7 * total && (l > 0 || r + 1 < bins) {
        let left = if l > 0 { hist[l - 1] } else { -1.0 };
        let right = if r + 1 < bins { hist[r + 1] } else { -1.0 };
        if right >= left {
            r += 1;
            acc += right;
        } else {
            l -= 1;
            acc += left;
        }
    }
    Some(VolumeProfile {
        poc: lo + (poc_bin as f64 + 0.5) * width,
        poc_share: hist[poc_bin] / total,
        value_area_low: lo + l as f64 * width,
        value_area_high: lo + (r + 1) as f64 * width,
        surge: mean(tail(&volume[..n], 5)) / (total / n as f64),
    })
}

/// The volume-profile signal (weight 0.20) at price `last`, over the last
/// [`PROFILE_SESSIONS`] sessions of `close`/`volume`.
pub fn profile_signal(close: &[f64], volume: &[f64]) -> Option<Signal> {
    let (c, v) = (
        tail(close, PROFILE_SESSIONS),
        tail(volume, PROFILE_SESSIONS),
    );
    let p = volume_profile(c, v)?;
    let last = c[c.len() - 1];
    let dist = (last / p.poc - 1.0) * 100.0;
    let (above, below) = (dist > 2.0, dist < -2.0);
    let near = |level: f64| (last / level - 1.0).abs() <= 0.01;
    let s = p.surge;
    let (score, mut conf, why) = if above && s > 1.3 {
        (
            50.0 + (3.0 * dist).min(40.0),
            65.0 + (30.0 * (s - 1.0)).min(25.0),
            "breaking above the POC on volume",
        )
    } else if below && s > 1.3 {
        (
            -(50.0 + (3.0 * -dist).min(40.0)),
            65.0 + (30.0 * (s - 1.0)).min(25.0),
            "breaking below the POC on volume",
        )
    } else if !above && !below {
        (
            0.0,
            if s > 1.5 { 55.0 } else { 50.0 },
            "at the point of control",
        )
    } else if above && s < 1.0 {
        (-25.0, 55.0, "above the POC on fading volume")
    } else if below && s < 1.0 {
        (25.0, 55.0, "below the POC on fading volume")
    } else if near(p.value_area_high) {
        if s > 1.2 {
            (35.0, 70.0, "pressing the value-area high")
        } else {
            (-30.0, 65.0, "stalling at the value-area high")
        }
    } else if near(p.value_area_low) {
        if s > 1.2 {
            (-35.0, 70.0, "pressing the value-area low")
        } else {
            (30.0, 65.0, "holding the value-area low")
        }
    } else {
        (0.0, 50.0, "inside the value area")
    };
    if p.poc_share > 0.15 {
        conf += 5.0;
    }
    Some(Signal::new(
        "volume_profile",
        0.20,
        score,
        conf,
        15.0,
        format!("price {dist:+.1}% from the POC {:.2}, {why}", p.poc),
        json!({"poc": p.poc, "pocShare": p.poc_share, "valueAreaLow": p.value_area_low,
               "valueAreaHigh": p.value_area_high, "volumeSurge": s, "distanceFromPocPct": dist}),
    ))
}
