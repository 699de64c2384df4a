//! Fuzz target for reading a proxy's answer to `CONNECT`, as hip-async's
//! `transport::tunnel::connect` reads it: a `hip_core::h1::ClientConnection` sends
//! `CONNECT example.com:443`, then the fuzz bytes arrive in fuzzer-chosen pieces. Interim
//! 1xx answers are skipped; the final head decides: a 2xx gives the tunnel, whose first
//! bytes are `take_tunnel_bytes()` (the bytes that came behind the head); anything else is
//! a refusal, whose body is read (up to 64 KiB) only when `Content-Length` or
//! `Transfer-Encoding` frames it. (SOCKS replies are read by the tokio-socks crate, not by
//! hip, so they have no target here.)
//!
//! Properties checked:
//! * no panic, and no hang (the reading loop ends within a bounded number of events);
//! * a 2xx gives a tunnel with the early bytes preserved: the tunnel bytes, followed by the
//!   pieces not yet fed, are exactly the input after the head (the head ending in a blank
//!   line), whatever the split;
//! * the outcome (interim heads, final head, tunnel bytes, refusal body, error kind and
//!   message) is the same whether the bytes arrive whole, in three pieces cut at
//!   fuzzer-chosen points, or (for short inputs) one byte at a time;
//! * bounded output: a refusal body is at most 64 KiB and never more than the input.
//!
//! Input layout: one byte of flags (bit 0: EOF after the last byte; bit 1: small limits),
//! two little-endian u16 split points, then the proxy's bytes.
#![no_main]

use hip_core::h1::{Event, ResponseHead};
use hip_core::ErrorKind;
use hip_fuzz::h1::{connection, limits, pieces, take_splits};
use libfuzzer_sys::fuzz_target;

/// hip-async's `TUNNEL_BODY_LIMIT`.
const TUNNEL_BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The input ran out (without EOF) before the answer was complete.
    Pending,
    /// A 2xx: the tunnel, and the input after the head (tunnel bytes, then unfed pieces).
    Tunnel {
        head: ResponseHead,
        after_head: Vec<u8>,
    },
    /// Any other final status, with the body kept for `FailedTunnelError`.
    Refused { head: ResponseHead, body: Vec<u8> },
    /// No valid answer.
    Failed(ErrorKind, String),
}

fn read_reply(input: &[&[u8]], eof: bool, small: bool) -> (Vec<ResponseHead>, Outcome) {
    let mut h1 = connection("CONNECT", "example.com:443", limits(small));
    let mut next = input.iter();
    // tunnel.rs's `fill`: the next piece, then EOF (if the input says so), then nothing.
    let mut eof_sent = false;
    let mut fill = |h1: &mut hip_core::h1::ClientConnection| -> bool {
        if let Some(piece) = next.next() {
            h1.receive_data(piece);
            true
        } else if eof && !eof_sent {
            eof_sent = true;
            h1.receive_eof();
            true
        } else {
            false
        }
    };
    let mut interim = Vec::new();
    let mut steps = 0;
    let mut step = || {
        steps += 1;
        assert!(steps < 1_000_000, "the CONNECT reader never stops");
    };
    let head = loop {
        step();
        match h1.next_event() {
            Ok(Event::NeedData) => {
                if !fill(&mut h1) {
                    return (interim, Outcome::Pending);
                }
            }
            Ok(Event::Informational(head)) => interim.push(head),
            Ok(Event::Response(head)) => break head,
            Ok(Event::ConnectionClosed) => {
                return (
                    interim,
                    Outcome::Failed(ErrorKind::Protocol, "closed".into()),
                )
            }
            Ok(other) => {
                let message = format!("unexpected {other:?} before the answer to CONNECT");
                return (interim, Outcome::Failed(ErrorKind::Protocol, message));
            }
            Err(e) => return (interim, Outcome::Failed(e.kind(), e.message().to_owned())),
        }
    };
    if (200..300).contains(&head.status) {
        let mut after_head = h1.take_tunnel_bytes().to_vec();
        assert_eq!(
            h1.next_event().ok(),
            Some(Event::Paused),
            "a tunnel reads nothing more"
        );
        for piece in next {
            after_head.extend_from_slice(piece);
        }
        return (interim, Outcome::Tunnel { head, after_head });
    }
    // tunnel.rs's `refusal_body`.
    let mut body = Vec::new();
    if head.headers.contains("content-length") || head.headers.contains("transfer-encoding") {
        loop {
            step();
            match h1.next_event() {
                Ok(Event::NeedData) => {
                    if !fill(&mut h1) {
                        break;
                    }
                }
                Ok(Event::Data(d)) => {
                    let room = TUNNEL_BODY_LIMIT - body.len();
                    body.extend_from_slice(&d[..d.len().min(room)]);
                    if body.len() >= TUNNEL_BODY_LIMIT {
                        break;
                    }
                }
                _ => break,
            }
        }
    }
    (interim, Outcome::Refused { head, body })
}

fuzz_target!(|data: &[u8]| {
    let [flags, ref rest @ ..] = *data else {
        return;
    };
    let Some((points, input)) = take_splits(rest, 2) else {
        return;
    };
    let eof = flags & 1 != 0;
    let small = flags & 2 != 0;
    let whole = read_reply(&[input], eof, small);
    match &whole.1 {
        Outcome::Tunnel { head, after_head } => {
            assert!((200..300).contains(&head.status));
            assert!(
                input.ends_with(after_head),
                "the tunnel bytes are not the input's tail"
            );
            let head_len = input.len() - after_head.len();
            assert!(
                input[..head_len].ends_with(b"\n"),
                "the head does not end with a blank line: {:?}",
                String::from_utf8_lossy(&input[..head_len])
            );
        }
        Outcome::Refused { body, .. } => {
            assert!(body.len() <= TUNNEL_BODY_LIMIT && body.len() <= input.len());
        }
        Outcome::Pending | Outcome::Failed(..) => {}
    }
    let split = read_reply(&pieces(input, &points), eof, small);
    assert_eq!(whole, split, "split at {points:?}");
    if input.len() <= 1024 {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(whole, read_reply(&bytes, eof, small), "one byte at a time");
    }
});
