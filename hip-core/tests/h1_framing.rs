//! Response framing (RFC 9112 section 6.3), each case checked h11-style: fed whole, one
//! byte at a time, and followed by trailing bytes that must stay buffered.

mod h1_util;

use h1_util::*;
use hip_core::h1::{BodyLength, State};
use hip_core::ErrorKind;

#[test]
fn h1_content_length_body() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let expected = [
        head(200, "OK", &[("Content-Length", "5")]).response(),
        data(b"hello"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"HTTP/1.1 200 OK\r\n", &expected);
}

#[test]
fn h1_content_length_zero_has_no_data_event() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let expected = [
        head(200, "OK", &[("Content-Length", "0")]).response(),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"garbage", &expected);
}

#[test]
fn h1_repeated_agreeing_content_lengths_are_fine() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc";
    let expected = [
        head(
            200,
            "OK",
            &[("Content-Length", "3"), ("content-length", "3, 3")],
        )
        .response(),
        data(b"abc"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"x", &expected);
}

#[test]
fn h1_differing_content_lengths_are_a_protocol_error() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd";
    check3(
        "GET",
        r,
        false,
        b"",
        &[err(
            ErrorKind::Protocol,
            "conflicting Content-Length values \"3, 4\"",
        )],
    );
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd";
    check3(
        "GET",
        r,
        false,
        b"",
        &[err(
            ErrorKind::Protocol,
            "conflicting Content-Length values \"3, 4\"",
        )],
    );
}

#[test]
fn h1_non_numeric_content_length_is_a_protocol_error_naming_it() {
    for bad in ["abc", "-1", "+3", "3 4", "0x10", ""] {
        let r = format!("HTTP/1.1 200 OK\r\nContent-Length: {bad}\r\n\r\n");
        check3(
            "GET",
            r.as_bytes(),
            false,
            b"",
            &[err(
                ErrorKind::Protocol,
                &format!("invalid Content-Length value {bad:?}"),
            )],
        );
    }
}

#[test]
fn h1_overflowing_content_length_is_a_protocol_error() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n";
    check3(
        "GET",
        r,
        false,
        b"",
        &[err(
            ErrorKind::Protocol,
            "Content-Length value \"18446744073709551616\" does not fit in 64 bits",
        )],
    );
    // u64::MAX itself is fine (and then needs the data).
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nab";
    let evs = whole("GET", r, true);
    assert_eq!(
        evs[1..],
        [
            data(b"ab"),
            err(
                ErrorKind::IncompleteRead,
                "2 bytes read, 18446744073709551613 more expected"
            )
        ]
    );
}

#[test]
fn h1_chunked_body_with_extensions_and_trailers() {
    let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              5;name=value\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n\
              0\r\nX-Checksum: abc\r\nX-Other: \xe9\r\n\r\n";
    let expected = [
        head(200, "OK", &[("Transfer-Encoding", "chunked")]).response(),
        data(b"hello world0123456789"),
        eom_with(&[("X-Checksum", "abc"), ("X-Other", "\u{e9}")]),
        paused(),
    ];
    check3("GET", r, false, b"HTTP/1.1 200 OK\r\n\r\n", &expected);
}

#[test]
fn h1_chunked_body_without_trailers_and_lowercase_hex() {
    let r =
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, CHUNKED\r\n\r\na\r\n0123456789\r\n0\r\n\r\n";
    let expected = [
        head(200, "OK", &[("transfer-encoding", "gzip, CHUNKED")]).response(),
        data(b"0123456789"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"next", &expected);
}

#[test]
fn h1_bare_lf_head_then_crlf_chunked_body() {
    // Bare LF is tolerated in the head only; chunked framing needs CRLF (see h1_strict.rs).
    let r = b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n";
    let expected = [
        head(200, "OK", &[("Transfer-Encoding", "chunked")]).response(),
        data(b"abc"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"more", &expected);
}

#[test]
fn h1_chunked_wins_over_content_length_and_then_the_connection_must_close() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n\
              2\r\nhi\r\n0\r\n\r\n";
    let expected = [
        head(
            200,
            "OK",
            &[("Content-Length", "100"), ("Transfer-Encoding", "chunked")],
        )
        .response(),
        data(b"hi"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"x", &expected);
    let mut conn = sent("GET", BodyLength::None);
    run(&mut conn, &[r], false);
    assert_eq!(conn.their_state(), State::MustClose);
    assert_eq!(conn.our_state(), State::MustClose);
    assert!(!conn.is_reusable());
}

#[test]
fn h1_transfer_encoding_in_http10_is_read_but_closes() {
    let r = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
    let mut conn = sent("GET", BodyLength::None);
    let evs = run(&mut conn, &[r], false);
    assert_eq!(evs[1..], [data(b"x"), eom(), paused()]);
    assert_eq!(conn.their_state(), State::MustClose);
}

#[test]
fn h1_transfer_encoding_without_final_chunked_runs_to_close() {
    for te in ["gzip", "chunked, gzip"] {
        let r = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: {te}\r\nContent-Length: 2\r\n\r\nbody bytes"
        );
        let expected = [
            head(
                200,
                "OK",
                &[("Transfer-Encoding", te), ("Content-Length", "2")],
            )
            .response(),
            data(b"body bytes"),
            eom(),
            closed(),
        ];
        check3("GET", r.as_bytes(), true, b"", &expected);
    }
}

#[test]
fn h1_no_framing_runs_to_close_and_is_not_reusable() {
    let r = b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of this is body";
    let expected = [
        head(200, "OK", &[("Server", "x")]).response(),
        data(b"all of this is body"),
        eom(),
        closed(),
    ];
    check3("GET", r, true, b"", &expected);
    let mut conn = sent("GET", BodyLength::None);
    run(&mut conn, &[r], true);
    assert_eq!(conn.their_state(), State::Closed);
    assert!(!conn.is_reusable());
}

#[test]
fn h1_close_delimited_empty_body() {
    let r = b"HTTP/1.1 200 OK\r\n\r\n";
    let expected = [head(200, "OK", &[]).response(), eom(), closed()];
    check3("GET", r, true, b"", &expected);
}

#[test]
fn h1_head_response_has_no_body_despite_content_length() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    let expected = [
        head(200, "OK", &[("Content-Length", "1000")]).response(),
        eom(),
        paused(),
    ];
    check3(
        "HEAD",
        r,
        false,
        b"HTTP/1.1 204 No Content\r\n\r\n",
        &expected,
    );
    // Chunked too.
    let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let expected = [
        head(200, "OK", &[("Transfer-Encoding", "chunked")]).response(),
        eom(),
        paused(),
    ];
    check3("HEAD", r, false, b"0\r\n\r\n", &expected);
}

#[test]
fn h1_no_content_and_not_modified_have_no_body() {
    for (status, reason) in [(204, "No Content"), (304, "Not Modified")] {
        let r = format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 7\r\n\r\n");
        let expected = [
            head(status, reason, &[("Content-Length", "7")]).response(),
            eom(),
            paused(),
        ];
        check3("GET", r.as_bytes(), false, b"leftover", &expected);
    }
}

#[test]
fn h1_informational_then_response() {
    let r = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n\
              HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let expected = [
        head(100, "Continue", &[]).informational(),
        head(103, "Early Hints", &[("Link", "</a.css>")]).informational(),
        head(200, "OK", &[("Content-Length", "2")]).response(),
        data(b"ok"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"zz", &expected);
}

#[test]
fn h1_connect_2xx_switches_protocol_and_keeps_tunnel_bytes() {
    let r = b"HTTP/1.1 200 Connection established\r\nContent-Length: 10\r\n\r\n";
    let expected = [
        head(200, "Connection established", &[("Content-Length", "10")]).response(),
        paused(),
    ];
    check3("CONNECT", r, false, b"\x16\x03\x01tls", &expected);

    let mut conn = sent("CONNECT", BodyLength::None);
    let mut with = r.to_vec();
    with.extend_from_slice(b"\x16\x03\x01");
    run(&mut conn, &[&with], false);
    assert_eq!(conn.their_state(), State::SwitchedProtocol);
    assert_eq!(conn.our_state(), State::SwitchedProtocol);
    assert!(!conn.is_reusable());
    assert_eq!(&conn.take_tunnel_bytes()[..], b"\x16\x03\x01");
    assert_eq!(&conn.take_tunnel_bytes()[..], b"");
    assert!(conn.start_next_cycle().is_err());
}

#[test]
fn h1_connect_refused_has_a_normal_body() {
    let r = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny";
    let expected = [
        head(
            407,
            "Proxy Authentication Required",
            &[("Content-Length", "4")],
        )
        .response(),
        data(b"deny"),
        eom(),
        paused(),
    ];
    check3("CONNECT", r, false, b"x", &expected);
}

#[test]
fn h1_http10_response_fields() {
    let r = b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx";
    let expected = [
        head(200, "OK", &[("Content-Length", "1")])
            .http10()
            .response(),
        data(b"x"),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"y", &expected);
}

#[test]
fn h1_header_values_and_reason_are_iso_8859_1() {
    let r = b"HTTP/1.1 200 \xc7a va\r\nX-Name: caf\xe9 \xff\r\nContent-Length: 0\r\n\r\n";
    let expected = [
        head(
            200,
            "\u{c7}a va",
            &[("X-Name", "caf\u{e9} \u{ff}"), ("Content-Length", "0")],
        )
        .response(),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"x", &expected);
}

#[test]
fn h1_obs_fold_is_replaced_by_a_space() {
    let r =
        b"HTTP/1.1 200 OK\r\nX-Long: first\r\n   second\r\n\tthird\r\nContent-Length: 0\r\n\r\n";
    let expected = [
        head(
            200,
            "OK",
            &[("X-Long", "first second third"), ("Content-Length", "0")],
        )
        .response(),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"x", &expected);
}

#[test]
fn h1_leading_blank_lines_missing_reason_and_bare_lf() {
    let r = b"\r\n\nHTTP/1.1 404\nContent-Length: 0\n\n";
    let expected = [
        head(404, "", &[("Content-Length", "0")]).response(),
        eom(),
        paused(),
    ];
    check3("GET", r, false, b"x", &expected);
}

#[test]
fn h1_eof_inside_fixed_body_is_incomplete_read() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc";
    let expected = [
        head(200, "OK", &[("Content-Length", "5")]).response(),
        data(b"abc"),
        err(ErrorKind::IncompleteRead, "3 bytes read, 2 more expected"),
    ];
    check3("GET", r, true, b"", &expected);
}

#[test]
fn h1_eof_inside_chunked_body_is_incomplete_read() {
    let h = head(200, "OK", &[("Transfer-Encoding", "chunked")]).response();
    let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc";
    check3(
        "GET",
        r,
        true,
        b"",
        &[
            h.clone(),
            data(b"abc"),
            err(
                ErrorKind::IncompleteRead,
                "3 bytes read, 2 more expected (connection closed inside a chunk)",
            ),
        ],
    );
    for cut in [
        &b"5\r\nabcde\r\n"[..],
        b"5\r\nabcde\r\n0\r\n",
        b"5\r\nabcde",
        b"5\r\nabcde\r\n0\r\nX: y\r\n",
    ] {
        let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        r.extend_from_slice(cut);
        check3(
            "GET",
            &r,
            true,
            b"",
            &[
                h.clone(),
                data(b"abcde"),
                err(
                    ErrorKind::IncompleteRead,
                    "5 bytes read, more expected (connection closed before the end of the chunked body)",
                ),
            ],
        );
    }
}

#[test]
fn h1_eof_before_or_inside_the_head_is_a_protocol_error() {
    check3(
        "GET",
        b"",
        true,
        b"",
        &[err(
            ErrorKind::Protocol,
            "connection closed before a complete response head: the remote end closed the \
             connection without a response",
        )],
    );
    check3(
        "GET",
        b"HTTP/1.1 200 OK\r\nServer:",
        true,
        b"",
        &[err(
            ErrorKind::Protocol,
            "connection closed before a complete response head (24 bytes received: \
             \"HTTP/1.1 200 OK\\r\\nServer:\")",
        )],
    );
}

#[test]
fn h1_unsupported_version_is_bad_version() {
    check3(
        "GET",
        b"HTTP/2.0 200 OK\r\n\r\n",
        false,
        b"",
        &[err(
            ErrorKind::BadVersion,
            "unsupported HTTP version \"HTTP/2.0\" in status line \"HTTP/2.0 200 OK\" (only \
             HTTP/1.0 and HTTP/1.1 are spoken)",
        )],
    );
    // Refused as soon as the status line is complete, without waiting for the head.
    let evs = run(
        &mut sent("GET", BodyLength::None),
        &[b"HTTP/1.2 200 OK\r\n"],
        false,
    );
    assert!(
        matches!(&evs[..], [Ev::Error(ErrorKind::BadVersion, m)] if m.contains("\"HTTP/1.2\"")),
        "{evs:?}"
    );
}

#[test]
fn h1_garbage_status_line_is_a_protocol_error() {
    // Not "HTTP/": refused at the first byte that differs, naming the bytes up to it.
    for (line, shown) in [
        (
            &b"ICY 200 OK\r\n\r\n"[..],
            "\"I\" (a response starts with \"HTTP/\")",
        ),
        (
            b"\x16\x03\x01\x00\xa5\n\n",
            "\"\\x16\" (a response starts with \"HTTP/\"; this looks like a TLS record: \
             does the server speak HTTPS on this port?)",
        ),
    ] {
        check3(
            "GET",
            line,
            false,
            b"",
            &[err(
                ErrorKind::Protocol,
                &format!("invalid status line starting {shown}"),
            )],
        );
    }
    for (line, shown) in [
        (&b"HTTP/1.1 2x0 OK\r\n\r\n"[..], "\"HTTP/1.1 2x0 OK\""),
        (b"HTTP/1.1200 OK\r\n\r\n", "\"HTTP/1.1200 OK\""),
    ] {
        check3(
            "GET",
            line,
            false,
            b"",
            &[err(
                ErrorKind::Protocol,
                &format!("invalid status line {shown}"),
            )],
        );
    }
    check3(
        "GET",
        b"HTTP/1.1 099 Low\r\n\r\n",
        false,
        b"",
        &[err(
            ErrorKind::Protocol,
            "invalid status code 099 in status line \"HTTP/1.1 099 Low\"",
        )],
    );
}

#[test]
fn h1_invalid_header_line_is_a_protocol_error_naming_it() {
    check3(
        "GET",
        b"HTTP/1.1 200 OK\r\nGood: yes\r\nBad Name: x\r\n\r\n",
        false,
        b"",
        &[err(
            ErrorKind::Protocol,
            "invalid header line \"Bad Name: x\" in response head (invalid header name)",
        )],
    );
}

#[test]
fn h1_chunk_size_errors() {
    let base = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let h = head(200, "OK", &[("Transfer-Encoding", "chunked")]).response();
    let cases: [(&[u8], &str); 4] = [
        (b"zz\r\n", "invalid chunk-size line \"zz\""),
        (b"5x\r\n", "invalid chunk-size line \"5x\""),
        (b"\r\n", "invalid chunk-size line \"\""),
        (
            b"10000000000000000\r\n",
            "chunk size \"10000000000000000\" does not fit in 64 bits",
        ),
    ];
    for (body, msg) in cases {
        let mut r = base.clone();
        r.extend_from_slice(body);
        check3(
            "GET",
            &r,
            false,
            b"",
            &[h.clone(), err(ErrorKind::Protocol, msg)],
        );
    }
    // Leading zeros do not overflow.
    let mut r = base.clone();
    r.extend_from_slice(b"00000000000000000000001\r\nq\r\n0\r\n\r\n");
    check3(
        "GET",
        &r,
        false,
        b"",
        &[h.clone(), data(b"q"), eom(), paused()],
    );
    // Chunk data must be followed by CRLF.
    let mut r = base.clone();
    r.extend_from_slice(b"2\r\nabXY");
    check3(
        "GET",
        &r,
        false,
        b"",
        &[
            h.clone(),
            data(b"ab"),
            err(
                ErrorKind::Protocol,
                "chunk data is not followed by CRLF (found \"X\")",
            ),
        ],
    );
}
