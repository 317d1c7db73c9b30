//! Per-call parse accounting: vendors send nulls, placeholders and broken rows, and a row
//! that is dropped or adjusted must be counted with its reason, never silently lost.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::Rejections;

/// What parsing one vendor response (or one symbol's set of responses) did.
///
/// Invariant: `rows == kept + skipped.total()`. `flagged` counts kept rows that were
/// adjusted (an IV placeholder turned into `None`, a missing volume read as 0, …) and
/// whole-response notes (`spot_from_previous_close`, `pagination_cap`).
///
/// ```
/// use scanner_core::market::vendors::ParseReport;
/// let mut r = ParseReport::new("yahoo");
/// r.keep();
/// r.skip("missing_strike");
/// r.flag("iv_placeholder");
/// assert_eq!((r.rows, r.kept, r.skipped.total()), (2, 1, 1));
/// assert_eq!(r.skipped.count("yahoo", "missing_strike"), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParseReport {
    /// Rows (contracts or bars) seen in the responses.
    pub rows: u64,
    /// Rows kept in the result.
    pub kept: u64,
    /// Dropped rows by reason, under the vendor's name as stage.
    pub skipped: Rejections,
    /// Kept rows that were adjusted, by reason, under the vendor's name as stage.
    pub flagged: Rejections,
    /// Whole pages that failed while the rest of the answer was kept (e.g. one expiration's
    /// page answering 404: `missing_expiration_page`), by reason. Their rows were never
    /// seen, so they are not in `rows`.
    pub missing: Rejections,
    stage: String,
}

impl ParseReport {
    /// An empty report whose counts are filed under `stage` (the vendor name).
    pub fn new(stage: &str) -> Self {
        Self {
            stage: stage.to_owned(),
            ..Self::default()
        }
    }

    /// Count a row that was kept.
    pub fn keep(&mut self) {
        self.rows += 1;
        self.kept += 1;
    }

    /// Count a row that was dropped, with its reason.
    pub fn skip(&mut self, reason: &str) {
        self.rows += 1;
        self.skipped.add(&self.stage, reason, 1);
    }

    /// Count an adjustment to a kept row (does not change `rows`).
    pub fn flag(&mut self, reason: &str) {
        self.flagged.add(&self.stage, reason, 1);
    }

    /// Move a row already counted as kept to the skipped counts (a later filter dropped it).
    pub(crate) fn unkeep(&mut self, reason: &str) {
        self.kept = self.kept.saturating_sub(1);
        self.skipped.add(&self.stage, reason, 1);
    }

    /// Count a page that failed while the rest of the answer was kept.
    pub fn miss(&mut self, reason: &str) {
        self.missing.add(&self.stage, reason, 1);
    }

    /// What the scan adds to `metadata.rejections`: dropped rows and missing pages.
    pub fn rejections(&self) -> Rejections {
        let mut r = self.skipped.clone();
        r.merge(&self.missing);
        r
    }

    /// Add another report's counts to this one.
    pub fn merge(&mut self, other: &ParseReport) {
        self.rows += other.rows;
        self.kept += other.kept;
        self.skipped.merge(&other.skipped);
        self.flagged.merge(&other.flagged);
        self.missing.merge(&other.missing);
    }
}

/// The last chain and history reports per symbol of one source.
#[derive(Default)]
pub(crate) struct LastReports {
    chains: Mutex<HashMap<String, ParseReport>>,
    histories: Mutex<HashMap<String, ParseReport>>,
}

impl LastReports {
    pub(crate) fn set_chain(&self, symbol: &str, report: ParseReport) {
        let mut map = self.chains.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(symbol.to_owned(), report);
    }

    pub(crate) fn set_history(&self, symbol: &str, report: ParseReport) {
        let mut map = self.histories.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(symbol.to_owned(), report);
    }

    pub(crate) fn chain(&self, symbol: &str) -> Option<ParseReport> {
        let map = self.chains.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&symbol.trim().to_ascii_uppercase()).cloned()
    }

    /// The dropped rows and missing pages of `symbol`'s last chain and history.
    pub(crate) fn rejections(&self, symbol: &str) -> Rejections {
        let mut r = Rejections::default();
        for report in [self.chain(symbol), self.history(symbol)]
            .into_iter()
            .flatten()
        {
            r.merge(&report.rejections());
        }
        r
    }

    pub(crate) fn history(&self, symbol: &str) -> Option<ParseReport> {
        let map = self.histories.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&symbol.trim().to_ascii_uppercase()).cloned()
    }
}
