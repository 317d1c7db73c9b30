//! numpy broadcasting for the math functions: the core's batch kernels take equally long
//! slices, so this turns any mix of scalars and arrays into such slices, borrowing numpy's
//! memory whenever an argument already has the full shape and a C-contiguous layout.

use numpy::ndarray::{ArrayViewD, IxDyn};
use numpy::{AllowTypeChange, PyArrayLikeDyn, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};

use crate::error::invalid;

/// One broadcast column: borrowed from numpy (zero copy) or materialised.
pub enum Col<'a, T> {
    /// The caller's memory, already the full shape.
    Borrowed(&'a [T]),
    /// A copy expanded to the full shape.
    Owned(Vec<T>),
}

impl<T> Col<'_, T> {
    /// The column as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            Col::Borrowed(s) => s,
            Col::Owned(v) => v,
        }
    }
}

/// A float64 argument, converted by numpy when it is not float64 already.
pub type F64Arg<'py> = PyArrayLikeDyn<'py, f64, AllowTypeChange>;

/// The `is_call` argument: a scalar flag or a bool / integer array.
pub enum Flags<'py> {
    /// One flag for every row.
    Scalar(bool),
    /// A bool array (read in place).
    Bool(PyReadonlyArrayDyn<'py, bool>),
    /// An int8 array of 1 (call) / 0 (put) (other integer dtypes are converted).
    Int(PyArrayLikeDyn<'py, i8, AllowTypeChange>),
}

impl<'py> Flags<'py> {
    /// Parse `True`/`False`, `"call"`/`"put"`, 1/0, or a bool / int8 array.
    pub fn extract(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            let s = s.to_cow()?;
            let kind = s
                .parse::<scanner_core::model::OptionKind>()
                .map_err(crate::error::to_py)?;
            return Ok(Flags::Scalar(kind == scanner_core::model::OptionKind::Call));
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(Flags::Scalar(b.is_true()));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArrayDyn<'py, bool>>() {
            return Ok(Flags::Bool(a));
        }
        let arr = obj
            .extract::<PyArrayLikeDyn<'py, i8, AllowTypeChange>>()
            .map_err(|_| {
                invalid("is_call must be a bool, \"call\"/\"put\", or a bool / int8 array")
            })?;
        if arr.as_array().iter().any(|&v| v != 0 && v != 1) {
            return Err(invalid("is_call integer flags must be 1 (call) or 0 (put)"));
        }
        Ok(Flags::Int(arr))
    }

    fn shape(&self) -> Vec<usize> {
        match self {
            Flags::Scalar(_) => Vec::new(),
            Flags::Bool(a) => a.shape().to_vec(),
            Flags::Int(a) => a.shape().to_vec(),
        }
    }

    /// The flags broadcast to `shape`.
    pub fn column(&self, shape: &[usize]) -> PyResult<Col<'_, bool>> {
        let n = shape.iter().product();
        match self {
            Flags::Scalar(b) => Ok(Col::Owned(vec![*b; n])),
            Flags::Bool(a) => column(a.as_array(), shape),
            Flags::Int(a) => {
                let v = a.as_array();
                let b = v
                    .broadcast(IxDyn(shape))
                    .ok_or_else(|| mismatch(v.shape(), shape))?;
                Ok(Col::Owned(b.iter().map(|&x| x == 1).collect()))
            }
        }
    }
}

fn mismatch(got: &[usize], shape: &[usize]) -> PyErr {
    invalid(format!("shape {got:?} cannot be broadcast to {shape:?}"))
}

/// `view` broadcast to `shape`: borrowed when it already is that shape in C order.
pub fn column<'a, T: Copy>(view: ArrayViewD<'a, T>, shape: &[usize]) -> PyResult<Col<'a, T>> {
    if view.shape() == shape {
        if let Some(s) = view.to_slice() {
            return Ok(Col::Borrowed(s));
        }
    }
    let b = view
        .broadcast(IxDyn(shape))
        .ok_or_else(|| mismatch(view.shape(), shape))?;
    Ok(Col::Owned(b.iter().copied().collect()))
}

/// The common shape of all arguments by numpy's rules (align right, 1 stretches).
pub fn broadcast_shape(flags: &Flags<'_>, args: &[&F64Arg<'_>]) -> PyResult<Vec<usize>> {
    let shapes: Vec<Vec<usize>> = std::iter::once(flags.shape())
        .chain(args.iter().map(|a| a.shape().to_vec()))
        .collect();
    let ndim = shapes.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for s in &shapes {
        let offset = ndim - s.len();
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[offset + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return Err(invalid(format!(
                    "arguments cannot be broadcast together: shapes {shapes:?}"
                )));
            }
        }
    }
    Ok(out)
}
