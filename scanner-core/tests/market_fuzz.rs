//! Robustness smoke fuzzing (proptest, ≤ 256 cases each so CI stays quick): every parser
//! and the quality check take arbitrary input without panicking, and every data row is
//! either kept or counted as skipped.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use scanner_core::market::chain_gen::{generate_chain, ChainParams};
use scanner_core::market::csv::{parse_chain_csv, parse_chain_json, parse_history};
use scanner_core::market::quality::{assess, QualityConfig, QualityTier};
use scanner_core::market::LoadReport;
use scanner_core::model::{OptionKind, OptionQuote, PriceHistory};

fn balanced(r: &LoadReport) -> bool {
    r.rows_read == r.rows_kept + r.skipped()
}

/// Field tokens that hit every branch: valid values, junk, negatives, quotes, empties.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2017-11-10".to_string()),
        Just("2017-02-30".to_string()),
        Just("20171110".to_string()),
        Just("2017-11-10T21:00:00Z".to_string()),
        Just("call".to_string()),
        Just("P".to_string()),
        Just(String::new()),
        Just("\"1,5\"".to_string()),
        Just("\"".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        (0.0f64..1000.0).prop_map(|x| format!("{x:.2}")),
        "[ -~]{0,6}",
    ]
}

fn csv_text(headers: &'static [&'static str]) -> impl Strategy<Value = String> {
    let header = proptest::sample::subsequence(headers.to_vec(), 0..=headers.len())
        .prop_shuffle()
        .prop_map(|h| h.join(","));
    let rows = prop::collection::vec(
        prop::collection::vec(token(), 0..10).prop_map(|r| r.join(",")),
        0..20,
    );
    (header, rows, any::<bool>()).prop_map(|(h, rows, crlf)| {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut s = h;
        for r in rows {
            s += nl;
            s += &r;
        }
        s
    })
}

const HISTORY_HEADERS: &[&str] = &[
    "Date",
    "Open",
    "High",
    "Low",
    "Close",
    "Volume",
    "OpenInt",
    "Adj Close",
    "Ticker",
];
const CHAIN_HEADERS: &[&str] = &[
    "as_of",
    "underlying",
    "spot",
    "kind",
    "strike",
    "expiration",
    "bid",
    "ask",
    "last",
    "volume",
    "open_interest",
    "iv",
    "quote_time",
    "contract_symbol",
    "dividend_yield",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn history_parser_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600), adjust in any::<bool>()) {
        if let Ok(p) = parse_history(&bytes, "fuzz", "FZ", adjust) {
            prop_assert!(balanced(&p.report));
            let kept: usize = p.histories.iter().map(PriceHistory::len).sum();
            prop_assert_eq!(kept as u64, p.report.rows_kept);
        }
    }

    #[test]
    fn history_parser_counts_every_csv_row(text in csv_text(HISTORY_HEADERS), adjust in any::<bool>(), gzip in any::<bool>()) {
        let bytes = if gzip {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        } else {
            text.clone().into_bytes()
        };
        if let Ok(p) = parse_history(&bytes, "fuzz", "FZ", adjust) {
            prop_assert!(balanced(&p.report));
            let kept: usize = p.histories.iter().map(PriceHistory::len).sum();
            prop_assert_eq!(kept as u64, p.report.rows_kept);
            // Non-blank data lines are all read (a quoted field may join lines, so ≤).
            let lines = text.lines().skip(1).filter(|l| !l.split(',').all(|f| f.trim().is_empty())).count();
            prop_assert!(p.report.rows_read <= lines as u64);
        }
    }

    #[test]
    fn chain_csv_parser_takes_any_input(text in csv_text(CHAIN_HEADERS), bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for input in [text.as_bytes(), &bytes[..]] {
            if let Ok(p) = parse_chain_csv(input, "fuzz") {
                prop_assert!(balanced(&p.report));
                let kept: usize = p.chains.iter().map(|c| c.quotes.len()).sum();
                prop_assert_eq!(kept as u64, p.report.rows_kept);
            }
        }
    }

    #[test]
    fn chain_json_parser_takes_any_input(bytes in prop::collection::vec(any::<u8>(), 0..300), cut in 0usize..400, junk in "[ -~]{0,4}") {
        let valid = r#"[{"underlying":"XYZ","spot":201.0,"asOf":"2024-03-08T21:00:00Z","quotes":[{"kind":"put","strike":200,"expiration":"2024-03-15","bid":1.2,"ask":1.3,"volume":10,"openInterest":50},{"kind":"call","strike":210,"expiration":"2024-03-15","bid":0.2,"ask":0.3,"last":0.25}]}]"#;
        let at = cut.min(valid.len());
        let mutated = format!("{}{junk}{}", &valid[..at], &valid[at..]);
        for input in [mutated.as_bytes(), &bytes[..]] {
            if let Ok(p) = parse_chain_json(input, "fuzz") {
                prop_assert!(balanced(&p.report));
                let kept: usize = p.chains.iter().map(|c| c.quotes.len()).sum();
                prop_assert_eq!(kept as u64, p.report.rows_kept);
            }
        }
    }

    #[test]
    fn quality_check_is_total(
        strike in prop_oneof![any::<f64>(), 0.5f64..500.0],
        bid in prop_oneof![any::<f64>(), 0.0f64..20.0],
        ask in prop_oneof![any::<f64>(), 0.0f64..20.0],
        last in proptest::option::of(any::<f64>()),
        volume in any::<u64>(),
        oi in any::<u64>(),
        spot in prop_oneof![any::<f64>(), 1.0f64..500.0],
        iv in proptest::option::of(any::<f64>()),
        days in -40i64..400,
        minutes in 0i64..(60 * 24 * 14),
        age in proptest::option::of(-1000i64..100_000),
    ) {
        let now = Utc.with_ymd_and_hms(2024, 3, 4, 0, 0, 0).unwrap() + Duration::minutes(minutes);
        let q = OptionQuote {
            contract_symbol: "F".into(), underlying: "F".into(), kind: OptionKind::Put, strike,
            expiration: NaiveDate::from_ymd_opt(2024, 3, 4).unwrap() + Duration::days(days),
            bid, ask, last, volume, open_interest: oi, vendor_iv: iv, quote_time: None, last_trade_time: None,
        };
        let spot_time = age.map(|a| now - Duration::minutes(a));
        for cfg in [QualityConfig::legacy(), QualityConfig::enhanced()] {
            let r = assess(&q, spot, iv, now, spot_time, &cfg);
            prop_assert!((0.0..=100.0).contains(&r.score));
            prop_assert_eq!(r.tier, QualityTier::from_score(r.score));
            let penalty: f64 = r.issues.iter().chain(&r.warnings).map(|i| i.impact_points).sum();
            prop_assert!((r.score - (100.0 - penalty).max(0.0)).abs() < 1e-9);
            prop_assert!(!r.rejection_reason().is_empty());
        }
    }

    #[test]
    fn chain_generator_takes_any_valid_history(
        closes in prop::collection::vec(0.01f64..5000.0, 0..90),
        volume in prop_oneof![Just(0.0), 1.0f64..1e9],
        q in -0.2f64..0.2,
        hour in 0u32..24,
    ) {
        let n = closes.len();
        let start = NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
        let dates: Vec<NaiveDate> = (0..n as i64).map(|i| start + Duration::days(i)).collect();
        let h = PriceHistory::new("FZ", dates, closes.clone(), closes.clone(), closes.clone(), closes, vec![volume; n]).unwrap();
        let as_of = Utc.with_ymd_and_hms(2023, 4, 3, hour, 0, 0).unwrap();
        if let Ok(c) = generate_chain(&h, as_of, q, &ChainParams::default(), 1) {
            for quote in &c.quotes {
                prop_assert!(quote.bid >= 0.0 && quote.ask >= quote.bid && quote.ask > 0.0);
                prop_assert!(quote.vendor_iv.is_some_and(|v| v.is_finite() && v > 0.0));
                prop_assert!(scanner_core::calendar::expiry_instant(quote.expiration) > as_of);
            }
        }
    }
}
