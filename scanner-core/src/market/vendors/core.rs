//! What the three vendor sources have in common besides HTTP: base URL, configuration,
//! universe, expiration limit, symbol checks, the "live only" rule for chains and the
//! per-symbol parse reports.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use reqwest::Url;
use tokio::time::Instant;

use super::http::HttpClient;
use super::report::LastReports;
use super::HttpConfig;
use crate::{Error, Result};

/// How far in the past `as_of` may be for a live vendor to still serve "now".
pub(crate) const LIVE_TOLERANCE_MINUTES: i64 = 5;

/// Expirations fetched per chain unless the caller says otherwise (the original fetched 6).
pub(crate) const DEFAULT_MAX_EXPIRATIONS: usize = 6;

/// A default universe of liquid, optionable US tickers.
pub(crate) const DEFAULT_UNIVERSE: [&str; 12] = [
    "SPY", "QQQ", "IWM", "DIA", "AAPL", "MSFT", "NVDA", "AMZN", "META", "TSLA", "AMD", "XLF",
];

pub(crate) struct VendorCore {
    pub(crate) name: &'static str,
    base_url: std::result::Result<Url, String>,
    http: std::result::Result<Arc<HttpClient>, String>,
    pub(crate) universe: Vec<String>,
    pub(crate) max_expirations: usize,
    pub(crate) reports: LastReports,
}

impl VendorCore {
    pub(crate) fn new(name: &'static str, default_base: &str) -> Self {
        let mut core = Self {
            name,
            base_url: Err(String::new()),
            http: Err(String::new()),
            universe: DEFAULT_UNIVERSE.iter().map(|s| (*s).to_owned()).collect(),
            max_expirations: DEFAULT_MAX_EXPIRATIONS,
            reports: LastReports::default(),
        };
        core.set_base_url(default_base);
        core.set_config(HttpConfig::default());
        core
    }

    /// Point the source at another server (a mirror, a proxy, a test server). An invalid
    /// URL is reported by every later call as InvalidInput.
    pub(crate) fn set_base_url(&mut self, url: &str) {
        self.base_url = Url::parse(url.trim())
            .map_err(|e| format!("{}: invalid base URL: {e}", self.name))
            .and_then(|u| {
                if u.cannot_be_a_base() || !matches!(u.scheme(), "http" | "https") {
                    Err(format!("{}: base URL must be http(s)", self.name))
                } else {
                    Ok(u)
                }
            });
    }

    pub(crate) fn set_config(&mut self, config: HttpConfig) {
        self.http = HttpClient::new(self.name, config)
            .map(Arc::new)
            .map_err(|e| e.message().to_owned());
    }

    pub(crate) fn http(&self) -> Result<&HttpClient> {
        self.http
            .as_deref()
            .map_err(|e| Error::invalid_input(e.clone()))
    }

    /// `base/segments…?query`, with every segment percent-encoded.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url> {
        let mut url = self.base_url.clone().map_err(Error::invalid_input)?;
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// The configured base URL, when valid.
    pub(crate) fn base(&self) -> Option<&Url> {
        self.base_url.as_ref().ok()
    }

    /// Whether `url` points at the configured server (credentials are only sent there).
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        self.base_url
            .as_ref()
            .is_ok_and(|b| b.origin() == url.origin())
    }

    /// The deadline for a symbol's call that starts now.
    pub(crate) fn deadline(&self) -> Result<Instant> {
        let limit = self.http()?.config().symbol_deadline;
        Ok(Instant::now()
            .checked_add(limit)
            .unwrap_or_else(super::http::far_future))
    }

    /// Refuse instants no vendor can have data for (before 1900 or after 2200); calendar
    /// conversions near the ends of chrono's range would otherwise overflow.
    pub(crate) fn check_as_of(&self, as_of: DateTime<Utc>) -> Result<()> {
        let year = as_of.year();
        if (1900..=2200).contains(&year) {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "{}: as_of {as_of} is outside 1900–2200",
                self.name
            )))
        }
    }

    /// A live vendor only serves "now": refuse an `as_of` more than a few minutes old.
    pub(crate) fn check_live(&self, as_of: DateTime<Utc>) -> Result<()> {
        self.check_as_of(as_of)?;
        if Utc::now() - as_of > chrono::Duration::minutes(LIVE_TOLERANCE_MINUTES) {
            return Err(Error::invalid_input(format!(
                "historical chains are not available from {} (as_of {as_of} is more than \
                 {LIVE_TOLERANCE_MINUTES} minutes in the past)",
                self.name
            )));
        }
        Ok(())
    }

    pub(crate) fn base_for_debug(&self) -> String {
        match &self.base_url {
            Ok(u) => super::redact_url(u.as_str()),
            Err(e) => e.clone(),
        }
    }
}

/// Normalise a ticker (trim, upper-case) and reject anything that is not one.
///
/// ```
/// use scanner_core::market::vendors::normalize_symbol;
/// assert_eq!(normalize_symbol(" brk.b ").unwrap(), "BRK.B");
/// assert!(normalize_symbol("../etc").is_err());
/// ```
pub fn normalize_symbol(symbol: &str) -> Result<String> {
    let s = symbol.trim().to_ascii_uppercase();
    let ok = (1..=15).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '^' | '='))
        && s.chars().any(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(s)
    } else {
        Err(Error::invalid_input(format!(
            "not a ticker symbol: {:?}",
            symbol.chars().take(32).collect::<String>()
        )))
    }
}
