//! Hostile and broken servers, through both APIs: every wait bounded, nothing a server sends
//! can desynchronise a pooled connection, no host name goes out truncated, an empty
//! `Location` is not followed. Each test is named after the class of defect it closes.

#[macro_use]
mod dual;

use std::time::{Duration, Instant};

use hip::{ErrorKind, Retry, Timeout};
use hip_test_support as support;
use support::proxy::{SocksDest, SocksServer};
use support::{HttpBin, RawServer, Step, OK_RESPONSE};

/// A host name of `len` bytes made of 50-byte labels (each label within DNS's 63).
fn long_host(len: usize) -> String {
    let mut host = String::new();
    while host.len() < len {
        if !host.is_empty() {
            host.push('.');
        }
        let room = len - host.len();
        host.push_str(&"a".repeat(room.min(50)));
    }
    assert_eq!(host.len(), len);
    host
}

/// An upper bound for tests that must end by themselves; not a performance assertion.
const HANG: Duration = Duration::from_secs(30);

// ---- 1. bytes after a complete response --------------------------------------------------

dual_test! {
    fn a_second_response_in_the_same_write_never_answers_the_next_request() {
        let two = [OK_RESPONSE, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong"].concat();
        let server = RawServer::with_default(
            vec![vec![Step::ReadRequest, Step::write(&two), Step::ReadRequest, Step::write(OK_RESPONSE)]],
            vec![Step::Repeat(vec![Step::ReadRequest, Step::write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nright")])],
        );
        let http = manager!();
        assert_eq!(send!(http.request("GET", server.url("/a"))).unwrap().data().as_ref(), b"ok");
        let r = send!(http.request("GET", server.url("/b"))).unwrap();
        assert_eq!(r.data().as_ref(), b"right", "the stray response must not answer /b");
        assert_eq!(server.connections(), 2);
    }
}

dual_test! {
    fn a_response_nobody_asked_for_later_never_answers_the_next_request() {
        let stray = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong";
        let server = RawServer::with_default(
            vec![vec![
                Step::ReadRequest,
                Step::write(OK_RESPONSE),
                Step::Sleep(Duration::from_millis(50)),
                Step::write(stray),
                Step::ReadRequest,
                Step::write(OK_RESPONSE),
            ]],
            vec![Step::Repeat(vec![Step::ReadRequest, Step::write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nright")])],
        );
        let http = manager!();
        assert_eq!(send!(http.request("GET", server.url("/a"))).unwrap().data().as_ref(), b"ok");
        std::thread::sleep(Duration::from_millis(300));
        let r = send!(http.request("GET", server.url("/b"))).unwrap();
        assert_eq!(r.data().as_ref(), b"right", "the stray response must not answer /b");
        assert_eq!(server.connections(), 2);
    }
}

// ---- 2. SOCKS host names over the protocol's limit ---------------------------------------

dual_test! {
    fn a_socks_host_name_over_255_bytes_is_refused_before_any_byte_is_sent() {
        let socks = SocksServer::start();
        for scheme in ["socks5h", "socks4a"] {
            let http = socks_manager!(socks.url(scheme), b => b.retries(false));
            // 255 bytes go out whole (the proxy cannot resolve them; that is its answer).
            let ok = long_host(255);
            let err = send!(http.request("GET", format!("http://{ok}/"))).unwrap_err();
            assert_ne!(err.kind(), ErrorKind::InvalidValue, "{scheme}: {err:#}");
            let seen = socks.requests().into_iter().last().expect("the proxy was asked");
            assert_eq!(seen.dest, SocksDest::Domain(ok.clone()), "{scheme}");
            let before = socks.connections();
            for len in [256, 300, 1000] {
                let host = long_host(len);
                let err = send!(http.request("GET", format!("http://{host}/"))).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidValue, "{scheme} {len}: {err:#}");
                assert!(err.message().contains(&format!("{len} bytes long")), "{err}");
                assert!(err.message().contains("at most 255 bytes"), "{err}");
            }
            assert_eq!(socks.connections(), before, "{scheme}: nothing was sent to the proxy");
        }
    }
}

dual_test! {
    fn a_redirect_to_a_long_host_through_socks_is_an_error_not_a_panic() {
        let socks = SocksServer::start();
        let origin = HttpBin::start();
        let http = socks_manager!(socks.url("socks5h"), b => b.retries(Retry::new(3)));
        let target = format!("http://{}/", long_host(1000));
        let url = format!(
            "http://localhost:{}/redirect-to?url={}",
            origin.port(),
            target
        );
        let err = send!(http.request("GET", url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err:#}");
    }
}

// ---- 3. sending is bounded -----------------------------------------------------------------

dual_test! {
    fn a_server_that_never_reads_cannot_hold_a_large_upload_forever() {
        // Accepts, never reads, never answers.
        let server = RawServer::with_default(vec![], vec![Step::KeepOpen]);
        let http = manager!(b => b.retries(false).timeout(Timeout::new().connect(1.0).read(1.0)));
        let body = vec![b'x'; 64 << 20];
        let started = Instant::now();
        let err = send!(http.request("POST", server.url("/upload")).body(body)).unwrap_err();
        assert!(started.elapsed() < HANG, "the send was not bounded");
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err:#}");
        assert!(err.message().starts_with("Write timed out"), "{err}");
    }
}

// ---- 4. interim responses are bounded ------------------------------------------------------

/// A server that reads the request, then sends `100 Continue` every `interval`, forever.
fn interim_forever(interval: Duration) -> RawServer {
    RawServer::with_default(
        vec![],
        vec![
            Step::ReadRequest,
            Step::Repeat(vec![
                Step::write(b"HTTP/1.1 100 Continue\r\n\r\n"),
                Step::Sleep(interval),
            ]),
        ],
    )
}

dual_test! {
    fn endless_interim_responses_cannot_hold_a_request() {
        let server = interim_forever(Duration::from_millis(10));
        let http = manager!(b => b.retries(false).timeout(Timeout::new().connect(1.0).read(1.0)));
        let started = Instant::now();
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert!(started.elapsed() < HANG, "interim responses were not bounded");
        assert!(
            err.kind() == ErrorKind::ReadTimeout || err.message().contains("interim (1xx) responses"),
            "{err:#}"
        );
    }
}

dual_test! {
    fn slow_interim_responses_count_against_the_read_timeout() {
        // One 100 Continue every 0.3 s: fewer than the cap before the 1 s read timeout.
        let server = interim_forever(Duration::from_millis(300));
        let http = manager!(b => b.retries(false).timeout(Timeout::new().connect(1.0).read(1.0)));
        let started = Instant::now();
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert!(started.elapsed() < HANG);
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err:#}");
    }
}

// ---- 5. an empty Location -------------------------------------------------------------------

dual_test! {
    fn an_empty_location_is_not_followed() {
        let server = RawServer::respond_always(b"HTTP/1.1 302 Found\r\nLocation: \r\nContent-Length: 0\r\n\r\n");
        let http = manager!();
        let r = send!(http.request("GET", server.url("/here"))).unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(server.all_requests().len(), 1);
    }
}

// ---- 6. Retry-After is capped --------------------------------------------------------------

dual_test! {
    fn a_huge_retry_after_is_capped_by_retry_after_max() {
        let server = RawServer::with_default(
            vec![vec![
                Step::ReadRequest,
                Step::write(b"HTTP/1.1 503 Busy\r\nRetry-After: 99999999\r\nContent-Length: 0\r\n\r\n"),
                Step::Close,
            ]],
            vec![Step::Repeat(vec![Step::ReadRequest, Step::write(OK_RESPONSE)])],
        );
        let http = manager!();
        let started = Instant::now();
        let retry = Retry::new(1).status_forcelist([503]).retry_after_max(0.2);
        let r = send!(http.request("GET", server.url("/")).retries(retry)).unwrap();
        assert_eq!(r.status(), 200);
        assert!(started.elapsed() < HANG, "Retry-After was not capped");
        // The default cap is urllib3 2.x's: six hours, not three years.
        assert_eq!(Retry::DEFAULT.retry_after_max, 21_600.0);
    }
}

// ---- 7. a deadline for the whole call ------------------------------------------------------

dual_test! {
    fn a_deadline_bounds_retries_and_their_sleeps() {
        // Always busy, always asking to come back in a second.
        let server = RawServer::respond_always(b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n");
        let http = manager!();
        let started = Instant::now();
        let retry = Retry::new(10).status_forcelist([503]);
        let err = send!(http.request("GET", server.url("/")).retries(retry).deadline(0.5)).unwrap_err();
        assert!(started.elapsed() < HANG);
        assert_eq!(err.kind(), ErrorKind::Deadline, "{err:#}");
        assert!(err.is_timeout());
        assert!(err.message().contains("deadline (0.5s)"), "{err}");
        // The manager's deadline applies to requests that set none.
        let http = manager!(b => b.deadline(0.3).retries(Retry::new(10).status_forcelist([503])));
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Deadline, "{err:#}");
    }
}
