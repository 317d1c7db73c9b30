//! `HttpRepresentation`: a served scan's ETag, Last-Modified and precompressed bodies, so a
//! route answers `304 Not Modified` and `br`/`gzip` requests with no per-request
//! compression (the core builds them once per scan; this only converts).

use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use scanner_core::cache as core;

/// The request headers that decide the answer (any may be absent).
#[napi(object)]
pub struct HttpRequestInit {
    /// `If-None-Match`.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// `Accept-Encoding`.
    pub accept_encoding: Option<String>,
    /// Bytes replacing the document's closing `}}` (per-request fields); the ETag is then weak.
    pub tail: Option<Buffer>,
}

/// What to send, from `HttpRepresentation.negotiate`.
#[napi(object, object_from_js = false)]
pub struct Negotiated {
    /// 200 or 304.
    pub status: u32,
    /// The `ETag` header value.
    pub etag: String,
    /// The `Last-Modified` header value.
    pub last_modified: String,
    /// The `Content-Encoding` header value (`"br"` or `"gzip"`), absent for identity and 304.
    pub content_encoding: Option<String>,
    /// The body (absent on 304).
    pub body: Option<Buffer>,
}

/// A scan's HTTP representation, built once per scan and shared by every request.
#[napi]
pub struct HttpRepresentation(pub(crate) Arc<core::HttpRepresentation>);

#[napi]
impl HttpRepresentation {
    /// The strong `ETag` of the identity body.
    #[napi(getter)]
    pub fn etag(&self) -> String {
        self.0.etag().to_owned()
    }

    /// When the scan ran, as an HTTP date (`Last-Modified`).
    #[napi(getter)]
    pub fn last_modified(&self) -> String {
        self.0.last_modified()
    }

    /// 304 when `If-None-Match` names this scan (or, without it, `If-Modified-Since` is not
    /// before it); else the body in br, gzip or identity by `Accept-Encoding`.
    #[napi]
    pub fn negotiate(&self, request: Option<HttpRequestInit>) -> Negotiated {
        let r = request.unwrap_or(HttpRequestInit {
            if_none_match: None,
            if_modified_since: None,
            accept_encoding: None,
            tail: None,
        });
        let out = self.0.negotiate(&core::HttpRequest {
            if_none_match: r.if_none_match.as_deref(),
            if_modified_since: r.if_modified_since.as_deref(),
            accept_encoding: r.accept_encoding.as_deref(),
            tail: r.tail.as_deref(),
        });
        let (status, etag) = (u32::from(out.status()), out.etag().to_owned());
        let (content_encoding, body) = match out {
            core::Negotiated::NotModified { .. } => (None, None),
            core::Negotiated::Body {
                encoding, bytes, ..
            } => (
                (encoding != core::ContentCoding::Identity).then(|| encoding.as_str().to_owned()),
                Some(Buffer::from(bytes)),
            ),
        };
        Negotiated {
            status,
            etag,
            last_modified: self.0.last_modified(),
            content_encoding,
            body,
        }
    }
}
