//! Signals on synthetic trends and ranges point the expected way: an uptrend is bullish, a
//! downtrend bearish, a range neutral; rich puts read bearish and call-heavy flow bullish;
//! and the directional filter drops only the opposite type when the bias is strong.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use scanner_core::model::{OptionKind, OptionQuote, PriceHistory};
use scanner_core::signals::{
    aggregate, legacy_bias, profile_signal, regime, smart_money_flow, swing_signal, FlowInputs,
    Signal,
};

fn history(close: &[f64], volume: &[f64]) -> PriceHistory {
    let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    PriceHistory::new(
        "SIG",
        (0..close.len())
            .map(|i| d0 + Duration::days(i as i64))
            .collect(),
        close.to_vec(),
        close.iter().map(|c| c * 1.005).collect(),
        close.iter().map(|c| c * 0.995).collect(),
        close.to_vec(),
        volume.to_vec(),
    )
    .unwrap()
}

/// A trend of `step` per session with a small deterministic wiggle.
fn trend(step: f64) -> Vec<f64> {
    (0..80)
        .map(|i| 100.0 * (1.0 + step).powi(i) * (1.0 + 0.002 * ((i as f64) * 1.7).sin()))
        .collect()
}

#[test]
fn trends_read_as_trends_and_ranges_as_neutral() {
    let vol = vec![1e6; 80];
    let up = history(&trend(0.01), &vol);
    let down = history(&trend(-0.01), &vol);
    let range: Vec<f64> = (0..80)
        .map(|i| 100.0 + 3.0 * ((i as f64) * 0.8).sin())
        .collect();
    let flat = history(&range, &vol);

    let r_up = regime(&up).unwrap();
    let r_down = regime(&down).unwrap();
    let r_flat = regime(&flat).unwrap();
    assert_eq!(r_up.direction, "bullish", "{:?}", r_up.details);
    assert_eq!(r_down.direction, "bearish", "{:?}", r_down.details);
    assert_eq!(r_flat.direction, "neutral", "{:?}", r_flat.details);
    assert_eq!(r_up.details["regime"], "trending_bullish");

    let z_up = swing_signal(&up, None, None).unwrap().momentum_z;
    let z_down = swing_signal(&down, None, None).unwrap().momentum_z;
    assert_eq!(legacy_bias(z_up, None).direction, "bullish");
    assert_eq!(legacy_bias(z_down, None).direction, "bearish");
    assert_eq!(legacy_bias(0.0, None).direction, "neutral");
}

#[test]
fn swing_risk_rises_with_a_volatility_and_volume_burst() {
    let mut close: Vec<f64> = (0..60)
        .map(|i| 100.0 + 0.2 * ((i as f64) * 0.9).sin())
        .collect();
    let calm = history(&close, &[1e6; 60]);
    let quiet = swing_signal(&calm, None, None).unwrap();
    // The last 8 sessions swing 6% a day on five times the volume.
    for (k, c) in close.iter_mut().skip(52).enumerate() {
        *c = if k % 2 == 0 { 106.0 } else { 100.0 };
    }
    let mut v = vec![1e6; 60];
    v[59] = 5e6;
    let burst = swing_signal(&history(&close, &v), None, None).unwrap();
    assert!(burst.composite_score > quiet.composite_score + 20.0);
    assert_ne!(burst.classification, "calm");
    // Absent inputs are reported, not faked.
    assert!(burst
        .factors
        .iter()
        .any(|f| f.name == "Market Regime" && !f.available));
    assert!(burst
        .factors
        .iter()
        .any(|f| f.name == "News & Catalysts" && !f.available));
}

#[test]
fn breakout_above_the_value_area_on_volume_is_bullish() {
    let mut close: Vec<f64> = (0..30).map(|i| 100.0 + ((i as f64) * 1.3).sin()).collect();
    let mut v = vec![1e6; 30];
    for i in 25..30 {
        close[i] = 108.0 + i as f64 - 25.0;
        v[i] = 3e6;
    }
    let s = profile_signal(&close, &v).unwrap();
    assert_eq!(s.direction, "bullish", "{:?}", s.details);
    let neg: Vec<f64> = close.iter().map(|c| 200.0 - c).collect();
    assert_eq!(profile_signal(&neg, &v).unwrap().direction, "bearish");
}

fn quote(kind: OptionKind, strike: f64, volume: u64) -> OptionQuote {
    OptionQuote {
        contract_symbol: format!("SIG{kind:?}{strike}"),
        underlying: "SIG".into(),
        kind,
        strike,
        expiration: NaiveDate::from_ymd_opt(2024, 4, 19).unwrap(),
        bid: 1.0,
        ask: 1.1,
        last: Some(1.05),
        volume,
        open_interest: 10_000,
        vendor_iv: None,
        quote_time: Some(Utc.with_ymd_and_hms(2024, 3, 20, 15, 0, 0).unwrap()),
        last_trade_time: None,
    }
}

#[test]
fn call_heavy_flow_on_a_rising_day_is_bullish_and_its_mirror_bearish() {
    let calls: Vec<OptionQuote> = (0..4)
        .map(|i| quote(OptionKind::Call, 100.0 + i as f64, 3000))
        .collect();
    let puts: Vec<OptionQuote> = (0..4)
        .map(|i| quote(OptionKind::Put, 100.0 - i as f64, 500))
        .collect();
    let all: Vec<&OptionQuote> = calls.iter().chain(&puts).collect();
    let mut vol: Vec<f64> = (0..40)
        .map(|i| 1e6 * (1.0 + 0.1 * ((i as f64) * 2.1).sin()))
        .collect();
    vol[39] = 3e6; // unusual share volume today
    let bull = smart_money_flow(&FlowInputs {
        quotes: &all,
        share_volume: &vol,
        price_direction: 1.0,
    })
    .unwrap();
    assert_eq!(bull.direction, "bullish", "{:?}", bull.details);
    assert!(
        bull.details["volumeZ"].as_f64().unwrap() > 3.0,
        "z against the own history"
    );
    let calls2: Vec<OptionQuote> = (0..4)
        .map(|i| quote(OptionKind::Call, 100.0 + i as f64, 500))
        .collect();
    let puts2: Vec<OptionQuote> = (0..4)
        .map(|i| quote(OptionKind::Put, 100.0 - i as f64, 3000))
        .collect();
    let all2: Vec<&OptionQuote> = calls2.iter().chain(&puts2).collect();
    let bear = smart_money_flow(&FlowInputs {
        quotes: &all2,
        share_volume: &vol,
        price_direction: -1.0,
    })
    .unwrap();
    assert_eq!(bear.direction, "bearish", "{:?}", bear.details);
}

#[test]
fn aggregate_follows_the_majority_and_discounts_low_confidence() {
    let s = |score: f64, conf: f64| {
        Signal::new(
            "s",
            0.25,
            score,
            conf,
            15.0,
            String::new(),
            serde_json::Value::Null,
        )
    };
    let b = aggregate(vec![s(-60.0, 80.0), s(-40.0, 70.0), s(80.0, 5.0)], vec![]);
    // the bullish signal has confidence ≤ 10 and does not count in the score
    assert!((b.score - (-60.0 * 0.8 - 40.0 * 0.7) / 1.5).abs() < 1e-9);
    assert_eq!(b.preferred(), Some(OptionKind::Put));
}
