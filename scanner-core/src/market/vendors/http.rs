//! The one HTTP layer every vendor shares, so retries, backoff, `Retry-After`, concurrency
//! and rate limits, deadlines and secret redaction are written (and tested) once.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    HeaderValue, AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE,
};
use reqwest::Url;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::budget::Budget;
use super::failure::Failure;
use super::retry_after::parse_retry_after;
use super::secret::{redact_url, Secret};
use super::HttpConfig;
use crate::{Error, ErrorKind, Result};

/// The largest response body accepted (a full option chain page is well under 10 MiB).
const MAX_BODY_BYTES: usize = 64 << 20;

/// How a request authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// No credentials (Yahoo).
    None,
    /// `Authorization: Bearer <token>` (Polygon, Tradier).
    Bearer(&'a Secret),
    /// `Cookie: <pairs>` (Yahoo's session cookie).
    Cookie(&'a Secret),
}

/// The largest page a cookie or consent step may send.
const MAX_PAGE_BYTES: usize = 2 << 20;

/// What one request answered, redirects not followed ([`HttpClient::exchange`]).
pub(crate) struct Exchange {
    pub(crate) status: u16,
    /// The redirect target, resolved against the request's URL.
    pub(crate) location: Option<Url>,
    /// The raw `Set-Cookie` values (attributes included).
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: Vec<u8>,
}

/// A rate-limited, retrying GET client for one provider.
pub(crate) struct HttpClient {
    vendor: &'static str,
    config: HttpConfig,
    client: reqwest::Client,
    /// The same settings without following redirects (cookie and consent flows).
    manual: reqwest::Client,
    slots: Arc<Semaphore>,
    budget: Budget,
}

impl HttpClient {
    /// A client for `vendor` honouring `config` (validated here).
    pub(crate) fn new(vendor: &'static str, config: HttpConfig) -> Result<Self> {
        config.validate()?;
        let build = |redirects: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .timeout(config.timeout)
                .user_agent(config.user_agent.as_str())
                .redirect(redirects)
                .build()
                .map_err(|e| {
                    Error::internal(format!("{vendor}: cannot build the HTTP client"))
                        .with_source(e.without_url())
                })
        };
        let client = build(reqwest::redirect::Policy::default())?;
        let manual = build(reqwest::redirect::Policy::none())?;
        Ok(Self {
            vendor,
            manual,
            slots: Arc::new(Semaphore::new(config.max_concurrency)),
            budget: Budget::new(config.request_interval()),
            config,
            client,
        })
    }

    /// The configuration in force.
    pub(crate) fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The pacer and request counters of this provider.
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Run one symbol's work under the hard per-symbol deadline.
    pub(crate) async fn within_deadline<T>(
        &self,
        what: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let limit = self.config.symbol_deadline;
        tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "{}: {what} exceeded the per-symbol deadline of {:.3} s",
                    self.vendor,
                    limit.as_secs_f64()
                ),
            ))
        })
    }

    /// GET `url` and return the body of the first 2xx answer, retrying timeouts,
    /// connection errors, 408, 429 and 5xx with exponential backoff and jitter, waiting at
    /// least `Retry-After` when the server sends it. 404 is [`ErrorKind::NotFound`];
    /// exhausted 429s are [`ErrorKind::RateLimited`]; timeouts are [`ErrorKind::Timeout`].
    /// A wait that would end after `deadline` is not started: the last error is returned.
    pub(crate) async fn get(
        &self,
        url: &Url,
        auth: Auth<'_>,
        deadline: Instant,
    ) -> Result<Vec<u8>> {
        self.get_checked(url, auth, deadline)
            .await
            .map_err(|(e, _)| e)
    }

    /// [`HttpClient::get`], also giving the HTTP status of a final non-2xx answer.
    pub(crate) async fn get_checked(
        &self,
        url: &Url,
        auth: Auth<'_>,
        deadline: Instant,
    ) -> Result<Vec<u8>, (Error, Option<u16>)> {
        let mut attempt = 0u32;
        loop {
            let failure = match self.attempt(url, auth, deadline).await {
                Ok(body) => return Ok(body),
                Err(f) => f,
            };
            if !failure.retryable || attempt >= self.config.max_retries {
                return Err((failure.error, failure.status));
            }
            let wait = self
                .backoff(attempt)
                .max(failure.retry_after.unwrap_or_default());
            // A server-chosen Retry-After may be absurdly long: overflow means "too late".
            let Some(until) = Instant::now().checked_add(wait).filter(|t| *t < deadline) else {
                return Err((failure.error, failure.status));
            };
            // Retry-After speaks for the provider, not this request: every request waits.
            if failure.retry_after.is_some() {
                self.budget.hold_until(until);
            }
            self.budget.sleep(wait).await;
            self.budget.count_retry();
            attempt += 1;
        }
    }

    /// One paced request that follows no redirect, for walking a cookie or consent flow
    /// by hand: a GET, or a POST of `form` (URL-encoded), sending `cookie` when not empty.
    /// Any status is an answer (Yahoo's cookie host replies 404); only transport failures
    /// and an over-long body are errors.
    pub(crate) async fn exchange(
        &self,
        url: &Url,
        form: Option<&[(String, String)]>,
        cookie: &str,
        deadline: Instant,
    ) -> Result<Exchange> {
        let shown = redact_url(url.as_str());
        let no_slot = || {
            Error::new(
                ErrorKind::RateLimited,
                format!("{}: no request slot before the deadline", self.vendor),
            )
        };
        if !self.budget.pace(deadline).await {
            return Err(no_slot());
        }
        let _slot =
            self.slots.acquire().await.map_err(|_| {
                Error::internal(format!("{}: request slots were closed", self.vendor))
            })?;
        if !self.budget.clear_to_send(deadline).await {
            return Err(no_slot());
        }
        let mut request = match form {
            None => self.manual.get(url.clone()),
            Some(fields) => {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                self.manual
                    .post(url.clone())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
            }
        };
        if !cookie.is_empty() {
            let mut value = HeaderValue::from_str(cookie).map_err(|_| {
                Error::invalid_input(format!("{}: a cookie is not a valid header", self.vendor))
            })?;
            value.set_sensitive(true);
            request = request.header(COOKIE, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Failure::transport(self.vendor, url, e).error)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let set_cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.split(';').next().is_some_and(|p| p.contains('=')))
            .map(str::to_owned)
            .collect();
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let body = response
            .bytes()
            .await
            .map_err(|e| Failure::transport(self.vendor, url, e).error)?;
        self.budget.count_bytes(body.len());
        if body.len() > MAX_PAGE_BYTES {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!(
                    "{}: {shown} sent a page over {} MiB",
                    self.vendor,
                    MAX_PAGE_BYTES >> 20
                ),
            ));
        }
        Ok(Exchange {
            status,
            location,
            set_cookies,
            body: body.to_vec(),
        })
    }

    /// `backoff_base · 2^attempt` (capped at 60 s) plus up to 50 % random jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(Duration::from_secs(60));
        exp + exp.mul_f64(0.5 * fastrand::f64())
    }

    async fn attempt(
        &self,
        url: &Url,
        auth: Auth<'_>,
        deadline: Instant,
    ) -> Result<Vec<u8>, Failure> {
        if !self.budget.pace(deadline).await {
            return Err(Failure::fatal(Error::new(
                ErrorKind::RateLimited,
                format!(
                    "{}: the request-rate limit leaves no slot before the deadline",
                    self.vendor
                ),
            )));
        }
        let _slot = self.slots.acquire().await.map_err(|_| {
            Failure::fatal(Error::internal(format!(
                "{}: request slots were closed",
                self.vendor
            )))
        })?;
        if !self.budget.clear_to_send(deadline).await {
            return Err(Failure::fatal(Error::new(
                ErrorKind::RateLimited,
                format!(
                    "{}: the provider's rate-limit window leaves no slot before the deadline",
                    self.vendor
                ),
            )));
        }
        let mut request = self.client.get(url.clone());
        let credential = match auth {
            Auth::None => None,
            Auth::Bearer(token) => Some((AUTHORIZATION, format!("Bearer {}", token.expose()))),
            Auth::Cookie(cookie) => Some((COOKIE, cookie.expose().to_owned())),
        };
        if let Some((name, value)) = credential {
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Failure::fatal(Error::invalid_input(format!(
                    "{}: the credentials contain characters not allowed in a header",
                    self.vendor
                )))
            })?;
            value.set_sensitive(true);
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Failure::transport(self.vendor, url, e))?;
        let status = response.status();
        // Every other request holding a slot may be in flight already.
        let in_flight = self.config.max_concurrency - self.slots.available_permits();
        self.budget.observe(response.headers(), in_flight as u64);
        if status.as_u16() == 429 {
            self.budget.count_rate_limited();
        }
        if status.is_success() {
            let mut response = response;
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| Failure::transport(self.vendor, url, e))?
            {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(Failure::fatal(Error::new(
                        ErrorKind::DataSource,
                        format!(
                            "{}: GET {} sent more than {} MiB",
                            self.vendor,
                            redact_url(url.as_str()),
                            MAX_BODY_BYTES >> 20
                        ),
                    )));
                }
                self.budget.count_bytes(chunk.len());
                body.extend_from_slice(&chunk);
            }
            return Ok(body);
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        Err(Failure::from_status(self.vendor, url, status, retry_after))
    }
}

/// An instant no wait will reach (about 30 years ahead), for saturating arithmetic.
pub(crate) fn far_future() -> Instant {
    let now = Instant::now();
    now.checked_add(Duration::from_secs(86_400 * 365 * 30))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter() {
        let config = HttpConfig {
            backoff_base: Duration::from_millis(100),
            ..HttpConfig::default()
        };
        let client = HttpClient::new("test", config).map_err(|e| e.to_string());
        let Ok(client) = client else {
            panic!("client: {client:?}", client = client.err())
        };
        for attempt in 0..4u32 {
            let exp = Duration::from_millis(100 * (1 << attempt));
            let d = client.backoff(attempt);
            assert!(
                d >= exp && d <= exp.mul_f64(1.5),
                "attempt {attempt}: {d:?}"
            );
        }
    }
}
