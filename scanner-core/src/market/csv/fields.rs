//! Small, panic-free field parsers shared by the history and chain-snapshot readers, and
//! the byte-level plumbing (gzip detection, CSV reader set-up, header lookup).

use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Error, ErrorKind, Result};

/// The largest file a CSV source reads (compressed or not).
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// The most bytes a gzip file may inflate to (a small "zip bomb" is refused, not inflated).
pub const MAX_INFLATED_BYTES: u64 = 1 << 30;

/// The bytes of a file, gunzipped when they start with the gzip magic number; more than
/// [`MAX_INFLATED_BYTES`] once inflated is a [`ErrorKind::DataSource`] error.
pub(crate) fn maybe_gunzip<'a>(bytes: &'a [u8], file: &str) -> Result<std::borrow::Cow<'a, [u8]>> {
    maybe_gunzip_within(bytes, file, MAX_INFLATED_BYTES)
}

pub(crate) fn maybe_gunzip_within<'a>(
    bytes: &'a [u8],
    file: &str,
    limit: u64,
) -> Result<std::borrow::Cow<'a, [u8]>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize));
        flate2::read::MultiGzDecoder::new(bytes)
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                Error::new(ErrorKind::DataSource, format!("{file}: bad gzip data: {e}"))
            })?;
        if out.len() as u64 > limit {
            return Err(Error::new(
                ErrorKind::DataSource,
                format!("{file}: inflates to more than {limit} bytes; refused"),
            ));
        }
        Ok(out.into())
    } else {
        Ok(bytes.into())
    }
}

/// A CSV reader over `bytes` that tolerates ragged rows and trims fields; headers are
/// handled by the caller so every data row is counted.
pub(crate) fn reader(bytes: &[u8]) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(bytes)
}

/// A header name reduced to lower-case letters and digits (`"Adj Close"` → `"adjclose"`).
pub(crate) fn norm_header(raw: &[u8]) -> String {
    raw.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// Index of the first header matching any of `names` (already normalised).
pub(crate) fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.as_str()))
}

/// A field as UTF-8 text (`None` if missing or not UTF-8).
pub(crate) fn text(rec: &::csv::ByteRecord, i: usize) -> Option<&str> {
    rec.get(i).and_then(|b| std::str::from_utf8(b).ok())
}

/// A finite decimal number.
pub(crate) fn number(rec: &::csv::ByteRecord, i: usize) -> Option<f64> {
    text(rec, i)?.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A date as `YYYY-MM-DD` (optionally followed by a time part), `YYYY/MM/DD` or
/// `YYYYMMDD`.
pub(crate) fn date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |acc, d| Some(acc * 10 + u32::from(d - b'0')))
    };
    let (y, m, d) = if b.len() >= 10 && matches!(b[4], b'-' | b'/') && b[7] == b[4] {
        if b.len() > 10 && !matches!(b[10], b' ' | b'T') {
            return None;
        }
        (digits(0..4)?, digits(5..7)?, digits(8..10)?)
    } else if b.len() == 8 {
        (digits(0..4)?, digits(4..6)?, digits(6..8)?)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// An RFC 3339 instant (`2017-11-10T21:00:00Z`).
pub(crate) fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_gzip_bomb_is_refused_before_it_inflates() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 4096, "{}", bomb.len());
        let e = maybe_gunzip_within(&bomb, "bomb.csv.gz", 1 << 16).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DataSource);
        assert!(e.message().contains("refused"), "{e}");
        assert_eq!(
            maybe_gunzip_within(&bomb, "ok.csv.gz", 1 << 21)
                .unwrap()
                .len(),
            1 << 20
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_accepted_shapes() {
        let want = NaiveDate::from_ymd_opt(2017, 11, 10);
        for s in [
            "2017-11-10",
            "2017/11/10",
            "20171110",
            "2017-11-10 00:00:00",
            "2017-11-10T16:00",
        ] {
            assert_eq!(date(s), want, "{s}");
        }
        for s in [
            "2017-13-10",
            "2017-11-1x",
            "10/11/2017",
            "",
            "2017-11-10x",
            "+017-11-10",
            "2017-11/10",
        ] {
            assert_eq!(date(s), None, "{s}");
        }
    }

    #[test]
    fn headers_normalise_and_gzip_round_trips() {
        assert_eq!(norm_header(b" Adj Close"), "adjclose");
        assert_eq!(norm_header(b"open_interest"), "openinterest");
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(&*maybe_gunzip(&gz, "x").unwrap(), b"hello");
        assert_eq!(&*maybe_gunzip(b"plain", "x").unwrap(), b"plain");
        assert!(maybe_gunzip(&gz[..gz.len() / 2], "x").is_err());
    }
}
