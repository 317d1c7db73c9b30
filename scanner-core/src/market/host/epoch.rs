//! Date columns as hosts store them: days or nanoseconds since the Unix epoch (numpy's
//! `datetime64`, pandas' `asi8`), the latter in a named time zone. Converting them here,
//! in bulk, spares the bindings one round of pandas/numpy calls per column.

use chrono::{DateTime, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use serde_json::Value;

use super::table::Column;

/// Missing value of numpy's and pandas' epoch encodings (`NaT`).
pub const NOT_A_TIME: i64 = i64::MIN;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const DAYS_TO_EPOCH: i64 = 719_163;

impl Column {
    /// Days since 1970-01-01 as a date column; [`NOT_A_TIME`] is a missing cell (the column
    /// then keeps `YYYY-MM-DD` strings and nulls).
    ///
    /// ```
    /// use scanner_core::market::host::{Column, NOT_A_TIME};
    /// let c = Column::from_epoch_days(&[19_723, NOT_A_TIME]);
    /// assert_eq!(c, Column::Values(vec!["2024-01-01".into(), serde_json::Value::Null]));
    /// ```
    pub fn from_epoch_days(days: &[i64]) -> Column {
        dates_or_gaps(days.iter().map(|&d| match d {
            NOT_A_TIME => None,
            d => NaiveDate::from_num_days_from_ce_opt(
                i32::try_from(d.checked_add(DAYS_TO_EPOCH)?).ok()?,
            ),
        }))
    }

    /// Instants counted in ticks (`ticks_per_second` of them a second) since the Unix epoch
    /// as the calendar dates they fall on in the IANA zone `zone` (pandas' tz-aware `asi8`
    /// with its unit and zone name): a daily bar stamped 00:00 New York time stays on its
    /// session date; [`NOT_A_TIME`] is a missing cell. `None` when `zone` is not an IANA
    /// name or `ticks_per_second` is not positive (the caller then converts another way).
    ///
    /// ```
    /// use scanner_core::market::host::Column;
    /// use chrono::NaiveDate;
    /// // 2024-06-14 00:00 in New York is 04:00 UTC.
    /// let ns = 1_718_337_600 * 1_000_000_000;
    /// let c = Column::from_instants_in_zone(&[ns], 1_000_000_000, "America/New_York").unwrap();
    /// assert_eq!(c, Column::Dates(vec![NaiveDate::from_ymd_opt(2024, 6, 14).unwrap()]));
    /// assert!(Column::from_instants_in_zone(&[ns], 1_000_000_000, "tzfile('x')").is_none());
    /// ```
    pub fn from_instants_in_zone(
        ticks: &[i64],
        ticks_per_second: i64,
        zone: &str,
    ) -> Option<Column> {
        let tz: Tz = zone.parse().ok()?;
        if ticks_per_second <= 0 {
            return None;
        }
        if let Some(c) = LAST_INDEX.with(|l| l.borrow().lookup(ticks, ticks_per_second, tz)) {
            return Some(c);
        }
        let column = dates_or_gaps(ticks.iter().map(|&n| match n {
            NOT_A_TIME => None,
            n => wall_date(n.div_euclid(ticks_per_second), tz),
        }));
        LAST_INDEX.with(|l| l.borrow_mut().keep(ticks, ticks_per_second, tz, &column));
        Some(column)
    }
}

/// The calendar date in `tz` of `secs` seconds after the Unix epoch.
fn wall_date(secs: i64, tz: Tz) -> Option<NaiveDate> {
    let utc = DateTime::from_timestamp(secs, 0)?.naive_utc();
    let offset = i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc());
    // An offset is under a day, so the wall clock is on the UTC date or one either side.
    match secs.rem_euclid(86_400) + offset {
        s if s < 0 => utc.date().pred_opt(),
        s if s >= 86_400 => utc.date().succ_opt(),
        _ => Some(utc.date()),
    }
}

thread_local! {
    /// The index converted last on this thread. Daily bars fetched for many symbols over the
    /// same sessions carry the same timestamps, so a worker handing over 500 histories
    /// converts one index and compares the rest (a `memcmp`) instead of looking up a zone
    /// offset per row 500 times.
    static LAST_INDEX: std::cell::RefCell<LastIndex> = std::cell::RefCell::default();
}

/// The last conversion: its zone, unit and ticks, and the column they gave.
#[derive(Default)]
struct LastIndex(Option<Converted>);

struct Converted {
    zone: Tz,
    per_second: i64,
    ticks: Vec<i64>,
    column: Column,
}

impl LastIndex {
    fn lookup(&self, ticks: &[i64], per_second: i64, zone: Tz) -> Option<Column> {
        self.0
            .as_ref()
            .filter(|c| c.zone == zone && c.per_second == per_second && c.ticks == ticks)
            .map(|c| c.column.clone())
    }

    fn keep(&mut self, ticks: &[i64], per_second: i64, zone: Tz, column: &Column) {
        self.0 = Some(Converted {
            zone,
            per_second,
            ticks: ticks.to_vec(),
            column: column.clone(),
        });
    }
}

/// All dates → [`Column::Dates`]; any gap → [`Column::Values`] of ISO strings and nulls.
fn dates_or_gaps(cells: impl Iterator<Item = Option<NaiveDate>> + Clone) -> Column {
    if let Some(all) = cells.clone().collect::<Option<Vec<NaiveDate>>>() {
        return Column::Dates(all);
    }
    Column::Values(
        cells
            .map(|d| d.map_or(Value::Null, |x| Value::String(x.to_string())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NANOS_PER_SECOND: i64 = 1_000_000_000;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn zone_dates_follow_daylight_saving_and_the_date_line() {
        // Midnight New York in winter (05:00 UTC) and summer (04:00 UTC).
        let winter = 1_704_085_200 * NANOS_PER_SECOND; // 2024-01-01 00:00 EST
        let summer = 1_718_337_600 * NANOS_PER_SECOND; // 2024-06-14 00:00 EDT
        let c =
            Column::from_instants_in_zone(&[winter, summer], NANOS_PER_SECOND, "America/New_York")
                .unwrap();
        assert_eq!(c, Column::Dates(vec![day(2024, 1, 1), day(2024, 6, 14)]));
        // The same instants are still the previous day in Honolulu and already the same
        // day (morning) in Tokyo.
        let c =
            Column::from_instants_in_zone(&[winter], NANOS_PER_SECOND, "Pacific/Honolulu").unwrap();
        assert_eq!(c, Column::Dates(vec![day(2023, 12, 31)]));
        let c = Column::from_instants_in_zone(&[winter], NANOS_PER_SECOND, "Asia/Tokyo").unwrap();
        assert_eq!(c, Column::Dates(vec![day(2024, 1, 1)]));
        let c = Column::from_instants_in_zone(&[winter], NANOS_PER_SECOND, "UTC").unwrap();
        assert_eq!(c, Column::Dates(vec![day(2024, 1, 1)]));
        // Microsecond ticks (pandas' default unit for parsed strings) read alike.
        let c = Column::from_instants_in_zone(&[winter / 1000], 1_000_000, "America/New_York");
        assert_eq!(c, Some(Column::Dates(vec![day(2024, 1, 1)])));
        assert_eq!(Column::from_instants_in_zone(&[winter], 0, "UTC"), None);
    }

    #[test]
    fn a_repeated_index_converts_alike_and_any_change_is_seen() {
        let first = 1_718_337_600 * NANOS_PER_SECOND; // 2024-06-14 00:00 EDT
        let ticks: Vec<i64> = (0..300)
            .map(|d| first + d * 86_400 * NANOS_PER_SECOND)
            .collect();
        let ny = |t: &[i64]| Column::from_instants_in_zone(t, NANOS_PER_SECOND, "America/New_York");
        let a = ny(&ticks).unwrap();
        assert_eq!(ny(&ticks).unwrap(), a);
        let Column::Dates(dates) = &a else {
            panic!("{a:?}")
        };
        // Midnight EDT plus whole days is 23:00 the day before once New York is on EST.
        assert_eq!(
            (dates[0], dates[150]),
            (day(2024, 6, 14), day(2024, 11, 10))
        );
        // One summer row an hour earlier (23:00 the day before in New York), then another
        // zone and another unit over the same numbers: each differs from the remembered index.
        let mut moved = ticks.clone();
        moved[10] -= 3_600 * NANOS_PER_SECOND;
        let Some(Column::Dates(b)) = ny(&moved) else {
            panic!()
        };
        assert_eq!((b[10], dates[10]), (day(2024, 6, 23), day(2024, 6, 24)));
        assert_eq!((&b[..10], &b[11..]), (&dates[..10], &dates[11..]));
        let Some(Column::Dates(honolulu)) =
            Column::from_instants_in_zone(&ticks, NANOS_PER_SECOND, "Pacific/Honolulu")
        else {
            panic!()
        };
        assert_eq!(honolulu[0], day(2024, 6, 13));
        let Some(Column::Dates(ms)) =
            Column::from_instants_in_zone(&ticks, 1_000_000_000_000, "Asia/Tokyo")
        else {
            panic!()
        };
        assert_eq!(ms[0], day(1970, 1, 21), "the same numbers as picoseconds");
        assert_eq!(ny(&ticks).unwrap(), a);
    }

    #[test]
    fn instants_before_the_epoch_and_gaps() {
        let before = -NANOS_PER_SECOND / 2; // 1969-12-31 23:59:59.5 UTC
        let c =
            Column::from_instants_in_zone(&[before, NOT_A_TIME], NANOS_PER_SECOND, "UTC").unwrap();
        assert_eq!(c, Column::Values(vec!["1969-12-31".into(), Value::Null]),);
        assert_eq!(
            Column::from_epoch_days(&[-1, 0]),
            Column::Dates(vec![day(1969, 12, 31), day(1970, 1, 1)])
        );
        // Out of chrono's range: missing, not a panic.
        assert_eq!(
            Column::from_epoch_days(&[i64::MAX]),
            Column::Values(vec![Value::Null])
        );
    }
}
