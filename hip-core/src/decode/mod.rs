//! Content decoding of response bodies: the spec's `HTTPResponse.CONTENT_DECODERS`,
//! `GzipDecoder`, `DeflateDecoder` and `DecodeError`, sans-IO and push style.
//!
//! The driver reads compressed bytes off the wire and pushes them in with
//! [`ContentDecoder::decode`]; decoded bytes are appended to a `Vec` it owns. When the body
//! has ended (the framing says so), it calls [`ContentDecoder::finish`], which flushes what
//! is left and checks that the stream was complete: a truncated stream is an
//! [`ErrorKind::Decode`] error there. Nothing here reads a socket or a clock.
//!
//! ```
//! # #[cfg(feature = "gzip")] {
//! use hip_core::decode::ContentDecoder;
//!
//! // Content-Encoding: gzip; the body is a gzip member of the empty string.
//! let body = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
//! let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
//! let mut out = Vec::new();
//! for byte in body {
//!     decoder.decode(&[byte], &mut out).unwrap();
//! }
//! decoder.finish(&mut out).unwrap();
//! assert!(out.is_empty());
//! # }
//! ```
//!
//! # The codings
//!
//! | token | feature | what is accepted |
//! | --- | --- | --- |
//! | `gzip`, `x-gzip` | `gzip` | one or more concatenated gzip members (RFC 1952); CRC32 and length are checked |
//! | `deflate` | `deflate` | a zlib stream (RFC 1950, as RFC 9110 says) or, as browsers and urllib3 also accept, raw deflate (RFC 1951) |
//! | `br` | `brotli` | one brotli stream (RFC 7932), window at most 16 MiB |
//! | `zstd` | `zstd` | one or more zstd frames (RFC 8878), window at most 128 MiB (libzstd's default) |
//! | `identity` | always | nothing to do |
//!
//! Deflate's two forms are told apart by the first two bytes: a zlib header has
//! `CMF & 0x0F == 8`, `CMF >> 4 <= 7` and `(CMF * 256 + FLG) % 31 == 0`; anything else is
//! taken as raw deflate.
//!
//! # Edge cases, decided
//!
//! * An empty body decodes to nothing without error, whatever the coding (servers send
//!   `Content-Encoding: gzip` on empty 204/304-like answers, and urllib3 accepts it).
//! * Bytes after the end of a gzip member that do not start with the gzip magic `1f 8b` are
//!   ignored, as urllib3 (and browsers) ignore such trailing garbage, e.g. zero padding.
//!   Bytes that do start with it are decoded as a further member, and errors in it count.
//! * Bytes after the end of a deflate stream are ignored (zlib's `unused_data`, which
//!   urllib3 drops too).
//! * Bytes after the end of a brotli stream, and anything after a zstd frame that is not
//!   another frame, are a decode error: both formats mark their end unambiguously.
//! * A stream that stops early (no final block, a missing trailer, a header cut short) is a
//!   decode error from `finish`, which urllib3 does not check for but hip does.
//! * After an error the decoder is spent: every later call returns the same error. `out`
//!   may already hold the bytes decoded before the error was found.
//!
//! # Memory
//!
//! Each call decodes through one fixed scratch buffer of 32 KiB (allocated on first use);
//! between stacked codings at most about that much is buffered. What grows is the output,
//! and only as far as the input expands to. Where the expansion itself must be bounded
//! (a decompression bomb: a few KiB of gzip can inflate to many MiB, and stacked codings
//! multiply that), use [`ContentDecoder::decode_max`] and [`ContentDecoder::finish_max`],
//! which stop after a given number of output bytes and keep the rest of the input for the
//! next call. A `Content-Encoding` with more than [`MAX_CHAINED_CODINGS`] codings is
//! refused, as urllib3 refuses it.

use std::fmt;

use crate::error::{Error, ErrorKind};

#[cfg(feature = "brotli")]
mod brotli;
mod codec;
#[cfg(feature = "deflate")]
mod deflate;
mod failure;
#[cfg(any(feature = "gzip", feature = "deflate"))]
mod flate;
#[cfg(feature = "gzip")]
mod gzip;
#[cfg(feature = "zstd")]
mod zstd;

use codec::{run, Codec, CHUNK};
use failure::{decode_error, Failure};

#[cfg(feature = "deflate")]
pub use deflate::DeflateDecoder;
#[cfg(feature = "gzip")]
pub use gzip::GzipDecoder;

/// The most codings one `Content-Encoding` may stack (urllib3 2.6 set the same limit after
/// chains of thousands of codings were used to exhaust memory).
pub const MAX_CHAINED_CODINGS: usize = 5;

/// One content-coding token of a `Content-Encoding` header.
///
/// Parse with [`Coding::from_token`] (case-insensitive; `x-gzip` is `gzip`, as RFC 9110
/// §8.4.1.3 says). A coding can be known to hip but not compiled in: see
/// [`Coding::is_supported`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Coding {
    /// `identity`: no transformation.
    Identity,
    /// `gzip` (or `x-gzip`): RFC 1952, feature `gzip`.
    Gzip,
    /// `deflate`: zlib (RFC 1950) or raw deflate (RFC 1951), feature `deflate`.
    Deflate,
    /// `br`: brotli (RFC 7932), feature `brotli`.
    Brotli,
    /// `zstd`: Zstandard (RFC 8878), feature `zstd`.
    Zstd,
}

impl Coding {
    /// Parses one token, ignoring ASCII case and surrounding spaces and tabs; `None` for a
    /// coding hip does not know (e.g. `compress`).
    pub fn from_token(token: &str) -> Option<Coding> {
        let token = token.trim_matches([' ', '\t']);
        [
            ("identity", Coding::Identity),
            ("gzip", Coding::Gzip),
            ("x-gzip", Coding::Gzip),
            ("deflate", Coding::Deflate),
            ("br", Coding::Brotli),
            ("zstd", Coding::Zstd),
        ]
        .into_iter()
        .find(|(name, _)| token.eq_ignore_ascii_case(name))
        .map(|(_, coding)| coding)
    }

    /// The token as it is written in `Content-Encoding` and `Accept-Encoding`, e.g. `"br"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Coding::Identity => "identity",
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }

    /// Whether this build can decode the coding (its cargo feature is on). `Identity` always.
    pub fn is_supported(self) -> bool {
        match self {
            Coding::Identity => true,
            Coding::Gzip => cfg!(feature = "gzip"),
            Coding::Deflate => cfg!(feature = "deflate"),
            Coding::Brotli => cfg!(feature = "brotli"),
            Coding::Zstd => cfg!(feature = "zstd"),
        }
    }

    /// The cargo feature that brings the coding in (`None` for `Identity`).
    fn feature(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Deflate => Some("deflate"),
            Coding::Brotli => Some("brotli"),
            Coding::Zstd => Some("zstd"),
        }
    }
}

impl fmt::Display for Coding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Coding {
    type Err = Error;

    /// [`Coding::from_token`], with an [`ErrorKind::InvalidValue`] error naming an unknown
    /// token.
    fn from_str(token: &str) -> Result<Coding, Error> {
        Coding::from_token(token).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("unknown content-coding {token:?}"),
            )
        })
    }
}

/// The decodable codings, in preference order, each with whether this build has it.
const PREFERENCE: [(&str, bool); 4] = [
    ("gzip", cfg!(feature = "gzip")),
    ("deflate", cfg!(feature = "deflate")),
    ("br", cfg!(feature = "brotli")),
    ("zstd", cfg!(feature = "zstd")),
];

const fn supported_count() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < PREFERENCE.len() {
        if PREFERENCE[i].1 {
            n += 1;
        }
        i += 1;
    }
    n
}

const SUPPORTED_COUNT: usize = supported_count();

const fn supported_list() -> [&'static str; SUPPORTED_COUNT] {
    let mut list = [""; SUPPORTED_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < PREFERENCE.len() {
        if PREFERENCE[i].1 {
            list[n] = PREFERENCE[i].0;
            n += 1;
        }
        i += 1;
    }
    list
}

/// The spec's `HTTPResponse.CONTENT_DECODERS`: the content-codings this build decodes, in
/// preference order (`["gzip", "deflate"]` with the default features; `"br"` and `"zstd"`
/// follow when the `brotli` and `zstd` features are on).
pub const CONTENT_DECODERS: &[&str] = &supported_list();

/// The content-codings this build can decode, in preference order: what to offer in
/// `Accept-Encoding`. The same list as [`CONTENT_DECODERS`]; see also [`accept_encoding`].
pub fn supported_encodings() -> &'static [&'static str] {
    CONTENT_DECODERS
}

const ACCEPT_ENCODING_LEN: usize = {
    let mut len = 0;
    let mut i = 0;
    while i < CONTENT_DECODERS.len() {
        if i > 0 {
            len += 2;
        }
        len += CONTENT_DECODERS[i].len();
        i += 1;
    }
    len
};

const ACCEPT_ENCODING_BYTES: [u8; ACCEPT_ENCODING_LEN] = {
    let mut bytes = [0u8; ACCEPT_ENCODING_LEN];
    let mut at = 0;
    let mut i = 0;
    while i < CONTENT_DECODERS.len() {
        if i > 0 {
            bytes[at] = b',';
            bytes[at + 1] = b' ';
            at += 2;
        }
        let name = CONTENT_DECODERS[i].as_bytes();
        let mut j = 0;
        while j < name.len() {
            bytes[at] = name[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    bytes
};

const ACCEPT_ENCODING: &str = match std::str::from_utf8(&ACCEPT_ENCODING_BYTES) {
    Ok(value) => value,
    Err(_) => panic!("the coding names are ASCII"),
};

/// [`supported_encodings`] joined with `", "`, ready for an `Accept-Encoding` header:
/// `"gzip, deflate"` with the default features, `"gzip, deflate, br, zstd"` with all.
pub fn accept_encoding() -> &'static str {
    ACCEPT_ENCODING
}

/// One decoding stage of a [`ContentDecoder`].
enum Stage {
    #[cfg(feature = "gzip")]
    Gzip(gzip::GzipCodec),
    #[cfg(feature = "deflate")]
    Deflate(deflate::DeflateCodec),
    #[cfg(feature = "brotli")]
    Brotli(brotli::BrotliCodec),
    #[cfg(feature = "zstd")]
    Zstd(zstd::ZstdCodec),
}

impl Stage {
    /// The stage for `coding`, or `None` when it is `Identity` or not compiled in.
    fn new(coding: Coding) -> Result<Option<Stage>, Failure> {
        Ok(match coding {
            #[cfg(feature = "gzip")]
            Coding::Gzip => Some(Stage::Gzip(gzip::GzipCodec::new())),
            #[cfg(feature = "deflate")]
            Coding::Deflate => Some(Stage::Deflate(deflate::DeflateCodec::new())),
            #[cfg(feature = "brotli")]
            Coding::Brotli => Some(Stage::Brotli(brotli::BrotliCodec::new())),
            #[cfg(feature = "zstd")]
            Coding::Zstd => Some(Stage::Zstd(zstd::ZstdCodec::new()?)),
            _ => None,
        })
    }

    fn codec(&mut self) -> &mut dyn Codec {
        // `*self`, so that the match is still exhaustive when no coding is compiled in.
        match *self {
            #[cfg(feature = "gzip")]
            Stage::Gzip(ref mut codec) => codec,
            #[cfg(feature = "deflate")]
            Stage::Deflate(ref mut codec) => codec,
            #[cfg(feature = "brotli")]
            Stage::Brotli(ref mut codec) => codec,
            #[cfg(feature = "zstd")]
            Stage::Zstd(ref mut codec) => codec,
        }
    }
}

/// Bytes waiting to be decoded by one stage.
#[derive(Default)]
struct Pending {
    data: Vec<u8>,
    used: usize,
}

impl Pending {
    fn rest(&self) -> &[u8] {
        self.data.get(self.used..).unwrap_or_default()
    }

    fn compact(&mut self) {
        if self.used > 0 {
            self.data.drain(..self.used.min(self.data.len()));
            self.used = 0;
        }
    }
}

/// A streaming decoder for a response body's `Content-Encoding`, possibly stacked (the
/// spec's `HTTPResponse._decoder`; urllib3's `MultiDecoder` for lists).
///
/// Inputs: [`decode`](Self::decode) (or [`decode_max`](Self::decode_max)) with each chunk of
/// the body as it comes off the wire, then [`finish`](Self::finish) (or
/// [`finish_max`](Self::finish_max)) once at its end. Outputs: decoded bytes appended to the
/// caller's `Vec`. Errors are [`ErrorKind::Decode`] (the spec's `DecodeError`) with a cause
/// that says what was wrong, except calls in the wrong order ([`ErrorKind::LocalProtocol`]).
pub struct ContentDecoder {
    /// In decoding order: the last coding of the header first.
    stages: Vec<(Coding, Stage)>,
    /// `pending[i]`: input of stage `i` not yet consumed (`pending[0]` is the caller's).
    pending: Vec<Pending>,
    scratch: Vec<u8>,
    failed: Option<Error>,
    finished: bool,
}

impl fmt::Debug for ContentDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentDecoder")
            .field("codings", &self.codings())
            .field("failed", &self.failed.is_some())
            .field("finished", &self.finished)
            .finish()
    }
}

impl ContentDecoder {
    /// The decoder for a `Content-Encoding` header value, or `None` when the body is to be
    /// passed through as it is.
    ///
    /// A comma-separated list names codings in the order they were applied, so
    /// `"deflate, gzip"` is decoded as gzip first, then deflate. Tokens are matched without
    /// regard to case; `identity` and empty list elements are skipped.
    ///
    /// `Ok(None)` when there is nothing to decode (an empty value, only `identity`), and
    /// also when any coding in the list is unknown (`compress`, a typo) or known but not
    /// compiled into this build (e.g. `br` without the `brotli` feature): decoding only
    /// part of a stack would be wrong, so the caller hands the body over undecoded, as
    /// urllib3 does for codings it does not know. Check [`Coding::is_supported`] or
    /// [`supported_encodings`] to tell the cases apart.
    ///
    /// Errors ([`ErrorKind::Decode`]): more than [`MAX_CHAINED_CODINGS`] codings, or a
    /// decoder that could not be set up.
    pub fn from_header(content_encoding: &str) -> Result<Option<ContentDecoder>, Error> {
        let tokens: Vec<&str> = content_encoding
            .split(',')
            .map(|token| token.trim_matches([' ', '\t']))
            .filter(|token| !token.is_empty())
            .collect();
        let mut codings = Vec::with_capacity(tokens.len().min(MAX_CHAINED_CODINGS));
        for token in &tokens {
            match Coding::from_token(token) {
                Some(Coding::Identity) => {}
                Some(coding) if coding.is_supported() => codings.push(coding),
                _ => {
                    if tokens.len() > MAX_CHAINED_CODINGS {
                        return Err(too_many(content_encoding, tokens.len()));
                    }
                    return Ok(None);
                }
            }
        }
        if codings.len() > MAX_CHAINED_CODINGS {
            return Err(too_many(content_encoding, codings.len()));
        }
        if codings.is_empty() {
            return Ok(None);
        }
        ContentDecoder::new(&codings).map(Some)
    }

    /// A decoder for `codings` listed in the order they were applied (as in the header).
    /// `Identity` entries are skipped; with nothing left the decoder copies its input.
    ///
    /// Errors: [`ErrorKind::InvalidValue`] naming a coding that this build does not
    /// support (and the feature that brings it), or more than [`MAX_CHAINED_CODINGS`];
    /// [`ErrorKind::Decode`] when a decoder could not be set up.
    pub fn new(codings: &[Coding]) -> Result<ContentDecoder, Error> {
        let applied: Vec<Coding> = codings
            .iter()
            .copied()
            .filter(|coding| *coding != Coding::Identity)
            .collect();
        if applied.len() > MAX_CHAINED_CODINGS {
            let listed: Vec<&str> = applied.iter().map(|c| c.as_str()).collect();
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "{} content-codings {:?} are more than the {MAX_CHAINED_CODINGS} allowed",
                    applied.len(),
                    listed.join(", ")
                ),
            ));
        }
        let mut stages = Vec::with_capacity(applied.len());
        for coding in applied.into_iter().rev() {
            match Stage::new(coding) {
                Ok(Some(stage)) => stages.push((coding, stage)),
                Ok(None) => {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "content-coding {:?} is not supported by this build (enable hip's \
                             {:?} feature)",
                            coding.as_str(),
                            coding.feature().unwrap_or_default()
                        ),
                    ))
                }
                Err(failure) => return Err(decode_error(coding, failure)),
            }
        }
        let pending = std::iter::repeat_with(Pending::default)
            .take(stages.len().max(1))
            .collect();
        Ok(ContentDecoder {
            stages,
            pending,
            scratch: Vec::new(),
            failed: None,
            finished: false,
        })
    }

    /// The codings this decoder undoes, in the order they were applied (header order).
    pub fn codings(&self) -> Vec<Coding> {
        self.stages
            .iter()
            .rev()
            .map(|(coding, _)| *coding)
            .collect()
    }

    /// Decodes the next chunk of the body, appending what it yields to `out` (possibly
    /// nothing yet: a decoder may need more input first). The spec's
    /// `GzipDecoder.decompress(data)` / `DeflateDecoder.decompress(data)`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.decode_max(input, out, usize::MAX).map(|_| ())
    }

    /// Ends the body: appends what is still held back and checks that the stream was
    /// complete. A stream that stopped early is an [`ErrorKind::Decode`] error; an empty
    /// body is not. Calling it again does nothing.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.finish_max(out, usize::MAX).map(|_| ())
    }

    /// Like [`decode`](Self::decode), but appends at most `max_out` bytes. Input that could
    /// not be decoded within the limit is kept for the next call. Returns `Ok(true)` when
    /// everything given so far is decoded, `Ok(false)` when it stopped at the limit: call
    /// again (with more input or an empty slice) to get the rest. A `max_out` of 0 decodes
    /// nothing and returns `Ok(false)`.
    pub fn decode_max(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max_out: usize,
    ) -> Result<bool, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.finished {
            if input.is_empty() {
                return Ok(true);
            }
            return Err(Error::new(
                ErrorKind::LocalProtocol,
                format!(
                    "ContentDecoder::decode got {} bytes after finish()",
                    input.len()
                ),
            ));
        }
        if self.stages.is_empty() {
            return Ok(self.pass_through(input, out, max_out));
        }
        if let Some(first) = self.pending.first_mut() {
            first.compact();
            first.data.extend_from_slice(input);
        }
        let last = self.stages.len() - 1;
        let written = self.pull(last, out, max_out)?;
        Ok(written < max_out)
    }

    /// Like [`finish`](Self::finish), but appends at most `max_out` bytes. Returns
    /// `Ok(true)` once the stream is complete and checked, `Ok(false)` when it stopped at
    /// the limit: call again to get the rest.
    pub fn finish_max(&mut self, out: &mut Vec<u8>, max_out: usize) -> Result<bool, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.finished {
            return Ok(true);
        }
        if !self.decode_max(&[], out, max_out)? {
            return Ok(false);
        }
        for (i, (coding, stage)) in self.stages.iter_mut().enumerate() {
            let left = self.pending.get(i).map_or(0, |p| p.rest().len());
            let checked = if left > 0 {
                Err(Failure::new(format!(
                    "the {} decoder stopped with {left} bytes of input left",
                    coding.as_str()
                )))
            } else {
                stage.codec().check_end()
            };
            if let Err(failure) = checked {
                let error = decode_error(*coding, failure);
                self.failed = Some(error.clone());
                return Err(error);
            }
        }
        self.finished = true;
        Ok(true)
    }

    /// The decoder without stages: a copy, within the limit.
    fn pass_through(&mut self, input: &[u8], out: &mut Vec<u8>, max_out: usize) -> bool {
        let Some(pending) = self.pending.first_mut() else {
            return true;
        };
        pending.compact();
        pending.data.extend_from_slice(input);
        let take = pending.rest().len().min(max_out);
        out.extend_from_slice(pending.rest().get(..take).unwrap_or_default());
        pending.used += take;
        pending.rest().is_empty() && take < max_out
    }

    /// Decodes with stage `i` into `out`, at most `max` bytes, pulling its input from
    /// stage `i - 1` (in slices of at most [`CHUNK`]) or from the caller's pending input.
    fn pull(&mut self, i: usize, out: &mut Vec<u8>, max: usize) -> Result<usize, Error> {
        let mut written = 0;
        loop {
            if written >= max {
                return Ok(written);
            }
            let (Some((coding, stage)), Some(pending)) =
                (self.stages.get_mut(i), self.pending.get_mut(i))
            else {
                return Ok(written);
            };
            let coding = *coding;
            let result = run(
                stage.codec(),
                pending.rest(),
                out,
                max - written,
                &mut self.scratch,
            );
            let (c, w) = match result {
                Ok(counts) => counts,
                Err(failure) => {
                    let error = decode_error(coding, failure);
                    self.failed = Some(error.clone());
                    return Err(error);
                }
            };
            pending.used += c;
            written += w;
            // Stop at the limit, at the caller's input, and when the stage cannot use what
            // it has (so that an upstream bomb is not buffered without bound).
            if written >= max || i == 0 || !pending.rest().is_empty() {
                return Ok(written);
            }
            pending.compact();
            let mut refill = std::mem::take(&mut pending.data);
            let got = self.pull(i - 1, &mut refill, CHUNK);
            if let Some(pending) = self.pending.get_mut(i) {
                pending.data = refill;
            }
            if got? == 0 {
                return Ok(written);
            }
        }
    }
}

fn too_many(content_encoding: &str, count: usize) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "Content-Encoding {content_encoding:?} chains {count} codings, more than the \
             {MAX_CHAINED_CODINGS} allowed"
        ),
    )
}
