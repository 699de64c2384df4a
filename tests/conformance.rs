//! Conformance with urllib3 1.26 where hip differed (issue 10), through both APIs: the retry
//! history field by field, `Retry(other=...)`, `release_conn`, `enforce_content_length`,
//! default headers and `SKIP_HEADER`, redirect locations, built responses and helpers.

#[macro_use]
mod dual;

use hip::{ErrorKind, Retry};
use hip_test_support as support;
use support::HttpBin;

dual_test! {
    fn retry_history_after_a_303_records_the_get_it_was_followed_with() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/redirect-to?url=/get&status_code=303");
        let r = send!(http.request("POST", &url).body("x")).unwrap();
        assert_eq!(r.status(), 200);
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 1);
        // urllib3's PoolManager switches the method before it calls `increment`.
        assert_eq!(history[0].method.as_deref(), Some("GET"));
        assert_eq!(history[0].url.as_deref(), Some(url.as_str()));
        assert_eq!(history[0].status, Some(303));
        assert_eq!(history[0].redirect_location.as_deref(), Some("/get"));
        assert!(history[0].error.is_none());
    }
}

dual_test! {
    fn retry_history_of_status_retries_under_a_manager_records_the_request_path() {
        let server = HttpBin::start();
        let http = manager!();
        let path = "/flaky/history-path/1/503?a=b";
        let r = send!(http
            .request("GET", server.url(path))
            .retries(Retry::new(3).status_forcelist([503])))
        .unwrap();
        assert_eq!(r.status(), 200);
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 1);
        // The manager hands its pool the request target, which is what the entry records.
        assert_eq!(history[0].url.as_deref(), Some(path));
        assert_eq!(history[0].method.as_deref(), Some("GET"));
        assert_eq!(history[0].status, Some(503));
        assert_eq!(history[0].redirect_location, None);
    }
}

dual_test! {
    fn retry_history_of_a_pool_records_the_url_it_was_given() {
        let server = HttpBin::start();
        let pool = pool!(&server.url("/"), hip::PoolOptions::default());
        let r = send!(pool
            .request("GET", "/flaky/history-pool/1/503")
            .retries(Retry::new(3).status_forcelist([503])))
        .unwrap();
        assert_eq!(r.status(), 200);
        let history = &r.retries().unwrap().history;
        assert_eq!(history[0].url.as_deref(), Some("/flaky/history-pool/1/503"));
    }
}

dual_test! {
    fn max_retry_error_of_status_retries_still_names_the_whole_url() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/status/503");
        let err = send!(http
            .request("GET", &url)
            .retries(Retry::new(1).status_forcelist([503])))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.url(), Some(url.as_str()));
        assert_eq!(err.reason().unwrap().message(), "too many 503 error responses");
    }
}

dual_test! {
    fn default_headers_are_urllib3s_with_hip_as_the_user_agent() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header("user-agent"), Some(hip::DEFAULT_USER_AGENT));
        assert!(hip::DEFAULT_USER_AGENT.starts_with("hip/"));
        // Python's http.client adds `Accept-Encoding: identity` under urllib3.
        assert_eq!(q.header("accept-encoding"), Some("identity"));

        // The caller's own values win, and are sent once.
        let r = send!(http
            .request("GET", server.url("/get"))
            .headers([("User-Agent", "Batman/1.0"), ("Accept-Encoding", "gzip")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header_all("user-agent"), ["Batman/1.0"]);
        assert_eq!(q.header_all("accept-encoding"), ["gzip"]);
    }
}

dual_test! {
    fn skip_header_leaves_out_a_default_header() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get")).headers([
            ("User-Agent", hip::SKIP_HEADER),
            ("Accept-Encoding", hip::SKIP_HEADER),
        ]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header("user-agent"), None);
        assert_eq!(q.header("accept-encoding"), None);
        assert!(q.header("host").is_some());
    }
}

dual_test! {
    fn skip_header_on_a_header_urllib3_cannot_skip_fails_before_connecting() {
        let server = HttpBin::start();
        let http = manager!();
        let err = send!(http
            .request("GET", server.url("/get"))
            .headers([("Accept", hip::SKIP_HEADER)]))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
        let text = err.to_string();
        assert!(text.contains("\"Accept\"") && text.contains("'User-Agent'"), "{text}");
        assert!(server.requests().is_empty());
        assert_eq!(hip::SKIPPABLE_HEADERS, ["Accept-Encoding", "Host", "User-Agent"]);
    }
}

dual_test! {
    fn forwarded_requests_carry_urllib3s_accept_unless_the_caller_set_one() {
        let server = HttpBin::start();
        let proxy = support::proxy::HttpProxy::start();
        let http = proxy_manager!(proxy.url());
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(http
            .request("GET", server.url("/get"))
            .headers([("Accept", "application/json")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let seen = proxy.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].header("accept"), Some("*/*"));
        assert_eq!(seen[0].header("user-agent"), Some(hip::DEFAULT_USER_AGENT));
        assert_eq!(seen[1].header("accept"), Some("application/json"));
    }
}
