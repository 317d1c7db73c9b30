//! `optscan worker`: scans on a schedule with jitter, never overlapping another writer of
//! the same mode (the store's writer leases), keeping its cadence through database outages
//! (one log line when an outage starts and one when it ends), cleaning up daily, logging one
//! line per run, and stopping cleanly on SIGTERM/SIGINT.

use std::time::{Duration, Instant};

use chrono::Utc;
use scanner_core::cache::{Backend, QueueOptions, SaveOutage, ScanStore};
use scanner_core::{Error, ErrorKind, Result};

use crate::args::WorkerArgs;
use crate::commands::{is_transient, open, scan};
use crate::plan::{parse_duration, Plan};
use crate::signals;

/// The longest `--every` accepted.
const MAX_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);

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

/// Whether the database (or source) is down, and since when: one line per outage.
#[derive(Default)]
struct Health {
    down_since: Option<Instant>,
}

impl Health {
    /// The save of this cycle waited the outage out: one line for it and one for its end
    /// (unless an outage was already open, whose end `ok` reports).
    fn waited_out(&mut self, o: &SaveOutage) {
        if self.down_since.is_none() {
            log(&format!(
                "outage: {}; the scan is kept and retried",
                o.first_error
            ));
            log(&format!(
                "recovered after {:.0} s, saved on attempt {}",
                o.waited.as_secs_f64(),
                o.attempts
            ));
        }
    }

    fn failed(&mut self, e: &scanner_core::Error) {
        if self.down_since.is_none() {
            self.down_since = Some(Instant::now());
            log(&format!("outage: {e}; retrying until it is back"));
        }
    }

    fn ok(&mut self) {
        if let Some(t) = self.down_since.take() {
            log(&format!(
                "recovered after {:.0} s",
                t.elapsed().as_secs_f64()
            ));
        }
    }
}

/// Open the store, retrying a database that is briefly unavailable (1, 2, 4, 8 s); the
/// first failure starts an outage in `health` (one log line).
async fn open_with_retry(a: &WorkerArgs, health: &mut Health) -> Result<ScanStore> {
    let mut backoff = Duration::from_secs(1);
    loop {
        match open(&a.opts.db).await {
            Ok(s) => return Ok(s),
            Err(e) if is_transient(&e) && backoff <= Duration::from_secs(8) => {
                health.failed(&e);
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One cycle: scan every mode and save (through the store kept open from the last cycle,
/// opened here the first time and after a database failure); then the daily cleanup.
async fn cycle(
    a: &WorkerArgs,
    every: Duration,
    plan: &Plan,
    last_cleanup: &mut Option<Instant>,
    health: &mut Health,
    kept: &mut Option<ScanStore>,
) -> Result<()> {
    let store = match kept.take() {
        Some(s) => s,
        None => open_with_retry(a, health).await?,
    };
    let out = scan_with(&store, a, every, plan, last_cleanup, health).await;
    // A warm pool saves a connection set-up and a schema check per cycle; after a database
    // failure the next cycle starts from a fresh one.
    if !matches!(&out, Err(e) if is_transient(e)) {
        *kept = Some(store);
    }
    out
}

async fn scan_with(
    store: &ScanStore,
    a: &WorkerArgs,
    every: Duration,
    plan: &Plan,
    last_cleanup: &mut Option<Instant>,
    health: &mut Health,
) -> Result<()> {
    // A scan finished during an outage is saved once the database is back (within half an
    // interval), not lost with its cycle.
    let out = scan(Some(store), plan, false, every / 2).await?;
    if let Some(o) = &out.save_outage {
        health.waited_out(o);
    }
    if let Some(q) = &out.queue {
        log(&format!(
            "queue cycle {}: {}scanned shards {:?}{}",
            q.cycle_id,
            if q.planned { "planned; " } else { "" },
            q.shards_scanned,
            if q.merged_here {
                "; merged"
            } else {
                "; merged by another worker"
            }
        ));
    }
    let mut parts: Vec<String> = out
        .results
        .iter()
        .map(|r| crate::output::saved_line(r, true))
        .collect();
    if let Some((ops, secs)) = out.database {
        parts.push(format!("database: {ops} operations, {secs:.2} s"));
    }
    log(&parts.join("; "));
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

/// Run the worker until a signal (or after one cycle with `--once`, failing when that
/// cycle could not save).
pub async fn run(a: WorkerArgs) -> Result<()> {
    let every = parse_duration("--every", &a.every, MAX_EVERY)?;
    let mut plan = Plan::new(&a.opts, "both")?;
    plan.queue = queue_options(&a)?;
    let stop = signals::shutdown();
    tokio::pin!(stop);
    let mut last_cleanup = None;
    let mut health = Health::default();
    let mut store = None;
    if plan.queue.is_some() {
        // A queue needs PostgreSQL: say so before the first cycle, not once per cycle.
        let s = open_with_retry(&a, &mut health).await?;
        if s.backend() != Backend::Postgres {
            return Err(Error::invalid_input(format!(
                "--queue needs PostgreSQL (pgmq); {} is SQLite, which keeps single-worker \
                 cycles: drop --queue or use a postgres:// URL",
                s.redacted_url()
            )));
        }
        store = Some(s);
    }
    log(&format!(
        "worker started: every {:?}, source {}",
        every, a.opts.source
    ));
    loop {
        let result = {
            let run = cycle(&a, every, &plan, &mut last_cleanup, &mut health, &mut store);
            tokio::pin!(run);
            tokio::select! {
                r = &mut run => r,
                _ = &mut stop => {
                    log("signal received: stopping the current scan and releasing its leases");
                    if let Ok(Err(e)) = tokio::time::timeout(Duration::from_secs(60), run).await {
                        log(&format!("last run: {e}"));
                    }
                    log("worker stopped");
                    return Ok(());
                }
            }
        };
        match result {
            Ok(_) => health.ok(),
            // Another worker is scanning this mode: its scan is this cycle's, not a failure.
            Err(e) if e.kind() == ErrorKind::Busy => log(&format!("skipped: {e}")),
            Err(e) if a.once => return Err(e),
            Err(e) if is_transient(&e) => health.failed(&e),
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

/// `--queue` and its options, checked before anything is opened.
fn queue_options(a: &WorkerArgs) -> Result<Option<QueueOptions>> {
    let Some(name) = &a.queue else {
        return Ok(None);
    };
    let mut q = QueueOptions::new(name.clone());
    q.shard_size = a.shard_size;
    q.visibility_timeout = parse_duration(
        "--visibility-timeout",
        &a.visibility_timeout,
        Duration::from_secs(86_400),
    )?;
    q.cycle_deadline = parse_duration("--cycle-deadline", &a.cycle_deadline, MAX_EVERY)?;
    q.validate()?;
    Ok(Some(q))
}
