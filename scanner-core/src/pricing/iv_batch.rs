//! Implied volatility for many quotes at once (structure of arrays), because a scan inverts
//! every contract of every chain and the bindings pass whole numpy / typed arrays.

use super::iv::IvStatus;
use super::split::{check_len, par_split};
use crate::Result;

/// Inputs of [`implied_vol_batch`]: one slice per argument of
/// [`implied_vol`](super::implied_vol), all of equal length.
#[derive(Debug, Clone, Copy)]
pub struct IvBatch<'a> {
    /// Option price per share.
    pub price: &'a [f64],
    /// `true` for calls, `false` for puts.
    pub is_call: &'a [bool],
    /// Underlying price.
    pub spot: &'a [f64],
    /// Strike.
    pub strike: &'a [f64],
    /// Calendar years to expiry.
    pub years: &'a [f64],
    /// Continuous risk-free rate.
    pub rate: &'a [f64],
    /// Continuous dividend yield.
    pub dividend_yield: &'a [f64],
}

/// Implied volatility of every row of `input`, written into `vol_out` (NaN unless the
/// status is ok) and `status_out`. Invalid rows get [`IvStatus::InvalidInput`].
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the input and output
/// slices do not all have the same length.
///
/// ```
/// use scanner_core::pricing::{implied_vol_batch, IvBatch, IvStatus};
/// let input = IvBatch {
///     price: &[5.87602423383, 1.0], is_call: &[true, true], spot: &[100.0, 0.0],
///     strike: &[100.0, 100.0], years: &[0.5, 0.5], rate: &[0.01, 0.01],
///     dividend_yield: &[0.0, 0.0],
/// };
/// let (mut vol, mut status) = (vec![0.0; 2], vec![IvStatus::Ok; 2]);
/// implied_vol_batch(&input, &mut vol, &mut status)?;
/// assert!((vol[0] - 0.2).abs() < 1e-10);
/// assert_eq!(status[1], IvStatus::InvalidInput);
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn implied_vol_batch(
    input: &IvBatch<'_>,
    vol_out: &mut [f64],
    status_out: &mut [IvStatus],
) -> Result<()> {
    let n = input.price.len();
    check_len(
        "implied_vol_batch",
        n,
        &[
            ("is_call", input.is_call.len()),
            ("spot", input.spot.len()),
            ("strike", input.strike.len()),
            ("years", input.years.len()),
            ("rate", input.rate.len()),
            ("dividend_yield", input.dividend_yield.len()),
            ("vol_out", vol_out.len()),
            ("status_out", status_out.len()),
        ],
    )?;
    let kernel = super::simd::active();
    par_split(0, (vol_out, status_out), &|start, (vols, stats)| {
        super::simd::iv_rows(kernel, input, start, vols, stats)
    });
    Ok(())
}
