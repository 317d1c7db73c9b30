//! The replay behind the calibration report: per symbol, the volatility forecast known at
//! each close, the standardised windows a real-world law is fitted on, and the grid of
//! contracts whose predictions are scored against what happened.

use chrono::{Duration, NaiveDate};

use crate::backtest::pop_lognormal;
use crate::market::chain_gen::{surface_iv, ChainParams};
use crate::model::{OptionKind, PriceHistory};
use crate::pricing::bsm_price;
use crate::probability::{RealWorldModel, VolForecast, Window};

/// Horizons (calendar days) the real-world laws are fitted for and the grid replays.
pub const HORIZONS: [i64; 6] = [7, 14, 30, 45, 60, 90];
/// Strike over spot of the replayed contracts (calls and puts at each).
pub const MONEYNESS: [f64; 7] = [0.90, 0.95, 0.975, 1.0, 1.025, 1.05, 1.10];
/// Premiums below this per share are not quoted by the scan's liquidity gates.
const MIN_PREMIUM: f64 = 0.05;

/// One symbol's sessions with the volatility forecast known at each close.
pub(crate) struct Prepared {
    pub symbol: String,
    dates: Vec<NaiveDate>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    /// Forecast from closes up to and including the row (None before enough history).
    vol: Vec<Option<f64>>,
}

impl Prepared {
    /// Prepare `h` with `forecast`.
    pub fn new(h: &PriceHistory, forecast: &VolForecast) -> Self {
        let close = h.close().to_vec();
        let vol = (0..close.len())
            .map(|i| forecast.forecast(&close[..=i]))
            .collect();
        Self {
            symbol: h.symbol().to_owned(),
            dates: h.dates().to_vec(),
            high: h.high().to_vec(),
            low: h.low().to_vec(),
            close,
            vol,
        }
    }

    /// Sessions.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Date of row `i`.
    pub fn date(&self, i: usize) -> NaiveDate {
        self.dates[i]
    }

    /// The row settling a contract entered at row `s` with `days` to expiry: the last
    /// session on or before the expiry date, when the data reaches that date.
    fn end_row(&self, s: usize, days: i64) -> Option<usize> {
        let expiry = self.dates[s] + Duration::days(days);
        if *self.dates.last()? < expiry {
            return None;
        }
        let e = s + self.dates[s..].partition_point(|d| *d <= expiry) - 1;
        (e > s).then_some(e)
    }

    /// The standardised window of an entry at row `s` over `days`, with its settling row,
    /// scaled by the forecast at `s`.
    pub fn window(&self, s: usize, days: i64) -> Option<(usize, Window)> {
        let vol = self.vol[s]?;
        let e = self.end_row(s, days)?;
        let scale = vol * (days as f64 / 365.0).sqrt();
        let c0 = self.close[s];
        let up = self.high[s + 1..=e].iter().fold(f64::MIN, |m, h| m.max(*h));
        let down = self.low[s + 1..=e].iter().fold(f64::MAX, |m, l| m.min(*l));
        let z = |x: f64| (x / c0).ln() / scale;
        let w = (z(self.close[e]), z(up), z(down));
        (w.0.is_finite() && w.1.is_finite() && w.2.is_finite()).then_some((e, w))
    }

    /// Every window of horizon `days` whose expiry date is on or before `through`.
    pub fn windows_through(&self, days: i64, through: NaiveDate) -> Vec<Window> {
        (0..self.len())
            .take_while(|&s| self.dates[s] + Duration::days(days) <= through)
            .filter_map(|s| self.window(s, days).map(|(_, w)| w))
            .collect()
    }
}

/// One replayed contract: both models' predictions and what happened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observation {
    /// Index of the symbol in the report's list.
    pub symbol: usize,
    /// Entry date.
    pub date: NaiveDate,
    /// Calendar days to expiry.
    pub dte: i64,
    /// Signed in-the-money fraction at entry.
    pub itm: f64,
    /// Risk-neutral lognormal PoP at the quoted implied volatility.
    pub p_rn: f64,
    /// Real-world PoP.
    pub p_rw: f64,
    /// Real-world expected value per dollar of premium.
    pub ev_rw: f64,
    /// Whether the contract settled beyond breakeven.
    pub profit: bool,
    /// Return on premium held to expiry (−1 = total loss).
    pub ret: f64,
    /// Effective weight (1 / sessions in the holding period).
    pub weight: f64,
}

/// The contracts of the grid entered at row `s` of `p` (symbol index `sym`) with every
/// horizon whose outcome the data holds, scored by `model`.
pub(crate) fn observe(
    p: &Prepared,
    sym: usize,
    s: usize,
    model: &RealWorldModel,
    params: &ChainParams,
    out: &mut Vec<Observation>,
) {
    let Some(vol) = p.vol[s] else { return };
    let spot = p.close[s];
    let rate = params.rate;
    let closes = &p.close[..=s];
    for days in HORIZONS {
        let Some(e) = p.end_row(s, days) else {
            continue;
        };
        let years = days as f64 / 365.0;
        let settle = p.close[e];
        // Scaled once for the fourteen contracts of this entry and horizon.
        let Some(law) = model.at_expiry(days, vol) else {
            continue;
        };
        for m in MONEYNESS {
            let strike = spot * m;
            let iv = surface_iv(closes, params, spot, strike, years, 0.0);
            for kind in [OptionKind::Call, OptionKind::Put] {
                let premium = bsm_price(kind, spot, strike, years, rate, 0.0, iv);
                if premium.is_nan() || premium < MIN_PREMIUM {
                    continue;
                }
                let p_rn = pop_lognormal(kind, spot, strike, premium, years, rate, 0.0, iv);
                let Some(rw) = law.analyze(kind, spot, strike, premium) else {
                    continue;
                };
                let payoff = kind.intrinsic(settle, strike);
                out.push(Observation {
                    symbol: sym,
                    date: p.dates[s],
                    dte: days,
                    itm: kind.sign() * (spot - strike) / spot,
                    p_rn,
                    p_rw: rw.probability_of_profit,
                    ev_rw: rw.expected_value / premium,
                    profit: payoff > premium,
                    ret: payoff / premium - 1.0,
                    weight: 365.0 / (252.0 * days as f64),
                });
            }
        }
    }
}
