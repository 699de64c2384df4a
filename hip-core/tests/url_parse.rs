//! `hip.util.url`: the spec's examples, urllib3's parse cases, normalisation and errors.

/// Under `url::`, so that `cargo test -p hip-core url` selects these tests.
mod url {
    use hip_core::url::{get_host, parse_url, port_by_scheme, split_first, Url};
    use hip_core::ErrorKind;

    /// What `get_host` gives, borrowed.
    type HostTriple = (&'static str, Option<&'static str>, Option<u16>);

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    fn parse(input: &str) -> Url {
        match parse_url(input) {
            Ok(url) => url,
            Err(e) => panic!("parse_url({input:?}) failed: {e}"),
        }
    }

    fn assert_parse_error(input: &str) {
        match parse_url(input) {
            Ok(url) => panic!("parse_url({input:?}) should fail, gave {url:?}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::LocationParse, "{input:?}: {e}");
                assert!(e.is_location_value_error());
                assert!(
                    e.message().starts_with("Failed to parse: "),
                    "{input:?}: {}",
                    e.message()
                );
            }
        }
    }

    // ---- the spec's examples ------------------------------------------------------------------

    #[test]
    fn spec_parse_url_examples() {
        assert_eq!(
            parse("http://google.com/mail/"),
            Url {
                scheme: s("http"),
                host: s("google.com"),
                path: s("/mail/"),
                ..Url::default()
            }
        );
        assert_eq!(
            parse("google.com:80"),
            Url {
                host: s("google.com"),
                port: Some(80),
                ..Url::default()
            }
        );
        assert_eq!(
            parse("/foo?bar"),
            Url {
                path: s("/foo"),
                query: s("bar"),
                ..Url::default()
            }
        );
    }

    #[test]
    fn spec_url_examples() {
        assert_eq!(
            parse("http://google.com/mail/").url(),
            "http://google.com/mail/"
        );
        let u = Url::new(
            Some("http"),
            Some("username:password"),
            Some("host.com"),
            Some(80),
            Some("/path"),
            Some("query"),
            Some("fragment"),
        );
        assert_eq!(
            u.url(),
            "http://username:password@host.com:80/path?query#fragment"
        );
        assert_eq!(u.to_string(), u.url());
    }

    #[test]
    fn spec_split_first_examples() {
        assert_eq!(
            split_first("foo/bar?baz", "?/="),
            ("foo", "bar?baz", Some('/'))
        );
        assert_eq!(split_first("foo/bar?baz", "123"), ("foo/bar?baz", "", None));
    }

    #[test]
    fn split_first_cases() {
        assert_eq!(split_first("abcd", "b"), ("a", "cd", Some('b')));
        assert_eq!(split_first("abcd", "cb"), ("a", "cd", Some('b')));
        assert_eq!(split_first("abcd", ""), ("abcd", "", None));
        assert_eq!(split_first("abcd", "a"), ("", "bcd", Some('a')));
        assert_eq!(split_first("abcd", "ab"), ("", "bcd", Some('a')));
        assert_eq!(split_first("abcd", "eb"), ("a", "cd", Some('b')));
        assert_eq!(split_first("", "ab"), ("", "", None));
        // Multi-byte delimiters and text.
        assert_eq!(split_first("aé€b", "€é"), ("a", "€b", Some('é')));
        assert_eq!(split_first("x€", "€"), ("x", "", Some('€')));
    }

    // ---- Url methods ------------------------------------------------------------------------------

    #[test]
    fn url_new_lowercases_scheme_and_roots_path() {
        let u = Url::new(
            Some("HTTP"),
            None,
            Some("Host"),
            None,
            Some("mail"),
            None,
            None,
        );
        assert_eq!(u.scheme.as_deref(), Some("http"));
        assert_eq!(u.host.as_deref(), Some("Host"));
        assert_eq!(u.path.as_deref(), Some("/mail"));
        assert_eq!(
            Url::new(None, None, None, None, Some(""), None, None).path,
            s("")
        );
        assert_eq!(
            Url::new(None, None, None, None, None, None, None),
            Url::default()
        );
    }

    #[test]
    fn url_str_is_url() {
        let u = Url::new(
            Some("http"),
            None,
            Some("google.com"),
            None,
            None,
            None,
            None,
        );
        assert_eq!(u.to_string(), u.url());
        assert_eq!(u.url(), "http://google.com");
        assert_eq!("http://google.com".parse::<Url>().unwrap(), u);
    }

    #[test]
    fn url_keeps_empty_parts() {
        let u = Url::new(
            Some("http"),
            Some(""),
            Some("h"),
            Some(0),
            Some(""),
            Some(""),
            Some(""),
        );
        assert_eq!(u.url(), "http://@h:0?#");
        assert_eq!(Url::default().url(), "");
    }

    #[test]
    fn request_uri() {
        for (input, expected) in [
            ("http://google.com/mail", "/mail"),
            ("http://google.com/mail/", "/mail/"),
            ("http://google.com/", "/"),
            ("http://google.com", "/"),
            ("", "/"),
            ("/", "/"),
            ("?", "/?"),
            ("#", "/"),
            ("/foo?bar=baz", "/foo?bar=baz"),
            ("http://h/p?q#f", "/p?q"),
            ("http://h/?", "/?"),
        ] {
            assert_eq!(parse(input).request_uri(), expected, "{input:?}");
        }
    }

    #[test]
    fn netloc() {
        for (input, expected) in [
            ("http://google.com/mail", Some("google.com")),
            ("http://google.com:80/mail", Some("google.com:80")),
            ("google.com/foobar", Some("google.com")),
            ("google.com:12345", Some("google.com:12345")),
            ("http://[::1]:8080/", Some("[::1]:8080")),
            ("http://u:p@h:1", Some("h:1")),
            ("/path", None),
            // Port 0 is no port for netloc, as Python tests the port for truth.
            ("http://h:0/", Some("h")),
        ] {
            assert_eq!(parse(input).netloc().as_deref(), expected, "{input:?}");
        }
        let u = Url {
            port: Some(81),
            ..Url::default()
        };
        assert_eq!(u.netloc().as_deref(), Some(":81"));
    }

    #[test]
    fn authority_is_netloc_with_the_auth() {
        // urllib3 2.x's Url.authority: auth@host:port, the parts that are present.
        for (input, expected) in [
            ("http://google.com/mail", Some("google.com")),
            ("http://google.com:80/mail", Some("google.com:80")),
            ("http://u:p@h:1/x", Some("u:p@h:1")),
            ("http://user@example.com/", Some("user@example.com")),
            ("http://u:p@[::1]:8080/", Some("u:p@[::1]:8080")),
            ("google.com:12345", Some("google.com:12345")),
            ("u@google.com", Some("u@google.com")),
            ("/path", None),
            ("http://u@h:0/", Some("u@h")),
        ] {
            assert_eq!(parse(input).authority().as_deref(), expected, "{input:?}");
        }
        let built = |auth: Option<&str>, host: Option<&str>, port: Option<u16>| {
            Url::new(Some("http"), auth, host, port, None, None, None).authority()
        };
        assert_eq!(built(Some(""), Some("h"), None).as_deref(), Some("@h"));
        assert_eq!(built(None, Some("h"), Some(8)).as_deref(), Some("h:8"));
        // No host, no authority (urllib3 2.x), even where netloc gives ":port".
        assert_eq!(built(Some("u:p"), None, Some(81)), None);
        assert_eq!(built(Some("u:p"), None, None), None);
        assert_eq!(built(None, None, Some(81)), None);
    }

    #[test]
    fn hostname_is_host() {
        assert_eq!(
            parse("http://EXAMPLE.com:1/").hostname(),
            Some("example.com")
        );
        assert_eq!(parse("http://[::1]/").hostname(), Some("[::1]"));
        assert_eq!(parse("/x").hostname(), None);
    }

    #[test]
    fn port_by_scheme_table() {
        assert_eq!(port_by_scheme("http"), Some(80));
        assert_eq!(port_by_scheme("https"), Some(443));
        assert_eq!(port_by_scheme("HTTPS"), Some(443));
        assert_eq!(port_by_scheme("ftp"), None);
        assert_eq!(port_by_scheme(""), None);
    }

    // ---- parse_url: structure --------------------------------------------------------------------

    /// Cases whose `url()` gives back the input exactly.
    fn round_tripping_cases() -> Vec<(&'static str, Url)> {
        vec![
            (
                "http://google.com/mail",
                Url::new(
                    Some("http"),
                    None,
                    Some("google.com"),
                    None,
                    Some("mail"),
                    None,
                    None,
                ),
            ),
            (
                "http://google.com/mail/",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    path: s("/mail/"),
                    ..Url::default()
                },
            ),
            (
                "google.com/mail",
                Url {
                    host: s("google.com"),
                    path: s("/mail"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com/",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com?foo",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    path: s(""),
                    query: s("foo"),
                    ..Url::default()
                },
            ),
            ("", Url::default()),
            (
                "/",
                Url {
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "#?/!google.com/?foo",
                Url {
                    path: s(""),
                    fragment: s("?/!google.com/?foo"),
                    ..Url::default()
                },
            ),
            (
                "/foo",
                Url {
                    path: s("/foo"),
                    ..Url::default()
                },
            ),
            (
                "/foo?bar=baz",
                Url {
                    path: s("/foo"),
                    query: s("bar=baz"),
                    ..Url::default()
                },
            ),
            (
                "/foo?bar=baz#banana?apple/orange",
                Url {
                    path: s("/foo"),
                    query: s("bar=baz"),
                    fragment: s("banana?apple/orange"),
                    ..Url::default()
                },
            ),
            (
                "/redirect?target=http://localhost:61020/",
                Url::new(
                    None,
                    None,
                    None,
                    None,
                    Some("redirect"),
                    Some("target=http://localhost:61020/"),
                    None,
                ),
            ),
            (
                "http://google.com:80/",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    port: Some(80),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com:80",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    port: Some(80),
                    ..Url::default()
                },
            ),
            (
                "http://foo:bar@localhost/",
                Url {
                    scheme: s("http"),
                    auth: s("foo:bar"),
                    host: s("localhost"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://foo@localhost/",
                Url {
                    scheme: s("http"),
                    auth: s("foo"),
                    host: s("localhost"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://host/?",
                Url {
                    scheme: s("http"),
                    host: s("host"),
                    path: s("/"),
                    query: s(""),
                    ..Url::default()
                },
            ),
            (
                "http://host/#",
                Url {
                    scheme: s("http"),
                    host: s("host"),
                    path: s("/"),
                    fragment: s(""),
                    ..Url::default()
                },
            ),
            (
                "http://host:0/",
                Url {
                    scheme: s("http"),
                    host: s("host"),
                    port: Some(0),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://host:65535",
                Url {
                    scheme: s("http"),
                    host: s("host"),
                    port: Some(65535),
                    ..Url::default()
                },
            ),
        ]
    }

    #[test]
    fn parse_url_cases() {
        for (input, expected) in round_tripping_cases() {
            assert_eq!(parse(input), expected, "{input:?}");
        }
    }

    #[test]
    fn unparse_url_cases() {
        for (input, expected) in round_tripping_cases() {
            assert_eq!(expected.url(), input, "{expected:?}");
        }
    }

    #[test]
    fn parse_url_non_round_tripping_cases() {
        let cases = [
            (
                "?",
                Url {
                    path: s(""),
                    query: s(""),
                    ..Url::default()
                },
            ),
            (
                "#",
                Url {
                    path: s(""),
                    fragment: s(""),
                    ..Url::default()
                },
            ),
            // Empty port.
            (
                "http://google.com:",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com:/",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            // Leading zeros of the port are dropped.
            (
                "http://google.com:00080/",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    port: Some(80),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://google.com:000",
                Url {
                    scheme: s("http"),
                    host: s("google.com"),
                    port: Some(0),
                    ..Url::default()
                },
            ),
            // Unicode in the host (IDNA) and path (percent-encoded).
            (
                "http://Königsgäßchen.de/straße",
                Url {
                    scheme: s("http"),
                    host: s("xn--knigsgchen-b4a3dun.de"),
                    path: s("/stra%C3%9Fe"),
                    ..Url::default()
                },
            ),
            // Percent-encoding in userinfo; the last '@' ends it.
            (
                "http://user@email.com:password@example.com/",
                Url {
                    scheme: s("http"),
                    auth: s("user%40email.com:password"),
                    host: s("example.com"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://user\":quoted@example.com/",
                Url {
                    scheme: s("http"),
                    auth: s("user%22:quoted"),
                    host: s("example.com"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://foo:bar@baz@localhost/",
                Url {
                    scheme: s("http"),
                    auth: s("foo:bar%40baz"),
                    host: s("localhost"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            // An '@' with nothing before it is no userinfo; nothing after it is an empty host.
            (
                "http://@host/",
                Url {
                    scheme: s("http"),
                    host: s("host"),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "http://@",
                Url {
                    scheme: s("http"),
                    host: s(""),
                    ..Url::default()
                },
            ),
            (
                "http://",
                Url {
                    scheme: s("http"),
                    ..Url::default()
                },
            ),
            (
                "http://:80/",
                Url {
                    scheme: s("http"),
                    host: s(""),
                    port: Some(80),
                    path: s("/"),
                    ..Url::default()
                },
            ),
            (
                "//google.com/a/b/c",
                Url {
                    host: s("google.com"),
                    path: s("/a/b/c"),
                    ..Url::default()
                },
            ),
            (
                "///foo",
                Url {
                    path: s("/foo"),
                    ..Url::default()
                },
            ),
            (
                ":",
                Url {
                    host: s(""),
                    ..Url::default()
                },
            ),
            ("//", Url::default()),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), expected, "{input:?}");
        }
    }

    #[test]
    fn get_host_cases() {
        let cases: &[(&str, HostTriple)] = &[
            ("http://google.com/mail", ("http", Some("google.com"), None)),
            (
                "http://google.com/mail/",
                ("http", Some("google.com"), None),
            ),
            ("google.com/mail", ("http", Some("google.com"), None)),
            ("http://google.com/", ("http", Some("google.com"), None)),
            ("http://google.com", ("http", Some("google.com"), None)),
            (
                "http://www.google.com",
                ("http", Some("www.google.com"), None),
            ),
            (
                "http://mail.google.com",
                ("http", Some("mail.google.com"), None),
            ),
            (
                "http://google.com:8000/mail/",
                ("http", Some("google.com"), Some(8000)),
            ),
            (
                "http://google.com:8000",
                ("http", Some("google.com"), Some(8000)),
            ),
            ("https://google.com", ("https", Some("google.com"), None)),
            (
                "https://google.com:8000",
                ("https", Some("google.com"), Some(8000)),
            ),
            (
                "http://user:password@127.0.0.1:1234",
                ("http", Some("127.0.0.1"), Some(1234)),
            ),
            (
                "http://google.com/foo=http://bar:42/baz",
                ("http", Some("google.com"), None),
            ),
            (
                "http://google.com?foo=http://bar:42/baz",
                ("http", Some("google.com"), None),
            ),
            (
                "http://google.com#foo=http://bar:42/baz",
                ("http", Some("google.com"), None),
            ),
            // IPv4
            ("173.194.35.7", ("http", Some("173.194.35.7"), None)),
            ("http://173.194.35.7", ("http", Some("173.194.35.7"), None)),
            (
                "http://173.194.35.7/test",
                ("http", Some("173.194.35.7"), None),
            ),
            (
                "http://173.194.35.7:80",
                ("http", Some("173.194.35.7"), Some(80)),
            ),
            (
                "http://173.194.35.7:80/test",
                ("http", Some("173.194.35.7"), Some(80)),
            ),
            // IPv6
            (
                "[2a00:1450:4001:c01::67]",
                ("http", Some("[2a00:1450:4001:c01::67]"), None),
            ),
            (
                "http://[2a00:1450:4001:c01::67]",
                ("http", Some("[2a00:1450:4001:c01::67]"), None),
            ),
            (
                "http://[2a00:1450:4001:c01::67]/test",
                ("http", Some("[2a00:1450:4001:c01::67]"), None),
            ),
            (
                "http://[2a00:1450:4001:c01::67]:80",
                ("http", Some("[2a00:1450:4001:c01::67]"), Some(80)),
            ),
            (
                "http://[2a00:1450:4001:c01::67]:80/test",
                ("http", Some("[2a00:1450:4001:c01::67]"), Some(80)),
            ),
            // More IPv6 from RFC 2732
            (
                "http://[fedc:ba98:7654:3210:fedc:ba98:7654:3210]:8000/index.html",
                (
                    "http",
                    Some("[fedc:ba98:7654:3210:fedc:ba98:7654:3210]"),
                    Some(8000),
                ),
            ),
            (
                "http://[1080:0:0:0:8:800:200c:417a]/index.html",
                ("http", Some("[1080:0:0:0:8:800:200c:417a]"), None),
            ),
            (
                "http://[3ffe:2a00:100:7031::1]",
                ("http", Some("[3ffe:2a00:100:7031::1]"), None),
            ),
            (
                "http://[1080::8:800:200c:417a]/foo",
                ("http", Some("[1080::8:800:200c:417a]"), None),
            ),
            (
                "http://[::192.9.5.5]/ipng",
                ("http", Some("[::192.9.5.5]"), None),
            ),
            (
                "http://[::ffff:129.144.52.38]:42/index.html",
                ("http", Some("[::ffff:129.144.52.38]"), Some(42)),
            ),
            (
                "http://[2010:836b:4179::836b:4179]",
                ("http", Some("[2010:836b:4179::836b:4179]"), None),
            ),
            // Case
            (
                "HTTP://GOOGLE.COM/mail/",
                ("http", Some("google.com"), None),
            ),
            ("GOogle.COM/mail", ("http", Some("google.com"), None)),
            (
                "HTTP://GoOgLe.CoM:8000/mail/",
                ("http", Some("google.com"), Some(8000)),
            ),
            (
                "HTTP://user:password@EXAMPLE.COM:1234",
                ("http", Some("example.com"), Some(1234)),
            ),
            ("HTTP://173.194.35.7", ("http", Some("173.194.35.7"), None)),
            (
                "HTTP://[2a00:1450:4001:c01::67]:80/test",
                ("http", Some("[2a00:1450:4001:c01::67]"), Some(80)),
            ),
            (
                "HTTP://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:8000/index.html",
                (
                    "http",
                    Some("[fedc:ba98:7654:3210:fedc:ba98:7654:3210]"),
                    Some(8000),
                ),
            ),
            (
                "HTTPS://[1080:0:0:0:8:800:200c:417A]/index.html",
                ("https", Some("[1080:0:0:0:8:800:200c:417a]"), None),
            ),
            // Other schemes keep the host's case.
            (
                "abOut://eXamPlE.com?info=1",
                ("about", Some("eXamPlE.com"), None),
            ),
            (
                "http+UNIX://%2fvar%2frun%2fSOCKET/path",
                ("http+unix", Some("%2fvar%2frun%2fSOCKET"), None),
            ),
            // No host at all.
            ("/just/a/path", ("http", None, None)),
        ];
        for (input, (scheme, host, port)) in cases {
            assert_eq!(
                get_host(input).unwrap_or_else(|e| panic!("{input:?}: {e}")),
                (scheme.to_string(), host.map(str::to_owned), *port),
                "{input:?}"
            );
        }
    }

    #[test]
    fn get_host_errors() {
        for input in [
            "http://google.com:foo",
            "http://::1/",
            "http://::1:80/",
            "http://google.com:-80",
            "http://google.com:\u{b2}\u{b2}",
        ] {
            let e = get_host(input).expect_err(input);
            assert_eq!(e.kind(), ErrorKind::LocationParse, "{input:?}");
        }
    }

    // ---- normalisation ---------------------------------------------------------------------------

    #[test]
    fn normalization_of_url() {
        for (input, expected) in [
            ("HTTP://GOOGLE.COM/MAIL/", "http://google.com/MAIL/"),
            (
                "http://user@domain.com:password@example.com/~tilde@?@",
                "http://user%40domain.com:password@example.com/~tilde@?@",
            ),
            (
                "HTTP://JeremyCline:Hunter2@Example.com:8080/",
                "http://JeremyCline:Hunter2@example.com:8080/",
            ),
            (
                "HTTPS://Example.Com/?Key=Value",
                "https://example.com/?Key=Value",
            ),
            (
                "Https://Example.Com/#Fragment",
                "https://example.com/#Fragment",
            ),
            ("[::1%25]", "[::1%25]"),
            ("[::Ff%etH0%Ff]/%ab%Af", "[::ff%etH0%FF]/%AB%AF"),
            (
                "http://user:pass@[AaAa::Ff%25etH0%Ff]/%ab%Af",
                "http://user:pass@[aaaa::ff%etH0%FF]/%AB%AF",
            ),
            // Invalid characters of the path, query and fragment get encoded.
            (
                "http://google.com/p[]?parameter[]=\"hello\"#fragment#",
                "http://google.com/p%5B%5D?parameter%5B%5D=%22hello%22#fragment%23",
            ),
            // Escapes are not encoded twice, but are uppercased.
            (
                "http://google.com/p%5B%5d?parameter%5b%5D=%22hello%22#fragment%23",
                "http://google.com/p%5B%5D?parameter%5B%5D=%22hello%22#fragment%23",
            ),
            // One stray '%' means the part was not encoded: every '%' is encoded.
            ("http://h/a%5b%zz", "http://h/a%255B%25zz"),
            ("http://h/?100%", "http://h/?100%25"),
            ("http://h/#%%41", "http://h/#%25%2541"),
            // Query and fragment keep '?' and '/', the path keeps '@' and ':'.
            ("http://h/a@b:c?x?y/z#f?g/h", "http://h/a@b:c?x?y/z#f?g/h"),
            // Other schemes are left alone, apart from the scheme.
            ("FOO://Host/../A%5b", "foo://Host/../A%5b"),
            ("redis://u\"@H/x[y]", "redis://u\"@H/x[y]"),
        ] {
            assert_eq!(parse(input).url(), expected, "{input:?}");
        }
    }

    #[test]
    fn control_characters_are_percent_encoded() {
        let chars = (0u8..=0x20).chain([0x7f]).map(char::from);
        for c in chars {
            let enc = format!("%{:02X}", u32::from(c));
            let input = format!("http://user{c}@example.com/path{c}?query{c}#fragment{c}");
            assert_eq!(
                parse(&input),
                Url {
                    scheme: s("http"),
                    auth: Some(format!("user{enc}")),
                    host: s("example.com"),
                    path: Some(format!("/path{enc}")),
                    query: Some(format!("query{enc}")),
                    fragment: Some(format!("fragment{enc}")),
                    ..Url::default()
                },
                "{c:?}"
            );
        }
    }

    #[test]
    fn unicode_is_percent_encoded_as_utf8() {
        assert_eq!(
            parse("http://google.com/\u{ff2e}\u{ff2e}/abc"),
            Url {
                scheme: s("http"),
                host: s("google.com"),
                path: s("/%EF%BC%AE%EF%BC%AE/abc"),
                ..Url::default()
            }
        );
        assert_eq!(
            parse("http://ヒ:キ@ヒ.abc.ニ/ヒ?キ#ワ"),
            Url {
                scheme: s("http"),
                auth: s("%E3%83%92:%E3%82%AD"),
                host: s("xn--pdk.abc.xn--idk"),
                path: s("/%E3%83%92"),
                query: s("%E3%82%AD"),
                fragment: s("%E3%83%AF"),
                ..Url::default()
            }
        );
    }

    #[test]
    fn path_dot_segments_are_removed() {
        for (input, expected) in [
            ("/abc/../def", "/def"),
            ("/..", "/"),
            ("/./abc/./def/", "/abc/def/"),
            ("/.", "/"),
            ("/./", "/"),
            ("/abc/./.././d/././e/.././f/./../../ghi", "/ghi"),
            ("/a/../../b", "/b"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/a/.b/..c/...", "/a/.b/..c/..."),
            ("/a/%2E%2E/b", "/a/%2E%2E/b"),
            ("/.//x", "//x"),
        ] {
            let url = parse(input);
            assert_eq!(url.path.as_deref(), Some(expected), "{input:?}");
            assert_eq!(url.url(), expected, "{input:?}");
        }
        assert_eq!(
            parse("http://h/a/b/../c?x=/../#/../").url(),
            "http://h/a/c?x=/../#/../"
        );
        assert_eq!(parse("https://h/a/./b").path.as_deref(), Some("/a/b"));
        // Not for other schemes.
        assert_eq!(parse("ftp://h/a/../b").path.as_deref(), Some("/a/../b"));
    }

    #[test]
    fn url_vulnerabilities() {
        let cases = [
        // RFC 3986 section 3.2: the authority ends at '#'.
        (
            "http://google.com#@evil.com/",
            Url {
                scheme: s("http"),
                host: s("google.com"),
                path: s(""),
                fragment: s("@evil.com/"),
                ..Url::default()
            },
        ),
        // CVE-2016-5699: escapes in the host stay escapes.
        (
            "http://127.0.0.1%0d%0aConnection%3a%20keep-alive",
            Url {
                scheme: s("http"),
                host: s("127.0.0.1%0d%0aconnection%3a%20keep-alive"),
                ..Url::default()
            },
        ),
        // A scheme without "//".
        (
            "javascript:a='@google.com:12345/';alert(0)",
            Url {
                scheme: s("javascript"),
                path: s("/a='@google.com:12345/';alert(0)"),
                ..Url::default()
            },
        ),
        // Injected headers (CVE-2016-5699, CVE-2019-9740, CVE-2019-9947).
        (
            "10.251.0.83:7777?a=1 HTTP/1.1\r\nX-injected: header",
            Url {
                host: s("10.251.0.83"),
                port: Some(7777),
                path: s(""),
                query: s("a=1%20HTTP/1.1%0D%0AX-injected:%20header"),
                ..Url::default()
            },
        ),
        (
            "http://127.0.0.1:6379?\r\nSET test failure12\r\n:8080/test/?test=a",
            Url {
                scheme: s("http"),
                host: s("127.0.0.1"),
                port: Some(6379),
                path: s(""),
                query: s("%0D%0ASET%20test%20failure12%0D%0A:8080/test/?test=a"),
                ..Url::default()
            },
        ),
        // A backslash ends the authority.
        (
            "https://user:pass@xdavidhu.me\\test.corp.google.com:8080/path/to/something?param=value#hash",
            Url {
                scheme: s("https"),
                auth: s("user:pass"),
                host: s("xdavidhu.me"),
                path: s("/%5Ctest.corp.google.com:8080/path/to/something"),
                query: s("param=value"),
                fragment: s("hash"),
                ..Url::default()
            },
        ),
    ];
        for (input, expected) in cases {
            assert_eq!(parse(input), expected, "{input:?}");
        }
        // Tons of '@'.
        assert_eq!(
            parse(&format!("https://user:{}example.com", "@".repeat(10000))),
            Url {
                scheme: s("https"),
                auth: Some(format!("user:{}", "%40".repeat(9999))),
                host: s("example.com"),
                ..Url::default()
            }
        );
        assert_parse_error(&format!("https://{}[", "@".repeat(10000)));
    }

    #[test]
    fn scheme_quirks() {
        // A scheme needs no "//"; a dot-less name before ':' reads as a scheme (as in the spec).
        assert_eq!(
            parse("localhost:8080"),
            Url {
                scheme: s("localhost"),
                path: s("/8080"),
                ..Url::default()
            }
        );
        assert_eq!(
            parse("http:foo/../bar"),
            Url {
                scheme: s("http"),
                path: s("/bar"),
                ..Url::default()
            }
        );
        assert_eq!(parse("HtTp+Unix://x").scheme.as_deref(), Some("http+unix"));
        // A '.' makes it a host.
        assert_eq!(
            parse("a.b:1"),
            Url {
                host: s("a.b"),
                port: Some(1),
                ..Url::default()
            }
        );
    }

    // ---- IPv6 ---------------------------------------------------------------------------------

    #[test]
    fn ipv6_hosts() {
        for (input, host, port) in [
            ("http://[::1]/", "[::1]", None),
            ("http://[::1]:8080/", "[::1]", Some(8080)),
            ("[::1]:80", "[::1]", Some(80)),
            ("http://[::]/", "[::]", None),
            ("http://[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8]", None),
            ("http://[1:2:3:4:5:6:7::]", "[1:2:3:4:5:6:7::]", None),
            ("http://[::2:3:4:5:6:7:8]", "[::2:3:4:5:6:7:8]", None),
            (
                "http://[1:2:3:4:5:6:1.2.3.4]",
                "[1:2:3:4:5:6:1.2.3.4]",
                None,
            ),
            ("http://[1::5:6:1.2.3.4]", "[1::5:6:1.2.3.4]", None),
            ("http://[FE80::1%25eth0]:443/", "[fe80::1%eth0]", Some(443)),
            ("http://[fe80::1%eth0]/", "[fe80::1%eth0]", None),
            ("http://[fe80::1%25%41]/", "[fe80::1%%41]", None),
            ("http://[fe80::1%2541]/", "[fe80::1%41]", None),
        ] {
            let url = parse(input);
            assert_eq!(url.host.as_deref(), Some(host), "{input:?}");
            assert_eq!(url.port, port, "{input:?}");
            // Normalised hosts are stable.
            assert_eq!(parse(&url.url()), url, "{input:?}");
        }
        // Other schemes keep the case.
        assert_eq!(
            parse("foo://[FE80::1%25X]/").host.as_deref(),
            Some("[FE80::1%25X]")
        );
    }

    #[test]
    fn ipv6_errors() {
        for input in [
            "[::1",
            "http://[::1",
            "http://[::1/",
            "http://[::1]x/",
            "http://[::1]:x/",
            "http://[::1]]",
            "http://[]/",
            "http://[:]/",
            "http://[:::]/",
            "http://[1::2::3]/",
            "http://[1:2:3:4:5:6:7:8:9]/",
            "http://[1:2:3:4:5:6:7]/",
            "http://[1:2:3:4:5:6:7:8::]/",
            "http://[12345::]/",
            "http://[g::]/",
            "http://[::1.2.3]/",
            "http://[1.2.3.4::]/",
            "http://[::1%]/",
            "http://[::1%25%zz]/",
            "http://[::1%e th]/",
            "http://[v1.fe]/",
            "http://a[::1]/",
            "http://::1/",
            "http://::1:80/",
        ] {
            assert_parse_error(input);
        }
    }

    // ---- IDNA -----------------------------------------------------------------------------------

    #[test]
    fn idna_hosts() {
        for (input, host) in [
            ("http://Königsgäßchen.de/", "xn--knigsgchen-b4a3dun.de"),
            ("http://bücher.example/", "xn--bcher-kva.example"),
            ("https://MÜNCHEN.de", "xn--mnchen-3ya.de"),
            ("ヒ.abc.ニ", "xn--pdk.abc.xn--idk"),
            // IANA's IDN test domains.
            (
                "http://παράδειγμα.δοκιμή/",
                "xn--hxajbheg2az3al.xn--jxalpdlp",
            ),
            ("http://مثال.إختبار/", "xn--mgbh0fb.xn--kgbechtv"),
            (
                "http://उदाहरण.परीक्षा/",
                "xn--p1b6ci4b4b3a.xn--11b5bs3a9aj6g",
            ),
            // A CONTEXTO character (Catalan middle dot).
            ("http://l·l.cat/", "xn--ll-0ea.cat"),
            // ASCII labels are only lowercased.
            ("http://XN--BCHER-KVA.example/", "xn--bcher-kva.example"),
            ("http://under_score.example/", "under_score.example"),
        ] {
            assert_eq!(parse(input).host.as_deref(), Some(host), "{input:?}");
        }
        // Other schemes keep the Unicode.
        assert_eq!(parse("foo://bücher/").host.as_deref(), Some("bücher"));
    }

    #[test]
    fn idna_errors() {
        for input in [
            "http://\u{d7ff}.com",
            "http://💩.la",
            "http://\u{fb00}.com",
            "http://❤️",
            "http://❤",
            "http://☃.net",
            "http://ｇｏｏｇｌｅ.ｃｏｍ/",
            "http://ä\u{3002}com/",
            "http://e\u{301}x.com/",
            "http://-ä.com/",
            "http://ä-.com/",
            "http://äb--c.com/",
            "http://ä%41.com/",
            "http://äääääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää.com/",
        ] {
            assert_parse_error(input);
        }
    }

    // ---- errors ---------------------------------------------------------------------------------

    #[test]
    fn port_errors() {
        for input in [
            "http://google.com:foo",
            "http://google.com:-80",
            "https://www.google.com:-80/",
            "http://google.com:65536",
            "http://google.com:99999/",
            "http://google.com:123456/",
            "http://google.com:1:2/",
            "http://google.com:8 0/",
            "http://google.com:+80/",
            "http://google.com:\u{b2}\u{b2}",
            "http://google.com:٨٠/",
            "google.com:-1",
            "http://google.com:80\n",
        ] {
            assert_parse_error(input);
        }
        // Leading zeros do not count towards the limit.
        assert_eq!(parse("http://h:0000065535/").port, Some(65535));
    }

    #[test]
    fn whitespace_and_control_characters_in_the_host_are_errors() {
        for input in [
            "http://exa mple.com/",
            "http://example.com\n/",
            "http://example.com\r\nX: y/",
            "http://\texample.com/",
            "http://example.com\u{0}/",
            "http://example\u{7f}.com/",
            "http://example\u{a0}.com/",
            "http://example\u{3000}.com/",
            " http://example.com/",
            "example .com",
            "foo://exa mple/",
        ] {
            assert_parse_error(input);
        }
    }

    #[test]
    fn verbatim_parts_of_other_schemes_reject_control_characters() {
        for input in [
            "foo://h/a b",
            "foo://h/?a\r\nb",
            "foo://h/#a\tb",
            "foo://u\n@h/",
            "javascript:alert(1)\n",
        ] {
            assert_parse_error(input);
        }
        assert_eq!(parse("foo://h/a%20b?c#d").url(), "foo://h/a%20b?c#d");
    }

    #[test]
    fn bad_reg_names_are_errors() {
        for input in [
            "http://ho%st/",
            "http://host%4/",
            "http://ho]st/",
            "http://ho[st/",
            "[",
            "]",
        ] {
            assert_parse_error(input);
        }
    }

    #[test]
    fn error_message_names_the_input() {
        let e = parse_url("http://google.com:65536/").unwrap_err();
        assert_eq!(
            e.message(),
            "Failed to parse: \"http://google.com:65536/\": the port \"65536\" is above 65535"
        );
        assert_eq!(e.url(), Some("http://google.com:65536/"));
        assert_eq!(
        e.to_string(),
        "LocationParseError: Failed to parse: \"http://google.com:65536/\": the port \"65536\" is above 65535"
    );
        let e = parse_url("http://[::1").unwrap_err();
        assert_eq!(
            e.message(),
            "Failed to parse: \"http://[::1\": the IPv6 literal in the host has no closing ']'"
        );
        // A huge input is shortened in the message but kept whole as the URL.
        let long = format!("http://{}:x", "é".repeat(1000));
        let e = parse_url(&long).unwrap_err();
        assert!(e.message().len() < 700, "{}", e.message().len());
        assert!(
            e.message().contains("(2009 bytes in all)"),
            "{}",
            e.message()
        );
        assert_eq!(e.url(), Some(long.as_str()));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for input in [
            "",
            ":",
            "//",
            "///",
            "[",
            "]",
            "@",
            "http://@",
            "http://:",
            "http://[",
            "http://]",
            "http://[]",
            "http://[:",
            "?#",
            "#?",
            "%",
            "%%",
            "http://%",
            "http://h/%",
            "\u{0}",
            "é",
            "http://é",
            "http://é:é",
            "💩://x",
            "a:",
            "a:b:c",
            "http:",
            "http:/",
            "http:?",
            "http:#",
            "\\\\",
            "http:\\\\h\\p",
            "[::1%",
            "[::1%]",
            "http://[::1%25]",
        ] {
            let _ = parse_url(input);
            let _ = get_host(input);
        }
        let long = "a/".repeat(100_000);
        assert_eq!(parse(&long).host.as_deref(), Some("a"));
        let long = format!("http://h/{}", "../".repeat(100_000));
        assert_eq!(parse(&long).path.as_deref(), Some("/"));
    }
}
