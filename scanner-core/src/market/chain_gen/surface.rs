//! The implied-volatility surface of a generated chain: realized volatility of the real
//! (or synthetic) history sets the level, a term structure blends short- and long-window
//! realized vol, and a put skew with a little smile shapes the strikes.

/// Annualised close-to-close volatility of the last `window` log returns (√252 scaling,
/// sample variance). `None` with fewer than two returns.
pub(crate) fn realized_vol(closes: &[f64], window: usize) -> Option<f64> {
    let n = closes.len();
    if n < 3 || window < 2 {
        return None;
    }
    let start = n.saturating_sub(window + 1);
    let rets: Vec<f64> = closes[start..]
        .windows(2)
        .map(|w| libm::log(w[1] / w[0]))
        .collect();
    let m = rets.len() as f64;
    let mean = rets.iter().sum::<f64>() / m;
    let var = rets.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (m - 1.0);
    let vol = libm::sqrt(var * 252.0);
    vol.is_finite().then_some(vol)
}

/// Parameters of the surface for one underlying at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Surface {
    /// ATM implied vol for very short maturities.
    pub short: f64,
    /// ATM implied vol for long maturities.
    pub long: f64,
    /// Time constant of the term structure, years.
    pub tau: f64,
    /// Skew: IV change per standard deviation of log-moneyness (positive = put skew).
    pub skew: f64,
    /// Smile curvature per squared standard deviation.
    pub curvature: f64,
    /// Floor and cap of any IV.
    pub min_iv: f64,
    /// Cap of any IV.
    pub max_iv: f64,
}

impl Surface {
    /// ATM volatility at maturity `years`.
    pub fn atm(&self, years: f64) -> f64 {
        self.long + (self.short - self.long) * libm::exp(-years / self.tau)
    }

    /// Implied volatility at `strike` for a forward `forward` and maturity `years`.
    pub fn iv(&self, strike: f64, forward: f64, years: f64) -> f64 {
        let atm = self.atm(years);
        let sd = atm * libm::sqrt(years.max(1.0 / 365.0));
        let x = (libm::log(strike / forward) / sd).clamp(-4.0, 4.0);
        (atm * (1.0 - self.skew * x + self.curvature * x * x)).clamp(self.min_iv, self.max_iv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realized_vol_matches_a_hand_computed_case() {
        // Returns alternate +ln(1.01) and -ln(1.01): mean 0, sample variance
        // 4·ln(1.01)²/3 over 4 returns.
        let c = [100.0, 101.0, 100.0, 101.0, 100.0];
        let r = (1.01f64).ln();
        let expected = (r * r * 4.0 / 3.0 * 252.0).sqrt();
        assert!((realized_vol(&c, 20).unwrap() - expected).abs() < 1e-12);
        // A window shorter than the data uses only the last returns.
        let flat_then_move = [100.0, 100.0, 100.0, 110.0, 121.0];
        assert!(realized_vol(&flat_then_move, 2).unwrap() < 1e-9);
        assert!(realized_vol(&[100.0, 101.0], 20).is_none());
    }

    #[test]
    fn skew_lifts_puts_and_term_structure_converges() {
        let s = Surface {
            short: 0.40,
            long: 0.25,
            tau: 0.25,
            skew: 0.06,
            curvature: 0.02,
            min_iv: 0.03,
            max_iv: 4.0,
        };
        assert!((s.atm(0.0) - 0.40).abs() < 1e-12);
        assert!((s.atm(10.0) - 0.25).abs() < 1e-6);
        let t = 0.25;
        assert!(s.iv(80.0, 100.0, t) > s.iv(100.0, 100.0, t));
        assert!(s.iv(80.0, 100.0, t) > s.iv(120.0, 100.0, t));
        assert!((s.iv(100.0, 100.0, t) - s.atm(t)).abs() < 1e-12);
    }
}
