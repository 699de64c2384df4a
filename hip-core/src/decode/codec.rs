//! What every coding implements, and the loop that drives one through the scratch buffer.

use super::failure::Failure;

/// How much output one step of a codec may produce: the size of the scratch buffer.
pub(super) const CHUNK: usize = 32 * 1024;

/// One decoding step: reads from `input` and writes into `out` (never empty), returning
/// `(bytes consumed, bytes written)`. `(0, 0)` means no progress is possible until more
/// input comes; a step that returns less than `out.len()` written has no output pending.
pub(super) type Step = Result<(usize, usize), Failure>;

/// A streaming decoder for one coding.
pub(super) trait Codec {
    fn step(&mut self, input: &[u8], out: &mut [u8]) -> Step;
    /// Called at the end of the body, once everything was fed and drained: is the stream
    /// complete?
    fn check_end(&self) -> Result<(), Failure>;
}

/// Runs `codec` over `input` until it is used up or `max` bytes were appended to `out`,
/// through `scratch`. Returns `(consumed, appended)`.
pub(super) fn run(
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
