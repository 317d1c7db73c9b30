//! Every greek against a central finite difference of the price (or of the lower greek it
//! differentiates), on a wide random grid. Steps scale with the quantity's natural scale
//! (`S·σ√T` for spot, `σ` for vol, `T` for time), so truncation stays near 1e-9 everywhere.

use super::via_batch::bsm;
use proptest::prelude::*;
use scanner_core::model::OptionKind;
use scanner_core::pricing::Greeks;

/// Inputs of one FD check.
#[derive(Debug, Clone, Copy)]
struct Case {
    kind: OptionKind,
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    q: f64,
    v: f64,
}

impl Case {
    fn at(self, s: f64, t: f64, r: f64, q: f64, v: f64) -> Greeks {
        bsm(self.kind, s, self.k, t, r, q, v).expect("valid FD inputs")
    }
}

/// `|analytic − fd| ≤ 1e-6·|analytic| + 1e-7·scale`, where `scale` is the size of the
/// differentiated quantity per unit of the step's natural scale (so a relative 1e-7 of the
/// function itself), floored to absorb the rounding of the function's terms.
#[track_caller]
fn check(
    name: &str,
    c: &Case,
    analytic: f64,
    (plus, minus): (f64, f64),
    h: f64,
    unit: f64,
    floor: f64,
) {
    let fd = (plus - minus) / (2.0 * h);
    let scale = plus.abs().max(minus.abs()).max(floor) / unit;
    let tol = 1e-6 * analytic.abs() + 1e-7 * scale;
    assert!(
        (analytic - fd).abs() <= tol,
        "{name}: analytic {analytic:e} vs FD {fd:e} (tol {tol:e}) at {c:?}"
    );
}

fn verify(c: Case) {
    let Case { s, t, r, q, v, .. } = c;
    let g0 = c.at(s, t, r, q, v);
    let sd = v * t.sqrt();
    let money = s.max(c.k);

    // Spot: delta, gamma, speed, lambda.
    let hs = 1e-4 * s * sd;
    let (up, dn) = (c.at(s + hs, t, r, q, v), c.at(s - hs, t, r, q, v));
    let us = s * sd;
    check(
        "delta",
        &c,
        g0.delta,
        (up.price, dn.price),
        hs,
        us,
        money * 1e-3,
    );
    check("gamma", &c, g0.gamma, (up.delta, dn.delta), hs, us, 1e-3);
    check(
        "speed",
        &c,
        g0.speed,
        (up.gamma, dn.gamma),
        hs,
        us,
        1e-3 / us,
    );

    // Vol: vega, vomma, ultima, vanna, zomma.
    let hv = 1e-4 * v;
    let (vu, vd) = (c.at(s, t, r, q, v + hv), c.at(s, t, r, q, v - hv));
    let uv = v;
    let vega_floor = 1e-3 * s * t.sqrt();
    check(
        "vega",
        &c,
        g0.vega,
        (vu.price, vd.price),
        hv,
        uv,
        money * 1e-3,
    );
    check(
        "vomma",
        &c,
        g0.vomma,
        (vu.vega, vd.vega),
        hv,
        uv,
        vega_floor,
    );
    check(
        "ultima",
        &c,
        g0.ultima,
        (vu.vomma, vd.vomma),
        hv,
        uv,
        vega_floor / v,
    );
    check("vanna", &c, g0.vanna, (vu.delta, vd.delta), hv, uv, 1e-3);
    check(
        "zomma",
        &c,
        g0.zomma,
        (vu.gamma, vd.gamma),
        hv,
        uv,
        1e-3 / us,
    );

    // Time (theta, charm, color are −∂/∂T).
    let ht = 1e-4 * t;
    let (tu, td) = (c.at(s, t + ht, r, q, v), c.at(s, t - ht, r, q, v));
    let ut = t;
    check(
        "theta",
        &c,
        -g0.theta,
        (tu.price, td.price),
        ht,
        ut,
        money * 1e-3,
    );
    check("charm", &c, -g0.charm, (tu.delta, td.delta), ht, ut, 1e-3);
    check(
        "color",
        &c,
        -g0.color,
        (tu.gamma, td.gamma),
        ht,
        ut,
        1e-3 / us,
    );

    // Rates: a rate move shifts d1, d2 by T/(σ√T) per unit, so the natural unit is σ√T/T.
    let ur = sd / t;
    let hr = 1e-4 * ur;
    let (ru, rd) = (c.at(s, t, r + hr, q, v), c.at(s, t, r - hr, q, v));
    check(
        "rho",
        &c,
        g0.rho,
        (ru.price, rd.price),
        hr,
        ur,
        money * 1e-3,
    );
    let (qu, qd) = (c.at(s, t, r, q + hr, v), c.at(s, t, r, q - hr, v));
    check(
        "epsilon",
        &c,
        g0.epsilon,
        (qu.price, qd.price),
        hr,
        ur,
        money * 1e-3,
    );

    // Strike: ∂V/∂K = −w·e^{−rT}·N(w·d2), so prob_itm = −w·e^{rT}·∂V/∂K.
    let hk = 1e-4 * c.k * sd;
    let ku = bsm(c.kind, s, c.k + hk, t, r, q, v).expect("valid");
    let kd = bsm(c.kind, s, c.k - hk, t, r, q, v).expect("valid");
    let w = c.kind.sign();
    let scaled = -w * (r * t).exp();
    check(
        "prob_itm",
        &c,
        g0.prob_itm,
        (scaled * ku.price, scaled * kd.price),
        hk,
        c.k * sd,
        money * 1e-3,
    );

    // lambda = ∂ln V/∂ln S, where the price is not negligible.
    if g0.price > 1e-6 * s {
        let h = 1e-4 * sd;
        let (lu, ld) = (
            c.at(s * h.exp(), t, r, q, v),
            c.at(s * (-h).exp(), t, r, q, v),
        );
        check(
            "lambda",
            &c,
            g0.lambda,
            (lu.price.ln(), ld.price.ln()),
            h,
            sd,
            1.0,
        );
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        20.0..500.0f64,
        0.5..2.0f64,
        (1.0 / 365.0)..3.0f64,
        -0.01..0.15f64,
        0.0..0.10f64,
        0.05..1.5f64,
    )
        .prop_map(|(call, s, m, t, r, q, v)| Case {
            kind: if call {
                OptionKind::Call
            } else {
                OptionKind::Put
            },
            s,
            k: s * m,
            t,
            r,
            q,
            v,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn greeks_match_finite_differences(c in case()) {
        verify(c);
    }
}

/// QuantLib's `testGreeks` grid (anchors §E): moneyness {0.5, 0.995, 1, 1.005, 1.5},
/// q ∈ {4, 5, 6 %}, r ∈ {1, 5, 15 %}, T ∈ {1, 2}, σ ∈ {11, 50, 120 %}, both kinds.
#[test]
fn quantlib_greek_grid() {
    for kind in [OptionKind::Call, OptionKind::Put] {
        for m in [0.5, 0.995, 1.0, 1.005, 1.5] {
            for q in [0.04, 0.05, 0.06] {
                for r in [0.01, 0.05, 0.15] {
                    for t in [1.0, 2.0] {
                        for v in [0.11, 0.50, 1.20] {
                            verify(Case {
                                kind,
                                s: 100.0 * m,
                                k: 100.0,
                                t,
                                r,
                                q,
                                v,
                            });
                        }
                    }
                }
            }
        }
    }
}
