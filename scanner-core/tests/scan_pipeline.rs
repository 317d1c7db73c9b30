//! End-to-end behaviour of the scan pipeline on the synthetic market: ranking rules, schema,
//! accounting of every dropped contract, determinism, rotation, failures and cancellation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use scanner_core::market::{MarketData, SyntheticMarket};
use scanner_core::model::{FilterMode, OptionChain, PriceHistory, ScanResult};
use scanner_core::scan::{CancelToken, ModeSelection, ScanConfig, ScanEvent, ScanRequest, Scanner};
use scanner_core::{Error, ErrorKind, Result};

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap()
}

async fn run(
    source: Arc<dyn MarketData>,
    cfg: ScanConfig,
    req: ScanRequest,
) -> Result<scanner_core::scan::ScanOutcome> {
    Scanner::new(source, cfg)?
        .run(ScanRequest {
            as_of: Some(as_of()),
            ..req
        })
        .await
}

fn synthetic(n: usize) -> Arc<dyn MarketData> {
    Arc::new(SyntheticMarket::new(7, n))
}

/// The canonical JSON with the fields that legitimately differ between runs blanked.
fn canonical(r: &ScanResult) -> String {
    let mut v = serde_json::to_value(r).unwrap();
    v["scanId"] = serde_json::json!("");
    v["scanTimestamp"] = serde_json::json!("");
    v["scanDurationSeconds"] = serde_json::json!(0);
    v["metadata"]["stageTimings"] = serde_json::json!({});
    serde_json::to_string_pretty(&v).unwrap()
}

#[tokio::test]
async fn strict_scan_returns_ranked_capped_opportunities_in_the_original_schema() {
    let out = run(synthetic(60), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    assert_eq!(out.results.len(), 1);
    let r = &out.results[0];
    assert_eq!(r.filter_mode, FilterMode::Strict);
    assert!(
        !r.opportunities.is_empty(),
        "a 60-symbol synthetic scan must find something"
    );
    assert!(r.opportunities.len() <= 20);
    assert!(r
        .opportunities
        .windows(2)
        .all(|w| w[0].risk_adjusted_score >= w[1].risk_adjusted_score));
    let mut per_symbol = std::collections::HashMap::new();
    for o in &r.opportunities {
        *per_symbol.entry(&o.symbol).or_insert(0) += 1;
    }
    assert!(per_symbol.values().all(|&n| n <= 5));
    assert_eq!(
        r.symbols_scanned.len(),
        60,
        "symbols_scanned is filled (original bug §12.1)"
    );
    assert_eq!(r.metadata.data_source, "synthetic");
    let json = serde_json::to_value(&r.opportunities[0]).unwrap();
    for key in [
        "symbol",
        "optionType",
        "strike",
        "expiration",
        "premium",
        "bid",
        "ask",
        "volume",
        "openInterest",
        "impliedVolatility",
        "stockPrice",
        "score",
        "confidence",
        "reasoning",
        "catalysts",
        "patterns",
        "riskLevel",
        "potentialReturn",
        "potentialReturnAmount",
        "maxReturn",
        "maxReturnAmount",
        "maxLoss",
        "maxLossAmount",
        "maxLossPercent",
        "breakeven",
        "breakevenPrice",
        "breakevenMovePercent",
        "ivRank",
        "volumeRatio",
        "probabilityOfProfit",
        "greeks",
        "daysToExpiration",
        "returnsAnalysis",
        "historicalContext",
        "_dataQuality",
        "positionSizing",
        "riskAdjustedScore",
        "enhancedProbabilityOfProfit",
        "enhancedExpectedValue",
        "enhancedTags",
        "enhancedAnalysis",
        "qualityLane",
        "tradeSummary",
    ] {
        assert!(json.get(key).is_some(), "opportunity JSON lacks {key}");
    }
}

#[tokio::test]
async fn one_probability_of_profit_and_consistent_units() {
    let out = run(synthetic(30), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    for o in &out.results[0].opportunities {
        let enhanced = o.details["enhancedProbabilityOfProfit"].as_f64().unwrap();
        assert!(
            (o.probability_of_profit - enhanced).abs() < 0.01,
            "two PoPs disagree (original bug §12.21)"
        );
        let per_share_loss = o.details["enhancedAnalysis"]["probabilityAnalysis"]["maxLoss"]
            .as_f64()
            .unwrap();
        assert!(
            (per_share_loss * 100.0 - o.premium).abs() < 0.02,
            "premium is per contract, maxLoss inside per share"
        );
        assert_eq!(o.details["returnsAnalysis"].as_array().unwrap().len(), 9);
    }
}

#[tokio::test]
async fn every_fetched_contract_is_accounted_for() {
    let out = run(
        synthetic(40),
        ScanConfig {
            filter_mode: ModeSelection::Both,
            ..ScanConfig::default()
        },
        ScanRequest::default(),
    )
    .await
    .unwrap();
    for r in &out.results {
        let m = &r.metadata;
        let returned = r.opportunities.len() as u64;
        let dropped: u64 = m
            .rejections
            .0
            .iter()
            .filter(|(stage, _)| *stage != "symbols")
            .flat_map(|(_, v)| v.values())
            .sum();
        assert_eq!(
            dropped + returned,
            m.total_options,
            "{}: {:?}",
            r.filter_mode,
            m.rejections
        );
    }
}

#[tokio::test]
async fn both_modes_come_from_one_pass_and_match_single_mode_scans() {
    let both = run(
        synthetic(20),
        ScanConfig {
            filter_mode: ModeSelection::Both,
            ..ScanConfig::default()
        },
        ScanRequest::default(),
    )
    .await
    .unwrap();
    let strict = run(synthetic(20), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    let relaxed = run(synthetic(20), ScanConfig::relaxed(), ScanRequest::default())
        .await
        .unwrap();
    assert_eq!(both.results.len(), 2);
    assert_eq!(canonical(&both.results[0]), canonical(&strict.results[0]));
    assert_eq!(canonical(&both.results[1]), canonical(&relaxed.results[0]));
}

#[tokio::test]
async fn same_inputs_give_byte_identical_canonical_json() {
    let a = run(synthetic(25), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    let b = run(synthetic(25), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    assert_eq!(canonical(&a.results[0]), canonical(&b.results[0]));
}

#[tokio::test]
async fn rotation_advances_through_the_universe() {
    let cfg = ScanConfig {
        max_symbols: Some(15),
        ..ScanConfig::default()
    };
    let first = run(synthetic(60), cfg.clone(), ScanRequest::default())
        .await
        .unwrap();
    assert_eq!(first.next_rotation_position, 15);
    let second = run(
        synthetic(60),
        cfg,
        ScanRequest {
            rotation_position: 15,
            ..ScanRequest::default()
        },
    )
    .await
    .unwrap();
    let a: std::collections::BTreeSet<_> = first.results[0].symbols_scanned.iter().collect();
    assert!(
        second.results[0]
            .symbols_scanned
            .iter()
            .all(|s| !a.contains(s)),
        "the second run scans new symbols"
    );
}

/// Wraps a source and fails or stalls chosen symbols.
struct Flaky {
    inner: SyntheticMarket,
    fail: String,
    stall: String,
    calls: AtomicUsize,
}

#[async_trait]
impl MarketData for Flaky {
    fn name(&self) -> &str {
        "flaky"
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
        self.calls.fetch_add(1, Ordering::SeqCst);
        if symbol == self.fail {
            return Err(Error::not_found(format!("{symbol}: no such symbol")));
        }
        if symbol == self.stall {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
        self.inner.price_history(symbol, sessions, as_of).await
    }
    async fn option_chain(&self, symbol: &str, as_of: DateTime<Utc>) -> Result<OptionChain> {
        self.inner.option_chain(symbol, as_of).await
    }
}

#[tokio::test]
async fn failed_and_slow_symbols_are_reported_not_fatal() {
    let inner = SyntheticMarket::new(7, 12);
    let u = inner.universe().await.unwrap();
    let flaky = Arc::new(Flaky {
        inner,
        fail: u[0].clone(),
        stall: u[1].clone(),
        calls: AtomicUsize::new(0),
    });
    let cfg = ScanConfig {
        symbol_deadline_secs: 0.3,
        ..ScanConfig::default()
    };
    let out = run(flaky, cfg, ScanRequest::default()).await.unwrap();
    let m = &out.results[0].metadata;
    let kinds: Vec<_> = m
        .failed_symbols
        .iter()
        .map(|f| (f.symbol.as_str(), f.kind.as_str()))
        .collect();
    assert!(kinds.contains(&(u[0].as_str(), "NotFound")), "{kinds:?}");
    assert!(kinds.contains(&(u[1].as_str(), "Timeout")), "{kinds:?}");
    assert_eq!(out.results[0].symbols_scanned.len(), 10);
    assert_eq!(m.rejections.count("symbols", "NotFound"), 1);
}

#[tokio::test]
async fn progress_reports_every_symbol_and_cancellation_stops_the_scan() {
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let progress: scanner_core::scan::ProgressFn =
        Arc::new(move |e: &ScanEvent| sink.lock().unwrap().push(e.clone()));
    run(
        synthetic(10),
        ScanConfig::default(),
        ScanRequest {
            progress: Some(progress),
            ..ScanRequest::default()
        },
    )
    .await
    .unwrap();
    let symbol_events = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, ScanEvent::Symbol { .. }))
        .count();
    assert_eq!(symbol_events, 10);

    let cancel = CancelToken::default();
    cancel.cancel();
    let err = run(
        synthetic(10),
        ScanConfig::default(),
        ScanRequest {
            cancel,
            ..ScanRequest::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
}

#[tokio::test]
async fn a_saved_scan_round_trips_through_the_cache_exactly() {
    use scanner_core::cache::{ScanStore, StoreOptions};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rt.db").display());
    let store = ScanStore::open(Some(&url), StoreOptions::default())
        .await
        .unwrap();
    let out = run(synthetic(10), ScanConfig::strict(), ScanRequest::default())
        .await
        .unwrap();
    let saved = &out.results[0];
    store.save(saved).await.unwrap();
    // As of a fixed past date, so it is kept as a historical scan: read it back by id.
    let back = store
        .get(saved.scan_id)
        .await
        .unwrap()
        .expect("the saved scan");
    // The candidate set is stored apart (read by `screen`), never with the document.
    assert!(!saved.candidates.is_empty() && back.result.candidates.is_empty());
    let mut document = saved.clone();
    document.candidates = Default::default();
    assert_eq!(back.result, document);
    assert!(store
        .latest(FilterMode::Strict, None)
        .await
        .unwrap()
        .is_none());
}
