//! `hip.filepost`: `encode_multipart_formdata` byte for byte, `choose_boundary`, `Fields`
//! conversions and `iter_field_objects`.

use std::collections::{BTreeMap, HashMap, HashSet};

use hip_core::fields::{format_header_param_rfc2231, FieldValue, RequestField};
use hip_core::filepost::{
    choose_boundary, encode_body_fields, encode_multipart_formdata, iter_field_objects, Fields,
};

#[test]
fn multipart_body_is_exact() {
    let file_data = String::from("file contents\n");
    let (body, content_type) = encode_multipart_formdata(
        vec![
            ("text", FieldValue::from("hello world")),
            ("filefield", ("example.txt", file_data.clone()).into()),
            (
                "typed",
                ("image.bin", b"\x00\x01\xff".as_slice(), "image/jpeg").into(),
            ),
            ("raw", b"\xfe\x00".into()),
            ("unicode", ("n\u{e4}me.txt", "x").into()),
            ("guess", ("data.json", "{}").into()),
            ("nofilename", FieldValue::file(None, "y", None)),
        ],
        Some("b0undary"),
    );
    assert_eq!(content_type, "multipart/form-data; boundary=b0undary");
    let mut expected: Vec<u8> = Vec::new();
    expected.extend_from_slice(
        b"--b0undary\r\n\
          Content-Disposition: form-data; name=\"text\"\r\n\
          \r\n\
          hello world\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"filefield\"; filename=\"example.txt\"\r\n\
          Content-Type: text/plain\r\n\
          \r\n\
          file contents\n\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"typed\"; filename=\"image.bin\"\r\n\
          Content-Type: image/jpeg\r\n\
          \r\n\
          \x00\x01\xff\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"raw\"\r\n\
          \r\n\
          \xfe\x00\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"unicode\"; filename=\"n\xc3\xa4me.txt\"\r\n\
          Content-Type: text/plain\r\n\
          \r\n\
          x\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"guess\"; filename=\"data.json\"\r\n\
          Content-Type: application/json\r\n\
          \r\n\
          {}\r\n\
          --b0undary\r\n\
          Content-Disposition: form-data; name=\"nofilename\"\r\n\
          Content-Type: application/octet-stream\r\n\
          \r\n\
          y\r\n\
          --b0undary--\r\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&body),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(body, expected);
}

#[test]
fn multipart_with_rfc2231_fields() {
    let field = RequestField::from_tuples(
        "upload",
        ("n\u{e4}me.txt", "x", "text/plain"),
        format_header_param_rfc2231,
    );
    let (body, _) = encode_multipart_formdata(vec![field], Some("xyz"));
    assert_eq!(
        body,
        b"--xyz\r\n\
          Content-Disposition: form-data; name=\"upload\"; filename*=utf-8''n%C3%A4me.txt\r\n\
          Content-Type: text/plain\r\n\
          \r\n\
          x\r\n\
          --xyz--\r\n"
    );
}

#[test]
fn empty_fields_give_only_the_closing_delimiter() {
    let (body, content_type) = encode_multipart_formdata(Fields::new(), Some("b"));
    assert_eq!(body, b"--b--\r\n");
    assert_eq!(content_type, "multipart/form-data; boundary=b");
}

#[test]
fn default_boundary_is_random_and_used_in_body() {
    let (body, content_type) = encode_multipart_formdata([("a", "1")], None);
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("content type prefix");
    assert_eq!(boundary.len(), 32);
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--{boundary}--\r\n"
    );
    assert_eq!(body, expected.as_bytes());
}

#[test]
fn choose_boundary_is_32_lowercase_hex_and_random() {
    let mut seen = HashSet::new();
    for _ in 0..64 {
        let b = choose_boundary();
        assert_eq!(b.len(), 32, "{b:?}");
        assert!(
            b.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{b:?}"
        );
        seen.insert(b);
    }
    assert_eq!(seen.len(), 64);
}

#[test]
fn fields_convert_from_many_shapes_in_order() {
    let names = |f: &Fields| f.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    let arr = Fields::from([("b", "1"), ("a", "2")]);
    assert_eq!(names(&arr), ["b", "a"]);
    let v = vec![
        ("x".to_owned(), String::from("1")),
        ("y".to_owned(), "2".to_owned()),
    ];
    assert_eq!(names(&Fields::from(&v)), ["x", "y"]);
    assert_eq!(names(&Fields::from(v.as_slice())), ["x", "y"]);
    assert_eq!(names(&Fields::from(v)), ["x", "y"]);
    let bt = BTreeMap::from([("z", "1"), ("m", "2")]);
    assert_eq!(names(&Fields::from(bt)), ["m", "z"]);
    let hm = HashMap::from([("only", ("f.txt", "d"))]);
    let from_hm = Fields::from(hm);
    assert_eq!(from_hm.len(), 1);
    assert_eq!(from_hm.as_slice()[0].filename.as_deref(), Some("f.txt"));
    let rf = Fields::from(vec![RequestField::new("r", "d")]);
    assert_eq!(names(&rf), ["r"]);
    assert_eq!(
        rf.as_slice()[0].headers.len(),
        0,
        "ready-made fields pass through untouched"
    );
    let collected: Fields = [("p", "q")].into_iter().collect();
    assert_eq!(names(&collected), ["p"]);
    let mut built = Fields::new();
    assert!(built.is_empty());
    built.add("k", ("k.txt", "v"));
    built.push(RequestField::new("j", "w"));
    assert_eq!(built.len(), 2);
    assert_eq!(names(&Fields::from(&built)), ["k", "j"]);
}

#[test]
fn iter_field_objects_makes_request_fields() {
    let fields: Vec<RequestField> = iter_field_objects([
        ("foo", FieldValue::from("bar")),
        ("f", ("a.txt", "x").into()),
    ])
    .collect();
    assert_eq!(fields.len(), 2);
    assert_eq!(
        fields[0].render_headers(),
        "Content-Disposition: form-data; name=\"foo\"\r\n\r\n"
    );
    assert_eq!(fields[1].filename.as_deref(), Some("a.txt"));
    assert_eq!(
        fields[1].headers.get("content-type").as_deref(),
        Some("text/plain")
    );
}

#[test]
fn encode_body_fields_multipart_or_urlencoded() {
    let f = Fields::from([("a", "1 2")]);
    let (body, ct) = encode_body_fields(&f, true, Some("bb")).expect("multipart");
    assert_eq!(
        body,
        b"--bb\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1 2\r\n--bb--\r\n"
    );
    assert_eq!(ct, "multipart/form-data; boundary=bb");
    let (body, ct) = encode_body_fields(&f, false, None).expect("urlencoded");
    assert_eq!(body, b"a=1+2");
    assert_eq!(ct, "application/x-www-form-urlencoded");
    // A method on Fields gives the same bytes without consuming it.
    assert_eq!(
        f.encode_multipart(Some("bb")).0,
        encode_multipart_formdata(&f, Some("bb")).0
    );
}
