//! The original page's contract: the committed golden scans satisfy it, the checker rejects
//! the shapes the original page mis-rendered (so the contract can fail), and a strict scan
//! that finds nothing tells the page relaxed filters would (its "Widen Filters" offer).

mod contract;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use scanner_core::market::SyntheticMarket;
use scanner_core::model::FilterMode;
use scanner_core::scan::{LiquidityGate, ModeSelection, ScanConfig, ScanRequest, Scanner};
use serde_json::{json, Value};

fn golden(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v1")
        .join(format!("{name}.canonical.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn committed_golden_scans_satisfy_the_contract() {
    for name in ["synthetic_seed7_60", "cc0_2017-11-10"] {
        for doc in golden(name) {
            contract::assert_scan_satisfies(name, &doc);
        }
    }
}

/// One violation expected after `edit`, mentioning `needle`.
fn rejects(def: &str, mut doc: Value, edit: impl FnOnce(&mut Value), needle: &str) {
    let root = contract::schema();
    assert!(contract::violations(&root, def, &doc).is_empty());
    edit(&mut doc);
    let mut v = contract::violations(&root, def, &doc);
    if def == "opportunity" {
        v.extend(contract::unit_violations(&doc));
    }
    assert!(
        v.iter().any(|m| m.contains(needle)),
        "expected a violation about {needle}, got {v:?}"
    );
}

#[test]
fn the_checker_rejects_what_the_original_page_mis_rendered() {
    let scan = golden("synthetic_seed7_60").remove(0);
    let opp = scan["opportunities"][0].clone();
    let alloc = "/positionSizing/capitalAllocationExamples/0/allocationPercent";
    // A percent where a fraction is read: "249.0%".
    rejects(
        "opportunity",
        opp.clone(),
        |o| *o.pointer_mut(alloc).unwrap() = json!(2.49),
        "allocationPercent",
    );
    // Still a fraction, but not capital at risk over the portfolio.
    rejects(
        "opportunity",
        opp.clone(),
        |o| *o.pointer_mut(alloc).unwrap() = json!(0.9),
        "allocationPercent",
    );
    rejects(
        "opportunity",
        opp.clone(),
        |o| {
            o["swingSignal"]["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("atr_ratio");
        },
        "atr_ratio: missing",
    );
    rejects(
        "opportunity",
        opp.clone(),
        |o| o["directionalBias"]["signals"] = json!({"momentumZ": 1.0}),
        "signals",
    );
    rejects(
        "opportunity",
        opp.clone(),
        |o| o["backtestValidation"]["maxDrawdownPct"] = json!(847.77),
        "maxDrawdownPct",
    );
    rejects(
        "opportunity",
        opp.clone(),
        |o| {
            o["backtestValidation"]
                .as_object_mut()
                .unwrap()
                .remove("similarTradesFound");
        },
        "similarTradesFound: missing",
    );
    rejects(
        "opportunity",
        opp,
        |o| o["_dataQuality"]["priceTimestamp"] = json!(12),
        "priceTimestamp",
    );
    rejects(
        "scanMetadata",
        scan["metadata"].clone(),
        |m| m["relaxedScan"]["stages"]["liquidity"] = json!(3),
        "liquidity",
    );
}

#[tokio::test]
async fn a_strict_scan_that_finds_nothing_offers_the_relaxed_filters() {
    // No contract can pass this strict gate, so every symbol falls to the relaxed stages.
    let impossible = LiquidityGate {
        min_volume: u64::MAX / 2,
        ..ScanConfig::default().strict_liquidity
    };
    let cfg = ScanConfig {
        filter_mode: ModeSelection::Both,
        strict_liquidity: impossible,
        backtest: false,
        ..ScanConfig::default()
    };
    let as_of = Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap();
    let results = Scanner::new(Arc::new(SyntheticMarket::new(7, 8)), cfg)
        .unwrap()
        .run(ScanRequest {
            as_of: Some(as_of),
            ..ScanRequest::default()
        })
        .await
        .unwrap()
        .results;
    let by_mode = |m: FilterMode| {
        let r = results.iter().find(|r| r.filter_mode == m).unwrap();
        serde_json::to_value(r).unwrap()
    };
    let strict = by_mode(FilterMode::Strict);
    assert_eq!(strict["opportunities"], json!([]));
    let rs = &strict["metadata"]["relaxedScan"];
    // What the page needs to show "Widen Filters".
    assert_eq!(rs["strictMode"], json!(true), "{rs}");
    assert_eq!(rs["available"], json!(true), "{rs}");
    assert_eq!(rs["applied"], json!(false), "{rs}");
    assert!(rs["candidateCount"].as_u64().unwrap() > 0, "{rs}");
    assert_eq!(strict["metadata"]["fallback"], json!(false));
    contract::assert_scan_satisfies("strict, nothing found", &strict);

    let relaxed = by_mode(FilterMode::Relaxed);
    let rr = &relaxed["metadata"]["relaxedScan"];
    assert_eq!(rr["applied"], json!(true), "{rr}");
    assert!(rr["appliedStage"].is_string(), "{rr}");
    assert_eq!(rr["candidateCount"], rs["candidateCount"]);
    assert!(!relaxed["opportunities"].as_array().unwrap().is_empty());
    assert_eq!(
        rr["selectedCount"].as_u64().unwrap(),
        relaxed["opportunities"].as_array().unwrap().len() as u64,
        "every relaxed opportunity came from a relaxed stage"
    );
    contract::assert_scan_satisfies("relaxed after strict found nothing", &relaxed);
}
