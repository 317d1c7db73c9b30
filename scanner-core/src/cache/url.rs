//! Connection strings: which backend a URL names, whether it points at a transaction-mode
//! pooler, and how to show it without its password.
//!
//! Every message the cache produces about a connection goes through [`redact_url`] or
//! [`Secret::scrub`], so a password typed into `DATABASE_URL` never reaches a log or error.

use crate::{Error, Result};

/// The database behind a [`super::ScanStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// An embedded SQLite file (or `sqlite::memory:`).
    Sqlite,
    /// PostgreSQL or Supabase, directly or through a pooler.
    Postgres,
}

/// How the store talks to PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PoolerMode {
    /// Safe behind a transaction-mode pooler on any port, without configuration: unnamed
    /// statements inside explicit transactions, subscriptions by polling (never LISTEN).
    /// When the URL itself says a pooler is there (port 6543 or `?pgbouncer=true`),
    /// migrations are refused up front. The default.
    #[default]
    Auto,
    /// A direct or session-mode connection, promised by the caller (or `?pgbouncer=false`):
    /// named statements are cached (fewer round trips), LISTEN delivers push updates.
    /// Breaks behind a transaction-mode pooler.
    Direct,
    /// A transaction-mode pooler (PgBouncer `pool_mode = transaction`, Supavisor port 6543):
    /// like `Auto`, and migrations are refused up front.
    Transaction,
}

/// A parsed connection string.
#[derive(Clone)]
pub(crate) struct DbUrl {
    pub backend: Backend,
    /// The URL handed to the driver (the `pgbouncer` parameter removed).
    pub driver_url: String,
    /// The URL with its password replaced by `***`.
    pub redacted: String,
    /// Whether the URL itself asks for transaction-pooler handling.
    pub looks_pooled: bool,
    /// Whether the URL promises a direct connection (`?pgbouncer=false`).
    pub says_direct: bool,
    pub secret: Secret,
}

impl DbUrl {
    /// Parse `url`; the error message never repeats the password.
    pub fn parse(url: &str) -> Result<Self> {
        let secret = Secret(password_of(url));
        let redacted = redact_url(url);
        if url.starts_with("sqlite:") {
            return Ok(Self {
                backend: Backend::Sqlite,
                driver_url: url.to_owned(),
                redacted,
                looks_pooled: false,
                says_direct: false,
                secret,
            });
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::invalid_input(format!(
                "database URL must start with sqlite:, postgres:// or postgresql://, got {redacted:?}"
            )));
        }
        let mut parsed = url::Url::parse(url).map_err(|e| {
            Error::invalid_input(format!("malformed database URL {redacted:?}: {e}"))
        })?;
        let (mut pgbouncer, mut says_direct) = (false, false);
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, v)| {
                if k == "pgbouncer" {
                    pgbouncer = matches!(v.as_ref(), "true" | "1" | "yes");
                    says_direct = matches!(v.as_ref(), "false" | "0" | "no");
                    false
                } else {
                    true
                }
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
        let looks_pooled = pgbouncer || parsed.port() == Some(6543);
        Ok(Self {
            backend: Backend::Postgres,
            driver_url: parsed.to_string(),
            redacted,
            looks_pooled,
            says_direct,
            secret,
        })
    }
}

/// A password kept only to scrub it from driver messages.
#[derive(Clone, Default)]
pub(crate) struct Secret(Option<String>);

impl Secret {
    /// `text` with every occurrence of the password (raw or percent-encoded) replaced.
    pub fn scrub(&self, text: &str) -> String {
        match &self.0 {
            Some(p) if !p.is_empty() => {
                let decoded = percent_decode(p);
                text.replace(p.as_str(), "***").replace(&decoded, "***")
            }
            _ => text.to_owned(),
        }
    }
}

/// The userinfo of `url` (before the last `@` after the scheme), so a password holding an
/// unencoded `/`, `#`, `?` or `@` is still found. Over-reaching (an `@` in the query) only
/// ever hides more.
fn userinfo_of(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let (userinfo, tail) = rest.rsplit_once('@')?;
    Some((scheme, userinfo, tail))
}

fn password_of(url: &str) -> Option<String> {
    let (_, userinfo, _) = userinfo_of(url)?;
    userinfo.split_once(':').map(|(_, p)| p.to_owned())
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `url` with the password (if any) replaced by `***`. Works on malformed URLs too, so it
/// is safe to call before parsing.
///
/// ```
/// use scanner_core::cache::redact_url;
/// assert_eq!(
///     redact_url("postgres://app:hunter2@db.example.com:6543/postgres"),
///     "postgres://app:***@db.example.com:6543/postgres"
/// );
/// assert_eq!(redact_url("sqlite://optscan.db"), "sqlite://optscan.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, userinfo, rest)) = userinfo_of(url) else {
        // No userinfo: a password may still hide in `?password=`.
        return match url.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}", redact_query_password(rest)),
            None => url.to_owned(),
        };
    };
    let masked = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => userinfo.to_owned(),
    };
    format!("{scheme}://{masked}@{}", redact_query_password(rest))
}

fn redact_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_backend_and_pooler() {
        let u = DbUrl::parse("postgres://u:pw@h:6543/db").unwrap();
        assert_eq!(u.backend, Backend::Postgres);
        assert!(u.looks_pooled);
        let u = DbUrl::parse("postgresql://u:pw@h:5432/db?pgbouncer=true&sslmode=require").unwrap();
        assert!(u.looks_pooled);
        assert!(!u.driver_url.contains("pgbouncer"));
        assert!(u.driver_url.contains("sslmode=require"));
        assert!(!DbUrl::parse("postgres://h/db").unwrap().looks_pooled);
        assert_eq!(
            DbUrl::parse("sqlite::memory:").unwrap().backend,
            Backend::Sqlite
        );
    }

    #[test]
    fn malformed_urls_never_echo_the_password() {
        for bad in [
            "postgres://u:s3cretPW@h:notaport/db",
            "mysql://u:s3cretPW@h/db",
            "postgres://u:s3cretPW@[::1/db",
        ] {
            let err = DbUrl::parse(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!err.is_empty(), "{bad} should be rejected");
            assert!(!err.contains("s3cretPW"), "{err}");
        }
    }

    #[test]
    fn passwords_with_unencoded_delimiters_are_redacted() {
        for (url, pw) in [
            ("postgres://u:sec/retpw@h:5432/db", "sec/retpw"),
            ("postgres://u:sec#retpw@h/db", "sec#retpw"),
            ("postgres://u:sec?retpw@h/db?sslmode=require", "sec?retpw"),
            ("postgres://u:a@b@h/db", "a@b"),
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains("retpw") && !shown.contains(pw), "{shown}");
            let err = DbUrl::parse(url)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!err.contains(pw), "{err}");
        }
        assert_eq!(
            redact_url("postgres://h/db?password=x"),
            "postgres://h/db?password=***"
        );
    }

    #[test]
    fn redacts_userinfo_and_query_passwords() {
        assert_eq!(
            redact_url("postgres://u:p%40ss@h/db?password=x&sslmode=require"),
            "postgres://u:***@h/db?password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        let s = Secret(Some("p%40ss".into()));
        assert_eq!(
            s.scrub("auth failed for p@ss and p%40ss"),
            "auth failed for *** and ***"
        );
    }
}
