//! `gzip`: concatenated RFC 1952 members; bytes after a member that start no new one are ignored.

use super::codec::{Codec, Step};
use super::failure::Failure;
use super::flate::inflate_step;
use super::{Coding, ContentDecoder, Pending, Stage};
use crate::error::Error;
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

/// The spec's `hip.response.GzipDecoder`: decodes `Content-Encoding: gzip`, including
/// several concatenated members. See the [module documentation](super) for the edge cases.
#[derive(Debug)]
pub struct GzipDecoder(ContentDecoder);

impl GzipDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        GzipDecoder(ContentDecoder {
            stages: vec![(Coding::Gzip, Stage::Gzip(GzipCodec::new()))],
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

impl Default for GzipDecoder {
    fn default() -> Self {
        GzipDecoder::new()
    }
}
