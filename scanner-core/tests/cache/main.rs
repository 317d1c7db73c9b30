//! The cache behaviour suite: every case runs against SQLite, PostgreSQL directly and
//! PostgreSQL through a PgBouncer in transaction mode. Postgres parts skip with a message
//! when no server (or no `pgbouncer`) is available, unless `CI` is set.

mod behaviour;
mod fixtures;
mod harness;
mod history_cache;
mod json_reads;
mod leases;
mod notify;
mod open_options;
mod process;
mod scheduled;
mod screening;
mod secrets;
mod serve_cases;
mod sql_api;
mod supabase_roles;

/// One `#[tokio::test]` per case and backend: `sqlite::case`, `postgres::case`,
/// `pgbouncer::case`.
macro_rules! on_every_backend {
    ($($module:ident :: $case:ident),* $(,)?) => {
        on_every_backend!(@target sqlite, Sqlite, $($module::$case),*);
        on_every_backend!(@target postgres, Postgres, $($module::$case),*);
        on_every_backend!(@target pgbouncer, PgBouncer, $($module::$case),*);
    };
    (@target $name:ident, $target:ident, $($module:ident :: $case:ident),*) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(db) = crate::harness::TestDb::new(crate::harness::Target::$target).await {
                        crate::$module::$case(&db).await;
                    }
                }
            )*
        }
    };
}

on_every_backend!(
    behaviour::save_round_trip,
    behaviour::latest_per_mode,
    behaviour::latest_within_max_age,
    behaviour::history_summaries,
    behaviour::cleanup_keeps_newest_per_mode,
    behaviour::degraded_scan_never_hides_a_good_one,
    behaviour::rotation_state,
    behaviour::iv_history,
    behaviour::symbol_analysis_fingerprint_and_ttl,
    history_cache::histories_are_cached_per_session,
    leases::writer_lease,
    scheduled::operations_do_not_grow_with_symbols,
    scheduled::historical_cycles_never_become_the_live_scan,
    scheduled::a_lost_lease_fences_its_mode_and_moves_nothing,
    leases::heartbeat_keeps_a_working_holder,
    leases::foreign_holder_expires_and_fences,
    behaviour::rejects_unstorable_values_and_closes,
    serve_cases::fresh_cache_is_served_without_scanning,
    serve_cases::single_flight_on_empty_cache,
    serve_cases::stale_while_revalidate,
    serve_cases::stale_policy_live_waits_for_the_scan,
    serve_cases::stale_if_error,
    serve_cases::all_failed_scan_keeps_the_good_one,
    serve_cases::long_scan_keeps_its_lease,
    json_reads::json_reads_match_the_result,
    json_reads::memo_follows_the_table,
    screening::screens_the_saved_candidates_and_cleanup_removes_them,
    notify::subscribe_delivers_new_scans,
    process::writer_lock_across_processes,
    process::killed_writer_leaves_no_partial_row,
    process::killed_holder_frees_its_lease_at_once,
    process::killed_live_scan_is_taken_over_by_waiting_callers,
);
