//! Option chains generated on any underlying history, so the scan can run offline (and on
//! real CSV histories that come without option quotes) against chains that follow real
//! listing conventions and a plausible volatility surface. Everything is seeded.
//!
//! ```
//! use chrono::{Duration, NaiveDate, TimeZone, Utc};
//! use scanner_core::market::chain_gen::{generate_chain, ChainParams};
//! use scanner_core::model::PriceHistory;
//!
//! // 80 weekday sessions of a stock drifting from 50 to about 58.
//! let mut dates = Vec::new();
//! let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! while dates.len() < 80 {
//!     if chrono::Datelike::weekday(&d).num_days_from_monday() < 5 { dates.push(d); }
//!     d += Duration::days(1);
//! }
//! let close: Vec<f64> = (0..80).map(|i| 50.0 * (1.0 + 0.002 * i as f64)
//!     * if i % 2 == 0 { 1.01 } else { 0.99 }).collect();
//! let hist = PriceHistory::new("SYNX", dates, close.clone(),
//!     close.iter().map(|c| c * 1.01).collect(), close.iter().map(|c| c * 0.99).collect(),
//!     close.clone(), vec![2e6; 80]).unwrap();
//! let as_of = Utc.with_ymd_and_hms(2024, 4, 22, 20, 0, 0).unwrap();
//! let chain = generate_chain(&hist, as_of, 0.01, &ChainParams::default(), 7).unwrap();
//! assert_eq!(chain.underlying, "SYNX");
//! assert!(chain.quotes.iter().all(|q| q.ask >= q.bid));
//! ```

mod listing;
mod params;
mod surface;

pub use params::ChainParams;

pub(crate) use surface::realized_vol;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::calendar::{days_to_expiration, expiry_instant, ny_date, years_to_expiry};
use crate::market::rng::{hash_str, Rng};
use crate::model::{OptionChain, OptionKind, OptionQuote, PriceHistory};
use crate::pricing::bsm_price;
use crate::{Error, Result};

/// Sessions of history the generator reads (a year of realized volatility).
const LOOKBACK: usize = 260;

/// Sessions dated on or before `as_of` that [`generate_chain`] needs with `params`.
pub fn sessions_needed(params: &ChainParams) -> usize {
    params.min_sessions.max(3)
}

/// The per-symbol error a source reports when a symbol has `have` sessions before
/// `as_of`, too few for a generated chain: [`crate::ErrorKind::DataSource`] with detail.
pub(crate) fn short_history(
    symbol: &str,
    have: usize,
    params: &ChainParams,
    as_of: DateTime<Utc>,
) -> Result<()> {
    let need = sessions_needed(params);
    if have >= need {
        return Ok(());
    }
    Err(Error::new(
        crate::ErrorKind::DataSource,
        format!(
            "{symbol}: {have} sessions on or before {}, a generated chain needs {need}",
            ny_date(as_of)
        ),
    ))
}

/// Generate the option chain of `history`'s symbol as it stands at `as_of`.
///
/// Only sessions dated on or before `as_of`'s New York date are used (rows after it are
/// ignored, so a full history can be passed without look-ahead). The spot is the last
/// close; quotes are stamped with that session's 16:00 New York close, or `as_of` if
/// earlier. The same `(history, as_of, seed)` gives the same chain.
///
/// Errors: [`crate::ErrorKind::InvalidInput`] for fewer than `params.min_sessions`
/// sessions or an invalid dividend yield or parameter.
pub fn generate_chain(
    history: &PriceHistory,
    as_of: DateTime<Utc>,
    dividend_yield: f64,
    params: &ChainParams,
    seed: u64,
) -> Result<OptionChain> {
    check_params(params)?;
    let cut = history.truncated(ny_date(as_of), LOOKBACK);
    let symbol = history.symbol();
    if cut.len() < sessions_needed(params) {
        return Err(Error::invalid_input(format!(
            "{symbol}: {} sessions on or before {} (need {})",
            cut.len(),
            ny_date(as_of),
            sessions_needed(params)
        )));
    }
    let (Some(spot), Some(last_date)) = (cut.last_close(), cut.last_date()) else {
        return Err(Error::internal("non-empty history without a last bar"));
    };
    let closes = cut.close();
    let surface = surface_for(closes, params);
    let tail = cut.len().saturating_sub(20);
    let dollar_volume = closes[tail..]
        .iter()
        .zip(&cut.volume()[tail..])
        .map(|(c, v)| c * v)
        .sum::<f64>()
        / (cut.len() - tail) as f64;
    let liquid = dollar_volume >= params.weekly_min_dollar_volume;
    let quote_time = expiry_instant(last_date).min(as_of);
    let ctx = Ctx {
        symbol,
        spot,
        q: dividend_yield,
        params,
        surface,
        liquid,
        dollar_volume,
        quote_time,
        as_of,
    };
    let mut rng = Rng::stream(
        seed,
        hash_str(symbol) ^ u64::from(ny_date(as_of).num_days_from_ce() as u32),
    );
    let exps = listing::expirations(as_of, liquid, params.monthly_count, params.weekly_count);
    let grid = if dollar_volume >= params.dense_min_dollar_volume {
        listing::Grid::Dense
    } else if liquid {
        listing::Grid::Fine
    } else {
        listing::Grid::Classic
    };
    let increment = listing::strike_increment(spot, grid);
    let mut quotes = Vec::new();
    for exp in exps {
        ctx.expiry_quotes(exp, increment, &mut rng, &mut quotes);
    }
    OptionChain::new(symbol, spot, quote_time, dividend_yield, quotes)
}

/// The volatility surface a generated chain quotes from `closes` (the sessions up to the
/// as-of date, at most a year of them).
fn surface_for(closes: &[f64], params: &ChainParams) -> surface::Surface {
    let rv20 = realized_vol(closes, 20).unwrap_or(0.3);
    let rv60 = realized_vol(closes, 60).unwrap_or(rv20);
    let rv_long = realized_vol(closes, 250).unwrap_or(rv60);
    surface::Surface {
        short: (params.iv_premium * rv20).max(0.05),
        long: (params.iv_premium * 0.5 * (rv60 + rv_long)).max(0.05),
        tau: params.term_tau,
        skew: params.skew,
        curvature: params.curvature,
        min_iv: 0.03,
        max_iv: 4.0,
    }
}

/// The implied volatility a generated chain would quote at `strike`, `years` out, on the
/// history `closes` ending at the as-of session (`spot` is its last close): what a scan of a
/// CSV history sees, for replays that do not build whole chains.
pub(crate) fn surface_iv(
    closes: &[f64],
    params: &ChainParams,
    spot: f64,
    strike: f64,
    years: f64,
    dividend_yield: f64,
) -> f64 {
    let tail = &closes[closes.len().saturating_sub(LOOKBACK)..];
    let forward = spot * libm::exp((params.rate - dividend_yield) * years);
    surface_for(tail, params).iv(strike, forward, years)
}

fn check_params(p: &ChainParams) -> Result<()> {
    let positive = [
        p.iv_premium,
        p.term_tau,
        p.strike_sd,
        p.base_spread,
        p.oi_multiple,
    ];
    let non_negative = [
        p.skew.abs(),
        p.curvature,
        p.min_strike_width,
        p.moneyness_spread,
        p.short_dte_spread,
        p.volume_per_million,
        p.weekly_min_dollar_volume,
        p.dense_min_dollar_volume,
    ];
    if !(p.rate.is_finite()
        && positive.iter().all(|x| x.is_finite() && *x > 0.0)
        && non_negative.iter().all(|x| x.is_finite() && *x >= 0.0)
        && p.min_strike_width < 1.0
        && p.monthly_count <= 60
        && p.weekly_count <= 104
        && p.max_strikes_per_side <= 1000
        && p.min_sessions <= LOOKBACK)
    {
        return Err(Error::invalid_input(format!(
            "invalid chain parameters: {p:?}"
        )));
    }
    Ok(())
}

/// Everything fixed for one chain.
struct Ctx<'a> {
    symbol: &'a str,
    spot: f64,
    q: f64,
    params: &'a ChainParams,
    surface: surface::Surface,
    liquid: bool,
    dollar_volume: f64,
    quote_time: DateTime<Utc>,
    as_of: DateTime<Utc>,
}

impl Ctx<'_> {
    fn expiry_quotes(&self, exp: NaiveDate, inc: f64, rng: &mut Rng, out: &mut Vec<OptionQuote>) {
        let p = self.params;
        let years = years_to_expiry(self.as_of, exp).max(1.0 / (365.0 * 24.0));
        let dte = days_to_expiration(self.as_of, exp).max(0) as f64;
        let atm = self.surface.atm(years);
        let sd_move = atm * libm::sqrt(years);
        let width = (p.strike_sd * sd_move).max(p.min_strike_width).min(0.9);
        let forward = self.spot * libm::exp((p.rate - self.q) * years);
        let (df_r, df_q) = (libm::exp(-p.rate * years), libm::exp(-self.q * years));
        // Liquidity of the name: thinner names quote wider (capped at 4× and 0.5×).
        let liq_mult = libm::pow(1e9 / self.dollar_volume.max(1.0), 0.25).clamp(0.5, 4.0);
        let base_volume = p.volume_per_million * self.dollar_volume / 1e6 / (1.0 + dte / 30.0);
        for strike in listing::strikes(self.spot, inc, width, p.max_strikes_per_side) {
            let iv = self.surface.iv(strike, forward, years);
            let mny = (libm::log(strike / self.spot) / sd_move).abs();
            // One BSM evaluation per strike; the put follows from put–call parity.
            let call = bsm_price(
                OptionKind::Call,
                self.spot,
                strike,
                years,
                p.rate,
                self.q,
                iv,
            );
            let put = (call - self.spot * df_q + strike * df_r).max(0.0);
            for (kind, mid) in [(OptionKind::Call, call), (OptionKind::Put, put)] {
                let rel = p.base_spread
                    * (1.0 + p.moneyness_spread * mny)
                    * (1.0 + p.short_dte_spread / (dte + 1.0))
                    * liq_mult;
                let tick = if mid < 3.0 { 0.01 } else { 0.05 };
                let tick = if self.liquid { tick } else { tick * 5.0 };
                let half = (0.5 * mid * rel).max(tick);
                let bid = (((mid - half) / tick).floor() * tick).max(0.0);
                let ask = ((mid + half) / tick).ceil() * tick;
                let (bid, ask) = (cents(bid), cents(ask.max(tick)));
                let expected = base_volume * libm::exp(-0.5 * mny * mny);
                let volume = (expected * libm::exp(0.6 * rng.normal() - 0.18)).floor();
                let oi = (expected
                    * p.oi_multiple
                    * libm::sqrt(1.0 + dte / 30.0)
                    * libm::exp(0.5 * rng.normal() - 0.125))
                .floor();
                let jitter = 1.0 + 0.04 * (rng.uniform() - 0.5);
                let last = (volume >= 1.0).then(|| cents((mid * jitter).clamp(bid, ask)));
                out.push(OptionQuote {
                    contract_symbol: occ_symbol(self.symbol, exp, kind, strike),
                    underlying: self.symbol.to_owned(),
                    kind,
                    strike,
                    expiration: exp,
                    bid,
                    ask,
                    last,
                    volume: volume.clamp(0.0, 1e12) as u64,
                    open_interest: oi.clamp(0.0, 1e12) as u64,
                    vendor_iv: Some(iv),
                    quote_time: Some(self.quote_time),
                    last_trade_time: None,
                });
            }
        }
    }
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// OCC-style contract symbol: root, `YYMMDD`, `C`/`P`, strike × 1000 on 8 digits.
///
/// ```
/// use chrono::NaiveDate;
/// use scanner_core::{market::chain_gen::occ_symbol, model::OptionKind};
/// let d = NaiveDate::from_ymd_opt(2017, 11, 17).unwrap();
/// assert_eq!(occ_symbol("SPY", d, OptionKind::Call, 258.5), "SPY171117C00258500");
/// ```
pub fn occ_symbol(root: &str, expiration: NaiveDate, kind: OptionKind, strike: f64) -> String {
    // YYMMDD, C/P, strike × 1000 in 8 digits.
    let mut tail = [b'0'; 15];
    let mut digits = |at: usize, width: usize, mut v: u64| {
        for k in (at..at + width).rev() {
            tail[k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(0, 2, expiration.year().rem_euclid(100) as u64);
    digits(2, 2, u64::from(expiration.month()));
    digits(4, 2, u64::from(expiration.day()));
    digits(
        7,
        8,
        (strike * 1000.0).round().clamp(0.0, 99_999_999.0) as u64,
    );
    tail[6] = if kind == OptionKind::Call { b'C' } else { b'P' };
    let mut s = String::with_capacity(root.len() + tail.len());
    s.push_str(root);
    // `tail` is ASCII digits and C/P, so this never takes the empty fallback.
    s.push_str(std::str::from_utf8(&tail).unwrap_or_default());
    s
}
