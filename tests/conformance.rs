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
