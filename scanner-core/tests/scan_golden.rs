//! Golden scans: the whole pipeline's canonical JSON on fixed inputs, compared byte for byte
//! with `tests/fixtures/v1/*.canonical.json`. Regenerate deliberately with
//! `OPTSCAN_UPDATE_GOLDEN=1 cargo test -p optscan-core --test scan_golden` and review the diff.
//! Every scan is also checked against the original page's contract (`contract/mod.rs`).

mod contract;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use scanner_core::market::{CsvMarket, MarketData, SyntheticMarket};
use scanner_core::model::ScanResult;
use scanner_core::scan::{ModeSelection, ScanConfig, ScanRequest, Scanner};

fn canonical(results: &[ScanResult]) -> String {
    let docs: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap();
            v["scanId"] = serde_json::json!("");
            v["scanTimestamp"] = serde_json::json!("");
            v["scanDurationSeconds"] = serde_json::json!(0);
            v["metadata"]["stageTimings"] = serde_json::json!({});
            v
        })
        .collect();
    serde_json::to_string_pretty(&docs).unwrap() + "\n"
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v1")
        .join(format!("{name}.canonical.json"));
    if std::env::var_os("OPTSCAN_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set OPTSCAN_UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from its golden file at line {}:\n  golden: {:?}\n  actual: {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

async fn scan(source: Arc<dyn MarketData>, as_of: chrono::DateTime<Utc>) -> Vec<ScanResult> {
    let cfg = ScanConfig {
        filter_mode: ModeSelection::Both,
        ..ScanConfig::default()
    };
    Scanner::new(source, cfg)
        .unwrap()
        .run(ScanRequest {
            as_of: Some(as_of),
            ..ScanRequest::default()
        })
        .await
        .unwrap()
        .results
}

#[tokio::test]
async fn synthetic_seed_7_sixty_symbols() {
    let as_of = Utc.with_ymd_and_hms(2024, 6, 12, 18, 0, 0).unwrap();
    let results = scan(Arc::new(SyntheticMarket::new(7, 60)), as_of).await;
    satisfy_contract("synthetic", &results);
    check("synthetic_seed7_60", &canonical(&results));
}

fn satisfy_contract(label: &str, results: &[ScanResult]) {
    assert_eq!(results.len(), 2, "{label}: strict and relaxed");
    for r in results {
        assert!(
            !r.opportunities.is_empty(),
            "{label}: an empty scan proves nothing"
        );
        let doc = serde_json::to_value(r).unwrap();
        contract::assert_scan_satisfies(&format!("{label} {}", r.filter_mode), &doc);
    }
}

fn shared_data() -> PathBuf {
    std::env::var_os("OPTSCAN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"))
}

#[tokio::test]
async fn cc0_set_as_of_2017_11_10() {
    let dir = shared_data().join("kaggle-us-stocks-etfs-cc0");
    if !dir.exists() {
        // CI must run the real-data scan: a missing data set there is a failure, not a skip.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is absent and CI=true: the real-data golden scan and contract check cannot run",
            dir.display()
        );
        eprintln!(
            "skipped: {} is absent (real-data golden scan and contract check)",
            dir.display()
        );
        return;
    }
    let as_of = Utc.with_ymd_and_hms(2017, 11, 10, 21, 0, 0).unwrap();
    let source = Arc::new(CsvMarket::open(&dir).unwrap());
    let results = scan(source, as_of).await;
    satisfy_contract("cc0", &results);
    // The CC0 set has SPY and VXX: the swing panel's market rows must show real numbers.
    let ctx = &results[0].opportunities[0].details["swingSignal"]["metadata"]["market_context"];
    assert!(
        ctx["vix_ratio"].is_f64() && ctx["spy_return_5d"].is_f64(),
        "{ctx}"
    );
    check("cc0_2017-11-10", &canonical(&results));
}
