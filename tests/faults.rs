//! Faults no well-behaved server produces, from scripted raw-TCP servers: each is checked
//! through both APIs for the exact error kind (and that the pool stays usable).

#[macro_use]
mod dual;

use hip::{ErrorKind, Retry, Timeout};
use hip_test_support as support;
use support::{RawServer, Step};

fn url(server: &RawServer, path: &str) -> String {
    server.url(path)
}

dual_test! {
    fn close_before_response_is_protocol_error() {
        let server = RawServer::close_before_response();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
        assert!(err.to_string().contains("without a response"), "{err}");
        // With retries, the same failure is retried and reported as MaxRetry with the cause.
        let err = send!(http.request("GET", url(&server, "/")).retries(2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::Protocol);
        assert_eq!(server.connections(), 1 + 3);
    }
}

dual_test! {
    fn close_mid_body_is_incomplete_read() {
        let server = RawServer::close_mid_body();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompleteRead, "{err}");
        // Streaming: the first bytes arrive, then the short body is an error, not EOF.
        let mut r = send!(http
            .request("GET", url(&server, "/"))
            .retries(false)
            .preload_content(false))
        .unwrap();
        assert_eq!(&call!(r.read(Some(10))).unwrap()[..], b"0123456789");
        let err = call!(r.read(None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompleteRead, "{err}");
    }
}

dual_test! {
    fn stale_keep_alive_connection_is_replaced() {
        let server = RawServer::stale_keep_alive();
        let http = manager!();
        let r = send!(http.request("GET", url(&server, "/a"))).unwrap();
        assert_eq!(r.status(), 200);
        // The server closes the idle connection; the next request must not fail.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let r = send!(http.request("GET", url(&server, "/b")).retries(false)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.connections(), 2);
    }
}

dual_test! {
    fn reset_after_request_is_protocol_error() {
        let server = RawServer::reset_after_request();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    }
}

dual_test! {
    fn slow_trickle_past_read_timeout() {
        let server = RawServer::slow_trickle();
        let http = manager!();
        // Each byte comes within 0.2 s of the last, so a 1 s read timeout is never hit.
        let r = send!(http
            .request("GET", url(&server, "/"))
            .timeout(Timeout::new().read(1.0)))
        .unwrap();
        assert_eq!(&r.data()[..], b"0123456789");
        // A 0.05 s read timeout is hit between two bytes.
        let err = send!(http
            .request("GET", url(&server, "/"))
            .retries(false)
            .timeout(Timeout::new().read(0.05)))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        assert!(err.is_timeout());
        assert!(err.to_string().contains("read timeout=0.05"), "{err}");
    }
}

dual_test! {
    fn garbage_status_line_is_protocol_error() {
        let server = RawServer::garbage_status_line();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert!(err.is_protocol_error(), "{err}");
    }
}

dual_test! {
    fn oversized_headers_are_refused() {
        let server = RawServer::oversized_headers();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert!(err.is_protocol_error(), "{err}");
        assert!(err.to_string().contains("65536") || err.to_string().contains("100"), "{err}");
    }
}

dual_test! {
    fn differing_content_lengths_are_refused() {
        let server = RawServer::duplicate_content_length();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
        assert!(err.to_string().to_lowercase().contains("content-length"), "{err}");
    }
}

dual_test! {
    fn http2_status_line_is_bad_version() {
        let server = RawServer::http2_status_line();
        let http = manager!();
        let err = send!(http.request("GET", url(&server, "/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadVersion, "{err}");
        assert!(err.is_protocol_error());
    }
}

dual_test! {
    fn informational_responses_are_skipped() {
        let server = RawServer::informational_then_ok();
        let http = manager!();
        let r = send!(http.request("GET", url(&server, "/"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&r.data()[..], b"ok");
    }
}

dual_test! {
    fn chunked_body_with_trailers() {
        let server = RawServer::chunked_with_trailers();
        let http = manager!(b => b.maxsize(1));
        for _ in 0..2 {
            let r = send!(http.request("GET", url(&server, "/"))).unwrap();
            assert_eq!(&r.data()[..], b"hello world");
        }
        assert_eq!(server.connections(), 1);
    }
}

dual_test! {
    fn read_errors_on_post_are_not_retried() {
        let server = RawServer::close_before_response();
        let http = manager!();
        let err = send!(http
            .request("POST", url(&server, "/"))
            .body("data")
            .retries(Retry::new(3)))
        .unwrap_err();
        // POST is not in the method whitelist: the read error comes back as it is.
        assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
        assert_eq!(server.connections(), 1);
    }
}

dual_test! {
    fn a_whole_second_timeout_is_not_printed_as_a_bare_integer() {
        // Timeouts are reported as urllib3 reports its float seconds: "(read timeout=1.0)"
        // and "(connect timeout=1.0)", never "=1".
        let server = support::HttpBin::start();
        let http = manager!(b => b.retries(false));
        let err = send!(http
            .request("GET", server.url("/delay/5").as_str())
            .timeout(Timeout::new().read(1.0)))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        assert!(err.to_string().contains("(read timeout=1.0)"), "{err}");

        // A listener that accepts and never answers the TLS hello: the pool's connect
        // deadline covers the handshake.
        let silent = RawServer::start(vec![vec![Step::KeepOpen]]);
        let port = silent.port();
        let url = format!("https://127.0.0.1:{port}/");
        let err = send!(http
            .request("GET", url.as_str())
            .timeout(Timeout::new().connect(1.0).read(10.0)))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
        assert!(
            err.to_string()
                .contains("Connection to 127.0.0.1 timed out. (connect timeout=1.0)"),
            "{err}"
        );
    }
}
