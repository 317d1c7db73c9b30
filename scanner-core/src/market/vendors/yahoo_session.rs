//! Yahoo's options endpoint answers 401 without a session: a cookie from Yahoo's cookie
//! host (the `A3` cookie, kept with its expiry, through the consent page where Yahoo shows
//! one: [`super::yahoo_consent`]) plus a "crumb" fetched with that cookie.
//! This module gets one lazily, shares one crumb between all calls, renews it once when
//! Yahoo rejects it (401/403) or when the cookie has expired, and treats crumb bodies such as
//! `Too Many Requests`, an HTML page or nothing as a failed crumb. A 429 is a rate limit, not
//! a bad session: it is retried by the HTTP layer and never renews the session. Both parts
//! are [`Secret`]s.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Url;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::core::VendorCore;
use super::http::Auth;
use super::yahoo_consent::session_cookies;
use super::Secret;
use crate::{Error, ErrorKind, Result};

/// A cookie and the crumb that goes with it.
pub(crate) struct YahooSession {
    pub(crate) cookie: Secret,
    pub(crate) crumb: Secret,
    /// When the first of its cookies expires (`Expires` / `Max-Age`), if it said.
    pub(crate) expires: Option<DateTime<Utc>>,
}

impl YahooSession {
    /// Whether a cookie of this session has expired (it is then renewed before use).
    pub(crate) fn expired(&self) -> bool {
        self.expires.is_some_and(|t| t <= Utc::now())
    }
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

    /// The session in use, if one was obtained and has not expired.
    pub(crate) async fn current(&self) -> Option<Arc<YahooSession>> {
        self.current.lock().await.clone().filter(|s| !s.expired())
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
        if let Some(now) = guard.as_ref().filter(|s| !s.expired()) {
            if stale.is_none_or(|s| !Arc::ptr_eq(s, now)) {
                return Ok(now.clone());
            }
        }
        let http = core.http()?;
        let cookie_url = self.cookie_url.clone().map_err(Error::invalid_input)?;
        let (cookie, expires) =
            session_cookie(&session_cookies(http, &cookie_url, deadline).await?);
        let crumb_url = core.url(&["v1", "test", "getcrumb"], &[])?;
        let body = http
            .get(&crumb_url, Auth::Cookie(&cookie), deadline)
            .await?;
        let crumb = parse_crumb(&body)?;
        let session = Arc::new(YahooSession {
            cookie,
            crumb,
            expires,
        });
        *guard = Some(session.clone());
        Ok(session)
    }
}

/// The `Cookie` header for a set of `Set-Cookie` values, and the earliest expiry among them.
fn session_cookie(set_cookies: &[String]) -> (Secret, Option<DateTime<Utc>>) {
    let now = Utc::now();
    let mut pairs = Vec::new();
    let mut expires: Option<DateTime<Utc>> = None;
    for c in set_cookies {
        let mut parts = c.split(';').map(str::trim);
        if let Some(pair) = parts.next() {
            pairs.push(pair.to_owned());
        }
        for attr in parts {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            let at = if k.eq_ignore_ascii_case("max-age") {
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|s| now.checked_add_signed(chrono::Duration::try_seconds(s)?))
            } else if k.eq_ignore_ascii_case("expires") {
                DateTime::parse_from_rfc2822(v.trim())
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
            } else {
                None
            };
            if let Some(t) = at {
                expires = Some(expires.map_or(t, |e| e.min(t)));
            }
        }
    }
    (Secret::new(pairs.join("; ")), expires)
}

/// A crumb is a short token on one line; anything else (an HTML page, JSON, the text
/// `Too Many Requests`, nothing) is an error.
fn parse_crumb(body: &[u8]) -> Result<Secret> {
    let text = std::str::from_utf8(body).unwrap_or_default().trim();
    let plausible = (1..=64).contains(&text.len())
        && !text.eq_ignore_ascii_case("too many requests")
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
        assert!(parse_crumb(b"Too Many Requests").is_err());
        assert!(
            parse_crumb(b"Too_Many_Requests").is_ok(),
            "a token is a token"
        );
    }

    #[test]
    fn the_session_cookie_keeps_its_earliest_expiry() {
        let (cookie, expires) = session_cookie(&[
            "A3=d=AQABBsecret; Expires=Mon, 01 Jan 2035 00:00:00 GMT; Path=/; Secure".into(),
            "A1S=d=x; Max-Age=60; Path=/".into(),
        ]);
        assert_eq!(cookie.expose(), "A3=d=AQABBsecret; A1S=d=x");
        let left = expires.map(|t| (t - Utc::now()).num_seconds());
        assert!(left.is_some_and(|s| (55..=60).contains(&s)), "{left:?}");
        let (_, none) = session_cookie(&["A3=d=y; Path=/".into()]);
        assert_eq!(none, None);
        let expired = YahooSession {
            cookie: Secret::new("A3=x"),
            crumb: Secret::new("c"),
            expires: Some(Utc::now() - chrono::Duration::seconds(1)),
        };
        assert!(expired.expired());
    }
}
