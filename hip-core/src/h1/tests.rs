//! Unit tests of the h1 internals; the behaviour of the whole machine is tested in
//! `hip-core/tests/h1_*.rs`.

use super::read::{self, Block, Scan, Scanned};
use super::*;

fn dict(pairs: &[(&str, &str)]) -> HttpHeaderDict {
    let mut d = HttpHeaderDict::new();
    for (n, v) in pairs {
        d.add(*n, *v);
    }
    d
}

fn head(version: Version, status: u16, headers: &[(&str, &str)]) -> ResponseHead {
    ResponseHead {
        version,
        status,
        reason: "".into(),
        headers: dict(headers),
    }
}

fn scan(buf: &[u8], scan: &mut Scan, block: Block) -> Scanned {
    read::scan_lines(buf, scan, block).expect("valid so far")
}

#[test]
fn scan_finds_the_first_line_then_the_blank_line_incrementally() {
    let buf = b"\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\nrest";
    let mut s = Scan::default();
    // A leading blank line is skipped, not reported.
    assert_eq!(scan(&buf[..5], &mut s, Block::Head), Scanned::Incomplete);
    assert_eq!(scan(&buf[..5], &mut s, Block::Head), Scanned::Incomplete);
    assert_eq!(scan(&buf[..19], &mut s, Block::Head), Scanned::Incomplete);
    assert_eq!(s.first_line_end, 19);
    assert_eq!(scan(&buf[..24], &mut s, Block::Head), Scanned::Incomplete);
    // A CR at the end waits for the byte after it.
    assert_eq!(scan(&buf[..25], &mut s, Block::Head), Scanned::Incomplete);
    assert_eq!(scan(&buf[..26], &mut s, Block::Head), Scanned::Incomplete);
    assert_eq!(scan(&buf[..], &mut s, Block::Head), Scanned::Blank(27));
}

#[test]
fn scan_accepts_bare_lf_in_heads_only() {
    let mut s = Scan::default();
    assert_eq!(
        scan(b"HTTP/1.1 200 OK\nX: y\n\nz", &mut s, Block::Head),
        Scanned::Blank(22)
    );
    let mut s = Scan::default();
    assert_eq!(scan(b"\n\n", &mut s, Block::Head), Scanned::Incomplete);
    let mut s = Scan::default();
    assert_eq!(scan(b"\r\n", &mut s, Block::Trailers), Scanned::Blank(2));
    let mut s = Scan::default();
    assert_eq!(
        scan(b"X: y\r\n\r\nz", &mut s, Block::Trailers),
        Scanned::Blank(8)
    );
    let e = read::scan_lines(b"X: y\n", &mut Scan::default(), Block::Trailers).unwrap_err();
    assert_eq!(
        e.message(),
        "bare LF (without CR) at offset 4 of the chunked trailer section: \"X: y\\n\""
    );
}

#[test]
fn scan_refuses_at_the_offending_byte() {
    for (input, message) in [
        (
            &b"X"[..],
            "invalid status line starting \"X\" (a response starts with \"HTTP/\")",
        ),
        (
            b"\r\nHTTX",
            "invalid status line starting \"HTTX\" (a response starts with \"HTTP/\")",
        ),
        (
            b"\x16",
            "invalid status line starting \"\\x16\" (a response starts with \"HTTP/\"; \
             this looks like a TLS record: does the server speak HTTPS on this port?)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nA: \x00",
            "NUL byte at offset 20 of the response head: \"A: \\x00\"",
        ),
        (
            b"\x00",
            "NUL byte at offset 0 of the response head: \"\\x00\"",
        ),
        (
            b"HTTP/1.1 200 OK\rX",
            "CR not followed by LF at offset 15 of the response head: \
             \"HTTP/1.1 200 OK\\rX\"",
        ),
        (
            b"\r\r",
            "CR not followed by LF at offset 0 of the response head: \"\\r\\r\"",
        ),
        (
            b"HTTP/1.1 20 OK\n",
            "invalid status line \"HTTP/1.1 20 OK\"",
        ),
    ] {
        let e = read::scan_lines(input, &mut Scan::default(), Block::Head).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert_eq!(e.message(), message);
    }
    // Only the last 60 bytes of a long line are shown.
    let mut long = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    long.extend_from_slice(&[b'a'; 100]);
    long.push(0);
    let e = read::scan_lines(&long, &mut Scan::default(), Block::Head).unwrap_err();
    assert_eq!(
        e.message(),
        format!(
            "NUL byte at offset 120 of the response head: ...\"{}\\x00\"",
            "a".repeat(59)
        )
    );
}

#[test]
fn scan_skips_plain_bytes_by_words() {
    // Every special byte at every offset of a word is found.
    for special in [b'\n', b'\r', 0] {
        for at in 0..20 {
            let mut buf = vec![b'a'; 24];
            buf[at] = special;
            assert_eq!(read::skip_plain(&buf, 0), at);
            assert_eq!(read::skip_plain(&buf, at), at);
            assert_eq!(read::skip_plain(&buf, at + 1), 24);
        }
    }
    assert_eq!(read::skip_plain(b"", 0), 0);
    assert_eq!(read::skip_plain(b"ab", 5), 5);
    // Bytes near the special ones (0x0B, 0x0C, 0x8A, 0x01) are plain.
    assert_eq!(
        read::skip_plain(&[0x0B, 0x0C, 0x8A, 0x8D, 0x01, 0x80, 0xFF, 0x09, 0x0E], 0),
        9
    );
}

#[test]
fn find_newline_resumes() {
    let mut scan = Scan::default();
    assert_eq!(read::find_newline(b"5;ext", &mut scan), None);
    assert_eq!(read::find_newline(b"5;ext=1\r\nab", &mut scan), Some(9));
}

#[test]
fn chunk_sizes() {
    assert_eq!(read::parse_chunk_size(b"0\r\n").unwrap(), 0);
    assert_eq!(read::parse_chunk_size(b"1f\r\n").unwrap(), 31);
    assert_eq!(read::parse_chunk_size(b"1F\r\n").unwrap(), 31);
    assert_eq!(
        read::parse_chunk_size(b"ffffffffffffffff\r\n").unwrap(),
        u64::MAX
    );
    assert_eq!(
        read::parse_chunk_size(b"00000000000000000000ffffffffffffffff\r\n").unwrap(),
        u64::MAX
    );
    let e = read::parse_chunk_size(b"1ffffffffffffffff\r\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert_eq!(
        e.message(),
        "chunk size \"1ffffffffffffffff\" does not fit in 64 bits"
    );
    let e = read::parse_chunk_size(b"1F\n").unwrap_err();
    assert_eq!(
        e.message(),
        "invalid chunk-size line \"1F\\n\" (it must end with CRLF, not a bare LF)"
    );
    for bad in [
        &b"\r\n"[..],
        b"-1\r\n",
        b" 1\r\n",
        b"1 x\r\n",
        b"0x1\r\n",
        b"1\r\r\n",
        b"10\t\r\n",
        b"10 \r\n",
        b"1\x00\r\n",
    ] {
        let e = read::parse_chunk_size(bad).unwrap_err();
        assert!(e.message().starts_with("invalid chunk-size line"), "{e}");
    }
}

#[test]
fn chunk_extensions_follow_the_grammar() {
    for ok in [
        &b""[..],
        b";a",
        b";a=b",
        b";a=b;c",
        b" ;a",
        b"\t ; a = b ;c",
        b";a=\"\"",
        b";a=\"x y\\\"z\\\\\"",
        b";a=\"\xe9\t\";b",
        b";a=\"v\" ;b",
        b";!#$%&'*+-.^_`|~09azAZ=!#$%&'*+-.^_`|~",
    ] {
        let mut line = b"5".to_vec();
        line.extend_from_slice(ok);
        line.extend_from_slice(b"\r\n");
        assert_eq!(
            read::parse_chunk_size(&line).map_err(|e| e.to_string()),
            Ok(5),
            "{:?}",
            ok.escape_ascii().to_string()
        );
    }
    for bad in [
        &b" "[..],
        b";",
        b";a ",
        b";a= ",
        b";a=b ",
        b";a=",
        b";=b",
        b";a b",
        b";a=b c",
        b";a=\"",
        b";a=\"x",
        b";a=\"x\\\"",
        b";a=\"x\"y",
        b";a=\"\x7f\"",
        b";a=\"\\\x01\"",
        b";a=b=c",
        b";;a",
        b"; ",
        b";a;",
        b";\xe9",
        b"\x0b;a",
        b"\r;a",
    ] {
        let mut line = b"5".to_vec();
        line.extend_from_slice(bad);
        line.extend_from_slice(b"\r\n");
        assert!(
            read::parse_chunk_size(&line).is_err(),
            "accepted {:?}",
            bad.escape_ascii().to_string()
        );
    }
}

#[test]
fn data_frames() {
    let f = DataFrame::chunk(1);
    assert_eq!((f.prefix(), f.suffix()), (&b"1\r\n"[..], &b"\r\n"[..]));
    let f = DataFrame::chunk(0xABCDEF);
    assert_eq!(f.prefix(), b"ABCDEF\r\n");
    let f = DataFrame::chunk(usize::MAX);
    assert_eq!(f.prefix(), format!("{:X}\r\n", usize::MAX).as_bytes());
    assert_eq!(DataFrame::EMPTY.prefix(), b"");
    assert_eq!(DataFrame::EMPTY.suffix(), b"");
}

#[test]
fn latin1_decoding() {
    assert_eq!(read::latin1(b"plain"), "plain");
    assert_eq!(read::latin1(b"caf\xe9 \x80\xff"), "caf\u{e9} \u{80}\u{ff}");
    assert_eq!(read::latin1(b""), "");
}

#[test]
fn take_len_is_bounded_by_both() {
    assert_eq!(read::take_len(10, 3), 3);
    assert_eq!(read::take_len(3, 10), 3);
    assert_eq!(read::take_len(7, u64::MAX), 7);
}

#[test]
fn show_escapes_and_cuts() {
    assert_eq!(read::show(b"a\r\n\x00\xff"), "\"a\\r\\n\\x00\\xff\"");
    let long = [b'x'; 150];
    let shown = read::show(&long);
    assert!(shown.ends_with("\"..."), "{shown}");
    assert_eq!(shown.len(), 100 + 2 + 3);
}

#[test]
fn status_line_classification() {
    for ok in [
        &b"HTTP/1.1 200 OK\r\n"[..],
        b"\r\nHTTP/1.0 404\r\n",
        b"HTTP/1.1 200\n",
        b"HTTP/1.1 200 \r\n",
        b"HTTP/1.1 200 \t \xe9 x \r\n",
    ] {
        assert!(read::check_status_line(ok).is_ok(), "{ok:?}");
    }
    for (line, kind) in [
        (&b"HTTP/2 200 OK\r\n"[..], ErrorKind::BadVersion),
        (b"HTTP/3.0 200 OK\r\n", ErrorKind::BadVersion),
        (b"HTTP/1.1x 200 OK\r\n", ErrorKind::Protocol),
        (b"SSH-2.0-OpenSSH\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 20 OK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 000 Zero\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1  200 OK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 2000 OK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 200\tOK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 200 O\x7fK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1\t200 OK\r\n", ErrorKind::Protocol),
    ] {
        let e = read::check_status_line(line).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
    }
}

#[test]
fn framing_rules() {
    use MethodKind::{Connect, Head, Other};
    use Version::{Http10, Http11};
    let f = |v, s, h: &[(&str, &str)], m| read::framing(&head(v, s, h), m).unwrap();
    assert_eq!(
        f(Http11, 200, &[("Content-Length", "5")], Other),
        (Framing::Fixed(5), true)
    );
    assert_eq!(f(Http11, 200, &[], Other), (Framing::UntilClose, false));
    assert_eq!(
        f(Http11, 200, &[("Content-Length", "5")], Head),
        (Framing::NoBody, true)
    );
    assert_eq!(f(Http11, 204, &[], Other), (Framing::NoBody, true));
    assert_eq!(f(Http11, 304, &[], Other), (Framing::NoBody, true));
    assert_eq!(f(Http11, 200, &[], Connect), (Framing::Tunnel, false));
    assert_eq!(
        f(Http11, 407, &[("Content-Length", "1")], Connect),
        (Framing::Fixed(1), true)
    );
    assert_eq!(
        f(Http11, 200, &[("Transfer-Encoding", "chunked")], Other),
        (Framing::Chunked, true)
    );
    assert_eq!(
        f(
            Http11,
            200,
            &[("Transfer-Encoding", "chunked"), ("Content-Length", "3")],
            Other
        ),
        (Framing::Chunked, false)
    );
    assert_eq!(
        f(
            Http11,
            200,
            &[
                ("Transfer-Encoding", "chunked"),
                ("Transfer-Encoding", "gzip")
            ],
            Other
        ),
        (Framing::UntilClose, false)
    );
    assert_eq!(
        f(Http10, 200, &[("Content-Length", "1")], Other),
        (Framing::Fixed(1), false)
    );
    assert_eq!(
        f(
            Http10,
            200,
            &[("Content-Length", "1"), ("connection", "Keep-Alive")],
            Other
        ),
        (Framing::Fixed(1), true)
    );
    assert_eq!(
        f(
            Http11,
            200,
            &[("Content-Length", "1"), ("Connection", "foo, close")],
            Other
        ),
        (Framing::Fixed(1), false)
    );
    // Invalid Content-Length is ignored when it does not decide the framing.
    assert_eq!(
        f(
            Http11,
            200,
            &[("Transfer-Encoding", "chunked"), ("Content-Length", "x")],
            Other
        ),
        (Framing::Chunked, false)
    );
    assert_eq!(
        f(Http11, 304, &[("Content-Length", "x")], Other),
        (Framing::NoBody, true)
    );
}

#[test]
fn content_length_parsing() {
    let cl = |h: &[(&str, &str)]| read::content_length(&dict(h), ErrorKind::Protocol);
    assert_eq!(cl(&[]).unwrap(), None);
    assert_eq!(cl(&[("Content-Length", " 7 ")]).unwrap(), Some(7));
    assert_eq!(
        cl(&[("Content-Length", "7,7"), ("CONTENT-LENGTH", "7")]).unwrap(),
        Some(7)
    );
    assert_eq!(
        cl(&[("Content-Length", "7, 8")]).unwrap_err().message(),
        "conflicting Content-Length values \"7, 8\""
    );
    assert_eq!(
        cl(&[("Content-Length", "7,")]).unwrap_err().message(),
        "invalid Content-Length value \"7,\""
    );
    assert_eq!(cl(&[("Content-Length", "\t7\t,7")]).unwrap(), Some(7));
    for bad in ["", " ", " , 7", "7,,7", "+7", "7 7"] {
        assert_eq!(
            cl(&[("Content-Length", bad)]).unwrap_err().message(),
            format!("invalid Content-Length value {bad:?}")
        );
    }
    assert_eq!(
        cl(&[("Content-Length", "18446744073709551616")])
            .unwrap_err()
            .message(),
        "Content-Length value \"18446744073709551616\" does not fit in 64 bits"
    );
}

#[test]
fn list_headers_split_on_commas_and_trim_spaces_and_tabs_only() {
    let te = |v: &str| read::transfer_encoding(&dict(&[("Transfer-Encoding", v)]));
    assert_eq!(te("chunked"), Some(true));
    assert_eq!(te("gzip ,\tChunked\t"), Some(true));
    assert_eq!(te("chunked, "), Some(true), "empty elements are skipped");
    assert_eq!(te("chunked, gzip"), Some(false));
    assert_eq!(te(",,,"), Some(false));
    assert_eq!(te("x-chunked"), Some(false));
    let conn = |v: &str| read::connection_has(&dict(&[("Connection", v)]), "close");
    assert!(conn(" , \tclose ,"));
    assert!(conn("keep-alive,CLOSE"));
    assert!(!conn("closed"));
    assert!(
        !conn("\u{a0}close"),
        "only spaces and tabs are whitespace here"
    );
}

#[test]
fn version_conversions() {
    assert_eq!(Version::Http10.as_int(), 10);
    assert_eq!(Version::Http11.as_int(), 11);
    assert_eq!(http::Version::from(Version::Http11), http::Version::HTTP_11);
    assert_eq!(http::Version::from(Version::Http10), http::Version::HTTP_10);
}

#[test]
fn debug_output_names_states() {
    let conn = ClientConnection::new();
    let text = format!("{conn:?}");
    assert!(text.contains("our_state: Idle"), "{text}");
    assert!(text.contains("method: None"), "{text}");
}
