//! `zstd`: one or more Zstandard frames (RFC 8878).

use super::codec::{Codec, Step};
use super::failure::Failure;
use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

/// Decodes `zstd`: one or more frames (skippable frames are skipped).
pub(super) struct ZstdCodec {
    decoder: Decoder<'static>,
    /// No frame is half-decoded and no output of one is pending.
    at_frame_boundary: bool,
}

impl ZstdCodec {
    pub(super) fn new() -> Result<Self, Failure> {
        let decoder =
            Decoder::new().map_err(|e| Failure::caused_by("could not set up a zstd decoder", e))?;
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
