//! `zstd`: one or more Zstandard frames (RFC 8878).

use super::codec::{Codec, Step};
use super::failure::Failure;
use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};
use zstd::zstd_safe;

/// The magic number that opens a Zstandard frame, as it appears on the wire.
const FRAME_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The longest zstd frame header: magic (4), descriptor (1), window (1), dictionary id (4),
/// content size (8).
const MAX_FRAME_HEADER: usize = 18;

/// Decodes `zstd`: one or more frames (skippable frames are skipped).
///
/// A frame that declares its content size must produce exactly that many bytes: libzstd
/// checks it only when a whole frame is decoded in one call, so the streaming decoder
/// checks it here, and a body gets the same verdict however it arrives.
pub(super) struct ZstdCodec {
    decoder: Decoder<'static>,
    /// No frame is half-decoded and no output of one is pending.
    at_frame_boundary: bool,
    /// The current frame's first bytes, until its header can be read.
    header: Vec<u8>,
    /// The current frame's declared content size, once its header was read.
    declared: Option<Option<u64>>,
    /// Bytes the current frame has produced.
    produced: u64,
    /// Where the stream is in the frame layout, for the checks libzstd makes only in its
    /// one-shot path.
    layout: Layout,
}

/// A walk over the layout of a zstd stream (RFC 8878 section 3.1): frame and block
/// headers are read, block contents are skipped. It exists for one check that libzstd
/// makes when a whole frame reaches it in one call and skips when the frame is streamed:
/// a compressed block must not be empty. Without it, whether such a body is refused would
/// depend on how its bytes were cut by the network.
///
/// The walk only ever refuses that; on anything else it does not understand (a bad magic
/// number, a reserved block type) it stops checking and leaves the verdict to libzstd.
#[derive(Debug)]
struct Layout {
    part: Part,
    /// The current frame has a content checksum after its last block.
    checksum: bool,
}

/// The part of the stream the walk is in.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// Reading a frame's magic number (4 bytes).
    Magic { have: [u8; 4], len: u8 },
    /// Reading a skippable frame's size (4 bytes, little-endian).
    SkippableSize { have: [u8; 4], len: u8 },
    /// Waiting for the frame header descriptor.
    Descriptor,
    /// Reading a block header (3 bytes, little-endian).
    BlockHeader { have: [u8; 3], len: u8 },
    /// Skipping `left` bytes, then going on to `next`.
    Skip { left: u64, next: After },
    /// Stopped checking: the decoder judges the rest.
    Off,
}

/// What follows skipped bytes.
#[derive(Debug, Clone, Copy)]
enum After {
    /// A block header.
    Block,
    /// The next frame.
    Frame,
    /// The frame's checksum when it has one (4 bytes), then the next frame.
    LastBlock,
}

impl Layout {
    fn new() -> Self {
        Layout {
            part: Part::MAGIC,
            checksum: false,
        }
    }

    /// Goes on to `next` after `left` bytes.
    fn skip(&self, left: u64, next: After) -> Part {
        if left > 0 {
            return Part::Skip { left, next };
        }
        match next {
            After::Block => Part::BLOCK_HEADER,
            After::LastBlock if self.checksum => Part::Skip {
                left: 4,
                next: After::Frame,
            },
            After::Frame | After::LastBlock => Part::MAGIC,
        }
    }

    /// Walks over `bytes`, the next bytes of the stream.
    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Failure> {
        while let Some((&byte, rest)) = bytes.split_first() {
            self.part = match self.part {
                Part::Off => return Ok(()),
                Part::Skip { left, next } => {
                    let n = left.min(bytes.len() as u64);
                    bytes = &bytes[n as usize..];
                    self.skip(left - n, next)
                }
                Part::Magic { mut have, len } | Part::SkippableSize { mut have, len } => {
                    bytes = rest;
                    have[usize::from(len)] = byte;
                    let len = len + 1;
                    let skippable = matches!(self.part, Part::SkippableSize { .. });
                    match (len, skippable) {
                        (..4, false) => Part::Magic { have, len },
                        (..4, true) => Part::SkippableSize { have, len },
                        (_, true) => self.skip(u64::from(u32::from_le_bytes(have)), After::Frame),
                        _ if have == FRAME_MAGIC => Part::Descriptor,
                        _ if have[0] & 0xf0 == 0x50 && have[1..] == [0x2a, 0x4d, 0x18] => {
                            Part::SkippableSize {
                                have: [0; 4],
                                len: 0,
                            }
                        }
                        _ => Part::Off,
                    }
                }
                Part::Descriptor => {
                    bytes = rest;
                    let single_segment = byte & 0x20 != 0;
                    let window = u64::from(!single_segment);
                    let dictionary = [0, 1, 2, 4][usize::from(byte & 3)];
                    let content_size = match byte >> 6 {
                        0 => u64::from(single_segment),
                        1 => 2,
                        2 => 4,
                        _ => 8,
                    };
                    self.checksum = byte & 4 != 0;
                    self.skip(window + dictionary + content_size, After::Block)
                }
                Part::BlockHeader { mut have, len } => {
                    bytes = rest;
                    have[usize::from(len)] = byte;
                    let len = len + 1;
                    if len < 3 {
                        Part::BlockHeader { have, len }
                    } else {
                        let header = u32::from_le_bytes([have[0], have[1], have[2], 0]);
                        let next = if header & 1 != 0 {
                            After::LastBlock
                        } else {
                            After::Block
                        };
                        let size = u64::from(header >> 3);
                        match (header >> 1) & 3 {
                            // Raw: `size` bytes, and may be empty.
                            0 => self.skip(size, next),
                            // RLE: one byte, repeated `size` times.
                            1 => self.skip(1, next),
                            2 if size == 0 => {
                                return Err(Failure::new(
                                    "invalid zstd data: a compressed block is empty",
                                ));
                            }
                            2 => self.skip(size, next),
                            // Reserved: libzstd refuses it.
                            _ => Part::Off,
                        }
                    }
                }
            };
        }
        Ok(())
    }
}

impl Part {
    const MAGIC: Part = Part::Magic {
        have: [0; 4],
        len: 0,
    };
    const BLOCK_HEADER: Part = Part::BlockHeader {
        have: [0; 3],
        len: 0,
    };
}

impl ZstdCodec {
    pub(super) fn new() -> Result<Self, Failure> {
        let decoder =
            Decoder::new().map_err(|e| Failure::caused_by("could not set up a zstd decoder", e))?;
        Ok(ZstdCodec {
            decoder,
            at_frame_boundary: true,
            header: Vec::new(),
            declared: None,
            produced: 0,
            layout: Layout::new(),
        })
    }

    /// Keeps the first bytes of a frame until its declared content size is known.
    fn read_header(&mut self, consumed: &[u8]) {
        if self.declared.is_some() {
            return;
        }
        let room = MAX_FRAME_HEADER - self.header.len();
        self.header
            .extend_from_slice(&consumed[..consumed.len().min(room)]);
        match zstd_safe::get_frame_content_size(&self.header) {
            Ok(size) => self.declared = Some(size),
            // Too short yet; past the longest header it is corrupt, which the decoder reports.
            Err(_) if self.header.len() >= MAX_FRAME_HEADER => self.declared = Some(None),
            Err(_) => {}
        }
    }
}

impl Codec for ZstdCodec {
    fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step {
        if input.is_empty() && self.at_frame_boundary {
            return Ok((0, 0));
        }
        if self.at_frame_boundary {
            self.header.clear();
            self.declared = None;
            self.produced = 0;
        }
        let mut src = InBuffer::around(input);
        let mut dst = OutBuffer::around(out);
        let hint = self
            .decoder
            .run(&mut src, &mut dst)
            .map_err(|e| Failure::caused_by("invalid zstd data", e))?;
        let (consumed, written) = (src.pos(), dst.pos());
        self.read_header(&input[..consumed]);
        self.layout.feed(&input[..consumed])?;
        self.produced += written as u64;
        self.at_frame_boundary = hint == 0;
        if self.at_frame_boundary {
            if let Some(Some(declared)) = self.declared {
                if declared != self.produced {
                    return Err(Failure::new(format!(
                        "invalid zstd data: a frame declared {declared} bytes of content but \
                         held {}",
                        self.produced
                    )));
                }
            }
        }
        Ok((consumed, written))
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
