use super::*;
use chrono::Weekday;

/// Weekday sessions with closes from `f(i)` and highs/lows ±`band` around them.
fn weekdays(n: usize, band: f64, f: impl Fn(usize) -> f64) -> PriceHistory {
    use chrono::Datelike;
    let mut d = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    let mut dates = Vec::new();
    while dates.len() < n {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            dates.push(d);
        }
        d = d.succ_opt().unwrap();
    }
    let c: Vec<f64> = (0..n).map(f).collect();
    let hi = c.iter().map(|x| x * (1.0 + band)).collect();
    let lo = c.iter().map(|x| x * (1.0 - band)).collect();
    PriceHistory::new("T", dates, c.clone(), hi, lo, c, vec![1.0; n]).unwrap()
}

#[test]
fn windows_are_converted_from_calendar_days_to_sessions() {
    // 14 calendar days on a weekday calendar is 10 sessions, not 14.
    let h = weekdays(300, 0.0, |_| 100.0);
    let ctx = analyze_moves(&h, 0.05, 14, 0.95);
    assert_eq!(ctx.move_requirement.sessions, 10);
}

#[test]
fn touches_use_intraday_highs_not_just_closes() {
    // Flat closes, but every high is 3% above the close: a +2% target is always touched and
    // never finished; a close-only analysis would report 0 touches.
    let h = weekdays(200, 0.03, |_| 50.0);
    let ctx = analyze_moves(&h, 0.02, 7, 0.95);
    assert_eq!(ctx.occurrences, ctx.total_periods);
    assert_eq!(ctx.close_occurrences, 0);
    assert!(ctx.touch_probability > 99.0);
}

#[test]
fn hand_computed_counts_on_a_rising_path() {
    // Closes rise 1% per session, no intraday range. Over 7 calendar days (5 sessions) the
    // move is (1.01^5 − 1) = 5.1%: a 5% target is finished in every complete window, a 6%
    // target never.
    let h = weekdays(120, 0.0, |i| 100.0 * 1.01f64.powi(i as i32));
    let hit = analyze_moves(&h, 0.05, 7, 0.95);
    assert_eq!(hit.close_occurrences, hit.total_periods);
    assert!(hit.recent_touches.iter().all(|t| t.days_to_target == 7));
    let miss = analyze_moves(&h, 0.06, 7, 0.95);
    assert_eq!(miss.occurrences, 0);
    // Down moves never happen on a rising path.
    assert_eq!(analyze_moves(&h, -0.01, 7, 0.95).occurrences, 0);
}

#[test]
fn interval_uses_non_overlapping_windows_and_claims_its_level() {
    let h = weekdays(400, 0.0, |i| if (i / 10) % 2 == 0 { 100.0 } else { 104.0 });
    let ctx = analyze_moves(&h, 0.03, 14, 0.95);
    assert!(ctx.effective_periods < ctx.total_periods / 5);
    assert_eq!(ctx.touch_confidence.confidence, 0.95);
    let (lo, hi) = (ctx.touch_confidence.lower, ctx.touch_confidence.upper);
    assert!(
        lo < ctx.touch_probability && ctx.touch_probability < hi,
        "{lo} < {} < {hi}",
        ctx.touch_probability
    );
}

#[test]
fn short_histories_are_reported_unavailable() {
    let h = weekdays(12, 0.0, |_| 10.0);
    let ctx = analyze_moves(&h, 0.05, 30, 0.95);
    assert!(!ctx.available);
    assert!(ctx.message.is_some());
}
