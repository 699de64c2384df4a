//! `HttpHeaderDict` (the spec's `HTTPHeaderDict`): case-insensitivity, order, repeated values,
//! extend, equality, the Python-style Debug string and `http::HeaderMap` conversions.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use hip_core::{ErrorKind, HttpHeaderDict};
use http::header::{HeaderMap, HeaderValue};

#[test]
fn names_are_case_insensitive_and_keep_their_case() {
    let mut h = HttpHeaderDict::new();
    h.add("Content-Type", "text/plain");
    assert_eq!(h.get("content-type").as_deref(), Some("text/plain"));
    assert_eq!(h.get("CONTENT-TYPE").as_deref(), Some("text/plain"));
    assert!(h.contains("cOnTeNt-TyPe"));
    assert!(!h.contains("Content-Length"));
    assert_eq!(h.get("Content-Length"), None);
    assert_eq!(
        h.iter().collect::<Vec<_>>(),
        [("Content-Type", "text/plain")]
    );
}

#[test]
fn repeated_values_are_kept_and_joined() {
    let mut h = HttpHeaderDict::new();
    h.add("Set-Cookie", "a=1");
    h.add("X-Other", "o");
    h.add("set-cookie", "b=2");
    assert_eq!(h.getlist("SET-COOKIE"), ["a=1", "b=2"]);
    assert_eq!(h.get("set-cookie"), Some(Cow::Owned("a=1, b=2".to_owned())));
    assert_eq!(h.get_first("Set-Cookie"), Some("a=1"));
    assert_eq!(h.len(), 3);
    assert_eq!(h.keys().collect::<Vec<_>>(), ["Set-Cookie", "X-Other"]);
    assert_eq!(
        h.iter().collect::<Vec<_>>(),
        [
            ("Set-Cookie", "a=1"),
            ("X-Other", "o"),
            ("set-cookie", "b=2")
        ]
    );
    assert!(h.getlist("missing").is_empty());
}

#[test]
fn single_value_get_borrows() {
    let h = HttpHeaderDict::from([("A", "1")]);
    assert!(matches!(h.get("a"), Some(Cow::Borrowed("1"))));
}

#[test]
fn itermerged_uses_first_occurrence_order_and_case() {
    let h = HttpHeaderDict::from([("b", "1"), ("A", "2"), ("B", "3"), ("a", "4"), ("c", "5")]);
    let merged: Vec<(String, String)> = h
        .itermerged()
        .map(|(n, v)| (n.to_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        merged,
        [
            ("b".to_owned(), "1, 3".to_owned()),
            ("A".to_owned(), "2, 4".to_owned()),
            ("c".to_owned(), "5".to_owned()),
        ]
    );
}

#[test]
fn insert_replaces_all_values_in_place() {
    let mut h = HttpHeaderDict::from([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")]);
    h.insert("a", "new");
    assert_eq!(
        h.iter().collect::<Vec<_>>(),
        [("a", "new"), ("B", "2"), ("C", "4")]
    );
    h.insert("D", "5");
    assert_eq!(h.iter().next_back(), Some(("D", "5")));
    assert_eq!(h.len(), 4);
}

#[test]
fn remove_drops_every_value() {
    let mut h = HttpHeaderDict::from([("A", "1"), ("B", "2"), ("a", "3")]);
    assert!(h.remove("A"));
    assert!(!h.remove("A"));
    assert_eq!(h.iter().collect::<Vec<_>>(), [("B", "2")]);
    h.clear();
    assert!(h.is_empty());
}

#[test]
fn set_default_only_adds_when_missing() {
    let mut h = HttpHeaderDict::from([("Accept", "a"), ("accept", "b")]);
    assert_eq!(h.set_default("ACCEPT", "x"), "a, b");
    assert_eq!(h.set_default("User-Agent", "hip"), "hip");
    assert_eq!(h.len(), 3);
    assert_eq!(h.get("user-agent").as_deref(), Some("hip"));
}

#[test]
fn extend_keeps_repeated_values_from_every_source() {
    let mut h = HttpHeaderDict::from([("Accept", "a")]);
    let other = HttpHeaderDict::from([("accept", "b"), ("X", "1"), ("ACCEPT", "c")]);
    h.extend(&other);
    assert_eq!(h.getlist("accept"), ["a", "b", "c"]);
    h.extend(other.clone());
    assert_eq!(h.getlist("x"), ["1", "1"]);
    h.extend([("Y", "y1"), ("y", "y2")]);
    assert_eq!(h.get("Y").as_deref(), Some("y1, y2"));
    let map: BTreeMap<String, String> = [("Z".to_owned(), "z".to_owned())].into();
    h.extend(&map);
    h.extend(vec![("W", String::from("w"))]);
    assert_eq!(h.get("z").as_deref(), Some("z"));
    assert_eq!(h.get("w").as_deref(), Some("w"));
    assert_eq!(h.len(), 11);
    // The std Extend trait works too.
    let mut e = HttpHeaderDict::new();
    Extend::extend(&mut e, [("k", "v")]);
    assert_eq!(e.get("K").as_deref(), Some("v"));
}

#[test]
fn built_from_iterators_arrays_and_maps() {
    let from_iter: HttpHeaderDict = vec![("A", "1"), ("a", "2")].into_iter().collect();
    assert_eq!(from_iter.getlist("A"), ["1", "2"]);
    let from_vec = HttpHeaderDict::from(vec![("A".to_owned(), "1".to_owned())]);
    assert_eq!(from_vec.get("a").as_deref(), Some("1"));
    let from_map = HttpHeaderDict::from(HashMap::from([("A", "1")]));
    assert_eq!(from_map, from_vec);
    let from_btree = HttpHeaderDict::from(BTreeMap::from([("B", "2"), ("A", "1")]));
    assert_eq!(from_btree.keys().collect::<Vec<_>>(), ["A", "B"]);
    let copied = from_btree.copy();
    assert_eq!(copied, from_btree);
    let owned: Vec<(String, String)> = copied.into_iter().collect();
    assert_eq!(owned[1], ("B".to_owned(), "2".to_owned()));
    let mut n = 0;
    for (name, value) in &from_btree {
        assert!(!name.is_empty() && !value.is_empty());
        n += 1;
    }
    assert_eq!(n, 2);
}

#[test]
fn equality_ignores_name_case_and_order_across_names() {
    let a = HttpHeaderDict::from([("Content-Type", "x"), ("Accept", "1"), ("accept", "2")]);
    let b = HttpHeaderDict::from([("ACCEPT", "1"), ("content-type", "x"), ("Accept", "2")]);
    assert_eq!(a, b);
    // Values of one name are ordered.
    let c = HttpHeaderDict::from([("Content-Type", "x"), ("Accept", "2"), ("accept", "1")]);
    assert_ne!(a, c);
    // Merged values compare as joined text, as the spec does.
    let d = HttpHeaderDict::from([("Content-Type", "x"), ("Accept", "1, 2")]);
    assert_eq!(a, d);
    // Extra or missing names.
    let e = HttpHeaderDict::from([("Content-Type", "x")]);
    assert_ne!(a, e);
    assert_ne!(e, a);
    let f = HttpHeaderDict::from([("Content-Type", "x"), ("Accept", "1, 2"), ("X", "")]);
    assert_ne!(a, f);
    assert_eq!(HttpHeaderDict::new(), HttpHeaderDict::default());
}

#[test]
fn equality_against_plain_maps() {
    let h = HttpHeaderDict::from([("Connection", "keep-alive"), ("X", "1"), ("x", "2")]);
    let hm: HashMap<&str, &str> = HashMap::from([("x", "1, 2"), ("connection", "keep-alive")]);
    assert_eq!(h, hm);
    assert!(h.eq_map(&hm));
    let bt: BTreeMap<String, String> = BTreeMap::from([
        ("CONNECTION".to_owned(), "keep-alive".to_owned()),
        ("X".to_owned(), "1, 2".to_owned()),
    ]);
    assert_eq!(h, bt);
    assert_eq!(h, [("x", "1"), ("connection", "keep-alive"), ("X", "2")]);
    assert_ne!(h, [("x", "2"), ("connection", "keep-alive"), ("X", "1")]);
    assert_ne!(h, [("connection", "keep-alive")]);
    assert_eq!(h, vec![("connection", "keep-alive"), ("x", "1, 2")]);
}

#[test]
fn debug_is_the_spec_repr() {
    let h = HttpHeaderDict::from([("Content-Length", "33"), ("X-A", "b"), ("x-a", "c")]);
    assert_eq!(
        format!("{h:?}"),
        "HTTPHeaderDict({'Content-Length': '33', 'X-A': 'b, c'})"
    );
    assert_eq!(format!("{:?}", HttpHeaderDict::new()), "HTTPHeaderDict({})");
    // Python's quoting and escaping rules (checked against CPython's repr).
    let h = HttpHeaderDict::from([
        ("a", "it's"),
        ("b", "\u{a0}\u{e9}\u{85}\\\t"),
        ("c", "say \"hi\" it's"),
    ]);
    assert_eq!(
        format!("{h:?}"),
        r#"HTTPHeaderDict({'a': "it's", 'b': '\xa0é\x85\\\t', 'c': 'say "hi" it\'s'})"#
    );
}

#[test]
fn header_map_round_trip_keeps_latin1_and_repeats() {
    let h = HttpHeaderDict::from([
        ("Content-Type", "text/plain"),
        ("X-Latin", "caf\u{e9} \u{ff}"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
    ]);
    let map = HeaderMap::try_from(&h).expect("valid headers");
    assert_eq!(map.len(), 4);
    assert_eq!(map["x-latin"].as_bytes(), b"caf\xe9 \xff");
    let cookies: Vec<&[u8]> = map
        .get_all("set-cookie")
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    assert_eq!(cookies, [b"a=1".as_slice(), b"b=2".as_slice()]);

    let back = HttpHeaderDict::from(&map);
    assert_eq!(back, h);
    assert_eq!(back.get("X-LATIN").as_deref(), Some("caf\u{e9} \u{ff}"));
    assert_eq!(back.getlist("set-cookie"), ["a=1", "b=2"]);
    // Names come back lowercase, as http stores them.
    assert_eq!(back.keys().next(), Some("content-type"));
    let by_value: HeaderMap = h.clone().try_into().expect("valid");
    assert_eq!(HttpHeaderDict::from(by_value), h);
}

#[test]
fn header_map_bytes_decode_as_latin1() {
    let mut map = HeaderMap::new();
    map.insert(
        "x-raw",
        HeaderValue::from_bytes(b"\x80\xa0\xc3\xa9").expect("obs-text is allowed"),
    );
    let h = HttpHeaderDict::from(&map);
    assert_eq!(h.get("x-raw").as_deref(), Some("\u{80}\u{a0}\u{c3}\u{a9}"));
}

#[test]
fn header_map_conversion_rejects_bad_input_naming_the_header() {
    let wide = HttpHeaderDict::from([("X-Snow", "snow\u{2603}")]);
    let err = HeaderMap::try_from(&wide).expect_err("U+2603 is not ISO-8859-1");
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.message().contains("\"X-Snow\""), "{err}");
    assert!(err.message().contains("'\u{2603}'"), "{err}");

    let crlf = HttpHeaderDict::from([("X-Inject", "a\r\nEvil: 1")]);
    let err = HeaderMap::try_from(&crlf).expect_err("CR LF in a value");
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.message().contains("\"X-Inject\""), "{err}");

    let bad_name = HttpHeaderDict::from([("Bad Name", "v")]);
    let err = HeaderMap::try_from(&bad_name).expect_err("space in a name");
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.message().contains("\"Bad Name\""), "{err}");
}
