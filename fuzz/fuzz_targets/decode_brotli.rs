//! Fuzz target for `hip_core::decode::ContentDecoder` with `Content-Encoding: br`
//! (or `br, br`), driven with `decode_max` / `finish_max` under a small output cap.
//!
//! Input: one byte of settings (bits 0-2: the output cap per call, 1 to 4096 bytes; bit 3:
//! the coding stacked twice), one byte of input chunk size (1 to 256), then the body.
//!
//! Properties checked (see `hip_fuzz::decode::check`):
//! * no panic; every error is `ErrorKind::Decode` and a spent decoder repeats it;
//! * bounded output, the decompression-bomb guard: no call writes more than the cap it was
//!   given;
//! * no hang: a call that stops at the cap has written something, so calling again makes
//!   progress;
//! * the decoded bytes do not depend on the chunking or the cap (small chunks with the
//!   small cap vs the whole body with a 64 KiB cap; where a run stops early, one output is a
//!   prefix of the other), nor does the verdict (complete vs decode error) when
//!   `HIP_FUZZ_DECODE_VERDICT=1` is set (off by default: see `fuzz/artifacts-found/`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hip_fuzz::decode::check("br", data));
