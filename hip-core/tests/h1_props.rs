//! Property tests: however a response is split when it arrives, the events are the same
//! (consecutive Data merged) as when it arrives whole; and no input makes the reader panic.

mod h1_util;

use h1_util::*;
use hip_core::h1::{BodyLength, ClientConnection, Event, Limits, Request};
use hip_core::HttpHeaderDict;
use proptest::prelude::*;
use proptest::sample::Index;

/// Builds a response from generated parts.
#[allow(clippy::too_many_arguments)]
fn build(
    http10: bool,
    informational: usize,
    status: u16,
    framing: u8,
    body: &[u8],
    chunk_sizes: &[usize],
    trailers: bool,
    lf_only: bool,
    pipelined: bool,
) -> Vec<u8> {
    let nl: &[u8] = if lf_only { b"\n" } else { b"\r\n" };
    let mut r = Vec::new();
    let line = |r: &mut Vec<u8>, text: &str| {
        r.extend_from_slice(text.as_bytes());
        r.extend_from_slice(nl);
    };
    for i in 0..informational {
        line(&mut r, &format!("HTTP/1.1 10{} Info", i + 2));
        line(&mut r, "X-Hint: yes");
        line(&mut r, "");
    }
    line(
        &mut r,
        &format!(
            "HTTP/1.{} {status} Reason phrase",
            if http10 { 0 } else { 1 }
        ),
    );
    line(&mut r, "Server: proptest");
    match framing {
        0 => line(&mut r, &format!("Content-Length: {}", body.len())),
        1 => line(&mut r, "Transfer-Encoding: chunked"),
        _ => {}
    }
    line(&mut r, "");
    if framing == 1 {
        // Chunked framing is CRLF only, even after a head with bare LF line ends.
        let mut rest = body;
        let mut sizes = chunk_sizes.iter().cycle();
        while !rest.is_empty() {
            let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
            r.extend_from_slice(format!("{n:x};ext=v\r\n").as_bytes());
            r.extend_from_slice(&rest[..n]);
            r.extend_from_slice(b"\r\n");
            rest = &rest[n..];
        }
        r.extend_from_slice(b"0\r\n");
        if trailers {
            r.extend_from_slice(b"X-Trailer: t\r\n");
        }
        r.extend_from_slice(b"\r\n");
    } else {
        r.extend_from_slice(body);
    }
    if pipelined {
        r.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    }
    r
}

fn response() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        0usize..3,
        prop::sample::select(vec![200u16, 201, 204, 206, 304, 404, 500, 999]),
        0u8..3,
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(1usize..40, 1..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(v, i, s, f, b, c, t, lf, p)| build(v, i, s, f, &b, &c, t, lf, p))
}

/// Bytes the strict rules care about: whitespace, line ends, NUL, separators of fields and
/// chunk extensions, the letters of "HTTP/1.0", digits, DEL and obs-text.
const INTERESTING: &[u8] = b" \t\r\n\x00:;=\"\\HTP/1.02xa\x7f\xe9";

/// A well-formed response with one to three bytes replaced or inserted.
fn mutated_response() -> impl Strategy<Value = Vec<u8>> {
    (
        response(),
        prop::collection::vec(
            (
                any::<Index>(),
                prop::sample::select(INTERESTING.to_vec()),
                any::<bool>(),
            ),
            1..4,
        ),
    )
        .prop_map(|(mut r, edits)| {
            for (at, byte, insert) in edits {
                let i = at.index(r.len() + 1);
                if insert || i == r.len() {
                    r.insert(i, byte);
                } else {
                    r[i] = byte;
                }
            }
            r
        })
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["GET", "HEAD", "CONNECT", "POST"])
}

/// Cuts `data` at the given indices.
fn split<'a>(data: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(data.len() + 1)).collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for p in points {
        pieces.push(&data[start..p]);
        start = p;
    }
    pieces.push(&data[start..]);
    pieces
}

fn limits() -> Limits {
    // Small limits so that the limit paths are exercised by short inputs too.
    Limits::default()
        .with_max_header_bytes(200)
        .with_max_headers(6)
        .with_max_chunk_line(12)
}

fn events(method: &str, limits: Limits, pieces: &[&[u8]], eof: bool) -> Vec<Ev> {
    let mut conn = ClientConnection::with_limits(limits);
    let headers = HttpHeaderDict::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method,
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::None,
        },
        &mut out,
    )
    .unwrap();
    run(&mut conn, pieces, eof)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn h1_split_responses_give_the_same_events(
        data in response(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        method in method(),
        eof in any::<bool>(),
    ) {
        let pieces = split(&data, &cuts);
        let whole = events(method, Limits::default(), &[&data], eof);
        let split = events(method, Limits::default(), &pieces, eof);
        prop_assert_eq!(&split, &whole);
        // The generated response is well-formed: it gives a Response and no error.
        prop_assert!(whole.iter().any(|e| matches!(e, Ev::Event(Event::Response(_)))), "{:?}", whole);
        if !eof {
            prop_assert!(!whole.iter().any(|e| matches!(e, Ev::Error(..))), "{:?}", whole);
        }
    }

    #[test]
    fn h1_split_arbitrary_bytes_give_the_same_events(
        data in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        method in method(),
        eof in any::<bool>(),
    ) {
        // Arbitrary bytes after a plausible start, so the parser gets past the status line.
        let mut input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".to_vec();
        input.extend_from_slice(&data);
        let pieces = split(&input, &cuts);
        prop_assert_eq!(
            events(method, limits(), &pieces, eof),
            events(method, limits(), &[&input], eof)
        );
        let pieces = split(&data, &cuts);
        prop_assert_eq!(
            events(method, limits(), &pieces, eof),
            events(method, limits(), &[&data], eof)
        );
    }

    #[test]
    fn h1_split_mutated_responses_give_the_same_events(
        data in mutated_response(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        method in method(),
        eof in any::<bool>(),
    ) {
        // The fast path (httparse on a whole head) and the byte-by-byte checks of a head
        // that arrives in pieces must accept and refuse the same bytes, with the same
        // message.
        let whole = events(method, Limits::default(), &[&data], eof);
        let pieces = split(&data, &cuts);
        prop_assert_eq!(&events(method, Limits::default(), &pieces, eof), &whole);
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        prop_assert_eq!(&events(method, Limits::default(), &bytes, eof), &whole);
    }

    #[test]
    fn h1_arbitrary_bytes_never_panic(
        data in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(any::<Index>(), 0..20),
        eof in any::<bool>(),
        max_headers in 0usize..200,
        max_header_bytes in 0usize..700,
        max_chunk_line in 0usize..20,
    ) {
        let limits = Limits::default()
            .with_max_headers(max_headers)
            .with_max_header_bytes(max_header_bytes)
            .with_max_chunk_line(max_chunk_line);
        let mut conn = ClientConnection::with_limits(limits);
        let headers = HttpHeaderDict::new();
        let mut out = Vec::new();
        let req = Request { method: "GET", target: "/", host: "h", headers: &headers, body: BodyLength::None };
        conn.send_request(&req, &mut out).unwrap();
        for piece in split(&data, &cuts) {
            conn.receive_data(piece);
            for _ in 0..10_000 {
                match conn.next_event() {
                    Ok(Event::NeedData) | Err(_) => break,
                    Ok(Event::Paused) => {
                        if conn.is_reusable() {
                            conn.start_next_cycle().unwrap();
                            conn.send_request(&req, &mut out).unwrap();
                        } else {
                            break;
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
        if eof {
            conn.receive_eof();
            for _ in 0..10_000 {
                match conn.next_event() {
                    Ok(Event::NeedData) => panic!("NeedData after EOF"),
                    Ok(Event::ConnectionClosed | Event::Paused) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }
}
