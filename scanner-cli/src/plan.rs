//! A scan invocation checked before anything is opened or acquired: the configuration,
//! the as-of instant, the lease TTL and the source. Bad usage fails here (exit 2) without
//! touching a database or taking a lease.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use scanner_core::cache::{QueueOptions, RunOptions, MAX_LEASE_TTL};
use scanner_core::scan::{ScanConfig, Scanner};
use scanner_core::{calendar, Error, Result};

use crate::args::ScanOpts;
use crate::source;

/// A validated scan invocation.
pub struct Plan {
    /// The scanner over the chosen source, with the validated configuration.
    pub scanner: Scanner,
    /// `--as-of`, if given.
    pub as_of: Option<DateTime<Utc>>,
    /// `--lease-ttl`.
    pub lease_ttl: Duration,
    /// `worker --queue`: take part in queued cycles.
    pub queue: Option<QueueOptions>,
}

impl Plan {
    /// Check every option of `opts` (`default_mode` when `--filter-mode` is absent).
    pub fn new(opts: &ScanOpts, default_mode: &str) -> Result<Self> {
        let cfg = config(opts, default_mode)?;
        let as_of = opts.as_of.as_deref().map(parse_as_of).transpose()?;
        let lease_ttl = parse_duration("--lease-ttl", &opts.lease_ttl, MAX_LEASE_TTL)?;
        if opts.universe == 0 {
            return Err(Error::invalid_input("--universe must be at least 1"));
        }
        let source = source::build(&opts.source, opts.seed, opts.universe)?;
        Ok(Self {
            scanner: Scanner::new(source, cfg)?,
            as_of,
            lease_ttl,
            queue: None,
        })
    }

    /// The core's options for one scheduled run of this plan.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            as_of: self.as_of,
            lease_ttl: self.lease_ttl,
            queue: self.queue.clone(),
            ..RunOptions::default()
        }
    }
}

/// Parse `--as-of`: a date (16:00 New York that day) or an RFC 3339 instant.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        Error::invalid_input(format!("--as-of {s:?} is neither YYYY-MM-DD nor RFC 3339"))
    })?;
    Ok(calendar::expiry_instant(d))
}

/// Parse `30s`, `10m`, `1h` or a number of seconds: at least 1 s, at most `max`.
pub fn parse_duration(flag: &str, s: &str, max: Duration) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num
        .parse()
        .map_err(|_| Error::invalid_input(format!("{flag} {s:?}: expected e.g. 30s, 10m or 1h")))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(Error::invalid_input(format!(
                "{flag} {s:?}: unit must be s, m or h"
            )))
        }
    };
    if !(secs.is_finite() && secs >= 1.0 && secs <= max.as_secs_f64()) {
        return Err(Error::invalid_input(format!(
            "{flag} {s:?} must be between 1 s and {} s",
            max.as_secs()
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Build the scan configuration from flags and an optional file.
pub fn config(opts: &ScanOpts, default_mode: &str) -> Result<ScanConfig> {
    let mut cfg: ScanConfig = match &opts.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::invalid_input(format!("cannot read {}: {e}", path.display()))
            })?;
            let doc: serde_json::Value = if path.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text).map_err(|e| {
                    Error::invalid_input(format!("{}: not TOML: {e}", path.display()))
                })?
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    Error::invalid_input(format!("{}: not JSON: {e}", path.display()))
                })?
            };
            ScanConfig::from_value(doc)
                .map_err(|e| Error::invalid_input(format!("{}: {}", path.display(), e.message())))?
        }
        None => ScanConfig::default(),
    };
    cfg.filter_mode = opts
        .filter_mode
        .as_deref()
        .unwrap_or(default_mode)
        .parse()?;
    if opts.max_symbols.is_some() {
        cfg.max_symbols = opts.max_symbols;
    }
    if opts.no_backtest {
        cfg.backtest = false;
    }
    cfg.validate()?;
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_bounds() {
        let day = Duration::from_secs(86_400);
        assert_eq!(
            parse_duration("--every", "10m", day).unwrap(),
            Duration::from_secs(600)
        );
        assert_eq!(
            parse_duration("--every", "45", day).unwrap(),
            Duration::from_secs(45)
        );
        assert_eq!(
            parse_duration("--every", "1.5h", day).unwrap(),
            Duration::from_secs(5400)
        );
        for bad in [
            "10 parsecs",
            "0s",
            "",
            "1000000000000000000000h",
            "25h",
            "nan",
        ] {
            let e = parse_duration("--every", bad, day).unwrap_err();
            assert_eq!(e.kind(), scanner_core::ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn as_of_takes_dates_and_instants() {
        assert!(parse_as_of("2017-11-10").is_ok());
        assert!(parse_as_of("2017-11-10T15:00:00Z").is_ok());
        assert!(parse_as_of("garbage").is_err());
    }
}
