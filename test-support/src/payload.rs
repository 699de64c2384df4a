//! Bodies the servers send, public so that tests can compute the bytes they expect.

use std::io::Write;

/// Body of `/robots.txt`.
pub const ROBOTS_TXT: &str = "User-agent: *\nDisallow: /deny\n";

/// Body of `/json-body` (served with `Content-Type: application/json`).
pub const JSON_BODY: &str = r#"{"attribute":"value"}"#;

/// Body of `/utf8-lines` (served as `text/plain; charset=utf-8`): four lines, each ending in
/// `\n`, with two- and three-byte UTF-8 sequences for text-wrapper tests.
pub const UTF8_LINES: &str =
    "first line\nsecond line: h\u{e9}llo w\u{f6}rld\nthird line: \u{65e5}\u{672c}\u{8a9e}\nlast line\n";

/// Body of `/csv` (served as `text/csv`).
pub const CSV_TEXT: &str = "name,count\nalpha,1\nbeta,2\ngamma,3\n";

/// Body of `/head-check` for GET (a HEAD gets the same headers and no body).
pub const HEAD_CHECK_BODY: &str = "head-check body\n";

/// `len` deterministic pseudo-random bytes for `seed`: the body of `/bytes/{len}?seed={seed}`
/// and of `/stream-bytes/{len}?seed={seed}` (seed 0 when the query has none).
///
/// SplitMix64, eight little-endian bytes per step; the same inputs give the same bytes in every
/// run and on every platform.
pub fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A content coding the servers can apply to a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate` as RFC 9110 defines it: zlib-wrapped (RFC 1950).
    Deflate,
    /// `deflate` as some servers send it: raw DEFLATE (RFC 1951) with no zlib wrapper.
    DeflateRaw,
    /// `br` (RFC 7932).
    Brotli,
    /// `zstd` (RFC 8878).
    Zstd,
}

impl Coding {
    /// The `Content-Encoding` token for this coding.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate | Coding::DeflateRaw => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }
}

/// `data` compressed with `coding`.
pub fn encode(coding: Coding, data: &[u8]) -> Vec<u8> {
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;
    let io = "compressing into a Vec cannot fail";
    match coding {
        Coding::Gzip => {
            let mut enc = GzEncoder::new(Vec::new(), Compression::default());
            enc.write_all(data).expect(io);
            enc.finish().expect(io)
        }
        Coding::Deflate => {
            let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
            enc.write_all(data).expect(io);
            enc.finish().expect(io)
        }
        Coding::DeflateRaw => {
            let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
            enc.write_all(data).expect(io);
            enc.finish().expect(io)
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            {
                let mut enc = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                enc.write_all(data).expect(io);
            }
            out
        }
        Coding::Zstd => zstd::encode_all(data, 3).expect(io),
    }
}
