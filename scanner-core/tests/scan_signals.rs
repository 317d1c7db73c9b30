//! Signals, backtests and calibration inside the scan: no look-ahead (a scan as of day t is
//! unchanged when every bar after t is altered), the directional filter keeps only the
//! preferred type when the bias is strong, and finalists carry their validation.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use scanner_core::calendar::ny_date;
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::model::{OptionChain, PriceHistory, ScanResult};
use scanner_core::scan::{ScanConfig, ScanRequest, Scanner, FILTER_CONFIDENCE, FILTER_SCORE};
use scanner_core::Result;

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap()
}

/// Serves histories fetched as of 120 days after the scan date, with every bar after the
/// scan's date scaled by `factor`, cut to what the caller asks for.
struct Altered {
    inner: SyntheticMarket,
    factor: f64,
}

#[async_trait]
impl MarketData for Altered {
    fn name(&self) -> &str {
        "altered"
    }
    async fn universe(&self) -> Result<Vec<String>> {
        self.inner.universe().await
    }
    async fn price_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let full = self
            .inner
            .price_history(symbol, sessions + 200, as_of + Duration::days(120))
            .await?;
        let cut = ny_date(as_of);
        let f = |v: &[f64], scale: bool| -> Vec<f64> {
            v.iter()
                .zip(full.dates())
                .map(|(x, d)| {
                    if *d > cut && scale {
                        x * self.factor
                    } else {
                        *x
                    }
                })
                .collect()
        };
        let altered = PriceHistory::new(
            symbol,
            full.dates().to_vec(),
            f(full.open(), true),
            f(full.high(), true),
            f(full.low(), true),
            f(full.close(), true),
            f(full.volume(), true),
        )?;
        Ok(altered.truncated(cut, sessions))
    }
    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        self.inner.option_chain(symbol, as_of).await
    }
}

fn canonical(r: &ScanResult) -> String {
    let mut v = serde_json::to_value(r).unwrap();
    v["scanId"] = serde_json::json!("");
    v["scanTimestamp"] = serde_json::json!("");
    v["scanDurationSeconds"] = serde_json::json!(0);
    v["metadata"]["stageTimings"] = serde_json::json!({});
    serde_json::to_string_pretty(&v).unwrap()
}

async fn scan(source: Arc<dyn MarketData>) -> ScanResult {
    let s = Scanner::new(source, ScanConfig::strict()).unwrap();
    let mut out = s
        .run(ScanRequest {
            as_of: Some(as_of()),
            ..ScanRequest::default()
        })
        .await
        .unwrap();
    out.results.remove(0)
}

#[tokio::test]
async fn a_scan_as_of_t_ignores_everything_after_t() {
    let plain = scan(Arc::new(Altered {
        inner: SyntheticMarket::new(7, 12),
        factor: 1.0,
    }))
    .await;
    let altered = scan(Arc::new(Altered {
        inner: SyntheticMarket::new(7, 12),
        factor: 1.7,
    }))
    .await;
    assert!(!plain.opportunities.is_empty());
    assert!(plain.opportunities[0]
        .details
        .get("backtestValidation")
        .is_some());
    // The real-world probabilities are part of what must not move.
    for o in &plain.opportunities {
        let rn = o
            .probability_of_profit_risk_neutral
            .expect("risk-neutral PoP");
        assert_eq!(
            o.details["enhancedAnalysis"]["probabilityAnalysis"]["method"],
            "real_world_fhs"
        );
        assert!((0.0..=100.0).contains(&rn));
    }
    assert!(plain
        .opportunities
        .iter()
        .any(|o| Some(o.probability_of_profit) != o.probability_of_profit_risk_neutral));
    assert_eq!(canonical(&plain), canonical(&altered));
}

#[tokio::test]
async fn strong_biases_keep_only_the_preferred_type_and_finalists_carry_validation() {
    let r = scan(Arc::new(SyntheticMarket::new(7, 30))).await;
    let m = &r.metadata;
    assert_eq!(m.calibration_metrics["available"], true);
    let brier = m.calibration_metrics["overall"]["brierScore"]
        .as_f64()
        .unwrap();
    assert!(brier > 0.0 && brier < 0.5, "{brier}");
    for o in &r.opportunities {
        let e = &o.details["enhancedDirectionalBias"];
        let (score, conf) = (
            e["score"].as_f64().unwrap(),
            e["confidence"].as_f64().unwrap(),
        );
        let preferred = match (
            e["direction"].as_str(),
            o.details["directionalBias"]["direction"].as_str(),
        ) {
            (Some("bullish"), _) | (Some("neutral"), Some("bullish")) => Some("call"),
            (Some("bearish"), _) | (Some("neutral"), Some("bearish")) => Some("put"),
            _ => None,
        };
        if score.abs() > FILTER_SCORE || conf > FILTER_CONFIDENCE {
            if let Some(p) = preferred {
                assert_eq!(o.option_type.as_str(), p, "{}", o.contract_symbol);
            }
        }
        let bt = &o.details["backtestValidation"];
        assert!(bt["trades"].as_u64().is_some(), "{}", o.contract_symbol);
        assert!(o.details["swingSignal"]["compositeScore"].is_number());
    }
    assert!(m.rejections.count("contract_gates", "directional_filter") > 0);
}

#[tokio::test]
async fn backtest_and_signals_can_be_switched_off() {
    let cfg: ScanConfig = serde_json::from_str(r#"{"backtest": false, "signals": false}"#).unwrap();
    assert_eq!(cfg.backtest_lookback_sessions, 252);
    let s = Scanner::new(Arc::new(SyntheticMarket::new(7, 10)), cfg).unwrap();
    let out = s
        .run(ScanRequest {
            as_of: Some(as_of()),
            ..ScanRequest::default()
        })
        .await
        .unwrap();
    let r = &out.results[0];
    assert_eq!(r.metadata.calibration_metrics["available"], false);
    assert_eq!(
        r.metadata
            .rejections
            .count("contract_gates", "directional_filter"),
        0
    );
    for o in &r.opportunities {
        assert!(o.details.get("backtestValidation").is_none());
        assert!(o.details.get("swingSignal").is_none());
    }
}
