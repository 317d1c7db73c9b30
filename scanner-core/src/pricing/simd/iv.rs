//! The batch implied-volatility kernel over [`Lanes`]: Halley iterations on the logarithm of
//! the normalised Black price, all lanes at once, with the scalar "Let's Be Rational" solver
//! (`iv_unchecked`) for every lane the vector path does not settle.
//!
//! Each option becomes the out-of-the-money call with the same time value on the forward:
//! `a = |ln(F/K)|`, `β = (P·e^{rT} − intrinsic)/√(FK)`, solved for `s = σ√T` in
//! `b(s) = β`, `b(s) = e^{−a/2}·g(z₁)·(Q(z₁) − Q(z₂))` for `z₁ = a/s − s/2 ≥ 0`
//! (`e^{−a/2}·(1 − g(z₁)(Q(|z₁|) + Q(z₂)))` below 0), `z₂ = a/s + s/2`, `g(z) = e^{−z²/2}`
//! and `Q(z) = N(−z)e^{z²/2}` (`vmath.rs`). In that form `ln b` has no underflow and no
//! cancellation of exponentials, so prices down to 1e-300 of spot solve like any other.
//! A lane counts as solved when its last step moved `s` by less than 1e-5 relative for a
//! Halley step, 1e-9 for a Newton one (Halley converges cubically, Newton quadratically, so
//! the error left is then about 1e-16 relative or less, plus the rounding of `b`); lanes that are
//! invalid, at intrinsic, above the maximum, at expiry, with `β` below 1e-290, or not
//! settled after [`MAX_ITER`] steps go to the scalar solver, which also gives the status.

use super::lanes::Lanes;
use super::vmath::{exp, ln, q_tail};
use crate::pricing::iv::{iv_unchecked, IvStatus};
use crate::pricing::iv_batch::IvBatch;

/// Halley steps before a lane is handed to the scalar solver.
const MAX_ITER: usize = 10;
const SQRT_2PI: f64 = 2.506_628_274_631_000_2;

/// `(vol, lanes for the scalar solver)` for `V::N` rows.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn eval<V: Lanes>(call: V::Mask, p: V, s: V, k: V, t: V, r: V, q: V) -> (V, u32) {
    let zero = V::splat(0.0);
    let one = V::splat(1.0);
    let half = V::splat(0.5);
    let fwd = s.mul(exp(r.sub(q).mul(t)));
    let undiscounted = p.mul(exp(r.mul(t)));
    let theta = V::select(call, one, one.neg());
    let intrinsic = zero.max(theta.mul(fwd.sub(k)));
    let maximum = V::select(call, fwd, k);
    let rounding = V::splat(8.0 * f64::EPSILON).mul(fwd.max(k));
    let tv = undiscounted.sub(intrinsic);
    let root_fk = fwd.mul(k).sqrt();
    let beta = tv.div(root_fk);
    let a = ln(fwd.div(k)).abs();
    let mut ok = zero.lt(s);
    for m in [
        zero.lt(k),
        zero.lt(t),
        zero.le(p),
        p.finite(),
        s.finite(),
        k.finite(),
        t.finite(),
        r.finite(),
        q.finite(),
        fwd.finite(),
        // Time value clearly above the rounding of F − K (the scalar solver decides the
        // borderline), price clearly below the maximum, β a normal number.
        rounding.lt(tv),
        undiscounted.lt(maximum.sub(rounding)),
        V::splat(1e-290).lt(beta),
    ] {
        ok = V::and(ok, m);
    }
    let ln_beta = ln(V::select(ok, beta, one));
    let a = V::select(ok, a, one);

    // Start: below the inflection point s_c = √(2a), from z₁ ≈ √(−2 ln β − a); above it,
    // from the tangent at s_c (which stays left of the root where b is concave).
    let s_c = a.add(a).sqrt();
    // At s_c, z₁ = 0 and z₂ = s_c: b_c = e^{−a/2}·(Q(0) − Q(s_c)) with Q(0) = ½.
    let e_half_a = exp(half.mul(a).neg());
    let b_c = e_half_a.mul(half.sub(q_tail(s_c)));
    let lower = beta.lt(b_c);
    // ln β = −a/2 − z₁²/2 + ln D: start from D = 1, then put back ln D at that start.
    let two_a = a.add(a);
    let from_z1 = |z1: V| two_a.div(z1.mul_add(z1, two_a).sqrt().add(z1));
    let z1_sq = ln_beta.mul(V::splat(-2.0)).sub(a);
    let s_low = from_z1(zero.max(z1_sq).sqrt());
    let mut s_low = s_low.min(s_c);
    {
        // D = Q(z₁) − Q(z₂) at that start (z₁ ≥ 0 there: s ≤ s_c).
        let h = a.div(s_low.max(V::splat(1e-300)));
        let d = q_tail(h.sub(half.mul(s_low)).abs()).sub(q_tail(h.add(half.mul(s_low))));
        let refined = from_z1(zero.max(ln(d).mul_add(V::splat(2.0), z1_sq)).sqrt()).min(s_c);
        s_low = V::select(zero.lt(d), refined, s_low);
    }
    let s_up = beta.sub(b_c).mul(V::splat(SQRT_2PI)).div(e_half_a).add(s_c);
    let mut x = V::select(lower, s_low, s_up);
    let mut done = V::not(ok);
    // D at the last point evaluated: at the root for settled lanes, up to their last step.
    let mut d = zero;
    for _ in 0..MAX_ITER {
        let inv_x = one.div(x);
        let h = a.mul(inv_x);
        let (ln_b, d1, d_x) = normalised(h, a, x);
        d = d_x;
        let f = ln_b.sub(ln_beta);
        // f'' = f'·(c − f') with c = a²/s³ − s/4, so Halley's step −f/(f' − f·f''/(2f'))
        // is −f/(f' − ½·f·(c − f')): one division.
        let curv = h.mul(h).mul_add(inv_x, V::splat(-0.25).mul(x));
        let halley = d1.sub(half.mul(f).mul(curv.sub(d1)));
        // Halley where its correction is moderate (denominator above half of f'), Newton
        // otherwise.
        let use_halley = half.mul(d1).lt(halley);
        let den = V::select(use_halley, halley, d1);
        let step = f.div(den).neg();
        let next = x.add(step).max(x.mul(V::splat(0.125)));
        // Settled when the error left after this step is at the level of rounding (about
        // 1e-16 relative): a Halley step leaves about ¼·(step/s)³ (the lower branch, where
        // ln b ≈ −a²/2s²; 0.1–0.4 measured), a Newton step about 1.5·(step/s)².
        let settle = V::select(use_halley, V::splat(1e-5), V::splat(1e-9));
        let small = step.abs().lt(settle.mul(x));
        x = V::select(done, x, next);
        done = V::or(done, small);
        if V::bits(V::not(done)) == 0 {
            break;
        }
    }
    // Where rounding of b could cost more than ~3e-13 of σ (module doc), ask the scalar
    // solver instead: s below 2e-3, or the upper branch with b·e^{a/2} below 1e-3.
    let vol = x.div(t.sqrt());
    let mut good = V::and(ok, done);
    for m in [V::splat(2e-3).lt(x), V::splat(1e-3).lt(d), vol.finite()] {
        good = V::and(good, m);
    }
    (vol, V::bits(V::not(good)))
}

/// `(ln b(s), ∂ ln b/∂s, D)` of the normalised out-of-the-money call (module doc), where
/// `D = Q(z₁) − Q(z₂)` for `z₁ ≥ 0`, else `b·e^{a/2}`; `h = a/s`.
#[inline(always)]
fn normalised<V: Lanes>(h: V, a: V, s: V) -> (V, V, V) {
    let half = V::splat(0.5);
    let z1 = h.sub(half.mul(s));
    let z2 = h.add(half.mul(s));
    let q1 = q_tail(z1.abs());
    let q2 = q_tail(z2);
    let e1 = z1.mul(z1).mul(half).neg();
    let g1 = exp(e1);
    let pos = V::splat(0.0).le(z1);
    let one = V::splat(1.0);
    let d = V::select(pos, q1.sub(q2), one.sub(g1.mul(q1.add(q2))));
    let ln_d = ln(d);
    let ln_b = V::select(pos, e1.add(ln_d), ln_d).sub(half.mul(a));
    let slope = V::select(pos, one, g1).div(V::splat(SQRT_2PI).mul(d));
    (ln_b, slope, d)
}

/// `V::N` rows of `input` from row `row` into `vol`/`status` from index `at`.
#[inline(always)]
fn block<V: Lanes>(
    input: &IvBatch<'_>,
    row: usize,
    vol: &mut [f64],
    status: &mut [IvStatus],
    at: usize,
) {
    let col = |c: &[f64]| V::load(c.get(row..).unwrap_or(&[]));
    let call = input.is_call.get(row..).unwrap_or(&[]);
    let (v, scalar) = eval::<V>(
        V::mask_from(|i| call.get(i).copied().unwrap_or(false)),
        col(input.price),
        col(input.spot),
        col(input.strike),
        col(input.years),
        col(input.rate),
        col(input.dividend_yield),
    );
    v.store(vol.get_mut(at..).unwrap_or(&mut []));
    for (i, st) in status.iter_mut().skip(at).take(V::N).enumerate() {
        if scalar >> i & 1 == 1 {
            let sol = scalar_row(input, row + i);
            if let Some(slot) = vol.get_mut(at + i) {
                *slot = sol.0;
            }
            *st = sol.1;
        } else {
            *st = IvStatus::Ok;
        }
    }
}

/// One row with the scalar solver (invalid input when the row is missing).
fn scalar_row(input: &IvBatch<'_>, i: usize) -> (f64, IvStatus) {
    let get = |c: &[f64]| c.get(i).copied().unwrap_or(f64::NAN);
    let sol = iv_unchecked(
        get(input.price),
        input.is_call.get(i).copied().unwrap_or(false),
        get(input.spot),
        get(input.strike),
        get(input.years),
        get(input.rate),
        get(input.dividend_yield),
    );
    (sol.vol, sol.status)
}

/// Rows `start .. start + vol.len()` with the scalar solver only (the portable path).
pub(super) fn scalar_rows(
    input: &IvBatch<'_>,
    start: usize,
    vol: &mut [f64],
    status: &mut [IvStatus],
) {
    for (j, (v, st)) in vol.iter_mut().zip(status.iter_mut()).enumerate() {
        (*v, *st) = scalar_row(input, start + j);
    }
}

/// Rows `start .. start + vol.len()`, `V::N` at a time; the last partial block runs on a
/// padded copy.
#[inline(always)]
pub(super) fn rows<V: Lanes>(
    input: &IvBatch<'_>,
    start: usize,
    vol: &mut [f64],
    status: &mut [IvStatus],
) {
    let len = vol.len().min(status.len());
    let mut j = 0;
    while j + V::N <= len {
        block::<V>(input, start + j, vol, status, j);
        j += V::N;
    }
    if j == len {
        return;
    }
    const MAX: usize = 8;
    let n = len - j;
    let pick = move |i: usize| start + j + i.min(n - 1);
    let pad = |c: &[f64]| -> [f64; MAX] {
        std::array::from_fn(|i| c.get(pick(i)).copied().unwrap_or(f64::NAN))
    };
    let call: [bool; MAX] =
        std::array::from_fn(|i| input.is_call.get(pick(i)).copied().unwrap_or(false));
    let (p, s, k) = (pad(input.price), pad(input.spot), pad(input.strike));
    let (t, r, q) = (pad(input.years), pad(input.rate), pad(input.dividend_yield));
    let padded = IvBatch {
        price: &p,
        is_call: &call,
        spot: &s,
        strike: &k,
        years: &t,
        rate: &r,
        dividend_yield: &q,
    };
    let mut v = [f64::NAN; MAX];
    let mut st = [IvStatus::Ok; MAX];
    block::<V>(&padded, 0, &mut v, &mut st, 0);
    for ((dv, ds), (sv, ss)) in vol
        .iter_mut()
        .zip(status.iter_mut())
        .skip(j)
        .zip(v.iter().zip(st.iter()))
    {
        (*dv, *ds) = (*sv, *ss);
    }
}
