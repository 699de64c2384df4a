//! Fuzz target for the chunked body reader of `hip_core::h1::ClientConnection`.
//!
//! The response head is fixed, `HTTP/1.1 200 OK` with `Transfer-Encoding: chunked` (and,
//! with a flag, a conflicting `Content-Length: 5`, which chunked must win over); the fuzz
//! bytes are the body: chunk-size lines, extensions, data, CRLFs, trailers, and whatever
//! follows.
//!
//! Properties checked:
//! * no panic, and no hang (`next_event` stops with `NeedData`, `Paused`,
//!   `ConnectionClosed` or an error within a bounded number of calls);
//! * the events (body data merged, errors compared by kind and message) are the same
//!   whatever the split: the bytes whole, cut at three fuzzer-chosen points, and (for
//!   short inputs) one byte at a time;
//! * bounded output: the body data handed out never exceeds the fuzz bytes in size, no
//!   `Data` event is empty, and nothing follows `EndOfMessage` but `Paused`,
//!   `ConnectionClosed` or an error.
//!
//! Input layout: one byte of flags (bit 0: EOF after the last byte; bit 1: small limits,
//! so the chunk-line and trailer limits are reachable; bit 2: add `Content-Length: 5`),
//! three little-endian u16 split points, then the body bytes.
#![no_main]

use hip_core::h1::Event;
use hip_fuzz::h1::{connection, events, limits, pieces, take_splits, Ev};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, ref rest @ ..] = *data else {
        return;
    };
    let Some((points, body)) = take_splits(rest, 3) else {
        return;
    };
    let eof = flags & 1 != 0;
    let limits = limits(flags & 2 != 0);
    let mut input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".to_vec();
    if flags & 4 != 0 {
        input.extend_from_slice(b"Content-Length: 5\r\n");
    }
    input.extend_from_slice(b"\r\n");
    let head_len = input.len();
    input.extend_from_slice(body);
    let points: Vec<usize> = points.iter().map(|p| p + head_len).collect();

    let run = |pieces: &[&[u8]]| events(connection("GET", "/", limits), pieces, eof);
    let whole = run(&[&input]);

    // Bounded output and the event order.
    let data: usize = whole
        .iter()
        .map(|ev| match ev {
            Ev::Data(d) => d.len(),
            _ => 0,
        })
        .sum();
    assert!(
        data <= body.len(),
        "{data} bytes of body data out of {} input bytes",
        body.len()
    );
    assert!(
        matches!(whole.first(), Some(Ev::Event(Event::Response(_)))),
        "the head is not read first: {:?}",
        whole.first()
    );
    if let Some(end) = whole
        .iter()
        .position(|ev| matches!(ev, Ev::Event(Event::EndOfMessage { .. })))
    {
        for ev in &whole[end + 1..] {
            assert!(
                matches!(
                    ev,
                    Ev::Event(Event::Paused | Event::ConnectionClosed) | Ev::Error(..)
                ),
                "{ev:?} after EndOfMessage"
            );
        }
    }

    // The same events whatever the split.
    let split = run(&pieces(&input, &points));
    assert_eq!(whole, split, "split at {points:?}");
    if input.len() <= 1024 {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(whole, run(&bytes), "one byte at a time");
    }
});
