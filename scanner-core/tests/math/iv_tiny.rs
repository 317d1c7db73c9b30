//! Implied volatility of tiny but valid prices: deep out-of-the-money quotes down to 1e-300
//! of spot solve (issue #18), and `no_time_value` stays for prices at intrinsic.

use scanner_core::model::OptionKind::{self, Call, Put};
use scanner_core::pricing::IvStatus;

use super::via_batch::{bsm, implied_vol};

fn solve(kind: OptionKind, s: f64, k: f64, t: f64, r: f64, q: f64, v: f64) -> (f64, f64) {
    let price = bsm(kind, s, k, t, r, q, v).expect("valid").price;
    let iv = implied_vol(price, kind, s, k, t, r, q).expect("valid");
    assert_eq!(iv.status, IvStatus::Ok, "{kind:?} K={k} price={price:e}");
    (price, iv.vol)
}

/// The issue's cases: S=100, T=0.1, r=0, σ=0.3, K = 150 … 1200 (prices 2.4e-5 … 2e-151).
#[test]
fn issue_cases_solve_to_the_generating_vol() {
    for k in [150.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0] {
        let (price, vol) = solve(Call, 100.0, k, 0.1, 0.0, 0.0, 0.3);
        assert!(
            (vol - 0.3).abs() <= 1e-12 * 0.3,
            "K={k} price={price:e}: {vol}"
        );
    }
}

/// Calls and puts ever further out of the money, with rates and dividends, until the price
/// falls below 1e-300 of spot: every one solves to the generating volatility.
#[test]
fn deep_otm_prices_down_to_1e_minus_300_of_spot() {
    let mut smallest: f64 = 1.0;
    for (kind, v, t, r, q) in [
        (Call, 0.3, 0.1, 0.0, 0.0),
        (Call, 0.5, 0.25, 0.05, 0.02),
        (Put, 0.2, 0.5, 0.03, 0.01),
        (Put, 1.5, 0.02, -0.01, 0.0),
    ] {
        let s = 100.0;
        let mut m: f64 = 1.3;
        loop {
            let k = if kind == Call { s * m } else { s / m };
            let price = bsm(kind, s, k, t, r, q, v).expect("valid").price;
            if price < 1e-300 * s {
                break;
            }
            let (_, vol) = solve(kind, s, k, t, r, q, v);
            assert!(
                (vol - v).abs() <= 1e-12 * v,
                "{kind:?} K={k} price={price:e}: σ {vol} vs {v}"
            );
            smallest = smallest.min(price / s);
            m *= 1.15;
        }
    }
    assert!(
        smallest < 1e-290,
        "smallest price tried {smallest:e} of spot"
    );
}

/// Prices equal to intrinsic (to rounding), or zero out of the money, have no time value.
#[test]
fn intrinsic_prices_keep_no_time_value() {
    let st = |p, kind, k| {
        implied_vol(p, kind, 100.0, k, 0.5, 0.0, 0.0)
            .expect("valid")
            .status
    };
    assert_eq!(st(0.0, Call, 150.0), IvStatus::NoTimeValue);
    assert_eq!(st(0.0, Put, 50.0), IvStatus::NoTimeValue);
    assert_eq!(st(20.0, Call, 80.0), IvStatus::NoTimeValue);
    assert_eq!(st(20.0 + 1e-14, Put, 120.0), IvStatus::NoTimeValue);
    assert_eq!(st(1e-300, Call, 150.0), IvStatus::Ok);
}
