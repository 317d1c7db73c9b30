//! The few vector operations the batch kernels need, as one trait with one implementation
//! per instruction set, so each kernel is written once and compiled for every dispatch path.
//!
//! Implementations: `f64` (one lane; the tests check the vector math with it), and in `x86.rs` AVX2+FMA
//! (4 lanes) and AVX-512 (8 lanes). Every method is `#[inline(always)]` so that, inlined into
//! a `#[target_feature]` entry point, the intrinsics compile to single instructions.

/// A vector of `N` f64 lanes with a lane mask type.
pub(crate) trait Lanes: Copy {
    /// Number of lanes.
    const N: usize;
    /// Per-lane boolean.
    type Mask: Copy;

    /// Every lane `x`.
    fn splat(x: f64) -> Self;
    /// The first `N` values of `s` (`s.len() >= N`, checked by the caller).
    fn load(s: &[f64]) -> Self;
    /// Write the lanes into the first `N` values of `s` (`s.len() >= N`).
    fn store(self, s: &mut [f64]);

    /// `self + o`.
    fn add(self, o: Self) -> Self;
    /// `self - o`.
    fn sub(self, o: Self) -> Self;
    /// `self * o`.
    fn mul(self, o: Self) -> Self;
    /// `self / o`.
    fn div(self, o: Self) -> Self;
    /// `self * b + c`, fused where the instruction set has FMA.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Lane-wise minimum; `o` where either is NaN (so `splat(c).min(x)` keeps NaN).
    fn min(self, o: Self) -> Self;
    /// Lane-wise maximum; `o` where either is NaN.
    fn max(self, o: Self) -> Self;
    /// `|self|`.
    fn abs(self) -> Self;
    /// Round to the nearest integer (ties to even).
    fn round(self) -> Self;

    /// `self < o` per lane (false for NaN).
    fn lt(self, o: Self) -> Self::Mask;
    /// `self <= o` per lane (false for NaN).
    fn le(self, o: Self) -> Self::Mask;
    /// Lanes that are not NaN and not infinite.
    fn finite(self) -> Self::Mask;
    /// `m ? a : b` per lane.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
    /// Lane-wise `a && b`.
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Lane-wise `a || b`.
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        Self::not(Self::and(Self::not(a), Self::not(b)))
    }
    /// Lane-wise `!a`.
    fn not(a: Self::Mask) -> Self::Mask;
    /// Bit `i` set where lane `i` of `m` is set.
    fn bits(m: Self::Mask) -> u32;
    /// Mask from a closure over lane indices (loads the `bool` columns).
    fn mask_from(f: impl Fn(usize) -> bool) -> Self::Mask;

    /// `self · 2^k` for integral `k` in [−2044, 2046], correct into the subnormal range.
    fn scale(self, k: Self) -> Self;
    /// For positive normal `self`: `(e, m)` with `self = m · 2^e`, `m ∈ [1, 2)`, `e` integral.
    fn split_exp(self) -> (Self, Self);
    /// `self` with its 27 low mantissa bits cleared (Dekker split: the result squares exactly).
    fn high_half(self) -> Self;

    /// `-self`.
    #[inline(always)]
    fn neg(self) -> Self {
        Self::splat(0.0).sub(self)
    }
}

#[cfg(test)]
impl Lanes for f64 {
    const N: usize = 1;
    type Mask = bool;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn load(s: &[f64]) -> Self {
        s.first().copied().unwrap_or(f64::NAN)
    }
    #[inline(always)]
    fn store(self, s: &mut [f64]) {
        if let Some(d) = s.first_mut() {
            *d = self;
        }
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self - o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // Unfused: without hardware FMA, `f64::mul_add` is a slow library call.
        self * b + c
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        if self < o {
            self
        } else {
            o
        }
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        if self > o {
            self
        } else {
            o
        }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline(always)]
    fn round(self) -> Self {
        f64::round_ties_even(self)
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        self < o
    }
    #[inline(always)]
    fn le(self, o: Self) -> bool {
        self <= o
    }
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn and(a: bool, b: bool) -> bool {
        a && b
    }
    #[inline(always)]
    fn not(a: bool) -> bool {
        !a
    }
    #[inline(always)]
    fn bits(m: bool) -> u32 {
        u32::from(m)
    }
    #[inline(always)]
    fn mask_from(f: impl Fn(usize) -> bool) -> bool {
        f(0)
    }
    #[inline(always)]
    fn scale(self, k: Self) -> Self {
        // Two factors, each a normal power of two, so subnormal results come out right.
        let k1 = (0.5 * k).floor();
        let p = |e: f64| f64::from_bits(((e as i64 + 1023) as u64) << 52);
        self * p(k1) * p(k - k1)
    }
    #[inline(always)]
    fn split_exp(self) -> (Self, Self) {
        let bits = self.to_bits();
        let e = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
        let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
        (e, m)
    }
    #[inline(always)]
    fn high_half(self) -> Self {
        f64::from_bits(self.to_bits() & 0xffff_ffff_f800_0000)
    }
}
