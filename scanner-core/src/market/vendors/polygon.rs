//! Polygon.io as a [`MarketData`] source: the v3 options snapshot (paginated through
//! `next_url`) and v2 daily aggregates, authenticated with a bearer API key that never
//! leaves the configured host.

use chrono::{DateTime, Utc};
use reqwest::Url;

use super::core::VendorCore;
use super::http::Auth;
use super::polygon_json::{parse_aggs, parse_prev_close, parse_snapshot};
use super::{finish_chain, lookback_start, nearest_expirations, ParseReport, Secret};
use crate::calendar::ny_date;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// Massive's API (Polygon.io's new name and host).
pub const MASSIVE_BASE_URL: &str = "https://api.massive.com";

/// The hosts of the one provider, old and new.
const OFFICIAL_HOSTS: [&str; 2] = ["api.massive.com", "api.polygon.io"];

/// Snapshot pages followed per chain before giving up (250 contracts each).
const MAX_PAGES: usize = 40;

/// Massive, formerly Polygon.io (`api.massive.com` by default; the old
/// `https://api.polygon.io` is still accepted by [`PolygonMarket::with_base_url`], and a
/// `next_url` on either official host is followed). Needs an API key
/// (`$MASSIVE_API_KEY` or `$POLYGON_API_KEY`), sent only as a bearer header.
///
/// The free plan allows 5 requests a minute: use
/// [`HttpConfig::massive_free_tier`](super::HttpConfig::massive_free_tier) with such a key.
///
/// ```
/// use scanner_core::market::{MarketData, PolygonMarket};
/// let polygon = PolygonMarket::new(Some("pk_test".into())).unwrap();
/// assert_eq!(polygon.name(), "polygon");
/// assert!(!format!("{polygon:?}").contains("pk_test"));
/// ```
pub struct PolygonMarket {
    core: VendorCore,
    key: Secret,
}

impl PolygonMarket {
    /// A source using `api_key`, else `$MASSIVE_API_KEY`, else `$POLYGON_API_KEY`; none is
    /// InvalidInput.
    pub fn new(api_key: Option<String>) -> Result<Self> {
        let key = Secret::from_arg_or_env(api_key, "MASSIVE_API_KEY")
            .or_else(|| Secret::from_arg_or_env(None, "POLYGON_API_KEY"))
            .ok_or_else(|| {
                Error::invalid_input(
                    "polygon needs an API key: pass one or set MASSIVE_API_KEY (or POLYGON_API_KEY)",
                )
            })?;
        Ok(Self {
            core: VendorCore::new("polygon", MASSIVE_BASE_URL),
            key,
        })
    }

    /// Whether the API key may follow `next` (the configured server, or the other official
    /// host of the same provider: Polygon became Massive and answers on both).
    fn may_follow(&self, next: &Url) -> bool {
        let official = |u: &Url| {
            u.scheme() == "https" && u.host_str().is_some_and(|h| OFFICIAL_HOSTS.contains(&h))
        };
        self.core.same_origin(next) || (self.core.base().is_some_and(official) && official(next))
    }

    async fn get(&self, url: &Url, deadline: tokio::time::Instant) -> Result<Vec<u8>> {
        let http = self.core.http()?;
        http.get(url, Auth::Bearer(&self.key), deadline)
            .await
            .map_err(|e| self.scrub(e))
    }

    fn scrub(&self, e: Error) -> Error {
        super::secret::scrub(e, &self.key)
    }

    async fn fetch_chain(&self, symbol: &str) -> Result<OptionChain> {
        let deadline = self.core.deadline()?;
        let mut report = ParseReport::new("polygon");
        let mut url = self
            .core
            .url(&["v3", "snapshot", "options", symbol], &[("limit", "250")])?;
        let (mut quotes, mut spot) = (Vec::new(), None);
        for page_no in 0..=MAX_PAGES {
            if page_no == MAX_PAGES {
                report.flag("pagination_cap");
                break;
            }
            let body = self.get(&url, deadline).await?;
            let page = parse_snapshot(&body, symbol, &mut report).map_err(|e| self.scrub(e))?;
            quotes.extend(page.quotes);
            spot = spot.or(page.spot);
            let Some(next) = page.next_url else { break };
            url = Url::parse(&next).map_err(|_| {
                Error::new(
                    ErrorKind::DataSource,
                    format!("polygon: {symbol}: next_url is not a URL"),
                )
            })?;
            if !self.may_follow(&url) {
                return Err(Error::new(
                    ErrorKind::DataSource,
                    format!(
                        "polygon: {symbol}: refusing to send the API key to another host ({})",
                        super::redact_url(url.as_str())
                    ),
                ));
            }
        }
        let spot = match spot {
            Some(s) => s,
            None => {
                report.flag("spot_from_previous_close");
                let prev = self
                    .core
                    .url(&["v2", "aggs", "ticker", symbol, "prev"], &[])?;
                let body = self.get(&prev, deadline).await?;
                parse_prev_close(&body, symbol)?.ok_or_else(|| {
                    Error::new(
                        ErrorKind::DataSource,
                        format!("polygon: {symbol}: no underlying price"),
                    )
                })?
            }
        };
        let wanted = nearest_expirations(&quotes, self.core.max_expirations);
        let chain = finish_chain("polygon", symbol, spot, None, quotes, &wanted, &mut report)?;
        self.core.reports.set_chain(symbol, report);
        Ok(chain)
    }

    async fn fetch_history(
        &self,
        symbol: &str,
        sessions: usize,
        as_of: DateTime<Utc>,
    ) -> Result<PriceHistory> {
        let deadline = self.core.deadline()?;
        let from = ny_date(lookback_start(as_of, sessions)).to_string();
        let to = ny_date(as_of).to_string();
        let segments = [
            "v2", "aggs", "ticker", symbol, "range", "1", "day", &from, &to,
        ];
        let query = [("adjusted", "true"), ("sort", "asc"), ("limit", "50000")];
        let url = self.core.url(&segments, &query)?;
        let body = self.get(&url, deadline).await?;
        let mut report = ParseReport::new("polygon");
        let history =
            parse_aggs(&body, symbol, sessions, as_of, &mut report).map_err(|e| self.scrub(e))?;
        self.core.reports.set_history(symbol, report);
        Ok(history)
    }
}

impl std::fmt::Debug for PolygonMarket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolygonMarket")
            .field("base_url", &self.core.base_for_debug())
            .field("api_key", &self.key)
            .finish_non_exhaustive()
    }
}

vendor_builders!(PolygonMarket);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_url_may_cross_between_the_old_and_new_official_hosts_only() {
        let url = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let m = PolygonMarket::new(Some("k".into())).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.may_follow(&url(
            "https://api.massive.com/v3/snapshot/options/X?cursor=a"
        )));
        assert!(m.may_follow(&url(
            "https://api.polygon.io/v3/snapshot/options/X?cursor=a"
        )));
        assert!(!m.may_follow(&url("https://evil.example/v3?cursor=a")));
        assert!(!m.may_follow(&url("http://api.polygon.io/v3?cursor=a")));
        let old = m.with_base_url("https://api.polygon.io");
        assert!(old.may_follow(&url("https://api.massive.com/v3?cursor=b")));
        let mirror = old.with_base_url("http://127.0.0.1:9");
        assert!(!mirror.may_follow(&url("https://api.massive.com/v3?cursor=b")));
    }
}
vendor_market_data!(PolygonMarket, "polygon");
