//! Monotone recalibration of a probability: isotonic regression (pool-adjacent-violators)
//! of past outcomes on past predictions, because a model can rank contracts well and still
//! be off in level (a 0.45 that came true 0.41 of the time); a non-decreasing map keeps the
//! ranking and moves each prediction to the frequency its neighbours achieved.
//!
//! Fit. The predictions are sorted and pooled into at most `cells` cells of equal
//! weight (so the map stays small and each knot rests on many outcomes), then adjacent
//! cells whose observed frequencies decrease are merged until the frequencies are
//! non-decreasing. Each final block gives one knot `(mean prediction, observed frequency)`;
//! between knots the map is linear, beyond the ends it is flat.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A fitted non-decreasing map from a raw probability to a calibrated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recalibration {
    /// Mean raw prediction of each block, increasing.
    pub raw: Vec<f64>,
    /// Observed frequency of each block, non-decreasing.
    pub calibrated: Vec<f64>,
    /// Outcomes the map was fitted on.
    pub observations: u64,
}

/// One pooled block while fitting: weight, Σ weight·prediction, Σ weight·outcome.
#[derive(Clone, Copy)]
struct Block {
    w: f64,
    p: f64,
    y: f64,
}

impl Recalibration {
    /// Fit on `(prediction, outcome, weight)` triples with at most `cells` initial cells.
    ///
    /// ```
    /// use scanner_core::probability::Recalibration;
    /// // Predictions of 0.2 came true 10 % of the time, predictions of 0.6 half of the time.
    /// let mut obs = Vec::new();
    /// for i in 0..1000 {
    ///     obs.push((0.2, i % 10 == 0, 1.0));
    ///     obs.push((0.6, i % 2 == 0, 1.0));
    /// }
    /// let r = Recalibration::fit(&obs, 50).unwrap();
    /// assert!((r.apply(0.2) - 0.1).abs() < 1e-9);
    /// assert!((r.apply(0.6) - 0.5).abs() < 1e-9);
    /// assert!((r.apply(0.4) - 0.3).abs() < 1e-9);
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with fewer than 100
    /// observations, `cells < 2`, or a prediction outside `[0, 1]` or weight not positive.
    pub fn fit(obs: &[(f64, bool, f64)], cells: usize) -> Result<Self> {
        if obs.len() < 100 || cells < 2 {
            return Err(Error::invalid_input(format!(
                "recalibration: {} observations, {cells} cells (need ≥ 100 and ≥ 2)",
                obs.len()
            )));
        }
        if obs
            .iter()
            .any(|(p, _, w)| !((0.0..=1.0).contains(p) && w.is_finite() && *w > 0.0))
        {
            return Err(Error::invalid_input(
                "recalibration: a prediction outside [0, 1] or a weight not positive",
            ));
        }
        let mut sorted: Vec<(f64, bool, f64)> = obs.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = sorted.iter().map(|o| o.2).sum();
        let per_cell = total / cells as f64;
        // Equal-weight cells; equal predictions never straddle two cells.
        let mut blocks: Vec<Block> = Vec::new();
        let mut cur = Block {
            w: 0.0,
            p: 0.0,
            y: 0.0,
        };
        for (i, &(p, y, w)) in sorted.iter().enumerate() {
            cur.w += w;
            cur.p += w * p;
            cur.y += if y { w } else { 0.0 };
            let tie = sorted.get(i + 1).is_some_and(|n| n.0 == p);
            if cur.w >= per_cell && !tie {
                blocks.push(cur);
                cur.w = 0.0;
                cur.p = 0.0;
                cur.y = 0.0;
            }
        }
        if cur.w > 0.0 {
            blocks.push(cur);
        }
        // Pool adjacent violators.
        let mut pooled: Vec<Block> = Vec::with_capacity(blocks.len());
        for b in blocks {
            pooled.push(b);
            while pooled.len() > 1 {
                let (a, c) = (pooled[pooled.len() - 2], pooled[pooled.len() - 1]);
                if a.y / a.w <= c.y / c.w {
                    break;
                }
                pooled.pop();
                let last = pooled.last_mut().expect("two blocks were there");
                last.w += c.w;
                last.p += c.p;
                last.y += c.y;
            }
        }
        Ok(Self {
            raw: pooled.iter().map(|b| b.p / b.w).collect(),
            calibrated: pooled.iter().map(|b| b.y / b.w).collect(),
            observations: obs.len() as u64,
        })
    }

    /// The calibrated probability of a raw one (linear between knots, flat beyond them).
    pub fn apply(&self, p: f64) -> f64 {
        let (x, y) = (&self.raw, &self.calibrated);
        let Some((&first, &last)) = x.first().zip(x.last()) else {
            return p;
        };
        if p <= first {
            return y[0];
        }
        if p >= last {
            return y[y.len() - 1];
        }
        let i = x.partition_point(|v| *v <= p) - 1;
        let span = x[i + 1] - x[i];
        let f = if span > 0.0 { (p - x[i]) / span } else { 1.0 };
        y[i] + f * (y[i + 1] - y[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violators_are_pooled_into_a_non_decreasing_map() {
        // Frequencies 0.3 at 0.1 and 0.1 at 0.2 violate the order: both become 0.2.
        let mut obs = Vec::new();
        for i in 0..100 {
            obs.push((0.1, i % 10 < 3, 1.0));
            obs.push((0.2, i % 10 < 1, 1.0));
            obs.push((0.5, i % 10 < 6, 1.0));
        }
        let r = Recalibration::fit(&obs, 10).unwrap();
        assert_eq!(r.raw.len(), 2);
        assert!((r.calibrated[0] - 0.2).abs() < 1e-12);
        assert!((r.raw[0] - 0.15).abs() < 1e-12);
        assert!(r.calibrated.windows(2).all(|w| w[0] <= w[1]));
        assert!((r.apply(0.0) - 0.2).abs() < 1e-12);
        assert!((r.apply(1.0) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(Recalibration::fit(&[(0.5, true, 1.0); 10], 10).is_err());
        let mut obs = vec![(0.5, true, 1.0); 200];
        obs[3].0 = 1.5;
        assert!(Recalibration::fit(&obs, 10).is_err());
        obs[3] = (0.5, true, 0.0);
        assert!(Recalibration::fit(&obs, 10).is_err());
        assert!(Recalibration::fit(&[(0.5, true, 1.0); 200], 1).is_err());
    }
}
