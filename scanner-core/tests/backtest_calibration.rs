//! Calibration of the PoP model on paths simulated from the model itself: the Brier score
//! must sit within noise of its ideal value `E[p(1 − p)]`, and a mis-specified volatility must
//! be detectably worse (so the test can fail).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use scanner_core::backtest::{run_backtest, PathSet, TradeSpec};
use scanner_core::model::{OptionKind, PriceHistory};

/// splitmix64 uniforms and Box–Muller normals: small, seeded, deterministic.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

const SIGMA: f64 = 0.3;
const RATE: f64 = 0.03;

/// A GBM under the model's own (risk-neutral) drift on a weekday calendar; each step's
/// variance is σ² × calendar days / 365, matching the model's calendar-time convention.
fn gbm(rng: &mut Rng, n: usize) -> PriceHistory {
    let mut d = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    let (mut dates, mut close) = (vec![d], vec![100.0]);
    while close.len() < n {
        let prev = d;
        d += Duration::days(1);
        while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            d += Duration::days(1);
        }
        let dt = (d - prev).num_days() as f64 / 365.0;
        let s = close[close.len() - 1]
            * ((RATE - 0.5 * SIGMA * SIGMA) * dt + SIGMA * dt.sqrt() * rng.normal()).exp();
        dates.push(d);
        close.push(s);
    }
    // The ranges do not matter here (no take-profit/stop-loss is reachable).
    PriceHistory::new(
        "GBM",
        dates,
        close.clone(),
        close.clone(),
        close.clone(),
        close,
        vec![1.0; n],
    )
    .unwrap()
}

/// Per-path mean of (Brier term − ideal term), for a model volatility `model_vol`.
fn excess_per_path(model_vol: f64) -> Vec<f64> {
    let mut rng = Rng(42);
    let specs = [
        (OptionKind::Call, 1.03),
        (OptionKind::Put, 0.97),
        (OptionKind::Call, 1.0),
    ];
    (0..120)
        .map(|_| {
            let h = gbm(&mut rng, 260);
            let paths = PathSet::with_vol(&h, vec![model_vol; h.len()]).unwrap();
            let mut d = Vec::new();
            for (kind, moneyness) in specs {
                let spec = TradeSpec {
                    kind,
                    moneyness,
                    dte: 21,
                    take_profit: 1e6,
                    stop_loss: 1.0,
                    rate: RATE,
                    dividend_yield: 0.0,
                };
                for (p, y) in run_backtest(&paths, &spec, 260).calibration {
                    let yv = if y { 1.0 } else { 0.0 };
                    d.push((p - yv).powi(2) - p * (1.0 - p));
                }
            }
            d.iter().sum::<f64>() / d.len() as f64
        })
        .collect()
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (m, sd / n.sqrt())
}

#[test]
fn brier_score_is_within_noise_of_ideal_when_the_model_is_true() {
    let (m, se) = mean_and_se(&excess_per_path(SIGMA));
    assert!(m.abs() < 4.0 * se, "Brier − ideal = {m} ± {se}");
    assert!(se < 0.01, "enough observations to mean something: se {se}");
}

#[test]
fn a_wrong_volatility_is_visibly_miscalibrated() {
    // At twice the true volatility the model's PoP is biased; the same test must fail.
    let (m, se) = mean_and_se(&excess_per_path(2.0 * SIGMA));
    assert!(
        m.abs() > 4.0 * se,
        "Brier − ideal = {m} ± {se} should be significant"
    );
}
