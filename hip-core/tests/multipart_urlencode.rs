//! Form-urlencoding of fields (Python's `urlencode` as the spec's `request_encode_url` and
//! `request_encode_body(encode_multipart=False)` use it).

use hip_core::fields::{FieldValue, RequestField};
use hip_core::filepost::{encode_url_fields, urlencode, Fields};
use hip_core::ErrorKind;

#[test]
fn spaces_become_plus_and_unreserved_stay() {
    assert_eq!(urlencode([("arg", "value")]).unwrap(), "arg=value");
    assert_eq!(urlencode([("a b", "c d")]).unwrap(), "a+b=c+d");
    assert_eq!(urlencode([("k", "AZaz09~_.-")]).unwrap(), "k=AZaz09~_.-");
}

#[test]
fn reserved_characters_are_percent_encoded_uppercase() {
    // Checked against CPython's urllib.parse.urlencode.
    assert_eq!(
        urlencode([
            ("q", "a b&c"),
            ("x", "\u{e9}"),
            ("r", "&=+/?#%~_.-"),
            ("a b", "c")
        ])
        .unwrap(),
        "q=a+b%26c&x=%C3%A9&r=%26%3D%2B%2F%3F%23%25~_.-&a+b=c"
    );
    assert_eq!(urlencode([("k", "\u{2603}\n")]).unwrap(), "k=%E2%98%83%0A");
}

#[test]
fn bytes_values_are_encoded_as_is() {
    assert_eq!(
        urlencode([("b", FieldValue::from(b"\x00\xff "))]).unwrap(),
        "b=%00%FF+"
    );
}

#[test]
fn empty_fields_and_values() {
    assert_eq!(urlencode(Fields::new()).unwrap(), "");
    assert_eq!(urlencode([("a", ""), ("", "b")]).unwrap(), "a=&=b");
}

#[test]
fn file_fields_are_an_error_naming_the_field() {
    let err = urlencode(vec![
        ("ok", FieldValue::from("1")),
        ("upload", ("f.txt", "data").into()),
    ])
    .expect_err("a file cannot be urlencoded");
    assert_eq!(err.kind(), ErrorKind::InvalidBody);
    assert!(err.message().contains("\"upload\""), "{err}");
    assert!(err.message().contains("\"f.txt\""), "{err}");

    let err = urlencode([("anon", FieldValue::file(None, "d", None))]).expect_err("file");
    assert_eq!(err.kind(), ErrorKind::InvalidBody);
    assert!(err.message().contains("\"anon\""), "{err}");

    // A hand-made field with neither filename nor Content-Type is plain data.
    let plain = vec![RequestField::new("n", "v w")];
    assert_eq!(urlencode(plain).unwrap(), "n=v+w");
}

#[test]
fn fields_appended_to_a_url() {
    let f = Fields::from([("arg", "value"), ("x", "a b")]);
    assert_eq!(
        encode_url_fields("http://h/get", &f).unwrap(),
        "http://h/get?arg=value&x=a+b"
    );
    assert_eq!(
        encode_url_fields("http://h/get?a=1", &f).unwrap(),
        "http://h/get?a=1&arg=value&x=a+b"
    );
    assert_eq!(
        encode_url_fields("http://h/get?", &f).unwrap(),
        "http://h/get?arg=value&x=a+b"
    );
    assert_eq!(
        encode_url_fields("/p#frag", &f).unwrap(),
        "/p?arg=value&x=a+b#frag"
    );
    assert_eq!(encode_url_fields("/p", &Fields::new()).unwrap(), "/p");
    assert_eq!(f.urlencode().unwrap(), "arg=value&x=a+b");
}
