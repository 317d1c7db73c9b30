//! Yahoo's options endpoint answers 401 without a session: a cookie from Yahoo's cookie
//! host plus a "crumb" fetched with that cookie. This module gets one lazily, shares it
//! between calls, and renews it once when Yahoo rejects it. Both parts are [`Secret`]s.

use std::sync::Arc;

use reqwest::Url;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::core::VendorCore;
use super::http::Auth;
use super::Secret;
use crate::{Error, ErrorKind, Result};

/// A cookie and the crumb that goes with it.
pub(crate) struct YahooSession {
    pub(crate) cookie: Secret,
    pub(crate) crumb: Secret,
}

/// The current session, shared by every call of one source.
pub(crate) struct SessionCache {
    cookie_url: std::result::Result<Url, String>,
    current: Mutex<Option<Arc<YahooSession>>>,
}

impl SessionCache {
    pub(crate) fn new(cookie_url: &str) -> Self {
        Self {
            cookie_url: Url::parse(cookie_url.trim())
                .map_err(|e| format!("yahoo: invalid cookie URL: {e}")),
            current: Mutex::new(None),
        }
    }

    /// The session in use, if one was obtained.
    pub(crate) async fn current(&self) -> Option<Arc<YahooSession>> {
        self.current.lock().await.clone()
    }

    /// Replace `stale` (the session that was rejected, or none) with a fresh one. If
    /// another call already replaced it, that newer session is returned instead.
    pub(crate) async fn refresh(
        &self,
        core: &VendorCore,
        stale: Option<&Arc<YahooSession>>,
        deadline: Instant,
    ) -> Result<Arc<YahooSession>> {
        let mut guard = self.current.lock().await;
        if let Some(now) = guard.as_ref() {
            if stale.is_none_or(|s| !Arc::ptr_eq(s, now)) {
                return Ok(now.clone());
            }
        }
        let http = core.http()?;
        let cookie_url = self.cookie_url.clone().map_err(Error::invalid_input)?;
        let cookie = http.fetch_cookies(&cookie_url, deadline).await?;
        let crumb_url = core.url(&["v1", "test", "getcrumb"], &[])?;
        let body = http
            .get(&crumb_url, Auth::Cookie(&cookie), deadline)
            .await?;
        let crumb = parse_crumb(&body)?;
        let session = Arc::new(YahooSession { cookie, crumb });
        *guard = Some(session.clone());
        Ok(session)
    }
}

/// A crumb is a short token on one line; anything else (an HTML page, JSON) is an error.
fn parse_crumb(body: &[u8]) -> Result<Secret> {
    let text = std::str::from_utf8(body).unwrap_or_default().trim();
    let plausible = (1..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '{' | '"'));
    if plausible {
        Ok(Secret::new(text))
    } else {
        Err(Error::new(
            ErrorKind::DataSource,
            "yahoo: the crumb endpoint did not return a crumb",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crumbs_are_short_single_tokens() {
        assert_eq!(
            parse_crumb(b" Ab3cD.eF/gh\n")
                .map(|c| c.expose().to_owned())
                .ok(),
            Some("Ab3cD.eF/gh".into())
        );
        assert!(parse_crumb(b"<html>Too Many Requests</html>").is_err());
        assert!(parse_crumb(b"{\"error\":1}").is_err());
        assert!(parse_crumb(b"").is_err());
        assert!(parse_crumb(&[0xff, 0xfe]).is_err());
    }
}
