//! The gzip half of a scan's HTTP representation: a gzip header and an *open* deflate
//! stream of the document head — byte-aligned, no final block — so that each request closes
//! it with its own tail (see `http.rs`).
//!
//! It is built once per scan and sent many times, so it spends CPU for bytes: Zopfli's
//! optimal parsing (the `zopfli` crate) makes a standard deflate stream several per cent
//! smaller than zlib's level 9. Zopfli writes only whole streams; fed the head and then an
//! empty chunk, it ends with the head's blocks (not final) and one empty final block of
//! fixed Huffman codes — ten bits: BFINAL 1, BTYPE 01, end-of-block 0000000. That block is
//! rewritten into an empty, non-final stored block (BFINAL 0, BTYPE 00, padding, LEN 0,
//! NLEN 0xFFFF: zlib's sync flush), which leaves the stream open and byte-aligned.

use std::io::Write;

/// gzip header: deflate, no name, no mtime (the bytes depend on the document only),
/// "maximum compression", unknown OS.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];
/// Zopfli's optimisation passes: its default is 15; the bytes saved after the first few are
/// a fraction of a per cent, while each pass costs as much as the first (README, "HTTP caching").
const ITERATIONS: std::num::NonZeroU64 = std::num::NonZeroU64::new(5).unwrap();
/// An empty stored block's LEN and NLEN.
const EMPTY_STORED: [u8; 4] = [0, 0, 0xff, 0xff];

/// The gzip header and an open deflate stream of `head`: Zopfli's, or zlib level 9's should
/// Zopfli's ending ever not be the expected empty final block.
pub(crate) fn gzip_open(head: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = HEADER.to_vec();
    match zopfli_open(head)? {
        Some(stream) => out.extend_from_slice(&stream),
        None => {
            let mut z = flate2::write::DeflateEncoder::new(out, flate2::Compression::best());
            z.write_all(head)?;
            z.flush()?; // sync flush: byte-aligned, no final block
            out = z.get_ref().clone();
        }
    }
    Ok(out)
}

/// `data` as an open deflate stream by Zopfli; `None` if its ending is not as expected.
fn zopfli_open(data: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let options = zopfli::Options {
        iteration_count: ITERATIONS,
        ..zopfli::Options::default()
    };
    let mut z = zopfli::DeflateEncoder::new(options, zopfli::BlockType::Dynamic, Vec::new());
    if !data.is_empty() {
        // One write is one chunk; the next write (empty) compresses it as non-final blocks.
        z.write_all(data)?;
        let empty = z.write(&[])?;
        debug_assert_eq!(empty, 0);
    }
    let mut out = z.finish()?;
    // The last set bit (bits run least significant first) is BTYPE's low bit of the empty
    // final block; BFINAL is the bit before it; only zeros (code and padding) follow.
    let Some(last) = out.iter().rposition(|&b| b != 0) else {
        return Ok(None);
    };
    let btype = last * 8 + 7 - out[last].leading_zeros() as usize;
    let bit = |i: usize| out[i / 8] >> (i % 8) & 1;
    if btype == 0 || bit(btype - 1) != 1 || out.len() != (btype + 9).div_ceil(8) {
        return Ok(None);
    }
    let start = btype - 1;
    // Clear from BFINAL on: BFINAL 0 and BTYPE 00, then pad to the byte.
    out[start / 8] &= (1u8 << (start % 8)) - 1;
    out.truncate((start + 3).div_ceil(8));
    if let Some(b) = out.get_mut(start / 8 + 1) {
        *b = 0;
    }
    out.extend_from_slice(&EMPTY_STORED);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Close an open stream with a final stored block and a trailer, as `http.rs` does.
    fn close(mut open: Vec<u8>, data: &[u8]) -> Vec<u8> {
        open.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
        open.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        open.extend_from_slice(&(data.len() as u32).to_le_bytes());
        open
    }

    #[test]
    fn open_streams_decode_and_beat_zlib_level_9() {
        let doc: String = (0..300)
            .map(|i| {
                format!(
                    "{{\"symbol\":\"S{:03}\",\"strike\":{}.5,\"delta\":0.{i:04}}},",
                    i % 7,
                    i % 90
                )
            })
            .collect();
        for data in [doc.as_bytes(), b"{}".as_slice(), b"".as_slice()] {
            let open = zopfli_open(data).unwrap().expect("the expected ending");
            let body = close([HEADER.to_vec(), open].concat(), data);
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data);
        }
        let mut zlib = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        zlib.write_all(doc.as_bytes()).unwrap();
        zlib.flush().unwrap();
        let zopfli = gzip_open(doc.as_bytes()).unwrap();
        assert!(
            zopfli.len() - HEADER.len() < zlib.get_ref().len(),
            "zopfli is smaller"
        );
    }
}
