//! Price and greeks for many options at once, as columns (structure of arrays), because the
//! bindings hand over numpy arrays / typed arrays and a whole chain is priced per scan.
//!
//! Outputs go into caller-owned columns: no allocation per option. Large batches are split
//! with `rayon::join` inside the caller's rayon pool (`ThreadPool::install`), so the caller
//! controls the thread count. Invalid rows become NaN in every column, never an error.

use super::greeks::Greeks;
use super::split::{check_len, par_split};
use crate::Result;

/// Inputs of [`bsm_batch`]: one slice per argument of [`bsm`](super::bsm), all of equal
/// length (broadcasting is the bindings' job).
#[derive(Debug, Clone, Copy)]
pub struct BsmBatch<'a> {
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
    /// Annual volatility.
    pub vol: &'a [f64],
}

/// Names of the [`GreeksColumns`] in API order (the keys of the Python dict).
pub const GREEK_NAMES: [&str; 16] = [
    "price", "delta", "gamma", "vega", "theta", "rho", "epsilon", "vanna", "charm", "vomma",
    "speed", "zomma", "color", "ultima", "lambda", "prob_itm",
];

/// Output columns of [`bsm_batch`], one `Vec` per field of [`Greeks`], in API order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GreeksColumns {
    /// [`Greeks::price`] of every row (NaN for invalid rows).
    pub price: Vec<f64>,
    /// [`Greeks::delta`] of every row (NaN for invalid rows).
    pub delta: Vec<f64>,
    /// [`Greeks::gamma`] of every row (NaN for invalid rows).
    pub gamma: Vec<f64>,
    /// [`Greeks::vega`] of every row (NaN for invalid rows).
    pub vega: Vec<f64>,
    /// [`Greeks::theta`] of every row (NaN for invalid rows).
    pub theta: Vec<f64>,
    /// [`Greeks::rho`] of every row (NaN for invalid rows).
    pub rho: Vec<f64>,
    /// [`Greeks::epsilon`] of every row (NaN for invalid rows).
    pub epsilon: Vec<f64>,
    /// [`Greeks::vanna`] of every row (NaN for invalid rows).
    pub vanna: Vec<f64>,
    /// [`Greeks::charm`] of every row (NaN for invalid rows).
    pub charm: Vec<f64>,
    /// [`Greeks::vomma`] of every row (NaN for invalid rows).
    pub vomma: Vec<f64>,
    /// [`Greeks::speed`] of every row (NaN for invalid rows).
    pub speed: Vec<f64>,
    /// [`Greeks::zomma`] of every row (NaN for invalid rows).
    pub zomma: Vec<f64>,
    /// [`Greeks::color`] of every row (NaN for invalid rows).
    pub color: Vec<f64>,
    /// [`Greeks::ultima`] of every row (NaN for invalid rows).
    pub ultima: Vec<f64>,
    /// [`Greeks::lambda`] of every row (NaN for invalid rows).
    pub lambda: Vec<f64>,
    /// [`Greeks::prob_itm`] of every row (NaN for invalid rows).
    pub prob_itm: Vec<f64>,
}

impl GreeksColumns {
    /// Columns of length `n`, filled with NaN.
    pub fn with_len(n: usize) -> Self {
        let col = || vec![f64::NAN; n];
        Self {
            price: col(),
            delta: col(),
            gamma: col(),
            vega: col(),
            theta: col(),
            rho: col(),
            epsilon: col(),
            vanna: col(),
            charm: col(),
            vomma: col(),
            speed: col(),
            zomma: col(),
            color: col(),
            ultima: col(),
            lambda: col(),
            prob_itm: col(),
        }
    }

    /// Price and all greeks of every row of `input` as new columns: the same values as
    /// [`bsm_batch`] into empty columns, but each element is written once, by the kernel,
    /// with no fill first. For a large batch that is a whole pass over the output less
    /// (128 bytes per option), which is what a host returning fresh arrays wants.
    ///
    /// # Errors
    /// As [`bsm_batch`].
    ///
    /// ```
    /// use scanner_core::pricing::{BsmBatch, GreeksColumns};
    /// let input = BsmBatch {
    ///     is_call: &[true], spot: &[100.0], strike: &[100.0], years: &[0.5],
    ///     rate: &[0.05], dividend_yield: &[0.02], vol: &[0.25],
    /// };
    /// let out = GreeksColumns::compute(&input)?;
    /// assert!((out.price[0] - 7.683040827874606).abs() < 1e-12);
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn compute(input: &BsmBatch<'_>) -> Result<Self> {
        let n = input.spot.len();
        let mut cols: [Vec<f64>; 16] = std::array::from_fn(|_| Vec::with_capacity(n));
        let slices = cols.each_mut().map(|c| {
            let spare = c.spare_capacity_mut();
            // SAFETY: the capacity holds at least `n` f64 (`with_capacity(n)`), f64 has no
            // invalid bit patterns, and the kernels only ever store into their output
            // columns, never read them.
            unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr().cast::<f64>(), n) }
        });
        bsm_batch_into(input, slices)?;
        for c in &mut cols {
            // SAFETY: `bsm_batch_into` returned Ok, so it wrote all `n` elements.
            unsafe { c.set_len(n) };
        }
        let [price, delta, gamma, vega, theta, rho, epsilon, vanna, charm, vomma, speed, zomma, color, ultima, lambda, prob_itm] =
            cols;
        Ok(Self {
            price,
            delta,
            gamma,
            vega,
            theta,
            rho,
            epsilon,
            vanna,
            charm,
            vomma,
            speed,
            zomma,
            color,
            ultima,
            lambda,
            prob_itm,
        })
    }

    /// Number of rows (the length of the `price` column).
    pub fn len(&self) -> usize {
        self.price.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.price.is_empty()
    }

    /// `(name, column)` pairs in API order (see [`GREEK_NAMES`]).
    pub fn columns(&self) -> [(&'static str, &[f64]); 16] {
        let c = self.refs();
        std::array::from_fn(|i| (GREEK_NAMES[i], c[i]))
    }

    /// Row `i` as a [`Greeks`] value, if it exists.
    pub fn row(&self, i: usize) -> Option<Greeks> {
        let c = self.refs();
        if i >= self.len() || c.iter().any(|col| col.len() <= i) {
            return None;
        }
        let v: [f64; 16] = std::array::from_fn(|j| c[j][i]);
        Some(from_array(v))
    }

    fn refs(&self) -> [&[f64]; 16] {
        [
            &self.price,
            &self.delta,
            &self.gamma,
            &self.vega,
            &self.theta,
            &self.rho,
            &self.epsilon,
            &self.vanna,
            &self.charm,
            &self.vomma,
            &self.speed,
            &self.zomma,
            &self.color,
            &self.ultima,
            &self.lambda,
            &self.prob_itm,
        ]
    }

    fn muts(&mut self) -> [&mut Vec<f64>; 16] {
        [
            &mut self.price,
            &mut self.delta,
            &mut self.gamma,
            &mut self.vega,
            &mut self.theta,
            &mut self.rho,
            &mut self.epsilon,
            &mut self.vanna,
            &mut self.charm,
            &mut self.vomma,
            &mut self.speed,
            &mut self.zomma,
            &mut self.color,
            &mut self.ultima,
            &mut self.lambda,
            &mut self.prob_itm,
        ]
    }
}

pub(crate) fn to_array(g: &Greeks) -> [f64; 16] {
    [
        g.price, g.delta, g.gamma, g.vega, g.theta, g.rho, g.epsilon, g.vanna, g.charm, g.vomma,
        g.speed, g.zomma, g.color, g.ultima, g.lambda, g.prob_itm,
    ]
}

fn from_array(v: [f64; 16]) -> Greeks {
    Greeks {
        price: v[0],
        delta: v[1],
        gamma: v[2],
        vega: v[3],
        theta: v[4],
        rho: v[5],
        epsilon: v[6],
        vanna: v[7],
        charm: v[8],
        vomma: v[9],
        speed: v[10],
        zomma: v[11],
        color: v[12],
        ultima: v[13],
        lambda: v[14],
        prob_itm: v[15],
    }
}

/// Price and all greeks for every row of `input`, written into `out`.
///
/// `out`'s columns are resized to the batch length (one allocation per column at most, none
/// when they already fit). Rows with invalid inputs (see [`bsm`](super::bsm)) are NaN.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the input slices do not
/// all have the same length.
///
/// ```
/// use scanner_core::pricing::{bsm_batch, BsmBatch, GreeksColumns};
/// let input = BsmBatch {
///     is_call: &[true, false], spot: &[100.0, -1.0], strike: &[100.0, 100.0],
///     years: &[0.5, 0.5], rate: &[0.05, 0.05], dividend_yield: &[0.02, 0.02],
///     vol: &[0.25, 0.25],
/// };
/// let mut out = GreeksColumns::with_len(2);
/// bsm_batch(&input, &mut out)?;
/// assert!((out.price[0] - 7.683040827874606).abs() < 1e-12);
/// assert!(out.delta[1].is_nan()); // invalid row, not an error
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn bsm_batch(input: &BsmBatch<'_>, out: &mut GreeksColumns) -> Result<()> {
    let n = input.spot.len();
    let slices = out.muts().map(|col| {
        col.resize(n, f64::NAN);
        col.as_mut_slice()
    });
    bsm_batch_into(input, slices)
}

/// [`bsm_batch`] into caller-provided columns (API order, see [`GREEK_NAMES`]), each as
/// long as the batch: for hosts that allocate the output themselves (numpy, typed arrays),
/// so that it is written once, by the kernel, with no intermediate copy or fill. Every
/// element is overwritten; the columns' previous contents do not matter.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the input slices or the
/// output columns do not all have the same length.
///
/// ```
/// use scanner_core::pricing::{bsm_batch_into, BsmBatch};
/// let input = BsmBatch {
///     is_call: &[true], spot: &[100.0], strike: &[100.0], years: &[0.5],
///     rate: &[0.05], dividend_yield: &[0.02], vol: &[0.25],
/// };
/// let mut cols = [[0.0_f64; 1]; 16];
/// bsm_batch_into(&input, cols.each_mut().map(|c| c.as_mut_slice()))?;
/// assert!((cols[0][0] - 7.683040827874606).abs() < 1e-12); // price
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn bsm_batch_into(input: &BsmBatch<'_>, out: [&mut [f64]; 16]) -> Result<()> {
    let n = input.spot.len();
    check_len(
        "bsm_batch",
        n,
        &[
            ("is_call", input.is_call.len()),
            ("strike", input.strike.len()),
            ("years", input.years.len()),
            ("rate", input.rate.len()),
            ("dividend_yield", input.dividend_yield.len()),
            ("vol", input.vol.len()),
        ],
    )?;
    let lens: [(&str, usize); 16] = std::array::from_fn(|i| (GREEK_NAMES[i], out[i].len()));
    check_len("bsm_batch", n, &lens)?;
    let kernel = super::simd::active();
    par_split(0, out, &|start, mut cols| {
        super::simd::greeks_rows(kernel, input, start, &mut cols)
    });
    Ok(())
}
