//! Properties of the probability module: every probability in [0, 1]; PoP ≤ P(ITM) ≤
//! P(touch strike); P(touch) ≥ P(end beyond the barrier); monotone in spot and horizon.

use proptest::prelude::*;
use scanner_core::model::OptionKind;
use scanner_core::pricing::norm_cdf;
use scanner_core::probability::{analyze, touch_probability, Drift, PositionInput};

fn position() -> impl Strategy<Value = PositionInput> {
    (
        any::<bool>(),
        5.0..500.0f64,
        0.5..2.0f64,
        0.0..0.3f64,
        0.0..3.0f64,
        0.0..0.1f64,
        0.0..2.0f64,
        prop::option::of(-0.5..0.5f64),
    )
        .prop_map(|(call, s, m, p, t, q, v, mu)| PositionInput {
            kind: if call {
                OptionKind::Call
            } else {
                OptionKind::Put
            },
            spot: s,
            strike: s * m,
            premium: p * s,
            years: t,
            rate: 0.045,
            dividend_yield: q,
            vol: v,
            drift: mu.map_or(Drift::RiskNeutral, |mu| Drift::RealWorld { mu }),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn probabilities_are_ordered_and_bounded(input in position()) {
        let a = analyze(&input).expect("valid");
        for p in [a.probability_of_profit, a.probability_itm, a.probability_touch_breakeven,
                  a.probability_touch_strike] {
            prop_assert!((0.0..=1.0).contains(&p), "{p} out of [0,1]");
        }
        prop_assert!(a.probability_of_profit <= a.probability_itm + 1e-15);
        prop_assert!(a.probability_touch_strike >= a.probability_itm - 1e-12);
        prop_assert!(a.probability_touch_breakeven >= a.probability_of_profit - 1e-12);
        prop_assert!(a.expected_value >= -input.premium - 1e-12);
        prop_assert!((a.expected_move_2sd - 2.0 * a.expected_move_1sd).abs() <= 1e-15);
    }

    /// P(touch B by T) ≥ P(S_T beyond B): a path that ends beyond the barrier touched it.
    #[test]
    fn touch_dominates_terminal(s in 1.0..1000.0f64, m in 0.2..5.0f64, t in 0.0..5.0f64,
                                nu in -1.0..1.0f64, v in 0.01..2.0f64, dt in 0.0..1.0f64) {
        let b = s * m;
        let p = touch_probability(s, b, t, nu, v);
        let sd = v * t.sqrt();
        let beyond = if sd == 0.0 { 0.0 } else {
            let z = ((b / s).ln() - nu * t) / sd;
            if b >= s { norm_cdf(-z) } else { norm_cdf(z) }
        };
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(p >= beyond - 1e-12, "touch {p} < terminal {beyond}");
        prop_assert!(touch_probability(s, b, t + dt, nu, v) >= p - 1e-12, "not monotone in T");
        // Moving spot toward the barrier cannot lower the probability.
        let closer = s + 0.5 * (b - s);
        prop_assert!(touch_probability(closer, b, t, nu, v) >= p - 1e-12);
    }

    /// PoP rises with spot for calls and falls for puts.
    #[test]
    fn pop_monotone_in_spot(input in position(), bump in 0.001..0.5f64) {
        let a = analyze(&input).expect("valid");
        let moved = PositionInput { spot: input.spot * (1.0 + bump), ..input };
        let b = analyze(&moved).expect("valid");
        match input.kind {
            OptionKind::Call => prop_assert!(b.probability_of_profit >= a.probability_of_profit - 1e-12),
            OptionKind::Put => prop_assert!(b.probability_of_profit <= a.probability_of_profit + 1e-12),
        }
    }
}
