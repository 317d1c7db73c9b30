//! The standard normal distribution, accurate in the tails (via `erfc`), because deep
//! out-of-the-money prices and probabilities live there.

use std::f64::consts::FRAC_1_SQRT_2;

/// 1/√(2π), spelled out so no `sqrt` or division is left in the hot path.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Standard normal density φ(x).
pub fn norm_pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Standard normal distribution function Φ(x), with full relative accuracy for x ≪ 0.
///
/// ```
/// use scanner_core::pricing::norm_cdf;
/// assert!((norm_cdf(0.0) - 0.5).abs() < 1e-16);
/// assert!((norm_cdf(1.96) - 0.9750021048517795).abs() < 1e-15);
/// assert!(norm_cdf(-30.0) > 0.0); // the lower tail keeps relative accuracy
/// ```
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_constant_is_one_over_sqrt_two_pi() {
        let exact = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
        assert!((FRAC_1_SQRT_2PI - exact).abs() <= f64::EPSILON * exact);
        assert!((norm_pdf(1.0) - exact * (-0.5f64).exp()).abs() < 1e-17);
    }

    #[test]
    fn symmetry_holds_to_machine_precision() {
        for i in -80..=80 {
            let x = f64::from(i) / 10.0;
            assert!((norm_cdf(x) + norm_cdf(-x) - 1.0).abs() < 1e-15, "x = {x}");
        }
    }
}
