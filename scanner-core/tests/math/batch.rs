//! The batch APIs agree with the scalar ones (bit for bit on the scalar path, to rounding on
//! the SIMD paths), bit for bit between 1 and 2 threads, mark invalid rows instead of
//! failing, and reject only mismatched lengths.

use scanner_core::model::OptionKind;
use scanner_core::pricing::{
    bsm, bsm_batch, implied_vol, implied_vol_batch, simd_path, BsmBatch, Greeks, GreeksColumns,
    IvBatch, IvStatus, GREEK_NAMES,
};
use scanner_core::ErrorKind;

use super::rng::{RandomOption, Rng};

struct Columns {
    is_call: Vec<bool>,
    spot: Vec<f64>,
    strike: Vec<f64>,
    years: Vec<f64>,
    rate: Vec<f64>,
    dividend_yield: Vec<f64>,
    vol: Vec<f64>,
}

/// `n` anchor-distribution options, every 97th row made invalid in a different way.
fn columns(n: usize) -> Columns {
    let mut rng = Rng::new(n as u64);
    let mut c = Columns {
        is_call: vec![],
        spot: vec![],
        strike: vec![],
        years: vec![],
        rate: vec![],
        dividend_yield: vec![],
        vol: vec![],
    };
    for i in 0..n {
        let o = RandomOption::draw(&mut rng);
        c.is_call.push(o.is_call);
        c.spot.push(if i % 97 == 5 { -1.0 } else { o.spot });
        c.strike.push(if i % 97 == 6 { f64::NAN } else { o.strike });
        c.years.push(if i % 97 == 7 { 0.0 } else { o.years });
        c.rate.push(o.rate);
        c.dividend_yield.push(o.dividend_yield);
        c.vol.push(if i % 97 == 8 { -0.1 } else { o.vol });
    }
    c
}

fn run(c: &Columns, threads: usize) -> GreeksColumns {
    let input = BsmBatch {
        is_call: &c.is_call,
        spot: &c.spot,
        strike: &c.strike,
        years: &c.years,
        rate: &c.rate,
        dividend_yield: &c.dividend_yield,
        vol: &c.vol,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let mut out = GreeksColumns::default();
    pool.install(|| bsm_batch(&input, &mut out))
        .expect("equal lengths");
    out
}

/// Batch row against the scalar kernel: identical on the scalar path; on the SIMD paths
/// within 1e-12 relative, or 1e-15 of the price scale for greeks that cancel to near 0
/// (lambda, a ratio, within 1e-9 where the price itself is tiny).
#[track_caller]
fn close_greeks(row: &Greeks, g: &Greeks, scale: f64, i: usize) {
    if simd_path() == "scalar" {
        assert_eq!(row, g, "row {i}");
        return;
    }
    let (a, b) = (to_vec(row), to_vec(g));
    for (j, (x, y)) in a.iter().zip(&b).enumerate() {
        let mut tol = 1e-12 * y.abs() + 1e-15 * scale * (1.0 + y.abs().min(1.0));
        if GREEK_NAMES[j] == "lambda" {
            tol = tol.max(1e-9 * y.abs());
        }
        assert!(
            (x - y).abs() <= tol,
            "row {i} {}: batch {x:e} vs scalar {y:e}",
            GREEK_NAMES[j]
        );
    }
}

fn to_vec(g: &Greeks) -> Vec<f64> {
    let cols = GreeksColumns {
        price: vec![g.price],
        delta: vec![g.delta],
        gamma: vec![g.gamma],
        vega: vec![g.vega],
        theta: vec![g.theta],
        rho: vec![g.rho],
        epsilon: vec![g.epsilon],
        vanna: vec![g.vanna],
        charm: vec![g.charm],
        vomma: vec![g.vomma],
        speed: vec![g.speed],
        zomma: vec![g.zomma],
        color: vec![g.color],
        ultima: vec![g.ultima],
        lambda: vec![g.lambda],
        prob_itm: vec![g.prob_itm],
    };
    cols.columns().iter().map(|(_, c)| c[0]).collect()
}

#[test]
fn bsm_batch_equals_scalar_on_one_and_two_threads() {
    let n = 20_000; // several leaves, so the split is exercised
    let c = columns(n);
    let one = run(&c, 1);
    let two = run(&c, 2);
    assert_eq!(one.len(), n);
    for i in 0..n {
        let kind = if c.is_call[i] {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        let row = one.row(i).expect("row exists");
        match bsm(
            kind,
            c.spot[i],
            c.strike[i],
            c.years[i],
            c.rate[i],
            c.dividend_yield[i],
            c.vol[i],
        ) {
            Ok(g) => close_greeks(&row, &g, c.spot[i].max(c.strike[i]), i),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput);
                assert!(
                    one.columns().iter().all(|(_, col)| col[i].is_nan()),
                    "row {i}"
                );
            }
        }
    }
    for ((name, a), (_, b)) in one.columns().iter().zip(two.columns().iter()) {
        assert!(
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{name}"
        );
    }
    let names: Vec<&str> = one.columns().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, GREEK_NAMES);
    assert_eq!(names.first(), Some(&"price"));
    assert_eq!(names.last(), Some(&"prob_itm"));
}

#[test]
fn iv_batch_equals_scalar_on_one_and_two_threads() {
    let n = 12_000;
    let c = columns(n);
    let greeks = run(&c, 1);
    let price: Vec<f64> = greeks
        .price
        .iter()
        .map(|p| if p.is_nan() { 1.0 } else { *p })
        .collect();
    let input = IvBatch {
        price: &price,
        is_call: &c.is_call,
        spot: &c.spot,
        strike: &c.strike,
        years: &c.years,
        rate: &c.rate,
        dividend_yield: &c.dividend_yield,
    };
    let mut results = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let (mut vol, mut status) = (vec![0.0; n], vec![IvStatus::Ok; n]);
        pool.install(|| implied_vol_batch(&input, &mut vol, &mut status))
            .expect("lengths");
        results.push((vol, status));
    }
    let (vol, status) = &results[0];
    assert_eq!(results[0].1, results[1].1);
    for i in 0..n {
        let kind = if c.is_call[i] {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        match implied_vol(
            price[i],
            kind,
            c.spot[i],
            c.strike[i],
            c.years[i],
            c.rate[i],
            c.dividend_yield[i],
        ) {
            Ok(s) => {
                assert_eq!(s.status, status[i], "row {i}");
                // Identical on the scalar path; elsewhere within what the price can tell
                // apart: 1e-12 relative plus 64 ulps of the price scale over vega.
                let tol = if simd_path() == "scalar" || s.status != IvStatus::Ok {
                    0.0
                } else {
                    let (t, r, q) = (c.years[i], c.rate[i], c.dividend_yield[i]);
                    let g = bsm(kind, c.spot[i], c.strike[i], t, r, q, s.vol).expect("valid");
                    let scale = c.spot[i] * (-q * t).exp() + c.strike[i] * (-r * t).exp();
                    1e-12 * s.vol + 64.0 * f64::EPSILON * scale / g.vega
                };
                assert!(
                    (s.vol - vol[i]).abs() <= tol || (s.vol.is_nan() && vol[i].is_nan()),
                    "row {i}: scalar {} vs batch {}",
                    s.vol,
                    vol[i]
                );
                assert_eq!(vol[i].to_bits(), results[1].0[i].to_bits(), "row {i}");
            }
            Err(_) => assert_eq!(status[i], IvStatus::InvalidInput, "row {i}"),
        }
    }
    assert!(status.iter().filter(|s| **s == IvStatus::Ok).count() > n * 9 / 10);
}

#[test]
fn mismatched_lengths_are_the_only_batch_error() {
    let c = columns(10);
    let short = &c.vol[..9];
    let input = BsmBatch {
        is_call: &c.is_call,
        spot: &c.spot,
        strike: &c.strike,
        years: &c.years,
        rate: &c.rate,
        dividend_yield: &c.dividend_yield,
        vol: short,
    };
    let err = bsm_batch(&input, &mut GreeksColumns::with_len(10)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("vol"));
    let iv = IvBatch {
        price: &c.spot,
        is_call: &c.is_call,
        spot: &c.spot,
        strike: &c.strike,
        years: &c.years,
        rate: &c.rate,
        dividend_yield: &c.dividend_yield,
    };
    let (mut vol, mut status) = (vec![0.0; 10], vec![IvStatus::Ok; 9]);
    let err = implied_vol_batch(&iv, &mut vol, &mut status).unwrap_err();
    assert!(err.message().contains("status_out"));
    // Empty batches are fine.
    let empty = BsmBatch {
        is_call: &[],
        spot: &[],
        strike: &[],
        years: &[],
        rate: &[],
        dividend_yield: &[],
        vol: &[],
    };
    let mut out = GreeksColumns::with_len(3);
    bsm_batch(&empty, &mut out).expect("empty is valid");
    assert!(out.is_empty());
}
