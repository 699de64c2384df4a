//! `Retry` construction, settings and decisions (everything but `increment`, which has
//! `retry_increment.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hip_core::retry::{ResponseInfo, Retries, Retry, RetryCount};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

/// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
fn rfc_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

fn headers(pairs: &[(&str, &str)]) -> HttpHeaderDict {
    let mut h = HttpHeaderDict::new();
    for (k, v) in pairs {
        h.add(*k, *v);
    }
    h
}

fn strs(list: &[std::borrow::Cow<'static, str>]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn retry_default_is_total_3_with_spec_defaults() {
    let r = Retry::DEFAULT;
    assert_eq!(
        r.to_string(),
        "Retry(total=3, connect=None, read=None, redirect=None, status=None)"
    );
    assert_eq!(r.total, RetryCount::Count(3));
    assert_eq!(r.connect, RetryCount::Unlimited);
    assert_eq!(r.read, RetryCount::Unlimited);
    assert_eq!(r.redirect, RetryCount::Unlimited);
    assert_eq!(r.status, RetryCount::Unlimited);
    assert_eq!(
        strs(r.method_whitelist.as_deref().unwrap()),
        ["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]
    );
    assert!(r.status_forcelist.is_empty());
    assert_eq!(r.backoff_factor, 0.0);
    assert!(r.raise_on_redirect);
    assert!(r.raise_on_status);
    assert!(r.history.is_empty());
    assert!(r.respect_retry_after_header);
    assert_eq!(
        strs(&r.remove_headers_on_redirect),
        ["Authorization", "Cookie", "Proxy-Authorization"]
    );
    assert_eq!(Retry::default().to_string(), r.to_string());
    assert!(!r.is_exhausted());
}

#[test]
fn retry_constants_match_the_spec() {
    assert_eq!(Retry::BACKOFF_MAX, 120.0);
    assert_eq!(
        Retry::default_method_whitelist(),
        ["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]
    );
    assert_eq!(
        Retry::DEFAULT_METHOD_WHITELIST,
        Retry::default_method_whitelist()
    );
    assert_eq!(Retry::RETRY_AFTER_STATUS_CODES, [413, 429, 503]);
    assert_eq!(
        Retry::DEFAULT_REDIRECT_HEADERS_BLACKLIST,
        ["Authorization", "Cookie", "Proxy-Authorization"]
    );
}

#[test]
fn retry_new_takes_total_and_keeps_other_defaults() {
    // The spec's bare Retry() is total=10.
    assert_eq!(
        Retry::new(10).to_string(),
        "Retry(total=10, connect=None, read=None, redirect=None, status=None)"
    );
    assert_eq!(Retry::new(None).total, RetryCount::Unlimited);
    assert_eq!(Retry::new(-1).total, RetryCount::Count(-1));
    assert!(Retry::new(-1).is_exhausted());
    assert_eq!(Retry::new(7u32).total, RetryCount::Count(7));
    assert_eq!(Retry::new(7i64).total, RetryCount::Count(7));
    assert!(Retry::new(3).raise_on_redirect);
}

#[test]
fn retry_total_false_disables_redirects_too() {
    let r = Retry::disabled();
    assert_eq!(
        r.to_string(),
        "Retry(total=False, connect=None, read=None, redirect=0, status=None)"
    );
    assert!(!r.raise_on_redirect);
    assert!(!r.is_exhausted());
    let r = Retry::new(false);
    assert_eq!(r.total, RetryCount::Disabled);
    assert_eq!(r.redirect, RetryCount::Count(0));
    assert!(!r.raise_on_redirect);
    let r = Retry::new(5).total(RetryCount::Disabled);
    assert_eq!(r.redirect, RetryCount::Count(0));
    assert!(!r.raise_on_redirect);
}

#[test]
fn retry_redirect_false_implies_raise_on_redirect_false() {
    let r = Retry::new(3).redirect(false);
    assert_eq!(r.redirect, RetryCount::Count(0));
    assert!(!r.raise_on_redirect);
    assert!(r.raise_on_status);
    // A later explicit setting wins.
    let r = Retry::new(3).redirect(false).raise_on_redirect(true);
    assert!(r.raise_on_redirect);
    // A plain count leaves raise_on_redirect alone.
    let r = Retry::new(3).redirect(0);
    assert_eq!(r.redirect, RetryCount::Count(0));
    assert!(r.raise_on_redirect);
    let r = Retry::new(3).redirect(true);
    assert_eq!(r.redirect, RetryCount::Unlimited);
}

#[test]
fn retry_count_conversions_and_display() {
    assert_eq!(RetryCount::from(-2), RetryCount::Count(-2));
    assert_eq!(RetryCount::from(4u32), RetryCount::Count(4));
    assert_eq!(RetryCount::from(9i64), RetryCount::Count(9));
    assert_eq!(RetryCount::from(None::<u32>), RetryCount::Unlimited);
    assert_eq!(RetryCount::from(Some(2u32)), RetryCount::Count(2));
    assert_eq!(RetryCount::from(false), RetryCount::Disabled);
    assert_eq!(RetryCount::from(true), RetryCount::Unlimited);
    assert_eq!(RetryCount::default(), RetryCount::Unlimited);
    assert_eq!(RetryCount::Unlimited.to_string(), "None");
    assert_eq!(RetryCount::Disabled.to_string(), "False");
    assert_eq!(RetryCount::Count(-1).to_string(), "-1");
    assert_eq!(RetryCount::Count(5).count(), Some(5));
    assert_eq!(RetryCount::Unlimited.count(), None);
    assert!(RetryCount::Disabled.is_disabled());
    assert!(!RetryCount::Count(0).is_disabled());
    assert!(RetryCount::Unlimited.is_unlimited());
    assert!(!RetryCount::Disabled.is_unlimited());
}

#[test]
fn retry_builders_set_every_field() {
    let r = Retry::new(8)
        .connect(5)
        .read(2)
        .redirect(4)
        .status(1)
        .method_whitelist(["GET", "post"])
        .status_forcelist([500, 502])
        .backoff_factor(0.5)
        .raise_on_redirect(false)
        .raise_on_status(false)
        .respect_retry_after_header(false)
        .remove_headers_on_redirect(["X-Secret"]);
    assert_eq!(
        r.to_string(),
        "Retry(total=8, connect=5, read=2, redirect=4, status=1)"
    );
    assert_eq!(
        strs(r.method_whitelist.as_deref().unwrap()),
        ["GET", "POST"]
    );
    assert_eq!(&*r.status_forcelist, [500, 502]);
    assert_eq!(r.backoff_factor, 0.5);
    assert!(!r.raise_on_redirect);
    assert!(!r.raise_on_status);
    assert!(!r.respect_retry_after_header);
    assert_eq!(strs(&r.remove_headers_on_redirect), ["X-Secret"]);

    let entry = hip_core::retry::RequestHistory {
        method: Some("GET".into()),
        url: Some("/a".into()),
        error: None,
        status: Some(500),
        redirect_location: None,
        timings: None,
    };
    let r = r.history(vec![entry]);
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].status, Some(500));

    // new_from is a copy, history included; the original is untouched by changes to it.
    let copy = r.new_from().redirect(0);
    assert_eq!(copy.redirect, RetryCount::Count(0));
    assert_eq!(copy.history.len(), 1);
    assert_eq!(r.redirect, RetryCount::Count(4));
}

#[test]
fn retry_method_whitelist_forms() {
    let r = Retry::new(3).method_whitelist(["get", "Patch"]);
    assert!(r.is_method_retryable("GET"));
    assert!(r.is_method_retryable("patch"));
    assert!(!r.is_method_retryable("POST"));

    // Empty means any verb, like the spec's falsy value.
    let r = Retry::new(3).method_whitelist(Vec::<String>::new());
    assert!(r.method_whitelist.is_none());
    assert!(r.is_method_retryable("POST"));

    let r = Retry::new(3).method_whitelist_any();
    assert!(r.method_whitelist.is_none());
    assert!(r.is_method_retryable("CONNECT"));

    let d = Retry::DEFAULT;
    for m in ["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE", "get"] {
        assert!(d.is_method_retryable(m), "{m}");
    }
    for m in ["POST", "PATCH", "CONNECT", ""] {
        assert!(!d.is_method_retryable(m), "{m}");
    }
}

#[test]
fn retry_from_int_resolves_every_form() {
    // None: the default given, else Retry.DEFAULT.
    let r = Retry::from_int(None::<u32>, true, None);
    assert_eq!(r.to_string(), Retry::DEFAULT.to_string());
    let pool = Retry::new(7).backoff_factor(1.0);
    let r = Retry::from_int(Retries::Default, false, Some(&pool));
    assert_eq!(r.total, RetryCount::Count(7));
    assert_eq!(r.backoff_factor, 1.0);
    // A Retry is used as it is, whatever `redirect` says.
    let r = Retry::from_int(Retry::new(2).redirect(5), false, Some(&pool));
    assert_eq!(
        r.to_string(),
        "Retry(total=2, connect=None, read=None, redirect=5, status=None)"
    );
    assert!(r.raise_on_redirect);
    // A count: Retry(n), and redirect=False switches redirects off.
    let r = Retry::from_int(5u32, true, Some(&pool));
    assert_eq!(
        r.to_string(),
        "Retry(total=5, connect=None, read=None, redirect=None, status=None)"
    );
    assert_eq!(r.backoff_factor, 0.0);
    let r = Retry::from_int(5u32, false, None);
    assert_eq!(
        r.to_string(),
        "Retry(total=5, connect=None, read=None, redirect=0, status=None)"
    );
    assert!(!r.raise_on_redirect);
    // False: Retry(False).
    let r = Retry::from_int(false, true, Some(&pool));
    assert_eq!(
        r.to_string(),
        "Retry(total=False, connect=None, read=None, redirect=0, status=None)"
    );
    assert!(!r.raise_on_redirect);
    // true means the default.
    let r = Retry::from_int(true, true, Some(&pool));
    assert_eq!(r.total, RetryCount::Count(7));
}

#[test]
fn retry_retries_conversions_and_resolve() {
    assert!(matches!(Retries::from(3u32), Retries::Count(3)));
    assert!(matches!(Retries::from(false), Retries::Disabled));
    assert!(matches!(Retries::from(true), Retries::Default));
    assert!(matches!(Retries::from(None::<u32>), Retries::Default));
    assert!(matches!(Retries::from(Some(2u32)), Retries::Count(2)));
    assert!(matches!(Retries::from(None::<Retry>), Retries::Default));
    assert!(matches!(Retries::from(Retry::new(1)), Retries::Retry(_)));
    assert!(matches!(Retries::from(&Retry::new(1)), Retries::Retry(_)));
    assert!(matches!(Retries::default(), Retries::Default));

    let default = Retry::new(9);
    assert_eq!(
        Retries::Default.resolve(true, &default).total,
        RetryCount::Count(9)
    );
    assert_eq!(
        Retries::Count(1).resolve(true, &default).total,
        RetryCount::Count(1)
    );
    let r = Retries::Disabled.resolve(true, &default);
    assert_eq!(r.total, RetryCount::Disabled);
    assert_eq!(r.redirect, RetryCount::Count(0));
    let r = Retries::Retry(Retry::new(4)).resolve(false, &default);
    assert_eq!(r.redirect, RetryCount::Unlimited);
}

/// The backoff after `n` consecutive failed attempts.
fn backoff_after(factor: f64, n: usize) -> Duration {
    let mut r = Retry::new(None).backoff_factor(factor);
    for _ in 0..n {
        let e = Error::new(ErrorKind::ConnectTimeout, "connect timed out");
        r = r.increment(Some("GET"), Some("/"), None, Some(e)).unwrap();
    }
    r.get_backoff_time()
}

#[test]
fn retry_backoff_doubles_from_the_second_retry_and_caps() {
    // The spec's example: factor 0.1 sleeps [0.0s, 0.2s, 0.4s, ...].
    assert_eq!(backoff_after(0.1, 0), Duration::ZERO);
    assert_eq!(backoff_after(0.1, 1), Duration::ZERO);
    assert_eq!(backoff_after(0.1, 2), Duration::from_millis(200));
    assert_eq!(backoff_after(0.1, 3), Duration::from_millis(400));
    assert_eq!(backoff_after(0.1, 4), Duration::from_millis(800));
    assert_eq!(backoff_after(0.1, 5), Duration::from_millis(1600));
    // 1 * 2^7 = 128 > BACKOFF_MAX.
    assert_eq!(backoff_after(1.0, 7), Duration::from_secs(64));
    assert_eq!(backoff_after(1.0, 8), Duration::from_secs(120));
    assert_eq!(backoff_after(1.0, 60), Duration::from_secs(120));
    // Disabled or nonsensical factors mean no wait; an infinite one is capped.
    assert_eq!(backoff_after(0.0, 5), Duration::ZERO);
    assert_eq!(backoff_after(-1.0, 5), Duration::ZERO);
    assert_eq!(backoff_after(f64::NAN, 5), Duration::ZERO);
    assert_eq!(backoff_after(f64::INFINITY, 5), Duration::from_secs(120));
}

#[test]
fn retry_backoff_counts_only_errors_since_the_last_redirect() {
    let mut r = Retry::new(None).backoff_factor(1.0);
    let err = || Error::new(ErrorKind::ReadTimeout, "read timed out");
    for _ in 0..3 {
        r = r
            .increment(Some("GET"), Some("/"), None, Some(err()))
            .unwrap();
    }
    assert_eq!(r.get_backoff_time(), Duration::from_secs(4));
    let h = headers(&[("Location", "/b")]);
    let info = ResponseInfo::new(302, &h);
    r = r
        .increment(Some("GET"), Some("/"), Some(&info), None)
        .unwrap();
    assert_eq!(r.get_backoff_time(), Duration::ZERO);
    r = r
        .increment(Some("GET"), Some("/b"), None, Some(err()))
        .unwrap();
    assert_eq!(r.get_backoff_time(), Duration::ZERO);
    r = r
        .increment(Some("GET"), Some("/b"), None, Some(err()))
        .unwrap();
    assert_eq!(r.get_backoff_time(), Duration::from_secs(2));
}

#[test]
fn retry_parse_retry_after_seconds() {
    let r = Retry::DEFAULT;
    let now = rfc_now();
    assert_eq!(
        r.parse_retry_after("120", now).unwrap(),
        Duration::from_secs(120)
    );
    assert_eq!(
        r.parse_retry_after(" \t5 ", now).unwrap(),
        Duration::from_secs(5)
    );
    assert_eq!(r.parse_retry_after("0", now).unwrap(), Duration::ZERO);
    // Too large for a u64: the longest wait there is, cut down to `retry_after_max` (6 hours
    // by default; see retry_bounds.rs).
    assert_eq!(
        r.parse_retry_after("99999999999999999999999", now).unwrap(),
        Duration::from_secs(21_600)
    );
    assert_eq!(
        r.clone()
            .retry_after_max(f64::INFINITY)
            .parse_retry_after("99999999999999999999999", now)
            .unwrap(),
        Duration::from_secs(u64::MAX)
    );
}

#[test]
fn retry_parse_retry_after_http_dates() {
    let r = Retry::DEFAULT;
    let now = rfc_now();
    let minute = Duration::from_secs(60);
    assert_eq!(
        r.parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now)
            .unwrap(),
        minute
    );
    // The obsolete forms RFC 9110 still asks recipients to accept.
    assert_eq!(
        r.parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now)
            .unwrap(),
        minute
    );
    assert_eq!(
        r.parse_retry_after("Sun Nov  6 08:50:37 1994", now)
            .unwrap(),
        minute
    );
    assert_eq!(
        r.parse_retry_after("  Sun, 06 Nov 1994 08:50:37 GMT  ", now)
            .unwrap(),
        minute
    );
    // A date in the past (or now) means no wait.
    assert_eq!(
        r.parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now)
            .unwrap(),
        Duration::ZERO
    );
    assert_eq!(
        r.parse_retry_after("Sat, 01 Jan 1994 00:00:00 GMT", now)
            .unwrap(),
        Duration::ZERO
    );
}

#[test]
fn retry_parse_retry_after_rejects_garbage() {
    let r = Retry::DEFAULT;
    for bad in [
        "soon",
        "-5",
        "1.5",
        "",
        "  ",
        "5 s",
        "Sun, 06 Nov 1994",
        "Sun, 06 Foo 1994 08:50:37 GMT",
        // Python's parsedate_tz reads the year 10000, and mktime_tz refuses it.
        "Sat, 01 Jan 10000 00:00:00 GMT",
    ] {
        let e = r.parse_retry_after(bad, rfc_now()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidHeader, "{bad:?}");
        assert!(
            e.message().contains(&format!("{bad:?}")),
            "{bad:?}: {}",
            e.message()
        );
    }
    let e = r.parse_retry_after("soon", rfc_now()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "InvalidHeader: Invalid Retry-After header: \"soon\" (expected seconds or an HTTP-date)"
    );
}

#[test]
fn retry_get_retry_after_reads_the_header() {
    let r = Retry::DEFAULT;
    let now = rfc_now();
    assert_eq!(r.get_retry_after(&headers(&[]), now).unwrap(), None);
    assert_eq!(
        r.get_retry_after(&headers(&[("retry-after", "3")]), now)
            .unwrap(),
        Some(Duration::from_secs(3))
    );
    // Repeated headers are joined first, which makes them invalid.
    let e = r
        .get_retry_after(&headers(&[("Retry-After", "3"), ("Retry-After", "4")]), now)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidHeader);
    assert!(e.message().contains("\"3, 4\""), "{}", e.message());
}

#[test]
fn retry_sleep_for_retry_and_sleep_duration() {
    let now = rfc_now();
    let r = Retry::new(3).backoff_factor(1.0);
    // Two consecutive errors in the history: backoff 2 s.
    let mut r2 = r.clone();
    for _ in 0..2 {
        let e = Error::new(ErrorKind::ReadTimeout, "read timed out");
        r2 = r2.increment(Some("GET"), Some("/"), None, Some(e)).unwrap();
    }
    let backoff = Duration::from_secs(2);
    assert_eq!(r2.get_backoff_time(), backoff);

    let with = headers(&[("Retry-After", "7")]);
    let zero = headers(&[("Retry-After", "0")]);
    let bad = headers(&[("Retry-After", "later")]);
    let none = headers(&[]);

    let info = ResponseInfo::new(503, &with);
    assert_eq!(
        r2.sleep_for_retry(Some(&info), now),
        Some(Duration::from_secs(7))
    );
    assert_eq!(r2.sleep_duration(Some(&info), now), Duration::from_secs(7));
    for status in [413, 429] {
        let info = ResponseInfo::new(status, &with);
        assert_eq!(r2.sleep_duration(Some(&info), now), Duration::from_secs(7));
    }
    // Not a Retry-After status: backoff.
    let info = ResponseInfo::new(500, &with);
    assert_eq!(r2.sleep_duration(Some(&info), now), backoff);
    // Not respected: backoff.
    let off = r2.clone().respect_retry_after_header(false);
    let info = ResponseInfo::new(503, &with);
    assert_eq!(off.sleep_duration(Some(&info), now), backoff);
    // Zero, invalid or missing: backoff.
    for h in [&zero, &bad, &none] {
        let info = ResponseInfo::new(503, h);
        assert_eq!(r2.sleep_for_retry(Some(&info), now), None);
        assert_eq!(r2.sleep_duration(Some(&info), now), backoff);
    }
    assert_eq!(r2.sleep_for_retry(None, now), None);
    assert_eq!(r2.sleep_duration(None, now), backoff);
    // A fresh policy without history: no wait at all.
    assert_eq!(r.sleep_duration(None, now), Duration::ZERO);
}

#[test]
fn retry_is_retry_follows_whitelist_forcelist_and_retry_after() {
    let r = Retry::new(3).status_forcelist([500, 502]);
    assert!(r.is_retry("GET", 500, false));
    assert!(r.is_retry("get", 502, false));
    assert!(!r.is_retry("GET", 501, false));
    assert!(!r.is_retry("POST", 500, false));
    assert!(!r.is_retry("GET", 200, true));

    // Retry-After on 413/429/503.
    for status in [413, 429, 503] {
        assert!(r.is_retry("GET", status, true), "{status}");
        assert!(!r.is_retry("GET", status, false), "{status}");
        assert!(!r.is_retry("POST", status, true), "{status}");
    }
    assert!(!r.is_retry("GET", 500 + 1, true));
    let off = r.clone().respect_retry_after_header(false);
    assert!(!off.is_retry("GET", 503, true));
    assert!(off.is_retry("GET", 500, false));
    // The spec needs a non-zero total count for Retry-After retries.
    assert!(!Retry::new(0).is_retry("GET", 503, true));
    assert!(!Retry::new(None).is_retry("GET", 503, true));
    assert!(!Retry::disabled().is_retry("GET", 503, true));
    assert!(Retry::new(-1).is_retry("GET", 503, true));

    // Any verb.
    let any = Retry::new(3).status_forcelist([500]).method_whitelist_any();
    assert!(any.is_retry("POST", 500, false));
    assert!(any.is_retry("PATCH", 503, true));
    assert!(!any.is_retry("POST", 404, false));
}

#[test]
fn retry_is_exhausted_when_any_limited_count_is_negative() {
    assert!(!Retry::new(0).is_exhausted());
    assert!(!Retry::new(None).is_exhausted());
    assert!(!Retry::disabled().is_exhausted());
    assert!(Retry::new(-1).is_exhausted());
    assert!(Retry::new(5).connect(-1).is_exhausted());
    assert!(Retry::new(5).read(-1).is_exhausted());
    assert!(Retry::new(5).redirect(-1).is_exhausted());
    assert!(Retry::new(5).status(-1).is_exhausted());
    assert!(!Retry::new(5)
        .connect(0)
        .read(0)
        .redirect(0)
        .status(0)
        .is_exhausted());
    assert!(!Retry::new(5)
        .connect(false)
        .read(false)
        .status(false)
        .is_exhausted());
}

#[test]
fn retry_headers_removed_on_redirect() {
    let d = Retry::DEFAULT;
    for name in [
        "Authorization",
        "authorization",
        "COOKIE",
        "proxy-authorization",
    ] {
        assert!(d.should_remove_header_on_redirect(name), "{name}");
    }
    for name in ["Accept", "X-Authorization", ""] {
        assert!(!d.should_remove_header_on_redirect(name), "{name}");
    }
    let spec = Retry::new(3).remove_headers_on_redirect(["Authorization"]);
    assert!(spec.should_remove_header_on_redirect("AUTHORIZATION"));
    assert!(!spec.should_remove_header_on_redirect("Cookie"));
    let none = Retry::new(3).remove_headers_on_redirect(Vec::<&str>::new());
    assert!(!none.should_remove_header_on_redirect("Authorization"));
}

#[test]
fn retry_debug_is_the_spec_repr_and_alternate_shows_all() {
    let r = Retry::new(3).connect(1).status_forcelist([503]);
    assert_eq!(
        format!("{r:?}"),
        "Retry(total=3, connect=1, read=None, redirect=None, status=None)"
    );
    let full = format!("{r:#?}");
    assert!(full.starts_with("Retry {"), "{full}");
    assert!(
        full.contains("status_forcelist: [\n        503,\n    ]"),
        "{full}"
    );
    assert!(full.contains("remove_headers_on_redirect"), "{full}");
}

#[test]
fn retry_response_info_finds_redirect_locations() {
    let h = headers(&[("Location", "/next"), ("location", "/other")]);
    for status in [301, 302, 303, 307, 308] {
        let info = ResponseInfo::new(status, &h);
        assert_eq!(info.redirect_location, Some("/next"), "{status}");
        assert_eq!(info.status, status);
    }
    for status in [200, 300, 304, 404, 503] {
        assert_eq!(
            ResponseInfo::new(status, &h).redirect_location,
            None,
            "{status}"
        );
    }
    let empty = headers(&[]);
    assert_eq!(ResponseInfo::new(302, &empty).redirect_location, None);
    assert_eq!(ResponseInfo::REDIRECT_STATUSES, [301, 302, 303, 307, 308]);
}

#[test]
fn retry_types_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Retry>();
    check::<Retries>();
    check::<hip_core::retry::RequestHistory>();
    check::<hip_core::timeout::Timeout>();
}
