//! Command-line grammar (API.md §7), kept apart from what the commands do.

use clap::{Args, Parser, Subcommand};

/// Precompute option-opportunity scans and serve them from a cache.
#[derive(Debug, Parser)]
#[command(name = "optscan", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scan and save it to the cache.
    Scan(ScanArgs),
    /// Show the newest cached scan of a mode.
    Latest(LatestArgs),
    /// List recent cached scans.
    History(HistoryArgs),
    /// Filter and sort every contract the newest scan evaluated.
    Screen(ScreenArgs),
    /// Delete old scans, keeping the newest N per mode.
    Cleanup(CleanupArgs),
    /// Create or upgrade the cache schema.
    Migrate(DbArgs),
    /// Run scans on a schedule.
    Worker(WorkerArgs),
    /// Score the probability models out of sample on a CSV history and write the report.
    Calibrate(CalibrateArgs),
    /// Inspect the queues of scale-out cycles (PostgreSQL).
    #[command(subcommand)]
    Queue(QueueCommand),
}

/// `optscan queue ...`.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Show a queue's recent cycles: shards pending, in flight and done, and their workers.
    Status(QueueStatusArgs),
}

/// `optscan queue status`.
#[derive(Debug, Args)]
pub struct QueueStatusArgs {
    /// The queue.
    #[arg(long)]
    pub queue: String,
    /// How many cycles, newest first.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// Where the cache lives.
#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// Database URL (default: $DATABASE_URL, else sqlite://optscan.db).
    #[arg(long)]
    pub db: Option<String>,
    /// Time limit of every database call (connect, query), e.g. 10s.
    #[arg(long, default_value = "30s")]
    pub db_timeout: String,
}

/// Options shared by `scan` and `worker`.
#[derive(Debug, Args, Clone)]
pub struct ScanOpts {
    /// strict, relaxed or both (scan: strict; worker: both).
    #[arg(long)]
    pub filter_mode: Option<String>,
    /// Scan at most N symbols per run, rotating through the universe.
    #[arg(long)]
    pub max_symbols: Option<usize>,
    /// synthetic (default), csv:PATH, yahoo, polygon or tradier.
    #[arg(long, default_value = "synthetic")]
    pub source: String,
    /// Seed of the synthetic market.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Symbols in the synthetic market.
    #[arg(long, default_value_t = 60)]
    pub universe: usize,
    /// Scan as of this date (YYYY-MM-DD, 16:00 New York) or RFC 3339 instant (default: now).
    #[arg(long)]
    pub as_of: Option<String>,
    /// A TOML or JSON file with ScanConfig fields.
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// Disable backtest validation.
    #[arg(long)]
    pub no_backtest: bool,
    /// Writer lease TTL (renewed every third of it while scanning; a crashed writer on
    /// another machine frees its mode after this, one on this machine at once).
    #[arg(long, default_value = "30s")]
    pub lease_ttl: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// `optscan scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub opts: ScanOpts,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Do not save the result to the cache.
    #[arg(long)]
    pub no_save: bool,
}

/// `optscan latest`.
#[derive(Debug, Args)]
pub struct LatestArgs {
    /// strict or relaxed.
    #[arg(long, default_value = "strict")]
    pub filter_mode: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `optscan screen`.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Filters as KEY=VALUE: `<field>.min`, `<field>.max` (e.g. delta.min=0.3,
    /// daysToExpiration.max=45), type=call|put, symbols=AAPL,MSFT, tiers=high,medium,
    /// sort=-expectedValueAmount (`-` for descending), limit=50, offset=0.
    pub filters: Vec<String>,
    /// strict or relaxed.
    #[arg(long, default_value = "strict")]
    pub filter_mode: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `optscan history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this mode.
    #[arg(long)]
    pub filter_mode: Option<String>,
    /// How many scans.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
    /// Print one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `optscan cleanup`.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// Scans kept per mode.
    #[arg(long, default_value_t = 100)]
    pub keep: u32,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub db: DbArgs,
}

/// `optscan worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Interval between runs (e.g. 30s, 10m, 1h).
    #[arg(long, default_value = "10m")]
    pub every: String,
    /// Run one cycle and exit (for cron).
    #[arg(long)]
    pub once: bool,
    /// Scans kept per mode by the daily cleanup.
    #[arg(long, default_value_t = 100)]
    pub keep: u32,
    /// Share each cycle with other workers through this pgmq queue (PostgreSQL only): the
    /// first worker plans the cycle's shards, every worker scans shards, one merges.
    #[arg(long)]
    pub queue: Option<String>,
    /// Symbols per shard of a queued cycle.
    #[arg(long, default_value_t = 250)]
    pub shard_size: usize,
    /// How long a shard read by a worker stays hidden from the others (renewed while the
    /// worker scans; a dead worker's shard is scanned again after this).
    #[arg(long, default_value = "120s")]
    pub visibility_timeout: String,
    /// After this, a queued cycle is merged without its missing shards (ShardTimeout).
    #[arg(long, default_value = "10m")]
    pub cycle_deadline: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub opts: ScanOpts,
}

/// `optscan calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// csv:PATH, a folder of daily histories (e.g. the CC0 set).
    #[arg(long)]
    pub source: String,
    /// Ignore bars after this date (YYYY-MM-DD; default: all).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Fit on windows that expired by this date, report entries after it.
    #[arg(long, default_value = "2016-06-30")]
    pub split_date: String,
    /// Hold out every Nth ticker (alphabetical) from the fit and report on those.
    #[arg(long, default_value_t = 3)]
    pub holdout_every: usize,
    /// Folder for report.json, report.md and reliability.svg.
    #[arg(long, default_value = "calibration")]
    pub out: std::path::PathBuf,
    /// Also write the fitted real-world model as JSON to this file.
    #[arg(long)]
    pub write_model: Option<std::path::PathBuf>,
    /// Print the JSON report instead of the Markdown tables.
    #[arg(long)]
    pub json: bool,
}
