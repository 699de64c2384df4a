//! Fuzz target for the HTTP/1.1 response reader of `hip_core::h1::ClientConnection`.
//!
//! Property checked: for any bytes, reading them never panics, and the events (body data
//! merged, errors compared by kind and message) are the same whether the bytes arrive
//! whole, split in two at a fuzzer-chosen point, or (for short inputs) one byte at a time.
//!
//! Input layout: two bytes of split point, one byte of flags (request method, EOF at the
//! end, small limits), then the response bytes.
#![no_main]

use hip_fuzz::h1::{connection, events, limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [s0, s1, flags, ref input @ ..] = *data else {
        return;
    };
    let split = usize::from(u16::from_le_bytes([s0, s1])) % (input.len() + 1);
    let method = ["GET", "HEAD", "CONNECT", "POST"][usize::from(flags & 3)];
    let eof = flags & 4 != 0;
    let limits = limits(flags & 8 != 0);
    let run = |pieces: &[&[u8]]| events(connection(method, "/", limits), pieces, eof);
    let whole = run(&[input]);
    let halves = run(&[&input[..split], &input[split..]]);
    assert_eq!(whole, halves, "split at {split}");
    if input.len() <= 1024 {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(whole, run(&bytes), "one byte at a time");
    }
});
