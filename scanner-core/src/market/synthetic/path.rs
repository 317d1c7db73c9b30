//! Synthetic daily bars: a regime-switching lognormal walk with jumps, built so any
//! window of sessions can be generated without the sessions before it.
//!
//! Why not one long walk from an epoch? Scanning 5,000 symbols "now" would replay 25
//! years of steps per symbol. Instead the session line (weekdays since [`EPOCH`]) is cut
//! into blocks of [`BLOCK`] sessions. The log price at each block boundary is an anchor
//! drawn from its own `(seed, symbol, block)` stream (stationary around the symbol's
//! level), and inside a block the path is a Brownian bridge between the two anchors whose
//! daily increments carry the regime volatility and the jumps. Each bar depends only on
//! its block's streams, so a history up to `as_of1` is exactly the prefix of the history
//! up to `as_of2 > as_of1`, and the cost is proportional to the sessions requested.

use chrono::{Duration, NaiveDate};

use super::profile::Profile;
use crate::market::rng::Rng;
use crate::model::PriceHistory;
use crate::Result;

/// Session 0: Monday 2000-01-03. Sessions are New York weekdays (holidays not modelled).
pub(crate) const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 3) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// Sessions per bridge block (about a year).
pub(crate) const BLOCK: i64 = 256;
const DT: f64 = 1.0 / 252.0;
const ANCHOR_STREAM: u64 = 0x414e_4348; // "ANCH"
const BLOCK_STREAM: u64 = 0x424c_4f43; // "BLOC"

/// Index of the last session on or before `date` (`None` before the epoch).
pub(crate) fn session_on_or_before(date: NaiveDate) -> Option<i64> {
    let days = (date - EPOCH).num_days();
    if days < 0 {
        return None;
    }
    Some(days / 7 * 5 + (days % 7).min(4))
}

/// Date of session `s` (s ≥ 0).
pub(crate) fn session_date(s: i64) -> NaiveDate {
    EPOCH + Duration::days(s / 5 * 7 + s % 5)
}

fn stream_key(index: usize, block: i64) -> u64 {
    ((index as u64) << 32) ^ (block as u64)
}

/// Log deviation from the symbol's level at the start of `block`.
fn anchor(p: &Profile, seed: u64, index: usize, block: i64) -> f64 {
    let mut r = Rng::stream(seed ^ ANCHOR_STREAM, stream_key(index, block));
    // Stationary spread of a mean-reverting log price with speed 0.35 per year, kept so
    // the anchors stay within $3–$900 (bridges between them wander ±½σ at most, 1 sd).
    let (lo, hi) = (libm::log(3.0 / p.level), libm::log(900.0 / p.level));
    (1.2 * p.vol * r.normal()).clamp(lo.min(0.0), hi.max(0.0))
}

/// One session's bar (unrounded close and its noise).
struct RawBar {
    x: f64,
    sigma_d: f64,
    stressed: bool,
    u: [f64; 4],
}

/// The `BLOCK + 1` points of block `b` (the last one is the next block's first).
fn block(p: &Profile, seed: u64, index: usize, b: i64) -> Vec<RawBar> {
    let (a0, a1) = (anchor(p, seed, index, b), anchor(p, seed, index, b + 1));
    let mut r = Rng::stream(seed ^ BLOCK_STREAM, stream_key(index, b));
    let n = BLOCK as usize;
    let mut w = Vec::with_capacity(n + 1);
    let mut meta = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    let mut stressed = false;
    for k in 0..=n {
        // Regimes switch monthly-ish: a fresh draw every 21 sessions.
        if k % 21 == 0 {
            stressed = r.chance(if stressed { 0.45 } else { 0.12 });
        }
        let vol = if stressed { 2.2 * p.vol } else { p.vol };
        let sigma_d = vol * DT.sqrt();
        let z = r.normal();
        let jump_p = if stressed { 7.5 * DT } else { 2.5 * DT };
        let jump = if r.chance(jump_p) {
            -0.01 + 0.06 * r.normal()
        } else {
            0.0
        };
        let u = [r.uniform(), r.uniform(), r.uniform(), r.uniform()];
        w.push(acc);
        meta.push((sigma_d, stressed, u));
        acc += sigma_d * z + jump;
    }
    let w_l = w[n];
    (0..=n)
        .map(|k| {
            let t = k as f64 / n as f64;
            let (sigma_d, stressed, u) = meta[k];
            RawBar {
                x: a0 + (a1 - a0) * t + w[k] - t * w_l,
                sigma_d,
                stressed,
                u,
            }
        })
        .collect()
}

fn cents(x: f64) -> f64 {
    ((x * 100.0).round() / 100.0).max(0.01)
}

/// Bars for sessions `first..=last` of the synthetic symbol `index`.
pub(crate) fn bars(
    p: &Profile,
    seed: u64,
    index: usize,
    first: i64,
    last: i64,
) -> Result<PriceHistory> {
    let cap = usize::try_from(last - first + 1).unwrap_or(0);
    let (mut dates, mut o, mut h, mut l, mut c, mut v) = (
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
    );
    let mut s = first.max(0);
    while s <= last {
        let b = s.div_euclid(BLOCK);
        let pts = block(p, seed, index, b);
        let end = last.min((b + 1) * BLOCK - 1);
        for session in s..=end {
            let k = (session - b * BLOCK) as usize;
            let bar = &pts[k];
            let prev_x = if k > 0 { pts[k - 1].x } else { bar.x };
            let close = p.level * libm::exp(bar.x);
            let open = close * libm::exp(bar.sigma_d * 0.6 * (2.0 * bar.u[0] - 1.0));
            let (co, cc) = (cents(open), cents(close));
            let high = cents(co.max(cc) * libm::exp(bar.sigma_d * 0.5 * bar.u[1])).max(co.max(cc));
            let low = cents(co.min(cc) * libm::exp(-bar.sigma_d * 0.5 * bar.u[2])).min(co.min(cc));
            let surprise = ((bar.x - prev_x).abs() / bar.sigma_d).min(6.0);
            let activity = (0.6 + 0.8 * bar.u[3])
                * (1.0 + 0.25 * surprise)
                * if bar.stressed { 1.6 } else { 1.0 };
            let shares = (p.dollar_volume / close * activity).round();
            dates.push(session_date(session));
            o.push(co);
            h.push(high);
            l.push(low);
            c.push(cc);
            v.push(shares);
        }
        s = end + 1;
    }
    PriceHistory::new(p.ticker.clone(), dates, o, h, l, c, v)
}

/// Whether a date is a synthetic session (a weekday on or after the epoch).
#[cfg(test)]
pub(crate) fn is_session(d: NaiveDate) -> bool {
    use chrono::Datelike;
    d >= EPOCH && d.weekday().num_days_from_monday() < 5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::synthetic::profile::profile;
    use chrono::Datelike;

    #[test]
    fn session_calendar_is_weekdays_from_the_epoch() {
        assert_eq!(session_date(0), EPOCH);
        assert_eq!(session_date(4).weekday(), chrono::Weekday::Fri);
        assert_eq!(session_date(5), EPOCH + Duration::days(7));
        for s in 0..2000 {
            let d = session_date(s);
            assert!(is_session(d));
            assert_eq!(session_on_or_before(d), Some(s));
        }
        // Saturday and Sunday map to the Friday before.
        let sat = session_date(4) + Duration::days(1);
        assert_eq!(session_on_or_before(sat), Some(4));
        assert_eq!(session_on_or_before(sat + Duration::days(1)), Some(4));
        assert_eq!(session_on_or_before(EPOCH - Duration::days(1)), None);
    }

    #[test]
    fn blocks_join_without_gaps_and_windows_agree() {
        let p = profile(3, 11);
        let whole = bars(&p, 3, 11, 0, 3 * BLOCK).unwrap();
        let part = bars(&p, 3, 11, BLOCK - 5, BLOCK + 5).unwrap();
        assert_eq!(
            &whole.close()[(BLOCK - 5) as usize..=(BLOCK + 5) as usize],
            part.close()
        );
        // No jump at the block seam beyond what a daily move can be (8 daily sd).
        let c = whole.close();
        let seam = (c[BLOCK as usize] / c[BLOCK as usize - 1]).ln().abs();
        assert!(
            seam < 8.0 * 2.2 * p.vol / 252f64.sqrt() + 0.3,
            "seam {seam}"
        );
    }

    #[test]
    fn realized_vol_tracks_the_profile() {
        // Over 10 blocks the daily log-return sd must lie between the calm vol (less the
        // bridge's shrinkage) and the stressed vol plus jumps.
        for i in 0..20 {
            let p = profile(9, i);
            let h = bars(&p, 9, i, 0, 10 * BLOCK).unwrap();
            let rv =
                crate::market::chain_gen::realized_vol(h.close(), 10 * BLOCK as usize).unwrap();
            assert!(
                rv > 0.8 * p.vol && rv < 2.6 * p.vol + 0.3,
                "{i}: rv {rv} vol {}",
                p.vol
            );
        }
    }
}
