//! `deflate`: a zlib stream or raw deflate, told apart by the first two bytes.

use super::codec::{Codec, Step};
use super::failure::Failure;
use super::flate::inflate_step;
use super::{Coding, ContentDecoder, Pending, Stage};
use crate::error::Error;
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

/// The spec's `hip.response.DeflateDecoder`: decodes `Content-Encoding: deflate`, zlib
/// wrapped or raw. See the [module documentation](super) for the edge cases.
#[derive(Debug)]
pub struct DeflateDecoder(ContentDecoder);

impl DeflateDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        DeflateDecoder(ContentDecoder {
            stages: vec![(Coding::Deflate, Stage::Deflate(DeflateCodec::new()))],
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

impl Default for DeflateDecoder {
    fn default() -> Self {
        DeflateDecoder::new()
    }
}
