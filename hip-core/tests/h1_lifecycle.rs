//! The connection's life: keep-alive and close rules, reuse over cycles, pipelined bytes,
//! reading while still sending, limits, and the error and closed states.

mod h1_util;

use bytes::Bytes;
use h1_util::*;
use hip_core::h1::{BodyLength, ClientConnection, Event, Limits, Request, State};
use hip_core::{ErrorKind, HttpHeaderDict};

fn get(conn: &mut ClientConnection, target: &str) -> Vec<u8> {
    let headers = HttpHeaderDict::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "GET",
            target,
            host: "h",
            headers: &headers,
            body: BodyLength::None,
        },
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn h1_reuse_over_two_exchanges() {
    let mut conn = ClientConnection::new();
    for (i, body) in [&b"first"[..], b"second!"].iter().enumerate() {
        let out = get(&mut conn, &format!("/{i}"));
        assert_eq!(
            out,
            format!("GET /{i} HTTP/1.1\r\nHost: h\r\n\r\n").into_bytes()
        );
        assert_eq!(conn.request_method(), Some("GET"));
        assert_eq!(conn.next_event().unwrap(), Event::NeedData);
        let resp = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        conn.receive_data(resp.as_bytes());
        conn.receive_data(body);
        assert!(matches!(conn.next_event().unwrap(), Event::Response(h) if h.status == 200));
        assert_eq!(
            conn.next_event().unwrap(),
            Event::Data(Bytes::copy_from_slice(body))
        );
        assert_eq!(
            conn.next_event().unwrap(),
            Event::EndOfMessage {
                trailers: HttpHeaderDict::new()
            }
        );
        assert_eq!(
            (conn.our_state(), conn.their_state()),
            (State::Done, State::Done)
        );
        assert_eq!(conn.next_event().unwrap(), Event::Paused);
        assert_eq!(conn.next_event().unwrap(), Event::Paused);
        assert!(conn.is_reusable());
        conn.start_next_cycle().unwrap();
        assert_eq!(
            (conn.our_state(), conn.their_state()),
            (State::Idle, State::Idle)
        );
        assert_eq!(conn.request_method(), None);
    }
}

#[test]
fn h1_pipelined_second_response_is_held_until_the_next_cycle() {
    let mut conn = ClientConnection::new();
    get(&mut conn, "/1");
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb");
    assert!(matches!(conn.next_event().unwrap(), Event::Response(h) if h.status == 200));
    assert_eq!(
        conn.next_event().unwrap(),
        Event::Data(Bytes::from_static(b"a"))
    );
    assert_eq!(
        conn.next_event().unwrap(),
        Event::EndOfMessage {
            trailers: HttpHeaderDict::new()
        }
    );
    assert_eq!(conn.next_event().unwrap(), Event::Paused);
    conn.start_next_cycle().unwrap();
    // No request yet: still paused, bytes kept.
    assert_eq!(conn.next_event().unwrap(), Event::Paused);
    assert_eq!(
        &conn.read_buf()[..],
        b"HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb"
    );
    get(&mut conn, "/2");
    assert!(
        matches!(conn.next_event().unwrap(), Event::Response(h) if h.status == 201 && h.reason == "Created")
    );
    assert_eq!(
        conn.next_event().unwrap(),
        Event::Data(Bytes::from_static(b"b"))
    );
    assert_eq!(
        conn.next_event().unwrap(),
        Event::EndOfMessage {
            trailers: HttpHeaderDict::new()
        }
    );
    assert!(conn.is_reusable());
}

#[test]
fn h1_eof_after_done_is_connection_closed() {
    let mut conn = ClientConnection::new();
    get(&mut conn, "/");
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(matches!(conn.next_event().unwrap(), Event::Response(_)));
    assert!(matches!(
        conn.next_event().unwrap(),
        Event::EndOfMessage { .. }
    ));
    conn.receive_eof();
    assert_eq!(conn.next_event().unwrap(), Event::ConnectionClosed);
    assert_eq!(conn.their_state(), State::Closed);
    assert_eq!(conn.our_state(), State::MustClose);
    assert!(!conn.is_reusable());
    assert_eq!(conn.next_event().unwrap(), Event::ConnectionClosed);
    assert!(conn.start_next_cycle().is_err());
}

#[test]
fn h1_eof_while_idle_is_connection_closed_and_then_no_request() {
    let mut conn = ClientConnection::new();
    assert_eq!(conn.next_event().unwrap(), Event::NeedData);
    conn.receive_eof();
    assert_eq!(conn.next_event().unwrap(), Event::ConnectionClosed);
    assert_eq!(conn.their_state(), State::Closed);
    let headers = HttpHeaderDict::new();
    let mut out = Vec::new();
    let e = conn
        .send_request(
            &Request {
                method: "GET",
                target: "/",
                host: "h",
                headers: &headers,
                body: BodyLength::None,
            },
            &mut out,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LocalProtocol);
    assert!(out.is_empty());
}

#[test]
fn h1_http10_response_closes_unless_keep_alive() {
    let mut conn = sent("GET", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"],
        false,
    );
    assert_eq!(
        (conn.our_state(), conn.their_state()),
        (State::MustClose, State::MustClose)
    );
    assert!(!conn.is_reusable());

    let mut conn = sent("GET", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx"],
        false,
    );
    assert_eq!(
        (conn.our_state(), conn.their_state()),
        (State::Done, State::Done)
    );
    assert!(conn.is_reusable());
}

#[test]
fn h1_connection_close_in_response_means_must_close() {
    let mut conn = sent("GET", BodyLength::None);
    let evs = run(
        &mut conn,
        &[b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 1\r\n\r\nx"],
        false,
    );
    assert_eq!(evs[1..], [data(b"x"), eom(), paused()]);
    assert_eq!(
        (conn.our_state(), conn.their_state()),
        (State::MustClose, State::MustClose)
    );
    assert!(!conn.is_reusable());
    assert!(conn.start_next_cycle().is_err());
    conn.receive_eof();
    assert_eq!(conn.next_event().unwrap(), Event::ConnectionClosed);
    assert_eq!(conn.their_state(), State::Closed);
}

#[test]
fn h1_http11_with_framing_is_reusable() {
    let mut conn = sent("GET", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
        false,
    );
    assert!(conn.is_reusable());
}

#[test]
fn h1_early_response_while_still_sending_the_body() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "PUT",
            target: "/big",
            host: "h",
            headers: &headers,
            body: BodyLength::Fixed(1_000_000),
        },
        &mut out,
    )
    .unwrap();
    conn.send_data(&[0u8; 1000], &mut out).unwrap();
    assert_eq!(conn.next_event().unwrap(), Event::NeedData);
    conn.receive_data(
        b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbig",
    );
    assert!(matches!(conn.next_event().unwrap(), Event::Response(h) if h.status == 413));
    assert_eq!(
        conn.next_event().unwrap(),
        Event::Data(Bytes::from_static(b"big"))
    );
    assert!(matches!(
        conn.next_event().unwrap(),
        Event::EndOfMessage { .. }
    ));
    assert_eq!(conn.our_state(), State::SendBody);
    assert_eq!(conn.their_state(), State::MustClose);
    // The upload then fails.
    conn.send_failed();
    assert_eq!(conn.our_state(), State::Error);
    assert!(!conn.is_reusable());
}

#[test]
fn h1_response_complete_before_request_body_is_reusable_only_after_send_end() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "POST",
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::Chunked,
        },
        &mut out,
    )
    .unwrap();
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(matches!(conn.next_event().unwrap(), Event::Response(_)));
    assert!(matches!(
        conn.next_event().unwrap(),
        Event::EndOfMessage { .. }
    ));
    assert!(!conn.is_reusable());
    conn.send_end(&mut out).unwrap();
    assert!(conn.is_reusable());
}

#[test]
fn h1_send_failed_poisons_our_side() {
    let mut conn = ClientConnection::new();
    get(&mut conn, "/");
    conn.send_failed();
    assert_eq!(conn.our_state(), State::Error);
    run(
        &mut conn,
        &[b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"],
        false,
    );
    // The response is still read, but its side cannot be reused either.
    assert_eq!(conn.their_state(), State::MustClose);
    assert!(!conn.is_reusable());
}

#[test]
fn h1_errors_are_sticky() {
    let mut conn = sent("GET", BodyLength::None);
    conn.receive_data(b"HTTP/9.9 200 OK\r\n\r\n");
    let e1 = conn.next_event().unwrap_err();
    assert_eq!(e1.kind(), ErrorKind::BadVersion);
    assert_eq!(conn.their_state(), State::Error);
    let e2 = conn.next_event().unwrap_err();
    assert_eq!((e2.kind(), e2.message()), (e1.kind(), e1.message()));
    assert!(!conn.is_reusable());
}

#[test]
fn h1_upgrade_101_switches_protocol_only_when_asked() {
    let mut hdrs = HttpHeaderDict::new();
    hdrs.add("Connection", "Upgrade");
    hdrs.add("Upgrade", "websocket");
    let mut conn = sent_with("GET", BodyLength::None, &hdrs);
    let evs = run(
        &mut conn,
        &[b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00"],
        false,
    );
    assert_eq!(
        evs,
        [
            head(101, "Switching Protocols", &[("Upgrade", "websocket")]).response(),
            paused()
        ]
    );
    assert_eq!(
        (conn.our_state(), conn.their_state()),
        (State::SwitchedProtocol, State::SwitchedProtocol)
    );
    assert_eq!(&conn.take_tunnel_bytes()[..], b"\x81\x00");

    let evs = whole("GET", b"HTTP/1.1 101 Switching Protocols\r\n\r\n", false);
    assert_eq!(
        evs,
        [err(
            ErrorKind::Protocol,
            "received \"101 Switching Protocols\" but the request asked for no protocol upgrade"
        )]
    );
}

#[test]
fn h1_informational_keeps_awaiting_the_head() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "POST",
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::Fixed(2),
        },
        &mut out,
    )
    .unwrap();
    conn.receive_data(b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(
        matches!(conn.next_event().unwrap(), Event::Informational(h) if h.status == 100 && h.reason == "Continue")
    );
    assert_eq!(conn.their_state(), State::SendResponse);
    assert_eq!(conn.next_event().unwrap(), Event::NeedData);
    conn.send_data(b"hi", &mut out).unwrap();
    conn.send_end(&mut out).unwrap();
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(matches!(conn.next_event().unwrap(), Event::Response(h) if h.status == 200));
    assert!(matches!(
        conn.next_event().unwrap(),
        Event::EndOfMessage { .. }
    ));
    assert!(conn.is_reusable());
}

#[test]
fn h1_limits_have_defaults_and_setters() {
    let l = Limits::default();
    assert_eq!(
        (l.max_header_bytes(), l.max_headers(), l.max_chunk_line()),
        (65536, 100, 4096)
    );
    let l = l
        .with_max_header_bytes(10)
        .with_max_headers(2)
        .with_max_chunk_line(5);
    assert_eq!(
        (l.max_header_bytes(), l.max_headers(), l.max_chunk_line()),
        (10, 2, 5)
    );
    assert_eq!(Limits::new(), Limits::default());
}

fn with_limits(limits: Limits, pieces: &[&[u8]], eof: bool) -> Vec<Ev> {
    let mut conn = ClientConnection::with_limits(limits);
    get(&mut conn, "/");
    let whole = run(&mut conn, pieces, eof);
    let joined: Vec<u8> = pieces.concat();
    let mut conn = ClientConnection::with_limits(limits);
    get(&mut conn, "/");
    let bytes: Vec<&[u8]> = joined.chunks(1).collect();
    assert_eq!(run(&mut conn, &bytes, eof), whole, "bytewise differs");
    whole
}

#[test]
fn h1_header_block_over_the_limit_is_refused() {
    let limits = Limits::default().with_max_header_bytes(64);
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: 12345678901234567\r\n\r\n";
    assert_eq!(ok.len(), 64);
    let evs = with_limits(limits, &[ok], false);
    assert_eq!(evs.len(), 3, "{evs:?}");
    let too_big = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: 123456789012345678\r\n\r\n";
    assert_eq!(
        with_limits(limits, &[too_big], false),
        [err(
            ErrorKind::Protocol,
            "response head is larger than the max_header_bytes limit of 64 bytes"
        )]
    );
    // A default-limit head of 70000 bytes is refused without waiting for its end.
    let mut huge = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    huge.resize(70_000, b'a');
    assert_eq!(
        run(&mut sent("GET", BodyLength::None), &[&huge], false),
        [err(
            ErrorKind::Protocol,
            "response head is larger than the max_header_bytes limit of 65536 bytes"
        )]
    );
}

#[test]
fn h1_too_many_headers_is_refused() {
    let limits = Limits::default().with_max_headers(2);
    let two = b"HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(with_limits(limits, &[two], false).len(), 3);
    let three = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(
        with_limits(limits, &[three], false),
        [err(
            ErrorKind::Protocol,
            "response head has more than the max_headers limit of 2 header fields"
        )]
    );
    // Above the stack-sized fast path.
    let limits = Limits::default().with_max_headers(200);
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..150 {
        many.extend_from_slice(format!("H{i}: {i}\r\n").as_bytes());
    }
    many.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    let evs = with_limits(limits, &[&many], false);
    assert!(
        matches!(&evs[0], Ev::Event(Event::Response(h)) if h.headers.len() == 151),
        "{evs:?}"
    );
    // Default limit: 101 is too many.
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..101 {
        many.extend_from_slice(format!("H{i}: {i}\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(
        run(&mut sent("GET", BodyLength::None), &[&many], false),
        [err(
            ErrorKind::Protocol,
            "response head has more than the max_headers limit of 100 header fields"
        )]
    );
}

#[test]
fn h1_chunk_line_over_the_limit_is_refused() {
    let limits = Limits::default().with_max_chunk_line(8);
    let head_bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let ok = [&head_bytes[..], b"1;a=bc\r\nx\r\n0\r\n\r\n"];
    assert_eq!(
        with_limits(limits, &ok, false)[1..],
        [data(b"x"), eom(), paused()]
    );
    let bad = [&head_bytes[..], b"1;a=bcd\r\nx\r\n0\r\n\r\n"];
    assert_eq!(
        with_limits(limits, &bad, false)[1..],
        [err(
            ErrorKind::Protocol,
            "chunk-size line is longer than the max_chunk_line limit of 8 bytes (starts \"1;a=bcd\\r\")"
        )]
    );
}

#[test]
fn h1_trailers_over_the_limits_are_refused() {
    let limits = Limits::default().with_max_headers(1);
    let r =
        [&b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n"[..]];
    assert_eq!(
        with_limits(limits, &r, false)[1..],
        [err(
            ErrorKind::Protocol,
            "chunked trailer has more than the max_headers limit of 1 header fields"
        )]
    );
    let limits = Limits::default().with_max_header_bytes(60);
    let r = [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"0\r\n",
        &[b'x'; 61],
    ];
    assert_eq!(
        with_limits(limits, &r, false)[1..],
        [err(
            ErrorKind::Protocol,
            "chunked trailers are larger than the max_header_bytes limit of 60 bytes"
        )]
    );
}

#[test]
fn h1_data_events_are_split_off_the_read_buffer_without_copying() {
    let mut conn = sent("GET", BodyLength::None);
    conn.read_buf()
        .extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    let start = conn.read_buf().as_ptr() as usize;
    assert!(matches!(conn.next_event().unwrap(), Event::Response(_)));
    let Event::Data(d) = conn.next_event().unwrap() else {
        panic!("expected data")
    };
    assert_eq!(&d[..], b"0123456789");
    let head_len = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".len();
    assert_eq!(
        d.as_ptr() as usize,
        start + head_len,
        "Data must point into the read buffer"
    );
}

#[test]
fn h1_data_after_eof_is_ignored() {
    let mut conn = sent("GET", BodyLength::None);
    conn.receive_data(b"HTTP/1.1 200 OK\r\n\r\nab");
    conn.receive_eof();
    conn.receive_data(b"cd");
    let evs = run(&mut conn, &[], true);
    assert_eq!(evs[1..], [data(b"ab"), eom(), closed()]);
}
