//! Daily-bar files: the CC0 layout (`Date,Open,High,Low,Close,Volume,OpenInt`) and the
//! generic `date,open,high,low,close,volume[,adj_close][,ticker]` CSV (any column order,
//! optionally gzipped). One parser for both, because the CC0 header is a special case of
//! the generic one. Bad rows are skipped and counted by reason, never dropped silently.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::fields::{self, find, norm_header, number, text};
use crate::market::LoadReport;
use crate::model::PriceHistory;
use crate::{Error, Result};

/// What a history file yielded: one history per ticker in it, plus the row accounting.
#[derive(Debug, Clone)]
pub struct ParsedHistories {
    /// Histories, sorted by ticker; each is date-ordered with duplicates removed.
    pub histories: Vec<PriceHistory>,
    /// Rows read, kept and skipped by reason.
    pub report: LoadReport,
}

#[derive(Clone, Copy)]
struct Bar {
    date: NaiveDate,
    o: f64,
    h: f64,
    l: f64,
    c: f64,
    v: f64,
}

struct Columns {
    date: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
    adj_close: Option<usize>,
    ticker: Option<usize>,
}

fn columns(headers: &[String], file: &str) -> Result<Columns> {
    let need = |names: &[&str], what: &str| {
        find(headers, names).ok_or_else(|| {
            Error::invalid_input(format!("{file}: no {what} column in header {headers:?}"))
        })
    };
    Ok(Columns {
        date: need(&["date", "timestamp", "day"], "date")?,
        open: need(&["open"], "open")?,
        high: need(&["high"], "high")?,
        low: need(&["low"], "low")?,
        close: need(&["close"], "close")?,
        volume: need(&["volume", "vol"], "volume")?,
        adj_close: find(headers, &["adjclose", "adjustedclose"]),
        ticker: find(headers, &["ticker", "symbol"]),
    })
}

/// Parse one daily-bar file. `default_symbol` names the history when the file has no
/// ticker column. With `adjust`, an `adj_close` column rescales open/high/low/close by
/// `adj_close / close` (and volume inversely), so splits do not show as price gaps.
///
/// File-level problems (bad gzip, no usable header) are errors of kind
/// [`crate::ErrorKind::InvalidInput`] or [`crate::ErrorKind::DataSource`]; row-level
/// problems are counted in the report: `missing_field`, `bad_date`, `bad_number`,
/// `non_positive_price`, `negative_volume`, `ohlc_inconsistent`, `malformed_row`,
/// `duplicate_date`.
///
/// ```
/// use scanner_core::market::csv::parse_history;
/// let data = b"Date,Open,High,Low,Close,Volume,OpenInt\r\n\
///              2017-11-09,10,11,9,10.5,100,0\r\n\
///              2017-11-10,10.5,12,10,11,200,0\r\n\
///              2017-11-13,oops,12,10,11,200,0\r\n";
/// let parsed = parse_history(data, "x.us.txt", "X", true).unwrap();
/// assert_eq!(parsed.histories[0].len(), 2);
/// assert_eq!(parsed.report.rows_read, 3);
/// assert_eq!(parsed.report.rows_skipped.count("load", "bad_number"), 1);
/// ```
pub fn parse_history(
    bytes: &[u8],
    file: &str,
    default_symbol: &str,
    adjust: bool,
) -> Result<ParsedHistories> {
    let bytes = fields::maybe_gunzip(bytes, file)?;
    let mut rdr = fields::reader(&bytes);
    let mut rec = ::csv::ByteRecord::new();
    let mut report = LoadReport::new(file);
    // The header is the first record.
    let headers: Vec<String> = loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) if rec.iter().all(|f| f.is_empty()) => continue,
            Ok(true) => break rec.iter().map(norm_header).collect(),
            Ok(false) => return Err(Error::invalid_input(format!("{file}: empty file"))),
            Err(e) => {
                return Err(Error::invalid_input(format!(
                    "{file}: unreadable header: {e}"
                )))
            }
        }
    };
    let cols = columns(&headers, file)?;
    let adj = if adjust { cols.adj_close } else { None };
    let mut by_ticker: BTreeMap<String, Vec<Bar>> = BTreeMap::new();
    let mut last_key = String::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Err(_) => {
                report.skip("malformed_row");
                continue;
            }
            Ok(true) => {}
        }
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        let bar = match row(&rec, &cols, adj) {
            Ok(b) => b,
            Err(reason) => {
                report.skip(reason);
                continue;
            }
        };
        let ticker = match cols.ticker {
            Some(i) => match text(&rec, i).map(str::trim).filter(|t| !t.is_empty()) {
                Some(t) => t,
                None => {
                    report.skip("missing_field");
                    continue;
                }
            },
            None => default_symbol,
        };
        if !ticker.eq_ignore_ascii_case(&last_key) {
            last_key = ticker.to_ascii_uppercase();
        }
        report.kept(1);
        match by_ticker.get_mut(&last_key) {
            Some(bars) => bars.push(bar),
            None => {
                by_ticker.insert(last_key.clone(), vec![bar]);
            }
        }
    }
    let mut histories = Vec::with_capacity(by_ticker.len());
    for (ticker, mut bars) in by_ticker {
        bars.sort_by_key(|b| b.date);
        let before = bars.len();
        bars.dedup_by_key(|b| b.date);
        report.unkeep("duplicate_date", (before - bars.len()) as u64);
        let n = bars.len();
        let col = |f: fn(&Bar) -> f64| bars.iter().map(f).collect::<Vec<f64>>();
        match PriceHistory::new(
            ticker,
            bars.iter().map(|b| b.date).collect(),
            col(|b| b.o),
            col(|b| b.h),
            col(|b| b.l),
            col(|b| b.c),
            col(|b| b.v),
        ) {
            Ok(h) => histories.push(h),
            // Rows were validated one by one, so this is unreachable; still count them.
            Err(_) => report.unkeep("invalid_history", n as u64),
        }
    }
    Ok(ParsedHistories { histories, report })
}

fn row(
    rec: &::csv::ByteRecord,
    c: &Columns,
    adj: Option<usize>,
) -> std::result::Result<Bar, &'static str> {
    let wanted = [c.date, c.open, c.high, c.low, c.close, c.volume];
    if wanted
        .iter()
        .chain(adj.iter())
        .any(|&i| rec.get(i).is_none_or(<[u8]>::is_empty))
    {
        return Err("missing_field");
    }
    let date = text(rec, c.date).and_then(fields::date).ok_or("bad_date")?;
    let num = |i| number(rec, i).ok_or("bad_number");
    let (mut o, mut h, mut l, mut cl, mut v) = (
        num(c.open)?,
        num(c.high)?,
        num(c.low)?,
        num(c.close)?,
        num(c.volume)?,
    );
    if [o, h, l, cl].iter().any(|p| *p <= 0.0) {
        return Err("non_positive_price");
    }
    if v < 0.0 {
        return Err("negative_volume");
    }
    if let Some(i) = adj {
        let factor = num(i)? / cl;
        if !(factor.is_finite() && factor > 0.0) {
            return Err("non_positive_price");
        }
        (o, h, l, cl, v) = (o * factor, h * factor, l * factor, cl * factor, v / factor);
        if ![o, h, l, cl, v].iter().all(|x| x.is_finite()) {
            return Err("bad_number");
        }
        if [o, h, l, cl].iter().any(|p| *p <= 0.0) {
            return Err("non_positive_price");
        }
    }
    if l > o.min(cl) || h < o.max(cl) {
        return Err("ohlc_inconsistent");
    }
    Ok(Bar {
        date,
        o,
        h,
        l,
        c: cl,
        v,
    })
}
