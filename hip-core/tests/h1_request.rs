//! Request serialization, and the refusals that happen before a byte is written.

use hip_core::h1::{BodyLength, ClientConnection, Request, State};
use hip_core::{ErrorKind, HttpHeaderDict};

fn dict(pairs: &[(&str, &str)]) -> HttpHeaderDict {
    let mut d = HttpHeaderDict::new();
    for (n, v) in pairs {
        d.add(*n, *v);
    }
    d
}

fn send(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: BodyLength,
) -> Result<Vec<u8>, hip_core::Error> {
    let headers = dict(headers);
    let mut conn = ClientConnection::new();
    let mut out = b"previous".to_vec();
    let r = conn.send_request(
        &Request {
            method,
            target,
            host: "example.com:8080",
            headers: &headers,
            body,
        },
        &mut out,
    );
    match r {
        Ok(()) => Ok(out[b"previous".len()..].to_vec()),
        Err(e) => {
            assert_eq!(out, b"previous", "nothing may be written on refusal");
            assert_eq!(
                conn.our_state(),
                State::Idle,
                "a refused request leaves the connection idle"
            );
            assert_eq!(conn.their_state(), State::Idle);
            assert_eq!(conn.request_method(), None);
            Err(e)
        }
    }
}

fn refused(kind: ErrorKind, message: &str, r: Result<Vec<u8>, hip_core::Error>) {
    let e = r.expect_err("must be refused");
    assert_eq!((e.kind(), e.message()), (kind, message));
}

#[test]
fn h1_get_with_host_and_headers_in_order_and_case() {
    let out = send(
        "GET",
        "/a?b=c",
        &[
            ("User-Agent", "hip/1"),
            ("accept", "*/*"),
            ("X-Multi", "1"),
            ("x-multi", "2"),
        ],
        BodyLength::None,
    )
    .unwrap();
    assert_eq!(
        out,
        b"GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: hip/1\r\naccept: */*\r\n\
          X-Multi: 1\r\nx-multi: 2\r\n\r\n"
    );
}

#[test]
fn h1_callers_host_header_replaces_ours_at_its_position() {
    let out = send(
        "GET",
        "/",
        &[("Accept", "x"), ("host", "other.example")],
        BodyLength::None,
    )
    .unwrap();
    assert_eq!(
        out,
        b"GET / HTTP/1.1\r\nAccept: x\r\nhost: other.example\r\n\r\n"
    );
}

#[test]
fn h1_fixed_body_gets_content_length() {
    let out = send("PUT", "/f", &[], BodyLength::Fixed(1234567890123)).unwrap();
    assert_eq!(
        out,
        b"PUT /f HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 1234567890123\r\n\r\n"
    );
}

#[test]
fn h1_matching_caller_content_length_is_kept_and_not_doubled() {
    let out = send(
        "POST",
        "/",
        &[("content-length", "5")],
        BodyLength::Fixed(5),
    )
    .unwrap();
    assert_eq!(
        out,
        b"POST / HTTP/1.1\r\nHost: example.com:8080\r\ncontent-length: 5\r\n\r\n"
    );
}

#[test]
fn h1_mismatching_caller_content_length_is_refused() {
    refused(
        ErrorKind::LocalProtocol,
        "Content-Length header \"6\" does not match the body length 5",
        send(
            "POST",
            "/",
            &[("Content-Length", "6")],
            BodyLength::Fixed(5),
        ),
    );
    refused(
        ErrorKind::LocalProtocol,
        "invalid Content-Length value \"five\"",
        send(
            "POST",
            "/",
            &[("Content-Length", "five")],
            BodyLength::Fixed(5),
        ),
    );
    refused(
        ErrorKind::LocalProtocol,
        "Content-Length header \"3\" conflicts with a chunked body",
        send("POST", "/", &[("Content-Length", "3")], BodyLength::Chunked),
    );
    refused(
        ErrorKind::LocalProtocol,
        "Content-Length header \"3\" given for a request without a body",
        send("GET", "/", &[("Content-Length", "3")], BodyLength::None),
    );
    refused(
        ErrorKind::LocalProtocol,
        "Transfer-Encoding header \"chunked\" conflicts with a body of fixed length 5",
        send(
            "POST",
            "/",
            &[("Transfer-Encoding", "chunked")],
            BodyLength::Fixed(5),
        ),
    );
    refused(
        ErrorKind::LocalProtocol,
        "Transfer-Encoding header \"gzip\" does not end with \"chunked\" but the body is sent chunked",
        send("POST", "/", &[("Transfer-Encoding", "gzip")], BodyLength::Chunked),
    );
}

#[test]
fn h1_chunked_body_gets_transfer_encoding() {
    let out = send("POST", "/up", &[], BodyLength::Chunked).unwrap();
    assert_eq!(
        out,
        b"POST /up HTTP/1.1\r\nHost: example.com:8080\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let out = send(
        "POST",
        "/up",
        &[("Transfer-Encoding", "chunked")],
        BodyLength::Chunked,
    )
    .unwrap();
    // The caller's own header is kept in place and not doubled.
    assert_eq!(
        out,
        b"POST /up HTTP/1.1\r\nHost: example.com:8080\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
}

#[test]
fn h1_no_body_gets_content_length_zero_only_for_methods_expecting_one() {
    for m in ["POST", "PUT", "PATCH", "post"] {
        let out = send(m, "/", &[], BodyLength::None).unwrap();
        assert_eq!(
            out,
            format!("{m} / HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 0\r\n\r\n")
                .into_bytes()
        );
    }
    for m in ["GET", "HEAD", "DELETE", "OPTIONS"] {
        let out = send(m, "/", &[], BodyLength::None).unwrap();
        assert_eq!(
            out,
            format!("{m} / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n").into_bytes()
        );
    }
    let out = send("POST", "/", &[("Content-Length", "0")], BodyLength::None).unwrap();
    assert_eq!(
        out,
        b"POST / HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn h1_latin1_header_values_are_encoded_as_single_bytes() {
    let out = send("GET", "/", &[("X-Name", "caf\u{e9}")], BodyLength::None).unwrap();
    assert_eq!(
        out,
        b"GET / HTTP/1.1\r\nHost: example.com:8080\r\nX-Name: caf\xe9\r\n\r\n"
    );
    refused(
        ErrorKind::InvalidHeader,
        "invalid value \"\u{20ac}5\" for header \"X-Price\": '\u{20ac}' cannot be encoded as ISO-8859-1",
        send("GET", "/", &[("X-Price", "\u{20ac}5")], BodyLength::None),
    );
}

#[test]
fn h1_forbidden_bytes_in_method_are_refused() {
    for (method, what) in [
        ("GE\rT", "CR (\\r)"),
        ("GE\nT", "LF (\\n)"),
        ("GE\0T", "NUL (\\0)"),
        ("GE T", "a space"),
        ("GET/", "'/'"),
        ("G\u{e9}T", "'\u{e9}'"),
    ] {
        refused(
            ErrorKind::LocalProtocol,
            &format!("invalid HTTP method {method:?}: {what} is not allowed in a method (it must be a token)"),
            send(method, "/", &[], BodyLength::None),
        );
    }
    refused(
        ErrorKind::LocalProtocol,
        "invalid HTTP method \"\": the method is empty",
        send("", "/", &[], BodyLength::None),
    );
}

#[test]
fn h1_forbidden_bytes_in_target_are_refused() {
    for (target, what) in [
        ("/a\rb", "CR (\\r)"),
        ("/a\nb", "LF (\\n)"),
        ("/a\0b", "NUL (\\0)"),
        ("/a b", "a space"),
        ("/a\tb", "'\\t'"),
        ("/a\x7fb", "'\\u{7f}'"),
        ("/caf\u{e9}", "'\u{e9}'"),
        ("/x HTTP/1.1\r\nHost: evil\r\n\r\nGET /", "a space"),
    ] {
        refused(
            ErrorKind::LocalProtocol,
            &format!(
                "invalid request target {target:?}: {what} is not allowed in a request target"
            ),
            send("GET", target, &[], BodyLength::None),
        );
    }
    refused(
        ErrorKind::LocalProtocol,
        "invalid request target \"\": the target is empty",
        send("GET", "", &[], BodyLength::None),
    );
}

#[test]
fn h1_forbidden_bytes_in_header_names_are_refused() {
    for name in ["X\rA", "X\nA", "X\0A", "X A", "X:A", "", "X-\u{e9}"] {
        refused(
            ErrorKind::InvalidHeader,
            &format!("invalid header name {name:?}: a header name must be a non-empty token"),
            send("GET", "/", &[("Ok", "1"), (name, "v")], BodyLength::None),
        );
    }
}

#[test]
fn h1_forbidden_bytes_in_header_values_are_refused() {
    for (value, what) in [
        ("a\rb", "CR (\\r)"),
        ("a\nb", "LF (\\n)"),
        ("a\0b", "NUL (\\0)"),
        ("x\r\nInjected: 1", "CR (\\r)"),
    ] {
        refused(
            ErrorKind::InvalidHeader,
            &format!("invalid value {value:?} for header \"X-Test\": {what} is not allowed in a header value"),
            send("GET", "/", &[("X-Test", value)], BodyLength::None),
        );
    }
    // Spaces and tabs inside values are fine.
    let out = send("GET", "/", &[("X-Test", "a b\tc")], BodyLength::None).unwrap();
    assert_eq!(
        out,
        b"GET / HTTP/1.1\r\nHost: example.com:8080\r\nX-Test: a b\tc\r\n\r\n"
    );
}

#[test]
fn h1_forbidden_bytes_in_host_are_refused() {
    let headers = HttpHeaderDict::new();
    for (host, what) in [
        ("a\r\nb", "CR (\\r)"),
        ("a b", "a space"),
        ("a\0", "NUL (\\0)"),
    ] {
        let mut conn = ClientConnection::new();
        let mut out = Vec::new();
        let e = conn
            .send_request(
                &Request {
                    method: "GET",
                    target: "/",
                    host,
                    headers: &headers,
                    body: BodyLength::None,
                },
                &mut out,
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidHeader);
        assert_eq!(
            e.message(),
            format!("invalid Host value {host:?}: {what} is not allowed in a host")
        );
        assert!(out.is_empty());
    }
}

#[test]
fn h1_fixed_body_send_data_and_end() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "POST",
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::Fixed(10),
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(conn.our_state(), State::SendBody);
    assert_eq!(conn.request_method(), Some("POST"));
    out.clear();
    conn.send_data(b"hello", &mut out).unwrap();
    let frame = conn.frame_data(3).unwrap();
    assert_eq!((frame.prefix(), frame.suffix()), (&b""[..], &b""[..]));
    assert_eq!(out, b"hello");
    // Too much: 3 left, 4 offered.
    let e = conn.send_data(b"abcd", &mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LocalProtocol);
    assert_eq!(e.message(), "too much body data: 4 more bytes would exceed the Content-Length of 10 (2 bytes left to send)");
    assert_eq!(conn.our_state(), State::Error);
    assert_eq!(out, b"hello");
}

#[test]
fn h1_short_fixed_body_is_refused_at_end() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "PUT",
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::Fixed(4),
        },
        &mut out,
    )
    .unwrap();
    conn.send_data(b"ab", &mut out).unwrap();
    let e = conn.send_end(&mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LocalProtocol);
    assert_eq!(
        e.message(),
        "request body ended after 2 bytes but its Content-Length is 4 (2 bytes missing)"
    );
    assert_eq!(conn.our_state(), State::Error);
    assert!(!conn.is_reusable());
}

#[test]
fn h1_chunked_framing_and_vectored_frames() {
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
    out.clear();
    let f = conn.frame_data(8000).unwrap();
    assert_eq!((f.prefix(), f.suffix()), (&b"1F40\r\n"[..], &b"\r\n"[..]));
    let f = conn.frame_data(0).unwrap();
    assert_eq!(
        (f.prefix(), f.suffix()),
        (&b""[..], &b""[..]),
        "an empty chunk would end the body"
    );
    let f = conn.frame_data(usize::MAX).unwrap();
    assert_eq!(f.prefix(), format!("{:X}\r\n", usize::MAX).as_bytes());
    conn.send_data(b"abc", &mut out).unwrap();
    conn.send_data(b"", &mut out).unwrap();
    conn.send_end(&mut out).unwrap();
    assert_eq!(out, b"3\r\nabc\r\n0\r\n\r\n");
    assert_eq!(conn.our_state(), State::Done);
}

#[test]
fn h1_calls_in_the_wrong_state_are_local_protocol_errors() {
    let headers = HttpHeaderDict::new();
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    let e = conn.send_data(b"x", &mut out).unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (
            ErrorKind::LocalProtocol,
            "cannot send body data while our state is Idle and their state is Idle"
        )
    );
    let e = conn.send_end(&mut out).unwrap_err();
    assert_eq!(
        e.message(),
        "cannot end the request body while our state is Idle and their state is Idle"
    );
    let e = conn.start_next_cycle().unwrap_err();
    assert_eq!(
        e.message(),
        "cannot start the next cycle while our state is Idle and their state is Idle"
    );
    let req = Request {
        method: "GET",
        target: "/",
        host: "h",
        headers: &headers,
        body: BodyLength::None,
    };
    conn.send_request(&req, &mut out).unwrap();
    assert_eq!(conn.our_state(), State::Done);
    // send_end after a body-less request is harmless; body data is not.
    conn.send_end(&mut out).unwrap();
    let e = conn.send_data(b"x", &mut out).unwrap_err();
    assert_eq!(
        e.message(),
        "cannot send body data while our state is Done and their state is SendResponse"
    );
    let e = conn.send_request(&req, &mut out).unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (
            ErrorKind::LocalProtocol,
            "cannot send a request while our state is Done and their state is SendResponse"
        )
    );
    assert!(
        out.starts_with(b"GET / HTTP/1.1\r\n")
            && out.len() == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n".len()
    );
}

#[test]
fn h1_connection_close_in_request_means_must_close() {
    let headers = dict(&[("Connection", "Close")]);
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    conn.send_request(
        &Request {
            method: "GET",
            target: "/",
            host: "h",
            headers: &headers,
            body: BodyLength::None,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(conn.our_state(), State::MustClose);
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(matches!(
        conn.next_event().unwrap(),
        hip_core::h1::Event::Response(_)
    ));
    assert_eq!(
        conn.next_event().unwrap(),
        hip_core::h1::Event::EndOfMessage {
            trailers: HttpHeaderDict::new()
        }
    );
    assert_eq!(conn.their_state(), State::MustClose);
    assert!(!conn.is_reusable());
}
