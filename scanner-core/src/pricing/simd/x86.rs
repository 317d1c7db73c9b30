//! [`Lanes`] for x86-64: AVX2+FMA (4 lanes) and AVX-512 (8 lanes).
//!
//! The methods call `std::arch` intrinsics and are `#[inline(always)]`; they are only ever
//! executed inside the `#[target_feature]` entry points of `dispatch.rs`, which run after
//! `is_x86_feature_detected!` confirmed the instruction set. That is the safety argument
//! for every `unsafe` block below.

use std::arch::x86_64::*;

use super::lanes::Lanes;

/// Four f64 lanes in an AVX2 register.
#[derive(Clone, Copy)]
pub(crate) struct V4(__m256d);

/// Eight f64 lanes in an AVX-512 register.
#[derive(Clone, Copy)]
pub(crate) struct V8(__m512d);

const MANTISSA: i64 = 0x000f_ffff_ffff_ffff;
const ONE_BITS: i64 = 0x3ff0_0000_0000_0000;
/// 2^52 as bits: OR-ing a small integer into its mantissa gives 2^52 + integer.
const TWO52_BITS: i64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;

impl V4 {
    /// `2^e` for integral `e` in [−1022, 1023].
    #[inline(always)]
    fn pow2(e: __m256d) -> __m256d {
        unsafe {
            let t = _mm256_add_pd(e, _mm256_set1_pd(TWO52 + 1023.0));
            _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(t)))
        }
    }
}

impl Lanes for V4 {
    const N: usize = 4;
    type Mask = __m256d;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        unsafe { V4(_mm256_set1_pd(x)) }
    }
    #[inline(always)]
    fn load(s: &[f64]) -> Self {
        match s.get(..4) {
            Some(s) => unsafe { V4(_mm256_loadu_pd(s.as_ptr())) },
            None => Self::splat(f64::NAN),
        }
    }
    #[inline(always)]
    fn store(self, s: &mut [f64]) {
        if let Some(s) = s.get_mut(..4) {
            unsafe { _mm256_storeu_pd(s.as_mut_ptr(), self.0) }
        }
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        unsafe { V4(_mm256_add_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        unsafe { V4(_mm256_sub_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        unsafe { V4(_mm256_mul_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        unsafe { V4(_mm256_div_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        unsafe { V4(_mm256_fmadd_pd(self.0, b.0, c.0)) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        unsafe { V4(_mm256_sqrt_pd(self.0)) }
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        unsafe { V4(_mm256_min_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        unsafe { V4(_mm256_max_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        unsafe { V4(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)) }
    }
    #[inline(always)]
    fn round(self) -> Self {
        unsafe {
            V4(_mm256_round_pd::<
                { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
            >(self.0))
        }
    }
    #[inline(always)]
    fn lt(self, o: Self) -> __m256d {
        unsafe { _mm256_cmp_pd::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    fn le(self, o: Self) -> __m256d {
        unsafe { _mm256_cmp_pd::<_CMP_LE_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    fn finite(self) -> __m256d {
        self.abs().lt(Self::splat(f64::INFINITY))
    }
    #[inline(always)]
    fn select(m: __m256d, a: Self, b: Self) -> Self {
        unsafe { V4(_mm256_blendv_pd(b.0, a.0, m)) }
    }
    #[inline(always)]
    fn and(a: __m256d, b: __m256d) -> __m256d {
        unsafe { _mm256_and_pd(a, b) }
    }
    #[inline(always)]
    fn not(a: __m256d) -> __m256d {
        unsafe { _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))) }
    }
    #[inline(always)]
    fn bits(m: __m256d) -> u32 {
        unsafe { _mm256_movemask_pd(m) as u32 }
    }
    #[inline(always)]
    fn mask_from(f: impl Fn(usize) -> bool) -> __m256d {
        let b = |i| -i64::from(f(i));
        unsafe { _mm256_castsi256_pd(_mm256_set_epi64x(b(3), b(2), b(1), b(0))) }
    }
    #[inline(always)]
    fn scale(self, k: Self) -> Self {
        unsafe {
            let k1 = _mm256_floor_pd(_mm256_mul_pd(k.0, _mm256_set1_pd(0.5)));
            let k2 = _mm256_sub_pd(k.0, k1);
            V4(_mm256_mul_pd(
                _mm256_mul_pd(self.0, Self::pow2(k1)),
                Self::pow2(k2),
            ))
        }
    }
    #[inline(always)]
    fn split_exp(self) -> (Self, Self) {
        unsafe {
            let bits = _mm256_castpd_si256(self.0);
            let field = _mm256_srli_epi64::<52>(bits);
            let e = _mm256_castsi256_pd(_mm256_or_si256(field, _mm256_set1_epi64x(TWO52_BITS)));
            let e = _mm256_sub_pd(e, _mm256_set1_pd(TWO52 + 1023.0));
            let m = _mm256_or_si256(
                _mm256_and_si256(bits, _mm256_set1_epi64x(MANTISSA)),
                _mm256_set1_epi64x(ONE_BITS),
            );
            (V4(e), V4(_mm256_castsi256_pd(m)))
        }
    }
    #[inline(always)]
    fn high_half(self) -> Self {
        unsafe {
            let m = _mm256_set1_epi64x(0xffff_ffff_f800_0000_u64 as i64);
            V4(_mm256_and_pd(self.0, _mm256_castsi256_pd(m)))
        }
    }
}

impl Lanes for V8 {
    const N: usize = 8;
    type Mask = __mmask8;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        unsafe { V8(_mm512_set1_pd(x)) }
    }
    #[inline(always)]
    fn load(s: &[f64]) -> Self {
        match s.get(..8) {
            Some(s) => unsafe { V8(_mm512_loadu_pd(s.as_ptr())) },
            None => Self::splat(f64::NAN),
        }
    }
    #[inline(always)]
    fn store(self, s: &mut [f64]) {
        if let Some(s) = s.get_mut(..8) {
            unsafe { _mm512_storeu_pd(s.as_mut_ptr(), self.0) }
        }
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        unsafe { V8(_mm512_add_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        unsafe { V8(_mm512_sub_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        unsafe { V8(_mm512_mul_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        unsafe { V8(_mm512_div_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        unsafe { V8(_mm512_fmadd_pd(self.0, b.0, c.0)) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        unsafe { V8(_mm512_sqrt_pd(self.0)) }
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        unsafe { V8(_mm512_min_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        unsafe { V8(_mm512_max_pd(self.0, o.0)) }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        unsafe { V8(_mm512_abs_pd(self.0)) }
    }
    #[inline(always)]
    fn round(self) -> Self {
        unsafe {
            V8(_mm512_roundscale_pd::<
                { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
            >(self.0))
        }
    }
    #[inline(always)]
    fn lt(self, o: Self) -> __mmask8 {
        unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    fn le(self, o: Self) -> __mmask8 {
        unsafe { _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    fn finite(self) -> __mmask8 {
        self.abs().lt(Self::splat(f64::INFINITY))
    }
    #[inline(always)]
    fn select(m: __mmask8, a: Self, b: Self) -> Self {
        unsafe { V8(_mm512_mask_blend_pd(m, b.0, a.0)) }
    }
    #[inline(always)]
    fn and(a: __mmask8, b: __mmask8) -> __mmask8 {
        a & b
    }
    #[inline(always)]
    fn not(a: __mmask8) -> __mmask8 {
        !a
    }
    #[inline(always)]
    fn bits(m: __mmask8) -> u32 {
        u32::from(m)
    }
    #[inline(always)]
    fn mask_from(f: impl Fn(usize) -> bool) -> __mmask8 {
        (0..8).fold(0, |m, i| m | (u8::from(f(i)) << i))
    }
    #[inline(always)]
    fn scale(self, k: Self) -> Self {
        // scalef rounds once, also into the subnormal range.
        unsafe { V8(_mm512_scalef_pd(self.0, k.0)) }
    }
    #[inline(always)]
    fn split_exp(self) -> (Self, Self) {
        unsafe {
            let e = _mm512_getexp_pd(self.0);
            let m = _mm512_getmant_pd::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_SRC>(self.0);
            (V8(e), V8(m))
        }
    }
    #[inline(always)]
    fn high_half(self) -> Self {
        unsafe {
            let m = _mm512_set1_epi64(0xffff_ffff_f800_0000_u64 as i64);
            V8(_mm512_castsi512_pd(_mm512_and_si512(
                _mm512_castpd_si512(self.0),
                m,
            )))
        }
    }
}
