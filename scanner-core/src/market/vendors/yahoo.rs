//! Yahoo Finance as a [`MarketData`] source: options v7 pages (one per expiration) and
//! chart v8 daily bars, over the shared HTTP layer. Yahoo needs no API key.

use chrono::{DateTime, Utc};

use super::core::VendorCore;
use super::http::Auth;
use super::yahoo_json::{parse_chart, parse_options};
use super::yahoo_session::{SessionCache, YahooSession};
use super::{finish_chain, lookback_start, ParseReport};
use crate::calendar::ny_date;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, ErrorKind, Result};
use reqwest::Url;
use tokio::time::Instant;

/// Yahoo Finance (`query2.finance.yahoo.com` by default).
///
/// ```
/// use scanner_core::market::{MarketData, YahooMarket};
/// let yahoo = YahooMarket::new().with_universe(vec!["SPY".into(), "QQQ".into()]);
/// assert_eq!(yahoo.name(), "yahoo");
/// ```
pub struct YahooMarket {
    core: VendorCore,
    session: SessionCache,
}

/// Where Yahoo hands out the session cookie its crumb endpoint needs.
const COOKIE_URL: &str = "https://fc.yahoo.com";

impl YahooMarket {
    /// A source with the default base URL, [`HttpConfig::default`](super::HttpConfig::default) and a small default
    /// universe of liquid tickers.
    pub fn new() -> Self {
        Self {
            core: VendorCore::new("yahoo", "https://query2.finance.yahoo.com"),
            session: SessionCache::new(COOKIE_URL),
        }
    }

    /// Get Yahoo's session cookie from `url` instead of `https://fc.yahoo.com` (the
    /// session is only fetched when the options endpoint answers 401 or 403).
    pub fn with_cookie_url(mut self, url: impl AsRef<str>) -> Self {
        self.session = SessionCache::new(url.as_ref());
        self
    }

    /// One options page; on 401/403, get a (new) session cookie and crumb and try once more.
    async fn get_options(
        &self,
        symbol: &str,
        date: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<u8>> {
        let http = self.core.http()?;
        let session = self.session.current().await;
        let url = self.options_url(symbol, date, session.as_deref())?;
        let auth = session
            .as_ref()
            .map_or(Auth::None, |s| Auth::Cookie(&s.cookie));
        match http.get_checked(&url, auth, deadline).await {
            Ok(body) => Ok(body),
            Err((_, Some(401 | 403))) => {
                let fresh = self
                    .session
                    .refresh(&self.core, session.as_ref(), deadline)
                    .await?;
                let url = self.options_url(symbol, date, Some(&fresh))?;
                http.get(&url, Auth::Cookie(&fresh.cookie), deadline).await
            }
            Err((e, _)) => Err(e),
        }
    }

    fn options_url(
        &self,
        symbol: &str,
        date: Option<&str>,
        session: Option<&YahooSession>,
    ) -> Result<Url> {
        let mut query = Vec::new();
        if let Some(d) = date {
            query.push(("date", d));
        }
        if let Some(s) = session {
            query.push(("crumb", s.crumb.expose()));
        }
        self.core.url(&["v7", "finance", "options", symbol], &query)
    }

    async fn fetch_chain(&self, symbol: &str) -> Result<OptionChain> {
        let deadline = self.core.deadline()?;
        let mut report = ParseReport::new("yahoo");
        let first = self.get_options(symbol, None, deadline).await?;
        let page = parse_options(&first, symbol, &mut report)?;
        let today = ny_date(Utc::now());
        let wanted: Vec<(i64, chrono::NaiveDate)> = page
            .expirations
            .iter()
            .copied()
            .filter(|(_, d)| *d >= today)
            .take(self.core.max_expirations)
            .collect();
        let mut quotes: Vec<_> = page.quotes.clone();
        for (secs, date) in &wanted {
            if quotes.iter().any(|q| q.expiration == *date) {
                continue; // the first page already holds the nearest expiration
            }
            // One expiration's page missing (404) keeps the others; it is counted.
            match self
                .get_options(symbol, Some(&secs.to_string()), deadline)
                .await
            {
                Ok(body) => quotes.extend(parse_options(&body, symbol, &mut report)?.quotes),
                Err(e) if e.kind() == ErrorKind::NotFound => report.miss("missing_expiration_page"),
                Err(e) => return Err(e),
            }
        }
        // A delisted symbol still answers, with no price and no expirations.
        let spot = page.spot.ok_or_else(|| {
            Error::not_found(format!(
                "yahoo: {symbol} has no regularMarketPrice (delisted or unknown)"
            ))
        })?;
        if let Some(note) = page.dividend_note {
            report.flag(note);
        }
        let dates: Vec<_> = wanted.iter().map(|(_, d)| *d).collect();
        let chain = finish_chain(
            "yahoo",
            symbol,
            spot,
            page.dividend_yield,
            quotes,
            &dates,
            &mut report,
        )?;
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
        let period1 = lookback_start(as_of, sessions).timestamp().to_string();
        let period2 = as_of
            .checked_add_signed(chrono::Duration::days(1))
            .unwrap_or(as_of)
            .timestamp()
            .to_string();
        let query = [
            ("period1", period1.as_str()),
            ("period2", period2.as_str()),
            ("interval", "1d"),
        ];
        let url = self.core.url(&["v8", "finance", "chart", symbol], &query)?;
        let body = self.core.http()?.get(&url, Auth::None, deadline).await?;
        let mut report = ParseReport::new("yahoo");
        let history = parse_chart(&body, symbol, sessions, as_of, &mut report)?;
        self.core.reports.set_history(symbol, report);
        Ok(history)
    }
}

impl Default for YahooMarket {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for YahooMarket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YahooMarket")
            .field("base_url", &self.core.base_for_debug())
            .field("universe", &self.core.universe.len())
            .finish_non_exhaustive()
    }
}

vendor_builders!(YahooMarket);
vendor_market_data!(YahooMarket, "yahoo");
