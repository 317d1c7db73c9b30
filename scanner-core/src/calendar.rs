//! Time conventions shared by every layer (API.md §1), in one place so pricing, data
//! quality and the scan never disagree about what "days to expiration" means.
//!
//! * An option expires at 16:00 America/New_York on its expiration date.
//! * Pricing uses calendar time: `years = seconds_to_expiry / (365 · 86400)`.
//! * `daysToExpiration` is the whole number of calendar days between the as-of date and the
//!   expiration date, both taken in New York time (an option expiring today has 0).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::America::New_York;

/// Seconds in the pricing year (365 calendar days).
pub const SECONDS_PER_YEAR: f64 = 365.0 * 86_400.0;

/// The instant an option with this expiration date expires: 16:00 New York time.
///
/// ```
/// use chrono::NaiveDate;
/// use scanner_core::calendar::expiry_instant;
/// // 16:00 EST is 21:00 UTC in January; 16:00 EDT is 20:00 UTC in July.
/// let jan = expiry_instant(NaiveDate::from_ymd_opt(2024, 1, 19).unwrap());
/// assert_eq!(jan.to_rfc3339(), "2024-01-19T21:00:00+00:00");
/// let jul = expiry_instant(NaiveDate::from_ymd_opt(2024, 7, 19).unwrap());
/// assert_eq!(jul.to_rfc3339(), "2024-07-19T20:00:00+00:00");
/// ```
pub fn expiry_instant(expiration: NaiveDate) -> DateTime<Utc> {
    let close = expiration.and_time(NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default());
    // 16:00 is never inside a DST gap or fold in New York, so `single()` always succeeds;
    // fall back to the earliest mapping to stay total.
    New_York
        .from_local_datetime(&close)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&close))
}

/// Year fraction from `now` to the expiry instant of `expiration`, floored at 0.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use scanner_core::calendar::years_to_expiry;
/// let now = Utc.with_ymd_and_hms(2024, 7, 18, 20, 0, 0).unwrap(); // 16:00 EDT the day before
/// let t = years_to_expiry(now, NaiveDate::from_ymd_opt(2024, 7, 19).unwrap());
/// assert!((t - 1.0 / 365.0).abs() < 1e-15);
/// ```
pub fn years_to_expiry(now: DateTime<Utc>, expiration: NaiveDate) -> f64 {
    let secs = (expiry_instant(expiration) - now).num_milliseconds() as f64 / 1000.0;
    (secs / SECONDS_PER_YEAR).max(0.0)
}

/// `now` moved into the years 1800–2400, where time-zone conversion is always defined
/// (chrono panics converting instants at the very ends of its range).
fn in_range(now: DateTime<Utc>) -> DateTime<Utc> {
    let lo = Utc
        .with_ymd_and_hms(1800, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let hi = Utc
        .with_ymd_and_hms(2400, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    now.clamp(lo, hi)
}

/// The calendar date in New York at instant `now`.
pub fn ny_date(now: DateTime<Utc>) -> NaiveDate {
    in_range(now).with_timezone(&New_York).date_naive()
}

/// Whole calendar days from the New York date of `now` to `expiration` (negative once past).
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use scanner_core::calendar::days_to_expiration;
/// // 02:00 UTC on the 19th is still the 18th in New York.
/// let now = Utc.with_ymd_and_hms(2024, 7, 19, 2, 0, 0).unwrap();
/// assert_eq!(days_to_expiration(now, NaiveDate::from_ymd_opt(2024, 7, 19).unwrap()), 1);
/// ```
pub fn days_to_expiration(now: DateTime<Utc>, expiration: NaiveDate) -> i64 {
    (expiration - ny_date(now)).num_days()
}

/// Whether US equity options trade at `now`: a weekday between 09:30 and 16:00 New York
/// time, with daylight saving applied. Exchange holidays are not modelled.
pub fn is_market_open(now: DateTime<Utc>) -> bool {
    let local = in_range(now).with_timezone(&New_York);
    if matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    let minutes = local.hour() * 60 + local.minute();
    (9 * 60 + 30..16 * 60).contains(&minutes)
}

/// The third Friday of a month: the standard monthly option expiration.
pub fn third_friday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Fri, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn market_hours_follow_daylight_saving() {
        // 13:45 UTC is 09:45 EDT (open) in July but 08:45 EST (closed) in January.
        assert!(is_market_open(
            Utc.with_ymd_and_hms(2024, 7, 17, 13, 45, 0).unwrap()
        ));
        assert!(!is_market_open(
            Utc.with_ymd_and_hms(2024, 1, 17, 13, 45, 0).unwrap()
        ));
        // Saturday is closed.
        assert!(!is_market_open(
            Utc.with_ymd_and_hms(2024, 7, 20, 15, 0, 0).unwrap()
        ));
    }

    #[test]
    fn expiring_today_has_zero_days_and_positive_time_before_the_close() {
        let exp = NaiveDate::from_ymd_opt(2024, 7, 19).unwrap();
        let morning = Utc.with_ymd_and_hms(2024, 7, 19, 14, 0, 0).unwrap();
        assert_eq!(days_to_expiration(morning, exp), 0);
        assert!(years_to_expiry(morning, exp) > 0.0);
        let after = Utc.with_ymd_and_hms(2024, 7, 19, 21, 0, 0).unwrap();
        assert_eq!(years_to_expiry(after, exp), 0.0);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let min = DateTime::<Utc>::MIN_UTC;
        let max = DateTime::<Utc>::MAX_UTC;
        assert!(
            !is_market_open(min),
            "1 January 1800, 00:00 UTC is not a trading session"
        );
        assert!(ny_date(max) > ny_date(min));
        assert!(days_to_expiration(min, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()) > 0);
    }

    #[test]
    fn third_friday_of_november_2017() {
        assert_eq!(
            third_friday(2017, 11),
            NaiveDate::from_ymd_opt(2017, 11, 17)
        );
    }
}
