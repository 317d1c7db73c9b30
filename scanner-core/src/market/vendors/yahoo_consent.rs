//! Getting Yahoo's session cookies, consent page included. Outside the EU the cookie host
//! sets the `A3` cookie on its first answer; inside it, the host redirects to a consent
//! page whose form must be posted ("agree") before a redirect chain sets the cookies. This
//! module walks that chain by hand (redirects are not followed automatically, or their
//! `Set-Cookie`s would be lost), posting the consent form once when it meets one.

use reqwest::Url;
use tokio::time::Instant;

use super::http::HttpClient;
use crate::{Error, ErrorKind, Result};

/// More hops than any real cookie or consent chain takes (about five).
const MAX_HOPS: usize = 10;

/// The raw `Set-Cookie` values gathered from `start` to the end of its redirect chain,
/// posting a consent form on the way if one is served.
pub(crate) async fn session_cookies(
    http: &HttpClient,
    start: &Url,
    deadline: Instant,
) -> Result<Vec<String>> {
    let mut cookies: Vec<String> = Vec::new();
    let mut next = Some((start.clone(), None::<Vec<(String, String)>>));
    let mut consented = false;
    for _ in 0..MAX_HOPS {
        let Some((url, form)) = next.take() else {
            break;
        };
        let answer = http
            .exchange(&url, form.as_deref(), &cookie_header(&cookies), deadline)
            .await?;
        cookies.extend(answer.set_cookies);
        if has_session(&cookies) {
            return Ok(cookies);
        }
        if (300..400).contains(&answer.status) {
            next = answer.location.map(|l| (l, None));
            continue;
        }
        if let Some(consent) = ConsentForm::parse(&answer.body) {
            if consented {
                return Err(failure("the consent page came back after agreeing"));
            }
            consented = true;
            let action = match consent.action.as_deref() {
                Some(a) => url.join(a).unwrap_or(url),
                None => url,
            };
            next = Some((action, Some(consent.fields)));
        }
    }
    if cookies.is_empty() {
        return Err(failure(if consented {
            "agreeing to the consent page set no session cookie"
        } else {
            "the cookie host set no session cookie"
        }));
    }
    Ok(cookies)
}

fn failure(what: &str) -> Error {
    Error::new(ErrorKind::DataSource, format!("yahoo: {what}"))
}

/// Whether Yahoo's session cookie (`A3`, or its older twin `A1`) is among `set_cookies`.
fn has_session(set_cookies: &[String]) -> bool {
    set_cookies.iter().any(|c| {
        let name = c.split('=').next().unwrap_or("").trim();
        name == "A3" || name == "A1"
    })
}

/// `name=value` pairs of the cookies so far, for the next hop's `Cookie` header.
fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The consent form of a page: its hidden fields plus the "agree" answer.
#[derive(Debug, PartialEq)]
struct ConsentForm {
    action: Option<String>,
    fields: Vec<(String, String)>,
}

impl ConsentForm {
    /// The form if `page` is a consent page (hidden `csrfToken` and `sessionId` inputs).
    fn parse(page: &[u8]) -> Option<ConsentForm> {
        let html = std::str::from_utf8(page).ok()?;
        let mut fields = Vec::new();
        let mut agree = None;
        for tag in tags(html, "input").chain(tags(html, "button")) {
            let (Some(name), value) = (attr(tag, "name"), attr(tag, "value").unwrap_or_default())
            else {
                continue;
            };
            if name == "agree" {
                agree = Some(value);
            } else if attr(tag, "type").is_some_and(|t| t.eq_ignore_ascii_case("hidden")) {
                fields.push((name, value));
            }
        }
        let has = |n: &str| fields.iter().any(|(k, _)| k == n);
        if !(has("csrfToken") && has("sessionId")) {
            return None;
        }
        fields.push((
            "agree".to_owned(),
            agree.unwrap_or_else(|| "agree".to_owned()),
        ));
        let action = tags(html, "form")
            .find_map(|f| attr(f, "action"))
            .filter(|a| !a.is_empty());
        Some(ConsentForm { action, fields })
    }
}

/// The attribute text of every `<name …>` tag in `html` (case-insensitive tag name).
fn tags<'a>(html: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    html.split('<').skip(1).filter_map(move |t| {
        let head = t.get(..name.len())?;
        let after = t[name.len()..].chars().next()?;
        (head.eq_ignore_ascii_case(name) && (after.is_whitespace() || after == '>' || after == '/'))
            .then(|| &t[name.len()..t.find('>').unwrap_or(t.len())])
    })
}

/// The value of attribute `key` in a tag's text (quoted with `"` or `'`, or bare), with
/// the few entities a token or URL carries decoded.
fn attr(tag: &str, key: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    let mut from = 0;
    while let Some(i) = tag[from..].find(key).map(|i| i + from) {
        from = i + key.len();
        let before_ok = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or(""),
        };
        return Some(
            value
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#x2F;", "/")
                .replace("&#47;", "/"),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body><form method="post" action="/v2/collectConsent?sessionId=3_cc-s">
        <input type="hidden" name="csrfToken" value="tok&amp;1">
        <input type='hidden' name='sessionId' value='3_cc-s'/>
        <input type="hidden" name="originalDoneUrl" value="https://finance.yahoo.com/?guccounter=1">
        <input type="hidden" name="namespace" value="yahoo">
        <input type="text" name="search" value="ignored">
        <button type="submit" class="btn secondary accept-all" name="agree" value="agree">Accept all</button>
        <button type="submit" name="reject" value="reject">Reject all</button>
        </form></body></html>"#;

    #[test]
    fn a_consent_page_gives_its_hidden_fields_and_the_agree_answer() {
        let form = ConsentForm::parse(PAGE.as_bytes()).expect("a consent form");
        assert_eq!(
            form.action.as_deref(),
            Some("/v2/collectConsent?sessionId=3_cc-s")
        );
        let pairs: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("csrfToken", "tok&1"),
                ("sessionId", "3_cc-s"),
                ("originalDoneUrl", "https://finance.yahoo.com/?guccounter=1"),
                ("namespace", "yahoo"),
                ("agree", "agree"),
            ]
        );
    }

    #[test]
    fn other_pages_are_not_consent_forms() {
        assert_eq!(ConsentForm::parse(b"<html>Too Many Requests</html>"), None);
        assert_eq!(ConsentForm::parse(&[0xff, 0xfe]), None);
        // A form without the two tokens is some other page.
        let other = r#"<form action="/x"><input type="hidden" name="csrfToken" value="t"></form>"#;
        assert_eq!(ConsentForm::parse(other.as_bytes()), None);
    }

    #[test]
    fn attributes_are_read_whole_and_by_exact_name() {
        let tag = r#" type="hidden" data-name="no" name=sessionId value="a b""#;
        assert_eq!(attr(tag, "name").as_deref(), Some("sessionId"));
        assert_eq!(attr(tag, "value").as_deref(), Some("a b"));
        assert_eq!(attr(tag, "missing"), None);
    }

    #[test]
    fn the_session_is_the_a3_or_a1_cookie_and_the_header_carries_every_pair() {
        let jar = vec![
            "GUCS=AVx; Max-Age=1800; Path=/".to_owned(),
            "A3=d=AQAB; Expires=Mon, 01 Jan 2035 00:00:00 GMT".to_owned(),
        ];
        assert!(has_session(&jar));
        assert!(!has_session(&jar[..1]));
        assert_eq!(cookie_header(&jar), "GUCS=AVx; A3=d=AQAB");
    }
}
