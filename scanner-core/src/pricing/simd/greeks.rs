//! The batch price-and-greeks kernel, written once over [`Lanes`] and instantiated per
//! dispatch path; the formulas are those of the scalar `greeks_unchecked`, with the
//! transcendental functions from `vmath.rs`.
//!
//! Rows the vector formulas do not cover (invalid inputs, and the zero-variance limit
//! `σ√T ≤ 1e-150` or `T ≤ 1e-150`) are recomputed one by one with the scalar kernel, so
//! every path agrees on them exactly.

use super::lanes::Lanes;
use super::vmath::{cdf_from_gauss, exp, ln, norm_cdf_gauss, FRAC_1_SQRT_2PI};
use crate::pricing::batch::{to_array, BsmBatch};
use crate::pricing::greeks::{greeks_unchecked, inputs_valid};

/// Price and the 16 greeks of `N` options, each handed to `put` with its index in API
/// order; returns the lanes needing the scalar kernel.
#[inline(always)]
fn eval<V: Lanes>(call: V::Mask, [s, k, t, r, q, v]: [V; 6], mut put: impl FnMut(usize, V)) -> u32 {
    let zero = V::splat(0.0);
    let one = V::splat(1.0);
    let tiny = V::splat(1e-150);
    let w = V::select(call, one, one.neg());
    let df_r = exp(r.mul(t).neg());
    let df_q = exp(q.mul(t).neg());
    let sqrt_t = t.sqrt();
    let sd = v.mul(sqrt_t);
    let mut ok = V::and(zero.lt(s), zero.lt(k));
    for m in [
        tiny.lt(t),
        tiny.lt(sd),
        s.finite(),
        k.finite(),
        t.finite(),
        v.finite(),
        r.finite(),
        q.finite(),
    ] {
        ok = V::and(ok, m);
    }
    let carry = r.sub(q);
    // One division for the three reciprocals of σ√T, σ and √T.
    let inv_sd = one.div(sd);
    let inv_vol = inv_sd.mul(sqrt_t);
    let inv_sqrt_t = inv_sd.mul(v);
    let inv_spot = one.div(s);
    let half = V::splat(0.5);
    let d1 = ln(s.div(k)).add(carry.mul(t)).mul_add(inv_sd, half.mul(sd));
    let d2 = d1.sub(sd);
    let spot_q = s.mul(df_q);
    let strike_r = k.mul(df_r);
    let (nd1, g1) = norm_cdf_gauss(w.mul(d1));
    // φ(d2) = φ(d1)·S·e^{−qT}/(K·e^{−rT}) exactly, which saves the second exponential;
    // where e^{−d1²/2} is too small to carry that ratio (|d1| above about 36.5), the
    // scalar kernel.
    let g2 = g1.mul(spot_q.div(strike_r));
    ok = V::and(ok, V::splat(1e-290).lt(g1));
    let nd2 = cdf_from_gauss(w.mul(d2), g2);
    let pdf = g1.mul(V::splat(FRAC_1_SQRT_2PI));
    let (lo, hi) = (V::splat(-1e50), V::splat(1e50));
    let p1 = hi.min(lo.max(d1));
    let p2 = hi.min(lo.max(d2));

    // Each output is written as soon as it is known, so fewer vectors stay live at once.
    let price = zero.max(w.mul(spot_q.mul(nd1).sub(strike_r.mul(nd2))));
    put(0, price);
    put(15, nd2);
    let delta = w.mul(df_q).mul(nd1);
    put(1, delta);
    put(14, V::select(zero.lt(price), delta.mul(s).div(price), zero));
    let gamma = df_q.mul(pdf).mul(inv_spot).mul(inv_sd);
    put(2, gamma);
    let vega = spot_q.mul(pdf).mul(sqrt_t);
    put(3, vega);
    let w_spot_q_nd1 = w.mul(spot_q).mul(nd1);
    let w_strike_r_nd2 = w.mul(strike_r).mul(nd2);
    let theta = spot_q
        .mul(pdf)
        .mul(v)
        .mul(inv_sqrt_t)
        .mul(V::splat(-0.5))
        .add(q.mul(w_spot_q_nd1))
        .sub(r.mul(w_strike_r_nd2));
    put(4, theta);
    put(5, w_strike_r_nd2.mul(t));
    put(6, w_spot_q_nd1.mul(t).neg());
    let df_q_pdf = df_q.mul(pdf);
    put(7, df_q_pdf.mul(p2).mul(inv_vol).neg());
    let inv_t = inv_sqrt_t.mul(inv_sqrt_t);
    let dd1_dt = carry
        .mul(t)
        .sub(half.mul(p2).mul(sd))
        .mul(inv_t)
        .mul(inv_sd);
    put(8, w.mul(q).mul(df_q).mul(nd1).sub(df_q_pdf.mul(dd1_dt)));
    let d1d2 = p1.mul(p2);
    put(9, vega.mul(d1d2).mul(inv_vol));
    put(10, gamma.mul(inv_spot).mul(one.add(p1.mul(inv_sd))).neg());
    put(11, gamma.mul(d1d2.sub(one)).mul(inv_vol));
    put(12, gamma.mul(q.add(half.mul(inv_t)).add(p1.mul(dd1_dt))));
    let ultima = vega
        .mul(inv_vol)
        .mul(inv_vol)
        .mul(d1d2.mul(one.sub(d1d2)).add(p1.mul(p1)).add(p2.mul(p2)))
        .neg();
    put(13, ultima);
    V::bits(V::not(ok))
}

/// `V::N` rows of `input` from row `row`, written into `out` from index `at`.
#[inline(always)]
fn block<V: Lanes>(input: &BsmBatch<'_>, row: usize, out: &mut [&mut [f64]; 16], at: usize) {
    let col = |c: &[f64]| V::load(c.get(row..).unwrap_or(&[]));
    let call = input.is_call.get(row..).unwrap_or(&[]);
    let special = eval::<V>(
        V::mask_from(|i| call.get(i).copied().unwrap_or(false)),
        [
            col(input.spot),
            col(input.strike),
            col(input.years),
            col(input.rate),
            col(input.dividend_yield),
            col(input.vol),
        ],
        |j, x| {
            if let Some(c) = out.get_mut(j) {
                x.store(c.get_mut(at..).unwrap_or(&mut []));
            }
        },
    );
    if special != 0 {
        for i in (0..V::N).filter(|i| special >> i & 1 == 1) {
            let values = scalar_row(input, row + i);
            for (c, x) in out.iter_mut().zip(values) {
                if let Some(slot) = c.get_mut(at + i) {
                    *slot = x;
                }
            }
        }
    }
}

/// One row with the scalar kernel (NaN when invalid or missing).
fn scalar_row(input: &BsmBatch<'_>, i: usize) -> [f64; 16] {
    let get = |c: &[f64]| c.get(i).copied().unwrap_or(f64::NAN);
    let (s, k, t) = (get(input.spot), get(input.strike), get(input.years));
    let (r, q, v) = (get(input.rate), get(input.dividend_yield), get(input.vol));
    let call = input.is_call.get(i).copied().unwrap_or(false);
    if inputs_valid(s, k, t, r, q, v) {
        to_array(&greeks_unchecked(call, s, k, t, r, q, v))
    } else {
        [f64::NAN; 16]
    }
}

/// Rows `start .. start + out[0].len()` of `input` into `out` with the scalar (libm)
/// kernel: the portable path, identical bit for bit to [`bsm`](crate::pricing::bsm).
pub(super) fn scalar_rows(input: &BsmBatch<'_>, start: usize, out: &mut [&mut [f64]; 16]) {
    for j in 0..out[0].len() {
        let values = scalar_row(input, start + j);
        for (c, x) in out.iter_mut().zip(values) {
            if let Some(slot) = c.get_mut(j) {
                *slot = x;
            }
        }
    }
}

/// Rows `start .. start + out[0].len()` of `input` into `out`, `V::N` at a time; the last
/// partial block runs on a padded copy.
#[inline(always)]
pub(super) fn rows<V: Lanes>(input: &BsmBatch<'_>, start: usize, out: &mut [&mut [f64]; 16]) {
    let len = out[0].len();
    let mut j = 0;
    while j + V::N <= len {
        block::<V>(input, start + j, out, j);
        j += V::N;
    }
    if j == len {
        return;
    }
    // Pad the tail to a full vector by repeating its first row.
    const MAX: usize = 8;
    let n = len - j;
    let pad = |c: &[f64]| -> [f64; MAX] {
        std::array::from_fn(|i| c.get(start + j + i.min(n - 1)).copied().unwrap_or(f64::NAN))
    };
    let call: [bool; MAX] = std::array::from_fn(|i| {
        input
            .is_call
            .get(start + j + i.min(n - 1))
            .copied()
            .unwrap_or(false)
    });
    let (s, k, t) = (pad(input.spot), pad(input.strike), pad(input.years));
    let (r, q, v) = (pad(input.rate), pad(input.dividend_yield), pad(input.vol));
    let padded = BsmBatch {
        is_call: &call,
        spot: &s,
        strike: &k,
        years: &t,
        rate: &r,
        dividend_yield: &q,
        vol: &v,
    };
    let mut tmp = [[f64::NAN; MAX]; 16];
    let mut tmp_cols = tmp.each_mut().map(|c| c.as_mut_slice());
    block::<V>(&padded, 0, &mut tmp_cols, 0);
    for (c, t) in out.iter_mut().zip(tmp.iter()) {
        for (slot, x) in c.iter_mut().skip(j).zip(t.iter()) {
            *slot = *x;
        }
    }
}
