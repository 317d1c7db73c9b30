//! Fuzz smoke for every vendor parser: arbitrary bytes, and real fixtures cut or spliced at
//! random points, must give a value or a typed error, never a panic; and whatever parses
//! keeps the report invariant `rows == kept + skipped`.

mod vendors_support;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use scanner_core::market::vendors::{polygon_json, tradier_json, yahoo_json, ParseReport};
use vendors_support::{fixture, Dates};

const FIXTURES: [&str; 9] = [
    "yahoo_options_page1.json",
    "yahoo_chart.json",
    "polygon_snapshot_page1.json",
    "polygon_aggs.json",
    "polygon_prev.json",
    "tradier_expirations.json",
    "tradier_chain_exp1.json",
    "tradier_quote.json",
    "tradier_history.json",
];

/// Run every parser over `body`; panics propagate to proptest.
fn parse_all(body: &[u8]) {
    let as_of = Utc.with_ymd_and_hms(2024, 7, 18, 21, 0, 0).unwrap();
    let check = |r: &ParseReport| assert_eq!(r.rows, r.kept + r.skipped.total());
    let mut r = ParseReport::new("yahoo");
    if yahoo_json::parse_options(body, "AAPL", &mut r).is_ok() {
        check(&r);
    }
    let mut r = ParseReport::new("yahoo");
    let _ = yahoo_json::parse_chart(body, "AAPL", 10, as_of, &mut r);
    check(&r);
    let mut r = ParseReport::new("polygon");
    let _ = polygon_json::parse_snapshot(body, "AAPL", &mut r);
    check(&r);
    let mut r = ParseReport::new("polygon");
    let _ = polygon_json::parse_aggs(body, "AAPL", 10, as_of, &mut r);
    check(&r);
    let _ = polygon_json::parse_prev_close(body, "AAPL");
    let _ = tradier_json::parse_expirations(body, "AAPL");
    let mut r = ParseReport::new("tradier");
    let _ = tradier_json::parse_chain(body, "AAPL", &mut r);
    check(&r);
    let _ = tradier_json::parse_quote(body, "AAPL");
    let mut r = ParseReport::new("tradier");
    let _ = tradier_json::parse_history(body, "AAPL", 10, as_of, &mut r);
    check(&r);
}

fn fixtures() -> Vec<String> {
    let dates = Dates::now();
    FIXTURES
        .iter()
        .map(|f| fixture(f, &dates, "http://127.0.0.1:1"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(&body);
    }

    #[test]
    fn cut_and_spliced_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        cut in 0.0f64..1.0,
        splice in prop_oneof![
            Just("null"), Just("[]"), Just("{}"), Just("\"x\""), Just("-1e308"), Just("1e400"),
            Just("0"), Just("[null]"), Just("\"\""), Just("-0.0"), Just("18446744073709551616"),
        ],
    ) {
        let text = &fixtures()[which];
        let at = ((text.len() as f64) * cut) as usize;
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        parse_all(&text.as_bytes()[..at]);
        // Replace the value after the first ':' at or past the cut with a hostile one.
        if let Some(colon) = text[at..].find(':') {
            let start = at + colon + 1;
            let end = text[start..].find([',', '}']).map_or(text.len(), |e| start + e);
            let spliced = format!("{}{}{}", &text[..start], splice, &text[end..]);
            parse_all(spliced.as_bytes());
        }
    }
}

#[test]
fn every_fixture_parses_as_its_own_kind() {
    // Guards the fuzz corpus: the fixtures themselves must be valid for their parser.
    let all = fixtures();
    let mut r = ParseReport::new("yahoo");
    assert!(yahoo_json::parse_options(all[0].as_bytes(), "AAPL", &mut r).is_ok());
    assert!(tradier_json::parse_expirations(all[5].as_bytes(), "AAPL").is_ok());
    assert!(tradier_json::parse_quote(all[7].as_bytes(), "AAPL").is_ok());
    assert!(
        polygon_json::parse_prev_close(all[4].as_bytes(), "AAPL").is_ok_and(|p| p == Some(189.0))
    );
}
