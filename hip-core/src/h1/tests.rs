//! Unit tests of the h1 internals; the behaviour of the whole machine is tested in
//! `hip-core/tests/h1_*.rs`.

use super::read::{self, Scan, Scanned};
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
        reason: String::new(),
        headers: dict(headers),
    }
}

#[test]
fn scan_finds_the_first_line_then_the_blank_line_incrementally() {
    let buf = b"\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\nrest";
    let mut scan = Scan::default();
    // A leading blank line is reported as a (skippable) block end.
    assert_eq!(read::scan_lines(&buf[..5], &mut scan), Scanned::Blank(2));
    assert_eq!(read::scan_lines(&buf[..5], &mut scan), Scanned::Incomplete);
    assert_eq!(read::scan_lines(&buf[..19], &mut scan), Scanned::Incomplete);
    assert_eq!(scan.first_line_end, 19);
    assert_eq!(read::scan_lines(&buf[..24], &mut scan), Scanned::Incomplete);
    assert_eq!(read::scan_lines(&buf[..26], &mut scan), Scanned::Incomplete);
    assert_eq!(read::scan_lines(&buf[..], &mut scan), Scanned::Blank(27));
}

#[test]
fn scan_accepts_bare_lf() {
    let mut scan = Scan::default();
    assert_eq!(read::scan_lines(b"X: y\n\nz", &mut scan), Scanned::Blank(6));
    let mut scan = Scan::default();
    assert_eq!(read::scan_lines(b"\n", &mut scan), Scanned::Blank(1));
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
    assert_eq!(read::parse_chunk_size(b"1F\n").unwrap(), 31);
    assert_eq!(read::parse_chunk_size(b"10 ; a=b;c\r\n").unwrap(), 16);
    assert_eq!(read::parse_chunk_size(b"10\t\r\n").unwrap(), 16);
    assert_eq!(
        read::parse_chunk_size(b"ffffffffffffffff\r\n").unwrap(),
        u64::MAX
    );
    let e = read::parse_chunk_size(b"1ffffffffffffffff\r\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert_eq!(
        e.message(),
        "chunk size \"1ffffffffffffffff\" does not fit in 64 bits"
    );
    for bad in [
        &b"\r\n"[..],
        b"-1\r\n",
        b" 1\r\n",
        b"1 x\r\n",
        b"0x1\r\n",
        b"1\r\r\n",
    ] {
        let e = read::parse_chunk_size(bad).unwrap_err();
        assert!(e.message().starts_with("invalid chunk-size line"), "{e}");
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
    assert!(read::check_status_line(b"HTTP/1.1 200 OK\r\n").is_ok());
    assert!(read::check_status_line(b"\r\nHTTP/1.0 404\r\n").is_ok());
    for (line, kind) in [
        (&b"HTTP/2 200 OK\r\n"[..], ErrorKind::BadVersion),
        (b"HTTP/3.0 200 OK\r\n", ErrorKind::BadVersion),
        (b"HTTP/1.1x 200 OK\r\n", ErrorKind::Protocol),
        (b"SSH-2.0-OpenSSH\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 20 OK\r\n", ErrorKind::Protocol),
        (b"HTTP/1.1 000 Zero\r\n", ErrorKind::Protocol),
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
