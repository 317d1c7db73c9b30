//! A column table handed over by a host: a pandas DataFrame, a dict of numpy arrays, a list
//! of records, a JS array of objects. The bindings only move cells across (numbers as
//! `f64` columns, dates as dates, everything else as JSON values); finding columns by name
//! and reading cells with errors that name the column happen here, once, for every host.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::{Error, Result};

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; `NaN` means missing.
    Numbers(Vec<f64>),
    /// Calendar dates.
    Dates(Vec<NaiveDate>),
    /// Cells of any JSON type (strings, numbers, booleans, `null` for missing).
    Values(Vec<Value>),
    /// Cells drawn from a few distinct values, as hosts hold text columns (`call`/`put`, a
    /// handful of expirations): row `i` is `values[codes[i]]`. Read exactly like
    /// [`Column::Values`]; a code past the end of `values` is a missing cell.
    Coded {
        /// The distinct cells (a value may repeat; only the codes matter).
        values: Vec<Value>,
        /// One index into `values` per row.
        codes: Vec<u32>,
    },
}

impl Column {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Numbers(v) => v.len(),
            Column::Dates(v) => v.len(),
            Column::Values(v) => v.len(),
            Column::Coded { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of one length. Names are matched ignoring case, spaces and `_`
/// (`"openInterest"`, `"open_interest"` and `"Open Interest"` are one column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    columns: Vec<(String, Column)>,
}

/// `"Adj Close"` → `"adjclose"`: the form column names are compared in.
pub(crate) fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `norm(name) == normalised`, without building the normalised name.
fn norm_eq(name: &str, normalised: &str) -> bool {
    let mut kept = name
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase());
    normalised.bytes().all(|b| kept.next() == Some(b)) && kept.next().is_none()
}

impl Table {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a column. Fails with [`crate::ErrorKind::InvalidInput`] when its length differs
    /// from the columns already added.
    pub fn push(&mut self, name: impl Into<String>, column: Column) -> Result<()> {
        let name = name.into();
        if let Some((first, c)) = self.columns.first() {
            if c.len() != column.len() {
                return Err(Error::invalid_input(format!(
                    "column `{name}` has {} rows but `{first}` has {}",
                    column.len(),
                    c.len()
                )));
            }
        }
        self.columns.push((name, column));
        Ok(())
    }

    /// A table from a JSON document: an array of records (`[{"strike": 100, …}, …]`; a
    /// key missing from a record is a missing cell) or an object of equal-length arrays
    /// (`{"close": [1, 2], …}`).
    ///
    /// ```
    /// use scanner_core::market::host::Table;
    /// let t = Table::from_value(serde_json::json!([{"a": 1}, {"a": 2, "b": "x"}]))?;
    /// assert_eq!((t.rows(), t.names().len()), (2, 2));
    /// assert!(Table::from_value(serde_json::json!(3)).is_err());
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Self> {
        let mut t = Table::new();
        match value {
            Value::Array(records) => {
                let mut names: Vec<String> = Vec::new();
                for (i, r) in records.iter().enumerate() {
                    let Value::Object(m) = r else {
                        return Err(Error::invalid_input(format!(
                            "record {i} is not an object: {}",
                            short(r)
                        )));
                    };
                    names.extend(
                        m.keys()
                            .filter(|k| !names.contains(k))
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                }
                for n in names {
                    let cells = records
                        .iter()
                        .map(|r| r.get(&n).cloned().unwrap_or(Value::Null))
                        .collect();
                    t.push(n, Column::Values(cells))?;
                }
            }
            Value::Object(m) => {
                for (name, v) in m {
                    let Value::Array(cells) = v else {
                        return Err(Error::invalid_input(format!(
                            "column `{name}` is not an array: {}",
                            short(&v)
                        )));
                    };
                    t.push(name, Column::Values(cells))?;
                }
            }
            other => {
                return Err(Error::invalid_input(format!(
                    "expected a table (records or columns), got {}",
                    short(&other)
                )))
            }
        }
        Ok(t)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// Column names, in the order given.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The first column whose name matches one of `aliases` (already normalised).
    pub(crate) fn find(&self, aliases: &[&str]) -> Option<Col<'_>> {
        aliases.iter().find_map(|a| {
            self.columns
                .iter()
                .find(|(n, _)| norm_eq(n, a))
                .map(|(name, column)| Col { name, column })
        })
    }

    /// Like [`Table::find`], failing with a message naming the column and what exists.
    pub(crate) fn need(&self, what: &str, aliases: &[&str]) -> Result<Col<'_>> {
        self.find(aliases).ok_or_else(|| {
            Error::invalid_input(format!(
                "{what}: no `{}` column (columns: {})",
                aliases[0],
                self.names().join(", ")
            ))
        })
    }
}

/// A column found by name, with typed cell readers whose errors name it.
#[derive(Clone, Copy)]
pub(crate) struct Col<'a> {
    pub name: &'a str,
    pub column: &'a Column,
}

impl<'a> Col<'a> {
    fn bad(&self, row: usize, want: &str, got: &str) -> Error {
        Error::invalid_input(format!(
            "column `{}` row {row}: expected {want}, got {got}",
            self.name
        ))
    }

    /// The JSON cell of a [`Column::Values`] or [`Column::Coded`] row (`null` when out of
    /// range, and for the typed columns, which are read without it).
    fn json(&self, row: usize) -> &'a Value {
        const MISSING: &Value = &Value::Null;
        match self.column {
            Column::Values(v) => v.get(row).unwrap_or(MISSING),
            Column::Coded { values, codes } => codes
                .get(row)
                .and_then(|&c| values.get(c as usize))
                .unwrap_or(MISSING),
            Column::Numbers(_) | Column::Dates(_) => MISSING,
        }
    }

    /// A number, `None` when missing (`NaN`, `null`, empty string).
    pub fn number(&self, row: usize) -> Result<Option<f64>> {
        match self.column {
            Column::Numbers(v) => Ok(v.get(row).copied().filter(|x| !x.is_nan())),
            Column::Dates(_) => Err(self.bad(row, "a number", "a date")),
            Column::Values(_) | Column::Coded { .. } => match self.json(row) {
                Value::Null => Ok(None),
                Value::Number(n) => Ok(n.as_f64()),
                Value::String(s) if s.trim().is_empty() => Ok(None),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .map(|x| Some(x).filter(|x| !x.is_nan()))
                    .map_err(|_| self.bad(row, "a number", &format!("{s:?}"))),
                other => Err(self.bad(row, "a number", &short(other))),
            },
        }
    }

    /// A string, `None` when missing.
    pub fn text(&self, row: usize) -> Result<Option<&'a str>> {
        match self.column {
            Column::Values(_) | Column::Coded { .. } => match self.json(row) {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.as_str())),
                other => Err(self.bad(row, "a string", &short(other))),
            },
            Column::Numbers(v) if v.get(row).is_some_and(|x| x.is_nan()) => Ok(None),
            Column::Numbers(_) => Err(self.bad(row, "a string", "a number")),
            Column::Dates(_) => Err(self.bad(row, "a string", "a date")),
        }
    }

    /// A calendar date: a date cell, `"YYYY-MM-DD…"` (the date part of an ISO timestamp),
    /// or Unix time in seconds (milliseconds when larger than 10^11), taken in UTC.
    pub fn date(&self, row: usize) -> Result<Option<NaiveDate>> {
        let from_epoch = |x: f64| {
            let secs = if x.abs() > 1e11 { x / 1000.0 } else { x };
            DateTime::<Utc>::from_timestamp(secs.floor() as i64, 0).map(|t| t.date_naive())
        };
        match self.column {
            Column::Dates(v) => Ok(v.get(row).copied()),
            Column::Numbers(v) => match v.get(row).copied().filter(|x| !x.is_nan()) {
                None => Ok(None),
                Some(x) => from_epoch(x)
                    .map(Some)
                    .ok_or_else(|| self.bad(row, "a date", &x.to_string())),
            },
            Column::Values(_) | Column::Coded { .. } => match self.json(row) {
                Value::Null => Ok(None),
                Value::String(s) => s
                    .get(..10)
                    .and_then(iso_date)
                    .map(Some)
                    .ok_or_else(|| self.bad(row, "a YYYY-MM-DD date", &format!("{s:?}"))),
                Value::Number(n) => n
                    .as_f64()
                    .and_then(from_epoch)
                    .map(Some)
                    .ok_or_else(|| self.bad(row, "a date", &n.to_string())),
                other => Err(self.bad(row, "a date", &short(other))),
            },
        }
    }
}

/// A value shortened for an error message.
pub(crate) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// `YYYY-MM-DD` as a date, read digit by digit (chrono's format parser costs about ten
/// times as much, and a chain has one such cell per contract).
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_cells_read_like_the_values_they_stand_for() {
        let values: Vec<Value> = vec![
            "2024-06-21".into(),
            Value::Null,
            "7.5".into(),
            "call".into(),
            3.into(),
        ];
        let codes = vec![0, 1, 2, 3, 4, 0, 9];
        let coded = Column::Coded {
            values: values.clone(),
            codes: codes.clone(),
        };
        let plain = Column::Values(
            codes
                .iter()
                .map(|&c| values.get(c as usize).cloned().unwrap_or(Value::Null))
                .collect(),
        );
        assert_eq!(coded.len(), 7);
        let (a, b) = (
            Col {
                name: "x",
                column: &coded,
            },
            Col {
                name: "x",
                column: &plain,
            },
        );
        for row in 0..8 {
            assert_eq!(a.number(row).ok(), b.number(row).ok(), "number {row}");
            assert_eq!(a.text(row).ok(), b.text(row).ok(), "text {row}");
            assert_eq!(a.date(row).ok(), b.date(row).ok(), "date {row}");
            assert_eq!(
                a.number(row).is_err(),
                b.number(row).is_err(),
                "number {row}"
            );
            assert_eq!(a.text(row).is_err(), b.text(row).is_err(), "text {row}");
            assert_eq!(a.date(row).is_err(), b.date(row).is_err(), "date {row}");
        }
        assert_eq!(a.date(0).unwrap(), NaiveDate::from_ymd_opt(2024, 6, 21));
        assert_eq!(a.number(2).unwrap(), Some(7.5));
        assert_eq!(
            a.text(6).unwrap(),
            None,
            "a code past the values is missing"
        );
    }

    #[test]
    fn iso_dates_parse_like_chrono_and_refuse_the_rest() {
        for s in ["2024-06-21", "1999-12-31", "2024-02-29", "0001-01-01"] {
            assert_eq!(
                iso_date(s),
                NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
                "{s}"
            );
            assert!(iso_date(s).is_some());
        }
        for s in [
            "2023-02-29",
            "2024-13-01",
            "2024-6-21",
            "2024/06/21",
            "20240621xx",
            "2024-06-2a",
            "",
        ] {
            assert_eq!(iso_date(s), None, "{s}");
        }
    }
}
