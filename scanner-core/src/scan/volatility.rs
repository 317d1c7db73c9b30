//! Realized volatility of the underlying, computed once per symbol (never per contract):
//! close-to-close, Parkinson, Garman–Klass and Yang–Zhang, annualised over 252 sessions.

use serde::{Deserialize, Serialize};

use crate::model::PriceHistory;

/// Sessions per year used to annualise daily estimators.
pub const SESSIONS_PER_YEAR: f64 = 252.0;

/// Realized volatility estimates over one window (annual decimals; `None` when the window
/// has too few sessions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealizedVol {
    /// Sessions in the window.
    pub sessions: usize,
    /// Standard deviation of log close-to-close returns.
    pub close_to_close: Option<f64>,
    /// Parkinson high–low estimator.
    pub parkinson: Option<f64>,
    /// Garman–Klass OHLC estimator.
    pub garman_klass: Option<f64>,
    /// Yang–Zhang estimator (robust to opening gaps and drift).
    pub yang_zhang: Option<f64>,
}

/// Estimate realized volatility over the last `window` sessions of `h`.
///
/// ```
/// use chrono::NaiveDate;
/// use scanner_core::{model::PriceHistory, scan::realized_vol};
/// // Closes alternating ±1% give a close-to-close vol of about 1% · √252.
/// let n = 61;
/// let dates: Vec<_> = (0..n).map(|i| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i)).collect();
/// let close: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 100.0 } else { 101.0 }).collect();
/// let h = PriceHistory::new("X", dates, close.clone(), close.iter().map(|c| c * 1.001).collect(),
///     close.iter().map(|c| c * 0.999).collect(), close, vec![1e6; n as usize]).unwrap();
/// let rv = realized_vol(&h, 60);
/// let expected = (101f64 / 100.0).ln() * (60.0f64 / 59.0).sqrt() * 252f64.sqrt();
/// assert!((rv.close_to_close.unwrap() - expected).abs() < 1e-12);
/// ```
pub fn realized_vol(h: &PriceHistory, window: usize) -> RealizedVol {
    let n = h.len();
    let w = window.min(n.saturating_sub(1));
    if w < 2 {
        return RealizedVol {
            sessions: w,
            ..RealizedVol::default()
        };
    }
    let (o, hi, lo, c) = (h.open(), h.high(), h.low(), h.close());
    let range = n - w..n;
    let ret: Vec<f64> = range.clone().map(|i| (c[i] / c[i - 1]).ln()).collect();
    let ann = |var: f64| (var.max(0.0) * SESSIONS_PER_YEAR).sqrt();
    let close_to_close = ann(sample_variance(&ret));

    let parkinson_var = range
        .clone()
        .map(|i| (hi[i] / lo[i]).ln().powi(2))
        .sum::<f64>()
        / (4.0 * std::f64::consts::LN_2 * w as f64);
    let gk_var = range
        .clone()
        .map(|i| {
            0.5 * (hi[i] / lo[i]).ln().powi(2)
                - (2.0 * std::f64::consts::LN_2 - 1.0) * (c[i] / o[i]).ln().powi(2)
        })
        .sum::<f64>()
        / w as f64;

    let overnight: Vec<f64> = range.clone().map(|i| (o[i] / c[i - 1]).ln()).collect();
    let open_close: Vec<f64> = range.clone().map(|i| (c[i] / o[i]).ln()).collect();
    let rs = range
        .map(|i| {
            let (u, d, cc) = ((hi[i] / o[i]).ln(), (lo[i] / o[i]).ln(), (c[i] / o[i]).ln());
            u * (u - cc) + d * (d - cc)
        })
        .sum::<f64>()
        / w as f64;
    let k = 0.34 / (1.34 + (w as f64 + 1.0) / (w as f64 - 1.0));
    let yz_var = sample_variance(&overnight) + k * sample_variance(&open_close) + (1.0 - k) * rs;

    RealizedVol {
        sessions: w,
        close_to_close: Some(close_to_close),
        parkinson: Some(ann(parkinson_var)),
        garman_klass: Some(ann(gk_var)),
        yang_zhang: Some(ann(yz_var)),
    }
}

/// Unbiased sample variance (n − 1 denominator); 0 for fewer than two values.
pub fn sample_variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0)
}

/// Rolling close-to-close volatility over `window` sessions, one value per session from
/// `window` on: the realized-volatility proxy used for IV rank when no IV history exists.
pub fn rolling_close_vol(h: &PriceHistory, window: usize) -> Vec<f64> {
    let c = h.close();
    if window < 2 || c.len() <= window {
        return Vec::new();
    }
    let ret: Vec<f64> = c.windows(2).map(|p| (p[1] / p[0]).ln()).collect();
    ret.windows(window)
        .map(|w| (sample_variance(w) * SESSIONS_PER_YEAR).sqrt())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A seeded GBM path with known vol: every estimator must recover it.
    fn gbm(n: usize, sigma: f64, seed: u64) -> PriceHistory {
        let mut s = seed;
        let mut normal = || {
            // Box–Muller on a splitmix64 stream: small and deterministic.
            let mut u = || {
                s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
            };
            let (a, b) = (u().max(1e-300), u());
            (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
        };
        let steps = 390; // minute steps so high/low are (nearly) the path extremes
        let dt = 1.0 / (SESSIONS_PER_YEAR * steps as f64);
        let mut price = 100.0;
        let (mut o, mut hi, mut lo, mut c, mut dates) = (vec![], vec![], vec![], vec![], vec![]);
        for day in 0..n {
            let open = price;
            let (mut h, mut l) = (price, price);
            for _ in 0..steps {
                price *= (-0.5 * sigma * sigma * dt + sigma * dt.sqrt() * normal()).exp();
                h = h.max(price);
                l = l.min(price);
            }
            o.push(open);
            hi.push(h);
            lo.push(l);
            c.push(price);
            dates
                .push(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(day as u64));
        }
        PriceHistory::new("GBM", dates, o, hi, lo, c, vec![1.0; n]).unwrap()
    }

    #[test]
    fn estimators_recover_the_true_volatility_of_a_gbm() {
        let h = gbm(1001, 0.30, 42);
        let rv = realized_vol(&h, 1000);
        // Discrete high/low monitoring biases range estimators slightly low; allow 10%.
        for (name, v) in [
            ("cc", rv.close_to_close),
            ("park", rv.parkinson),
            ("gk", rv.garman_klass),
            ("yz", rv.yang_zhang),
        ] {
            let v = v.unwrap();
            assert!((v - 0.30).abs() < 0.03, "{name} = {v}");
        }
    }

    #[test]
    fn too_short_histories_give_none() {
        let h = gbm(2, 0.2, 1);
        assert_eq!(realized_vol(&h, 20).close_to_close, None);
        assert!(rolling_close_vol(&h, 20).is_empty());
    }
}
