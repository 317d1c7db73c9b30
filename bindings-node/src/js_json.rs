//! Any JS value a source hands back, as JSON the core's host tables read: plain objects and
//! arrays as they are, typed arrays (`Float64Array`, `Int32Array`, …) as arrays of numbers,
//! `Date`s as ISO-8601 strings (yahoo-finance2 returns `Date`s), `NaN` as a missing cell.
//! Functions and symbols are refused with a message naming where they were found. Runs on
//! the JS thread; the core does the rest off it.

use std::ptr;

use napi::sys;
use serde_json::{Map, Number, Value};

/// How deep objects may nest (a chain document is 3 levels deep).
const MAX_DEPTH: usize = 8;

/// Convert `value`; the error says what could not be read and where (`quotes[3].strike`).
///
/// # Safety
/// `env` and `value` must be live handles of the current JS-thread callback.
pub unsafe fn to_json(env: sys::napi_env, value: sys::napi_value) -> Result<Value, String> {
    unsafe { walk(env, value, 0) }.map_err(|e| {
        let path: String = e.path.iter().rev().map(String::as_str).collect();
        format!("value{path}: {}", e.message)
    })
}

/// A failure and where it happened, innermost step first (built only on the error path,
/// so a successful copy formats no paths).
struct Failure {
    path: Vec<String>,
    message: String,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn at(mut self, step: String) -> Self {
        self.path.push(step);
        self
    }
}

fn check(status: sys::napi_status) -> Result<(), Failure> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "could not be read (napi status {status})"
        )))
    }
}

unsafe fn walk(env: sys::napi_env, v: sys::napi_value, depth: usize) -> Result<Value, Failure> {
    if depth > MAX_DEPTH {
        return Err(Failure::new(format!(
            "nested deeper than {MAX_DEPTH} levels"
        )));
    }
    let mut ty = 0;
    check(unsafe { sys::napi_typeof(env, v, &mut ty) })?;
    match ty {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(Value::Null),
        sys::ValueType::napi_boolean => {
            let mut b = false;
            check(unsafe { sys::napi_get_value_bool(env, v, &mut b) })?;
            Ok(Value::Bool(b))
        }
        sys::ValueType::napi_number => {
            let mut x = 0.0;
            check(unsafe { sys::napi_get_value_double(env, v, &mut x) })?;
            Ok(number(x))
        }
        sys::ValueType::napi_bigint => {
            let (mut x, mut lossless) = (0i64, false);
            check(unsafe { sys::napi_get_value_bigint_int64(env, v, &mut x, &mut lossless) })?;
            Ok(Value::from(x))
        }
        sys::ValueType::napi_string => unsafe { string(env, v) }.map(Value::String),
        sys::ValueType::napi_object => unsafe { object(env, v, depth) },
        _ => Err(Failure::new(format!(
            "a {} cannot be data (expected numbers, strings, dates, arrays or objects)",
            if ty == sys::ValueType::napi_function {
                "function"
            } else {
                "symbol"
            }
        ))),
    }
}

fn number(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

unsafe fn string(env: sys::napi_env, v: sys::napi_value) -> Result<String, Failure> {
    let mut len = 0;
    check(unsafe { sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len) })?;
    let mut buf = vec![0u8; len + 1];
    check(unsafe {
        sys::napi_get_value_string_utf8(env, v, buf.as_mut_ptr().cast(), buf.len(), &mut len)
    })?;
    buf.truncate(len);
    String::from_utf8(buf).map_err(|_| Failure::new("not UTF-8"))
}

unsafe fn object(env: sys::napi_env, v: sys::napi_value, depth: usize) -> Result<Value, Failure> {
    let mut is = false;
    check(unsafe { sys::napi_is_date(env, v, &mut is) })?;
    if is {
        let mut ms = 0.0;
        check(unsafe { sys::napi_get_date_value(env, v, &mut ms) })?;
        return Ok(chrono::DateTime::from_timestamp_millis(ms as i64)
            .filter(|_| ms.is_finite())
            .map_or(Value::Null, |t| {
                Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            }));
    }
    check(unsafe { sys::napi_is_typedarray(env, v, &mut is) })?;
    if is {
        return unsafe { typed_array(env, v) };
    }
    check(unsafe { sys::napi_is_array(env, v, &mut is) })?;
    if is {
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(env, v, &mut len) })?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_element(env, v, i, &mut item) })?;
            out.push(unsafe { walk(env, item, depth + 1) }.map_err(|e| e.at(format!("[{i}]")))?);
        }
        return Ok(Value::Array(out));
    }
    let mut keys = ptr::null_mut();
    check(unsafe {
        sys::napi_get_all_property_names(
            env,
            v,
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut keys,
        )
    })?;
    let mut len = 0u32;
    check(unsafe { sys::napi_get_array_length(env, keys, &mut len) })?;
    let mut out = Map::new();
    for i in 0..len {
        let (mut key, mut item) = (ptr::null_mut(), ptr::null_mut());
        check(unsafe { sys::napi_get_element(env, keys, i, &mut key) })?;
        let name = unsafe { string(env, key) }?;
        check(unsafe { sys::napi_get_property(env, v, key, &mut item) })?;
        let value = unsafe { walk(env, item, depth + 1) }.map_err(|e| e.at(format!(".{name}")))?;
        out.insert(name, value);
    }
    Ok(Value::Object(out))
}

unsafe fn typed_array(env: sys::napi_env, v: sys::napi_value) -> Result<Value, Failure> {
    use sys::TypedarrayType as T;
    let (mut ty, mut len, mut data) = (0, 0usize, ptr::null_mut());
    let (mut buffer, mut offset) = (ptr::null_mut(), 0usize);
    check(unsafe {
        sys::napi_get_typedarray_info(
            env,
            v,
            &mut ty,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    })?;
    if len == 0 || data.is_null() {
        return Ok(Value::Array(Vec::new()));
    }
    // SAFETY: napi reports `len` elements of type `ty` starting at `data` (offset applied);
    // they are read unaligned since a view may start at any byte offset.
    macro_rules! read {
        ($t:ty) => {
            (0..len)
                .map(|i| number(unsafe { data.cast::<$t>().add(i).read_unaligned() } as f64))
                .collect()
        };
    }
    let cells: Vec<Value> = match ty {
        T::int8_array => read!(i8),
        T::uint8_array | T::uint8_clamped_array => read!(u8),
        T::int16_array => read!(i16),
        T::uint16_array => read!(u16),
        T::int32_array => read!(i32),
        T::uint32_array => read!(u32),
        T::float32_array => read!(f32),
        T::float64_array => read!(f64),
        T::bigint64_array => read!(i64),
        T::biguint64_array => read!(u64),
        other => {
            return Err(Failure::new(format!(
                "unsupported typed array type {other}"
            )))
        }
    };
    Ok(Value::Array(cells))
}
