//! Parser throughput for the vendor sources: a wide chain page (2,000 contracts) from each
//! vendor, so JSON decoding and row mapping never dominate a scan's network time.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scanner_core::market::vendors::{polygon_json, tradier_json, yahoo_json, ParseReport};

const N: usize = 1_000; // strikes; one call and one put each

fn yahoo_page() -> String {
    let exp = 4_102_444_800i64; // 2100-01-01T00:00:00Z
    let row = |k: char, i: usize| {
        format!(
            r#"{{"contractSymbol":"SYNA000101{k}{:08}","strike":{},"lastPrice":1.5,"bid":1.4,"ask":1.6,"volume":12,"openInterest":340,"impliedVolatility":0.31,"expiration":{exp},"lastTradeDate":1721419100}}"#,
            (50 + i) * 1000,
            50 + i
        )
    };
    let calls: Vec<_> = (0..N).map(|i| row('C', i)).collect();
    let puts: Vec<_> = (0..N).map(|i| row('P', i)).collect();
    format!(
        r#"{{"optionChain":{{"result":[{{"underlyingSymbol":"SYNA","expirationDates":[{exp}],"quote":{{"regularMarketPrice":100.0}},"options":[{{"expirationDate":{exp},"calls":[{}],"puts":[{}]}}]}}],"error":null}}}}"#,
        calls.join(","),
        puts.join(",")
    )
}

fn polygon_page() -> String {
    let rows: Vec<_> = (0..2 * N)
        .map(|i| {
            let kind = if i % 2 == 0 { "call" } else { "put" };
            format!(
                r#"{{"day":{{"close":1.5,"volume":12}},"details":{{"contract_type":"{kind}","expiration_date":"2100-01-01","strike_price":{},"ticker":"O:SYNA000101C{:08}"}},"implied_volatility":0.31,"last_quote":{{"ask":1.6,"bid":1.4,"last_updated":1721419150000000000}},"open_interest":340,"underlying_asset":{{"price":100.0}}}}"#,
                50 + i / 2,
                i
            )
        })
        .collect();
    format!(r#"{{"status":"OK","results":[{}]}}"#, rows.join(","))
}

fn tradier_page() -> String {
    let rows: Vec<_> = (0..2 * N)
        .map(|i| {
            let kind = if i % 2 == 0 { "call" } else { "put" };
            format!(
                r#"{{"symbol":"SYNA000101C{:08}","option_type":"{kind}","strike":{},"expiration_date":"2100-01-01","bid":1.4,"ask":1.6,"last":1.5,"volume":12,"open_interest":340,"bid_date":1721419150000,"ask_date":1721419151000,"greeks":{{"mid_iv":0.31,"smv_vol":0.3}}}}"#,
                i,
                50 + i / 2
            )
        })
        .collect();
    format!(r#"{{"options":{{"option":[{}]}}}}"#, rows.join(","))
}

fn parse(c: &mut Criterion) {
    let pages = [
        ("yahoo", yahoo_page()),
        ("polygon", polygon_page()),
        ("tradier", tradier_page()),
    ];
    let mut group = c.benchmark_group("vendor_chain_parse");
    group.throughput(Throughput::Elements((2 * N) as u64));
    for (vendor, body) in &pages {
        group.bench_with_input(BenchmarkId::from_parameter(vendor), body, |b, body| {
            b.iter(|| {
                let mut report = ParseReport::new(vendor);
                let kept = match *vendor {
                    "yahoo" => yahoo_json::parse_options(body.as_bytes(), "SYNA", &mut report)
                        .map(|p| p.quotes.len()),
                    "polygon" => polygon_json::parse_snapshot(body.as_bytes(), "SYNA", &mut report)
                        .map(|p| p.quotes.len()),
                    _ => tradier_json::parse_chain(body.as_bytes(), "SYNA", &mut report)
                        .map(|q| q.len()),
                };
                assert_eq!(
                    kept.ok(),
                    Some(2 * N),
                    "{vendor}: every generated row parses"
                );
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
