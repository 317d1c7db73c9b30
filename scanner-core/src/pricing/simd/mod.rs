//! Explicit SIMD for the batch math with runtime dispatch: AVX-512 (8 lanes), AVX2+FMA
//! (4 lanes) or a portable one-lane path, chosen once per process from the CPU, because
//! batch greeks and IV are dominated by `exp`, `ln` and `erfc`, which libm only offers one
//! value at a time.
//!
//! `OPTSCAN_SIMD=avx512|avx2|scalar` forces a path (tests and CI run the math suite once per
//! path the CPU supports); a path the CPU lacks falls back to the best one it has.

mod greeks;
mod iv;
mod lanes;
mod vmath;
#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use super::batch::BsmBatch;
use super::iv::IvStatus;
use super::iv_batch::IvBatch;

/// One instruction-set path of the batch kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Any CPU: the scalar (libm) kernel row by row.
    Scalar,
    /// Four lanes, x86-64 with AVX2 and FMA.
    Avx2,
    /// Eight lanes, x86-64 with AVX-512F/DQ.
    Avx512,
}

impl Kernel {
    /// Every path, fastest first.
    pub(crate) const ALL: [Kernel; 3] = [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar];

    /// The name used by `OPTSCAN_SIMD` and [`simd_path`](crate::pricing::simd_path).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run the path.
    pub(crate) fn supported(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// `self` if supported, else the best supported path.
    fn or_best(self) -> Kernel {
        if self.supported() {
            return self;
        }
        Kernel::ALL
            .into_iter()
            .find(|k| k.supported())
            .unwrap_or(Kernel::Scalar)
    }
}

/// The path the batch APIs use: `OPTSCAN_SIMD` if set and supported, else the best one.
pub(crate) fn active() -> Kernel {
    static ACTIVE: OnceLock<Kernel> = OnceLock::new();
    *ACTIVE.get_or_init(|| {
        let wanted = std::env::var("OPTSCAN_SIMD").unwrap_or_default();
        Kernel::ALL
            .into_iter()
            .find(|k| k.name() == wanted)
            .unwrap_or(Kernel::Avx512)
            .or_best()
    })
}

/// Price and greeks of rows `start ..` of `input` into `out` on path `kernel` (the best
/// supported path if `kernel` is not).
pub(crate) fn greeks_rows(
    kernel: Kernel,
    input: &BsmBatch<'_>,
    start: usize,
    out: &mut [&mut [f64]; 16],
) {
    match kernel.or_best() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_best` returned a path this CPU supports.
        Kernel::Avx512 => unsafe { greeks_avx512(input, start, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Kernel::Avx2 => unsafe { greeks_avx2(input, start, out) },
        _ => greeks::scalar_rows(input, start, out),
    }
}

/// Implied volatility of rows `start ..` of `input` into `vol`/`status` on path `kernel`
/// (the best supported path if `kernel` is not).
pub(crate) fn iv_rows(
    kernel: Kernel,
    input: &IvBatch<'_>,
    start: usize,
    vol: &mut [f64],
    status: &mut [IvStatus],
) {
    match kernel.or_best() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_best` returned a path this CPU supports.
        Kernel::Avx512 => unsafe { iv_avx512(input, start, vol, status) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Kernel::Avx2 => unsafe { iv_avx2(input, start, vol, status) },
        _ => iv::scalar_rows(input, start, vol, status),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn iv_avx512(input: &IvBatch<'_>, start: usize, vol: &mut [f64], status: &mut [IvStatus]) {
    iv::rows::<x86::V8>(input, start, vol, status);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn iv_avx2(input: &IvBatch<'_>, start: usize, vol: &mut [f64], status: &mut [IvStatus]) {
    iv::rows::<x86::V4>(input, start, vol, status);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx2,fma")]
unsafe fn greeks_avx512(input: &BsmBatch<'_>, start: usize, out: &mut [&mut [f64]; 16]) {
    greeks::rows::<x86::V8>(input, start, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn greeks_avx2(input: &BsmBatch<'_>, start: usize, out: &mut [&mut [f64]; 16]) {
    greeks::rows::<x86::V4>(input, start, out);
}
