//! CsvMarket on small hand-made folders: both history layouts, gzip, skipped-row
//! accounting, chain snapshots (CSV and JSON) with as_of selection, and no look-ahead.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use scanner_core::market::{
    ChainSource, CsvMarket, CsvMarketOptions, MarketData, Origin, QuoteSource,
};
use scanner_core::ErrorKind;

fn weekdays(n: usize) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut v = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    while v.len() < n {
        if d.weekday().num_days_from_monday() < 5 {
            v.push(d);
        }
        d += Duration::days(1);
    }
    v
}

fn cc0_file(n: usize, base: f64) -> String {
    let mut s = String::from("Date,Open,High,Low,Close,Volume,OpenInt\r\n");
    for (i, d) in weekdays(n).iter().enumerate() {
        let c = base + (i % 7) as f64 * 0.5;
        s += &format!(
            "{d},{c},{},{},{c},{},0\r\n",
            c + 1.0,
            c - 1.0,
            1_000_000 + i
        );
    }
    s
}

fn write(p: &Path, body: &[u8]) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn gz(body: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(body.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn at(d: &str, h: u32) -> DateTime<Utc> {
    let d: NaiveDate = d.parse().unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(h, 0, 0).unwrap())
}

#[test]
fn loads_both_layouts_and_counts_every_skipped_row() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("Stocks/abc.us.txt"),
        cc0_file(60, 20.0).as_bytes(),
    );
    write(
        &root.join("ETFs/xyz.us.txt"),
        cc0_file(40, 200.0).as_bytes(),
    );
    // Generic, gzipped, columns shuffled, with a ticker column holding two symbols and
    // five bad rows of different kinds plus a duplicate date.
    let mut g = String::from("Volume,Ticker,Close,Date,High,Open,Low\n");
    for d in weekdays(30) {
        g += &format!("100,Q1,10,{d},11,10,9\n100,q2,20,{d},21,20,19\n");
    }
    g += "100,Q1,10,2024-13-01,11,10,9\n"; // bad_date
    g += "100,Q1,ten,2024-03-01,11,10,9\n"; // bad_number
    g += "100,Q1,10,2024-03-04,11,10,-9\n"; // non_positive_price
    g += "100,Q1,12,2024-03-05,11,10,9\n"; // ohlc_inconsistent
    g += "100,,10,2024-03-06,11,10,9\n"; // missing_field (ticker)
    g += "100,Q1,10,2024-01-02,11,10,9\n"; // duplicate_date
                                           // Beside the CC0 layout top-level files are manifests and ignored.
    write(
        &root.join("tickers.csv"),
        b"ticker,kind,rows\nABC,Stocks,60\n",
    );
    let cc0 = CsvMarket::open(root).unwrap();
    assert_eq!(cc0.symbols(), vec!["ABC", "XYZ"]);
    assert_eq!(cc0.full_history("ABC").unwrap().len(), 60);
    assert_eq!(cc0.rejections().total(), 0);
    let generic = tempfile::tempdir().unwrap();
    write(&generic.path().join("multi.csv.gz"), &gz(&g));
    write(
        &generic.path().join("broken.csv"),
        b"no,header,here\n1,2,3\n",
    );
    let m = CsvMarket::open(generic.path()).unwrap();
    assert_eq!(m.symbols(), vec!["Q1", "Q2"]);
    assert_eq!(m.full_history("Q1").unwrap().len(), 30);
    let rej = m.rejections();
    for reason in [
        "bad_date",
        "bad_number",
        "non_positive_price",
        "ohlc_inconsistent",
        "missing_field",
        "duplicate_date",
        "unreadable_file",
    ] {
        assert_eq!(rej.count("load", reason), 1, "{reason}: {rej:?}");
    }
    assert_eq!(rej.total(), 7);
    for r in m.load_reports() {
        assert_eq!(r.rows_read, r.rows_kept + r.skipped(), "{}", r.file);
    }
    let multi = m
        .load_reports()
        .iter()
        .find(|r| r.file == "multi.csv.gz")
        .unwrap();
    assert_eq!((multi.rows_read, multi.rows_kept), (66, 60));
    assert_eq!(m.file_errors().len(), 1);
    assert_eq!(m.file_errors()[0].file, "broken.csv");
}

#[tokio::test]
async fn as_of_cuts_history_and_chains_are_generated_on_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("Stocks/abc.us.txt"),
        cc0_file(80, 20.0).as_bytes(),
    );
    let m = CsvMarket::open(dir.path()).unwrap();
    assert_eq!(m.name(), "csv");
    let dates = weekdays(80);
    let cut = dates[49];
    // 02:00 UTC on the day after `cut` is still `cut` in New York.
    let as_of = at(&(cut + Duration::days(1)).to_string(), 2);
    let h = m.price_history("ABC", 1000, as_of).await.unwrap();
    assert_eq!(h.len(), 50);
    assert_eq!(h.last_date(), Some(cut));
    assert_eq!(m.price_history("ABC", 7, as_of).await.unwrap().len(), 7);
    let c = m.option_chain("ABC", as_of).await.unwrap();
    assert_eq!(c.spot, h.last_close().unwrap());
    assert_eq!(m.chain_source("ABC"), Some(ChainSource::Generated));
    let p = m.provenance("ABC").unwrap();
    assert_eq!(p.chain, Origin::Generated);
    assert_eq!(p.quote_source(), QuoteSource::Generated);
    assert_eq!(m.chain_source("NOPE"), None);
    let e = m.price_history("NOPE", 5, as_of).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // Too little history before as_of for a chain: a typed error, not a panic.
    let early = at(&dates[5].to_string(), 22);
    let e = m.option_chain("ABC", early).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DataSource);
    assert!(e.message().contains("6 sessions"), "{e}");
}

#[test]
fn chain_snapshots_from_csv_and_json_are_picked_by_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("Stocks/abc.us.txt"),
        cc0_file(60, 20.0).as_bytes(),
    );
    write(
        &root.join("ETFs/xyz.us.txt"),
        cc0_file(60, 200.0).as_bytes(),
    );
    let csv = "underlying,as_of,spot,kind,strike,expiration,bid,ask,last,volume,open_interest,iv\n\
        ABC,2024-03-01T21:00:00Z,21.5,call,22,2024-03-15,0.40,0.45,0.42,120,900,0.31\n\
        ABC,2024-03-01T21:00:00Z,21.5,put,22,2024-03-15,0.90,0.95,,0,500,\n\
        ABC,2024-03-01T21:00:00Z,21.5,straddle,22,2024-03-15,0.90,0.95,,0,500,\n\
        ABC,2024-03-08T21:00:00Z,22.0,call,22,2024-03-15,0.50,0.55,0.52,80,950,0.30\n";
    write(&root.join("chains/abc.csv"), csv.as_bytes());
    let json = r#"[{"underlying":"XYZ","spot":201.0,"asOf":"2024-03-08T21:00:00Z","quotes":[
        {"kind":"put","strike":200,"expiration":"2024-03-15","bid":1.2,"ask":1.3,"volume":10,"openInterest":50,"impliedVolatility":0.2},
        {"kind":"put","strike":-1,"expiration":"2024-03-15","bid":1.2,"ask":1.3},
        {"kind":"call","strike":"x"}]}]"#;
    write(&root.join("chains/xyz.json"), json.as_bytes());
    let m = CsvMarket::open_with(root, CsvMarketOptions::default()).unwrap();
    assert_eq!(m.chain_source("ABC"), Some(ChainSource::Files));
    assert_eq!(m.chain_source("XYZ"), Some(ChainSource::Files));
    // Provenance names the files, and a snapshot chain's quotes are real.
    let p = m.provenance("ABC").unwrap();
    assert_eq!(p.chain, Origin::File("chains/abc.csv".into()));
    assert_eq!(p.history, Origin::File("Stocks/abc.us.txt".into()));
    assert_eq!(p.quote_source(), QuoteSource::Real);
    let first = m.chain_at("ABC", at("2024-03-05", 15)).unwrap();
    assert_eq!((first.spot, first.quotes.len()), (21.5, 2));
    assert_eq!(first.quotes[1].last, None);
    assert_eq!(first.quotes[0].contract_symbol, "ABC240315C00022000");
    let second = m.chain_at("ABC", at("2024-03-09", 0)).unwrap();
    assert_eq!(second.spot, 22.0);
    // Before the first snapshot: NotFound rather than a chain from the future.
    assert_eq!(
        m.chain_at("ABC", at("2024-03-01", 20)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let x = m.chain_at("XYZ", at("2024-03-10", 0)).unwrap();
    assert_eq!(x.quotes.len(), 1);
    assert_eq!(x.quotes[0].vendor_iv, Some(0.2));
    let rej = m.rejections();
    assert_eq!(rej.count("load", "bad_kind"), 1);
    assert_eq!(rej.count("load", "bad_strike"), 1);
    assert_eq!(rej.count("load", "bad_quote"), 1);
}

#[test]
fn opening_nothing_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        CsvMarket::open(dir.path()).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        CsvMarket::open(dir.path().join("missing"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // A single file can be opened directly.
    let f = dir.path().join("solo.csv");
    write(
        &f,
        b"date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,10\n",
    );
    assert_eq!(CsvMarket::open(&f).unwrap().symbols(), vec!["SOLO"]);
}
