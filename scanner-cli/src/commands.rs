//! What each subcommand does. `scan_and_save` is shared by `scan` and `worker`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use scanner_core::cache::{ScanStore, StoreOptions};
use scanner_core::model::{FilterMode, ScanResult};
use scanner_core::scan::{next_batch, ModeSelection, ScanConfig, ScanEvent, ScanRequest, Scanner};
use scanner_core::{calendar, Error, ErrorKind, Result};

use crate::args::{Cli, Command, ScanOpts};
use crate::{output, source, worker};

/// Dispatch one command.
pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Scan(a) => {
            let store = if a.no_save {
                None
            } else {
                Some(open(&a.opts.db.db).await?)
            };
            let results = scan_and_save(
                store.as_ref(),
                &a.opts,
                "strict",
                !a.json && std::io::stderr().is_terminal(),
            )
            .await?;
            if a.json {
                let doc = match results.as_slice() {
                    [one] => serde_json::to_value(one),
                    many => serde_json::to_value(
                        many.iter()
                            .map(|r| (r.filter_mode.as_str(), r))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    ),
                }
                .map_err(|e| Error::internal(e.to_string()))?;
                output::out(&doc.to_string());
            } else {
                for r in &results {
                    output::out(output::table(&r.opportunities, 20).trim_end());
                    output::out(&output::saved_line(r, store.is_some()));
                }
            }
            Ok(())
        }
        Command::Latest(a) => {
            let mode: FilterMode = a.filter_mode.parse()?;
            let store = open(&a.db.db).await?;
            let Some(c) = store.latest(mode, None).await? else {
                return Err(Error::not_found(format!(
                    "no {mode} scan in the cache yet: run `optscan scan --filter-mode {mode}`"
                )));
            };
            if a.json {
                output::out(&output::json(&c)?);
            } else {
                output::out(output::table(&c.result.opportunities, 20).trim_end());
                output::out(&output::saved_line(&c.result, true).replacen("Saved", "Cached", 1));
                output::out(&output::age_line(&c));
            }
            Ok(())
        }
        Command::History(a) => {
            let mode = a
                .filter_mode
                .as_deref()
                .map(str::parse::<FilterMode>)
                .transpose()?;
            let store = open(&a.db.db).await?;
            let rows = store.history(mode, a.limit).await?;
            if a.json {
                output::out(&output::json(&rows)?);
            } else {
                output::out(output::history_table(&rows).trim_end());
            }
            Ok(())
        }
        Command::Cleanup(a) => {
            let n = open(&a.db.db).await?.cleanup(a.keep).await?;
            output::out(&format!(
                "Deleted {n} old scans (kept the newest {} per mode)",
                a.keep
            ));
            Ok(())
        }
        Command::Migrate(a) => {
            let store = ScanStore::open(a.db.as_deref(), StoreOptions::default()).await?;
            store.migrate().await?;
            output::out(&format!("Migrated {}", store.redacted_url()));
            Ok(())
        }
        Command::Worker(a) => worker::run(a).await,
    }
}

/// Open the store named by `--db`, `$DATABASE_URL` or the SQLite default.
pub async fn open(db: &Option<String>) -> Result<ScanStore> {
    ScanStore::open(db.as_deref(), StoreOptions::default()).await
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

/// Build the scan configuration from flags and an optional file.
pub fn config(opts: &ScanOpts, default_mode: &str) -> Result<ScanConfig> {
    let mut cfg: ScanConfig = match &opts.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::invalid_input(format!("cannot read {}: {e}", path.display()))
            })?;
            if path.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text).map_err(|e| {
                    Error::invalid_input(format!(
                        "{}: not a ScanConfig TOML document: {e}",
                        path.display()
                    ))
                })?
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    Error::invalid_input(format!(
                        "{}: not a ScanConfig JSON document: {e}",
                        path.display()
                    ))
                })?
            }
        }
        None => ScanConfig::default(),
    };
    cfg.filter_mode = opts
        .filter_mode
        .as_deref()
        .unwrap_or(default_mode)
        .parse::<ModeSelection>()?;
    if opts.max_symbols.is_some() {
        cfg.max_symbols = opts.max_symbols;
    }
    if opts.no_backtest {
        cfg.backtest = false;
    }
    cfg.validate()?;
    Ok(cfg)
}

/// Run one scan (every mode of the selection) and save the results when `store` is given.
/// Holds each mode's writer lease for the whole scan, so overlapping runs never both write.
pub async fn scan_and_save(
    store: Option<&ScanStore>,
    opts: &ScanOpts,
    default_mode: &str,
    bar: bool,
) -> Result<Vec<ScanResult>> {
    let cfg = config(opts, default_mode)?;
    let source = source::build(&opts.source, opts.seed, opts.universe)?;
    let modes = cfg.filter_mode.modes();
    let mut leases = Vec::new();
    if let Some(store) = store {
        for &m in modes {
            leases.push(
                store
                    .acquire_writer(m, Duration::from_secs(15 * 60))
                    .await?,
            );
        }
    }
    let as_of = opts
        .as_of
        .as_deref()
        .map(parse_as_of)
        .transpose()?
        .unwrap_or_else(Utc::now);
    let universe = source.universe().await?;
    let position = match (store, cfg.max_symbols) {
        (Some(s), Some(_)) => s
            .rotation(modes[0])
            .await?
            .map_or(0, |r| r.position as usize),
        _ => 0,
    };
    let batch = next_batch(&universe, cfg.max_symbols, position);
    let mut iv_history = std::collections::HashMap::new();
    if let Some(s) = store {
        let since = calendar::ny_date(as_of) - chrono::Days::new(365);
        for sym in &batch.symbols {
            let h: Vec<f64> = s
                .iv_history(sym, since)
                .await?
                .into_iter()
                .map(|(_, v)| v)
                .collect();
            if !h.is_empty() {
                iv_history.insert(sym.clone(), h);
            }
        }
    }
    let progress = bar.then(|| progress_bar(batch.symbols.len()));
    let req = ScanRequest {
        symbols: Some(batch.symbols.clone()),
        as_of: Some(as_of),
        iv_history,
        progress: progress.clone().map(|(f, _)| f),
        ..ScanRequest::default()
    };
    let outcome = Scanner::new(source, cfg)?.run(req).await;
    if let Some((_, pb)) = progress {
        pb.finish_and_clear();
    }
    let outcome = outcome?;
    if let Some(s) = store {
        for r in &outcome.results {
            s.save(r).await?;
            let state = scanner_core::cache::RotationState {
                position: batch.next_position as u64,
                universe_size: batch.universe_size as u64,
                updated_at: Utc::now(),
            };
            s.set_rotation(r.filter_mode, &state).await?;
        }
        let today = calendar::ny_date(as_of);
        for (sym, iv) in &outcome.atm_ivs {
            s.record_iv(sym, today, *iv).await?;
        }
    }
    for lease in leases {
        lease.release().await?;
    }
    Ok(outcome.results)
}

type Bar = (scanner_core::scan::ProgressFn, indicatif::ProgressBar);

fn progress_bar(total: usize) -> Bar {
    let pb = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} scanning [{bar:30}] {pos}/{len} symbols · {msg}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    let handle = pb.clone();
    let f: scanner_core::scan::ProgressFn = Arc::new(move |e: &ScanEvent| {
        if let ScanEvent::Symbol {
            done,
            contracts_evaluated,
            ..
        } = e
        {
            handle.set_position(*done as u64);
            handle.set_message(format!("{contracts_evaluated} contracts"));
        }
    });
    (f, pb)
}

/// True for errors worth retrying later (the database or a source being down).
pub fn is_transient(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Database | ErrorKind::Timeout | ErrorKind::RateLimited | ErrorKind::DataSource
    )
}
