//! Model-free identities and bounds of European options: put–call parity, no-arbitrage
//! price bounds, monotonicity in S, σ and T, and finite, sane values at the extremes.

use super::via_batch::bsm;
use proptest::prelude::*;
use scanner_core::model::OptionKind::{Call, Put};
use scanner_core::pricing::Greeks;

fn pair(s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> (Greeks, Greeks) {
    (
        bsm(Call, s, k, t, r, q, v).expect("valid"),
        bsm(Put, s, k, t, r, q, v).expect("valid"),
    )
}

fn inputs() -> impl Strategy<Value = (f64, f64, f64, f64, f64, f64)> {
    (
        1.0..1000.0f64,
        0.2..5.0f64,
        0.0..5.0f64,
        -0.02..0.2f64,
        0.0..0.15f64,
        0.0..3.0f64,
    )
        .prop_map(|(s, m, t, r, q, v)| (s, s * m, t, r, q, v))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// C − P = S·e^{−qT} − K·e^{−rT}, and the greek versions of it.
    #[test]
    fn put_call_parity((s, k, t, r, q, v) in inputs()) {
        let (c, p) = pair(s, k, t, r, q, v);
        let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
        let scale = s + k;
        prop_assert!((c.price - p.price - (s * dq - k * dr)).abs() <= 1e-12 * scale);
        prop_assert!((c.delta - p.delta - dq).abs() <= 1e-12);
        prop_assert!((c.gamma - p.gamma).abs() <= 1e-12 * c.gamma.abs().max(1e-300));
        prop_assert!((c.vega - p.vega).abs() <= 1e-12 * c.vega.abs().max(1e-300));
        prop_assert!((c.rho - p.rho - k * t * dr).abs() <= 1e-12 * scale * t.max(1.0));
        prop_assert!((c.epsilon - p.epsilon + s * t * dq).abs() <= 1e-12 * scale * t.max(1.0));
        prop_assert!((c.prob_itm + p.prob_itm - 1.0).abs() <= 1e-15);
    }

    /// Discounted forward intrinsic ≤ V ≤ S·e^{−qT} (call) or K·e^{−rT} (put);
    /// 0 ≤ P(ITM) ≤ 1; |Δ| ≤ e^{−qT}; Γ, vega ≥ 0; every field finite.
    #[test]
    fn no_arbitrage_bounds((s, k, t, r, q, v) in inputs()) {
        let (c, p) = pair(s, k, t, r, q, v);
        let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
        let slack = 1e-12 * (s + k);
        prop_assert!(c.price >= (s * dq - k * dr).max(0.0) - slack && c.price <= s * dq + slack);
        prop_assert!(p.price >= (k * dr - s * dq).max(0.0) - slack && p.price <= k * dr + slack);
        for g in [c, p] {
            prop_assert!((0.0..=1.0).contains(&g.prob_itm));
            prop_assert!(g.delta.abs() <= dq * (1.0 + 1e-15));
            prop_assert!(g.gamma >= 0.0 && g.vega >= 0.0);
            let all = serde_json::to_value(g).expect("serializable");
            for (name, x) in all.as_object().expect("object") {
                prop_assert!(x.as_f64().is_some_and(f64::is_finite), "{name} not finite");
            }
        }
    }

    /// Calls rise and puts fall with S; both rise with σ; with q = 0 and r ≥ 0 a call
    /// rises with T.
    #[test]
    fn monotonicity((s, k, t, r, q, v) in inputs(), bump in 1e-3..0.5f64) {
        let (c, p) = pair(s, k, t, r, q, v);
        let (c_s, p_s) = pair(s * (1.0 + bump), k, t, r, q, v);
        let tol = 1e-12 * (s + k);
        prop_assert!(c_s.price >= c.price - tol && p_s.price <= p.price + tol);
        let (c_v, p_v) = pair(s, k, t, r, q, v + bump);
        prop_assert!(c_v.price >= c.price - tol && p_v.price >= p.price - tol);
        let c0 = bsm(Call, s, k, t, r.abs(), 0.0, v).expect("valid");
        let c0_t = bsm(Call, s, k, t + bump, r.abs(), 0.0, v).expect("valid");
        prop_assert!(c0_t.price >= c0.price - tol);
    }
}

/// Sound limits: huge σ, tiny T, extreme moneyness give finite values at the right limit.
#[test]
fn extreme_inputs_have_the_right_limits() {
    let (c, p) = pair(100.0, 100.0, 2.0, 0.05, 0.02, 50.0);
    assert!((c.price - 100.0 * (-0.04f64).exp()).abs() < 1e-9);
    assert!((p.price - 100.0 * (-0.10f64).exp()).abs() < 1e-9);
    let (c, p) = pair(101.0, 100.0, 1e-12, 0.05, 0.02, 0.3);
    assert!((c.price - 1.0).abs() < 1e-9 && p.price < 1e-12);
    assert!((c.delta - 1.0).abs() < 1e-9 && (c.prob_itm - 1.0).abs() < 1e-12);
    let extremes = [
        (1e-3, 1e3, 0.5, 0.4),
        (1e3, 1e-3, 0.5, 0.4),
        (1e-8, 1e8, 0.5, 0.4),
        (100.0, 100.0, 0.5, 1e200),
        (100.0, 90.0, 1e3, 1e6),
        (100.0, 100.0, 1e-320, 0.3),
        (100.0, 100.0, 1e-140, 0.3),
        (100.0, 100.0, 1.0, 1e-300),
    ];
    for (s, k, t, v) in extremes {
        let (c, p) = pair(s, k, t, 0.05, 0.02, v);
        for g in [c, p] {
            let v = serde_json::to_value(g).expect("serializable");
            assert!(
                v.as_object()
                    .expect("object")
                    .values()
                    .all(|x| x.as_f64().is_some()),
                "non-finite greek at S={s} K={k} T={t} σ={v}: {g:?}"
            );
        }
    }
}
