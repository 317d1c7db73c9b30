//! `optscan worker`: scans on a schedule with jitter, never overlapping another writer of
//! the same mode (the store's writer lease), surviving database outages with backoff,
//! cleaning up daily, logging one line per run, and stopping cleanly on SIGTERM/SIGINT.

use std::time::{Duration, Instant};

use chrono::Utc;
use scanner_core::{Error, ErrorKind, Result};

use crate::args::WorkerArgs;
use crate::commands::{is_transient, open, scan_and_save};

/// Parse `30s`, `10m`, `1h` or a number of seconds.
pub fn parse_interval(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num.parse().map_err(|_| {
        Error::invalid_input(format!("--every {s:?}: expected e.g. 30s, 10m or 1h"))
    })?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(Error::invalid_input(format!(
                "--every {s:?}: unit must be s, m or h"
            )))
        }
    };
    if !(secs.is_finite() && secs >= 1.0) {
        return Err(Error::invalid_input("--every must be at least 1 second"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn log(line: &str) {
    eprintln!(
        "{} {}",
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        crate::output::redact(line)
    );
}

/// A pseudo-random factor in [0.9, 1.1) from the clock: enough to spread workers apart.
fn jitter() -> f64 {
    let nanos = Utc::now().timestamp_subsec_nanos() as f64;
    0.9 + 0.2 * (nanos / 1e9)
}

/// One cycle: scan every mode and save; Busy and transient failures are logged, not fatal.
async fn cycle(a: &WorkerArgs, last_cleanup: &mut Option<Instant>) -> Result<()> {
    let mut backoff = Duration::from_secs(1);
    let store = loop {
        match open(&a.opts.db.db).await {
            Ok(s) => break s,
            Err(e) if is_transient(&e) && backoff <= Duration::from_secs(32) => {
                log(&format!(
                    "database unavailable ({e}); retrying in {} s",
                    backoff.as_secs()
                ));
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(e) => return Err(e),
        }
    };
    match scan_and_save(Some(&store), &a.opts, "both", false).await {
        Ok(results) => {
            let parts: Vec<String> = results
                .iter()
                .map(|r| crate::output::saved_line(r, true))
                .collect();
            log(&parts.join("; "));
        }
        Err(e) if e.kind() == ErrorKind::Busy => log(&format!("skipped: {e}")),
        Err(e) => return Err(e),
    }
    if last_cleanup.is_none_or(|t| t.elapsed() >= Duration::from_secs(24 * 3600)) {
        let n = store.cleanup(a.keep).await?;
        log(&format!(
            "cleanup: deleted {n} old scans, kept the newest {} per mode",
            a.keep
        ));
        *last_cleanup = Some(Instant::now());
    }
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Run the worker until a signal (or after one cycle with `--once`).
pub async fn run(a: WorkerArgs) -> Result<()> {
    let every = parse_interval(&a.every)?;
    crate::commands::config(&a.opts, "both")?;
    let stop = shutdown_signal();
    tokio::pin!(stop);
    let mut last_cleanup = None;
    log(&format!(
        "worker started: every {:?}, source {}",
        every, a.opts.source
    ));
    loop {
        let run = cycle(&a, &mut last_cleanup);
        tokio::pin!(run);
        let result = tokio::select! {
            r = &mut run => r,
            _ = &mut stop => {
                log("signal received: finishing the current scan before exiting");
                let r = tokio::time::timeout(Duration::from_secs(120), run).await;
                if let Ok(Err(e)) = r {
                    log(&format!("last run failed: {e}"));
                }
                log("worker stopped");
                return Ok(());
            }
        };
        match result {
            Ok(()) => {}
            Err(e) if is_transient(&e) => log(&format!("run failed, will retry next cycle: {e}")),
            Err(e) if a.once => return Err(e),
            Err(e) => log(&format!("run failed: {e}")),
        }
        if a.once {
            return Ok(());
        }
        let pause = every.mul_f64(jitter());
        tokio::select! {
            _ = tokio::time::sleep(pause) => {},
            _ = &mut stop => {
                log("worker stopped");
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_with_units() {
        assert_eq!(parse_interval("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_interval("45").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_interval("1.5h").unwrap(), Duration::from_secs(5400));
        assert!(parse_interval("10 parsecs").is_err());
        assert!(parse_interval("0s").is_err());
    }
}
