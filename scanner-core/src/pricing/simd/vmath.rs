//! Vectorised `exp`, `ln` and the standard normal CDF / density over [`Lanes`], because the
//! batch greeks and IV spend almost all of their time in these and libm has no vector forms.
//!
//! Accuracy (checked against libm and a 40-digit reference in the tests below):
//! - [`exp`]: Cody–Waite reduction by ln 2 and a degree-11 Chebyshev-node polynomial
//!   (relative error 1.6e-17); about 1 ulp, 2 ulp on the unfused scalar path; correct to 0 through the
//!   subnormal range.
//! - [`ln`] (positive normal inputs): `ln m = 2 atanh((m−1)/(m+1))` with `m ∈ [√½, √2]`,
//!   series to s⁹ (truncation below 2.5e-17); about 1 ulp.
//! - [`norm_cdf_gauss`]: `N(−z) = e^{−z²/2}·Q(z)` for `z ≥ 0`, with `z²` split exactly
//!   (Dekker) so the exponential keeps full relative accuracy, and `Q` a degree-21
//!   polynomial in `t = (z − 6)/(z + 6)` fitted (relative least squares at 500 Chebyshev
//!   nodes) to a 45-digit `Q`: fit error 7e-17 for z ≤ 8 and 2.6e-16 up to z = 38.5 (where
//!   `N(−z)` leaves the subnormal range). Measured in double on the unfused one-lane path
//!   against 40-digit values: < 5.6e-16 for z ≤ 8, < 1.0e-15 for z ≤ 20, < 2.7e-15 beyond;
//!   the upper side is `1 − N(−z)`.

use super::lanes::Lanes;

const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k·LN2_HI` is exact for |k| < 2^11.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1/√(2π).
pub(crate) const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// e^r on [−ln2/2, ln2/2]: the degree-11 polynomial through e^r at the 12 Chebyshev nodes
/// (near-minimax; relative error 1.6e-17 with these double coefficients, measured at 50
/// digits), constant term first.
const EXP_POLY: [f64; 12] = [
    1.0,
    1.0,
    0.500_000_000_000_001_9,
    0.166_666_666_666_666_8,
    0.041_666_666_666_487_95,
    0.008_333_333_333_319_589,
    0.001_388_888_895_235_286_3,
    0.000_198_412_698_900_764_03,
    2.480_148_544_156_131_3e-5,
    2.755_724_088_722_987e-6,
    2.763_265_472_252_779e-7,
    2.511_004_920_481_865_8e-8,
];

/// `1/3, 1/5, …, 1/19`: the series of `atanh(f)/f − 1` in `s = f²`, divided by `s`
/// (the next term, `2f·s¹⁰/21`, is below 2.5e-17 of the result for |f| ≤ 0.172).
const ATANH_SERIES: [f64; 9] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
];

/// `Σ c[i]·x^i` (constant term first) as four interleaved Horner chains in `x⁴`: the same
/// number of operations as one Horner chain, but a quarter of its dependency length, so the
/// long polynomials below do not leave the FMA units waiting on each other's latency.
/// Each chain starts from its highest coefficient rather than from zero, so a polynomial of
/// `n ≥ 4` coefficients costs `n − 4` chain steps, 3 to join the chains and 2 for `x², x⁴`.
#[inline(always)]
pub(crate) fn poly<V: Lanes>(x: V, c: &[f64]) -> V {
    let x2 = x.mul(x);
    let x4 = x2.mul(x2);
    // Chain r holds c[r], c[r + 4], c[r + 8], … in Horner form in x⁴ (no closure: it
    // would not inherit the caller's target features, and its intrinsics would not inline).
    let mut p = [V::splat(0.0); 4];
    let top = c.len().div_ceil(4);
    for k in (0..top).rev() {
        for (r, acc) in p.iter_mut().enumerate() {
            if let Some(&ck) = c.get(4 * k + r) {
                *acc = if 4 * (k + 1) + r < c.len() {
                    acc.mul_add(x4, V::splat(ck))
                } else {
                    V::splat(ck)
                };
            }
        }
    }
    let [p0, p1, p2, p3] = p;
    p3.mul_add(x, p2).mul_add(x2, p1.mul_add(x, p0))
}

/// Mapping centre of `Q`'s variable `t = (z − C)/(z + C)`.
const Q_CENTRE: f64 = 6.0;
/// `Q(z) = N(−z)·e^{z²/2}` as a polynomial in `t`, constant term first (see module doc).
const Q_POLY: [f64; 22] = [
    0.06477931432444685,
    -0.1231967334570189,
    0.10583149345047067,
    -0.08190603979920749,
    0.05682315263478133,
    -0.035054539825197635,
    0.018987678977490093,
    -0.00884643593612764,
    0.0034179280157422658,
    -0.0010134521141836347,
    0.0001803729169991976,
    1.2373992612821036e-05,
    -2.0509322882122548e-05,
    5.486320676059613e-06,
    4.7674730303114407e-07,
    -7.178101912018661e-07,
    1.1381044311508742e-07,
    6.362368770456308e-08,
    -2.4330605003001618e-08,
    -5.7122835485737516e-09,
    2.787816935964332e-09,
    7.29239803290768e-10,
];

/// `e^x` per lane (NaN stays NaN, below −745.2 gives 0, above 709.8 gives ∞).
#[inline(always)]
pub(crate) fn exp<V: Lanes>(x: V) -> V {
    let x = V::splat(-1500.0).max(x);
    exp_in_range(V::splat(1500.0).min(x))
}

/// [`exp`] for arguments already known to lie in [−1500, 1500].
#[inline(always)]
fn exp_in_range<V: Lanes>(x: V) -> V {
    let k = x.mul(V::splat(LOG2E)).round();
    let r = k.mul_add(V::splat(-LN2_HI), x);
    let r = k.mul_add(V::splat(-LN2_LO), r);
    poly(r, &EXP_POLY).scale(k)
}

/// Natural logarithm per lane, for positive normal finite inputs (others are garbage, and
/// the callers mask them).
#[inline(always)]
pub(crate) fn ln<V: Lanes>(x: V) -> V {
    let (e, m) = x.split_exp();
    let big = V::splat(std::f64::consts::SQRT_2).lt(m);
    let m = V::select(big, m.mul(V::splat(0.5)), m);
    let e = V::select(big, e.add(V::splat(1.0)), e);
    let one = V::splat(1.0);
    let f = m.sub(one).div(m.add(one));
    let s = f.mul(f);
    // atanh(f)/f − 1 = s/3 + s²/5 + … + s⁹/19.
    let p = poly(s, &ATANH_SERIES);
    let f2 = f.add(f);
    let ln_m = f2.mul(s).mul_add(p, f2);
    e.mul_add(V::splat(LN2_HI), e.mul_add(V::splat(LN2_LO), ln_m))
}

/// `e^{−z²/2}` for `z ≥ 0` with full relative accuracy: `z = h + l` with `h²` exact.
#[inline(always)]
fn gauss<V: Lanes>(z: V) -> V {
    let h = z.high_half();
    let l = z.sub(h);
    // z ≤ 40 (the callers clamp), so −h²/2 ≥ −800 needs no range clamp.
    let main = exp_in_range(h.mul(h).mul(V::splat(-0.5)));
    // The rest of the exponent is −m with m = l(h + l/2), below 3e-5 in size where the
    // result is not 0, so e^{−m} ≈ 1 − m + m²/2 − m³/6 suffices.
    let m = l.mul(l.mul_add(V::splat(0.5), h));
    let corr = m
        .mul_add(V::splat(-1.0 / 6.0), V::splat(0.5))
        .mul_add(m, V::splat(-1.0))
        .mul_add(m, V::splat(1.0));
    main.mul(corr)
}

/// `Q(z) = N(−z)·e^{z²/2}` for `z ≥ 0` (the scaled tail; see the module doc).
#[inline(always)]
pub(crate) fn q_tail<V: Lanes>(z: V) -> V {
    let z = V::splat(1e150).min(z);
    let c = V::splat(Q_CENTRE);
    let t = z.sub(c).div(z.add(c));
    poly(t, &Q_POLY)
}

/// `(N(x), e^{−x²/2})` per lane: the normal CDF with full relative accuracy in the lower
/// tail, and the unnormalised density it was built from (φ(x) = that · [`FRAC_1_SQRT_2PI`]).
#[inline(always)]
pub(crate) fn norm_cdf_gauss<V: Lanes>(x: V) -> (V, V) {
    let z = clamped_abs(x);
    let g = gauss(z);
    (cdf_at(x, z, g), g)
}

/// `N(x)` per lane given `g = e^{−x²/2}` (computed, or known from another identity).
#[inline(always)]
pub(crate) fn cdf_from_gauss<V: Lanes>(x: V, g: V) -> V {
    cdf_at(x, clamped_abs(x), g)
}

/// `min(|x|, 40)`: N(−40) is below the smallest subnormal, and the clamp keeps the
/// polynomial and the exponential finite.
#[inline(always)]
fn clamped_abs<V: Lanes>(x: V) -> V {
    V::splat(40.0).min(x.abs())
}

/// `N(x)` from `z = min(|x|, 40)` and `g = e^{−x²/2}`.
#[inline(always)]
fn cdf_at<V: Lanes>(x: V, z: V, g: V) -> V {
    let tail = g.mul(q_tail(z));
    V::select(x.lt(V::splat(0.0)), tail, V::splat(1.0).sub(tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            ((a - b) / b).abs()
        }
    }

    #[test]
    fn exp_matches_libm_including_subnormals() {
        let mut worst: f64 = 0.0;
        for i in -745_000..=709_000 {
            let x = f64::from(i) * 1e-3 + 1e-7;
            let (a, b) = (exp::<f64>(x), x.exp());
            if b > 1e-300 {
                worst = worst.max(rel(a, b));
            } else {
                assert!(
                    (a - b).abs() <= 4.0 * 4.9e-324 + 1e-15 * b,
                    "exp({x}) = {a} vs {b}"
                );
            }
        }
        assert!(worst < 5e-16, "exp worst relative error {worst:e}");
        assert_eq!(exp::<f64>(-800.0), 0.0);
        assert_eq!(exp::<f64>(800.0), f64::INFINITY);
        assert!(exp::<f64>(f64::NAN).is_nan());
    }

    #[test]
    fn ln_matches_libm() {
        let mut worst: f64 = 0.0;
        let mut x = 1e-300;
        while x < 1e300 {
            for y in [x, 1.0 + x.min(0.5), 1.0 - x.min(0.4)] {
                worst = worst.max((ln::<f64>(y) - y.ln()).abs() / y.ln().abs().max(1e-300));
            }
            x *= 1.0137;
        }
        assert_eq!(ln::<f64>(1.0), 0.0);
        assert!(worst < 4e-16, "ln worst relative error {worst:e}");
    }

    #[test]
    fn norm_cdf_matches_libm_erfc() {
        let mut worst: f64 = 0.0;
        for i in -38_000..=9_000 {
            let x = f64::from(i) * 1e-3;
            let (n, g) = norm_cdf_gauss::<f64>(x);
            let want = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
            if want > 1e-300 {
                worst = worst.max(rel(n, want));
            }
            let e = (-0.5 * x * x).exp();
            assert!(
                e < 1e-300 || rel(g, e) < 1e-13 * (1.0 + x * x),
                "gauss({x})"
            );
        }
        // libm's erfc itself scales −x/√2, costing up to ~x²·ε; the bound allows for that.
        assert!(worst < 2e-13, "N worst relative error {worst:e}");
        assert_eq!(norm_cdf_gauss::<f64>(-50.0).0, 0.0);
        assert_eq!(norm_cdf_gauss::<f64>(50.0).0, 1.0);
    }

    /// 40-digit values of N(x) (mpmath), where libm is not precise enough to judge.
    #[test]
    fn norm_cdf_against_high_precision() {
        let cases = [
            (-1.0, 0.15865525393145705),
            (-5.0, 2.866515718791939e-7),
            (-10.0, 7.619853024160525e-24),
            (-20.0, 2.7536241186062337e-89),
            (-30.0, 4.906713927148187e-198),
            (-37.5, 4.605353009581955e-308),
        ];
        for (x, want) in cases {
            let got = norm_cdf_gauss::<f64>(x).0;
            assert!(rel(got, want) < 4e-15, "N({x}) = {got:e} vs {want:e}");
        }
    }
}
