//! Implied volatility round trips: price → IV → price to 1e-12 relative wherever the price
//! carries the information (time value well above rounding), and σ → price → σ within the
//! attainable precision `1e-12·σ + c·ε·(S e^{−qT} + K e^{−rT})/vega`.

use super::via_batch::{bsm, implied_vol};
use proptest::prelude::*;
use scanner_core::model::OptionKind;
use scanner_core::pricing::IvStatus;

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

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        1.0..1000.0f64,
        0.3..3.0f64,
        (1.0 / 365.0)..5.0f64,
        -0.02..0.15f64,
        0.0..0.10f64,
        0.01..3.0f64,
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
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn price_to_iv_to_price(c in case()) {
        let Case { kind, s, k, t, r, q, v } = c;
        let g = bsm(kind, s, k, t, r, q, v).expect("valid");
        let (dq, dr) = ((-q * t).exp(), (-r * t).exp());
        let intrinsic = (kind.sign() * (s * dq - k * dr)).max(0.0);
        let scale = s * dq + k * dr;
        // Information test: time value well above the rounding of the price, and the price
        // strictly below its σ → ∞ limit.
        let cap = match kind { OptionKind::Call => s * dq, OptionKind::Put => k * dr };
        prop_assume!(g.price - intrinsic > 1e-9 * scale && cap - g.price > 1e-9 * scale);
        let iv = implied_vol(g.price, kind, s, k, t, r, q).expect("valid");
        prop_assert_eq!(iv.status, IvStatus::Ok, "{:?}", c);
        let back = bsm(kind, s, k, t, r, q, iv.vol).expect("valid").price;
        prop_assert!(
            (back - g.price).abs() <= 1e-12 * g.price + 4.0 * f64::EPSILON * scale,
            "price {} → IV {} → {} at {:?}", g.price, iv.vol, back, c
        );
        let attainable = 1e-12 * v + 64.0 * f64::EPSILON * scale / g.vega;
        prop_assert!(
            (iv.vol - v).abs() <= attainable,
            "σ {} → {} (|Δ| {:e} > {:e}) at {:?}", v, iv.vol, (iv.vol - v).abs(), attainable, c
        );
    }
}

/// On the anchors' benchmark distribution, where every price carries information, the
/// median |Δσ| is at machine precision.
#[test]
fn anchor_distribution_median_error() {
    let mut rng = super::rng::Rng::new(2024);
    let mut errs = Vec::new();
    for _ in 0..20_000 {
        let o = super::rng::RandomOption::draw(&mut rng);
        let kind = if o.is_call {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        let g = bsm(
            kind,
            o.spot,
            o.strike,
            o.years,
            o.rate,
            o.dividend_yield,
            o.vol,
        )
        .expect("valid");
        let iv = implied_vol(
            g.price,
            kind,
            o.spot,
            o.strike,
            o.years,
            o.rate,
            o.dividend_yield,
        )
        .expect("valid");
        if iv.status == IvStatus::Ok {
            errs.push((iv.vol - o.vol).abs());
        }
    }
    assert!(errs.len() > 19_000, "only {} of 20000 solved", errs.len());
    errs.sort_by(f64::total_cmp);
    let median = errs[errs.len() / 2];
    assert!(median < 1e-15, "median |Δσ| = {median:e}");
}
