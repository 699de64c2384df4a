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

use std::error::Error as StdError;
use std::fmt;

use crate::error::{BoxError, Error, ErrorKind};

/// How much output one step of a codec may produce: the size of the scratch buffer.
const CHUNK: usize = 32 * 1024;

/// The most codings one `Content-Encoding` may stack (urllib3 2.6 set the same limit after
/// chains of thousands of codings were used to exhaust memory).
pub const MAX_CHAINED_CODINGS: usize = 5;

/// One content-coding token of a `Content-Encoding` header.
///
/// Parse with [`Coding::from_token`] (case-insensitive; `x-gzip` is `gzip`, as RFC 9110
/// §8.4.1.3 says). A coding can be known to hip but not compiled in: see
/// [`Coding::is_supported`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// The detailed cause kept as the source of a [`ErrorKind::Decode`] error.
#[derive(Debug)]
struct Failure {
    detail: String,
    cause: Option<BoxError>,
}

impl Failure {
    fn new(detail: impl Into<String>) -> Self {
        Failure {
            detail: detail.into(),
            cause: None,
        }
    }

    #[cfg(any(feature = "gzip", feature = "deflate", feature = "zstd"))]
    fn caused_by(detail: impl Into<String>, cause: impl Into<BoxError>) -> Self {
        Failure {
            detail: detail.into(),
            cause: Some(cause.into()),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl StdError for Failure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn StdError + 'static))
    }
}

fn decode_error(coding: Coding, failure: Failure) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "Received response with content-encoding: {}, but failed to decode it.",
            coding.as_str()
        ),
    )
    .with_source(failure)
}

/// One decoding step: reads from `input` and writes into `out` (never empty), returning
/// `(bytes consumed, bytes written)`. `(0, 0)` means no progress is possible until more
/// input comes; a step that returns less than `out.len()` written has no output pending.
type Step = Result<(usize, usize), Failure>;

/// A streaming decoder for one coding.
trait Codec {
    fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step;
    /// Called at the end of the body, once everything was fed and drained: is the stream
    /// complete?
    fn check_end(&self) -> Result<(), Failure>;
}

/// Runs `codec` over `input` until it is used up or `max` bytes were appended to `out`,
/// through `scratch`. Returns `(consumed, appended)`.
fn run(
    codec: &mut dyn Codec,
    input: &[u8],
    out: &mut Vec<u8>,
    max: usize,
    scratch: &mut Vec<u8>,
) -> Result<(usize, usize), Failure> {
    if scratch.len() < CHUNK {
        scratch.resize(CHUNK, 0);
    }
    let mut consumed = 0;
    let mut written = 0;
    loop {
        let room = CHUNK.min(max - written);
        if room == 0 {
            break;
        }
        let rest = input.get(consumed..).unwrap_or_default();
        let window = scratch.get_mut(..room).unwrap_or_default();
        let (c, w) = codec.step(rest, window)?;
        out.extend_from_slice(window.get(..w).unwrap_or_default());
        consumed += c;
        written += w;
        if (c == 0 && w == 0) || (consumed >= input.len() && w < room) {
            break;
        }
    }
    Ok((consumed, written))
}

#[cfg(any(feature = "gzip", feature = "deflate"))]
fn inflate_step(
    inflate: &mut flate2::Decompress,
    input: &[u8],
    out: &mut [u8],
) -> Result<(usize, usize, bool), flate2::DecompressError> {
    let (in_before, out_before) = (inflate.total_in(), inflate.total_out());
    let status = inflate.decompress(input, out, flate2::FlushDecompress::None)?;
    let consumed = usize::try_from(inflate.total_in() - in_before).unwrap_or(input.len());
    let written = usize::try_from(inflate.total_out() - out_before).unwrap_or(out.len());
    Ok((
        consumed.min(input.len()),
        written.min(out.len()),
        status == flate2::Status::StreamEnd,
    ))
}

#[cfg(feature = "gzip")]
mod gzip {
    use super::{inflate_step, Codec, Failure, Step};
    use flate2::{Crc, Decompress};

    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    const FRESERVED: u8 = 0xe0;

    /// Where the header parser is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Part {
        Fixed,
        ExtraLen,
        Extra,
        Name,
        Comment,
        HeaderCrc,
    }

    impl Part {
        fn describe(self) -> &'static str {
            match self {
                Part::Fixed => "the fixed 10-byte header",
                Part::ExtraLen | Part::Extra => "the FEXTRA field",
                Part::Name => "the file name",
                Part::Comment => "the comment",
                Part::HeaderCrc => "the header CRC16",
            }
        }
    }

    /// An incremental RFC 1952 header parser.
    struct Header {
        part: Part,
        fixed: [u8; 10],
        /// Bytes of the current fixed-size part seen (`fixed`, XLEN or the CRC16).
        have: usize,
        /// Bytes of the FEXTRA field still to skip, or XLEN / CRC16 as read so far.
        small: [u8; 2],
        extra_left: usize,
        crc: Crc,
    }

    impl Header {
        fn new() -> Self {
            Header {
                part: Part::Fixed,
                fixed: [0; 10],
                have: 0,
                small: [0; 2],
                extra_left: 0,
                crc: Crc::new(),
            }
        }

        fn flags(&self) -> u8 {
            self.fixed[3]
        }

        /// The part after `from`, given the flags.
        fn next_part(&self, from: Part) -> Option<Part> {
            let order = [
                (Part::ExtraLen, FEXTRA),
                (Part::Name, FNAME),
                (Part::Comment, FCOMMENT),
                (Part::HeaderCrc, FHCRC),
            ];
            let start = match from {
                Part::Fixed => 0,
                Part::ExtraLen | Part::Extra => 1,
                Part::Name => 2,
                Part::Comment => 3,
                Part::HeaderCrc => 4,
            };
            order
                .iter()
                .skip(start)
                .find(|(_, flag)| self.flags() & flag != 0)
                .map(|(part, _)| *part)
        }

        /// Feeds header bytes; returns how many were used and whether the header is done.
        fn feed(&mut self, input: &[u8], member: u32) -> Result<(usize, bool), Failure> {
            let mut used = 0;
            while used < input.len() {
                let rest = &input[used..];
                let done_part = match self.part {
                    Part::Fixed => {
                        let take = (10 - self.have).min(rest.len());
                        self.fixed[self.have..self.have + take].copy_from_slice(&rest[..take]);
                        self.crc.update(&rest[..take]);
                        self.have += take;
                        used += take;
                        if self.have - take < 4 {
                            self.check_fixed(member)?;
                        }
                        self.have == 10
                    }
                    Part::ExtraLen => {
                        let take = (2 - self.have).min(rest.len());
                        self.small[self.have..self.have + take].copy_from_slice(&rest[..take]);
                        self.crc.update(&rest[..take]);
                        self.have += take;
                        used += take;
                        if self.have == 2 {
                            self.extra_left = usize::from(u16::from_le_bytes(self.small));
                            self.part = Part::Extra;
                            self.have = 0;
                        }
                        self.part == Part::Extra && self.extra_left == 0
                    }
                    Part::Extra => {
                        let take = self.extra_left.min(rest.len());
                        self.crc.update(&rest[..take]);
                        self.extra_left -= take;
                        used += take;
                        self.extra_left == 0
                    }
                    Part::Name | Part::Comment => match rest.iter().position(|&b| b == 0) {
                        Some(end) => {
                            self.crc.update(&rest[..=end]);
                            used += end + 1;
                            true
                        }
                        None => {
                            self.crc.update(rest);
                            used += rest.len();
                            false
                        }
                    },
                    Part::HeaderCrc => {
                        let take = (2 - self.have).min(rest.len());
                        self.small[self.have..self.have + take].copy_from_slice(&rest[..take]);
                        self.have += take;
                        used += take;
                        if self.have == 2 {
                            let want = u16::from_le_bytes(self.small);
                            let got = (self.crc.sum() & 0xffff) as u16;
                            if want != got {
                                return Err(Failure::new(format!(
                                    "gzip member {member}: header CRC16 is {want:#06x} but the \
                                     header's bytes give {got:#06x}"
                                )));
                            }
                            true
                        } else {
                            false
                        }
                    }
                };
                if done_part {
                    match self.next_part(self.part) {
                        Some(next) => {
                            self.part = next;
                            self.have = 0;
                        }
                        None => return Ok((used, true)),
                    }
                }
            }
            // Each part that completed was moved past inside the loop, and the last one
            // returned from it: the header is not complete yet.
            Ok((used, false))
        }

        /// Checks the magic, method and flags as soon as their bytes are in, so that a
        /// body that is not gzip at all fails on its first byte.
        fn check_fixed(&self, member: u32) -> Result<(), Failure> {
            let f = &self.fixed[..self.have.min(10)];
            let magic = &f[..f.len().min(2)];
            if magic != &[0x1f, 0x8b][..magic.len()] {
                let got: Vec<String> = magic.iter().map(|b| format!("{b:02x}")).collect();
                return Err(Failure::new(format!(
                    "gzip member {member}: not a gzip header: expected magic bytes 1f 8b, got {}",
                    got.join(" ")
                )));
            }
            if let Some(&method) = f.get(2) {
                if method != 8 {
                    return Err(Failure::new(format!(
                        "gzip member {member}: unknown compression method {method} (only 8, \
                         deflate, exists)"
                    )));
                }
            }
            if let Some(&flags) = f.get(3) {
                if flags & FRESERVED != 0 {
                    return Err(Failure::new(format!(
                        "gzip member {member}: reserved header flag bits set in {flags:#04x}"
                    )));
                }
            }
            Ok(())
        }

        fn started(&self) -> bool {
            self.part != Part::Fixed || self.have > 0
        }
    }

    enum State {
        Header(Header),
        Body,
        Trailer {
            bytes: [u8; 8],
            have: usize,
        },
        /// After a complete member: is there another one?
        Between {
            first: Option<u8>,
        },
        /// Trailing garbage after the last member: ignored.
        Swallow,
    }

    /// Decodes `gzip`: any number of concatenated members.
    pub(super) struct GzipCodec {
        state: State,
        inflate: Decompress,
        crc: Crc,
        /// The member being decoded, counting from 1.
        member: u32,
    }

    impl GzipCodec {
        pub(super) fn new() -> Self {
            GzipCodec {
                state: State::Header(Header::new()),
                inflate: Decompress::new(false),
                crc: Crc::new(),
                member: 1,
            }
        }

        fn check_trailer(&self, bytes: [u8; 8]) -> Result<(), Failure> {
            let [c0, c1, c2, c3, s0, s1, s2, s3] = bytes;
            let want_crc = u32::from_le_bytes([c0, c1, c2, c3]);
            let want_size = u32::from_le_bytes([s0, s1, s2, s3]);
            let member = self.member;
            if want_crc != self.crc.sum() {
                return Err(Failure::new(format!(
                    "gzip member {member}: CRC32 in the trailer is {want_crc:#010x} but the \
                     decoded data gives {:#010x}",
                    self.crc.sum()
                )));
            }
            if want_size != self.crc.amount() {
                return Err(Failure::new(format!(
                    "gzip member {member}: length in the trailer is {want_size} but {} bytes \
                     (mod 2^32) were decoded",
                    self.crc.amount()
                )));
            }
            Ok(())
        }
    }

    impl Codec for GzipCodec {
        fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step {
            let mut consumed = 0;
            let mut written = 0;
            loop {
                let rest = &input[consumed..];
                match &mut self.state {
                    State::Header(header) => {
                        let (used, done) = header.feed(rest, self.member)?;
                        consumed += used;
                        if !done {
                            return Ok((consumed, written));
                        }
                        self.state = State::Body;
                    }
                    State::Body => {
                        let window = &mut out[written..];
                        if window.is_empty() {
                            return Ok((consumed, written));
                        }
                        let (c, w, end) =
                            inflate_step(&mut self.inflate, rest, window).map_err(|e| {
                                Failure::caused_by(
                                    format!("gzip member {}: invalid deflate data", self.member),
                                    e,
                                )
                            })?;
                        self.crc.update(&window[..w]);
                        consumed += c;
                        written += w;
                        if end {
                            self.state = State::Trailer {
                                bytes: [0; 8],
                                have: 0,
                            };
                        } else {
                            return Ok((consumed, written));
                        }
                    }
                    State::Trailer { bytes, have } => {
                        let take = (8 - *have).min(rest.len());
                        bytes[*have..*have + take].copy_from_slice(&rest[..take]);
                        *have += take;
                        consumed += take;
                        if *have < 8 {
                            return Ok((consumed, written));
                        }
                        let bytes = *bytes;
                        self.check_trailer(bytes)?;
                        self.crc.reset();
                        self.inflate.reset(false);
                        self.member = self.member.saturating_add(1);
                        self.state = State::Between { first: None };
                    }
                    State::Between { first } => match (*first, rest) {
                        (_, []) => return Ok((consumed, written)),
                        (None, [0x1f, ..]) => {
                            *first = Some(0x1f);
                            consumed += 1;
                        }
                        (Some(_), [0x8b, ..]) => {
                            let mut header = Header::new();
                            header.feed(&[0x1f], self.member)?;
                            self.state = State::Header(header);
                        }
                        _ => self.state = State::Swallow,
                    },
                    State::Swallow => {
                        return Ok((input.len(), written));
                    }
                }
            }
        }

        fn check_end(&self) -> Result<(), Failure> {
            let member = self.member;
            match &self.state {
                State::Header(header) if member == 1 && !header.started() => Ok(()),
                State::Header(header) => Err(Failure::new(format!(
                    "truncated gzip stream: it ended in {} of member {member}",
                    header.part.describe()
                ))),
                State::Body => Err(Failure::new(format!(
                    "truncated gzip stream: it ended in the compressed data of member {member}"
                ))),
                State::Trailer { have, .. } => Err(Failure::new(format!(
                    "truncated gzip stream: it ended in the trailer of member {member} \
                     ({have} of 8 bytes)"
                ))),
                State::Between { .. } | State::Swallow => Ok(()),
            }
        }
    }
}

#[cfg(feature = "deflate")]
mod deflate {
    use super::{inflate_step, Codec, Failure, Step};
    use flate2::Decompress;

    /// Whether the two first bytes of a body form a zlib header (RFC 1950 §2.2).
    pub(super) fn is_zlib_header(cmf: u8, flg: u8) -> bool {
        cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) * 256 + u16::from(flg)) % 31 == 0
    }

    enum State {
        /// Waiting for the two bytes that tell zlib from raw deflate.
        Sniff { first: Option<u8> },
        Body {
            inflate: Decompress,
            zlib: bool,
            /// The first byte, when it came alone and was kept back for sniffing.
            held: Option<u8>,
        },
        /// After the end of the stream: the rest is ignored.
        Done,
    }

    /// Decodes `deflate`, zlib-wrapped or raw.
    pub(super) struct DeflateCodec {
        state: State,
    }

    impl DeflateCodec {
        pub(super) fn new() -> Self {
            DeflateCodec {
                state: State::Sniff { first: None },
            }
        }
    }

    fn form(zlib: bool) -> &'static str {
        if zlib {
            "zlib"
        } else {
            "raw deflate"
        }
    }

    impl Codec for DeflateCodec {
        fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step {
            let mut consumed = 0;
            let mut written = 0;
            loop {
                let rest = &input[consumed..];
                match &mut self.state {
                    State::Sniff { first } => match (*first, rest) {
                        (_, []) => return Ok((consumed, written)),
                        (None, [cmf, flg, ..]) => {
                            let zlib = is_zlib_header(*cmf, *flg);
                            self.state = State::Body {
                                inflate: Decompress::new(zlib),
                                zlib,
                                held: None,
                            };
                        }
                        (None, [cmf]) => {
                            *first = Some(*cmf);
                            consumed += 1;
                        }
                        (Some(cmf), [flg, ..]) => {
                            let zlib = is_zlib_header(cmf, *flg);
                            self.state = State::Body {
                                inflate: Decompress::new(zlib),
                                zlib,
                                held: Some(cmf),
                            };
                        }
                    },
                    State::Body {
                        inflate,
                        zlib,
                        held,
                    } => {
                        let window = &mut out[written..];
                        if window.is_empty() {
                            return Ok((consumed, written));
                        }
                        let zlib = *zlib;
                        let held_byte = held.map(|b| [b]);
                        let source: &[u8] = match &held_byte {
                            Some(byte) => byte,
                            None => rest,
                        };
                        let (c, w, end) = inflate_step(inflate, source, window).map_err(|e| {
                            Failure::caused_by(format!("invalid {} data", form(zlib)), e)
                        })?;
                        written += w;
                        let held_used = held_byte.is_some() && c > 0;
                        if held_byte.is_none() {
                            consumed += c;
                        } else if held_used {
                            *held = None;
                        }
                        if end {
                            self.state = State::Done;
                        } else if !held_used {
                            return Ok((consumed, written));
                        }
                    }
                    State::Done => return Ok((input.len(), written)),
                }
            }
        }

        fn check_end(&self) -> Result<(), Failure> {
            match &self.state {
                State::Sniff { first: None } | State::Done => Ok(()),
                State::Sniff { first: Some(_) } => Err(Failure::new(
                    "truncated deflate stream: the body is a single byte",
                )),
                State::Body { zlib, .. } => Err(Failure::new(format!(
                    "truncated {} stream: it ended before the final block{}",
                    form(*zlib),
                    if *zlib {
                        " and the Adler-32 checksum"
                    } else {
                        ""
                    }
                ))),
            }
        }
    }
}

#[cfg(feature = "brotli")]
mod brotli {
    use super::{Codec, Failure, Step};
    use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

    /// Decodes `br`: one brotli stream, RFC 7932 windows only (no "large window" extension).
    pub(super) struct BrotliCodec {
        state: Box<BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>>,
        started: bool,
        done: bool,
    }

    impl BrotliCodec {
        pub(super) fn new() -> Self {
            BrotliCodec {
                state: Box::new(BrotliState::new_strict(
                    StandardAlloc::default(),
                    StandardAlloc::default(),
                    StandardAlloc::default(),
                )),
                started: false,
                done: false,
            }
        }
    }

    impl Codec for BrotliCodec {
        fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step {
            if self.done {
                return match input.len() {
                    0 => Ok((0, 0)),
                    n => Err(Failure::new(format!(
                        "{n} bytes of data after the end of the brotli stream"
                    ))),
                };
            }
            self.started |= !input.is_empty();
            let mut available_in = input.len();
            let mut input_offset = 0;
            let mut available_out = out.len();
            let mut output_offset = 0;
            let mut total_out = 0;
            let result = BrotliDecompressStream(
                &mut available_in,
                &mut input_offset,
                input,
                &mut available_out,
                &mut output_offset,
                out,
                &mut total_out,
                &mut self.state,
            );
            match result {
                BrotliResult::ResultFailure => Err(Failure::new(format!(
                    "invalid brotli data ({:?})",
                    self.state.error_code
                ))),
                BrotliResult::ResultSuccess => {
                    self.done = true;
                    match input.len().saturating_sub(input_offset) {
                        0 => Ok((input_offset, output_offset)),
                        n => Err(Failure::new(format!(
                            "{n} bytes of data after the end of the brotli stream"
                        ))),
                    }
                }
                BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {
                    Ok((input_offset, output_offset))
                }
            }
        }

        fn check_end(&self) -> Result<(), Failure> {
            if self.done || !self.started {
                Ok(())
            } else {
                Err(Failure::new(
                    "truncated brotli stream: it ended before its last meta-block",
                ))
            }
        }
    }
}

#[cfg(feature = "zstd")]
mod zstd {
    use super::{Codec, Failure, Step};
    use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

    /// Decodes `zstd`: one or more frames (skippable frames are skipped).
    pub(super) struct ZstdCodec {
        decoder: Decoder<'static>,
        /// No frame is half-decoded and no output of one is pending.
        at_frame_boundary: bool,
    }

    impl ZstdCodec {
        pub(super) fn new() -> Result<Self, Failure> {
            let decoder = Decoder::new()
                .map_err(|e| Failure::caused_by("could not set up a zstd decoder", e))?;
            Ok(ZstdCodec {
                decoder,
                at_frame_boundary: true,
            })
        }
    }

    impl Codec for ZstdCodec {
        fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step {
            if input.is_empty() && self.at_frame_boundary {
                return Ok((0, 0));
            }
            let mut src = InBuffer::around(input);
            let mut dst = OutBuffer::around(out);
            let hint = self
                .decoder
                .run(&mut src, &mut dst)
                .map_err(|e| Failure::caused_by("invalid zstd data", e))?;
            self.at_frame_boundary = hint == 0;
            Ok((src.pos(), dst.pos()))
        }

        fn check_end(&self) -> Result<(), Failure> {
            if self.at_frame_boundary {
                Ok(())
            } else {
                Err(Failure::new(
                    "truncated zstd stream: it ended inside a frame",
                ))
            }
        }
    }
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

/// The spec's `hip.response.GzipDecoder`: decodes `Content-Encoding: gzip`, including
/// several concatenated members. See the [module documentation](self) for the edge cases.
#[cfg(feature = "gzip")]
#[derive(Debug)]
pub struct GzipDecoder(ContentDecoder);

#[cfg(feature = "gzip")]
impl GzipDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        GzipDecoder(ContentDecoder {
            stages: vec![(Coding::Gzip, Stage::Gzip(gzip::GzipCodec::new()))],
            pending: vec![Pending::default()],
            scratch: Vec::new(),
            failed: None,
            finished: false,
        })
    }

    /// The spec's `decompress(data)`: see [`ContentDecoder::decode`].
    pub fn decompress(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.0.decode(data, out)
    }

    /// See [`ContentDecoder::finish`].
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.0.finish(out)
    }
}

#[cfg(feature = "gzip")]
impl Default for GzipDecoder {
    fn default() -> Self {
        GzipDecoder::new()
    }
}

/// The spec's `hip.response.DeflateDecoder`: decodes `Content-Encoding: deflate`, zlib
/// wrapped or raw. See the [module documentation](self) for the edge cases.
#[cfg(feature = "deflate")]
#[derive(Debug)]
pub struct DeflateDecoder(ContentDecoder);

#[cfg(feature = "deflate")]
impl DeflateDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        DeflateDecoder(ContentDecoder {
            stages: vec![(
                Coding::Deflate,
                Stage::Deflate(deflate::DeflateCodec::new()),
            )],
            pending: vec![Pending::default()],
            scratch: Vec::new(),
            failed: None,
            finished: false,
        })
    }

    /// The spec's `decompress(data)`: see [`ContentDecoder::decode`].
    pub fn decompress(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.0.decode(data, out)
    }

    /// See [`ContentDecoder::finish`].
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.0.finish(out)
    }
}

#[cfg(feature = "deflate")]
impl Default for DeflateDecoder {
    fn default() -> Self {
        DeflateDecoder::new()
    }
}
