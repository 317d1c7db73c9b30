//! Every dispatch path this CPU supports against the scalar kernel, in one process, so a
//! plain `cargo test` covers them all (the math suite covers each path again through
//! `OPTSCAN_SIMD`).

use super::{greeks_rows, Kernel};
use crate::model::OptionKind;
use crate::pricing::batch::BsmBatch;
use crate::pricing::{bsm, GREEK_NAMES};

/// Deterministic pseudo-random inputs over a wide domain, with invalid and limit rows.
fn book(n: usize) -> [Vec<f64>; 6] {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let mut u = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut c: [Vec<f64>; 6] = Default::default();
    for i in 0..n {
        let s = 10f64.powf(u() * 3.0);
        let row = [
            s,
            s * (0.2 + 3.0 * u()),
            if i % 53 == 3 {
                0.0
            } else {
                1e-3 + 4.0 * u() * u()
            },
            -0.02 + 0.2 * u(),
            0.08 * u(),
            if i % 61 == 4 { -0.1 } else { 0.01 + 2.0 * u() },
        ];
        for (col, v) in c.iter_mut().zip(row) {
            col.push(v);
        }
    }
    c
}

#[test]
fn every_supported_path_matches_the_scalar_kernel() {
    let n = 4003; // not a multiple of any lane count: the tail is exercised
    let c = book(n);
    let call: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
    let input = BsmBatch {
        is_call: &call,
        spot: &c[0],
        strike: &c[1],
        years: &c[2],
        rate: &c[3],
        dividend_yield: &c[4],
        vol: &c[5],
    };
    let mut ran = 0;
    for kernel in Kernel::ALL.into_iter().filter(|k| k.supported()) {
        ran += 1;
        let mut cols = vec![vec![0.0; n]; 16];
        let mut out: [&mut [f64]; 16] = {
            let mut it = cols.iter_mut();
            std::array::from_fn(|_| it.next().map(|c| c.as_mut_slice()).unwrap_or_default())
        };
        greeks_rows(kernel, &input, 0, &mut out);
        for i in 0..n {
            let kind = if call[i] {
                OptionKind::Call
            } else {
                OptionKind::Put
            };
            let want = bsm(kind, c[0][i], c[1][i], c[2][i], c[3][i], c[4][i], c[5][i]);
            let got: Vec<f64> = cols.iter().map(|col| col[i]).collect();
            let Ok(g) = want else {
                assert!(got.iter().all(|x| x.is_nan()), "{kernel:?} row {i}");
                continue;
            };
            let want = crate::pricing::batch::to_array(&g);
            // Scale of each greek: the largest of the terms it is made of is not available
            // here, so compare against the value itself plus a floor relative to the price
            // scale; the high-precision check lives in tests/math.
            let scale = c[0][i].max(c[1][i]);
            for (j, (a, b)) in got.iter().zip(want).enumerate() {
                let tol = 1e-12 * b.abs() + 1e-15 * scale * (1.0 + b.abs().min(1.0));
                let tol = if j == 14 {
                    tol.max(1e-9 * b.abs())
                } else {
                    tol
                };
                assert!(
                    (a - b).abs() <= tol || (a.is_nan() && b.is_nan()),
                    "{kernel:?} row {i} {}: {a:e} vs scalar {b:e}",
                    GREEK_NAMES[j]
                );
            }
        }
    }
    assert!(ran >= 1);
}
