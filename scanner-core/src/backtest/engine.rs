//! The replay itself: one pass over entry days per candidate, over a shared [`PathSet`],
//! recording each trade and each entry's predicted probability of profit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::paths::PathSet;
use crate::model::OptionKind;
use crate::pricing::norm_cdf;

/// The contract replayed on each entry day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TradeSpec {
    /// Call or put.
    pub kind: OptionKind,
    /// Strike over spot at entry.
    pub moneyness: f64,
    /// Calendar days from entry to expiry.
    pub dte: i64,
    /// Take profit at this gain over the premium (0.5 = +50%).
    pub take_profit: f64,
    /// Stop at this loss of the premium (0.5 = −50%).
    pub stop_loss: f64,
    /// Risk-free rate.
    pub rate: f64,
    /// Dividend yield.
    pub dividend_yield: f64,
}

/// Why a trade closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The mark reached the take-profit level.
    TakeProfit,
    /// The mark reached the stop-loss level.
    StopLoss,
    /// Held to expiry, settled at intrinsic value of the expiry close.
    Expiry,
}

/// One replayed trade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trade {
    /// Entry row (at its close).
    pub entry_row: usize,
    /// Exit row.
    pub exit_row: usize,
    /// Entry date.
    pub entry_date: NaiveDate,
    /// Exit date.
    pub exit_date: NaiveDate,
    /// Calendar days from entry to exit (`exit_date − entry_date`).
    pub days_held: i64,
    /// Premium paid per share.
    pub premium: f64,
    /// Return on the premium (0.5 = +50%, −1 = total loss).
    pub ret: f64,
    /// Why it closed.
    pub exit: ExitReason,
}

/// A backtest replay: the trades and the calibration observations `(predicted PoP, profit
/// at expiry)` of the same entries.
#[derive(Debug, Clone, Default)]
pub struct BacktestRun {
    /// Completed trades, oldest entry first.
    pub trades: Vec<Trade>,
    /// Predicted probability of profit at entry and whether the held-to-expiry position was
    /// profitable.
    pub calibration: Vec<(f64, bool)>,
    /// Entry days skipped because the theoretical premium was below half a cent.
    pub unpriceable: usize,
}

/// Per whole calendar day to expiry: `(years, √years, e^{−q·years}, e^{−r·years})`, shared by
/// every entry of one spec.
fn day_table(dte: i64, r: f64, q: f64) -> Vec<(f64, f64, f64, f64)> {
    (0..=dte)
        .map(|d| {
            let t = d as f64 / 365.0;
            (t, t.sqrt(), (-q * t).exp(), (-r * t).exp())
        })
        .collect()
}

/// BSM marks of one contract on one day, with everything but the spot computed once.
struct Mark {
    w: f64,
    strike: f64,
    drift: f64,
    sd: f64,
    df_q: f64,
    df_r: f64,
}

/// `1/√(2π)`: the largest time value per unit of `S·e^{−qT}·σ√T` (reached at the forward).
const MAX_TIME_VALUE: f64 = 0.398_942_280_401_432_7;

impl Mark {
    /// The forward intrinsic value: a lower bound of the BSM value.
    fn lower(&self, s: f64) -> f64 {
        (self.w * (s * self.df_q - self.strike * self.df_r)).max(0.0)
    }

    /// Forward intrinsic plus the at-the-forward time value: an upper bound of the BSM value.
    fn upper(&self, s: f64) -> f64 {
        self.lower(s) + s * self.df_q * self.sd * MAX_TIME_VALUE
    }

    /// The same value as [`crate::pricing::bsm_price`] at spot `s = e^{ln_s}`, with
    /// `ln_k` the log of the strike.
    fn value(&self, s: f64, ln_s: f64, ln_k: f64) -> f64 {
        let w = self.w;
        if self.sd <= 0.0 {
            return self.lower(s);
        }
        let d1 = (ln_s - ln_k + self.drift) / self.sd + 0.5 * self.sd;
        let d2 = d1 - self.sd;
        w * (s * self.df_q * norm_cdf(w * d1) - self.strike * self.df_r * norm_cdf(w * d2))
    }
}

/// P(S_T beyond breakeven) for a long option bought at `premium`, lognormal with drift
/// `rate − dividend_yield` — the scan's probability-of-profit model in closed form.
///
/// ```
/// use scanner_core::{backtest::pop_lognormal, model::OptionKind};
/// use scanner_core::probability::{analyze, Drift, PositionInput};
/// let a = analyze(&PositionInput { kind: OptionKind::Put, spot: 50.0, strike: 48.0,
///     premium: 1.2, years: 0.1, rate: 0.04, dividend_yield: 0.01, vol: 0.35,
///     drift: Drift::RiskNeutral })?;
/// let p = pop_lognormal(OptionKind::Put, 50.0, 48.0, 1.2, 0.1, 0.04, 0.01, 0.35);
/// assert!((p - a.probability_of_profit).abs() < 1e-12);
/// # Ok::<(), scanner_core::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn pop_lognormal(
    kind: OptionKind,
    spot: f64,
    strike: f64,
    premium: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> f64 {
    let w = kind.sign();
    let be = strike + w * premium;
    if be <= 0.0 {
        return 0.0;
    }
    let sd = vol * years.sqrt();
    let m = (spot / be).ln() + (rate - dividend_yield - 0.5 * vol * vol) * years;
    if sd <= 0.0 {
        return if w * m > 0.0 { 1.0 } else { 0.0 };
    }
    norm_cdf(w * m / sd)
}

/// Replay `spec` on every entry row among the last `lookback` rows of `paths` that has a
/// known volatility and a complete holding period.
///
/// Entry at the close of day `i`: `K = moneyness·S_i`, premium = BSM at `σ_i`. On each later
/// session up to expiry the option is marked by BSM at `σ_i` with the remaining calendar time:
/// at the adverse extreme (low for calls, high for puts) against the stop, then at the
/// favourable extreme against the take-profit — the stop is checked first, so a session
/// touching both counts as a loss. A level is filled exactly, unless the open was already
/// through it (a gap), which fills at the open's mark. Otherwise the position settles at the
/// intrinsic value of the expiry session's close. Only rows `≤ i` set the entry; rows after
/// the exit are never read.
pub fn run_backtest(paths: &PathSet, spec: &TradeSpec, lookback: usize) -> BacktestRun {
    let mut out = BacktestRun::default();
    let n = paths.len();
    if n < 2 || spec.dte < 1 || spec.moneyness.is_nan() || spec.moneyness <= 0.0 {
        return out;
    }
    let w = spec.kind.sign();
    let (r, q) = (spec.rate, spec.dividend_yield);
    let years0 = spec.dte as f64 / 365.0;
    let table = day_table(spec.dte, r, q);
    let ln_m = spec.moneyness.ln();
    // At most one trade and one observation per entry row: sized once, not grown.
    let entries = lookback.min(n);
    out.trades.reserve_exact(entries);
    out.calibration.reserve_exact(entries);
    for i in n.saturating_sub(lookback)..n {
        let vol = paths.vol[i];
        if !(vol.is_finite() && vol > 0.0) {
            continue;
        }
        let expiry = paths.dates[i] + chrono::Duration::days(spec.dte);
        let Some(e) = paths.expiry_row(i, expiry) else {
            break; // later entries expire even later
        };
        if e <= i {
            continue;
        }
        let s0 = paths.close[i];
        let k = spec.moneyness * s0;
        // BSM is homogeneous in (S, K): price the unit contract (S = 1, K = moneyness).
        let (_, sqrt0, df_q0, df_r0) = table[table.len() - 1];
        let unit = Mark {
            w,
            strike: spec.moneyness,
            drift: (r - q) * years0,
            sd: vol * sqrt0,
            df_q: df_q0,
            df_r: df_r0,
        };
        let premium = s0 * unit.value(1.0, 0.0, ln_m);
        if premium.is_nan() || premium < 0.005 {
            out.unpriceable += 1;
            continue;
        }
        let pop = pop_lognormal(spec.kind, s0, k, premium, years0, r, q, vol);
        let settle = (w * (paths.close[e] - k)).max(0.0);
        out.calibration.push((pop, settle > premium));
        let (tp, sl) = (
            premium * (1.0 + spec.take_profit),
            premium * (1.0 - spec.stop_loss),
        );
        let mut result = (e, settle / premium - 1.0, ExitReason::Expiry);
        // The strike's log, taken when a mark first needs it (the cheap bounds decide
        // every session of some trades).
        let ln_k = std::cell::OnceCell::new();
        let value =
            |mark: &Mark, (s, ln_s): (f64, f64)| mark.value(s, ln_s, *ln_k.get_or_init(|| k.ln()));
        let expiry_day = paths.day[i] + spec.dte;
        for j in i + 1..=e {
            let days = (expiry_day - paths.day[j]).clamp(0, spec.dte) as usize;
            let (t, sqrt_t, df_q, df_r) = table[days];
            let mark = Mark {
                w,
                strike: k,
                drift: (r - q) * t,
                sd: vol * sqrt_t,
                df_q,
                df_r,
            };
            let (adverse, favourable) = if w > 0.0 {
                (
                    (paths.low[j], paths.ln_low[j]),
                    (paths.high[j], paths.ln_high[j]),
                )
            } else {
                (
                    (paths.high[j], paths.ln_high[j]),
                    (paths.low[j], paths.ln_low[j]),
                )
            };
            let open = (paths.open[j], paths.ln_open[j]);
            // The open lies between the low and the high and the value is monotone in the
            // spot, so the open is only marked when an extreme triggers: a gap through the
            // level fills at the open's mark.
            // Exact marks only when the cheap bounds cannot decide.
            if mark.lower(adverse.0) <= sl && value(&mark, adverse) <= sl {
                let at_open = value(&mark, open);
                result = (j, at_open.min(sl) / premium - 1.0, ExitReason::StopLoss);
                break;
            }
            if mark.upper(favourable.0) >= tp && value(&mark, favourable) >= tp {
                let at_open = value(&mark, open);
                result = (j, at_open.max(tp) / premium - 1.0, ExitReason::TakeProfit);
                break;
            }
        }
        let (x, ret, exit) = result;
        out.trades.push(Trade {
            entry_row: i,
            exit_row: x,
            entry_date: paths.dates[i],
            exit_date: paths.dates[x],
            days_held: paths.day[x] - paths.day[i],
            premium,
            ret,
            exit,
        });
    }
    out
}
