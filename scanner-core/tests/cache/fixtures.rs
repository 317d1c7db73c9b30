//! Scan results built by hand, so a round trip can be compared field by field.

use chrono::{DateTime, Duration, Utc};
use scanner_core::model::{
    FailedSymbol, FilterMode, Opportunity, OptionKind, ScanMetadata, ScanResult,
};
use serde_json::json;

/// Now minus `minutes`, at microsecond precision (what both databases store).
pub fn minutes_ago(minutes: f64) -> DateTime<Utc> {
    let t = Utc::now() - Duration::microseconds((minutes * 60e6) as i64);
    DateTime::from_timestamp_micros(t.timestamp_micros()).expect("in range")
}

pub fn opportunity(i: usize) -> Opportunity {
    let mut details = serde_json::Map::new();
    details.insert(
        "greeks".into(),
        json!({"delta": 0.5631097179260998, "gamma": 0.022010250159397168, "theta": -0.0224, "vega": 0.275}),
    );
    details.insert("tags".into(), json!(["high_iv", format!("rank{i}")]));
    details.insert("breakeven".into(), json!(105.25 + i as f64));
    // Text that must survive inlining as a literal: quotes, backslashes, placeholders, NUL
    // escapes are not allowed in jsonb, but everything else is.
    details.insert(
        "reasoning".into(),
        json!([format!(
            "it's $1 or $12 \\ \"quoted\" E'x' $$ {i} ünïcode 📈"
        )]),
    );
    Opportunity {
        symbol: format!("SYM{}", i % 7),
        option_type: if i.is_multiple_of(2) {
            OptionKind::Call
        } else {
            OptionKind::Put
        },
        contract_symbol: format!("SYM{}261218C{:08}", i % 7, 100_000 + i),
        strike: 100.0 + i as f64 * 2.5,
        expiration: "2026-12-18".into(),
        premium: 525.0,
        bid: 520.0,
        ask: 530.0,
        volume: 1_500 + i as u64,
        open_interest: 12_000,
        implied_volatility: 0.3125,
        stock_price: 101.37,
        score: 87.5,
        risk_adjusted_score: 71.25,
        probability_of_profit: 43.75,
        probability_of_profit_risk_neutral: None,
        days_to_expiration: 19,
        details,
    }
}

/// A scan of `mode` with `n` opportunities taken at `ts`.
pub fn scan(mode: FilterMode, n: usize, ts: DateTime<Utc>) -> ScanResult {
    let mut metadata = ScanMetadata {
        fetched_at: Some(ts),
        data_source: "synthetic".into(),
        filter_mode: mode,
        requested_symbols: vec!["AAPL".into(), "MSFT".into(), "ZZZZ".into()],
        symbols: vec!["AAPL".into(), "MSFT".into()],
        symbol_count: 2,
        total_options: 4_200,
        total_evaluated: 1_234,
        opportunity_count: n as u64,
        failed_symbols: vec![FailedSymbol {
            symbol: "ZZZZ".into(),
            kind: "NotFound".into(),
            reason: "no such ticker".into(),
        }],
        ..ScanMetadata::default()
    };
    metadata.rejections.add("liquidity", "volume<=100", 17);
    metadata.stage_timings.insert("fetch".into(), 1.5);
    metadata.calibration_metrics = json!({"brier": 0.21});
    metadata
        .extra
        .insert("relaxedScan".into(), json!({"applied": false}));
    ScanResult {
        scan_id: uuid::Uuid::new_v4(),
        scan_timestamp: ts,
        filter_mode: mode,
        opportunities: (0..n).map(opportunity).collect(),
        total_evaluated: 1_234,
        symbols_scanned: vec!["AAPL".into(), "MSFT".into()],
        scan_duration_seconds: 12.5,
        metadata,
        candidates: Default::default(),
    }
}

/// A scan in which every symbol failed.
pub fn degraded(mode: FilterMode, ts: DateTime<Utc>) -> ScanResult {
    let mut s = scan(mode, 0, ts);
    s.symbols_scanned.clear();
    s.metadata.symbols.clear();
    s
}
