//! The closed-form touch probability and the analytic expected value against seeded Monte
//! Carlo. Paths are simulated on a grid, and the chance of crossing between grid points is
//! added with the Brownian-bridge formula `exp(−2(b−x₀)(b−x₁)/(σ²Δt))`, which is exact for a
//! drifted Brownian motion, so discrete monitoring does not bias the estimate low.

use scanner_core::model::OptionKind;
use scanner_core::probability::{analyze, touch_probability, Drift, PositionInput};

use super::rng::Rng;

/// Monte Carlo estimate and standard error of P(touch `barrier` by `years`) for
/// `ln S` with drift `nu` and vol `vol`; the tuple is `(spot, barrier, years, nu, vol)`. Each path contributes its conditional touch
/// probability given the grid (Rao–Blackwellised bridge correction).
pub fn mc_touch(
    rng: &mut Rng,
    (spot, barrier, years, nu, vol): (f64, f64, f64, f64, f64),
    paths: usize,
    steps: usize,
) -> (f64, f64) {
    // Work with the distance to an upper barrier; mirror a lower one.
    let up = barrier >= spot;
    let b = if up {
        (barrier / spot).ln()
    } else {
        (spot / barrier).ln()
    };
    let drift = if up { nu } else { -nu };
    let dt = years / steps as f64;
    let (mean_step, sd_step) = (drift * dt, vol * dt.sqrt());
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for _ in 0..paths {
        let mut x = 0.0;
        let mut survive = 1.0;
        for _ in 0..steps {
            let next = x + mean_step + sd_step * rng.normal();
            if next >= b {
                survive = 0.0;
                break;
            }
            survive *= 1.0 - (-2.0 * (b - x) * (b - next) / (vol * vol * dt)).exp();
            x = next;
        }
        let hit = 1.0 - survive;
        sum += hit;
        sum_sq += hit * hit;
    }
    let n = paths as f64;
    let mean = sum / n;
    let var = (sum_sq / n - mean * mean).max(0.0) * n / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Within 4 standard errors on a spread of barriers, horizons and drifts, both directions.
#[test]
fn closed_form_touch_matches_monte_carlo() {
    let mut rng = Rng::new(0x5EED_7001);
    let cases = [
        (100.0, 110.0, 0.25, 0.02, 0.30),
        (100.0, 103.0, 30.0 / 365.0, 0.10, 0.20),
        (100.0, 85.0, 1.0, -0.05, 0.25),
        (100.0, 92.0, 0.5, 0.08, 0.45),
        (100.0, 130.0, 2.0, -0.03, 0.35),
        (50.0, 50.5, 5.0 / 365.0, 0.0, 0.60),
    ];
    for (s, b, t, nu, vol) in cases {
        let exact = touch_probability(s, b, t, nu, vol);
        let (mc, se) = mc_touch(&mut rng, (s, b, t, nu, vol), 20_000, 50);
        assert!(
            (mc - exact).abs() <= 4.0 * se,
            "S={s} B={b} T={t} ν={nu} σ={vol}: closed {exact:.5} vs MC {mc:.5} ± {se:.5}"
        );
        // The horizon matters: a longer one can only raise the probability.
        assert!(touch_probability(s, b, 2.0 * t, nu, vol) >= exact);
    }
}

/// Analytic E[payoff] − premium against a seeded Monte Carlo of S_T under a real-world drift.
#[test]
fn expected_value_matches_monte_carlo() {
    let mut rng = Rng::new(77);
    for kind in [OptionKind::Call, OptionKind::Put] {
        let input = PositionInput {
            kind,
            spot: 100.0,
            strike: 102.0,
            premium: 3.1,
            years: 0.4,
            rate: 0.045,
            dividend_yield: 0.01,
            vol: 0.35,
            drift: Drift::RealWorld { mu: 0.12 },
        };
        let a = analyze(&input).expect("valid");
        let n = 200_000;
        let sd = input.vol * input.years.sqrt();
        let m = (0.12 - 0.5 * input.vol * input.vol) * input.years;
        let (mut sum, mut sum_sq, mut profitable) = (0.0, 0.0, 0usize);
        for _ in 0..n {
            let st = input.spot * (m + sd * rng.normal()).exp();
            let pnl = kind.intrinsic(st, input.strike) - input.premium;
            sum += pnl;
            sum_sq += pnl * pnl;
            profitable += usize::from(pnl > 0.0);
        }
        let mean = sum / n as f64;
        let se = ((sum_sq / n as f64 - mean * mean) / n as f64).sqrt();
        assert!(
            (a.expected_value - mean).abs() <= 4.0 * se,
            "{kind:?}: {} vs {mean} ± {se}",
            a.expected_value
        );
        let pop = profitable as f64 / n as f64;
        let pop_se = (pop * (1.0 - pop) / n as f64).sqrt();
        assert!(
            (a.probability_of_profit - pop).abs() <= 4.0 * pop_se,
            "{kind:?} PoP"
        );
    }
}
