//! Properties of `parse_url` and `Url::url`:
//!
//! * a URL built from parts that are already normal parses back to exactly those parts;
//! * for URLs built from messy parts (characters that need encoding, Unicode, dot segments,
//!   stray `%`), parsing is idempotent: `parse(parse(x).url()) == parse(x)`;
//! * `parse_url` never panics, whatever the input.

/// Under `url::`, so that `cargo test -p hip-core url` selects these tests.
mod url {
    use std::net::Ipv6Addr;

    use hip_core::url::{parse_url, Url};
    use proptest::prelude::*;

    /// Schemes; `None` and the HTTP ones get normalised, `redis` is kept verbatim.
    fn scheme() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some("http".to_owned())),
            Just(Some("https".to_owned())),
            Just(Some("redis".to_owned())),
        ]
    }

    /// A host with a dot (so that a scheme-less `host:port` is not read as `scheme:path`), an
    /// IPv4 address, or an IPv6 literal, optionally with a zone ID: already normal.
    fn clean_host() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9][a-z0-9-]{0,8}(\\.[a-z0-9-]{1,8}){1,3}",
            any::<[u8; 4]>().prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
            (
                any::<u128>(),
                proptest::option::of("[g-z][a-z0-9_~.-]{0,5}")
            )
                .prop_map(|(a, zone)| {
                    match zone {
                        Some(zone) => format!("[{}%{zone}]", Ipv6Addr::from(a)),
                        None => format!("[{}]", Ipv6Addr::from(a)),
                    }
                }),
            Just("xn--knigsgchen-b4a3dun.de".to_owned()),
        ]
    }

    /// Text made only of `allowed` characters and uppercase `%XX` escapes.
    fn clean_text(allowed: &'static str, max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
        prop_oneof![
            4 => proptest::sample::select(allowed.chars().collect::<Vec<_>>()).prop_map(String::from),
            1 => "%[0-9A-F]{2}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
    }

    const USERINFO: &str =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~!$&'()*+,;=:";
    /// Path characters without '/', which separates the segments.
    const SEGMENT: &str =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~!$&'()*+,;=:@";
    const QUERY: &str =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~!$&'()*+,;=:@/?";

    fn clean_path() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            clean_text(SEGMENT, 6).prop_filter("no dot segments", |s| s != "." && s != ".."),
            1..5,
        )
        .prop_map(|segments| format!("/{}", segments.join("/")))
    }

    fn clean_url() -> impl Strategy<Value = Url> {
        (
            scheme(),
            proptest::option::of(
                clean_text(USERINFO, 8).prop_filter("not empty", |s| !s.is_empty()),
            ),
            clean_host(),
            any::<Option<u16>>(),
            proptest::option::of(clean_path()),
            proptest::option::of(clean_text(QUERY, 10)),
            proptest::option::of(clean_text(QUERY, 10)),
        )
            .prop_map(|(scheme, auth, host, port, path, query, fragment)| {
                // Without a scheme, `user:pass@host` would read as `scheme:path`.
                let auth = if scheme.is_some() { auth } else { None };
                Url {
                    scheme,
                    auth,
                    host: Some(host),
                    port,
                    path,
                    query,
                    fragment,
                }
            })
    }

    /// Characters that need care: delimiters, '%', spaces, controls, non-ASCII, dots.
    const MESSY: &str = "aZ09 %./?#@:[]\\~!$&'()*+,;=\"<>{}|^`\t\r\n\u{0}\u{7f}éß€ヒ😀-_";

    fn messy_text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
        prop_oneof![
            6 => proptest::sample::select(MESSY.chars().collect::<Vec<_>>()).prop_map(String::from),
            1 => Just("..".to_owned()),
            1 => Just("/./".to_owned()),
            1 => "%[0-9a-fA-F]{2}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
    }

    fn messy_host() -> impl Strategy<Value = String> {
        prop_oneof![
            clean_host(),
            "[A-Za-z0-9]{1,6}\\.[A-Za-z]{2,4}",
            Just("Königsgäßchen.de".to_owned()),
            Just("ヒ.abc.ニ".to_owned()),
            Just("BÜCHER.example".to_owned()),
            Just("[FE80::A%25Eth0]".to_owned()),
            Just("127.0.0.1%0d%0a".to_owned()),
        ]
    }

    fn messy_url() -> impl Strategy<Value = Url> {
        (
            prop_oneof![
                Just(None),
                Just(Some("HTTP".to_owned())),
                Just(Some("https".to_owned())),
                Just(Some("Redis".to_owned())),
            ],
            proptest::option::of(messy_text(8)),
            messy_host(),
            any::<Option<u16>>(),
            proptest::option::of(messy_text(16).prop_map(|p| format!("/{p}"))),
            proptest::option::of(messy_text(10)),
            proptest::option::of(messy_text(10)),
        )
            .prop_map(|(scheme, auth, host, port, path, query, fragment)| Url {
                scheme,
                auth,
                host: Some(host),
                port,
                path,
                query,
                fragment,
            })
    }

    /// What `parse_url` should give for a clean URL: only the scheme and host change case, and
    /// an absent path is "" when a query or fragment follows.
    fn expected_for_clean(u: &Url) -> Url {
        let mut expected = u.clone();
        let http = matches!(u.scheme.as_deref(), None | Some("http") | Some("https"));
        if http {
            expected.host = u.host.as_ref().map(|h| match h.find('%') {
                // The zone ID keeps its case.
                Some(i) if h.starts_with('[') => format!("{}{}", h[..i].to_lowercase(), &h[i..]),
                _ => h.to_lowercase(),
            });
        }
        if expected.path.is_none() && (u.query.is_some() || u.fragment.is_some()) {
            expected.path = Some(String::new());
        }
        expected
    }

    /// Parses `u.url()` again, which must give `u` back, or `None` when that is not expected:
    /// with an empty host (`http://@` is written as `http://`, no host). Without a scheme,
    /// `url()` writes no `//` (as the spec does), so `localhost:80` or `user:pw@host` would read
    /// back as `scheme:path`: those are read again with `//` put in front.
    fn reparse(u: &Url) -> Option<Result<Url, hip_core::Error>> {
        if u.host.as_deref() == Some("") {
            return None;
        }
        Some(match u.scheme {
            Some(_) => parse_url(&u.url()),
            None => parse_url(&format!("//{}", u.url())),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn clean_urls_round_trip_exactly(u in clean_url()) {
            let text = u.url();
            let parsed = parse_url(&text);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", text, parsed);
            let parsed = parsed.unwrap();
            prop_assert_eq!(&parsed, &expected_for_clean(&u), "{:?}", text);
            prop_assert_eq!(parsed.url(), text);
        }

        #[test]
        fn messy_urls_normalise_once(u in messy_url()) {
            let text = u.url();
            if let Ok(first) = parse_url(&text) {
                if let Some(again) = reparse(&first) {
                    prop_assert!(again.is_ok(), "{:?} -> {:?}: {:?}", text, first.url(), again);
                    prop_assert_eq!(again.unwrap(), first, "{:?}", text);
                }
            }
        }

        /// With an HTTP scheme and a clean host, messy userinfo, path, query and fragment are
        /// always accepted (they are encoded), and the host and port come through.
        #[test]
        fn http_urls_with_messy_parts_always_parse(
            scheme in prop_oneof![Just("http"), Just("https")],
            host in clean_host(),
            port in any::<Option<u16>>(),
            path in messy_text(16),
            query in proptest::option::of(messy_text(10)),
            fragment in proptest::option::of(messy_text(10)),
        ) {
            let mut text = format!("{scheme}://{host}");
            if let Some(port) = port {
                text.push_str(&format!(":{port}"));
            }
            text.push('/');
            text.push_str(&path);
            if let Some(q) = &query {
                text.push('?');
                text.push_str(q);
            }
            if let Some(f) = &fragment {
                text.push('#');
                text.push_str(f);
            }
            let parsed = parse_url(&text);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", text, parsed);
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.scheme.as_deref(), Some(scheme));
            prop_assert_eq!(&parsed.host, &expected_for_clean(&Url { host: Some(host), ..Url::default() }).host);
            prop_assert_eq!(parsed.port, port);
            // Nothing that would break a request line survives.
            let uri = parsed.request_uri();
            prop_assert!(uri.starts_with('/'), "{:?}", uri);
            prop_assert!(uri.bytes().all(|b| b.is_ascii_graphic()), "{:?}", uri);
        }

        #[test]
        fn parse_url_never_panics(input in any::<String>()) {
            if let Ok(first) = parse_url(&input) {
                if let Some(again) = reparse(&first) {
                    prop_assert_eq!(again.ok(), Some(first), "{:?}", input);
                }
            }
        }

        #[test]
        fn parse_url_never_panics_on_url_like_text(
            input in "(([a-zA-Z][a-zA-Z0-9+.-]{0,5}:)?(//)?)[a-zA-Z0-9@:/?#\\[\\]%.\\\\ \\x00-\\x1féヒ-]{0,40}"
        ) {
            if let Ok(first) = parse_url(&input) {
                if let Some(again) = reparse(&first) {
                    prop_assert_eq!(again.ok(), Some(first), "{:?}", input);
                }
            }
        }
    }
}
