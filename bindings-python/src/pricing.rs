//! `optscan.black_scholes` and `optscan.implied_volatility`: numpy in, numpy out, around the
//! core's batch kernels (`bsm_batch`, `implied_vol_batch`), with the GIL released while they
//! run. Only argument conversion and broadcasting happen here.

use numpy::ndarray::IxDyn;
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scanner_core::pricing::{
    implied_vol_batch, BsmBatch, GreeksColumns, IvBatch, IvStatus, GREEK_NAMES,
};

use crate::broadcast::{broadcast_shape, column, F64Arg, Flags};
use crate::error::to_py;

fn to_numpy<'py, T: numpy::Element>(
    py: Python<'py>,
    v: Vec<T>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    PyArray1::from_vec(py, v).reshape(IxDyn(shape))
}

/// Price and every raw greek of European options (Black–Scholes–Merton with a continuous
/// dividend yield). Arguments broadcast together; returns a dict of float64 arrays keyed
/// `price delta gamma vega theta rho epsilon vanna charm vomma speed zomma color ultima
/// lambda prob_itm`. Invalid rows are NaN.
#[pyfunction]
#[pyo3(signature = (is_call, spot, strike, years, rate, vol, *, dividend_yield = None))]
#[allow(clippy::too_many_arguments)]
pub fn black_scholes<'py>(
    py: Python<'py>,
    is_call: &Bound<'py, PyAny>,
    spot: F64Arg<'py>,
    strike: F64Arg<'py>,
    years: F64Arg<'py>,
    rate: F64Arg<'py>,
    vol: F64Arg<'py>,
    dividend_yield: Option<F64Arg<'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let flags = Flags::extract(is_call)?;
    let zero = numpy::PyArray0::from_owned_array(py, numpy::ndarray::arr0(0.0)).readonly();
    let q_view = match &dividend_yield {
        Some(q) => q.as_array(),
        None => zero.as_array().into_dyn(),
    };
    let mut args = vec![&spot, &strike, &years, &rate, &vol];
    if let Some(q) = &dividend_yield {
        args.push(q);
    }
    let shape = broadcast_shape(&flags, &args)?;
    let call = flags.column(&shape)?;
    let cols = [
        column(spot.as_array(), &shape)?,
        column(strike.as_array(), &shape)?,
        column(years.as_array(), &shape)?,
        column(rate.as_array(), &shape)?,
        column(q_view, &shape)?,
        column(vol.as_array(), &shape)?,
    ];
    let out = py.detach(|| {
        let input = BsmBatch {
            is_call: call.as_slice(),
            spot: cols[0].as_slice(),
            strike: cols[1].as_slice(),
            years: cols[2].as_slice(),
            rate: cols[3].as_slice(),
            dividend_yield: cols[4].as_slice(),
            vol: cols[5].as_slice(),
        };
        // Fresh columns written once by the kernel; numpy then takes them over uncopied.
        GreeksColumns::compute(&input)
    });
    let out = out.map_err(to_py)?;
    let GreeksColumns {
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
    } = out;
    let columns = [
        price, delta, gamma, vega, theta, rho, epsilon, vanna, charm, vomma, speed, zomma, color,
        ultima, lambda, prob_itm,
    ];
    let dict = PyDict::new(py);
    for (name, col) in GREEK_NAMES.iter().zip(columns) {
        dict.set_item(name, to_numpy(py, col, &shape)?)?;
    }
    Ok(dict)
}

/// Implied volatility of option prices (per share). Arguments broadcast together; returns
/// a float64 array with NaN where there is no solution, or `(vol, status)` with an int8
/// status array (`IV_STATUS` names the codes) when `return_status` is true.
#[pyfunction]
#[pyo3(signature = (price, is_call, spot, strike, years, rate, *, dividend_yield = None, return_status = false))]
#[allow(clippy::too_many_arguments)]
pub fn implied_volatility<'py>(
    py: Python<'py>,
    price: F64Arg<'py>,
    is_call: &Bound<'py, PyAny>,
    spot: F64Arg<'py>,
    strike: F64Arg<'py>,
    years: F64Arg<'py>,
    rate: F64Arg<'py>,
    dividend_yield: Option<F64Arg<'py>>,
    return_status: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let flags = Flags::extract(is_call)?;
    let zero = numpy::PyArray0::from_owned_array(py, numpy::ndarray::arr0(0.0)).readonly();
    let q_view = match &dividend_yield {
        Some(q) => q.as_array(),
        None => zero.as_array().into_dyn(),
    };
    let mut args = vec![&price, &spot, &strike, &years, &rate];
    if let Some(q) = &dividend_yield {
        args.push(q);
    }
    let shape = broadcast_shape(&flags, &args)?;
    let n: usize = shape.iter().product();
    let call = flags.column(&shape)?;
    let cols = [
        column(price.as_array(), &shape)?,
        column(spot.as_array(), &shape)?,
        column(strike.as_array(), &shape)?,
        column(years.as_array(), &shape)?,
        column(rate.as_array(), &shape)?,
        column(q_view, &shape)?,
    ];
    let vol = PyArrayDyn::<f64>::zeros(py, IxDyn(&shape), false);
    let mut vol_view = vol.try_readwrite()?;
    let vol_out = vol_view.as_slice_mut()?;
    let status = py.detach(|| {
        let input = IvBatch {
            price: cols[0].as_slice(),
            is_call: call.as_slice(),
            spot: cols[1].as_slice(),
            strike: cols[2].as_slice(),
            years: cols[3].as_slice(),
            rate: cols[4].as_slice(),
            dividend_yield: cols[5].as_slice(),
        };
        let mut status = vec![IvStatus::Ok; n];
        implied_vol_batch(&input, vol_out, &mut status).map(|()| status)
    });
    let status = status.map_err(to_py)?;
    drop(vol_view);
    if return_status {
        let codes: Vec<i8> = status.into_iter().map(IvStatus::code).collect();
        let status = to_numpy(py, codes, &shape)?;
        Ok((vol, status).into_pyobject(py)?.into_any())
    } else {
        Ok(vol.into_any())
    }
}

/// `{code: name}` of the implied-volatility status codes.
pub fn iv_status<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for s in [
        IvStatus::Ok,
        IvStatus::BelowIntrinsic,
        IvStatus::AboveMaximum,
        IvStatus::NoTimeValue,
        IvStatus::InvalidInput,
    ] {
        d.set_item(s.code(), s.as_str())?;
    }
    Ok(d)
}

fn kind(is_call: bool) -> scanner_core::model::OptionKind {
    if is_call {
        scanner_core::model::OptionKind::Call
    } else {
        scanner_core::model::OptionKind::Put
    }
}

/// The core's scalar `bsm` (not the batch kernel), as a dict of floats: the tests compare
/// the numpy API against it. Invalid inputs raise `InvalidInputError`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _bsm_scalar<'py>(
    py: Python<'py>,
    is_call: bool,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
    vol: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let g = scanner_core::pricing::bsm(
        kind(is_call),
        spot,
        strike,
        years,
        rate,
        dividend_yield,
        vol,
    )
    .map_err(to_py)?;
    crate::model::to_py_value(py, &g)
}

/// The core's scalar `implied_vol`: `(vol, status code)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _implied_vol_scalar(
    price: f64,
    is_call: bool,
    spot: f64,
    strike: f64,
    years: f64,
    rate: f64,
    dividend_yield: f64,
) -> PyResult<(f64, i8)> {
    let s = scanner_core::pricing::implied_vol(
        price,
        kind(is_call),
        spot,
        strike,
        years,
        rate,
        dividend_yield,
    )
    .map_err(to_py)?;
    Ok((s.vol, s.status.code()))
}
