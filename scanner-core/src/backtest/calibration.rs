//! Calibration of a probability model: predictions against realised outcomes, summarised as
//! Brier score with its Murphy decomposition, log loss, expected calibration error and a
//! reliability table with an interval per bin, overall, per DTE bucket and per moneyness
//! bucket. Consecutive entry days share most of their path, so every observation also
//! carries an *effective* weight (≤ 1) and the intervals use the effective counts. The
//! accumulator is mergeable so symbols are replayed independently and summed (the original
//! always reported `calibrationMetrics: {}`, original-system.md §10.2).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::probability::jeffreys_interval;

/// DTE buckets `(label, lowest DTE, highest DTE)`.
pub const DTE_BUCKETS: [(&str, i64, i64); 4] = [
    ("0-7", 0, 7),
    ("8-21", 8, 21),
    ("22-45", 22, 45),
    ("46+", 46, i64::MAX),
];

/// Moneyness buckets `(label, lowest, highest)` of the signed in-the-money fraction
/// `w·(S − K)/S` (w = +1 call, −1 put): negative is out of the money.
pub const MONEYNESS_BUCKETS: [(&str, f64, f64); 5] = [
    ("otm>5%", f64::NEG_INFINITY, -0.05),
    ("otm1.5-5%", -0.05, -0.015),
    ("atm±1.5%", -0.015, 0.015),
    ("itm1.5-5%", 0.015, 0.05),
    ("itm>5%", 0.05, f64::INFINITY),
];

const BINS: usize = 10;
const EPS: f64 = 1e-6;
/// Confidence of the per-bin intervals.
pub const BIN_CONFIDENCE: f64 = 0.95;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Bin {
    n: u64,
    eff: f64,
    pred: f64,
    obs: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Acc {
    n: u64,
    eff: f64,
    brier: f64,
    log_loss: f64,
    ideal: f64,
    outcomes: f64,
    bins: [Bin; BINS],
}

/// One reliability bin: predictions in `[low, high)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReliabilityBin {
    /// `[low, high]` of the predictions in the bin.
    pub range: [f64; 2],
    /// Observations.
    pub count: u64,
    /// Effective (non-overlapping) observations.
    pub effective_count: f64,
    /// Mean prediction.
    pub mean_predicted: f64,
    /// Share of outcomes that came true.
    pub observed_frequency: f64,
    /// 95 % Jeffreys interval of the observed frequency, on the effective count.
    pub interval: [f64; 2],
}

/// Calibration figures of one set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationSummary {
    /// Observations.
    pub observations: u64,
    /// Effective observations: each weighted by the share of its holding period no other
    /// entry of the same contract overlaps.
    pub effective_observations: f64,
    /// Mean squared error of the predictions.
    pub brier_score: f64,
    /// `1 − Brier / uncertainty`: the improvement over always predicting the base rate.
    pub brier_skill: f64,
    /// Murphy decomposition (binned): reliability (lower is better).
    #[serde(rename = "reliabilityComponent")]
    pub reliability: f64,
    /// Murphy decomposition: resolution (higher is better).
    pub resolution: f64,
    /// Murphy decomposition: uncertainty `base·(1 − base)`.
    pub uncertainty: f64,
    /// Mean negative log likelihood (predictions clamped to `[1e-6, 1 − 1e-6]`).
    pub log_loss: f64,
    /// Expected calibration error: count-weighted mean |observed − predicted| over the bins.
    pub ece: f64,
    /// Mean of `p(1 − p)`: the Brier score a perfectly calibrated model would expect.
    pub expected_brier_if_calibrated: f64,
    /// Share of outcomes that came true.
    pub base_rate: f64,
    /// Mean prediction.
    pub mean_predicted: f64,
    /// Reliability table (non-empty bins).
    #[serde(rename = "reliability")]
    pub bins: Vec<ReliabilityBin>,
}

/// One observation's terms, computed once for every accumulator it enters (overall and
/// its buckets): a logarithm per observation instead of one per accumulator.
struct Terms {
    p: f64,
    y: f64,
    squared_error: f64,
    log_loss: f64,
    variance: f64,
    bin: usize,
}

impl Terms {
    fn new(p: f64, y: bool) -> Self {
        let yv = if y { 1.0 } else { 0.0 };
        let pc = p.clamp(EPS, 1.0 - EPS);
        Self {
            p,
            y: yv,
            squared_error: (p - yv).powi(2),
            log_loss: if y { pc.ln() } else { (1.0 - pc).ln() },
            variance: p * (1.0 - p),
            bin: ((p * BINS as f64) as usize).min(BINS - 1),
        }
    }
}

impl Acc {
    fn add(&mut self, t: &Terms, w: f64) {
        self.n += 1;
        self.eff += w;
        self.brier += t.squared_error;
        self.log_loss -= t.log_loss;
        self.ideal += t.variance;
        self.outcomes += t.y;
        let bin = &mut self.bins[t.bin];
        bin.n += 1;
        bin.eff += w;
        bin.pred += t.p;
        bin.obs += t.y;
    }

    fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.eff += o.eff;
        self.brier += o.brier;
        self.log_loss += o.log_loss;
        self.ideal += o.ideal;
        self.outcomes += o.outcomes;
        for (a, b) in self.bins.iter_mut().zip(o.bins.iter()) {
            a.n += b.n;
            a.eff += b.eff;
            a.pred += b.pred;
            a.obs += b.obs;
        }
    }

    fn summary(&self) -> CalibrationSummary {
        let n = self.n.max(1) as f64;
        let base = self.outcomes / n;
        let unc = base * (1.0 - base);
        let (mut rel, mut res, mut ece, mut pred) = (0.0, 0.0, 0.0, 0.0);
        let bins = self
            .bins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.n > 0)
            .map(|(i, b)| {
                let k = b.n as f64;
                let (mp, of) = (b.pred / k, b.obs / k);
                rel += k * (mp - of).powi(2) / n;
                res += k * (of - base).powi(2) / n;
                ece += k * (of - mp).abs() / n;
                pred += b.pred / n;
                let trials = b.eff.round().max(1.0) as u64;
                let hits = ((of * trials as f64).round() as u64).min(trials);
                let (lo, hi) = jeffreys_interval(hits, trials, BIN_CONFIDENCE);
                ReliabilityBin {
                    range: [i as f64 / BINS as f64, (i + 1) as f64 / BINS as f64],
                    count: b.n,
                    effective_count: b.eff,
                    mean_predicted: mp,
                    observed_frequency: of,
                    interval: [lo, hi],
                }
            })
            .collect();
        let brier = self.brier / n;
        CalibrationSummary {
            observations: self.n,
            effective_observations: self.eff,
            brier_score: brier,
            brier_skill: if unc > 0.0 { 1.0 - brier / unc } else { 0.0 },
            reliability: rel,
            resolution: res,
            uncertainty: unc,
            log_loss: self.log_loss / n,
            ece,
            expected_brier_if_calibrated: self.ideal / n,
            base_rate: base,
            mean_predicted: pred,
            bins,
        }
    }

    fn json(&self) -> Value {
        if self.n == 0 {
            return json!({"observations": 0});
        }
        json!(self.summary())
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
/// let s = c.summary();
/// assert!((s.ece - 0.3).abs() < 1e-12); // one bin: predicted 0.8, observed 0.5
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calibration {
    overall: Acc,
    buckets: [Acc; 4],
    moneyness: [Acc; 5],
}

/// The calibration figures overall, per DTE bucket and per moneyness bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationBreakdown {
    /// All observations.
    pub overall: CalibrationSummary,
    /// Per DTE bucket, labelled as in [`DTE_BUCKETS`].
    pub by_dte: Vec<(String, CalibrationSummary)>,
    /// Per moneyness bucket, labelled as in [`MONEYNESS_BUCKETS`].
    pub by_moneyness: Vec<(String, CalibrationSummary)>,
}

impl Calibration {
    /// Record one prediction `p` (0–1) with outcome `y` for a contract of `dte` days, entered
    /// every session (its effective weight is the share of the holding period, in sessions,
    /// that one entry stands for).
    pub fn add(&mut self, p: f64, y: bool, dte: i64) {
        let sessions = (dte.max(1) as f64 * 252.0 / 365.0).max(1.0);
        self.add_contract(p, y, dte, None, 1.0 / sessions);
    }

    /// Record one prediction with its contract's signed in-the-money fraction (when known)
    /// and its effective weight (clamped to `(0, 1]`). Non-finite predictions are ignored.
    pub fn add_contract(&mut self, p: f64, y: bool, dte: i64, itm: Option<f64>, weight: f64) {
        if !p.is_finite() {
            return;
        }
        let w = if weight.is_finite() {
            weight.clamp(1e-6, 1.0)
        } else {
            1.0
        };
        let terms = Terms::new(p, y);
        self.overall.add(&terms, w);
        if let Some(b) = DTE_BUCKETS
            .iter()
            .position(|(_, lo, hi)| (*lo..=*hi).contains(&dte))
        {
            self.buckets[b].add(&terms, w);
        }
        if let Some(b) = itm.and_then(|x| {
            MONEYNESS_BUCKETS
                .iter()
                .position(|(_, lo, hi)| x >= *lo && x < *hi)
        }) {
            self.moneyness[b].add(&terms, w);
        }
    }

    /// Add another accumulator's observations.
    pub fn merge(&mut self, other: &Calibration) {
        self.overall.merge(&other.overall);
        for (a, b) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            a.merge(b);
        }
        for (a, b) in self.moneyness.iter_mut().zip(other.moneyness.iter()) {
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

    /// The overall figures.
    pub fn summary(&self) -> CalibrationSummary {
        self.overall.summary()
    }

    /// Overall, per DTE bucket and per moneyness bucket (empty buckets left out).
    pub fn breakdown(&self) -> CalibrationBreakdown {
        let part = |labels: &mut dyn Iterator<Item = &str>, accs: &[Acc]| {
            labels
                .zip(accs)
                .filter(|(_, a)| a.n > 0)
                .map(|(l, a)| (l.to_owned(), a.summary()))
                .collect()
        };
        CalibrationBreakdown {
            overall: self.overall.summary(),
            by_dte: part(&mut DTE_BUCKETS.iter().map(|b| b.0), &self.buckets),
            by_moneyness: part(&mut MONEYNESS_BUCKETS.iter().map(|b| b.0), &self.moneyness),
        }
    }

    /// `{overall: {...}, byDteBucket: {"0-7": {...}, ...}, byMoneyness: {...}}`.
    pub fn to_json(&self) -> Value {
        let mut by = serde_json::Map::new();
        for ((label, _, _), acc) in DTE_BUCKETS.iter().zip(self.buckets.iter()) {
            by.insert((*label).to_owned(), acc.json());
        }
        let mut bm = serde_json::Map::new();
        for ((label, _, _), acc) in MONEYNESS_BUCKETS.iter().zip(self.moneyness.iter()) {
            if acc.n > 0 {
                bm.insert((*label).to_owned(), acc.json());
            }
        }
        json!({"overall": self.overall.json(), "byDteBucket": by, "byMoneyness": bm})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Murphy: Brier = reliability − resolution + uncertainty when every prediction in a
    /// bin is the same.
    #[test]
    fn murphy_decomposition_adds_up_for_constant_bins() {
        let mut c = Calibration::default();
        for i in 0..1000 {
            c.add_contract(0.15, i % 5 == 0, 30, Some(-0.1), 1.0);
            c.add_contract(0.75, i % 3 != 0, 30, Some(0.1), 1.0);
        }
        let s = c.summary();
        assert!((s.brier_score - (s.reliability - s.resolution + s.uncertainty)).abs() < 1e-12);
        assert!(s.ece > 0.0 && s.ece < 0.1);
        let b = c.breakdown();
        assert_eq!(b.by_moneyness.len(), 2);
        assert_eq!(b.by_dte.len(), 1);
        assert!(s.bins.iter().all(
            |x| x.interval[0] <= x.observed_frequency && x.observed_frequency <= x.interval[1]
        ));
    }

    /// Overlap weights shrink the effective count and widen the intervals.
    #[test]
    fn effective_counts_widen_intervals() {
        let (mut a, mut b) = (Calibration::default(), Calibration::default());
        for i in 0..2000 {
            a.add_contract(0.45, i % 2 == 0, 30, None, 1.0);
            b.add_contract(0.45, i % 2 == 0, 30, None, 0.05);
        }
        let (sa, sb) = (a.summary(), b.summary());
        assert!((sb.effective_observations - 100.0).abs() < 1e-9);
        let width = |s: &CalibrationSummary| s.bins[0].interval[1] - s.bins[0].interval[0];
        assert!(width(&sb) > 3.0 * width(&sa));
    }
}
