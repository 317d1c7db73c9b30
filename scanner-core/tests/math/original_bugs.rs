//! Regressions against the original system's formula bugs (original-system.md §6.1, §6.2,
//! §12 items 23 and 26). Each original formula is re-written here as a private helper; the
//! tests show it disagrees with an oracle (finite differences or Monte Carlo) where ours
//! agrees, so reintroducing any of them fails the suite.

use super::via_batch::bsm;
use scanner_core::model::OptionKind::{self, Call, Put};
use scanner_core::pricing::{norm_cdf, norm_pdf};
use scanner_core::probability::touch_probability;

use super::rng::Rng;
use super::touch_mc::mc_touch;

fn d1_d2(s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> (f64, f64) {
    let sd = v * t.sqrt();
    let d1 = ((s / k).ln() + (r - q) * t) / sd + 0.5 * sd;
    (d1, d1 - sd)
}

/// The original's "ultima": −(S e^{−qT} n(d1) √T)·d1·d2/(σ²·100).
fn original_ultima(s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> f64 {
    let (d1, d2) = d1_d2(s, k, t, r, q, v);
    -(s * (-q * t).exp() * norm_pdf(d1) * t.sqrt()) * d1 * d2 / (v * v * 100.0)
}

/// The original's theta per year (before its /365), with the dividend term's sign flipped:
/// −S e^{−qT} n(d1) σ/(2√T) ∓ q S e^{−qT} N(±d1) ∓ r K e^{−rT} N(±d2).
fn original_theta(kind: OptionKind, s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> f64 {
    let (d1, d2) = d1_d2(s, k, t, r, q, v);
    let w = kind.sign();
    let dq = (-q * t).exp();
    -s * dq * norm_pdf(d1) * v / (2.0 * t.sqrt())
        - w * q * s * dq * norm_cdf(w * d1)
        - w * r * k * (-r * t).exp() * norm_cdf(w * d2)
}

/// The original's touch probability: (K/S)^{μ/σ²} with μ = r − q − σ²/2, clamped to
/// [0, 1], 1 if already in the money, no dependence on T.
fn original_touch(kind: OptionKind, s: f64, k: f64, r: f64, q: f64, v: f64) -> f64 {
    let itm = match kind {
        Call => s >= k,
        Put => s <= k,
    };
    if itm {
        return 1.0;
    }
    let mu = r - q - 0.5 * v * v;
    (k / s).powf(mu / (v * v)).clamp(0.0, 1.0)
}

/// ∂³V/∂σ³ by central differences of the price (step 1e-3 in σ).
fn fd_ultima(kind: OptionKind, s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> f64 {
    let h = 1e-3;
    let p = |dv: f64| bsm(kind, s, k, t, r, q, v + dv).expect("valid").price;
    (p(2.0 * h) - 2.0 * p(h) + 2.0 * p(-h) - p(-2.0 * h)) / (2.0 * h * h * h)
}

#[test]
fn original_ultima_fails_finite_differences_ours_passes() {
    for (kind, s, k) in [
        (Call, 100.0, 100.0),
        (Put, 100.0, 120.0),
        (Call, 100.0, 80.0),
    ] {
        let (t, r, q, v) = (0.5, 0.05, 0.02, 0.25);
        let fd = fd_ultima(kind, s, k, t, r, q, v);
        let ours = bsm(kind, s, k, t, r, q, v).expect("valid").ultima;
        let theirs = original_ultima(s, k, t, r, q, v);
        let tol = 1e-4 * fd.abs().max(1.0);
        assert!((ours - fd).abs() <= tol, "ours {ours} vs FD {fd}");
        assert!(
            (theirs - fd).abs() > 100.0 * tol,
            "original {theirs} unexpectedly ≈ FD {fd}"
        );
    }
}

#[test]
fn original_theta_dividend_sign_fails_with_q_ours_passes() {
    let (s, k, t, r, v) = (100.0, 95.0, 0.5, 0.05, 0.3);
    for kind in [Call, Put] {
        for q in [0.0, 0.03] {
            let h = 1e-5;
            let p = |tt: f64| bsm(kind, s, k, tt, r, q, v).expect("valid").price;
            let fd = -(p(t + h) - p(t - h)) / (2.0 * h);
            let ours = bsm(kind, s, k, t, r, q, v).expect("valid").theta;
            let theirs = original_theta(kind, s, k, t, r, q, v);
            assert!(
                (ours - fd).abs() < 1e-6,
                "{kind:?} q={q}: ours {ours} vs FD {fd}"
            );
            if q == 0.0 {
                // The helper really is the original: identical while q = 0 ...
                assert!((theirs - ours).abs() < 1e-12);
            } else {
                // ... and wrong by 2·q·S·e^{−qT}·N(±d1) once there is a dividend.
                assert!(
                    (theirs - fd).abs() > 0.5,
                    "{kind:?}: original {theirs} vs FD {fd}"
                );
            }
        }
    }
}

#[test]
fn original_timeless_touch_fails_monte_carlo_ours_passes() {
    let mut rng = Rng::new(0xBAD_70C4);
    let (s, k, r, q, v) = (100.0, 110.0, 0.045, 0.0, 0.30);
    let nu = r - q - 0.5 * v * v;
    let theirs = original_touch(Call, s, k, r, q, v);
    for t in [7.0 / 365.0, 30.0 / 365.0, 0.5] {
        let (mc, se) = mc_touch(&mut rng, (s, k, t, nu, v), 20_000, 50);
        let ours = touch_probability(s, k, t, nu, v);
        assert!(
            (ours - mc).abs() <= 4.0 * se,
            "T={t}: ours {ours} vs MC {mc} ± {se}"
        );
        assert!(
            (theirs - mc).abs() > 10.0 * se,
            "T={t}: original {theirs} ≈ MC {mc}"
        );
    }
    // The original also saturates at 1 for typical puts (μ < 0).
    assert_eq!(original_touch(Put, 100.0, 90.0, r, q, v), 1.0);
    let (mc, se) = mc_touch(&mut rng, (100.0, 90.0, 30.0 / 365.0, nu, v), 20_000, 50);
    assert!(1.0 - mc > 10.0 * se);
}
