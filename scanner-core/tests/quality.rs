//! Data-quality checks against hand-computed penalties (original-system.md §4.7), with
//! the original's time bugs fixed: New York market hours with DST, 16:00 New York expiry.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use scanner_core::market::quality::{assess, QualityConfig, QualityReport, QualityTier, Severity};
use scanner_core::model::{OptionKind, OptionQuote, Rejections};

fn quote() -> OptionQuote {
    OptionQuote {
        contract_symbol: "SYN0001240719C00100000".into(),
        underlying: "SYN0001".into(),
        kind: OptionKind::Call,
        strike: 100.0,
        expiration: NaiveDate::from_ymd_opt(2024, 7, 19).unwrap(),
        bid: 2.00,
        ask: 2.10,
        last: Some(2.05),
        volume: 500,
        open_interest: 1200,
        vendor_iv: Some(0.3),
        quote_time: None,
        last_trade_time: None,
    }
}

/// Wednesday 2024-07-10 at `h:m` UTC (EDT: New York = UTC − 4).
fn wed(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 7, 10, h, m, 0).unwrap()
}

fn run(q: &OptionQuote, now: DateTime<Utc>) -> QualityReport {
    assess(
        q,
        101.0,
        q.vendor_iv,
        now,
        Some(now),
        &QualityConfig::legacy(),
    )
}

fn codes(r: &QualityReport) -> Vec<&str> {
    r.issues
        .iter()
        .chain(&r.warnings)
        .map(|i| i.code.as_ref())
        .collect()
}

#[test]
fn clean_contract_is_institutional_with_metrics() {
    let r = run(&quote(), wed(15, 0));
    assert_eq!((r.score, r.tier), (100.0, QualityTier::Institutional));
    assert!((r.spread_dollars.unwrap() - 0.10).abs() < 1e-12);
    assert!((r.spread_pct.unwrap() - 0.10 / 2.05).abs() < 1e-12);
    assert!((r.mid_price.unwrap() - 2.05).abs() < 1e-12);
    assert!((r.volume_oi_ratio.unwrap() - 500.0 / 1200.0).abs() < 1e-12);
    assert_eq!(r.price_age_minutes, Some(0.0));
    assert!(r.summary().starts_with("Institutional grade (100/100)"));
}

#[test]
fn each_penalty_matches_the_spec_table() {
    let open = wed(15, 0);
    let closed = wed(23, 0); // 19:00 New York
    type Case = (
        &'static str,
        fn(&mut OptionQuote),
        DateTime<Utc>,
        f64,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "no prices",
            |q| {
                q.bid = 0.0;
                q.ask = 0.0;
                q.last = None;
            },
            open,
            50.0,
            "no_prices",
        ),
        (
            "spread > 50%",
            |q| {
                q.bid = 1.0;
                q.ask = 2.0;
            },
            open,
            40.0,
            "wide_spread",
        ),
        (
            "spread 25%",
            |q| {
                q.bid = 1.75;
                q.ask = 2.25;
            },
            open,
            15.0,
            "wide_spread",
        ),
        (
            "crossed",
            |q| {
                q.bid = 2.2;
                q.ask = 2.1;
            },
            open,
            50.0,
            "crossed_market",
        ),
        (
            "locked",
            |q| {
                q.bid = 2.1;
                q.ask = 2.1;
            },
            open,
            50.0,
            "locked_market",
        ),
        (
            "zero bid",
            |q| {
                q.bid = 0.0;
                q.last = None;
            },
            open,
            40.0,
            "zero_bid",
        ),
        (
            "last far below",
            |q| {
                q.last = Some(0.9);
            },
            open,
            10.0,
            "last_outside_quote",
        ),
        (
            "zero volume open",
            |q| {
                q.volume = 0;
            },
            open,
            40.0,
            "zero_volume",
        ),
        (
            "zero volume closed",
            |q| {
                q.volume = 0;
            },
            closed,
            0.0,
            "zero_volume",
        ),
        (
            "low volume",
            |q| {
                q.volume = 4;
            },
            open,
            20.0,
            "low_volume",
        ),
        (
            "low volume closed",
            |q| {
                q.volume = 4;
            },
            closed,
            0.0,
            "",
        ),
        (
            "zero OI open",
            |q| {
                q.open_interest = 0;
            },
            open,
            40.0,
            "zero_open_interest",
        ),
        (
            "zero OI closed",
            |q| {
                q.open_interest = 0;
            },
            closed,
            15.0,
            "zero_open_interest",
        ),
        (
            "low OI",
            |q| {
                q.open_interest = 9;
            },
            open,
            10.0,
            "low_open_interest",
        ),
        (
            "IV zero",
            |q| {
                q.vendor_iv = Some(0.0);
            },
            open,
            30.0,
            "non_positive_iv",
        ),
        (
            "IV 3.5",
            |q| {
                q.vendor_iv = Some(3.5);
            },
            open,
            20.0,
            "absurd_iv",
        ),
        (
            "IV 2.5",
            |q| {
                q.vendor_iv = Some(2.5);
            },
            open,
            5.0,
            "high_iv",
        ),
        (
            "far strike",
            |q| {
                q.strike = 160.0;
            },
            open,
            10.0,
            "far_from_money",
        ),
    ];
    for (name, edit, now, points, code) in cases {
        let mut q = quote();
        edit(&mut q);
        let r = run(&q, now);
        assert!(
            (100.0 - r.score - points).abs() < 1e-9,
            "{name}: score {} ({:?})",
            r.score,
            codes(&r)
        );
        if !code.is_empty() {
            assert!(codes(&r).contains(&code), "{name}: {:?}", codes(&r));
        }
        assert_eq!(r.tier, QualityTier::from_score(r.score), "{name}");
    }
}

#[test]
fn price_age_uses_new_york_hours_with_daylight_saving() {
    let q = quote();
    let cfg = QualityConfig::legacy();
    // 14:00 UTC is 10:00 EDT in July (open) but 09:00 EST in January (closed). The
    // original's fixed UTC−5 called July 14:00 UTC 09:00, closed.
    let july = Utc.with_ymd_and_hms(2024, 7, 10, 14, 0, 0).unwrap();
    let r = assess(
        &q,
        101.0,
        Some(0.3),
        july,
        Some(july - chrono::Duration::minutes(30)),
        &cfg,
    );
    assert_eq!(r.score, 85.0, "{:?}", codes(&r)); // 15–60 min stale while open: −15
    let r = assess(
        &q,
        101.0,
        Some(0.3),
        july,
        Some(july - chrono::Duration::minutes(90)),
        &cfg,
    );
    assert_eq!(r.score, 60.0); // > 60 min: critical −40
    assert_eq!(r.issues[0].severity, Severity::Critical);
    let mut jan = quote();
    jan.expiration = NaiveDate::from_ymd_opt(2024, 1, 19).unwrap();
    let now = Utc.with_ymd_and_hms(2024, 1, 10, 14, 0, 0).unwrap();
    let r = assess(
        &jan,
        101.0,
        Some(0.3),
        now,
        Some(now - chrono::Duration::minutes(90)),
        &cfg,
    );
    assert_eq!(
        r.score, 100.0,
        "closed market: a 90-minute-old price is fine"
    );
    let r = assess(
        &jan,
        101.0,
        Some(0.3),
        now,
        Some(now - chrono::Duration::hours(30)),
        &cfg,
    );
    assert_eq!(r.score, 95.0); // closed and > 24 h: −5
                               // Missing spot: −50 and no age check.
    let r = assess(
        &q,
        0.0,
        Some(0.3),
        july,
        Some(july - chrono::Duration::hours(5)),
        &cfg,
    );
    assert_eq!(r.score, 50.0);
    assert_eq!(r.price_age_minutes, None);
}

#[test]
fn a_stale_option_quote_is_not_saved_by_a_fresh_spot() {
    let now = wed(15, 0); // 11:00 New York, open
    let cfg = QualityConfig::legacy();
    let mut q = quote();
    q.quote_time = Some(now - chrono::Duration::minutes(30));
    let r = assess(&q, 101.0, Some(0.3), now, Some(now), &cfg);
    assert_eq!(r.score, 85.0);
    assert_eq!(codes(&r), vec!["stale_quote"]);
    assert_eq!(r.price_age_minutes, Some(30.0));
    // Without a spot time the quote time alone drives the check; a fresher quote than
    // the spot leaves the spot's age in charge.
    let r = assess(&q, 101.0, Some(0.3), now, None, &cfg);
    assert_eq!(codes(&r), vec!["stale_quote"]);
    q.quote_time = Some(now);
    let r = assess(
        &q,
        101.0,
        Some(0.3),
        now,
        Some(now - chrono::Duration::minutes(20)),
        &cfg,
    );
    assert_eq!(codes(&r), vec!["stale_price"]);
}

#[test]
fn expiry_is_16_00_new_york_not_midnight_utc() {
    let q = quote(); // expires Friday 2024-07-19 at 20:00 UTC
    let at = |d, h, m| Utc.with_ymd_and_hms(2024, 7, d, h, m, 0).unwrap();
    let cfg = QualityConfig::legacy();
    let score = |now| assess(&q, 101.0, Some(0.3), now, Some(now), &cfg);
    // Thursday 21:00 UTC (17:00 NY): one day left, −25; also market closed.
    assert!(codes(&score(at(18, 21, 0))).contains(&"expires_tomorrow"));
    // Friday 00:30 UTC is still Thursday in New York: the original called it expired.
    assert!(codes(&score(at(19, 0, 30))).contains(&"expires_tomorrow"));
    // Friday 19:59 UTC: expires today, −50; 20:00 UTC: expired, −100.
    let r = score(at(19, 19, 59));
    assert!(codes(&r).contains(&"expires_today"));
    assert_eq!(r.score, 50.0);
    let r = score(at(19, 20, 0));
    assert!(codes(&r).contains(&"expired"));
    assert_eq!((r.score, r.tier), (0.0, QualityTier::Rejected));
}

#[test]
fn rejections_are_counted_by_the_costliest_reason() {
    let mut q = quote();
    q.volume = 0;
    q.bid = 0.0;
    q.last = None;
    let r = run(&q, wed(15, 0));
    assert_eq!(r.score, 20.0); // zero_bid −40, zero_volume −40
    assert!(!r.is_tradeable());
    let mut counts = Rejections::default();
    r.count_rejection(&mut counts);
    let mut clean = quote();
    clean.open_interest = 5; // low OI warning only
    run(&clean, wed(15, 0)).count_rejection(&mut counts);
    assert_eq!(counts.total(), 2);
    assert_eq!(counts.count("data_quality", "low_open_interest"), 1);
    assert_eq!(
        counts.count("data_quality", "zero_bid") + counts.count("data_quality", "zero_volume"),
        1
    );
}

#[test]
fn report_json_is_camel_case_with_structured_items() {
    let mut q = quote();
    q.open_interest = 3;
    let r = run(&q, wed(15, 0));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["tier"], "high");
    assert_eq!(v["warnings"][0]["code"], "low_open_interest");
    assert_eq!(v["warnings"][0]["severity"], "warning");
    assert_eq!(v["warnings"][0]["impactPoints"], 10.0);
    assert!(v.get("spreadPct").is_some() && v.get("priceAgeMinutes").is_some());
    let back: QualityReport = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    // A 17% spread is within the legacy limit (20%) but warns under enhanced (15%).
    let mut wide = quote();
    wide.bid = 1.90;
    wide.ask = 2.25; // spread 0.35 / mid 2.075 = 16.9%
    assert_eq!(
        assess(
            &wide,
            101.0,
            Some(0.3),
            wed(15, 0),
            None,
            &QualityConfig::legacy()
        )
        .score,
        100.0
    );
    assert_eq!(
        assess(
            &wide,
            101.0,
            Some(0.3),
            wed(15, 0),
            None,
            &QualityConfig::enhanced()
        )
        .score,
        85.0
    );
}
