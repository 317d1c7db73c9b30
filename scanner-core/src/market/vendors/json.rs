//! Lenient field access over `serde_json::Value`: vendor JSON has nulls, missing fields,
//! numbers as strings and "one object instead of a list", and each of those must become a
//! counted decision rather than a failed parse of the whole response.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::{Error, ErrorKind, Result};

/// Parse a response body, mapping malformed or truncated JSON to a DataSource error.
pub(crate) fn parse_body(body: &[u8], vendor: &str, what: &str) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::DataSource,
            format!("{vendor}: {what}: malformed JSON (truncated response?): {e}"),
        )
    })
}

/// A number, or a string holding one; `None` for null, missing and anything else.
pub(crate) fn num(v: &Value, key: &str) -> Option<f64> {
    as_num(v.get(key)?)
}

/// [`num`] for a value already in hand.
pub(crate) fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-empty string field.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Follow a path of object keys.
pub(crate) fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |cur, k| cur.get(k))
}

/// The items of a field that may be a list, a single object, or null/missing.
pub(crate) fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one],
    }
}

/// An instant from whole seconds since the Unix epoch.
pub(crate) fn from_secs(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() || secs.abs() > 1e11 {
        return None;
    }
    DateTime::from_timestamp(secs as i64, 0)
}

/// An instant from milliseconds since the Unix epoch.
pub(crate) fn from_millis(ms: f64) -> Option<DateTime<Utc>> {
    if !ms.is_finite() || ms.abs() > 1e14 {
        return None;
    }
    DateTime::from_timestamp_millis(ms as i64)
}

/// An instant from nanoseconds since the Unix epoch.
pub(crate) fn from_nanos(ns: f64) -> Option<DateTime<Utc>> {
    from_millis(ns / 1e6)
}

/// A `YYYY-MM-DD` date.
pub(crate) fn date(v: &Value, key: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text(v, key)?, "%Y-%m-%d").ok()
}
