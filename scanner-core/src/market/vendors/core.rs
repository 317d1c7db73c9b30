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
    /// The as-ofs accepted as "now" most recently (newest last): a long scan keeps asking
    /// with the as-of it started with, and must not turn historical as its minutes pass.
    live_as_ofs: std::sync::Mutex<Vec<DateTime<Utc>>>,
}

/// How many recent live as-ofs are remembered (scans running at once on one source).
const LIVE_AS_OFS_KEPT: usize = 8;

impl VendorCore {
    pub(crate) fn new(name: &'static str, default_base: &str) -> Self {
        let mut core = Self {
            name,
            base_url: Err(String::new()),
            http: Err(String::new()),
            universe: DEFAULT_UNIVERSE.iter().map(|s| (*s).to_owned()).collect(),
            max_expirations: DEFAULT_MAX_EXPIRATIONS,
            reports: LastReports::default(),
            live_as_ofs: std::sync::Mutex::new(Vec::new()),
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

    /// A live vendor only serves "now": refuse an `as_of` more than a few minutes old,
    /// unless it is the as-of of a scan this source already served live (a 500-symbol
    /// scan under a 120-a-minute limit runs for over 20 minutes on one as-of).
    pub(crate) fn check_live(&self, as_of: DateTime<Utc>) -> Result<()> {
        self.check_as_of(as_of)?;
        let tolerance = chrono::Duration::minutes(LIVE_TOLERANCE_MINUTES);
        let mut seen = self.live_as_ofs.lock().unwrap_or_else(|p| p.into_inner());
        if Utc::now() - as_of <= tolerance {
            if !seen.contains(&as_of) {
                if seen.len() == LIVE_AS_OFS_KEPT {
                    seen.remove(0);
                }
                seen.push(as_of);
            }
            return Ok(());
        }
        if seen.contains(&as_of) {
            return Ok(());
        }
        Err(Error::invalid_input(format!(
            "historical chains are not available from {} (as_of {as_of} is more than \
             {LIVE_TOLERANCE_MINUTES} minutes in the past)",
            self.name
        )))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_served_live_keeps_its_as_of_live_while_its_minutes_pass() {
        let core = VendorCore::new("tradier", "https://example.invalid/");
        let now = Utc::now();
        core.check_live(now).expect("now is live");
        let old = now - chrono::Duration::minutes(30);
        let err = core.check_live(old).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.message().contains("historical"), "{err}");
        // As if `old` had been accepted when it was fresh, 30 minutes ago.
        core.live_as_ofs.lock().unwrap().insert(0, old);
        core.check_live(old)
            .expect("the running scan's as-of stays live");
        assert!(core.check_live(old - chrono::Duration::seconds(1)).is_err());
        // Only the newest few are remembered.
        for i in 0..LIVE_AS_OFS_KEPT as i64 {
            core.check_live(now - chrono::Duration::seconds(i + 1))
                .unwrap();
        }
        assert!(
            core.check_live(old).is_err(),
            "forgotten after {LIVE_AS_OFS_KEPT} newer ones"
        );
    }
}
