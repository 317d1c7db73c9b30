//! The scan cache: where the worker saves scans and from where the route, the CLI and the
//! bindings serve them, on SQLite or PostgreSQL/Supabase.
//!
//! It exists because the original served only fresh rows, ran one slow live scan per
//! request, never cleaned up and mis-stored timestamps (original-system.md §11–§12). Here:
//! one [`ScanStore`] picks a backend from the URL; saves are single transactions and
//! idempotent; [`ScanStore::serve`] does stale-while-revalidate with single-flight live
//! scans and stale-if-error; [`ScanStore::acquire_writer`] keeps overlapping workers from
//! both scanning; [`ScanStore::subscribe`] pushes new scans. Every query works through a
//! transaction-mode pooler (PgBouncer, Supavisor port 6543). Migrations live in
//! `migrations/{postgres,sqlite}` at the repository root and are embedded at build time.

mod backend;
mod lock;
mod notify;
mod options;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_aux;
mod serve;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_aux;
mod store;
mod types;
mod url;

pub use lock::WriterLease;
pub use notify::ScanSubscription;
pub use options::{PoolerMode, ServeOptions, StalePolicy, StoreOptions};
pub use serve::LiveScan;
pub use store::{ScanStore, DEFAULT_URL};
pub use types::{CachedScan, RotationState, ScanNotice, ScanSummary, ServeSource};
pub use url::{redact_url, Backend};
