//! API keys and tokens must never reach logs, errors or `Debug` output; this module holds
//! the one type that carries them and the one function that scrubs URLs before they are
//! shown to anyone.

use std::fmt;

/// An API key or bearer token. `Debug` and `Display` print `***`; only
/// [`Secret::expose`] gives the value, and only the HTTP layer calls it.
///
/// ```
/// use scanner_core::market::vendors::Secret;
/// let key = Secret::new("pk_live_123");
/// assert_eq!(format!("{key:?} {key}"), "*** ***");
/// assert_eq!(key.expose(), "pk_live_123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself, for building the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A key from `explicit`, else from the environment variable `var`; empty or
    /// whitespace-only values count as missing.
    pub(crate) fn from_arg_or_env(explicit: Option<String>, var: &str) -> Option<Self> {
        explicit
            .or_else(|| std::env::var(var).ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(Self)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Belt and braces for errors built from server text: replace any occurrence of `secret`
/// in the message by `***` (the source chain is dropped with it).
pub(crate) fn scrub(error: crate::Error, secret: &Secret) -> crate::Error {
    if secret.0.is_empty() || !error.message().contains(&secret.0) {
        return error;
    }
    crate::Error::new(error.kind(), error.message().replace(&secret.0, "***"))
}

/// Query-string keys whose values are credentials (compared case-insensitively).
const SENSITIVE_KEYS: [&str; 10] = [
    "crumb",
    "apikey",
    "api_key",
    "key",
    "token",
    "access_token",
    "auth",
    "password",
    "secret",
    "signature",
];

/// A URL safe to show: user info removed and the values of credential-like query
/// parameters (`apiKey`, `token`, `access_token`, `crumb`, …) replaced by `***`. A string that does
/// not parse as a URL loses everything from its first `?`.
///
/// ```
/// use scanner_core::market::vendors::redact_url;
/// let shown = redact_url("https://u:pw@api.example/v3/x?apiKey=abc&limit=5");
/// assert_eq!(shown, "https://api.example/v3/x?apiKey=***&limit=5");
/// assert!(!redact_url("not a url?token=abc").contains("abc"));
/// ```
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.split('?').next().unwrap_or_default().to_owned();
    };
    // Both setters only fail on URLs that cannot have credentials (`data:` etc.).
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let hidden = SENSITIVE_KEYS.contains(&k.to_ascii_lowercase().as_str());
                let v = if hidden {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sensitive_key_is_hidden_whatever_its_case() {
        for key in SENSITIVE_KEYS {
            let upper = key.to_ascii_uppercase();
            let url = format!("http://h/p?{upper}=s3cr3t&a=1");
            let shown = redact_url(&url);
            assert!(!shown.contains("s3cr3t"), "{key}: {shown}");
            assert!(shown.contains("a=1"));
        }
    }

    #[test]
    fn scrub_hides_an_echoed_key_and_keeps_the_kind() {
        let key = Secret::new("k-123");
        let e = crate::Error::new(crate::ErrorKind::RateLimited, "server said: bad key k-123");
        let e = scrub(e, &key);
        assert_eq!(e.kind(), crate::ErrorKind::RateLimited);
        assert_eq!(e.message(), "server said: bad key ***");
    }

    #[test]
    fn urls_without_secrets_are_unchanged() {
        let url = "http://127.0.0.1:8080/v7/finance/options/AAPL?date=1721347200";
        assert_eq!(redact_url(url), url);
    }
}
