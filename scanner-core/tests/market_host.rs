//! Host data and `MemoryMarket`: the same bars and chain snapshots read by `CsvMarket` from
//! files and handed over as tables (records and columns, as Python and Node do) give the
//! same opportunities; bad shapes are errors that name the column.

use std::path::PathBuf;
use std::sync::Arc;

use scanner_core::market::host::{ChainTable, Column, Table};
use scanner_core::market::{CsvMarket, MarketData, MemoryMarket};
use scanner_core::scan::{ScanConfig, ScanRequest, Scanner};
use serde_json::{json, Map, Value};

const AS_OF: &str = "2024-06-14T20:00:00Z";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host_market")
}

/// A CSV file as `(header, rows)`: enough for the fixture, which has no quoting.
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn cell(s: &str) -> Value {
    s.parse::<f64>()
        .map(|x| json!(x))
        .unwrap_or_else(|_| json!(s))
}

/// The fixture as a MemoryMarket document: histories as columns, chains as records with
/// the yfinance-style names the Python and Node hosts use.
fn memory_document() -> Value {
    let (mut histories, mut chains) = (Map::new(), Map::new());
    for sym in ["ALFA", "BRAV", "CHAR", "DELT"] {
        let (h, rows) = read_csv(&fixture().join(format!("{sym}.csv")));
        let mut cols = Map::new();
        for (i, name) in h.iter().enumerate() {
            cols.insert(
                name.to_uppercase(),
                rows.iter().map(|r| cell(&r[i])).collect(),
            );
        }
        histories.insert(sym.into(), Value::Object(cols));
        let (h, rows) = read_csv(&fixture().join(format!("chains/{sym}.csv")));
        fn rename(n: &str) -> &str {
            match n {
                "kind" => "optionType",
                "last" => "lastPrice",
                "open_interest" => "openInterest",
                "iv" => "impliedVolatility",
                other => other,
            }
        }
        let quotes: Vec<Value> = rows
            .iter()
            .map(|r| {
                let rec: Map<String, Value> = h
                    .iter()
                    .zip(r)
                    .filter(|(n, _)| !matches!(n.as_str(), "as_of" | "underlying" | "spot"))
                    .map(|(n, v)| (rename(n).to_owned(), cell(v)))
                    .collect();
                Value::Object(rec)
            })
            .collect();
        let spot = cell(&rows[0][2]);
        chains.insert(
            sym.into(),
            json!({"spot": spot, "asOf": AS_OF, "quotes": quotes}),
        );
    }
    json!({"histories": histories, "chains": chains})
}

async fn scan(source: Arc<dyn MarketData>) -> Value {
    let cfg = ScanConfig {
        backtest: true,
        ..ScanConfig::default()
    };
    let scanner = Scanner::new(source, cfg).unwrap();
    let req = ScanRequest {
        as_of: Some(AS_OF.parse().unwrap()),
        ..Default::default()
    };
    let out = scanner.run(req).await.unwrap();
    let r = &out.results[0];
    assert!(
        r.metadata.failed_symbols.is_empty(),
        "{:?}",
        r.metadata.failed_symbols
    );
    serde_json::to_value(&r.opportunities).unwrap()
}

#[tokio::test]
async fn memory_market_matches_csv_market_on_the_same_data() {
    let csv = scan(Arc::new(CsvMarket::open(fixture()).unwrap())).await;
    let mem = scan(Arc::new(
        MemoryMarket::from_value(memory_document()).unwrap(),
    ))
    .await;
    assert!(
        csv.as_array().is_some_and(|a| !a.is_empty()),
        "the fixture must yield opportunities"
    );
    assert_eq!(csv, mem);
}

/// The opportunities every host must reproduce from this fixture (default configuration,
/// as-of [`AS_OF`]): written by the CsvMarket path here, read by the Python and Node golden
/// tests. `UPDATE_GOLDEN=1` rewrites it after an intended change to scanning.
const GOLDEN: &str = "expected_opportunities.json";

#[tokio::test]
async fn csv_market_reproduces_the_shared_golden_file() {
    let scanner = Scanner::new(
        Arc::new(CsvMarket::open(fixture()).unwrap()),
        ScanConfig::default(),
    )
    .unwrap();
    let req = ScanRequest {
        as_of: Some(AS_OF.parse().unwrap()),
        ..Default::default()
    };
    let out = scanner.run(req).await.unwrap();
    let got = serde_json::to_value(&out.results[0].opportunities).unwrap();
    assert!(got.as_array().is_some_and(|a| a.len() >= 3), "{got}");
    let path = fixture().join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        got, want,
        "rerun with UPDATE_GOLDEN=1 if scanning changed on purpose"
    );
}

#[test]
fn wrong_shapes_name_the_column() {
    let mut doc = memory_document();
    doc["histories"]["ALFA"]["CLOSE"][3] = json!("n/a");
    let err = MemoryMarket::from_value(doc).unwrap_err();
    assert!(err.message().contains("column `CLOSE` row 3"), "{err}");

    let chain = ChainTable::from_value(json!({"spot": 10, "quotes": [{"strike": 10}]})).unwrap();
    let err = chain.into_chain("ABC", AS_OF.parse().unwrap()).unwrap_err();
    assert!(err.message().contains("contractSymbol"), "{err}");

    let chain = ChainTable::from_value(json!({"spot": 10, "quotes": [
        {"contractSymbol": "ABC240719C00010000", "strike": 10, "bid": "cheap"}]}))
    .unwrap();
    let err = chain.into_chain("ABC", AS_OF.parse().unwrap()).unwrap_err();
    assert!(err.message().contains("column `bid` row 0"), "{err}");
    assert_eq!(err.kind(), scanner_core::ErrorKind::InvalidInput);
}

#[test]
fn occ_symbols_supply_kind_and_expiration() {
    let mut t = Table::new();
    t.push(
        "contractSymbol",
        Column::Values(vec![json!("ABC240719P00012500")]),
    )
    .unwrap();
    t.push("strike", Column::Numbers(vec![12.5])).unwrap();
    t.push("volume", Column::Numbers(vec![f64::NAN])).unwrap();
    let c = ChainTable {
        spot: Some(12.0),
        quotes: t,
        ..Default::default()
    };
    let chain = c.into_chain("ABC", AS_OF.parse().unwrap()).unwrap();
    let q = &chain.quotes[0];
    assert_eq!(
        (q.kind.as_str(), q.expiration.to_string(), q.volume),
        ("put", "2024-07-19".into(), 0)
    );
}

#[tokio::test]
async fn timeless_chains_take_the_scan_as_of_and_histories_are_cut() {
    let mut doc = memory_document();
    doc["chains"]["ALFA"]
        .as_object_mut()
        .unwrap()
        .remove("asOf");
    let m = MemoryMarket::from_value(doc).unwrap();
    let later = "2024-07-01T20:00:00Z".parse().unwrap();
    assert_eq!(m.option_chain("ALFA", later).await.unwrap().as_of, later);
    let early = "2024-06-01T20:00:00Z".parse().unwrap();
    assert!(
        m.option_chain("BRAV", early).await.is_err(),
        "no snapshot before its as-of"
    );
    let h = m.price_history("ALFA", 10, early).await.unwrap();
    assert_eq!(h.last_date().unwrap().to_string(), "2024-05-31");
}
