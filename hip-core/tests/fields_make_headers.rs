//! `make_headers` (the spec's `hip.util.request.make_headers`).

use hip_core::request::{
    basic_auth_value, make_headers, AcceptEncoding, MakeHeaders, ACCEPT_ENCODING,
};
use hip_core::HttpHeaderDict;

fn pairs(h: &HttpHeaderDict) -> Vec<(&str, &str)> {
    h.iter().collect()
}

#[test]
fn spec_example_keep_alive_and_user_agent() {
    let h = make_headers(MakeHeaders::new().keep_alive(true).user_agent("Batman/1.0"));
    assert_eq!(
        pairs(&h),
        [("connection", "keep-alive"), ("user-agent", "Batman/1.0")]
    );
    assert_eq!(
        format!("{h:?}"),
        "HTTPHeaderDict({'connection': 'keep-alive', 'user-agent': 'Batman/1.0'})"
    );
}

#[test]
fn spec_example_accept_encoding_true() {
    let h = make_headers(MakeHeaders::new().accept_encoding(true));
    assert_eq!(pairs(&h), [("accept-encoding", "gzip,deflate")]);
    assert_eq!(ACCEPT_ENCODING, "gzip,deflate");
}

#[test]
fn accept_encoding_list_and_string() {
    let h = make_headers(MakeHeaders::new().accept_encoding(["gzip", "br"]));
    assert_eq!(pairs(&h), [("accept-encoding", "gzip,br")]);
    let h = make_headers(MakeHeaders::new().accept_encoding(vec!["zstd".to_owned()]));
    assert_eq!(pairs(&h), [("accept-encoding", "zstd")]);
    let list: &[&str] = &["a", "b", "c"];
    let h = make_headers(MakeHeaders::new().accept_encoding(list));
    assert_eq!(pairs(&h), [("accept-encoding", "a,b,c")]);
    let h = make_headers(MakeHeaders::new().accept_encoding("gzip"));
    assert_eq!(pairs(&h), [("accept-encoding", "gzip")]);
    let h = make_headers(MakeHeaders::new().accept_encoding(String::from("gzip, br;q=0.5")));
    assert_eq!(pairs(&h), [("accept-encoding", "gzip, br;q=0.5")]);
}

#[test]
fn falsy_values_add_nothing() {
    assert!(make_headers(MakeHeaders::new()).is_empty());
    assert!(make_headers(MakeHeaders::default()).is_empty());
    let h = make_headers(
        MakeHeaders::new()
            .keep_alive(false)
            .accept_encoding(false)
            .user_agent("")
            .basic_auth("")
            .proxy_basic_auth("")
            .disable_cache(false),
    );
    assert!(h.is_empty(), "{h:?}");
    assert!(make_headers(MakeHeaders::new().accept_encoding(Vec::<String>::new())).is_empty());
    assert!(make_headers(MakeHeaders::new().accept_encoding("")).is_empty());
    assert_eq!(AcceptEncoding::Bool(false).header_value(), None);
}

#[test]
fn basic_auth_and_proxy_basic_auth() {
    let h = make_headers(MakeHeaders::new().basic_auth("user:pass"));
    assert_eq!(pairs(&h), [("authorization", "Basic dXNlcjpwYXNz")]);
    let h = make_headers(MakeHeaders::new().proxy_basic_auth("user:pass"));
    assert_eq!(pairs(&h), [("proxy-authorization", "Basic dXNlcjpwYXNz")]);
}

#[test]
fn basic_auth_encodes_latin1_then_utf8() {
    // base64 of "us\xe9r:p" (ISO-8859-1), as the spec encodes it.
    assert_eq!(basic_auth_value("us\u{e9}r:p"), "Basic dXPpcjpw");
    // U+2603 has no ISO-8859-1 byte: UTF-8 instead.
    assert_eq!(basic_auth_value("\u{2603}:x"), "Basic 4piDOng=");
}

#[test]
fn disable_cache() {
    let h = make_headers(MakeHeaders::new().disable_cache(true));
    assert_eq!(pairs(&h), [("cache-control", "no-cache")]);
}

#[test]
fn everything_in_argument_order() {
    let h = make_headers(
        MakeHeaders::new()
            .disable_cache(true)
            .proxy_basic_auth("p:q")
            .basic_auth("u:v")
            .user_agent("hip/0.1")
            .accept_encoding(true)
            .keep_alive(true),
    );
    assert_eq!(
        pairs(&h),
        [
            ("connection", "keep-alive"),
            ("accept-encoding", "gzip,deflate"),
            ("user-agent", "hip/0.1"),
            ("authorization", "Basic dTp2"),
            ("proxy-authorization", "Basic cDpx"),
            ("cache-control", "no-cache"),
        ]
    );
}

#[test]
fn struct_literal_form() {
    let opts = MakeHeaders {
        user_agent: Some("x".to_owned()),
        accept_encoding: Some(AcceptEncoding::List(vec!["br".to_owned()])),
        ..MakeHeaders::default()
    };
    assert_eq!(
        make_headers(opts),
        [("accept-encoding", "br"), ("user-agent", "x")]
    );
}
