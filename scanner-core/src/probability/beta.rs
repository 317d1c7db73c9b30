//! The Beta distribution's CDF (regularized incomplete beta) and quantile, written here so
//! the Jeffreys interval needs no statistics crate (which would cost build time on every
//! binding).

/// Regularized incomplete beta `I_x(a, b)`, the CDF of Beta(a, b) at `x`.
///
/// Returns NaN when `a <= 0`, `b <= 0` or an input is NaN; `x` outside `[0, 1]` is clamped.
///
/// ```
/// use scanner_core::probability::regularized_incomplete_beta;
/// // Beta(1, 1) is uniform.
/// assert!((regularized_incomplete_beta(0.3, 1.0, 1.0) - 0.3).abs() < 1e-15);
/// ```
pub fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // The continued fraction converges fast below the mean; use the symmetry above it.
    if x < (a + 1.0) / (a + b + 2.0) {
        front_factor(x, a, b) * continued_fraction(x, a, b) / a
    } else {
        1.0 - front_factor(1.0 - x, b, a) * continued_fraction(1.0 - x, b, a) / b
    }
}

/// `x^a (1−x)^b / B(a, b)`.
fn front_factor(x: f64, a: f64, b: f64) -> f64 {
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    (a * x.ln() + b * (1.0 - x).ln() - ln_beta).exp()
}

/// The continued fraction `1/(1+ d₁/(1+ d₂/(1+ …)))` of the incomplete beta, evaluated with
/// the modified Lentz method.
fn continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    // f = 1 / (1 + d1/(1 + d2/(...))): start from the leading "1 +" term.
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut f = d;
    for m in 1..=500 {
        let m = f64::from(m);
        // Even step d_{2m}, then odd step d_{2m+1}.
        for coef in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 / guard(1.0 + coef * d);
            c = guard(1.0 + coef / c);
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-16 {
            break;
        }
    }
    f
}

/// Quantile of Beta(a, b): the `x` with `I_x(a, b) = p`.
///
/// Safeguarded Newton iteration inside a shrinking bracket, to about 1e-15. Returns NaN when
/// `p` is outside `[0, 1]`, `a <= 0` or `b <= 0`.
///
/// ```
/// use scanner_core::probability::beta_quantile;
/// // Beta(a, 1) has CDF x^a, so its quantile is p^(1/a).
/// assert!((beta_quantile(0.9, 3.0, 1.0) - 0.9f64.powf(1.0 / 3.0)).abs() < 1e-13);
/// ```
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if !((0.0..=1.0).contains(&p) && a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return f64::NAN;
    }
    if p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return 1.0;
    }
    if p > 0.5 {
        // Solve in the smaller tail, where p carries full relative precision.
        return 1.0 - lower_quantile(1.0 - p, b, a);
    }
    lower_quantile(p, a, b)
}

/// [`beta_quantile`] for `0 < p <= 0.5` and valid shapes.
fn lower_quantile(p: f64, a: f64, b: f64) -> f64 {
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = a / (a + b);
    for _ in 0..200 {
        let err = regularized_incomplete_beta(x, a, b) - p;
        if err == 0.0 {
            return x;
        }
        if err > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
        let newton = x - err / density;
        let next = if newton > lo && newton < hi && density.is_finite() {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || hi - lo <= 1e-300 {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `I_p(k, n−k+1) = P(Binomial(n, p) ≥ k)`: an exact oracle for integer parameters.
    #[test]
    fn matches_binomial_tail() {
        let n = 20u32;
        for &p in &[0.05, 0.3, 0.5, 0.77, 0.99] {
            for k in 1..=n {
                let mut tail = 0.0;
                for j in k..=n {
                    let ln_choose = libm::lgamma(f64::from(n + 1))
                        - libm::lgamma(f64::from(j + 1))
                        - libm::lgamma(f64::from(n - j + 1));
                    tail += (ln_choose
                        + f64::from(j) * f64::ln(p)
                        + f64::from(n - j) * f64::ln(1.0 - p))
                    .exp();
                }
                let got = regularized_incomplete_beta(p, f64::from(k), f64::from(n - k + 1));
                assert!((got - tail).abs() < 1e-13, "p={p} k={k}: {got} vs {tail}");
            }
        }
    }

    /// Beta(½, ½) is the arcsine law: `I_x = (2/π)·asin(√x)`.
    #[test]
    fn matches_arcsine_law_and_inverts() {
        for i in 1..100 {
            let x = f64::from(i) / 100.0;
            let want = 2.0 / std::f64::consts::PI * x.sqrt().asin();
            let got = regularized_incomplete_beta(x, 0.5, 0.5);
            assert!((got - want).abs() < 1e-14, "x={x}");
            let back = beta_quantile(want, 0.5, 0.5);
            assert!((back - x).abs() < 1e-12, "x={x}: {back}");
        }
    }

    /// Round trip in attainable-precision terms: the smaller tail of `I_x` must match the
    /// requested tail to 1e-12 relative, plus what a one-ulp change of `x` moves it by.
    #[test]
    fn quantile_round_trips_on_skewed_shapes() {
        for &(a, b) in &[(0.5, 40.5), (40.5, 0.5), (3.5, 7.5), (250.5, 750.5)] {
            let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
            for &p in &[1e-6, 0.025, 0.5, 0.975, 1.0 - 1e-6] {
                let x = beta_quantile(p, a, b);
                let (got, want) = if p <= 0.5 {
                    (regularized_incomplete_beta(x, a, b), p)
                } else {
                    (regularized_incomplete_beta(1.0 - x, b, a), 1.0 - p)
                };
                let pdf = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
                let tol = 1e-12 * want + 4.0 * f64::EPSILON * pdf;
                assert!(
                    (got - want).abs() <= tol,
                    "a={a} b={b} p={p}: {got:e} vs {want:e}"
                );
            }
        }
        assert!(beta_quantile(1.5, 1.0, 1.0).is_nan());
        assert!(beta_quantile(0.5, 0.0, 1.0).is_nan());
    }
}
