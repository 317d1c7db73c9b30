//! Refuse histories that stopped long before the scan's as-of: a delisted or renamed
//! ticker still answers with its old bars, and analysing them as if current would price
//! today's options on a years-old stock.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use crate::calendar::ny_date;
use crate::model::PriceHistory;
use crate::{Error, ErrorKind, Result};

/// Weekdays a history may end before the as-of (New York) date: today's bar may not
/// exist yet, and a holiday week has up to two closed weekdays.
pub const MAX_STALE_SESSIONS: i64 = 5;

/// The rejection stage and reason a stale history is counted under.
pub const STALE_HISTORY: (&str, &str) = ("history", "stale_history");

/// Weekdays after `last` up to and including `today`.
fn weekdays_between(last: NaiveDate, today: NaiveDate) -> i64 {
    let mut n = 0;
    let mut d = last;
    while d < today && n <= MAX_STALE_SESSIONS {
        d = d.succ_opt().unwrap_or(today);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

/// `Ok` when `history` ends at most [`MAX_STALE_SESSIONS`] weekdays before `as_of`'s New
/// York date; a DataSource error naming the last bar otherwise.
pub(crate) fn check(history: &PriceHistory, as_of: DateTime<Utc>) -> Result<()> {
    let Some(last) = history.last_date() else {
        return Ok(()); // an empty history fails later with its own reason
    };
    let today = ny_date(as_of);
    if weekdays_between(last, today) > MAX_STALE_SESSIONS {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!(
                "{}: stale history: the last bar is {last}, more than {MAX_STALE_SESSIONS} \
                 sessions before {today}",
                history.symbol()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn weekends_do_not_count_and_a_week_does() {
        // Friday to Monday: one session.
        assert_eq!(weekdays_between(d(2024, 7, 12), d(2024, 7, 15)), 1);
        // Friday to the next Friday: five sessions, still fresh.
        assert_eq!(weekdays_between(d(2024, 7, 12), d(2024, 7, 19)), 5);
        // Six sessions: stale (the count stops just past the limit).
        assert_eq!(weekdays_between(d(2024, 7, 12), d(2024, 7, 22)), 6);
        assert_eq!(weekdays_between(d(2020, 1, 2), d(2024, 7, 22)), 6);
        assert_eq!(weekdays_between(d(2024, 7, 22), d(2024, 7, 22)), 0);
    }
}
