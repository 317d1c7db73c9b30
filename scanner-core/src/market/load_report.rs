//! What a file source read and what it had to skip, so no malformed row is silently lost:
//! the scan adds these counts to `metadata.rejections` (this replaces the original's
//! per-row rejection log, which caused its timeouts).

use serde::{Deserialize, Serialize};

use crate::model::Rejections;

/// The rejection stage under which load skips are counted.
pub const LOAD_STAGE: &str = "load";

/// Row counts of one loaded file.
///
/// ```
/// use scanner_core::market::LoadReport;
/// let mut r = LoadReport::new("Stocks/aapl.us.txt");
/// r.kept(3);
/// r.skip("bad_date");
/// assert_eq!(r.rows_read, 4);
/// assert_eq!(r.rows_skipped.count("load", "bad_date"), 1);
/// assert_eq!(r.skipped(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    /// The file, relative to the folder the source was opened on.
    pub file: String,
    /// Data rows seen (header and blank lines excluded).
    pub rows_read: u64,
    /// Rows that made it into a history or chain.
    pub rows_kept: u64,
    /// Skipped rows by reason, under stage [`LOAD_STAGE`]; `rows_read = rows_kept +
    /// skipped()` always holds.
    pub rows_skipped: Rejections,
}

impl LoadReport {
    /// An empty report for `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }

    /// Count `n` rows read and kept.
    pub fn kept(&mut self, n: u64) {
        self.rows_read += n;
        self.rows_kept += n;
    }

    /// Count one row read and skipped for `reason`.
    pub fn skip(&mut self, reason: &str) {
        self.skip_n(reason, 1);
    }

    /// Count `n` rows read and skipped for `reason`.
    pub fn skip_n(&mut self, reason: &str, n: u64) {
        self.rows_read += n;
        self.rows_skipped.add(LOAD_STAGE, reason, n);
    }

    /// Move `n` already-counted kept rows to skipped for `reason` (e.g. duplicates found
    /// after parsing).
    pub fn unkeep(&mut self, reason: &str, n: u64) {
        let n = n.min(self.rows_kept);
        self.rows_kept -= n;
        self.rows_skipped.add(LOAD_STAGE, reason, n);
    }

    /// Total skipped rows.
    pub fn skipped(&self) -> u64 {
        self.rows_skipped.total()
    }
}
