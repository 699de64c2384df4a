//! Fuzz target for the HTTP/1.1 response reader of `hip_core::h1::ClientConnection`.
//!
//! Property checked: for any bytes, reading them never panics, and the events (body data
//! merged, errors compared by kind and message) are the same whether the bytes arrive
//! whole, split in two at a fuzzer-chosen point, or (for short inputs) one byte at a time.
//!
//! Input layout: two bytes of split point, one byte of flags (request method, EOF at the
//! end, small limits), then the response bytes.
#![no_main]

use bytes::BytesMut;
use hip_core::h1::{BodyLength, ClientConnection, Event, Limits, Request};
use hip_core::{ErrorKind, HttpHeaderDict};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq, Eq)]
enum Ev {
    Event(Event),
    Data(BytesMut),
    Error(ErrorKind, String),
}

fn push(evs: &mut Vec<Ev>, ev: Ev) {
    if let (Some(Ev::Data(prev)), Ev::Data(next)) = (evs.last_mut(), &ev) {
        prev.extend_from_slice(next);
        return;
    }
    evs.push(ev);
}

/// Drains events until NeedData or a stop; true when stopped for good.
fn drain(conn: &mut ClientConnection, evs: &mut Vec<Ev>) -> bool {
    for _ in 0..1_000_000 {
        match conn.next_event() {
            Ok(Event::NeedData) => return false,
            Ok(Event::Data(d)) => {
                assert!(!d.is_empty(), "empty Data event");
                push(evs, Ev::Data(BytesMut::from(&d[..])));
            }
            Ok(e @ (Event::Paused | Event::ConnectionClosed)) => {
                push(evs, Ev::Event(e));
                return true;
            }
            Ok(e) => push(evs, Ev::Event(e)),
            Err(e) => {
                push(evs, Ev::Error(e.kind(), e.message().to_owned()));
                return true;
            }
        }
    }
    panic!("next_event never stopped");
}

fn events(method: &str, limits: Limits, pieces: &[&[u8]], eof: bool) -> Vec<Ev> {
    let mut conn = ClientConnection::with_limits(limits);
    let headers = HttpHeaderDict::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method,
            target: "/",
            host: "fuzz",
            headers: &headers,
            body: BodyLength::None,
        },
        &mut out,
    )
    .expect("a valid request");
    let mut evs = Vec::new();
    let mut done = false;
    for piece in pieces {
        conn.receive_data(piece);
        if !done {
            done = drain(&mut conn, &mut evs);
        }
    }
    if eof {
        conn.receive_eof();
        if !done {
            drain(&mut conn, &mut evs);
            assert!(
                !matches!(conn.next_event(), Ok(Event::NeedData)),
                "NeedData after EOF"
            );
        }
    }
    evs
}

fuzz_target!(|data: &[u8]| {
    let [s0, s1, flags, ref input @ ..] = *data else {
        return;
    };
    let split = usize::from(u16::from_le_bytes([s0, s1])) % (input.len() + 1);
    let method = ["GET", "HEAD", "CONNECT", "POST"][usize::from(flags & 3)];
    let eof = flags & 4 != 0;
    let limits = if flags & 8 != 0 {
        Limits::default()
            .with_max_header_bytes(256)
            .with_max_headers(4)
            .with_max_chunk_line(16)
    } else {
        Limits::default()
    };
    let whole = events(method, limits, &[input], eof);
    let halves = events(method, limits, &[&input[..split], &input[split..]], eof);
    assert_eq!(whole, halves, "split at {split}");
    if input.len() <= 1024 {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(
            whole,
            events(method, limits, &bytes, eof),
            "one byte at a time"
        );
    }
});
