//! SyntheticMarket: determinism (byte-identical output per seed), no look-ahead, prefix
//! property of histories, and the trait surface the scan codes against.

use chrono::{DateTime, Duration, TimeZone, Utc};
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::ErrorKind;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

#[test]
fn same_seed_gives_byte_identical_histories_and_chains() {
    let as_of = at(2024, 7, 19, 18);
    let dump = |seed| {
        let m = SyntheticMarket::new(seed, 40);
        let mut out = String::new();
        for s in m.symbols() {
            out += &serde_json::to_string(&m.history_at(&s, 300, as_of).unwrap()).unwrap();
            out += &serde_json::to_string(&m.chain_at(&s, as_of).unwrap()).unwrap();
        }
        out
    };
    let a = dump(7);
    assert_eq!(a, dump(7));
    assert_ne!(a, dump(8));
    assert!(
        a.len() > 100_000,
        "suspiciously little data: {} bytes",
        a.len()
    );
}

#[test]
fn histories_never_leak_past_as_of_and_are_prefixes() {
    let m = SyntheticMarket::new(11, 25);
    let late = at(2025, 3, 14, 21);
    for s in m.symbols() {
        let full = m.history_at(&s, 2000, late).unwrap();
        assert_eq!(full.len(), 2000);
        // Every earlier as_of (including weekends and pre-open hours) sees exactly the
        // rows of the late history dated on or before its New York date.
        for back in [1i64, 2, 3, 40, 333, 1200] {
            let as_of = late - Duration::days(back) - Duration::hours(back % 5);
            let ny = as_of
                .with_timezone(&chrono_tz::America::New_York)
                .date_naive();
            let early = m.history_at(&s, 5000, as_of).unwrap();
            assert!(
                early.dates().iter().all(|d| *d <= ny),
                "{s}: future row for {as_of}"
            );
            let n = full.dates().iter().filter(|d| **d <= ny).count();
            let tail = &full.close()[..n];
            assert_eq!(&early.close()[early.len() - n..], tail, "{s} {as_of}");
            assert_eq!(early.last_date(), full.dates()[..n].last().copied());
        }
    }
}

#[test]
fn sessions_are_weekdays_and_counts_are_honoured() {
    let m = SyntheticMarket::new(3, 5);
    // Sunday: the last bar is Friday's.
    let sunday = at(2024, 7, 21, 15);
    let h = m.history_at("SYN0002", 10, sunday).unwrap();
    assert_eq!(h.len(), 10);
    assert_eq!(h.last_date().unwrap().to_string(), "2024-07-19");
    use chrono::Datelike;
    assert!(h
        .dates()
        .iter()
        .all(|d| d.weekday().num_days_from_monday() < 5));
    assert_eq!(m.history_at("SYN0002", 0, sunday).unwrap().len(), 0);
    // Before the epoch there is nothing.
    let err = m.history_at("SYN0002", 10, at(1999, 6, 1, 12)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // Right after the epoch only the sessions that exist.
    assert_eq!(
        m.history_at("SYN0002", 10, at(2000, 1, 4, 22))
            .unwrap()
            .len(),
        2
    );
    // …too few for a chain: a per-symbol DataSource error, not a panic.
    let e = m.chain_at("SYN0002", at(2000, 1, 4, 22)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DataSource);
}

#[test]
fn unknown_and_lookalike_symbols_are_not_found() {
    let m = SyntheticMarket::new(1, 10);
    for s in ["SYN0010", "AAPL", "SYN1", "syn0001", ""] {
        let e = m.history_at(s, 5, at(2024, 1, 5, 20)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{s}");
        assert_eq!(
            m.chain_at(s, at(2024, 1, 5, 20)).unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }
}

#[test]
fn chains_match_their_history_and_quality_mix_is_realistic() {
    let m = SyntheticMarket::new(7, 200);
    // Wednesday 2024-07-17 14:00 New York: mid-session, so quote times are capped at as_of.
    let as_of = at(2024, 7, 17, 18);
    let (mut liquid, mut illiquid, mut index_like) = (0, 0, 0);
    for s in m.symbols() {
        let h = m.history_at(&s, 5, as_of).unwrap();
        let c = m.chain_at(&s, as_of).unwrap();
        assert_eq!(c.spot, h.last_close().unwrap(), "{s}");
        assert_eq!(c.dividend_yield, m.dividend_yield(&s).unwrap());
        assert!(c.as_of <= as_of);
        assert!(c.quotes.iter().all(|q| q.quote_time.unwrap() <= as_of));
        let atm_volume: u64 = c
            .quotes
            .iter()
            .filter(|q| (q.strike / c.spot - 1.0).abs() < 0.05)
            .map(|q| q.volume)
            .max()
            .unwrap_or(0);
        if atm_volume > 100 {
            liquid += 1;
        } else {
            illiquid += 1;
        }
        index_like += usize::from(m.is_index_like(&s).unwrap());
    }
    // Liquidity gates (volume > 100) must have names to pass and names to reject.
    assert!(
        liquid >= 40 && illiquid >= 40,
        "liquid {liquid}, illiquid {illiquid}"
    );
    assert!(index_like >= 2, "index-like {index_like}");
}

#[test]
fn prices_spread_from_a_few_dollars_to_hundreds() {
    let m = SyntheticMarket::new(21, 400);
    let as_of = at(2025, 6, 13, 21);
    let spots: Vec<f64> = m
        .symbols()
        .iter()
        .map(|s| m.history_at(s, 1, as_of).unwrap().last_close().unwrap())
        .collect();
    // Anchors are kept within $3–$900; the bridges between them may stray a little.
    let inside = spots.iter().filter(|p| (3.0..=900.0).contains(*p)).count();
    assert!(
        inside as f64 >= 0.94 * spots.len() as f64,
        "{inside} of {}",
        spots.len()
    );
    assert!(
        spots.iter().all(|p| (1.0..=2000.0).contains(p)),
        "{spots:?}"
    );
    assert!(spots.iter().any(|p| *p < 10.0) && spots.iter().any(|p| *p > 300.0));
}

#[tokio::test]
async fn trait_object_reports_synthetic_provenance() {
    let m: Box<dyn MarketData> = Box::new(SyntheticMarket::new(5, 12));
    assert_eq!(m.name(), "synthetic");
    let u = m.universe().await.unwrap();
    assert_eq!(u.len(), 12);
    assert_eq!(u[0], "SYN0000");
    assert!(u.iter().all(|s| s.starts_with("SYN")));
    let as_of = at(2023, 3, 10, 22);
    let h = m.price_history(&u[3], 30, as_of).await.unwrap();
    let c = m.option_chain(&u[3], as_of).await.unwrap();
    assert_eq!(h.len(), 30);
    assert_eq!(c.underlying, u[3]);
    assert!(!c.quotes.is_empty());
}
