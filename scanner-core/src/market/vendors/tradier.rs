//! Tradier as a [`MarketData`] source: expirations, one chain (with greeks) per
//! expiration, the underlying quote and daily history, authenticated with a bearer token.

use chrono::{DateTime, Utc};
use reqwest::Url;

use super::core::VendorCore;
use super::http::Auth;
use super::tradier_json::{parse_chain, parse_expirations, parse_history, parse_quote};
use super::{finish_chain, lookback_start, ParseReport, Secret};
use crate::calendar::ny_date;
use crate::model::{OptionChain, PriceHistory};
use crate::{Error, ErrorKind, Result};

/// Tradier (`api.tradier.com` by default; use the sandbox URL for a sandbox token). Paced
/// to Tradier's 120 market-data requests a minute by default
/// ([`HttpConfig::tradier`](super::HttpConfig::tradier)) and to the `X-Ratelimit-*` window
/// it reports.
///
/// ```
/// use scanner_core::market::{MarketData, TradierMarket};
/// let tradier = TradierMarket::new(Some("tok_test".into())).unwrap();
/// assert_eq!(tradier.name(), "tradier");
/// assert!(!format!("{tradier:?}").contains("tok_test"));
/// ```
pub struct TradierMarket {
    core: VendorCore,
    token: Secret,
}

impl TradierMarket {
    /// A source using `token`, else `$TRADIER_TOKEN`; neither is InvalidInput.
    pub fn new(token: Option<String>) -> Result<Self> {
        let token = Secret::from_arg_or_env(token, "TRADIER_TOKEN").ok_or_else(|| {
            Error::invalid_input("tradier needs an access token: pass one or set TRADIER_TOKEN")
        })?;
        let mut core = VendorCore::new("tradier", "https://api.tradier.com");
        core.set_config(super::HttpConfig::tradier());
        Ok(Self { core, token })
    }

    async fn get(&self, url: &Url, deadline: tokio::time::Instant) -> Result<Vec<u8>> {
        let http = self.core.http()?;
        let result = http.get(url, Auth::Bearer(&self.token), deadline).await;
        result.map_err(|e| super::secret::scrub(e, &self.token))
    }

    async fn fetch_chain(&self, symbol: &str) -> Result<OptionChain> {
        let deadline = self.core.deadline()?;
        let mut report = ParseReport::new("tradier");
        let url = self.core.url(
            &["v1", "markets", "options", "expirations"],
            &[("symbol", symbol)],
        )?;
        let dates = parse_expirations(&self.get(&url, deadline).await?, symbol)?;
        let today = ny_date(Utc::now());
        let wanted: Vec<_> = dates
            .into_iter()
            .filter(|d| *d >= today)
            .take(self.core.max_expirations)
            .collect();
        let mut quotes = Vec::new();
        for expiration in &wanted {
            let exp = expiration.to_string();
            let query = [
                ("symbol", symbol),
                ("expiration", exp.as_str()),
                ("greeks", "true"),
            ];
            let url = self
                .core
                .url(&["v1", "markets", "options", "chains"], &query)?;
            quotes.extend(parse_chain(
                &self.get(&url, deadline).await?,
                symbol,
                &mut report,
            )?);
        }
        let url = self
            .core
            .url(&["v1", "markets", "quotes"], &[("symbols", symbol)])?;
        let quote = parse_quote(&self.get(&url, deadline).await?, symbol)?;
        let spot = match (quote.last, quote.prevclose) {
            (Some(last), _) => last,
            (None, Some(prev)) => {
                report.flag("spot_from_previous_close");
                prev
            }
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::DataSource,
                    format!("tradier: {symbol}: no underlying price"),
                ))
            }
        };
        let chain = finish_chain("tradier", symbol, spot, None, quotes, &wanted, &mut report)?;
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
        let start = ny_date(lookback_start(as_of, sessions)).to_string();
        let end = ny_date(as_of).to_string();
        let query = [
            ("symbol", symbol),
            ("interval", "daily"),
            ("start", start.as_str()),
            ("end", end.as_str()),
        ];
        let url = self.core.url(&["v1", "markets", "history"], &query)?;
        let body = self.get(&url, deadline).await?;
        let mut report = ParseReport::new("tradier");
        let history = parse_history(&body, symbol, sessions, as_of, &mut report)?;
        self.core.reports.set_history(symbol, report);
        Ok(history)
    }
}

impl std::fmt::Debug for TradierMarket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TradierMarket")
            .field("base_url", &self.core.base_for_debug())
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

vendor_builders!(TradierMarket);
vendor_market_data!(TradierMarket, "tradier");
