//! Per-contract data quality: a 0–100 score, five tiers and structured findings, so the
//! scan can drop contracts whose quotes cannot be trusted and count every drop by reason.
//!
//! The checks and penalties are the original's (original-system.md §4.7) with its bugs
//! fixed: market hours are New York time with daylight saving (not fixed UTC−5), a
//! contract expires at 16:00 New York time (not 00:00 UTC), issues and warnings are always
//! structured items (never repr strings), and crossed, locked and zero-bid markets get
//! their own reason codes.

mod assess;
mod checks;
mod types;

pub use assess::assess;
pub use types::{QualityConfig, QualityItem, QualityReport, QualityTier, Severity, QUALITY_STAGE};
