//! Calibration of the probability-of-profit model: predicted PoP against the realised outcome
//! at expiry, summarised as Brier score, log loss and reliability bins, overall and per DTE
//! bucket. The accumulator is mergeable so symbols are replayed independently and summed
//! (the original always reported `calibrationMetrics: {}`, original-system.md §10.2).

use serde_json::{json, Value};

/// DTE buckets `(label, lowest DTE, highest DTE)`.
pub const DTE_BUCKETS: [(&str, i64, i64); 4] = [
    ("0-7", 0, 7),
    ("8-21", 8, 21),
    ("22-45", 22, 45),
    ("46+", 46, i64::MAX),
];

const BINS: usize = 10;
const EPS: f64 = 1e-6;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Acc {
    n: u64,
    brier: f64,
    log_loss: f64,
    ideal: f64,
    outcomes: f64,
    bins: [(u64, f64, f64); BINS],
}

impl Acc {
    fn add(&mut self, p: f64, y: bool) {
        let yv = if y { 1.0 } else { 0.0 };
        let pc = p.clamp(EPS, 1.0 - EPS);
        self.n += 1;
        self.brier += (p - yv).powi(2);
        self.log_loss -= if y { pc.ln() } else { (1.0 - pc).ln() };
        self.ideal += p * (1.0 - p);
        self.outcomes += yv;
        let b = ((p * BINS as f64) as usize).min(BINS - 1);
        let bin = &mut self.bins[b];
        bin.0 += 1;
        bin.1 += p;
        bin.2 += yv;
    }

    fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.brier += o.brier;
        self.log_loss += o.log_loss;
        self.ideal += o.ideal;
        self.outcomes += o.outcomes;
        for (a, b) in self.bins.iter_mut().zip(o.bins.iter()) {
            a.0 += b.0;
            a.1 += b.1;
            a.2 += b.2;
        }
    }

    fn json(&self) -> Value {
        if self.n == 0 {
            return json!({"observations": 0});
        }
        let n = self.n as f64;
        let bins: Vec<Value> = self
            .bins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.0 > 0)
            .map(|(i, b)| {
                json!({"range": [i as f64 / BINS as f64, (i + 1) as f64 / BINS as f64], "count": b.0,
                       "meanPredicted": b.1 / b.0 as f64, "observedFrequency": b.2 / b.0 as f64})
            })
            .collect();
        json!({"observations": self.n, "brierScore": self.brier / n, "logLoss": self.log_loss / n,
               "expectedBrierIfCalibrated": self.ideal / n, "baseRate": self.outcomes / n,
               "reliability": bins})
    }
}

/// Mergeable calibration statistics.
///
/// ```
/// use scanner_core::backtest::Calibration;
/// let mut c = Calibration::default();
/// c.add(0.8, true, 10);
/// c.add(0.8, false, 10);
/// let j = c.to_json();
/// assert!((j["overall"]["brierScore"].as_f64().unwrap() - (0.04 + 0.64) / 2.0).abs() < 1e-12);
/// assert_eq!(j["byDteBucket"]["8-21"]["observations"], 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calibration {
    overall: Acc,
    buckets: [Acc; 4],
}

impl Calibration {
    /// Record one prediction `p` (0–1) with outcome `y` for a contract of `dte` days.
    pub fn add(&mut self, p: f64, y: bool, dte: i64) {
        if !p.is_finite() {
            return;
        }
        self.overall.add(p, y);
        if let Some(b) = DTE_BUCKETS
            .iter()
            .position(|(_, lo, hi)| (*lo..=*hi).contains(&dte))
        {
            self.buckets[b].add(p, y);
        }
    }

    /// Add another accumulator's observations.
    pub fn merge(&mut self, other: &Calibration) {
        self.overall.merge(&other.overall);
        for (a, b) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            a.merge(b);
        }
    }

    /// Observations recorded.
    pub fn observations(&self) -> u64 {
        self.overall.n
    }

    /// Mean Brier score (NaN without observations).
    pub fn brier(&self) -> f64 {
        self.overall.brier / self.overall.n as f64
    }

    /// Mean of `p(1 − p)`: the Brier score a perfectly calibrated model would expect.
    pub fn expected_brier_if_calibrated(&self) -> f64 {
        self.overall.ideal / self.overall.n as f64
    }

    /// `{overall: {...}, byDteBucket: {"0-7": {...}, ...}}`.
    pub fn to_json(&self) -> Value {
        let mut by = serde_json::Map::new();
        for ((label, _, _), acc) in DTE_BUCKETS.iter().zip(self.buckets.iter()) {
            by.insert((*label).to_owned(), acc.json());
        }
        json!({"overall": self.overall.json(), "byDteBucket": by})
    }
}
