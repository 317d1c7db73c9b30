//! Listing conventions: which expirations and strikes exist for an underlying, so
//! generated chains look like what an exchange would list (weeklies for liquid names,
//! third-Friday monthlies, strike grids that coarsen as the price rises).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use crate::calendar::{expiry_instant, ny_date, third_friday};

/// Expiration dates listed at `as_of`, ascending: the next `monthly_count` third-Friday
/// monthlies and, when `weekly`, the Fridays of the next `weekly_count` weeks. A date
/// whose 16:00 New York expiry is at or before `as_of` is not listed.
pub(crate) fn expirations(
    as_of: DateTime<Utc>,
    weekly: bool,
    monthly_count: usize,
    weekly_count: usize,
) -> Vec<NaiveDate> {
    let today = ny_date(as_of);
    let live = |d: &NaiveDate| expiry_instant(*d) > as_of;
    let mut out = Vec::with_capacity(monthly_count + weekly_count);
    let (mut year, mut month) = (today.year(), today.month());
    // Twelve extra months are plenty: at most one month in a row can be already expired.
    for _ in 0..monthly_count + 12 {
        if out.len() >= monthly_count {
            break;
        }
        if let Some(d) = third_friday(year, month).filter(live) {
            out.push(d);
        }
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    if weekly {
        let to_friday =
            (Weekday::Fri.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
        // Checked date arithmetic: an as_of near the end of chrono's range lists fewer dates.
        let first = today.checked_add_signed(Duration::days(i64::from(to_friday)));
        out.extend(
            (0..weekly_count as i64)
                .filter_map(|w| first?.checked_add_signed(Duration::days(7 * w)))
                .filter(live),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How densely strikes are listed: by the underlying's liquidity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grid {
    /// The classic $2.50 / $5 / $10 bands.
    Classic,
    /// The $1 / $2.50 strike programs of names with weeklies.
    Fine,
    /// Index-ETF-like names: $1 strikes up to $500.
    Dense,
}

/// Strike spacing for an underlying at `spot`.
///
/// | spot | dense | fine | classic |
/// |---|---|---|---|
/// | < 5 | 0.5 | 0.5 | 0.5 |
/// | 5–25 | 0.5 | 0.5 | 2.5 |
/// | 25–100 | 1 | 1 | 5 |
/// | 100–250 | 1 | 2.5 | 5 |
/// | 250–500 | 1 | 5 | 10 |
/// | 500–1000 | 5 | 5 | 10 |
/// | ≥ 1000 | 10 | 10 | 10 |
pub(crate) fn strike_increment(spot: f64, grid: Grid) -> f64 {
    if grid == Grid::Dense && (25.0..500.0).contains(&spot) {
        return 1.0;
    }
    let fine = grid != Grid::Classic;
    match (spot, fine) {
        (s, _) if s < 5.0 => 0.5,
        (s, true) if s < 25.0 => 0.5,
        (s, false) if s < 25.0 => 2.5,
        (s, true) if s < 100.0 => 1.0,
        (s, false) if s < 250.0 => 5.0,
        (s, true) if s < 250.0 => 2.5,
        (s, true) if s < 1000.0 => 5.0,
        _ => 10.0,
    }
}

/// Strikes on the `increment` grid within `spot · (1 ± width)`, at most `per_side` on
/// each side of the at-the-money strike, ascending and all positive.
pub(crate) fn strikes(spot: f64, increment: f64, width: f64, per_side: usize) -> Vec<f64> {
    let atm = (spot / increment).round().max(1.0);
    let lo = (spot * (1.0 - width) / increment).ceil().max(1.0);
    let hi = (spot * (1.0 + width) / increment).floor();
    let n = per_side as f64;
    let lo = lo.max(atm - n);
    let hi = hi.min(atm + n).max(lo);
    // Small integers in f64 are exact; the count is bounded by 2·per_side + 1.
    let count = (hi - lo) as usize + 1;
    (0..count)
        .map(|i| ((lo + i as f64) * increment * 1000.0).round() / 1000.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn monthlies_are_third_fridays_and_weeklies_are_fridays() {
        // Friday 2017-11-10, 15:00 New York (20:00 UTC): that day's weekly is still live.
        let as_of = Utc.with_ymd_and_hms(2017, 11, 10, 20, 0, 0).unwrap();
        let exps = expirations(as_of, true, 3, 4);
        let d = |m, day| NaiveDate::from_ymd_opt(2017, m, day).unwrap();
        // Weeklies 11-10, 11-17 (also the monthly), 11-24, 12-01; monthlies 11-17, 12-15,
        // and 2018-01-19.
        assert_eq!(
            exps,
            vec![
                d(11, 10),
                d(11, 17),
                d(11, 24),
                d(12, 1),
                d(12, 15),
                NaiveDate::from_ymd_opt(2018, 1, 19).unwrap()
            ]
        );
        assert!(exps.iter().all(|e| e.weekday() == Weekday::Fri));
        // After 16:00 New York the same-day weekly is gone.
        let late = Utc.with_ymd_and_hms(2017, 11, 10, 21, 30, 0).unwrap();
        assert_eq!(expirations(late, true, 3, 4)[0], d(11, 17));
        // Without weeklies only the monthlies remain.
        assert_eq!(expirations(late, false, 3, 4).len(), 3);
    }

    #[test]
    fn strikes_sit_on_the_grid_and_are_capped() {
        let ks = strikes(258.09, 5.0, 0.10, 100);
        assert_eq!(ks.first().copied(), Some(235.0)); // ceil(232.28 / 5) · 5
        assert_eq!(ks.last().copied(), Some(280.0)); // floor(283.9 / 5) · 5
        assert!(ks.windows(2).all(|w| (w[1] - w[0] - 5.0).abs() < 1e-9));
        let capped = strikes(258.09, 0.5, 0.5, 10);
        assert_eq!(capped.len(), 21);
        assert!(strikes(0.6, 0.5, 0.9, 10).iter().all(|k| *k > 0.0));
        assert_eq!(strike_increment(3.0, Grid::Classic), 0.5);
        assert_eq!(strike_increment(60.0, Grid::Classic), 5.0);
        assert_eq!(strike_increment(60.0, Grid::Fine), 1.0);
        assert_eq!(strike_increment(258.0, Grid::Fine), 5.0);
        assert_eq!(strike_increment(258.0, Grid::Dense), 1.0);
        assert_eq!(strike_increment(900.0, Grid::Dense), 5.0);
    }
}
