//! `Retry::increment`: which counter each failure spends, the history it leaves, and the
//! errors it gives up with.

use hip_core::retry::{ResponseInfo, Retry, RetryCount};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

const URL: &str = "http://example.test/a";

fn err(kind: ErrorKind) -> Error {
    Error::new(kind, format!("a {kind} happened"))
}

fn location(to: &str) -> HttpHeaderDict {
    let mut h = HttpHeaderDict::new();
    h.add("Location", to);
    h
}

fn inc_err(r: &Retry, method: &str, kind: ErrorKind) -> Result<Retry, Error> {
    r.increment(Some(method), Some(URL), None, Some(err(kind)))
}

fn inc_resp(r: &Retry, method: &str, info: &ResponseInfo<'_>) -> Result<Retry, Error> {
    r.increment(Some(method), Some(URL), Some(info), None)
}

#[test]
fn retry_increment_connection_errors_spend_connect() {
    let r = Retry::new(3).connect(1);
    let r = inc_err(&r, "POST", ErrorKind::ConnectTimeout).unwrap();
    assert_eq!(
        r.to_string(),
        "Retry(total=2, connect=0, read=None, redirect=None, status=None)"
    );
    let e = inc_err(&r, "POST", ErrorKind::NewConnection).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.url(), Some(URL));
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::NewConnection);
    assert_eq!(
        e.reason().unwrap().message(),
        "a NewConnectionError happened"
    );
    assert!(
        e.to_string()
            .starts_with("MaxRetryError: Max retries exceeded with url: http://example.test/a"),
        "{e}"
    );
}

#[test]
fn retry_increment_proxy_errors_count_as_connect_only_when_caused_by_one() {
    let r = Retry::new(5).connect(2);
    let proxy_connect = Error::new(ErrorKind::Proxy, "Cannot connect to proxy.")
        .with_source(err(ErrorKind::NewConnection));
    assert!(Retry::is_connection_error(&proxy_connect));
    let r1 = r
        .increment(Some("GET"), Some(URL), None, Some(proxy_connect))
        .unwrap();
    assert_eq!(r1.connect, RetryCount::Count(1));
    assert_eq!(r1.total, RetryCount::Count(4));

    let proxy_other =
        Error::new(ErrorKind::Proxy, "proxy said no").with_source(std::io::Error::other("refused"));
    assert!(!Retry::is_connection_error(&proxy_other));
    assert!(!Retry::is_read_error(&proxy_other));
    let r2 = r
        .increment(Some("GET"), Some(URL), None, Some(proxy_other))
        .unwrap();
    assert_eq!(r2.connect, RetryCount::Count(2));
    assert_eq!(r2.total, RetryCount::Count(4));
}

#[test]
fn retry_error_classification() {
    for kind in [ErrorKind::ConnectTimeout, ErrorKind::NewConnection] {
        assert!(Retry::is_connection_error(&err(kind)), "{kind}");
        assert!(!Retry::is_read_error(&err(kind)), "{kind}");
    }
    for kind in [
        ErrorKind::ReadTimeout,
        ErrorKind::Protocol,
        ErrorKind::IncompleteRead,
        ErrorKind::BadVersion,
    ] {
        assert!(Retry::is_read_error(&err(kind)), "{kind}");
        assert!(!Retry::is_connection_error(&err(kind)), "{kind}");
    }
    for kind in [
        ErrorKind::Ssl,
        ErrorKind::Decode,
        ErrorKind::Proxy,
        ErrorKind::HeaderParsing,
    ] {
        assert!(!Retry::is_read_error(&err(kind)), "{kind}");
        assert!(!Retry::is_connection_error(&err(kind)), "{kind}");
    }
}

#[test]
fn retry_increment_read_errors_spend_read_for_idempotent_methods() {
    for kind in [
        ErrorKind::ReadTimeout,
        ErrorKind::Protocol,
        ErrorKind::IncompleteRead,
        ErrorKind::BadVersion,
    ] {
        let r = Retry::new(3).read(1);
        let r = inc_err(&r, "GET", kind).unwrap();
        assert_eq!(r.read, RetryCount::Count(0), "{kind}");
        assert_eq!(r.total, RetryCount::Count(2), "{kind}");
        assert_eq!(r.connect, RetryCount::Unlimited, "{kind}");
        let e = inc_err(&r, "PUT", kind).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MaxRetry, "{kind}");
        assert_eq!(e.reason().unwrap().kind(), kind);
    }
}

#[test]
fn retry_increment_read_error_on_post_is_returned_unchanged() {
    let r = Retry::new(3);
    let e = inc_err(&r, "POST", ErrorKind::ReadTimeout).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadTimeout);
    assert_eq!(e.message(), "a ReadTimeoutError happened");
    // Lower case is the same method.
    let e = inc_err(&r, "post", ErrorKind::Protocol).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    // Without a method it cannot be known safe...
    let e = r
        .increment(None, Some(URL), None, Some(err(ErrorKind::ReadTimeout)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadTimeout);
    // ...unless every method may be retried.
    let any = Retry::new(3).method_whitelist_any();
    let r2 = any
        .increment(None, Some(URL), None, Some(err(ErrorKind::ReadTimeout)))
        .unwrap();
    assert_eq!(r2.total, RetryCount::Count(2));
    let r3 = inc_err(&any, "POST", ErrorKind::ReadTimeout).unwrap();
    assert_eq!(r3.total, RetryCount::Count(2));
}

#[test]
fn retry_increment_disabled_counters_reraise() {
    // total=False: any error comes back as it is, never wrapped.
    let off = Retry::disabled();
    for kind in [
        ErrorKind::NewConnection,
        ErrorKind::ReadTimeout,
        ErrorKind::Ssl,
    ] {
        let e = inc_err(&off, "GET", kind).unwrap_err();
        assert_eq!(e.kind(), kind);
        assert_eq!(e.message(), format!("a {kind} happened"));
    }
    // connect=False re-raises connection errors only.
    let r = Retry::new(3).connect(false);
    assert_eq!(
        inc_err(&r, "GET", ErrorKind::ConnectTimeout)
            .unwrap_err()
            .kind(),
        ErrorKind::ConnectTimeout
    );
    assert_eq!(
        inc_err(&r, "GET", ErrorKind::ReadTimeout).unwrap().total,
        RetryCount::Count(2)
    );
    // read=False re-raises read errors only.
    let r = Retry::new(3).read(false);
    assert_eq!(
        inc_err(&r, "GET", ErrorKind::IncompleteRead)
            .unwrap_err()
            .kind(),
        ErrorKind::IncompleteRead
    );
    assert_eq!(
        inc_err(&r, "GET", ErrorKind::NewConnection).unwrap().total,
        RetryCount::Count(2)
    );
}

#[test]
fn retry_increment_other_errors_spend_total_only() {
    let r = Retry::new(1).connect(5).read(5).status(5).redirect(5);
    let r = inc_err(&r, "GET", ErrorKind::Ssl).unwrap();
    assert_eq!(
        r.to_string(),
        "Retry(total=0, connect=5, read=5, redirect=5, status=5)"
    );
    let e = inc_err(&r, "GET", ErrorKind::Decode).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::Decode);
}

#[test]
fn retry_increment_total_zero_fails_on_first_retry() {
    let e = inc_err(&Retry::new(0), "GET", ErrorKind::ReadTimeout).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::ReadTimeout);
    // A generic increment (no error, no response) gives the generic ResponseError.
    let e = Retry::new(0)
        .increment(Some("GET"), Some(URL), None, None)
        .unwrap_err();
    let reason = e.reason().unwrap();
    assert_eq!(reason.kind(), ErrorKind::Response);
    assert_eq!(reason.message(), "too many error responses");
    assert_eq!(reason.status(), None);
}

#[test]
fn retry_increment_redirects_spend_redirect_and_record_location() {
    let h = location("/next");
    let info = ResponseInfo::new(301, &h);
    let r = inc_resp(&Retry::new(5).redirect(1), "GET", &info).unwrap();
    assert_eq!(r.redirect, RetryCount::Count(0));
    assert_eq!(r.total, RetryCount::Count(4));
    assert_eq!(r.status, RetryCount::Unlimited);
    let last = r.history.last().unwrap();
    assert_eq!(last.status, Some(301));
    assert_eq!(last.redirect_location.as_deref(), Some("/next"));
    assert!(last.error.is_none());

    let e = inc_resp(&r, "GET", &info).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    let reason = e.reason().unwrap();
    assert_eq!(reason.kind(), ErrorKind::Response);
    assert_eq!(reason.message(), "too many redirects");
    assert_eq!(
        e.to_string(),
        "MaxRetryError: Max retries exceeded with url: http://example.test/a"
    );
    assert_eq!(
        format!("{e:#}"),
        "MaxRetryError: Max retries exceeded with url: http://example.test/a \
         (Caused by ResponseError: too many redirects)"
    );
}

#[test]
fn retry_user_guide_retry_3_redirect_2_exhausts_on_the_third_redirect() {
    // http.request('GET', '/redirect/3', retries=Retry(3, redirect=2)) -> MaxRetryError
    let hops = [
        location("/redirect/2"),
        location("/redirect/1"),
        location("/get"),
    ];
    let mut r = Retry::new(3).redirect(2);
    let mut outcome = Vec::new();
    for h in &hops {
        match inc_resp(&r, "GET", &ResponseInfo::new(302, h)) {
            Ok(next) => {
                outcome.push(format!("ok {}", next.redirect));
                r = next;
            }
            Err(e) => {
                outcome.push(format!("{}", e.kind()));
                assert!(r.raise_on_redirect, "the driver raises this MaxRetryError");
                break;
            }
        }
    }
    assert_eq!(outcome, ["ok 1", "ok 0", "MaxRetryError"]);
    let seen: Vec<_> = r
        .history
        .iter()
        .map(|h| h.redirect_location.clone().unwrap())
        .collect();
    assert_eq!(seen, ["/redirect/2", "/redirect/1"]);

    // Retry(redirect=2, raise_on_redirect=False): the same exhaustion, but the driver hands
    // back the third 302 instead of raising.
    let r = Retry::new(10).redirect(2).raise_on_redirect(false);
    let r = inc_resp(&r, "GET", &ResponseInfo::new(302, &hops[0])).unwrap();
    let r = inc_resp(&r, "GET", &ResponseInfo::new(302, &hops[1])).unwrap();
    let e = inc_resp(&r, "GET", &ResponseInfo::new(302, &hops[2])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert!(!r.raise_on_redirect);
}

#[test]
fn retry_retries_false_gives_back_the_redirect() {
    // retries=False with a 302: increment gives up at once, and raise_on_redirect is false,
    // so the driver returns the 302 (r.status == 302 in the user guide).
    let r = Retry::from_int(false, true, None);
    let h = location("/elsewhere");
    let e = inc_resp(&r, "GET", &ResponseInfo::new(302, &h)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.reason().unwrap().message(), "too many redirects");
    assert!(!r.raise_on_redirect);

    // redirect=False keeps retries but not redirects.
    let r = Retry::from_int(3u32, false, None);
    let e = inc_resp(&r, "GET", &ResponseInfo::new(302, &h)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert!(!r.raise_on_redirect);
    assert_eq!(
        inc_err(&r, "GET", ErrorKind::ConnectTimeout).unwrap().total,
        RetryCount::Count(2)
    );
}

#[test]
fn retry_increment_forced_statuses_spend_status() {
    let empty = HttpHeaderDict::new();
    let info = ResponseInfo::new(500, &empty);
    let r = Retry::new(3).status(1).status_forcelist([500]);
    let r = inc_resp(&r, "GET", &info).unwrap();
    assert_eq!(
        r.to_string(),
        "Retry(total=2, connect=None, read=None, redirect=None, status=0)"
    );
    assert_eq!(r.history[0].status, Some(500));
    assert_eq!(r.history[0].redirect_location, None);

    let e = inc_resp(&r, "GET", &info).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    let reason = e.reason().unwrap();
    assert_eq!(reason.kind(), ErrorKind::Response);
    assert_eq!(reason.message(), "too many 500 error responses");
    assert_eq!(reason.status(), Some(500));

    // A 3xx without Location is not a redirect: it spends status.
    let r = inc_resp(
        &Retry::new(3).status(4),
        "GET",
        &ResponseInfo::new(302, &empty),
    )
    .unwrap();
    assert_eq!(r.status, RetryCount::Count(3));
    assert_eq!(r.redirect, RetryCount::Unlimited);
    // So does an empty redirect location.
    let info = ResponseInfo {
        status: 303,
        headers: &empty,
        redirect_location: Some(""),
    };
    let r = inc_resp(&Retry::new(3).status(4), "GET", &info).unwrap();
    assert_eq!(r.status, RetryCount::Count(3));
}

#[test]
fn retry_increment_total_false_with_a_response_is_exhausted() {
    // As in the spec's Python, False - 1 == -1: a forced status with total=False gives up.
    let empty = HttpHeaderDict::new();
    let r = Retry::disabled().status_forcelist([503]);
    let e = inc_resp(&r, "GET", &ResponseInfo::new(503, &empty)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(
        e.reason().unwrap().message(),
        "too many 503 error responses"
    );
    assert!(r.raise_on_status);
}

#[test]
fn retry_increment_keeps_history_in_order_and_leaves_the_original_alone() {
    let start = Retry::new(10);
    let h302 = location("/b");
    let empty = HttpHeaderDict::new();
    let r = start
        .increment(
            Some("GET"),
            Some("/a"),
            None,
            Some(err(ErrorKind::ConnectTimeout)),
        )
        .unwrap();
    let r = r
        .increment(
            Some("GET"),
            Some("/a"),
            Some(&ResponseInfo::new(302, &h302)),
            None,
        )
        .unwrap();
    let r = r
        .increment(
            Some("GET"),
            Some("/b"),
            Some(&ResponseInfo::new(503, &empty)),
            None,
        )
        .unwrap();
    let r = r
        .increment(
            Some("GET"),
            Some("/b"),
            None,
            Some(err(ErrorKind::ReadTimeout)),
        )
        .unwrap();

    assert!(start.history.is_empty());
    assert_eq!(start.total, RetryCount::Count(10));
    assert_eq!(r.total, RetryCount::Count(6));

    let rows: Vec<String> = r
        .history
        .iter()
        .map(|h| {
            format!(
                "{} {} {} {:?} {:?}",
                h.method.as_deref().unwrap_or("-"),
                h.url.as_deref().unwrap_or("-"),
                h.error
                    .as_ref()
                    .map_or("-".to_string(), |e| e.kind().to_string()),
                h.status,
                h.redirect_location,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "GET /a ConnectTimeoutError None None",
            "GET /a - Some(302) Some(\"/b\")",
            "GET /b - Some(503) None",
            "GET /b ReadTimeoutError None None",
        ]
    );
}

#[test]
fn retry_unlimited_total_relies_on_the_other_counts() {
    let mut r = Retry::new(None);
    for _ in 0..50 {
        r = inc_err(&r, "GET", ErrorKind::ReadTimeout).unwrap();
    }
    assert_eq!(r.total, RetryCount::Unlimited);
    assert_eq!(r.history.len(), 50);

    let r = Retry::new(None).connect(0);
    let e = inc_err(&r, "GET", ErrorKind::ConnectTimeout).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::ConnectTimeout);
}

#[test]
fn retry_max_retry_without_url_carries_none() {
    let e = Retry::new(0)
        .increment(
            Some("GET"),
            None,
            None,
            Some(err(ErrorKind::ConnectTimeout).with_pool("P")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.url(), None);
    assert_eq!(e.pool(), Some("P"));
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::ConnectTimeout);
    assert_eq!(e.to_string(), "MaxRetryError: Max retries exceeded");
    assert_eq!(
        format!("{e:#}"),
        "MaxRetryError: Max retries exceeded (Caused by ConnectTimeoutError: P: a ConnectTimeoutError happened)"
    );
}

#[test]
fn retry_increment_keeps_settings() {
    let r = Retry::new(4)
        .backoff_factor(0.3)
        .status_forcelist([502])
        .raise_on_status(false)
        .respect_retry_after_header(false)
        .method_whitelist(["GET"])
        .remove_headers_on_redirect(["X-A"]);
    let n = inc_err(&r, "GET", ErrorKind::ReadTimeout).unwrap();
    assert_eq!(n.backoff_factor, 0.3);
    assert_eq!(&*n.status_forcelist, [502]);
    assert!(!n.raise_on_status);
    assert!(n.raise_on_redirect);
    assert!(!n.respect_retry_after_header);
    assert!(n.is_method_retryable("get") && !n.is_method_retryable("HEAD"));
    assert!(n.should_remove_header_on_redirect("x-a"));
    assert!(!n.should_remove_header_on_redirect("Authorization"));
}

#[test]
fn retry_other_errors_spend_other_not_connect_or_read() {
    // urllib3 1.26: an error that is neither a connection nor a read error (an SSLError from
    // a handshake cut short) spends `other`, whatever the method.
    let r = Retry::new(5).other(1);
    assert_eq!(r.other, RetryCount::Count(1));
    let r1 = inc_err(&r, "POST", ErrorKind::Ssl).unwrap();
    assert_eq!(r1.other, RetryCount::Count(0));
    assert_eq!(r1.connect, RetryCount::Unlimited);
    assert_eq!(r1.read, RetryCount::Unlimited);
    assert_eq!(r1.total, RetryCount::Count(4));
    assert_eq!(r1.history.len(), 1);
    assert_eq!(r1.history[0].error.as_ref().unwrap().kind(), ErrorKind::Ssl);
    assert_eq!(r1.history[0].status, None);
    let e = inc_err(&r1, "POST", ErrorKind::Ssl).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    assert_eq!(e.reason().unwrap().kind(), ErrorKind::Ssl);
}

#[test]
fn retry_other_zero_exhausts_on_the_first_other_error_but_not_on_read_errors() {
    let r = Retry::new(5).other(0);
    // A read error does not touch `other`.
    let r1 = inc_err(&r, "GET", ErrorKind::ReadTimeout).unwrap();
    assert_eq!(r1.other, RetryCount::Count(0));
    assert!(!r1.is_exhausted());
    let e = inc_err(&r1, "GET", ErrorKind::Ssl).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
    // `other=False` is not a re-raise switch in urllib3 1.26: it exhausts like 0.
    let disabled = Retry::new(5).other(RetryCount::Disabled);
    let e = inc_err(&disabled, "GET", ErrorKind::Ssl).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaxRetry);
}

#[test]
fn retry_other_error_with_a_redirect_response_counts_as_other() {
    // urllib3 checks the error before the response: an error wins over a redirect.
    let h = location("/next");
    let info = ResponseInfo::new(302, &h);
    let r = Retry::new(5).other(3);
    let r1 = r
        .increment(
            Some("GET"),
            Some(URL),
            Some(&info),
            Some(err(ErrorKind::Ssl)),
        )
        .unwrap();
    assert_eq!(r1.other, RetryCount::Count(2));
    assert_eq!(r1.redirect, RetryCount::Unlimited);
    assert_eq!(r1.history[0].redirect_location, None);
}

#[test]
fn retry_other_is_part_of_identity() {
    assert_ne!(Retry::new(3).other(1), Retry::new(3));
    assert_eq!(Retry::new(3).other(1), Retry::new(3).other(1));
}
