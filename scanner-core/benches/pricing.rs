//! Throughput of the option math: scalar price + all greeks, scalar IV, `analyze()`, and the
//! batch APIs on 100k and 1M options in a 1-thread and a 2-thread rayon pool. Options come
//! from the anchors' distribution (S = 100, K ∈ [60, 140], T ∈ [1 d, 2 y], r = 4.5 %,
//! q ∈ [0, 3 %], σ ∈ [10 %, 80 %], calls/puts 50/50) drawn from a seeded PRNG.
//!
//! Run: `cargo bench -p optscan-core --bench pricing`. Every benchmark runs twice: under
//! `wall/…` criterion reports options per second of wall time (ns/option = 1e9 / that), and
//! under `cpu/…` the process CPU nanoseconds per option (see `cpu_time.rs`).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scanner_core::model::OptionKind;
use scanner_core::pricing::{
    bsm, bsm_batch, bsm_price, implied_vol, implied_vol_batch, BsmBatch, GreeksColumns, IvBatch,
    IvStatus,
};
use scanner_core::probability::{analyze, Drift, PositionInput};

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "../tests/math/rng.rs"]
mod rng;

use rng::{RandomOption, Rng};

struct Book {
    is_call: Vec<bool>,
    spot: Vec<f64>,
    strike: Vec<f64>,
    years: Vec<f64>,
    rate: Vec<f64>,
    dividend_yield: Vec<f64>,
    vol: Vec<f64>,
    price: Vec<f64>,
}

fn book(n: usize, seed: u64) -> Book {
    let mut rng = Rng::new(seed);
    let mut b = Book {
        is_call: Vec::with_capacity(n),
        spot: Vec::with_capacity(n),
        strike: Vec::with_capacity(n),
        years: Vec::with_capacity(n),
        rate: Vec::with_capacity(n),
        dividend_yield: Vec::with_capacity(n),
        vol: Vec::with_capacity(n),
        price: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let o = RandomOption::draw(&mut rng);
        let kind = if o.is_call {
            OptionKind::Call
        } else {
            OptionKind::Put
        };
        let p = bsm(
            kind,
            o.spot,
            o.strike,
            o.years,
            o.rate,
            o.dividend_yield,
            o.vol,
        )
        .map_or(f64::NAN, |g| g.price);
        b.is_call.push(o.is_call);
        b.spot.push(o.spot);
        b.strike.push(o.strike);
        b.years.push(o.years);
        b.rate.push(o.rate);
        b.dividend_yield.push(o.dividend_yield);
        b.vol.push(o.vol);
        b.price.push(p);
    }
    b
}

fn kind(is_call: bool) -> OptionKind {
    if is_call {
        OptionKind::Call
    } else {
        OptionKind::Put
    }
}

fn scalar<M: Measurement>(c: &mut Criterion<M>, clock: &str) {
    const N: usize = 4096;
    let b = book(N, 1);
    let mut g = c.benchmark_group(format!("{clock}/scalar"));
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(N as u64));
    // Calibration: the price alone, which anchors.md §D measured at 42 ns on an idle core
    // of this machine type; the ratio tells how much slower the shared machine is today.
    g.bench_function("bsm_price_only", |bench| {
        bench.iter(|| {
            let mut acc = 0.0;
            for i in 0..N {
                acc += bsm_price(
                    kind(b.is_call[i]),
                    black_box(b.spot[i]),
                    b.strike[i],
                    b.years[i],
                    b.rate[i],
                    b.dividend_yield[i],
                    b.vol[i],
                );
            }
            acc
        })
    });
    g.bench_function("bsm_all_greeks", |bench| {
        bench.iter(|| {
            let mut acc = 0.0;
            for i in 0..N {
                let x = bsm(
                    kind(b.is_call[i]),
                    black_box(b.spot[i]),
                    b.strike[i],
                    b.years[i],
                    b.rate[i],
                    b.dividend_yield[i],
                    b.vol[i],
                );
                // Keep every greek alive, or LTO drops the unused ones.
                if let Ok(g) = black_box(x) {
                    acc += g.price;
                }
            }
            acc
        })
    });
    g.bench_function("implied_vol", |bench| {
        bench.iter(|| {
            let mut acc = 0.0;
            for i in 0..N {
                let x = implied_vol(
                    black_box(b.price[i]),
                    kind(b.is_call[i]),
                    b.spot[i],
                    b.strike[i],
                    b.years[i],
                    b.rate[i],
                    b.dividend_yield[i],
                );
                acc += black_box(x).map_or(0.0, |x| x.vol);
            }
            acc
        })
    });
    g.bench_function("analyze", |bench| {
        bench.iter(|| {
            let mut acc = 0.0;
            for i in 0..N {
                let input = PositionInput {
                    kind: kind(b.is_call[i]),
                    spot: black_box(b.spot[i]),
                    strike: b.strike[i],
                    premium: b.price[i],
                    years: b.years[i],
                    rate: b.rate[i],
                    dividend_yield: b.dividend_yield[i],
                    vol: b.vol[i],
                    drift: Drift::RiskNeutral,
                };
                if let Ok(a) = black_box(analyze(&input)) {
                    acc += a.probability_of_profit;
                }
            }
            acc
        })
    });
    g.finish();
}

fn batch<M: Measurement>(c: &mut Criterion<M>, clock: &str) {
    let mut g = c.benchmark_group(format!("{clock}/batch"));
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    // 4096 rows stay in L2 (and below the parallel threshold): the in-cache reference.
    for n in [4096usize, 100_000, 1_000_000] {
        let b = book(n, 2);
        let bsm_in = BsmBatch {
            is_call: &b.is_call,
            spot: &b.spot,
            strike: &b.strike,
            years: &b.years,
            rate: &b.rate,
            dividend_yield: &b.dividend_yield,
            vol: &b.vol,
        };
        let iv_in = IvBatch {
            price: &b.price,
            is_call: &b.is_call,
            spot: &b.spot,
            strike: &b.strike,
            years: &b.years,
            rate: &b.rate,
            dividend_yield: &b.dividend_yield,
        };
        let mut out = GreeksColumns::with_len(n);
        let mut vol = vec![0.0; n];
        let mut status = vec![IvStatus::Ok; n];
        g.throughput(Throughput::Elements(n as u64));
        for threads in [1usize, 2] {
            let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
                eprintln!("skipped: could not build a {threads}-thread pool");
                continue;
            };
            let id = format!("{n}/{threads}t");
            g.bench_function(BenchmarkId::new("bsm", &id), |bench| {
                bench.iter(|| pool.install(|| bsm_batch(&bsm_in, &mut out)))
            });
            g.bench_function(BenchmarkId::new("implied_vol", &id), |bench| {
                bench.iter(|| pool.install(|| implied_vol_batch(&iv_in, &mut vol, &mut status)))
            });
        }
    }
    g.finish();
}

fn wall(c: &mut Criterion) {
    scalar(c, "wall");
    batch(c, "wall");
}

fn cpu(c: &mut Criterion<cpu_time::CpuTime>) {
    scalar(c, "cpu");
    batch(c, "cpu");
}

criterion_group!(wall_benches, wall);
criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(cpu_time::CpuTime);
    targets = cpu
}
criterion_main!(wall_benches, cpu_benches);
