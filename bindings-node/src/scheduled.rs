//! `store.runScheduled({scanner, ...})`: the core's one scheduled cycle (leases → rotation →
//! IV history → scan → save → rotation and IV writes), so a Node worker rotates through the
//! universe exactly as `optscan worker` does.

use napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;
use scanner_core::cache as core;

use crate::error::{invalid, JsError};
use crate::market::parse_instant;
use crate::scan::{ScanResult, Scanner};

/// Options of `runScheduled`.
#[napi(object, object_to_js = false)]
pub struct RunScheduledInit<'a> {
    /// The scanner to run (its config's `maxSymbols` sets the batch size).
    pub scanner: ClassInstance<'a, Scanner>,
    /// The as-of instant (ISO-8601; default: the source's asOf, else now).
    pub as_of: Option<String>,
    /// Writer lease TTL in seconds (30).
    pub lease_ttl_secs: Option<f64>,
}

/// What one scheduled cycle did.
#[napi(object)]
pub struct RunReport {
    /// One saved result per mode, strict first.
    pub results: Vec<ScanResult>,
    /// The rotation position the next cycle starts from.
    pub next_position: u32,
    /// Symbols in the source's universe.
    pub universe_size: u32,
    /// ATM IVs recorded for IV rank.
    pub ivs_recorded: u32,
    /// Wall time of the cycle, seconds.
    pub elapsed_seconds: f64,
}

/// The core scanner and options of one cycle.
pub fn run_args(
    o: &RunScheduledInit<'_>,
) -> Result<(scanner_core::scan::Scanner, core::RunOptions), JsError> {
    let mut opts = core::RunOptions {
        as_of: match o.as_of.as_deref() {
            Some(s) => Some(parse_instant(s)?),
            None => o.scanner.as_of,
        },
        ..Default::default()
    };
    if let Some(t) = o.lease_ttl_secs {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid(format!("leaseTtlSecs must be > 0, got {t}")));
        }
        opts.lease_ttl = std::time::Duration::from_secs_f64(t.min(1e9));
    }
    Ok((o.scanner.inner.clone(), opts))
}

/// The core report as its JS record.
pub fn report(r: core::RunReport) -> scanner_core::Result<RunReport> {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(RunReport {
        results: r
            .results
            .iter()
            .map(ScanResult::from_core)
            .collect::<scanner_core::Result<_>>()?,
        next_position: clamp(r.next_position),
        universe_size: clamp(r.universe_size),
        ivs_recorded: clamp(r.ivs_recorded),
        elapsed_seconds: r.elapsed.as_secs_f64(),
    })
}
