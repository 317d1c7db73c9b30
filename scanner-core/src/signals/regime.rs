//! The regime-detection signal of original-system.md §7.4: is the symbol trending (ADX with
//! Wilder smoothing, R² of a linear fit) or ranging (Bollinger-width percentile)? Read over
//! the last [`REGIME_SESSIONS`] sessions of the symbol's own history.

use serde_json::json;

use super::{mean, std_dev, tail, Signal};
use crate::model::PriceHistory;

/// Sessions the regime signal reads.
pub const REGIME_SESSIONS: usize = 60;

/// ADX, DI+ and DI− over `period` with Wilder smoothing, at the last row; `None` with fewer
/// than `2·period + 1` rows.
///
/// ```
/// use scanner_core::signals::adx;
/// // a steady climb: all directional movement is up, so DI− = 0 and ADX = 100
/// let c: Vec<f64> = (0..40).map(|i| 100.0 + i as f64).collect();
/// let h: Vec<f64> = c.iter().map(|x| x + 0.5).collect();
/// let l: Vec<f64> = c.iter().map(|x| x - 0.5).collect();
/// let (a, plus, minus) = adx(&h, &l, &c, 14).unwrap();
/// assert!((a - 100.0).abs() < 1e-9 && plus > 0.0 && minus == 0.0);
/// ```
pub fn adx(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Option<(f64, f64, f64)> {
    let n = high.len().min(low.len()).min(close.len());
    if period == 0 || n < 2 * period + 1 {
        return None;
    }
    let p = period as f64;
    let (mut tr, mut pdm, mut mdm) = (0.0, 0.0, 0.0);
    let mut dx = Vec::with_capacity(n);
    let (mut di_p, mut di_m) = (0.0, 0.0);
    for i in 1..n {
        let t = (high[i] - low[i])
            .max((high[i] - close[i - 1]).abs())
            .max((low[i] - close[i - 1]).abs());
        let (up, down) = (high[i] - high[i - 1], low[i - 1] - low[i]);
        let plus = if up > down && up > 0.0 { up } else { 0.0 };
        let minus = if down > up && down > 0.0 { down } else { 0.0 };
        if i <= period {
            tr += t;
            pdm += plus;
            mdm += minus;
            if i < period {
                continue;
            }
        } else {
            tr = tr - tr / p + t;
            pdm = pdm - pdm / p + plus;
            mdm = mdm - mdm / p + minus;
        }
        (di_p, di_m) = if tr > 0.0 {
            (100.0 * pdm / tr, 100.0 * mdm / tr)
        } else {
            (0.0, 0.0)
        };
        let s = di_p + di_m;
        dx.push(if s > 0.0 {
            100.0 * (di_p - di_m).abs() / s
        } else {
            0.0
        });
    }
    let mut a = mean(&dx[..period]);
    for x in &dx[period..] {
        a = (a * (p - 1.0) + x) / p;
    }
    Some((a, di_p, di_m))
}

/// Least-squares slope (per row) and R² of `ys` against 0, 1, 2, …
///
/// ```
/// use scanner_core::signals::linear_fit;
/// let (slope, r2) = linear_fit(&[1.0, 3.0, 5.0, 7.0]);
/// assert!((slope - 2.0).abs() < 1e-12 && (r2 - 1.0).abs() < 1e-12);
/// ```
pub fn linear_fit(ys: &[f64]) -> (f64, f64) {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return (0.0, 0.0);
    }
    let mx = (n - 1.0) / 2.0;
    let my = mean(ys);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let (dx, dy) = (i as f64 - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        0.0
    };
    (slope, r2)
}

/// The regime signal (weight 0.20), or `None` with fewer than 29 sessions.
pub fn regime(h: &PriceHistory) -> Option<Signal> {
    let k = REGIME_SESSIONS;
    let (hi, lo, c) = (tail(h.high(), k), tail(h.low(), k), tail(h.close(), k));
    let (a, dip, dim) = adx(hi, lo, c, 14)?;
    let (slope, r2) = linear_fit(c);
    let widths: Vec<f64> = c.windows(20).map(|w| 4.0 * std_dev(w) / mean(w)).collect();
    let last_w = widths[widths.len() - 1];
    let pct = widths.iter().filter(|w| **w < last_w).count() as f64 / widths.len() as f64 * 100.0;
    let last = c[c.len() - 1];
    let vs_sma = last / mean(tail(c, 20)) - 1.0;
    let up = slope > 0.0 && dip > dim;
    let down = slope < 0.0 && dim > dip;
    let (name, score, conf) = if a > 25.0 && r2 > 0.5 {
        let s = 60.0 + (a - 25.0).min(30.0);
        let cf = 70.0 + (a - 25.0).min(20.0);
        if up {
            ("trending_bullish", s, cf)
        } else if down {
            ("trending_bearish", -s, cf)
        } else {
            ("trending_unclear", 0.0, 50.0)
        }
    } else if a > 20.0 && r2 > 0.3 {
        if slope > 0.0 {
            ("weak_bullish_trend", 30.0, 55.0)
        } else {
            ("weak_bearish_trend", -30.0, 55.0)
        }
    } else if a > 20.0 {
        if vs_sma > 0.02 {
            ("transitioning", 20.0, 45.0)
        } else if vs_sma < -0.02 {
            ("transitioning", -20.0, 45.0)
        } else {
            ("transitioning", 0.0, 40.0)
        }
    } else if pct < 30.0 {
        ("tight_consolidation", 0.0, 60.0)
    } else {
        ("ranging", 0.0, 60.0)
    };
    Some(Signal::new(
        "regime_detection",
        0.20,
        score,
        conf,
        15.0,
        format!("{name}: ADX {a:.1}, R² {r2:.2} over {} sessions", c.len()),
        json!({"regime": name, "adx": a, "diPlus": dip, "diMinus": dim, "r2": r2,
               "slopePctPerSession": slope / last * 100.0, "bollingerWidthPercentile": pct,
               "priceVsSma20": vs_sma}),
    ))
}
