//! `CachedJson`: a served scan as the bytes of its JSON document, for web handlers (Flask,
//! FastAPI, …) that send it on without building Python objects per request.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use scanner_core::cache;

/// A scan as served by `ScanStore.latest_json()` / `serve_json()`: its canonical JSON
/// document as UTF-8 `bytes` plus what describes it.
#[pyclass(frozen, module = "optscan")]
pub struct CachedJson {
    /// The wrapped core value (the text is shared with other readers, never copied here).
    pub inner: cache::CachedJson,
}

#[pymethods]
impl CachedJson {
    /// The scan's JSON document (`ScanResult.to_json()` of the stored scan) as UTF-8 bytes.
    #[getter]
    fn json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.json.as_bytes())
    }

    /// The scan's UUID as a string.
    #[getter]
    fn scan_id(&self) -> String {
        self.inner.scan_id.to_string()
    }

    /// When the scan ran.
    #[getter]
    fn scan_timestamp(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.scan_timestamp
    }

    /// `"strict"` or `"relaxed"`.
    #[getter]
    fn filter_mode(&self) -> &'static str {
        self.inner.filter_mode.as_str()
    }

    /// Opportunities in the document.
    #[getter]
    fn opportunity_count(&self) -> usize {
        self.inner.opportunity_count
    }

    /// Contracts analysed after liquidity filtering.
    #[getter]
    fn total_evaluated(&self) -> u64 {
        self.inner.total_evaluated
    }

    /// Minutes since the scan ran.
    #[getter]
    fn age_minutes(&self) -> f64 {
        self.inner.age_minutes
    }

    /// True when older than the caller's max age (served stale).
    #[getter]
    fn is_stale(&self) -> bool {
        self.inner.is_stale
    }

    /// `"cache"` or `"live"`.
    #[getter]
    fn source(&self) -> &'static str {
        self.inner.source.as_str()
    }

    /// Why a stale scan was served instead of a fresh one, if so.
    #[getter]
    fn error(&self) -> Option<String> {
        self.inner.error.clone()
    }

    /// The strong `ETag` of the identity body (built once per scan).
    #[getter]
    fn etag(&self) -> &str {
        self.inner.http.etag()
    }

    /// When the scan ran, as an HTTP date (the `Last-Modified` header).
    #[getter]
    fn last_modified(&self) -> String {
        self.inner.http.last_modified()
    }

    /// What to answer an HTTP request with these headers: 304 when `if_none_match` names
    /// this scan (or, without it, `if_modified_since` is not before it), else the body in
    /// br, gzip or identity by `accept_encoding`, from bytes compressed once per scan.
    /// `tail` replaces the document's closing `}}` (per-request fields; the ETag is then weak).
    #[pyo3(signature = (if_none_match=None, if_modified_since=None, accept_encoding=None, tail=None))]
    fn negotiate(
        &self,
        if_none_match: Option<&str>,
        if_modified_since: Option<&str>,
        accept_encoding: Option<&str>,
        tail: Option<&[u8]>,
    ) -> Negotiated {
        let out = self.inner.negotiate(&cache::HttpRequest {
            if_none_match,
            if_modified_since,
            accept_encoding,
            tail,
        });
        Negotiated {
            status: out.status(),
            etag: out.etag().to_owned(),
            last_modified: self.inner.http.last_modified(),
            out,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<optscan.CachedJson {} {} {} bytes, {:.1} min old, {}>",
            self.inner.filter_mode,
            self.inner.scan_id,
            self.inner.json.len(),
            self.inner.age_minutes,
            self.source()
        )
    }
}

/// The answer to one HTTP request, from `CachedJson.negotiate()`.
#[pyclass(frozen, module = "optscan")]
pub struct Negotiated {
    out: cache::Negotiated,
    /// 200 or 304.
    #[pyo3(get)]
    status: u16,
    /// The `ETag` header value.
    #[pyo3(get)]
    etag: String,
    /// The `Last-Modified` header value.
    #[pyo3(get)]
    last_modified: String,
}

#[pymethods]
impl Negotiated {
    /// `"br"` or `"gzip"`; `None` for identity and for 304.
    #[getter]
    fn content_encoding(&self) -> Option<&'static str> {
        match &self.out {
            cache::Negotiated::Body { encoding, .. }
                if *encoding != cache::ContentCoding::Identity =>
            {
                Some(encoding.as_str())
            }
            _ => None,
        }
    }

    /// The body (empty for 304).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        match &self.out {
            cache::Negotiated::Body { bytes, .. } => PyBytes::new(py, bytes),
            cache::Negotiated::NotModified { .. } => PyBytes::new(py, b""),
        }
    }

    /// The response headers to send: ETag, Last-Modified, Vary and, for a compressed body,
    /// Content-Encoding.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("ETag", self.etag.clone()),
            ("Last-Modified", self.last_modified.clone()),
            ("Vary", "Accept-Encoding".to_owned()),
        ];
        if let Some(enc) = self.content_encoding() {
            h.push(("Content-Encoding", enc.to_owned()));
        }
        h
    }

    fn __repr__(&self) -> String {
        format!("<optscan.Negotiated {} {}>", self.status, self.etag)
    }
}
