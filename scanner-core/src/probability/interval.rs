//! The Jeffreys confidence interval for a success rate, because the scan reports hit rates
//! of small backtest samples and the original's "95 % interval" was a heuristic that was
//! nearly [0, 1] for most contracts (original-system.md §6.2, §12 item 24).

use super::beta::beta_quantile;

/// Two-sided Jeffreys interval for a binomial proportion: the `(1−c)/2` and `(1+c)/2`
/// quantiles of Beta(x + ½, n − x + ½), with the lower end 0 when `x = 0` and the upper end 1
/// when `x = n` (Brown, Cai & DasGupta, 2001).
///
/// Returns `(0, 1)` for `trials == 0` and `(NaN, NaN)` when `successes > trials` or
/// `confidence` is not strictly between 0 and 1.
///
/// ```
/// use scanner_core::probability::jeffreys_interval;
/// let (lo, hi) = jeffreys_interval(7, 10, 0.95);
/// assert!(lo < 0.7 && 0.7 < hi && lo > 0.0 && hi < 1.0);
/// assert_eq!(jeffreys_interval(0, 10, 0.95).0, 0.0);
/// ```
pub fn jeffreys_interval(successes: u64, trials: u64, confidence: f64) -> (f64, f64) {
    if successes > trials || !(confidence > 0.0 && confidence < 1.0) {
        return (f64::NAN, f64::NAN);
    }
    if trials == 0 {
        return (0.0, 1.0);
    }
    let a = successes as f64 + 0.5;
    let b = (trials - successes) as f64 + 0.5;
    let tail = 0.5 * (1.0 - confidence);
    let lower = if successes == 0 {
        0.0
    } else {
        beta_quantile(tail, a, b)
    };
    let upper = if successes == trials {
        1.0
    } else {
        beta_quantile(1.0 - tail, a, b)
    };
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probability::regularized_incomplete_beta;

    /// The ends carry exactly the tail mass they claim under Beta(x+½, n−x+½).
    #[test]
    fn ends_have_the_stated_tail_mass() {
        for &(x, n) in &[(1u64, 10u64), (5, 10), (9, 10), (37, 120), (600, 1000)] {
            let (lo, hi) = jeffreys_interval(x, n, 0.90);
            let (a, b) = (x as f64 + 0.5, (n - x) as f64 + 0.5);
            assert!((regularized_incomplete_beta(lo, a, b) - 0.05).abs() < 1e-12);
            assert!((regularized_incomplete_beta(hi, a, b) - 0.95).abs() < 1e-12);
        }
    }

    /// For large n the interval approaches the Wald interval p ± z·√(p(1−p)/n).
    #[test]
    fn large_sample_matches_normal_approximation() {
        let (lo, hi) = jeffreys_interval(50_000, 100_000, 0.95);
        let half = 1.959963984540054 * (0.25f64 / 100_000.0).sqrt();
        assert!((lo - (0.5 - half)).abs() < 1e-5, "{lo}");
        assert!((hi - (0.5 + half)).abs() < 1e-5, "{hi}");
    }

    /// Symmetry: x successes and n−x successes give mirrored intervals; bad input → NaN.
    #[test]
    fn symmetric_and_guarded() {
        let (l1, h1) = jeffreys_interval(3, 17, 0.95);
        let (l2, h2) = jeffreys_interval(14, 17, 0.95);
        assert!((l1 - (1.0 - h2)).abs() < 1e-13 && (h1 - (1.0 - l2)).abs() < 1e-13);
        assert!(jeffreys_interval(5, 4, 0.95).0.is_nan());
        assert!(jeffreys_interval(1, 4, 1.0).1.is_nan());
        assert_eq!(jeffreys_interval(0, 0, 0.95), (0.0, 1.0));
        assert_eq!(jeffreys_interval(4, 4, 0.95).1, 1.0);
    }
}
