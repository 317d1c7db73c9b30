//! `optscan calibrate`: bad usage fails with exit 2 before anything is read or written, and a
//! run on a CC0 subset writes the report, the Markdown tables and the reliability plot.

mod common;

use common::{optscan, stderr, stdout};

#[test]
fn bad_usage_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let out_s = out.to_str().unwrap();
    for args in [
        vec!["calibrate", "--source", "synthetic", "--out", out_s],
        vec![
            "calibrate",
            "--source",
            "csv:x",
            "--split-date",
            "30/06/2016",
            "--out",
            out_s,
        ],
        vec![
            "calibrate",
            "--source",
            "csv:x",
            "--as-of",
            "2015-01-01",
            "--out",
            out_s,
        ],
        vec![
            "calibrate",
            "--source",
            "csv:x",
            "--holdout-every",
            "1",
            "--out",
            out_s,
        ],
    ] {
        let o = optscan(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn a_cc0_subset_gets_a_report_tables_and_a_plot() {
    // `$OPTSCAN_SHARED_DATA`, else `shared/data` beside the repository (as every data test).
    let data = std::env::var_os("OPTSCAN_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
        })
        .join("kaggle-us-stocks-etfs-cc0/Stocks");
    if !data.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the CC0 data set is missing"
        );
        eprintln!("skipped: CC0 data not found at {}", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stocks = dir.path().join("csv/Stocks");
    std::fs::create_dir_all(&stocks).unwrap();
    for t in [
        "aapl", "amzn", "ba", "c", "cat", "f", "ge", "jpm", "ko", "msft", "nflx", "xom",
    ] {
        let name = format!("{t}.us.txt");
        std::fs::copy(data.join(&name), stocks.join(&name)).unwrap();
    }
    let out = dir.path().join("report");
    let source = format!("csv:{}", dir.path().join("csv").display());
    let o = optscan(&[
        "calibrate",
        "--source",
        &source,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("| overall |"), "{}", stdout(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["holdoutSymbols"].as_array().unwrap().len(), 4);
    assert!(
        report["realWorld"]["overall"]["observations"]
            .as_u64()
            .unwrap()
            > 1000
    );
    let svg = std::fs::read_to_string(out.join("reliability.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("real-world"));
}
