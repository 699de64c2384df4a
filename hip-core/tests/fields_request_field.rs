//! `hip.fields`: header-parameter formatters, `guess_content_type`, `FieldValue` conversions
//! and `RequestField` (`from_tuples`, `make_multipart`, `render_headers`).

use hip_core::fields::{
    format_header_param, format_header_param_html5, format_header_param_rfc2231,
    format_multipart_header_param, guess_content_type, FieldValue, HeaderFormatter, RequestField,
    DEFAULT_CONTENT_TYPE,
};
use hip_core::HttpHeaderDict;

#[test]
fn guess_content_type_uses_the_extension() {
    let d = "application/octet-stream";
    assert_eq!(guess_content_type(Some("example.txt"), d), "text/plain");
    assert_eq!(guess_content_type(Some("x.json"), d), "application/json");
    assert_eq!(guess_content_type(Some("dir/a.PNG"), d), "image/png");
    assert_eq!(guess_content_type(Some("noext"), d), d);
    assert_eq!(guess_content_type(Some(""), d), d);
    assert_eq!(guess_content_type(None, d), d);
    assert_eq!(guess_content_type(None, "text/x-custom"), "text/x-custom");
    assert_eq!(DEFAULT_CONTENT_TYPE, d);
}

#[test]
fn html5_formatter_escapes_quotes_backslashes_and_controls() {
    assert_eq!(format_header_param_html5("name", "plain"), "name=\"plain\"");
    assert_eq!(
        format_header_param_html5("filename", "n\u{e4}me \u{2603}.txt"),
        "filename=\"n\u{e4}me \u{2603}.txt\""
    );
    assert_eq!(
        format_header_param_html5("filename", "a\"b\\c\r\nd"),
        "filename=\"a%22b\\\\c%0D%0Ad\""
    );
    assert_eq!(
        format_header_param_html5("f", "\u{0}\u{1f}\u{1b}\u{7f}"),
        "f=\"%00%1F\u{1b}\u{7f}\""
    );
    assert_eq!(format_header_param("f", "a\"b"), "f=\"a%22b\"");
}

#[test]
fn multipart_formatter_escapes_only_quotes_and_line_breaks() {
    // urllib3 2.x's format_multipart_header_param: `"`, CR and LF, nothing else.
    assert_eq!(
        format_multipart_header_param("name", "plain"),
        "name=\"plain\""
    );
    assert_eq!(format_multipart_header_param("name", ""), "name=\"\"");
    assert_eq!(
        format_multipart_header_param("filename", "n\u{e4}me \u{2603}.txt"),
        "filename=\"n\u{e4}me \u{2603}.txt\""
    );
    assert_eq!(
        format_multipart_header_param("filename", "a\"b\\c\r\nd"),
        "filename=\"a%22b\\c%0D%0Ad\""
    );
    assert_eq!(
        format_multipart_header_param("f", "\u{0}\t\u{1f}\u{1b}\u{7f}%22"),
        "f=\"\u{0}\t\u{1f}\u{1b}\u{7f}%22\""
    );
    // Where 1.26's html5 escaping differs: the backslash and the other controls.
    assert_eq!(format_header_param_html5("f", "\\\t"), "f=\"\\\\%09\"");
    assert_eq!(format_multipart_header_param("f", "\\\t"), "f=\"\\\t\"");
    // It is a formatter like the others.
    let formatter: HeaderFormatter = format_multipart_header_param;
    let f = RequestField::from_tuples("a\"b", ("c\\d\r.txt", "x"), formatter);
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"a%22b\"; filename=\"c\\d%0D.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
}

#[test]
fn rfc2231_formatter_quotes_plain_ascii_and_encodes_the_rest() {
    assert_eq!(
        format_header_param_rfc2231("filename", "a b.txt"),
        "filename=\"a b.txt\""
    );
    assert_eq!(
        format_header_param_rfc2231("filename", "n\u{e4}me \"x\".txt"),
        "filename*=utf-8''n%C3%A4me%20%22x%22.txt"
    );
    assert_eq!(
        format_header_param_rfc2231("filename", "back\\slash"),
        "filename*=utf-8''back%5Cslash"
    );
    assert_eq!(
        format_header_param_rfc2231("filename", "a\r\nb~_.-"),
        "filename*=utf-8''a%0D%0Ab~_.-"
    );
}

#[test]
fn field_value_conversions_read_like_the_spec() {
    assert_eq!(FieldValue::from("bar"), FieldValue::Text("bar".to_owned()));
    assert_eq!(
        FieldValue::from(String::from("s")),
        FieldValue::Text("s".to_owned())
    );
    assert_eq!(FieldValue::from(b"\x00\x01"), FieldValue::Bytes(vec![0, 1]));
    assert_eq!(FieldValue::from(&[2u8][..]), FieldValue::Bytes(vec![2]));
    assert_eq!(FieldValue::from(vec![3u8]), FieldValue::Bytes(vec![3]));
    let file_data = String::from("contents");
    assert_eq!(
        FieldValue::from(("example.txt", file_data.clone())),
        FieldValue::file(Some("example.txt"), "contents", None)
    );
    assert_eq!(
        FieldValue::from(("example.txt", file_data.as_str(), "text/plain")),
        FieldValue::File {
            filename: Some("example.txt".to_owned()),
            data: b"contents".to_vec(),
            content_type: Some("text/plain".to_owned()),
        }
    );
    let raw: &[u8] = b"\xff";
    assert!(FieldValue::from(("b.bin", raw, "image/jpeg")).is_file());
    assert!(FieldValue::from(("b.bin", vec![1u8])).is_file());
    assert!(!FieldValue::from("x").is_file());
}

#[test]
fn from_tuples_plain_value_has_no_content_type() {
    let f = RequestField::from_tuples("foo", "bar", format_header_param_html5);
    assert_eq!(f.name, "foo");
    assert_eq!(f.data, b"bar");
    assert_eq!(f.filename, None);
    assert_eq!(
        f.headers,
        [("Content-Disposition", "form-data; name=\"foo\"")]
    );
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"foo\"\r\n\r\n"
    );
}

#[test]
fn from_tuples_file_guesses_or_takes_the_type() {
    let f = RequestField::from_tuples(
        "fakefile",
        ("foofile.txt", "contents of foofile"),
        format_header_param_html5,
    );
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"fakefile\"; filename=\"foofile.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    let f = RequestField::from_tuples(
        "typedfile",
        ("bazfile.bin", b"\x00".as_slice(), "image/jpeg"),
        format_header_param_html5,
    );
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"typedfile\"; filename=\"bazfile.bin\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    let f = RequestField::from_tuples(
        "anon",
        FieldValue::file(None, "x", None),
        format_header_param_html5,
    );
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"anon\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
}

#[test]
fn from_tuples_with_the_rfc2231_formatter() {
    let f = RequestField::from_tuples(
        "f\u{fc}eld",
        ("\u{e9}t\u{e9}.txt", "x"),
        format_header_param_rfc2231,
    );
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name*=utf-8''f%C3%BCeld; \
         filename*=utf-8''%C3%A9t%C3%A9.txt\r\nContent-Type: text/plain\r\n\r\n"
    );
}

#[test]
fn render_headers_puts_the_three_known_headers_first() {
    let headers = HttpHeaderDict::from([
        ("X-Extra", "1"),
        ("Content-Location", "/here"),
        ("X-Empty", ""),
        ("Content-Type", "text/csv"),
        ("Content-Disposition", "attachment"),
        ("X-Last", "2"),
    ]);
    let f = RequestField::new("n", "d").with_headers(headers);
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: attachment\r\nContent-Type: text/csv\r\n\
         Content-Location: /here\r\nX-Extra: 1\r\nX-Last: 2\r\n\r\n"
    );
    assert_eq!(RequestField::new("n", "d").render_headers(), "\r\n");
}

#[test]
fn make_multipart_sets_and_clears_headers() {
    let mut f = RequestField::new("upload", vec![1u8, 2])
        .with_filename("a \"b\".bin")
        .with_headers([("Content-Type", "old/type"), ("X-Keep", "k")]);
    f.make_multipart(Some("attachment"), None, Some("/loc"));
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: attachment; name=\"upload\"; filename=\"a %22b%22.bin\"\r\n\
         Content-Location: /loc\r\nX-Keep: k\r\n\r\n"
    );
    f.make_multipart(None, Some("image/png"), None);
    assert_eq!(
        f.render_headers(),
        "Content-Disposition: form-data; name=\"upload\"; filename=\"a %22b%22.bin\"\r\n\
         Content-Type: image/png\r\nX-Keep: k\r\n\r\n"
    );
    let mut g = f.clone().with_header_formatter(format_header_param_rfc2231);
    g.make_multipart(Some(""), None, None);
    assert_eq!(
        g.headers.get("content-disposition").as_deref(),
        Some("form-data; name=\"upload\"; filename*=utf-8''a%20%22b%22.bin")
    );
    assert_eq!(g.render_part("x", "y"), "x=\"y\"");
    assert_ne!(f, g);
    assert_eq!(f, f.clone());
    assert!(format!("{f:?}").starts_with("RequestField { name: \"upload\""));
}
