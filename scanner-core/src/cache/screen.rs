//! [`ScanStore::screen`]: a [`ScreenQuery`] answered from the newest scan's candidate set,
//! held in memory and loaded from the database once per scan.

use std::sync::Arc;

use super::ScanStore;
use crate::model::{CandidateSet, FilterMode, ScreenPage, ScreenQuery};
use crate::{Error, Result};

impl ScanStore {
    /// Screen every contract the newest scan of `mode` evaluated: filter, sort and page them
    /// by `query`. The candidate set is read and decoded on the first screen of each scan
    /// (or handed over by the live scan that produced it) and answered from memory after
    /// that. Fails with [`crate::ErrorKind::NotFound`] when no scan of `mode` is cached and
    /// [`crate::ErrorKind::InvalidInput`] for a bad query.
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
        let (idx, matched) = query.run(set)?;
        Ok(ScreenPage {
            scan_id: scan.result.scan_id,
            candidate_count: set.len(),
            matched,
            rows: idx.into_iter().map(|i| set.row(i)).collect(),
        })
    }
}
