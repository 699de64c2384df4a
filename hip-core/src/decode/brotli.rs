//! `br`: one brotli stream (RFC 7932).

use super::codec::{Codec, Step};
use super::failure::Failure;
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
