//! The market backdrop shared by every symbol of a scan: SPY and a volatility proxy (VIX or
//! VXX), fetched once per scan so the swing signal's market-regime factor is real when the
//! source has those symbols and honestly absent when it does not.

use serde_json::{json, Value};

use super::{mean, scale, tail};
use crate::model::PriceHistory;

/// SPY and volatility-proxy closes as of the scan, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketContext {
    /// SPY closes.
    pub spy_close: Vec<f64>,
    /// Volatility proxy closes (VIX or VXX), when the source has one.
    pub vol_proxy: Option<(String, Vec<f64>)>,
}

impl MarketContext {
    /// Build from SPY's history and an optional volatility-proxy history.
    pub fn new(spy: &PriceHistory, vol: Option<&PriceHistory>) -> Self {
        Self {
            spy_close: spy.close().to_vec(),
            vol_proxy: vol.map(|h| (h.symbol().to_owned(), h.close().to_vec())),
        }
    }

    /// The market-regime factor score (0–100, higher = more swing risk) and its readings:
    /// `0.7·scale(vol/MA20, [0.8, 1.7]) + 0.3·scale(−SPY 5-session return, [−0.05, 0.05])`.
    /// Without a volatility proxy, SPY's 10-session realized volatility over its 20-session
    /// mean stands in for vol/MA20. `None` when SPY has fewer than 21 closes.
    ///
    /// ```
    /// use scanner_core::signals::MarketContext;
    /// let spy: Vec<f64> = (0..40).map(|i| 100.0 + i as f64).collect();
    /// let ctx = MarketContext { spy_close: spy, vol_proxy: Some(("VIX".into(), vec![20.0; 40])) };
    /// let (score, _) = ctx.regime_score().unwrap();
    /// // VIX at its mean (ratio 1 → 22.2), SPY up ~3.6% in 5 sessions (→ 14.3)
    /// assert!((score - (0.7 * 200.0 / 9.0 + 0.3 * (0.05 - 5.0 / 134.0) * 1000.0)).abs() < 1e-9);
    /// ```
    pub fn regime_score(&self) -> Option<(f64, Value)> {
        let c = &self.spy_close;
        if c.len() < 21 {
            return None;
        }
        let n = c.len();
        let ret5 = c[n - 1] / c[n - 6] - 1.0;
        let (ratio, source) = match &self.vol_proxy {
            Some((name, v)) if v.len() >= 20 => (v[v.len() - 1] / mean(tail(v, 20)), name.clone()),
            _ => {
                let r: Vec<f64> = c.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
                let rv: Vec<f64> = r.windows(10).map(super::std_dev).collect::<Vec<_>>();
                let last = rv.last().copied().unwrap_or(f64::NAN);
                (
                    last / mean(tail(&rv, 20)),
                    "SPY realized volatility".to_owned(),
                )
            }
        };
        let score = 0.7 * scale(ratio, 0.8, 1.7) + 0.3 * scale(-ret5, -0.05, 0.05);
        Some((
            score,
            json!({"volatilityRatio": ratio, "volatilitySource": source, "spyReturn5d": ret5}),
        ))
    }
}
