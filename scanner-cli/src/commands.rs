//! What each subcommand does. [`scan`] is shared by `scan` and `worker`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use scanner_core::cache::{
    CachedHistories, QueueReport, RunOptions, SaveOutage, ScanStore, StoreOptions,
};
use scanner_core::market::MarketData;
use scanner_core::model::{FilterMode, ScanResult, ScreenQuery};
use scanner_core::scan::{next_batch, ScanEvent, ScanRequest, Scanner};
use scanner_core::{Error, ErrorKind, Result};

use crate::args::{Cli, Command, DbArgs, QueueCommand};
use crate::plan::parse_duration;
use crate::plan::Plan;
use crate::signals::CancelOnSignal;
use crate::{calibrate, output, worker};

/// Dispatch one command.
pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Scan(a) => {
            // Every option is checked before a database is opened or a lease taken.
            let plan = Plan::new(&a.opts, "strict")?;
            let store = if a.no_save {
                None
            } else {
                Some(open(&a.opts.db).await?)
            };
            let bar = !a.json && std::io::stderr().is_terminal();
            let results = scan(store.as_ref(), &plan, bar, std::time::Duration::ZERO)
                .await?
                .results;
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
            let store = open_reader(&a.db).await?;
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
        Command::Screen(a) => {
            let mode: FilterMode = a.filter_mode.parse()?;
            let pairs = a
                .filters
                .iter()
                .map(|f| {
                    f.split_once('=').ok_or_else(|| {
                        Error::invalid_input(format!("filter {f:?} is not KEY=VALUE"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let query = ScreenQuery::from_params(pairs)?;
            let store = open_reader(&a.db).await?;
            let page = store.screen(mode, &query).await?;
            if a.json {
                output::out(&output::json(&page)?);
            } else {
                output::out(output::screen_table(&page).trim_end());
            }
            Ok(())
        }
        Command::History(a) => {
            let mode = a
                .filter_mode
                .as_deref()
                .map(str::parse::<FilterMode>)
                .transpose()?;
            let store = open_reader(&a.db).await?;
            let rows = store.history(mode, a.limit).await?;
            if a.json {
                output::out(&output::json(&rows)?);
            } else {
                output::out(output::history_table(&rows).trim_end());
            }
            Ok(())
        }
        Command::Cleanup(a) => {
            let n = open(&a.db).await?.cleanup(a.keep).await?;
            output::out(&format!(
                "Deleted {n} old scans (kept the newest {} per mode)",
                a.keep
            ));
            Ok(())
        }
        Command::Migrate(a) => {
            let store = open(&a).await?;
            store.migrate().await?;
            output::out(&format!("Migrated {}", store.redacted_url()));
            Ok(())
        }
        Command::Worker(a) => worker::run(a).await,
        Command::Calibrate(a) => calibrate::run(&a),
        Command::Queue(QueueCommand::Status(a)) => {
            let store = open(&a.db).await?;
            let status = store.queue_status(&a.queue, a.limit).await?;
            if a.json {
                output::out(&output::json(&status)?);
            } else {
                output::out(output::queue_table(&status).trim_end());
            }
            Ok(())
        }
    }
}

/// Open (and migrate) the store named by `--db`, `$DATABASE_URL` or the SQLite default.
pub async fn open(db: &DbArgs) -> Result<ScanStore> {
    ScanStore::open(db.db.as_deref(), with_timeout(StoreOptions::default(), db)?).await
}

/// Open the store for reading: nothing is migrated or created.
pub async fn open_reader(db: &DbArgs) -> Result<ScanStore> {
    ScanStore::open(db.db.as_deref(), with_timeout(StoreOptions::reader(), db)?).await
}

/// `--db-timeout` limits every call; waiting for a pooled connection gets at most 10 s of it.
fn with_timeout(mut opts: StoreOptions, db: &DbArgs) -> Result<StoreOptions> {
    let limit = parse_duration("--db-timeout", &db.db_timeout, Duration::from_secs(3600))?;
    opts.query_timeout = limit;
    opts.acquire_timeout = limit.min(Duration::from_secs(10));
    Ok(opts)
}

/// What [`scan`] did.
pub struct ScanOutput {
    /// One result per mode.
    pub results: Vec<ScanResult>,
    /// The outage a save waited out, if any.
    pub save_outage: Option<SaveOutage>,
    /// Database operations and seconds spent on them (None without a store).
    pub database: Option<(u64, f64)>,
    /// This worker's part in a queued cycle.
    pub queue: Option<QueueReport>,
}

/// Run one scan of `plan`: a scheduled cycle into `store` (leases, rotation, IV history,
/// fenced saves; leases released on every exit path), or a plain scan when there is no
/// store. SIGTERM/SIGINT cancel it. A save that fails because the database is down is
/// retried for up to `save_patience`; the outage it waited out is returned.
pub async fn scan(
    store: Option<&ScanStore>,
    plan: &Plan,
    bar: bool,
    save_patience: std::time::Duration,
) -> Result<ScanOutput> {
    let progress = bar.then(|| progress_bar(plan.scanner.config().max_symbols.unwrap_or(0)));
    let mut opts = plan.run_options();
    opts.progress = progress.as_ref().map(|(f, _)| f.clone());
    opts.save_patience = save_patience;
    let _watch = CancelOnSignal::new(opts.cancel.clone());
    let out = match store {
        Some(store) => store
            .run_scheduled(&with_history_cache(plan, store)?, opts)
            .await
            .map(|r| ScanOutput {
                database: Some((r.database_operations, r.database_seconds)),
                results: r.results,
                save_outage: r.save_outage,
                queue: r.queue,
            }),
        None => scan_unsaved(plan, opts).await.map(|results| ScanOutput {
            results,
            save_outage: None,
            database: None,
            queue: None,
        }),
    };
    if let Some((_, pb)) = progress {
        pb.finish_and_clear();
    }
    out
}

/// A vendor source (one that makes requests) keeps its daily histories in the store, so a
/// scan within the same session asks the vendor only for chains.
fn with_history_cache(plan: &Plan, store: &ScanStore) -> Result<Scanner> {
    let source = plan.scanner.source().clone();
    let source: Arc<dyn MarketData> = if source.requests().is_some() {
        Arc::new(CachedHistories::new(source, store.clone()))
    } else {
        source
    };
    Scanner::new(source, plan.scanner.config().clone())
}

async fn scan_unsaved(plan: &Plan, opts: RunOptions) -> Result<Vec<ScanResult>> {
    let universe = plan.scanner.source().universe().await?;
    let batch = next_batch(&universe, plan.scanner.config().max_symbols, 0);
    if batch.symbols.is_empty() {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!("source {} has no symbols", plan.scanner.source().name()),
        ));
    }
    let req = ScanRequest {
        symbols: Some(batch.symbols),
        as_of: opts.as_of,
        progress: opts.progress,
        cancel: opts.cancel,
        ..ScanRequest::default()
    };
    let results = plan.scanner.run(req).await?.results;
    if let Some(r) = results.iter().find(|r| r.symbols_scanned.is_empty()) {
        return Err(Error::new(
            ErrorKind::DataSource,
            format!(
                "every symbol failed ({} failures)",
                r.metadata.failed_symbols.len()
            ),
        ));
    }
    Ok(results)
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
            total,
            contracts_evaluated,
            ..
        } = e
        {
            handle.set_length(*total as u64);
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
