//! The per-symbol price paths a replay reads: prices, their logs, the session calendar and
//! the volatility known at each close. Built once per symbol and shared by every candidate,
//! so a candidate's backtest needs no setup of its own.

use chrono::{Datelike, NaiveDate};

use crate::model::PriceHistory;
use crate::{Error, Result};

/// Sessions per year used to annualise daily close-to-close volatility.
const SESSIONS_PER_YEAR: f64 = 252.0;

/// Prices, session dates and the volatility known at each close, shared by all candidates of
/// one symbol.
#[derive(Debug, Clone)]
pub struct PathSet {
    pub(super) dates: Vec<NaiveDate>,
    /// `dates` as day numbers (days from the common era): replays count calendar days to
    /// expiry on every held session, and this subtraction is the cheap form of it.
    pub(super) day: Vec<i64>,
    pub(super) open: Vec<f64>,
    pub(super) high: Vec<f64>,
    pub(super) low: Vec<f64>,
    pub(super) close: Vec<f64>,
    /// Natural logs of open, high and low (marks reuse them for every candidate).
    pub(super) ln_open: Vec<f64>,
    pub(super) ln_high: Vec<f64>,
    pub(super) ln_low: Vec<f64>,
    /// Annual volatility known at each close (NaN before enough history).
    pub(super) vol: Vec<f64>,
}

impl PathSet {
    /// From a history, with `vol[i]` the close-to-close volatility of the `window` log returns
    /// ending at row `i` (only data up to and including day `i`).
    pub fn new(h: &PriceHistory, window: usize) -> Self {
        let c = h.close();
        let mut vol = vec![f64::NAN; c.len()];
        if window >= 2 && c.len() > window {
            let r: Vec<f64> = c.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
            let (mut s, mut s2) = (0.0, 0.0);
            for (k, x) in r.iter().enumerate() {
                s += x;
                s2 += x * x;
                if k >= window {
                    let old = r[k - window];
                    s -= old;
                    s2 -= old * old;
                }
                if k + 1 >= window {
                    let w = window as f64;
                    let var = ((s2 - s * s / w) / (w - 1.0)).max(0.0);
                    vol[k + 1] = (var * SESSIONS_PER_YEAR).sqrt();
                }
            }
        }
        Self::from_parts(h, vol)
    }

    /// From a history and a caller-supplied volatility per row (e.g. a known model
    /// volatility, or an implied-volatility history).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `vol` has a different
    /// length than the history.
    pub fn with_vol(h: &PriceHistory, vol: Vec<f64>) -> Result<Self> {
        if vol.len() != h.len() {
            return Err(Error::invalid_input(format!(
                "{}: {} volatilities for {} sessions",
                h.symbol(),
                vol.len(),
                h.len()
            )));
        }
        Ok(Self::from_parts(h, vol))
    }

    fn from_parts(h: &PriceHistory, vol: Vec<f64>) -> Self {
        let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect();
        Self {
            ln_open: ln(h.open()),
            ln_high: ln(h.high()),
            ln_low: ln(h.low()),
            dates: h.dates().to_vec(),
            day: h
                .dates()
                .iter()
                .map(|d| i64::from(d.num_days_from_ce()))
                .collect(),
            open: h.open().to_vec(),
            high: h.high().to_vec(),
            low: h.low().to_vec(),
            close: h.close().to_vec(),
            vol,
        }
    }

    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Calendar days spanned by the last `sessions` sessions (first to last session; 0 when
    /// there are fewer than two).
    pub fn calendar_days(&self, sessions: usize) -> i64 {
        let n = self.dates.len();
        if n < 2 || sessions < 2 {
            return 0;
        }
        (self.dates[n - 1] - self.dates[n - sessions.min(n)]).num_days()
    }

    /// The row of the last session on or before `entry`'s date + `dte` calendar days, if the
    /// data reaches that date (otherwise the trade is not complete and is skipped).
    pub(super) fn expiry_row(&self, entry: usize, expiry: NaiveDate) -> Option<usize> {
        let last = *self.dates.last()?;
        if last < expiry {
            return None;
        }
        let after = self.dates[entry..].partition_point(|d| *d <= expiry);
        Some(entry + after - 1)
    }
}
