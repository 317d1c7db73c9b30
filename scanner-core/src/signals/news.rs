//! News sentiment has no source in optscan: this is the hook a caller can plug a provider
//! into. The default reports the factor as **absent** instead of inventing a reading, so the
//! swing signal and the legacy bias say "no news data" rather than pretending to be neutral.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A sentiment reading for one symbol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsReading {
    /// Mean sentiment of recent headlines, −1…1.
    pub mean_sentiment: f64,
    /// Headlines behind the reading.
    pub headlines: u32,
    /// True when every headline is older than 7 days.
    pub stale: bool,
}

/// A provider of news sentiment. Implementations must only use headlines published on or
/// before `as_of` (no look-ahead).
///
/// ```
/// use scanner_core::signals::{NewsSentiment, NoNews};
/// let now = chrono::Utc::now();
/// assert!(NoNews.sentiment("AAPL", now).is_none());
/// ```
pub trait NewsSentiment: Send + Sync {
    /// The reading for `symbol` as of `as_of`, or `None` when nothing is known.
    fn sentiment(&self, symbol: &str, as_of: DateTime<Utc>) -> Option<NewsReading>;
}

/// The default hook: no news source, every reading absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNews;

impl NewsSentiment for NoNews {
    fn sentiment(&self, _symbol: &str, _as_of: DateTime<Utc>) -> Option<NewsReading> {
        None
    }
}
