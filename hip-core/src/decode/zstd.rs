//! `zstd`: one or more Zstandard frames (RFC 8878).

use super::codec::{Codec, Step};
use super::failure::Failure;
use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};
use zstd::zstd_safe;

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
