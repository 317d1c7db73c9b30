//! The scalar API's signatures evaluated through the batch kernels, so the oracle,
//! finite-difference, parity and round-trip tests run on the dispatch path this process
//! uses (`OPTSCAN_SIMD=avx512|avx2|scalar`; CI runs the suite once per supported path).

use scanner_core::model::OptionKind;
use scanner_core::pricing::{
    bsm_batch, implied_vol_batch, BsmBatch, Greeks, GreeksColumns, IvBatch, IvSolution, IvStatus,
};

/// [`scanner_core::pricing::bsm`], computed by [`bsm_batch`] on a one-row batch (padded
/// to a full vector inside the kernel). Invalid inputs keep the scalar API's error.
pub fn bsm(
    kind: OptionKind,
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    q: f64,
    v: f64,
) -> scanner_core::Result<Greeks> {
    scanner_core::pricing::bsm(kind, s, k, t, r, q, v)?;
    let input = BsmBatch {
        is_call: &[kind == OptionKind::Call],
        spot: &[s],
        strike: &[k],
        years: &[t],
        rate: &[r],
        dividend_yield: &[q],
        vol: &[v],
    };
    let mut out = GreeksColumns::default();
    bsm_batch(&input, &mut out)?;
    Ok(out.row(0).expect("one row"))
}

/// [`scanner_core::pricing::implied_vol`] through [`implied_vol_batch`].
pub fn implied_vol(
    price: f64,
    kind: OptionKind,
    s: f64,
    k: f64,
    t: f64,
    r: f64,
    q: f64,
) -> scanner_core::Result<IvSolution> {
    scanner_core::pricing::implied_vol(price, kind, s, k, t, r, q)?;
    let input = IvBatch {
        price: &[price],
        is_call: &[kind == OptionKind::Call],
        spot: &[s],
        strike: &[k],
        years: &[t],
        rate: &[r],
        dividend_yield: &[q],
    };
    let (mut vol, mut status) = ([f64::NAN], [IvStatus::Ok]);
    implied_vol_batch(&input, &mut vol, &mut status)?;
    Ok(IvSolution {
        vol: vol[0],
        status: status[0],
    })
}

/// The dispatch path named by `OPTSCAN_SIMD` is the one in use, unless this CPU lacks it
/// (so a CI run that asks for a path really tests it).
#[test]
fn requested_path_is_active() {
    let wanted = std::env::var("OPTSCAN_SIMD").unwrap_or_default();
    let active = scanner_core::pricing::simd_path();
    eprintln!("SIMD path: {active} (OPTSCAN_SIMD={wanted:?})");
    let supported = match wanted.as_str() {
        "scalar" => true,
        #[cfg(target_arch = "x86_64")]
        "avx2" => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
        #[cfg(target_arch = "x86_64")]
        "avx512" => is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq"),
        _ => false,
    };
    if supported {
        assert_eq!(active, wanted);
    }
}
