//! Python data → the core's host tables. A pandas DataFrame, a dict of arrays/lists or a
//! list of dicts becomes a [`Table`] (numeric columns cross as one `f64` copy, datetime64
//! columns as dates, anything else cell by cell); a chain dict becomes a [`ChainTable`].
//! Reading columns by name and every "which column is wrong" message stay in the core.

use chrono::{DateTime, Utc};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use scanner_core::market::host::{parse_instant, ChainTable, Column, Table, DATE_COLUMNS};
use serde_json::Value;

use crate::error::invalid;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// One Python scalar as a JSON cell (NaN and None are null; dates become `YYYY-MM-DD`,
/// datetimes RFC 3339 in their own offset).
pub fn cell(obj: &Bound<'_, PyAny>, column: &str, row: usize) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // Floats first: most cells of a chain are prices (numpy's float64 is a float too).
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    if obj.is_instance_of::<PyDateTime>() || obj.is_instance_of::<PyDate>() {
        let iso = obj.call_method0("isoformat")?;
        return Ok(Value::String(iso.extract()?));
    }
    if obj.hasattr("__float__")? {
        if let Ok(x) = obj.extract::<f64>() {
            return Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
        }
    }
    if obj.cast::<PyDict>().is_ok() || obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok()
    {
        return to_json(obj);
    }
    Err(invalid(format!(
        "column `{column}` row {row}: unsupported value of type {}",
        type_name(obj)
    )))
}

/// A Python structure (dicts, lists, scalars) as JSON.
pub fn to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key: String = k.str()?.extract()?;
            let v = to_json(&v)?;
            m.insert(key, v);
        }
        return Ok(Value::Object(m));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let items: PyResult<Vec<Value>> = obj.try_iter()?.map(|x| to_json(&x?)).collect();
        return Ok(Value::Array(items?));
    }
    cell(obj, "", 0)
}

/// numpy's `asarray`, looked up once.
fn asarray(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    ASARRAY
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("numpy")?.getattr("asarray")?.unbind())
        })
        .map(|f| f.bind(py))
}

/// A column: numpy/pandas arrays by dtype, other sequences cell by cell.
pub fn column(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Column> {
    // The common cases first, with no Python call at all: float64 and int64 numpy arrays
    // (what pandas hands over for price, volume and open-interest columns).
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, f64>>() {
        return Ok(Column::Numbers(a.as_array().iter().copied().collect()));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
        return Ok(Column::Numbers(
            a.as_array().iter().map(|&x| x as f64).collect(),
        ));
    }
    let py = obj.py();
    if obj.hasattr("dtype")? {
        let mut obj = obj.clone();
        let dtype = obj.getattr("dtype")?;
        let kind: String = dtype.getattr("kind")?.extract()?;
        // tz-aware pandas dates: keep the wall-clock date of their own zone. With an IANA
        // zone the core converts pandas' UTC nanoseconds directly (no `tz_localize`, which
        // costs pandas tens of microseconds per call).
        let tz = match kind.as_str() {
            "M" => dtype.getattr("tz").ok().filter(|t| !t.is_none()),
            _ => None,
        };
        if let Some(tz) = &tz {
            if let Some(col) = zoned_dates(&obj, &dtype, tz)? {
                return Ok(col);
            }
        }
        if tz.is_some() {
            obj = match obj.getattr("tz_localize") {
                Ok(f) => f.call1((py.None(),))?,
                Err(_) => obj
                    .getattr("dt")?
                    .call_method1("tz_localize", (py.None(),))?,
            };
        }
        let arr = asarray(py)?.call1((&obj,))?;
        let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
        match kind.as_str() {
            "f" | "i" | "u" | "b" => {
                if let Ok(a) = arr.extract::<PyReadonlyArray1<'_, f64>>() {
                    return Ok(Column::Numbers(a.as_array().iter().copied().collect()));
                }
                let f = arr.call_method1("astype", ("float64",))?;
                let a: PyReadonlyArray1<'_, f64> = f.extract().map_err(|_| {
                    invalid(format!("column `{name}`: expected a one-dimensional array"))
                })?;
                return Ok(Column::Numbers(a.as_slice()?.to_vec()));
            }
            "M" => {
                let days = arr
                    .call_method1("astype", ("datetime64[D]",))?
                    .call_method1("astype", ("int64",))?;
                let a: PyReadonlyArray1<'_, i64> = days.extract()?;
                return Ok(Column::from_epoch_days(a.as_slice()?));
            }
            "O" => return cells(name, &arr),
            _ => {
                let list = arr.call_method0("tolist")?;
                return cells(name, &list);
            }
        }
    }
    if obj.cast::<PyString>().is_ok() || !obj.hasattr("__iter__")? {
        return Err(invalid(format!(
            "column `{name}`: expected an array or a list, got {}",
            type_name(obj)
        )));
    }
    cells(name, obj)
}

/// A tz-aware pandas index or array (`asi8` ticks of its `unit`, zone `tz`) as dates,
/// when the zone has an IANA name; `None` leaves it to the general path.
fn zoned_dates(
    obj: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
    tz: &Bound<'_, PyAny>,
) -> PyResult<Option<Column>> {
    let per_second = match dtype.getattr("unit").and_then(|u| u.extract::<String>()) {
        Ok(u) => match u.as_str() {
            "s" => 1,
            "ms" => 1_000,
            "us" => 1_000_000,
            "ns" => 1_000_000_000,
            _ => return Ok(None),
        },
        Err(_) => return Ok(None),
    };
    let zone = match tz.getattr("key") {
        Ok(k) => k.extract::<String>(),
        Err(_) => tz.str().and_then(|s| s.extract::<String>()),
    };
    let (Ok(zone), Ok(ticks)) = (zone, obj.getattr("asi8")) else {
        return Ok(None);
    };
    let Ok(ticks) = ticks.extract::<PyReadonlyArray1<'_, i64>>() else {
        return Ok(None);
    };
    let owned;
    let ticks = match ticks.as_slice() {
        Ok(s) => s,
        Err(_) => {
            owned = ticks.as_array().to_vec();
            &owned
        }
    };
    Ok(Column::from_instants_in_zone(ticks, per_second, &zone))
}

fn cells(name: &str, seq: &Bound<'_, PyAny>) -> PyResult<Column> {
    let mut coder = Coder::default();
    // An object array is read in place; anything else is iterated.
    if let Ok(a) = seq.extract::<PyReadonlyArray1<'_, Py<PyAny>>>() {
        let py = seq.py();
        for (i, x) in a.as_array().iter().enumerate() {
            coder.push(x.bind(py), name, i)?;
        }
    } else {
        for (i, x) in seq.try_iter()?.enumerate() {
            coder.push(&x?, name, i)?;
        }
    }
    Ok(coder.into_column())
}

/// Builds a [`Column::Coded`] from cell objects. Text columns repeat a handful of objects
/// (pandas interns the strings it parses: `call`/`put`, a few expiration dates), and reading
/// a `str` through the stable ABI copies it via a bytes object: the last few distinct `str`
/// objects are remembered with their code, so a repeated one (the same object, hence the same
/// immutable value) costs a comparison and one `u32`. Each remembered object is held by a
/// reference, so its address cannot be reused by another object meanwhile.
#[derive(Default)]
struct Coder<'py> {
    values: Vec<Value>,
    codes: Vec<u32>,
    recent: Vec<(Bound<'py, PyAny>, u32)>,
    next: usize,
}

impl<'py> Coder<'py> {
    const RECENT: usize = 8;

    fn push(&mut self, obj: &Bound<'py, PyAny>, column: &str, row: usize) -> PyResult<()> {
        // Only strings are remembered: numbers are cheaper to read than to look up.
        let is_str = obj.cast::<PyString>().is_ok();
        if is_str {
            if let Some((_, code)) = self.recent.iter().find(|(o, _)| o.is(obj)) {
                self.codes.push(*code);
                return Ok(());
            }
        }
        let code = u32::try_from(self.values.len())
            .map_err(|_| invalid(format!("column `{column}`: more than 2^32 rows")))?;
        self.values.push(cell(obj, column, row)?);
        self.codes.push(code);
        if is_str {
            if self.recent.len() < Self::RECENT {
                self.recent.push((obj.clone(), code));
            } else {
                self.recent[self.next] = (obj.clone(), code);
                self.next = (self.next + 1) % Self::RECENT;
            }
        }
        Ok(())
    }

    fn into_column(self) -> Column {
        Column::Coded {
            values: self.values,
            codes: self.codes,
        }
    }
}

fn is_dataframe(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    // Not `dtypes`: pandas builds a Series to answer it.
    Ok(obj.cast::<PyDict>().is_err() && obj.hasattr("columns")? && obj.hasattr("index")?)
}

/// A DataFrame, a dict of columns or a list of dicts as a [`Table`]. A DataFrame's index
/// becomes a `date` column when it holds dates (or is named like one) and no column does.
pub fn table(obj: &Bound<'_, PyAny>) -> PyResult<Table> {
    let mut t = Table::new();
    if is_dataframe(obj)? {
        let names: Vec<Bound<'_, PyAny>> = obj
            .getattr("columns")?
            .try_iter()?
            .collect::<PyResult<_>>()?;
        let mut has_date = false;
        // pandas' positional column accessor hands over the column's array without building
        // a Series (about 1 µs against 15); older or other frame types use `frame[name]`.
        let positional = obj.getattr("_get_column_array").ok();
        for (i, n) in names.iter().enumerate() {
            let label: String = n.str()?.extract()?;
            has_date |= DATE_COLUMNS.contains(&norm(&label).as_str());
            let values = match &positional {
                Some(column_array) => column_array.call1((i,))?,
                None => obj.get_item(n)?,
            };
            let col = column(&label, &values)?;
            t.push(label, col).map_err(crate::error::to_py)?;
        }
        let index = obj.getattr("index")?;
        let index_name = index.getattr("name")?;
        let label = if index_name.is_none() {
            "date".to_owned()
        } else {
            index_name.str()?.extract()?
        };
        let kind: String = index.getattr("dtype")?.getattr("kind")?.extract()?;
        if !has_date && (kind == "M" || DATE_COLUMNS.contains(&norm(&label).as_str())) {
            let col = column(&label, &index)?;
            t.push(label, col).map_err(crate::error::to_py)?;
        }
        return Ok(t);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        for (k, v) in d.iter() {
            let label: String = k.str()?.extract()?;
            let col = column(&label, &v)?;
            t.push(label, col).map_err(crate::error::to_py)?;
        }
        return Ok(t);
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        return Table::from_value(to_json(obj)?).map_err(crate::error::to_py);
    }
    Err(invalid(format!(
        "expected a pandas DataFrame, a dict of arrays or a list of dicts, got {}",
        type_name(obj)
    )))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A chain as a [`ChainTable`]: `{"spot": …, "as_of": datetime|str, "dividend_yield": …,
/// "quotes": table}` or a bare table whose rows carry a `spot` column.
pub fn chain(obj: &Bound<'_, PyAny>) -> PyResult<ChainTable> {
    let Ok(d) = obj.cast::<PyDict>() else {
        return Ok(ChainTable {
            quotes: table(obj)?,
            ..Default::default()
        });
    };
    let mut c = ChainTable::default();
    let mut quotes = None;
    for (k, v) in d.iter() {
        let key: String = k.str()?.extract()?;
        match norm(&key).as_str() {
            "quotes" | "contracts" => quotes = Some(table(&v)?),
            "spot" | "underlyingprice" => {
                c.spot = v
                    .extract::<Option<f64>>()
                    .map_err(|_| bad(&key, "a number", &v))?
            }
            "dividendyield" => {
                c.dividend_yield = v.extract().map_err(|_| bad(&key, "a number", &v))?
            }
            "asof" => c.as_of = instant(&key, &v)?,
            _ => {
                // Not a chain document: a dict of columns.
                return Ok(ChainTable {
                    quotes: table(obj)?,
                    ..Default::default()
                });
            }
        }
    }
    c.quotes =
        quotes.ok_or_else(|| invalid("chain: no `quotes` (a DataFrame or a list of dicts)"))?;
    Ok(c)
}

fn bad(key: &str, want: &str, got: &Bound<'_, PyAny>) -> PyErr {
    invalid(format!(
        "chain `{key}`: expected {want}, got {}",
        type_name(got)
    ))
}

/// A timezone-aware datetime or an RFC 3339 string.
fn instant(key: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<DateTime<Utc>>> {
    if v.is_none() {
        return Ok(None);
    }
    if let Ok(s) = v.extract::<String>() {
        return parse_instant(&s).map(Some).map_err(crate::error::to_py);
    }
    v.extract::<DateTime<Utc>>()
        .map(Some)
        .map_err(|_| bad(key, "a timezone-aware datetime or an RFC 3339 string", v))
}
