//! The two ways of writing batch greeks into memory the caller chooses —
//! [`bsm_batch_into`] (caller-provided columns) and [`GreeksColumns::compute`] (fresh
//! columns written once) — give exactly the columns of [`bsm_batch`], and check lengths.

use scanner_core::pricing::{bsm_batch, bsm_batch_into, BsmBatch, GreeksColumns, GREEK_NAMES};
use scanner_core::ErrorKind;

use super::rng::{RandomOption, Rng};

/// `n` random options as columns, every 13th row invalid (negative vol).
fn book(n: usize) -> [Vec<f64>; 6] {
    let mut rng = Rng::new(7 + n as u64);
    let mut cols: [Vec<f64>; 6] = Default::default();
    for i in 0..n {
        let o = RandomOption::draw(&mut rng);
        let vol = if i % 13 == 3 { -0.2 } else { o.vol };
        for (c, x) in
            cols.iter_mut()
                .zip([o.spot, o.strike, o.years, o.rate, o.dividend_yield, vol])
        {
            c.push(x);
        }
    }
    cols
}

fn input<'a>(is_call: &'a [bool], c: &'a [Vec<f64>; 6]) -> BsmBatch<'a> {
    BsmBatch {
        is_call,
        spot: &c[0],
        strike: &c[1],
        years: &c[2],
        rate: &c[3],
        dividend_yield: &c[4],
        vol: &c[5],
    }
}

#[test]
fn into_and_compute_equal_bsm_batch_bit_for_bit() {
    // Above the parallel threshold and not a multiple of any vector width.
    for n in [0usize, 1, 3, 9, 10_007] {
        let c = book(n);
        let is_call: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        let inp = input(&is_call, &c);
        let mut want = GreeksColumns::default();
        bsm_batch(&inp, &mut want).expect("equal lengths");
        let got = GreeksColumns::compute(&inp).expect("equal lengths");
        // Stale contents in the caller's columns must not matter.
        let mut cols = [(); 16].map(|_| vec![123.0; n]);
        bsm_batch_into(&inp, cols.each_mut().map(|c| c.as_mut_slice())).expect("lengths");
        for (k, (name, w)) in want.columns().into_iter().enumerate() {
            let g = got.columns()[k].1;
            assert_eq!(g.len(), n, "{name}");
            assert_eq!(cols[k].len(), n, "{name}");
            for i in 0..n {
                assert_eq!(g[i].to_bits(), w[i].to_bits(), "compute {name} row {i}");
                assert_eq!(cols[k][i].to_bits(), w[i].to_bits(), "into {name} row {i}");
            }
        }
        if n > 3 {
            assert!(want.price[3].is_nan(), "invalid row stays NaN");
            assert!(want.price[1].is_finite());
        }
    }
}

#[test]
fn into_rejects_an_output_column_of_the_wrong_length() {
    let c = book(8);
    let is_call = vec![true; 8];
    let inp = input(&is_call, &c);
    let mut cols = [(); 16].map(|_| vec![0.0; 8]);
    cols[5].pop();
    let err = bsm_batch_into(&inp, cols.each_mut().map(|c| c.as_mut_slice())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains(GREEK_NAMES[5]), "{}", err.message());
    let short = vec![true; 7];
    let err = GreeksColumns::compute(&input(&short, &c)).unwrap_err();
    assert!(err.message().contains("is_call"), "{}", err.message());
}
