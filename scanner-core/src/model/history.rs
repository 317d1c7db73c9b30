//! Daily price history of one symbol, stored as columns so window statistics stream
//! over contiguous slices.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Daily OHLCV bars of one symbol, oldest first. One row is one trading session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceHistory {
    symbol: String,
    dates: Vec<NaiveDate>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

impl PriceHistory {
    /// Build a history from columns, checking that they have one length, that dates are
    /// strictly increasing, that prices are positive and finite with `low ≤ open, close ≤
    /// high`, and that volumes are finite and non-negative.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use scanner_core::model::PriceHistory;
    /// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    /// let h = PriceHistory::new("SYNA", vec![d(2), d(3)], vec![10.0, 10.5], vec![11.0, 11.0],
    ///     vec![9.5, 10.0], vec![10.5, 10.8], vec![1e6, 2e6]).unwrap();
    /// assert_eq!(h.len(), 2);
    /// assert_eq!(h.last_close(), Some(10.8));
    /// // dates out of order are rejected
    /// assert!(PriceHistory::new("SYNA", vec![d(3), d(2)], vec![1.0; 2], vec![1.0; 2],
    ///     vec![1.0; 2], vec![1.0; 2], vec![0.0; 2]).is_err());
    /// ```
    pub fn new(
        symbol: impl Into<String>,
        dates: Vec<NaiveDate>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
        volume: Vec<f64>,
    ) -> Result<Self> {
        let symbol = symbol.into();
        let n = dates.len();
        if [open.len(), high.len(), low.len(), close.len(), volume.len()]
            .iter()
            .any(|&l| l != n)
        {
            return Err(Error::invalid_input(format!(
                "{symbol}: price history columns differ in length"
            )));
        }
        if let Some(w) = dates.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::invalid_input(format!(
                "{symbol}: dates must be strictly increasing ({} then {})",
                w[0], w[1]
            )));
        }
        for i in 0..n {
            let (o, h, l, c, v) = (open[i], high[i], low[i], close[i], volume[i]);
            let positive = [o, h, l, c].iter().all(|p| p.is_finite() && *p > 0.0);
            if !(positive && v.is_finite() && v >= 0.0) {
                return Err(Error::invalid_input(format!(
                    "{symbol} {}: non-finite or non-positive bar",
                    dates[i]
                )));
            }
            if l > o.min(c) || h < o.max(c) {
                return Err(Error::invalid_input(format!(
                    "{symbol} {}: low/high do not bracket open/close",
                    dates[i]
                )));
            }
        }
        Ok(Self {
            symbol,
            dates,
            open,
            high,
            low,
            close,
            volume,
        })
    }

    /// The symbol these bars belong to.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }
    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.dates.len()
    }
    /// Whether there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
    /// Session dates, oldest first.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }
    /// Opening prices.
    pub fn open(&self) -> &[f64] {
        &self.open
    }
    /// Session highs.
    pub fn high(&self) -> &[f64] {
        &self.high
    }
    /// Session lows.
    pub fn low(&self) -> &[f64] {
        &self.low
    }
    /// Closing prices.
    pub fn close(&self) -> &[f64] {
        &self.close
    }
    /// Volumes (shares).
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }
    /// The most recent close.
    pub fn last_close(&self) -> Option<f64> {
        self.close.last().copied()
    }
    /// The most recent session date.
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.dates.last().copied()
    }

    /// The sessions dated on or before `as_of`, keeping at most the last `sessions` of them.
    /// This is how sources guarantee that nothing after `as_of` leaks into a scan.
    pub fn truncated(&self, as_of: NaiveDate, sessions: usize) -> PriceHistory {
        let end = self.dates.partition_point(|d| *d <= as_of);
        let start = end.saturating_sub(sessions);
        PriceHistory {
            symbol: self.symbol.clone(),
            dates: self.dates[start..end].to_vec(),
            open: self.open[start..end].to_vec(),
            high: self.high[start..end].to_vec(),
            low: self.low[start..end].to_vec(),
            close: self.close[start..end].to_vec(),
            volume: self.volume[start..end].to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: u32) -> PriceHistory {
        let dates = (1..=n)
            .map(|d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap())
            .collect();
        let c: Vec<f64> = (1..=n).map(|i| 100.0 + f64::from(i)).collect();
        PriceHistory::new(
            "SYNA",
            dates,
            c.clone(),
            c.iter().map(|x| x + 1.0).collect(),
            c.iter().map(|x| x - 1.0).collect(),
            c,
            vec![1e6; n as usize],
        )
        .unwrap()
    }

    #[test]
    fn truncation_never_returns_rows_after_as_of() {
        let h = sample(20);
        let cut = h.truncated(NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(), 5);
        assert_eq!(cut.len(), 5);
        assert_eq!(cut.last_date(), NaiveDate::from_ymd_opt(2024, 3, 10));
        assert_eq!(cut.dates()[0], NaiveDate::from_ymd_opt(2024, 3, 6).unwrap());
    }

    #[test]
    fn rejects_mismatched_columns_and_bad_bars() {
        let d = vec![NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()];
        assert!(PriceHistory::new(
            "X",
            d.clone(),
            vec![1.0],
            vec![1.0],
            vec![1.0],
            vec![1.0, 2.0],
            vec![0.0]
        )
        .is_err());
        assert!(PriceHistory::new(
            "X",
            d.clone(),
            vec![1.0],
            vec![0.5],
            vec![1.0],
            vec![1.0],
            vec![0.0]
        )
        .is_err());
        assert!(PriceHistory::new(
            "X",
            d,
            vec![f64::NAN],
            vec![1.0],
            vec![1.0],
            vec![1.0],
            vec![0.0]
        )
        .is_err());
    }
}
