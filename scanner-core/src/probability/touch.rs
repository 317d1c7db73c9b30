//! Probability that the price touches a level before expiry, because "will it trade through
//! my breakeven at some point" depends on the horizon; the original's infinite-horizon
//! formula ignored it (original-system.md §12 item 23).
//!
//! For `X_t = ln(S_t/S_0)`, a Brownian motion with drift `ν` and volatility `σ`, and a barrier
//! `b = ln(B/S_0) > 0`, the first-passage law gives
//! `P(max_{t≤T} X_t ≥ b) = Φ((−b+νT)/(σ√T)) + e^{2νb/σ²} Φ((−b−νT)/(σ√T))`.
//! A barrier below spot is the mirror image (`b → −b`, `ν → −ν`).

use crate::pricing::norm_cdf;

/// Probability that a lognormal price starting at `spot` touches `barrier` at some time in
/// `[0, years]`.
///
/// `drift` is the annual drift of `ln S` (for the risk-neutral measure `r − q − σ²/2`), `vol`
/// the annual volatility. Returns 1 when `spot` is already at or beyond the barrier, 0 for
/// a barrier ≤ 0 (a lognormal price never reaches it), the deterministic answer when
/// `vol == 0` or `years == 0`, and NaN when `spot <= 0`, `years < 0`, `vol < 0` or an input
/// is not finite.
///
/// ```
/// use scanner_core::probability::touch_probability;
/// // Driftless: the reflection principle gives 2·P(end beyond the barrier).
/// let p = touch_probability(100.0, 110.0, 0.5, 0.0, 0.3);
/// let end_beyond = 1.0 - scanner_core::pricing::norm_cdf((1.1f64).ln() / (0.3 * 0.5f64.sqrt()));
/// assert!((p - 2.0 * end_beyond).abs() < 1e-15);
/// assert_eq!(touch_probability(100.0, 90.0, 0.0, 0.0, 0.3), 0.0); // no time, no touch
/// ```
pub fn touch_probability(spot: f64, barrier: f64, years: f64, drift: f64, vol: f64) -> f64 {
    let valid = spot > 0.0
        && years >= 0.0
        && vol >= 0.0
        && spot.is_finite()
        && barrier.is_finite()
        && years.is_finite()
        && drift.is_finite()
        && vol.is_finite();
    if !valid {
        return f64::NAN;
    }
    if barrier <= 0.0 {
        return 0.0;
    }
    let log_barrier = (barrier / spot).ln();
    // Mirror a lower barrier onto an upper one.
    let (b, nu) = if log_barrier >= 0.0 {
        (log_barrier, drift)
    } else {
        (-log_barrier, -drift)
    };
    if b == 0.0 {
        return 1.0;
    }
    let sd = vol * years.sqrt();
    if sd == 0.0 {
        // A straight line reaches b by T iff νT ≥ b.
        return if nu * years >= b { 1.0 } else { 0.0 };
    }
    let direct = norm_cdf((-b + nu * years) / sd);
    // e^{2νb/σ²}·Φ(−x) in log space: the exponent can overflow while Φ underflows.
    let x = (b + nu * years) / sd;
    let reflected = (2.0 * nu * b / (vol * vol) + ln_upper_tail(x)).exp();
    (direct + reflected).clamp(0.0, 1.0)
}

/// `ln Φ(−x)`, accurate where `Φ(−x)` itself underflows (x beyond ~37).
fn ln_upper_tail(x: f64) -> f64 {
    if x < 30.0 {
        return norm_cdf(-x).ln();
    }
    // Φ(−x) = φ(x)/x · (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − …), asymptotic for large x.
    let z = 1.0 / (x * x);
    let series = 1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * 105.0)));
    -0.5 * x * x - (2.0 * std::f64::consts::PI).sqrt().ln() - x.ln() + series.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_series_joins_the_direct_formula() {
        for x in [30.0, 32.0, 35.0, 37.0] {
            let direct = norm_cdf(-x).ln();
            let z = 1.0 / (x * x);
            let series = 1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * 105.0)));
            let asym =
                -0.5 * x * x - (2.0 * std::f64::consts::PI).sqrt().ln() - x.ln() + series.ln();
            assert!((direct - asym).abs() < 1e-12 * direct.abs(), "x={x}");
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(touch_probability(100.0, 100.0, 1.0, 0.0, 0.2), 1.0);
        assert!(touch_probability(100.0, 120.0, 1.0, 0.0, 0.2) < 1.0);
        assert_eq!(touch_probability(100.0, -5.0, 1.0, 0.0, 0.2), 0.0);
        assert!(touch_probability(-1.0, 120.0, 1.0, 0.0, 0.2).is_nan());
        assert_eq!(touch_probability(100.0, 110.0, 1.0, 0.2, 0.0), 1.0);
        assert_eq!(touch_probability(100.0, 130.0, 1.0, 0.2, 0.0), 0.0);
        // Strong upward drift, tiny vol: certain touch, no overflow.
        let p = touch_probability(100.0, 101.0, 1.0, 0.5, 1e-3);
        assert!((p - 1.0).abs() < 1e-12, "{p}");
        // Strong drift away from the barrier: (essentially) never.
        let q = touch_probability(100.0, 150.0, 1.0, -0.5, 1e-3);
        assert!(q < 1e-300, "{q}");
    }
}
