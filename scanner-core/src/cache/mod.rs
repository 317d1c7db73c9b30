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
mod cycle_rows;
mod gzip_open;
mod history_cache;
mod holder;
mod hot;
mod http;
mod lock;
mod notify;
mod options;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_aux;
#[cfg(feature = "postgres")]
mod postgres_cycle;
#[cfg(feature = "postgres")]
mod postgres_read;
mod queue;
#[cfg(feature = "postgres")]
mod queue_cycle;
#[cfg(feature = "postgres")]
mod queue_merge;
#[cfg(feature = "postgres")]
mod queue_pg;
mod scheduled;
mod screen;
mod serve;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_aux;
mod store;
mod timed;
mod types;
mod url;

pub use history_cache::CachedHistories;
pub use http::{ContentCoding, HttpRepresentation, HttpRequest, Negotiated};
pub use lock::{WriterLease, DEFAULT_LEASE_TTL, MAX_LEASE_TTL};
pub use notify::ScanSubscription;
pub use options::{minutes, PoolerMode, ServeOptions, StalePolicy, StoreOptions};
pub use queue::{CycleStatus, QueueOptions, QueueReport, QueueStatus};
#[cfg(feature = "postgres")]
pub use queue_merge::SHARD_TIMEOUT;
pub use scheduled::{RunOptions, RunReport, SaveOutage};
pub use serve::LiveScan;
pub use store::{ScanStore, DEFAULT_URL};
pub use types::{
    CachedJson, CachedScan, RotationState, ScanNotice, ScanSummary, ServeSource, HISTORICAL_AFTER,
};
pub use url::{redact_url, Backend};

#[cfg(test)]
mod send_sync {
    //! Bindings move these across `future_into_py` and napi async functions.
    use super::*;

    fn is_send_sync<T: Send + Sync + 'static>() {}
    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn handles_and_records_are_send_and_sync() {
        is_send_sync::<ScanStore>();
        is_send_sync::<CachedScan>();
        is_send_sync::<CachedJson>();
        is_send_sync::<WriterLease>();
        is_send_sync::<ScanNotice>();
        is_send_sync::<ScanSummary>();
        is_send_sync::<StoreOptions>();
    }

    #[test]
    fn futures_are_send() {
        struct Never;
        #[async_trait::async_trait]
        impl LiveScan for Never {
            async fn run_scan(
                &self,
                mode: crate::model::FilterMode,
            ) -> crate::Result<crate::model::ScanResult> {
                Err(crate::Error::internal(format!("not scanning {mode}")))
            }
        }
        let open = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default());
        is_send(&open);
        drop(open);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let store = rt
            .block_on(ScanStore::open(
                Some("sqlite::memory:"),
                StoreOptions::default(),
            ))
            .expect("in-memory store");
        let mode = crate::model::FilterMode::Strict;
        is_send(&store.serve(std::sync::Arc::new(Never), mode, ServeOptions::default()));
        is_send(&store.latest(mode, None));
        is_send(&store.latest_json(mode, None));
        is_send(&store.serve_json(std::sync::Arc::new(Never), mode, ServeOptions::default()));
        is_send(&store.subscribe());
        let sub = rt.block_on(store.subscribe()).expect("subscription");
        is_send(&sub);
    }
}
