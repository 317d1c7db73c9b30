//! HTTP representation benchmark: the served document of the route benchmark's scan (a
//! 60-symbol synthetic strict scan, seed 7) and its per-scan encodings — bytes of identity,
//! gzip and brotli, and the one-time cost of building them (tag, gzip, brotli).
//!
//! Run: `cargo bench -p optscan-core --bench http` (add `-- 500` for another universe size).

use std::sync::Arc;
use std::time::Instant;

use scanner_core::cache::{ContentCoding, HttpRepresentation};
use scanner_core::market::SyntheticMarket;
use scanner_core::scan::{ModeSelection, ScanConfig, Scanner};

fn main() {
    let symbols: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let scan = rt.block_on(async {
        let cfg = ScanConfig {
            max_symbols: Some(symbols),
            filter_mode: ModeSelection::Strict,
            ..ScanConfig::default()
        };
        let scanner =
            Scanner::new(Arc::new(SyntheticMarket::new(7, symbols)), cfg).expect("config");
        scanner.scan().await.expect("scan").remove(0)
    });
    let json: Arc<str> = scan.to_json().expect("json").into();
    let mut builds = Vec::new();
    let mut rep = None;
    for _ in 0..3 {
        let t = Instant::now();
        rep = Some(
            HttpRepresentation::new(Arc::clone(&json), scan.scan_id, scan.scan_timestamp)
                .expect("representation"),
        );
        builds.push(t.elapsed().as_secs_f64() * 1e3);
    }
    builds.sort_by(f64::total_cmp);
    let rep = rep.expect("built");
    let identity = rep.encoded_len(ContentCoding::Identity) as f64;
    println!("HTTP representation of a {symbols}-symbol strict scan's document");
    println!("| coding | bytes | % of identity |");
    println!("|---|---|---|");
    for c in [
        ContentCoding::Identity,
        ContentCoding::Gzip,
        ContentCoding::Brotli,
    ] {
        let n = rep.encoded_len(c);
        println!(
            "| {} | {n} | {:.1} % |",
            c.as_str(),
            100.0 * n as f64 / identity
        );
    }
    let mut zlib = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut zlib, json.as_bytes()).expect("gzip");
    let zlib = zlib.finish().expect("gzip").len();
    println!(
        "| gzip by zlib level 9, for comparison | {zlib} | {:.1} % |",
        100.0 * zlib as f64 / identity
    );
    println!(
        "| building it once per scan (tag + gzip + brotli), median of 3 | {:.0} ms | |",
        builds[1]
    );
}
