//! A cached scan's HTTP representation, built once per scan: a strong `ETag`, its
//! `Last-Modified` date, and gzip and brotli encodings of the document, so that a route
//! answers conditional requests with `304 Not Modified` and compressed requests from shared
//! bytes, doing no compression work per request.
//!
//! Routes often add a few per-request fields (the scan's age, where it came from) at the end
//! of the document. The encodings therefore stop just before the document's closing `}}`
//! (the end of `metadata` and of the document) as open streams; [`HttpRepresentation::body`]
//! closes them with any tail: a stored deflate block plus a combined CRC for gzip, an
//! uncompressed meta-block for brotli (RFC 1951 §3.2.4, RFC 7932 §9.2). Both are ordinary,
//! single streams that every decoder reads.

use std::io::Write;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Error, Result};

/// Brotli quality of the per-scan encoding (done once per scan; 11 is ~10× slower for ~2 %).
const BROTLI_QUALITY: u32 = 9;
/// Brotli window (log2 bytes): 4 MiB, more than a scan document.
const BROTLI_LGWIN: u32 = 22;
/// What a scan document ends with: the end of `metadata`, then of the document.
const CLOSE: &str = "}}";

/// A content coding the representation can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentCoding {
    /// The document as is.
    Identity,
    /// gzip (RFC 1952).
    Gzip,
    /// Brotli (RFC 7932), `br`.
    Brotli,
}

impl ContentCoding {
    /// The `Content-Encoding` token: `identity`, `gzip` or `br`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Brotli => "br",
        }
    }

    fn etag_suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gzip",
            Self::Brotli => "-br",
        }
    }
}

/// What to answer a request with, from [`HttpRepresentation::negotiate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiated {
    /// `304 Not Modified`, no body; send `etag` again.
    NotModified {
        /// The `ETag` header value.
        etag: String,
    },
    /// `200` with `bytes` as the body and `Content-Encoding: encoding` (none for identity).
    Body {
        /// The coding of `bytes`.
        encoding: ContentCoding,
        /// The `ETag` header value (one per coding, as RFC 9110 §8.8.3 asks).
        etag: String,
        /// The encoded body.
        bytes: Vec<u8>,
    },
}

impl Negotiated {
    /// The HTTP status: 304 or 200.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotModified { .. } => 304,
            Self::Body { .. } => 200,
        }
    }

    /// The `ETag` header value.
    pub fn etag(&self) -> &str {
        match self {
            Self::NotModified { etag } | Self::Body { etag, .. } => etag,
        }
    }
}

/// The request headers that decide a [`Negotiated`] answer; absent headers are `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpRequest<'a> {
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
    /// `If-Modified-Since` (an HTTP date; an unparsable one is ignored, RFC 9110 §13.1.3).
    pub if_modified_since: Option<&'a str>,
    /// `Accept-Encoding`.
    pub accept_encoding: Option<&'a str>,
    /// Bytes that replace the document's closing `}}` (per-request fields spliced in by a
    /// route); `None` sends the document as is. With a tail the body varies per request, so
    /// the tag is weak (`W/"…"`): same scan, same meaning.
    pub tail: Option<&'a [u8]>,
}

/// One scan's HTTP representation; see the module docs. Built once per scan and shared.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRepresentation {
    /// The document up to its closing `}}`, and that closing.
    head: std::sync::Arc<str>,
    close: &'static str,
    /// Strong tag of the identity coding, quoted.
    etag: String,
    modified: DateTime<Utc>,
    /// gzip header and a sync-flushed, non-final deflate stream of `head`.
    gzip: Vec<u8>,
    /// CRC-32 of `head`, resumed per request over the tail.
    head_crc: u32,
    /// A flushed, non-final brotli stream of `head`.
    brotli: Vec<u8>,
}

impl std::fmt::Debug for HttpRepresentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRepresentation")
            .field("etag", &self.etag)
            .field("last_modified", &self.last_modified())
            .field("identity", &(self.head.len() + self.close.len()))
            .field("gzip", &self.gzip.len())
            .field("brotli", &self.brotli.len())
            .finish()
    }
}

impl HttpRepresentation {
    /// Build the representation of `json`, the document of scan `scan_id` that ran at
    /// `modified`: its tag, and its gzip and brotli encodings (the one costly step).
    ///
    /// ```
    /// use scanner_core::cache::{ContentCoding, HttpRepresentation, HttpRequest, Negotiated};
    /// let doc = r#"{"scanId":"x","metadata":{"a":1}}"#;
    /// let rep = HttpRepresentation::new(doc.into(), uuid::Uuid::nil(), chrono::Utc::now())?;
    /// let first = rep.negotiate(&HttpRequest { accept_encoding: Some("gzip, br"), ..Default::default() });
    /// let Negotiated::Body { encoding, etag, .. } = &first else { panic!("a body") };
    /// assert_eq!(*encoding, ContentCoding::Brotli);
    /// let again = rep.negotiate(&HttpRequest { if_none_match: Some(etag), ..Default::default() });
    /// assert_eq!(again.status(), 304);
    /// # Ok::<(), scanner_core::Error>(())
    /// ```
    pub fn new(json: std::sync::Arc<str>, scan_id: Uuid, modified: DateTime<Utc>) -> Result<Self> {
        let close = if json.ends_with(CLOSE) { CLOSE } else { "" };
        let head_len = json.len() - close.len();
        let head: std::sync::Arc<str> = if close.is_empty() {
            json
        } else {
            json[..head_len].into()
        };
        let io = |e: std::io::Error| Error::internal(format!("compressing the scan: {e}"));

        // gzip: Zopfli, once per scan (see `gzip_open.rs`).
        let gzip = super::gzip_open::gzip_open(head.as_bytes()).map_err(io)?;
        let head_crc = crc32fast::hash(head.as_bytes());

        let mut br =
            brotli::CompressorWriter::new(Vec::new(), 1 << 16, BROTLI_QUALITY, BROTLI_LGWIN);
        br.write_all(head.as_bytes()).map_err(io)?;
        br.flush().map_err(io)?; // byte-aligned, no last meta-block
        let brotli = br.get_ref().clone();
        drop(br);

        let mut whole = crc32fast::Hasher::new_with_initial_len(head_crc, head_len as u64);
        whole.update(close.as_bytes());
        let etag = format!("\"{}-{:08x}\"", scan_id.simple(), whole.finalize());
        Ok(Self {
            head,
            close,
            etag,
            modified: DateTime::from_timestamp(modified.timestamp(), 0).unwrap_or(modified),
            gzip,
            head_crc,
            brotli,
        })
    }

    /// The strong `ETag` of the identity coding (codings add `-gzip` / `-br` inside the quotes).
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// The `Last-Modified` header value: when the scan ran, as an IMF-fixdate.
    pub fn last_modified(&self) -> String {
        self.modified
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string()
    }

    /// Size in bytes of the document in `coding` (without a tail).
    pub fn encoded_len(&self, coding: ContentCoding) -> usize {
        self.body(coding, None).len()
    }

    /// The `ETag` of `coding`, weak when a per-request tail changes the bytes.
    pub fn etag_for(&self, coding: ContentCoding, weak: bool) -> String {
        let tag = format!(
            "{}{}\"",
            &self.etag[..self.etag.len() - 1],
            coding.etag_suffix()
        );
        if weak {
            format!("W/{tag}")
        } else {
            tag
        }
    }

    /// What to send: 304 when `If-None-Match` holds one of this scan's tags (or `*`), or —
    /// without `If-None-Match` — when `If-Modified-Since` is not before the scan; else the
    /// body in the best coding `Accept-Encoding` allows (br, then gzip, then identity).
    pub fn negotiate(&self, req: &HttpRequest<'_>) -> Negotiated {
        let weak = req.tail.is_some();
        let coding = choose_coding(req.accept_encoding);
        let etag = self.etag_for(coding, weak);
        let not_modified = match (req.if_none_match, req.if_modified_since) {
            (Some(inm), _) => self.matches(inm),
            (None, Some(ims)) => chrono::DateTime::parse_from_rfc2822(ims.trim())
                .is_ok_and(|since| self.modified <= since),
            (None, None) => false,
        };
        if not_modified {
            return Negotiated::NotModified { etag };
        }
        Negotiated::Body {
            encoding: coding,
            etag,
            bytes: self.body(coding, req.tail),
        }
    }

    /// Whether an `If-None-Match` list names this scan (weak comparison, any coding).
    fn matches(&self, if_none_match: &str) -> bool {
        let base = &self.etag[..self.etag.len() - 1];
        if_none_match.split(',').map(str::trim).any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*"
                || [
                    ContentCoding::Identity,
                    ContentCoding::Gzip,
                    ContentCoding::Brotli,
                ]
                .iter()
                .any(|c| t.strip_prefix(base) == Some(&format!("{}\"", c.etag_suffix())))
        })
    }

    /// The document, its closing replaced by `tail`, in `coding`.
    pub fn body(&self, coding: ContentCoding, tail: Option<&[u8]>) -> Vec<u8> {
        let tail = tail.unwrap_or(self.close.as_bytes());
        match coding {
            ContentCoding::Identity => [self.head.as_bytes(), tail].concat(),
            ContentCoding::Gzip => {
                let mut out = Vec::with_capacity(self.gzip.len() + tail.len() + 16);
                out.extend_from_slice(&self.gzip);
                stored_deflate_blocks(&mut out, tail);
                let mut crc =
                    crc32fast::Hasher::new_with_initial_len(self.head_crc, self.head.len() as u64);
                crc.update(tail);
                out.extend_from_slice(&crc.finalize().to_le_bytes());
                let size = (self.head.len() + tail.len()) as u32; // ISIZE is the length mod 2^32
                out.extend_from_slice(&size.to_le_bytes());
                out
            }
            ContentCoding::Brotli => {
                let mut out = Vec::with_capacity(self.brotli.len() + tail.len() + 8);
                out.extend_from_slice(&self.brotli);
                for chunk in tail.chunks(1 << 16) {
                    // ISLAST=0, MNIBBLES=4 (code 0), MLEN-1 in 16 bits, ISUNCOMPRESSED=1,
                    // zero-padded to the byte: 24 bits, least significant first.
                    let bits: u32 = ((chunk.len() as u32 - 1) << 3) | (1 << 19);
                    out.extend_from_slice(&bits.to_le_bytes()[..3]);
                    out.extend_from_slice(chunk);
                }
                out.push(0b11); // ISLAST=1, ISLASTEMPTY=1
                out
            }
        }
    }
}

/// `data` as stored deflate blocks, the last one final (an empty final block when empty).
fn stored_deflate_blocks(out: &mut Vec<u8>, data: &[u8]) {
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

/// The coding to send for an `Accept-Encoding` value: the highest q-value among br, gzip and
/// identity, preferring br then gzip on ties; identity when absent or nothing else fits.
fn choose_coding(accept: Option<&str>) -> ContentCoding {
    let Some(accept) = accept else {
        return ContentCoding::Identity;
    };
    let (mut br, mut gzip, mut star) = (None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let br = br.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        ContentCoding::Brotli
    } else if gzip > 0.0 {
        ContentCoding::Gzip
    } else {
        ContentCoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn rep(doc: &str) -> HttpRepresentation {
        HttpRepresentation::new(doc.into(), Uuid::nil(), Utc::now()).expect("representation")
    }

    fn decode(coding: ContentCoding, bytes: &[u8]) -> String {
        let mut out = String::new();
        match coding {
            ContentCoding::Identity => return String::from_utf8(bytes.to_vec()).unwrap(),
            ContentCoding::Gzip => flate2::read::GzDecoder::new(bytes)
                .read_to_string(&mut out)
                .map(drop),
            ContentCoding::Brotli => brotli::Decompressor::new(bytes, 4096)
                .read_to_string(&mut out)
                .map(drop),
        }
        .expect("decodes");
        out
    }

    #[test]
    fn every_coding_decodes_to_the_document_with_or_without_a_tail() {
        let big: String = (0..20_000)
            .map(|i| format!("{{\"k\":{i},\"s\":\"AAPL\"}},"))
            .collect();
        let doc = format!("{{\"rows\":[{}0],\"metadata\":{{\"x\":1}}}}", big);
        let r = rep(&doc);
        let long_tail = format!(",\"pad\":\"{}\"}}}}", "z".repeat(70_000));
        for coding in [
            ContentCoding::Identity,
            ContentCoding::Gzip,
            ContentCoding::Brotli,
        ] {
            assert_eq!(decode(coding, &r.body(coding, None)), doc, "{coding:?}");
            let spliced = decode(coding, &r.body(coding, Some(b",\"age\":3}}")));
            assert_eq!(spliced, format!("{},\"age\":3}}}}", &doc[..doc.len() - 2]));
            let long = decode(coding, &r.body(coding, Some(long_tail.as_bytes())));
            assert_eq!(long.len(), doc.len() - 2 + long_tail.len());
            assert_eq!(
                decode(coding, &r.body(coding, Some(b""))).len(),
                doc.len() - 2
            );
        }
        assert!(r.encoded_len(ContentCoding::Brotli) * 5 < doc.len());
        assert!(r.encoded_len(ContentCoding::Gzip) * 4 < doc.len());
    }

    #[test]
    fn conditional_requests_get_304_and_codings_follow_accept_encoding() {
        let r = rep(r#"{"a":[1,2,3],"metadata":{}}"#);
        let ask = |inm: Option<&str>, ims: Option<&str>, ae: Option<&str>| {
            r.negotiate(&HttpRequest {
                if_none_match: inm,
                if_modified_since: ims,
                accept_encoding: ae,
                tail: None,
            })
        };
        let plain = ask(None, None, None);
        assert_eq!(plain.status(), 200);
        assert_eq!(plain.etag(), r.etag());
        let gz = ask(None, None, Some("gzip, deflate"));
        assert!(matches!(
            gz,
            Negotiated::Body {
                encoding: ContentCoding::Gzip,
                ..
            }
        ));
        assert_ne!(gz.etag(), r.etag(), "each coding has its own tag");
        for (ae, want) in [
            (Some("br;q=0.5, gzip"), ContentCoding::Gzip),
            (Some("gzip;q=0, br;q=0"), ContentCoding::Identity),
            (Some("*"), ContentCoding::Brotli),
            (Some("identity"), ContentCoding::Identity),
            (Some("gzip, br"), ContentCoding::Brotli),
        ] {
            assert_eq!(choose_coding(ae), want, "{ae:?}");
        }
        // A tag of any coding, weak or strong, in a list, matches; another scan's doesn't.
        let tags = format!("\"other\", W/{}", gz.etag());
        assert_eq!(ask(Some(&tags), None, Some("br")).status(), 304);
        assert_eq!(ask(Some("*"), None, None).status(), 304);
        assert_eq!(ask(Some("\"other\""), None, None).status(), 200);
        let later = (Utc::now() + chrono::Duration::seconds(5))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let earlier = (Utc::now() - chrono::Duration::hours(1))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let modified = r.last_modified();
        assert_eq!(ask(None, Some(&modified), None).status(), 304);
        assert_eq!(ask(None, Some(&later), None).status(), 304);
        assert_eq!(ask(None, Some(&earlier), None).status(), 200);
        assert_eq!(ask(None, Some("yesterday"), None).status(), 200);
        // If-None-Match wins over If-Modified-Since.
        assert_eq!(ask(Some("\"other\""), Some(&later), None).status(), 200);
        let weak = r.negotiate(&HttpRequest {
            tail: Some(b"}}"),
            ..Default::default()
        });
        assert!(weak.etag().starts_with("W/\""));
    }
}
