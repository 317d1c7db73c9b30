//! Length checks and the divide-and-conquer split shared by the batch APIs, so that both
//! run in the caller's rayon pool with the same granularity and the same error messages.

use crate::{Error, Result};

/// Rows below which a batch runs serially (rayon's task overhead would dominate).
pub(crate) const LEAF: usize = 4096;

/// `Err(InvalidInput)` naming the first column whose length differs from `n`.
pub(crate) fn check_len(what: &str, n: usize, others: &[(&str, usize)]) -> Result<()> {
    for &(name, len) in others {
        if len != n {
            return Err(Error::invalid_input(format!(
                "{what}: all inputs must have the same length; `{name}` has {len}, expected {n}"
            )));
        }
    }
    Ok(())
}

/// A bundle of equally long mutable output slices that can be cut at a row.
pub(crate) trait Rows: Send + Sized {
    /// Number of rows.
    fn rows(&self) -> usize;
    /// The first `mid` rows and the rest.
    fn cut(self, mid: usize) -> (Self, Self);
}

impl<const N: usize> Rows for [&mut [f64]; N] {
    fn rows(&self) -> usize {
        self.first().map_or(0, |c| c.len())
    }

    fn cut(self, mid: usize) -> (Self, Self) {
        let mut left: [&mut [f64]; N] = std::array::from_fn(|_| Default::default());
        let mut right: [&mut [f64]; N] = std::array::from_fn(|_| Default::default());
        for (i, col) in self.into_iter().enumerate() {
            let (a, b) = col.split_at_mut(mid);
            left[i] = a;
            right[i] = b;
        }
        (left, right)
    }
}

impl<A: Send, B: Send> Rows for (&mut [A], &mut [B]) {
    fn rows(&self) -> usize {
        self.0.len()
    }

    fn cut(self, mid: usize) -> (Self, Self) {
        let (a0, a1) = self.0.split_at_mut(mid);
        let (b0, b1) = self.1.split_at_mut(mid);
        ((a0, b0), (a1, b1))
    }
}

/// Run `kernel(first_row, rows)` over `out`, halving with `rayon::join` down to [`LEAF`]
/// rows. `rayon::join` uses the pool the caller is running in (or the global pool).
pub(crate) fn par_split<R: Rows>(start: usize, out: R, kernel: &(dyn Fn(usize, R) + Sync)) {
    let n = out.rows();
    if n <= LEAF {
        kernel(start, out);
        return;
    }
    let mid = n / 2;
    let (left, right) = out.cut(mid);
    rayon::join(
        || par_split(start, left, kernel),
        || par_split(start + mid, right, kernel),
    );
}
