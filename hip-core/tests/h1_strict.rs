//! Strict response parsing where leniency would let two parsers of the same bytes disagree
//! on where a message ends (response splitting, desync, request smuggling through a
//! proxy), and the few leniencies kept for real servers. Each case is checked h11-style
//! where it can be: fed whole, one byte at a time, and followed by trailing bytes.

mod h1_util;

use h1_util::*;
use hip_core::h1::{BodyLength, State};
use hip_core::ErrorKind;

const CHUNKED_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

/// A chunked response: `CHUNKED_HEAD` then `body`.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut r = CHUNKED_HEAD.to_vec();
    r.extend_from_slice(body);
    r
}

fn chunked_head() -> Ev {
    head(200, "OK", &[("Transfer-Encoding", "chunked")]).response()
}

fn protocol(message: &str) -> Ev {
    err(ErrorKind::Protocol, message)
}

// ---------------------------------------------------------------------------------------
// Field names: no whitespace before the colon (RFC 9112 section 5.1)
// ---------------------------------------------------------------------------------------

#[test]
fn space_before_colon_cannot_change_framing() {
    // A lenient parser would read this as chunked; one that ignores the odd field reads
    // five bytes of Content-Length. Neither may win: the response is refused.
    for (field, shown) in [
        (
            &b"Transfer-Encoding : chunked"[..],
            "Transfer-Encoding : chunked",
        ),
        (
            b"Transfer-Encoding\t: chunked",
            "Transfer-Encoding\\t: chunked",
        ),
        (
            b"Transfer-Encoding  \t : chunked",
            "Transfer-Encoding  \\t : chunked",
        ),
    ] {
        let mut r = b"HTTP/1.1 200 OK\r\n".to_vec();
        r.extend_from_slice(field);
        r.extend_from_slice(b"\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        check3(
            "GET",
            &r,
            false,
            b"HTTP/1.1 200 OK\r\n",
            &[protocol(&format!(
                "invalid header line \"{shown}\" in response head (whitespace between a field \
                 name and its colon, RFC 9112 section 5.1)"
            ))],
        );
    }
}

#[test]
fn space_before_colon_cannot_change_content_length() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length : 100\r\nContent-Length: 2\r\n\r\nokHTTP/1.1";
    check3(
        "GET",
        r,
        false,
        b"",
        &[protocol(
            "invalid header line \"Content-Length : 100\" in response head (whitespace \
             between a field name and its colon, RFC 9112 section 5.1)",
        )],
    );
}

#[test]
fn space_before_colon_in_trailers_is_refused() {
    let r = chunked(b"1\r\nx\r\n0\r\nX-Trailer : v\r\n\r\n");
    check3(
        "GET",
        &r,
        false,
        b"HTTP/1.1 200 OK\r\n",
        &[
            chunked_head(),
            data(b"x"),
            protocol(
                "invalid chunked trailer line \"X-Trailer : v\" (whitespace between a field \
                 name and its colon, RFC 9112 section 5.1)",
            ),
        ],
    );
}

#[test]
fn whitespace_before_the_first_field_cannot_hide_it() {
    // RFC 9112 section 2.2: a line starting with whitespace right after the status line
    // continues nothing. Read as obs-fold it would vanish into the status line; read as a
    // field it would make the body chunked.
    let r = b"HTTP/1.1 200 OK\r\n Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx";
    check3(
        "GET",
        r,
        false,
        b"",
        &[protocol(
            "invalid header line \" Transfer-Encoding: chunked\" in response head (a line \
             starting with whitespace continues no field)",
        )],
    );
}

#[test]
fn empty_field_name_is_refused() {
    let r = b"HTTP/1.1 200 OK\r\n: chunked\r\nContent-Length: 0\r\n\r\n";
    check3(
        "GET",
        r,
        false,
        b"",
        &[protocol(
            "invalid header line \": chunked\" in response head (invalid header name)",
        )],
    );
}

#[test]
fn obs_fold_in_a_head_is_still_unfolded() {
    // Kept: RFC 9112 section 5.2 tells a user agent to replace obs-fold with a space.
    let r = b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n";
    check3(
        "GET",
        r,
        false,
        b"x",
        &[
            head(200, "OK", &[("X-A", "one two"), ("Content-Length", "0")]).response(),
            eom(),
            paused(),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// The status line (RFC 9112 section 4)
// ---------------------------------------------------------------------------------------

fn bad_status_line(line: &[u8], shown: &str) {
    let mut r = line.to_vec();
    r.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    check3(
        "GET",
        &r,
        false,
        b"HTTP/1.1 200 OK\r\n\r\n",
        &[protocol(&format!("invalid status line \"{shown}\""))],
    );
    // Refused when its line ends, not when the head does.
    let (at, _) = failing_byte("GET", &r).expect("refused");
    assert_eq!(at, line.len() + 1, "{shown}");
}

#[test]
fn double_space_after_the_version_is_refused() {
    bad_status_line(b"HTTP/1.1  200 OK", "HTTP/1.1  200 OK");
}

#[test]
fn tab_as_status_line_delimiter_is_refused() {
    bad_status_line(b"HTTP/1.1\t200 OK", "HTTP/1.1\\t200 OK");
    bad_status_line(b"HTTP/1.1 200\tOK", "HTTP/1.1 200\\tOK");
}

#[test]
fn two_digit_status_code_is_refused() {
    bad_status_line(b"HTTP/1.1 20 OK", "HTTP/1.1 20 OK");
}

#[test]
fn four_digit_status_code_is_refused() {
    bad_status_line(b"HTTP/1.1 2000 OK", "HTTP/1.1 2000 OK");
}

#[test]
fn control_byte_in_reason_is_refused() {
    bad_status_line(b"HTTP/1.1 200 O\x01K", "HTTP/1.1 200 O\\x01K");
    bad_status_line(b"HTTP/1.1 200 O\x7fK", "HTTP/1.1 200 O\\x7fK");
}

#[test]
fn status_code_without_reason_is_accepted() {
    // Kept: many servers send no reason and no space before the line end.
    for line in [
        &b"HTTP/1.1 200\r\n"[..],
        b"HTTP/1.1 200 \r\n",
        b"HTTP/1.1 200\n",
    ] {
        let mut r = line.to_vec();
        r.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        check3(
            "GET",
            &r,
            false,
            b"HTTP/1.1 200 OK\r\n",
            &[
                head(200, "", &[("Content-Length", "0")]).response(),
                eom(),
                paused(),
            ],
        );
    }
}

#[test]
fn reason_phrase_is_taken_as_sent() {
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ), after exactly one space.
    let r = b"HTTP/1.1 404  Not\tFound \xe9 \r\nContent-Length: 0\r\n\r\n";
    check3(
        "GET",
        r,
        false,
        b"x",
        &[
            head(404, " Not\tFound \u{e9} ", &[("Content-Length", "0")]).response(),
            eom(),
            paused(),
        ],
    );
}

#[test]
fn minor_version_other_than_0_or_1_is_bad_version() {
    check3(
        "GET",
        b"HTTP/1.2 200 OK\r\n\r\n",
        false,
        b"",
        &[err(
            ErrorKind::BadVersion,
            "unsupported HTTP version \"HTTP/1.2\" in status line \"HTTP/1.2 200 OK\" (only \
             HTTP/1.0 and HTTP/1.1 are spoken)",
        )],
    );
}

// ---------------------------------------------------------------------------------------
// Refused at the offending byte, not at a limit or a timeout
// ---------------------------------------------------------------------------------------

#[test]
fn non_http_first_byte_fails_on_that_byte() {
    let expected =
        protocol("invalid status line starting \"X\" (a response starts with \"HTTP/\")");
    // The first byte alone is enough: no NeedData, no waiting for the line to end.
    assert_eq!(whole("GET", b"X", false), std::slice::from_ref(&expected));
    assert_eq!(
        failing_byte("GET", b"X-Powered-By: nothing\r\n"),
        Some((0, expected.clone()))
    );
    check3("GET", b"X", false, b"TTP/1.1 200 OK\r\n\r\n", &[expected]);
}

#[test]
fn not_http_is_refused_at_the_first_differing_byte() {
    for (input, at, shown) in [
        (&b"HTTP/1.1 200 OK"[..], None, ""),
        (b"http/1.1 200 OK", Some(0), "h"),
        (b"HTTPS/1.1 200 OK", Some(4), "HTTPS"),
        (b"HTT/1.1", Some(3), "HTT/"),
        (b" HTTP/1.1 200 OK", Some(0), " "),
        (b"\r\n\nHTX", Some(5), "HTX"),
        (b"HT\r\n", Some(2), "HT\\r"),
        (b"HTTP\n", Some(4), "HTTP\\n"),
        (b"SSH-2.0-OpenSSH_9.6\r\n", Some(0), "S"),
    ] {
        let got = failing_byte("GET", input);
        let expected = at.map(|at| {
            (
                at,
                protocol(&format!(
                    "invalid status line starting \"{shown}\" (a response starts with \
                     \"HTTP/\")"
                )),
            )
        });
        assert_eq!(got, expected, "{:?}", input.escape_ascii().to_string());
    }
}

#[test]
fn tls_reply_on_a_plain_connection_fails_on_its_first_byte() {
    let expected = protocol(
        "invalid status line starting \"\\x16\" (a response starts with \"HTTP/\"; this looks \
         like a TLS record: does the server speak HTTPS on this port?)",
    );
    assert_eq!(
        failing_byte("GET", b"\x16\x03\x03\x00\x7a\x02"),
        Some((0, expected.clone()))
    );
    check3("GET", b"\x16", false, b"\x03\x03", &[expected]);
}

#[test]
fn leading_blank_lines_are_skipped() {
    // Kept: RFC 9112 section 2.2 lets a recipient skip empty lines before the start line.
    let r = b"\r\n\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    check3(
        "GET",
        r,
        false,
        b"HTTP/1.1 200 OK\r\n",
        &[head(204, "No Content", &[]).response(), eom(), paused()],
    );
}

#[test]
fn nul_in_head_fails_on_that_byte() {
    let r = b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n";
    let expected = protocol("NUL byte at offset 23 of the response head: \"X-A: a\\x00\"");
    check3(
        "GET",
        r,
        false,
        b"HTTP/1.1 200 OK\r\n",
        std::slice::from_ref(&expected),
    );
    assert_eq!(failing_byte("GET", r), Some((23, expected)));
    // In the status line too, and before it.
    assert_eq!(
        failing_byte("GET", b"HTTP/1.1 200 O\x00K\r\n"),
        Some((
            14,
            protocol("NUL byte at offset 14 of the response head: \"HTTP/1.1 200 O\\x00\"")
        ))
    );
    assert_eq!(
        failing_byte("GET", b"\r\n\x00"),
        Some((
            2,
            protocol("NUL byte at offset 2 of the response head: \"\\x00\"")
        ))
    );
}

#[test]
fn bare_cr_in_head_fails_on_the_byte_after_it() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 0\rX-Smuggled: 1\r\n\r\n";
    let expected = protocol(
        "CR not followed by LF at offset 34 of the response head: \"Content-Length: 0\\rX\"",
    );
    check3("GET", r, false, b"", std::slice::from_ref(&expected));
    // A CR is undecided until the next byte is there...
    assert_eq!(whole("GET", &r[..35], false), Vec::<Ev>::new());
    // ...and refused as soon as it is.
    assert_eq!(failing_byte("GET", r), Some((35, expected)));
    for (input, at, shown) in [
        (
            &b"HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n"[..],
            16,
            "HTTP/1.1 200 OK\\rC",
        ),
        (b"\r\r\nHTTP/1.1 200 OK\r\n\r\n", 1, "\\r\\r"),
        (b"HTTP/1.1 200 OK\r\nA: 1\r\r\n\r\n", 22, "A: 1\\r\\r"),
    ] {
        assert_eq!(
            failing_byte("GET", input),
            Some((
                at,
                protocol(&format!(
                    "CR not followed by LF at offset {} of the response head: \"{shown}\"",
                    at - 1
                ))
            )),
            "{:?}",
            input.escape_ascii().to_string()
        );
    }
}

#[test]
fn bare_lf_line_ends_in_a_head_are_accepted() {
    // Kept: RFC 9112 section 2.2 lets a recipient take a lone LF as a line end, and old or
    // hand-written servers send them.
    let r = b"HTTP/1.1 200 OK\nContent-Length: 2\r\nServer: x\n\nok";
    check3(
        "GET",
        r,
        false,
        b"HTTP/1.1 200 OK\n",
        &[
            head(200, "OK", &[("Content-Length", "2"), ("Server", "x")]).response(),
            data(b"ok"),
            eom(),
            paused(),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Chunk-size lines (RFC 9112 section 7.1)
// ---------------------------------------------------------------------------------------

/// Checks that the chunked body `body` gives `hello` then the end of the message.
fn chunked_ok(body: &[u8]) {
    check3(
        "GET",
        &chunked(body),
        false,
        b"HTTP/1.1 200 OK\r\n",
        &[chunked_head(), data(b"hello"), eom(), paused()],
    );
}

/// Checks that the chunked body `body` is refused with `message` before any data.
fn chunked_refused(body: &[u8], message: &str) {
    check3(
        "GET",
        &chunked(body),
        false,
        b"",
        &[chunked_head(), protocol(message)],
    );
}

#[test]
fn chunk_extension_is_accepted() {
    chunked_ok(b"5;ext\r\nhello\r\n0\r\n\r\n");
    chunked_ok(b"5;a=b;c=\"quoted; \\\"value\\\"\"\r\nhello\r\n0;last\r\n\r\n");
}

#[test]
fn whitespace_around_chunk_extension_separators_is_accepted() {
    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ): RFC 9112
    // puts BWS before and after ";" and around "=", and asks recipients to parse it.
    chunked_ok(b"5 ;ext\r\nhello\r\n0\r\n\r\n");
    chunked_ok(b"5\t; ext = v ;x\r\nhello\r\n0\r\n\r\n");
}

#[test]
fn whitespace_after_chunk_size_cannot_end_the_line() {
    // BWS only ever precedes ";" or "=": trailing whitespace is no chunk-ext.
    chunked_refused(
        b"5 \r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5 \"",
    );
    chunked_refused(
        b"5\t\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5\\t\"",
    );
    chunked_refused(
        b"5;ext \r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;ext \"",
    );
    chunked_refused(
        b"5;e=v \r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;e=v \"",
    );
}

#[test]
fn unterminated_quoted_extension_cannot_swallow_the_line_end() {
    chunked_refused(
        b"5;ext=\"unterminated\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;ext=\\\"unterminated\"",
    );
    chunked_refused(
        b"5;ext=\"a\\\"\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;ext=\\\"a\\\\\\\"\"",
    );
}

#[test]
fn chunk_extension_name_must_be_a_token() {
    chunked_refused(
        b"5;bad name\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;bad name\"",
    );
    chunked_refused(
        b"5;\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;\"",
    );
    chunked_refused(
        b"5;=v\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;=v\"",
    );
    chunked_refused(
        b"5;a=\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;a=\"",
    );
    chunked_refused(
        b"5;a=b c\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;a=b c\"",
    );
}

#[test]
fn chunk_size_over_16_significant_digits_is_refused() {
    chunked_refused(
        b"10000000000000005\r\nhello\r\n0\r\n\r\n",
        "chunk size \"10000000000000005\" does not fit in 64 bits",
    );
    chunked_refused(
        b"000fffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        "chunk size \"000fffffffffffffffff\" does not fit in 64 bits",
    );
}

#[test]
fn leading_zeros_in_chunk_size_are_not_significant() {
    chunked_ok(b"0000000000000000005\r\nhello\r\n0000000000000000000\r\n\r\n");
}

#[test]
fn bare_lf_cannot_end_a_chunk_size_line() {
    chunked_refused(
        b"5\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5\\n\" (it must end with CRLF, not a bare LF)",
    );
    chunked_refused(
        b"5;ext=v\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5;ext=v\\n\" (it must end with CRLF, not a bare LF)",
    );
    chunked_refused(
        b"5\r\r\nhello\r\n0\r\n\r\n",
        "invalid chunk-size line \"5\\r\"",
    );
}

#[test]
fn missing_crlf_after_chunk_data_is_refused() {
    // A parser that skipped to the next line would take "0\r\n\r\n" as the end; one that
    // counted would not. Only exactly CRLF is accepted.
    for (after, found) in [
        (&b"X0\r\n\r\n"[..], "\"X\""),
        (b"\n0\r\n\r\n", "\"\\n\""),
        (b"\rX\r\n0\r\n\r\n", "\"\\rX\""),
        (b"\r\r\n0\r\n\r\n", "\"\\r\\r\""),
    ] {
        let mut body = b"5\r\nhello".to_vec();
        body.extend_from_slice(after);
        check3(
            "GET",
            &chunked(&body),
            false,
            b"",
            &[
                chunked_head(),
                data(b"hello"),
                protocol(&format!(
                    "chunk data is not followed by CRLF (found {found})"
                )),
            ],
        );
    }
}

#[test]
fn bare_lf_cannot_end_a_trailer_line() {
    // A chunked body is CRLF-framed from its first size line to its last blank line.
    check3(
        "GET",
        &chunked(b"0\r\n\n"),
        false,
        b"",
        &[
            chunked_head(),
            protocol("bare LF (without CR) at offset 0 of the chunked trailer section: \"\\n\""),
        ],
    );
    check3(
        "GET",
        &chunked(b"0\r\nX-T: v\n\r\n"),
        false,
        b"",
        &[
            chunked_head(),
            protocol(
                "bare LF (without CR) at offset 6 of the chunked trailer section: \"X-T: v\\n\"",
            ),
        ],
    );
}

#[test]
fn nul_and_bare_cr_in_trailers_are_refused() {
    check3(
        "GET",
        &chunked(b"0\r\nX-T: a\x00\r\n\r\n"),
        false,
        b"",
        &[
            chunked_head(),
            protocol("NUL byte at offset 6 of the chunked trailer section: \"X-T: a\\x00\""),
        ],
    );
    check3(
        "GET",
        &chunked(b"0\r\nX-T: a\rb\r\n\r\n"),
        false,
        b"",
        &[
            chunked_head(),
            protocol(
                "CR not followed by LF at offset 6 of the chunked trailer section: \
                 \"X-T: a\\rb\"",
            ),
        ],
    );
}

#[test]
fn crlf_trailers_are_accepted() {
    check3(
        "GET",
        &chunked(b"5\r\nhello\r\n0\r\nX-T: v\r\n\r\n"),
        false,
        b"HTTP/1.1 200 OK\r\n",
        &[
            chunked_head(),
            data(b"hello"),
            eom_with(&[("X-T", "v")]),
            paused(),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Proxy-Connection
// ---------------------------------------------------------------------------------------

#[test]
fn proxy_connection_close_prevents_reuse() {
    for value in ["close", "Close", "keep-alive, close"] {
        let r =
            format!("HTTP/1.1 200 OK\r\nProxy-Connection: {value}\r\nContent-Length: 1\r\n\r\nx");
        let mut conn = sent("GET", BodyLength::None);
        let evs = run(&mut conn, &[r.as_bytes()], false);
        assert_eq!(evs[1..], [data(b"x"), eom(), paused()]);
        assert_eq!(
            (conn.our_state(), conn.their_state()),
            (State::MustClose, State::MustClose),
            "{value}"
        );
        assert!(!conn.is_reusable());
        assert!(conn.start_next_cycle().is_err());
    }
    // Other Proxy-Connection values change nothing.
    let mut conn = sent("GET", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.1 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 0\r\n\r\n"],
        false,
    );
    assert!(conn.is_reusable());
    // And it does not make an HTTP/1.0 response keep-alive.
    let mut conn = sent("GET", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 0\r\n\r\n"],
        false,
    );
    assert!(!conn.is_reusable());
}

#[test]
fn proxy_connection_close_on_a_bodiless_response_prevents_reuse() {
    let mut conn = sent("HEAD", BodyLength::None);
    run(
        &mut conn,
        &[b"HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nContent-Length: 10\r\n\r\n"],
        false,
    );
    assert_eq!(conn.their_state(), State::MustClose);
    assert!(!conn.is_reusable());
}
