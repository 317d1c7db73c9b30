//! Progress events and cancellation: how a long scan reports what it is doing (progress bars,
//! Python callbacks, Node thread-safe functions) and streams per-symbol partial results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::model::{FilterMode, Opportunity};

/// One event of a running scan.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum ScanEvent {
    /// A stage began (`fetch`, `analysis`, `ranking`).
    #[serde(rename_all = "camelCase")]
    Stage {
        /// Stage name.
        stage: String,
    },
    /// One symbol finished (successfully or not), with its best candidates per mode: the
    /// progressive partial result.
    #[serde(rename_all = "camelCase")]
    Symbol {
        /// The ticker.
        symbol: String,
        /// Symbols finished so far.
        done: usize,
        /// Symbols in the batch.
        total: usize,
        /// Contracts analysed so far across the batch.
        contracts_evaluated: u64,
        /// Why it failed, when it did.
        error: Option<String>,
        /// This symbol's best candidates per mode (by riskAdjustedScore, at most
        /// `max_per_symbol`), before the final cross-symbol ranking.
        partial: Vec<(FilterMode, Vec<Opportunity>)>,
    },
    /// The scan finished.
    #[serde(rename_all = "camelCase")]
    Finished {
        /// Opportunities returned per mode.
        opportunities: Vec<(FilterMode, usize)>,
    },
}

/// Callback receiving [`ScanEvent`]s; called from worker threads, so it must be cheap and
/// thread-safe.
pub type ProgressFn = Arc<dyn Fn(&ScanEvent) + Send + Sync>;

/// A cancellation flag shared between the caller and a running scan. Cancelling makes the
/// scan stop fetching and return [`crate::ErrorKind::Cancelled`].
///
/// ```
/// use scanner_core::scan::CancelToken;
/// let t = CancelToken::default();
/// let seen_by_scan = t.clone();
/// t.cancel();
/// assert!(seen_by_scan.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// Ask the scan to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
