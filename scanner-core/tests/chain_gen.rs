//! The chain generator against independent oracles: put–call parity and BSM repricing of
//! the quoted IV, listing conventions, spread and volume shapes, seeding, no look-ahead.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use scanner_core::calendar::years_to_expiry;
use scanner_core::market::chain_gen::{generate_chain, ChainParams};
use scanner_core::model::{OptionChain, OptionKind, PriceHistory};
use scanner_core::pricing::bsm_price;
use scanner_core::ErrorKind;

/// `n` weekday sessions ending 2024-07-16 whose log returns alternate ±`r`, so the
/// realized volatility is known in closed form; `volume` shares a day.
fn history(n: usize, spot_end: f64, r: f64, volume: f64) -> PriceHistory {
    let mut dates = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2024, 7, 16).unwrap();
    while dates.len() < n {
        if d.weekday().num_days_from_monday() < 5 {
            dates.push(d);
        }
        d -= Duration::days(1);
    }
    dates.reverse();
    let close: Vec<f64> = (0..n)
        .map(|i| {
            spot_end
                * if (n - 1 - i).is_multiple_of(2) {
                    1.0
                } else {
                    (-r).exp()
                }
        })
        .collect();
    PriceHistory::new(
        "SYNT",
        dates,
        close.clone(),
        close.iter().map(|c| c * 1.001).collect(),
        close.iter().map(|c| c * 0.999).collect(),
        close,
        vec![volume; n],
    )
    .unwrap()
}

fn as_of() -> DateTime<Utc> {
    // Tuesday 2024-07-16, 17:00 New York: after that session's close.
    Utc.with_ymd_and_hms(2024, 7, 16, 21, 0, 0).unwrap()
}

fn chain(h: &PriceHistory, seed: u64) -> OptionChain {
    generate_chain(h, as_of(), 0.01, &ChainParams::default(), seed).unwrap()
}

#[test]
fn quoted_iv_reprices_inside_the_market_and_parity_holds() {
    let h = history(120, 100.0, 0.02, 3e6);
    let c = chain(&h, 1);
    let p = ChainParams::default();
    assert!(c.quotes.len() > 100);
    for q in &c.quotes {
        let t = years_to_expiry(as_of(), q.expiration).max(1.0 / (365.0 * 24.0));
        let v = bsm_price(
            q.kind,
            c.spot,
            q.strike,
            t,
            p.rate,
            0.01,
            q.vendor_iv.unwrap(),
        );
        assert!(
            q.bid <= v + 1e-9 && v <= q.ask + 1e-9,
            "{}: {v} not in {}–{}",
            q.contract_symbol,
            q.bid,
            q.ask
        );
    }
    // Put–call parity at every strike: C − P = S e^{−qT} − K e^{−rT} lies inside the
    // tradeable band [C_bid − P_ask, C_ask − P_bid].
    for call in c.quotes.iter().filter(|q| q.kind == OptionKind::Call) {
        let put = c
            .quotes
            .iter()
            .find(|q| {
                q.kind == OptionKind::Put
                    && q.strike == call.strike
                    && q.expiration == call.expiration
            })
            .unwrap();
        let t = years_to_expiry(as_of(), call.expiration).max(1.0 / (365.0 * 24.0));
        let parity = c.spot * (-0.01 * t).exp() - call.strike * (-p.rate * t).exp();
        assert!(
            call.bid - put.ask <= parity + 1e-9 && parity <= call.ask - put.bid + 1e-9,
            "{}",
            call.contract_symbol
        );
    }
}

#[test]
fn iv_level_follows_realized_vol_with_put_skew() {
    // Alternating ±2% log returns: sample sd = 0.02 · sqrt(m / (m − 1)) for m returns.
    let h = history(260, 100.0, 0.02, 3e6);
    let c = chain(&h, 1);
    let m = 259.0f64.min(20.0);
    let rv20 = 0.02 * (m / (m - 1.0)).sqrt() * 252f64.sqrt();
    let front = c.expirations()[0];
    let atm = c
        .quotes
        .iter()
        .filter(|q| q.expiration == front && q.kind == OptionKind::Call)
        .min_by(|a, b| {
            (a.strike - c.spot)
                .abs()
                .total_cmp(&(b.strike - c.spot).abs())
        })
        .unwrap();
    // The front expiry is days away: its ATM IV is the short end, 1.10 × rv20, up to the
    // tiny skew of a strike within a grid step of spot.
    let iv = atm.vendor_iv.unwrap();
    assert!(
        (iv / (1.10 * rv20) - 1.0).abs() < 0.03,
        "atm iv {iv}, rv20 {rv20}"
    );
    let last = *c.expirations().last().unwrap();
    let iv_at = |k: OptionKind, strike: f64| {
        c.quotes
            .iter()
            .filter(|q| q.expiration == last && q.kind == k)
            .min_by(|a, b| {
                (a.strike - strike)
                    .abs()
                    .total_cmp(&(b.strike - strike).abs())
            })
            .unwrap()
            .vendor_iv
            .unwrap()
    };
    assert!(iv_at(OptionKind::Put, 80.0) > iv_at(OptionKind::Call, 120.0));
    assert!(iv_at(OptionKind::Put, 80.0) > iv_at(OptionKind::Call, 100.0));
}

#[test]
fn listing_conventions_depend_on_liquidity() {
    let liquid = chain(&history(80, 90.0, 0.01, 3e6), 1); // $270M a day
    let thin = chain(&history(80, 90.0, 0.01, 2e4), 1); // $1.8M a day
    assert!(liquid.expirations().len() > thin.expirations().len());
    assert_eq!(thin.expirations().len(), 6); // monthlies only
    for c in [&liquid, &thin] {
        assert!(c.expirations().iter().all(|d| d.weekday() == Weekday::Fri));
    }
    for d in thin.expirations() {
        assert!((15..=21).contains(&d.day()), "{d} is not a third Friday");
    }
    // Fine grid ($1 around $90) for the liquid name, $5 for the thin one.
    let on_grid = |c: &OptionChain, inc: f64| {
        c.quotes
            .iter()
            .all(|q| ((q.strike / inc).round() * inc - q.strike).abs() < 1e-9)
    };
    assert!(on_grid(&liquid, 1.0) && !on_grid(&liquid, 5.0));
    assert!(on_grid(&thin, 5.0));
}

#[test]
fn spreads_widen_away_from_the_money_and_near_expiry() {
    let c = chain(&history(120, 100.0, 0.015, 3e6), 1);
    let rel = |q: &scanner_core::model::OptionQuote| (q.ask - q.bid) / (0.5 * (q.ask + q.bid));
    let exp = c.expirations()[2];
    let mut calls: Vec<_> = c
        .quotes
        .iter()
        .filter(|q| q.expiration == exp && q.kind == OptionKind::Call && q.strike >= c.spot)
        .collect();
    calls.sort_by(|a, b| a.strike.total_cmp(&b.strike));
    let near: f64 = calls[..3].iter().map(|q| rel(q)).sum();
    let far: f64 = calls[calls.len() - 3..].iter().map(|q| rel(q)).sum();
    assert!(far > 1.5 * near, "near {near}, far {far}");
    let atm = |e: NaiveDate| {
        c.quotes
            .iter()
            .filter(|q| q.expiration == e && q.kind == OptionKind::Call)
            .min_by(|a, b| {
                (a.strike - c.spot)
                    .abs()
                    .total_cmp(&(b.strike - c.spot).abs())
            })
            .unwrap()
    };
    let exps = c.expirations();
    assert!(rel(atm(exps[0])) > rel(atm(*exps.last().unwrap())));
}

#[test]
fn volume_falls_off_from_the_money_and_scales_with_dollar_volume() {
    let small = chain(&history(120, 100.0, 0.015, 3e6), 9);
    let big = chain(&history(120, 100.0, 0.015, 3e8), 9);
    let monthly = small
        .expirations()
        .into_iter()
        .find(|d| (15..=21).contains(&d.day()))
        .unwrap();
    let total = |c: &OptionChain, near: bool| -> u64 {
        c.quotes
            .iter()
            .filter(|q| q.expiration == monthly && ((q.strike / c.spot).ln().abs() < 0.03) == near)
            .map(|q| q.volume)
            .sum()
    };
    // Per strike, the money trades more than the wings.
    let per_strike = |c: &OptionChain, near: bool| {
        let n = c
            .quotes
            .iter()
            .filter(|q| q.expiration == monthly && ((q.strike / c.spot).ln().abs() < 0.03) == near)
            .count();
        total(c, near) as f64 / n as f64
    };
    assert!(per_strike(&big, true) > 3.0 * per_strike(&big, false));
    // 100× the dollar volume gives about 100× the contracts per near-the-money strike
    // (the big name also lists denser strikes, hence per strike).
    let ratio = per_strike(&big, true) / per_strike(&small, true);
    assert!(
        (40.0..250.0).contains(&ratio),
        "ratio {ratio} for 100× dollar volume"
    );
}

#[test]
fn seeded_and_blind_to_rows_after_as_of() {
    let h = history(120, 50.0, 0.01, 1e6);
    assert_eq!(chain(&h, 3), chain(&h, 3));
    assert_ne!(chain(&h, 3), chain(&h, 4));
    // The same history plus rows after as_of gives the same chain.
    let mut dates = h.dates().to_vec();
    let mut close = h.close().to_vec();
    for k in 1..=10 {
        dates.push(NaiveDate::from_ymd_opt(2024, 7, 17).unwrap() + Duration::days(k));
        close.push(500.0);
    }
    let n = dates.len();
    let longer = PriceHistory::new(
        "SYNT",
        dates,
        close.clone(),
        close.clone(),
        close.clone(),
        close,
        vec![1e6; n],
    )
    .unwrap();
    assert_eq!(chain(&longer, 3), chain(&h, 3));
}

#[test]
fn short_history_and_bad_params_are_typed_errors() {
    let h = history(10, 50.0, 0.01, 1e6);
    let e = generate_chain(&h, as_of(), 0.0, &ChainParams::default(), 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let h = history(60, 50.0, 0.01, 1e6);
    let huge = ChainParams {
        monthly_count: usize::MAX,
        ..ChainParams::default()
    };
    let e = generate_chain(&h, as_of(), 0.0, &huge, 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let bad = ChainParams {
        iv_premium: f64::NAN,
        ..ChainParams::default()
    };
    assert_eq!(
        generate_chain(&h, as_of(), 0.0, &bad, 1)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        generate_chain(&h, as_of(), 2.0, &ChainParams::default(), 1)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}
