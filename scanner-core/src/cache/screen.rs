//! [`ScanStore::screen`]: a [`ScreenQuery`] answered from the newest scan's candidate set,
//! held in memory and loaded from the database once per scan.
//!
//! Asking the database "is this still the newest scan?" costs a round trip, far more than
//! the query itself, so a screen trusts the set it holds for a short window: the rule is
//! that a scan saved by another process is screened at most
//! [`super::StoreOptions::poll_interval`] (default 250 ms) after its commit, and a scan saved
//! or cleaned up through this store (or a clone) is screened by the next call at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use uuid::Uuid;

use super::ScanStore;
use crate::model::{CandidateSet, FilterMode, ScreenPage, ScreenQuery};
use crate::{Error, Result};

/// The set a mode's screens answer from, and when the store last confirmed its scan leads.
#[derive(Debug, Clone)]
struct Held {
    scan_id: Uuid,
    set: Arc<CandidateSet>,
    /// When the confirming check started (the window counts from before it).
    checked: Instant,
    /// [`super::timed::DbStats::writes`] before the check.
    writes: u64,
}

/// One [`Held`] set per mode.
#[derive(Debug, Default)]
pub(crate) struct ScreenMemo {
    by_mode: Mutex<HashMap<FilterMode, Held>>,
}

impl ScreenMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FilterMode, Held>> {
        self.by_mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ScanStore {
    /// Screen every contract the newest scan of `mode` evaluated: filter, sort and page them
    /// by `query`. The candidate set is read and decoded on the first screen of each scan
    /// (or handed over by the live scan that produced it) and answered from memory after
    /// that; whether a newer scan exists is checked at most once per
    /// [`super::StoreOptions::poll_interval`], and at once after a save through this store
    /// (see the module docs). Fails with [`crate::ErrorKind::NotFound`] when no scan of
    /// `mode` is cached and [`crate::ErrorKind::InvalidInput`] for a bad query.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use scanner_core::cache::{ScanStore, StoreOptions};
    /// use scanner_core::model::{FilterMode, ScanResult, ScreenQuery};
    ///
    /// let store = ScanStore::open(Some("sqlite::memory:"), StoreOptions::default()).await?;
    /// store.save(&ScanResult::empty(FilterMode::Strict)).await?;
    /// let q = ScreenQuery::from_params([("type", "call"), ("daysToExpiration.max", "45")])?;
    /// let page = store.screen(FilterMode::Strict, &q).await?;
    /// assert_eq!((page.candidate_count, page.rows.len()), (0, 0));
    /// # Ok::<(), scanner_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn screen(&self, mode: FilterMode, query: &ScreenQuery) -> Result<ScreenPage> {
        query.validate()?;
        let (scan_id, set) = self.screened_set(mode).await?;
        let (idx, matched) = query.run(&set)?;
        Ok(ScreenPage {
            scan_id,
            candidate_count: set.len(),
            matched,
            rows: idx.into_iter().map(|i| set.row(i)).collect(),
        })
    }

    /// The newest scan's id and candidate set: the held one while the window lasts and
    /// nothing was written, else confirmed (and loaded, for a new scan) from the database.
    async fn screened_set(&self, mode: FilterMode) -> Result<(Uuid, Arc<CandidateSet>)> {
        let writes = self.inner.stats.writes();
        let window = self.inner.opts.poll_interval;
        if let Some(h) = self.inner.screens.lock().get(&mode) {
            if h.writes == writes && h.checked.elapsed() < window {
                return Ok((h.scan_id, Arc::clone(&h.set)));
            }
        }
        let checked = Instant::now();
        let served = self
            .latest_served(mode, None)
            .await?
            .ok_or_else(|| Error::not_found(format!("no {mode} scan is cached to screen")))?;
        let scan = &served.scan;
        let set = scan
            .candidates
            .get_or_try_init(|| async {
                if !scan.result.candidates.is_empty() {
                    return Ok(Arc::clone(&scan.result.candidates));
                }
                let blob = self.inner.backend.candidates(scan.result.scan_id).await?;
                let set = match blob {
                    Some(b) => CandidateSet::decode(&b)?,
                    None => CandidateSet::default(),
                };
                Ok::<_, Error>(Arc::new(set))
            })
            .await?;
        let held = Held {
            scan_id: scan.result.scan_id,
            set: Arc::clone(set),
            checked,
            writes,
        };
        let mut memo = self.inner.screens.lock();
        // Concurrent checks: keep the one that started last.
        if memo.get(&mode).is_none_or(|h| h.checked <= checked) {
            memo.insert(mode, held);
        }
        Ok((scan.result.scan_id, Arc::clone(set)))
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::cache::StoreOptions;
    use crate::model::ScanResult;

    /// Another process's save is screened once the window has passed; this store's own
    /// saves and cleanups at once.
    #[tokio::test]
    async fn a_new_scan_is_screened_within_the_window_or_at_once_after_a_local_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let window = std::time::Duration::from_millis(300);
        let opts = || StoreOptions {
            poll_interval: window,
            ..StoreOptions::default()
        };
        let reader = ScanStore::open(Some(&url), opts()).await.unwrap();
        let writer = ScanStore::open(Some(&url), opts()).await.unwrap();
        let q = ScreenQuery::default();
        let mode = FilterMode::Strict;
        let scan = |secs| {
            let mut s = ScanResult::empty(mode);
            s.scan_timestamp = chrono::Utc::now() + chrono::Duration::seconds(secs);
            s
        };
        let first = scan(0);
        reader.save(&first).await.unwrap();
        let held_since = Instant::now(); // no later than the reader's check below
        assert_eq!(
            reader.screen(mode, &q).await.unwrap().scan_id,
            first.scan_id
        );

        let second = scan(1);
        writer.save(&second).await.unwrap();
        let seen = reader.screen(mode, &q).await.unwrap().scan_id;
        // Checked only when the machine was quick enough for the window to still be open.
        if held_since.elapsed() < window {
            assert_eq!(seen, first.scan_id, "held within the window");
        }
        tokio::time::sleep(window).await;
        assert_eq!(
            reader.screen(mode, &q).await.unwrap().scan_id,
            second.scan_id
        );

        let third = scan(2);
        reader.save(&third).await.unwrap();
        assert_eq!(
            reader.screen(mode, &q).await.unwrap().scan_id,
            third.scan_id
        );
    }
}
