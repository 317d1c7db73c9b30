//! A host's price-history table as a [`PriceHistory`]: the date from a `date` column (or
//! the index a binding names `date`), `open`/`high`/`low`/`close` in any case, `volume`
//! optional (0 when absent). Rows with no price at all (vendor placeholders) are dropped;
//! a row with some prices missing is an error naming the column.

use chrono::{DateTime, NaiveDate, Utc};

use super::table::{Col, Column, Table};
use crate::calendar::ny_date;
use crate::model::PriceHistory;
use crate::{Error, Result};

/// Column names read as the session date (normalised: lower case, no `_`).
pub const DATE_COLUMNS: &[&str] = &["date", "datetime", "timestamp", "time", "day"];

/// Build the history of `symbol` from `table`, rows in any order.
///
/// ```
/// use scanner_core::market::host::{history_from_table, Column, Table};
/// let mut t = Table::new();
/// t.push("Date", Column::Values(vec!["2024-01-03".into(), "2024-01-02".into()]))?;
/// for c in ["Open", "High", "Low", "Close"] {
///     t.push(c, Column::Numbers(vec![10.0, 10.0]))?;
/// }
/// let h = history_from_table("ABC", &t)?;
/// assert_eq!(h.len(), 2);
/// let mut bad = t.clone();
/// bad.push("Volume", Column::Values(vec!["many".into(), 1.into()]))?;
/// let err = history_from_table("ABC", &bad).unwrap_err();
/// assert!(err.message().contains("column `Volume` row 0"), "{err}");
/// # Ok::<(), scanner_core::Error>(())
/// ```
pub fn history_from_table(symbol: &str, table: &Table) -> Result<PriceHistory> {
    let what = format!("price history of {symbol}");
    let date = table.need(&what, DATE_COLUMNS)?;
    let ohlc = [
        table.need(&what, &["open"])?,
        table.need(&what, &["high"])?,
        table.need(&what, &["low"])?,
        table.need(&what, &["close"])?,
    ];
    let volume = table.find(&["volume"]);
    if let Some(h) = typed_in_order(symbol, date, &ohlc, volume) {
        return h.map_err(|e| Error::invalid_input(format!("{what}: {}", e.message())));
    }
    let mut rows: Vec<(NaiveDate, [f64; 4], f64)> = Vec::with_capacity(table.rows());
    for i in 0..table.rows() {
        let d = date.date(i)?.ok_or_else(|| {
            Error::invalid_input(format!(
                "{what}: column `{}` row {i} has no date",
                date.name
            ))
        })?;
        let mut px = [f64::NAN; 4];
        let mut missing = None;
        for (k, c) in ohlc.iter().enumerate() {
            match c.number(i)? {
                Some(x) => px[k] = x,
                None => missing = missing.or(Some(c.name)),
            }
        }
        match missing {
            Some(_) if px.iter().all(|x| x.is_nan()) => continue,
            Some(name) => {
                return Err(Error::invalid_input(format!(
                    "{what}: column `{name}` row {i} ({d}) is missing"
                )))
            }
            None => {}
        }
        let v = match volume {
            Some(c) => c.number(i)?.unwrap_or(0.0),
            None => 0.0,
        };
        rows.push((d, px, v));
    }
    rows.sort_by_key(|r| r.0);
    let mut cols: [Vec<f64>; 5] = Default::default();
    for (_, px, v) in &rows {
        for k in 0..4 {
            cols[k].push(px[k]);
        }
        cols[4].push(*v);
    }
    let [open, high, low, close, vol] = cols;
    let dates = rows.iter().map(|r| r.0).collect();
    PriceHistory::new(symbol, dates, open, high, low, close, vol)
        .map_err(|e| Error::invalid_input(format!("{what}: {}", e.message())))
}

/// The common case, column by column: dates already typed and strictly increasing, every
/// price present (what a DataFrame hands over). `None` sends anything else through the
/// row-by-row reader above, which orders rows, drops placeholders and names bad cells.
fn typed_in_order(
    symbol: &str,
    date: Col<'_>,
    ohlc: &[Col<'_>; 4],
    volume: Option<Col<'_>>,
) -> Option<Result<PriceHistory>> {
    let Column::Dates(dates) = date.column else {
        return None;
    };
    if dates.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    let prices = |c: &Col<'_>| match c.column {
        Column::Numbers(v) if !v.iter().any(|x| x.is_nan()) => Some(v.clone()),
        _ => None,
    };
    let [open, high, low, close] = [
        prices(&ohlc[0])?,
        prices(&ohlc[1])?,
        prices(&ohlc[2])?,
        prices(&ohlc[3])?,
    ];
    let volume = match volume.map(|c| c.column) {
        None => vec![0.0; dates.len()],
        Some(Column::Numbers(v)) => v
            .iter()
            .map(|x| if x.is_nan() { 0.0 } else { *x })
            .collect(),
        Some(_) => return None,
    };
    Some(PriceHistory::new(
        symbol,
        dates.clone(),
        open,
        high,
        low,
        close,
        volume,
    ))
}

/// What a source may hand back for `price_history(symbol, sessions, as_of)`: bars after
/// `as_of`'s New York date are cut (no look-ahead, whatever the host returned) and only the
/// last `sessions` rows are kept.
pub fn history_window(
    symbol: &str,
    table: &Table,
    sessions: usize,
    as_of: DateTime<Utc>,
) -> Result<PriceHistory> {
    Ok(history_from_table(symbol, table)?.truncated(ny_date(as_of), sessions))
}
