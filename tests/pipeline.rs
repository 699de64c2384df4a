//! The request pipeline's identity and failure policy, through both APIs:
//!
//! - pool identity is typed: every option, changed alone, gives another pool; equal options
//!   share one (no option can borrow another pool's trust, as in requests' CVE-2024-35195);
//! - prepared requests: a request that cannot be sent fails at once with its own kind, before
//!   any connection is opened, and is never retried;
//! - errors are policy: only what urllib3's urlopen retries is retried; a TLS verdict (an
//!   untrusted certificate, a refused client certificate) and a body that cannot be decoded
//!   return at once.

#[macro_use]
mod dual;

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use hip::{
    BoxIo, CertReqs, ConnectOptions, Connector, ErrorKind, PoolKwargs, PoolOptions, Retry, Scheme,
    SocketOption, TcpConnector, Timeout, TlsVersion,
};
use hip_test_support as support;
use support::{HttpBin, RawServer, ServerCert, Step, TestPki};

/// A connector that counts the connections it opens, over plain TCP.
#[derive(Clone, Default)]
struct CountingConnector {
    opened: Arc<AtomicUsize>,
}

impl CountingConnector {
    fn opened(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

impl Connector for CountingConnector {
    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        opts: &'a ConnectOptions,
    ) -> BoxFuture<'a, io::Result<BoxIo>> {
        self.opened.fetch_add(1, Ordering::SeqCst);
        TcpConnector.connect(host, port, opts)
    }
}

/// The default options with one change.
fn with(change: impl FnOnce(&mut PoolOptions)) -> PoolOptions {
    let mut o = PoolOptions::default();
    change(&mut o);
    o
}

/// Each option in turn, changed alone from the defaults.
fn variants(ca_a: &[u8], ca_b: &[u8]) -> Vec<(&'static str, PoolOptions)> {
    let (ca_a, ca_b) = (ca_a.to_vec(), ca_b.to_vec());
    vec![
        ("ca_cert_data A", with(|o| o.tls.ca_cert_data = Some(ca_a))),
        (
            "ca_cert_data B (same length)",
            with(|o| o.tls.ca_cert_data = Some(ca_b)),
        ),
        (
            "key_password one",
            with(|o| o.tls.key_password = Some("one".into())),
        ),
        (
            "key_password two",
            with(|o| o.tls.key_password = Some("two".into())),
        ),
        ("cert_reqs", with(|o| o.tls.cert_reqs = CertReqs::None)),
        (
            "assert_fingerprint",
            with(|o| o.tls.assert_fingerprint = Some("ab".repeat(32))),
        ),
        (
            "server_hostname",
            with(|o| o.tls.server_hostname = Some("other".into())),
        ),
        (
            "min_version",
            with(|o| o.tls.min_version = Some(TlsVersion::Tls13)),
        ),
        (
            "status_forcelist 429",
            with(|o| o.retries = Retry::new(3).status_forcelist([429])),
        ),
        (
            "status_forcelist 503",
            with(|o| o.retries = Retry::new(3).status_forcelist([503])),
        ),
        ("timeout", with(|o| o.timeout = Timeout::new().read(7.0))),
        ("maxsize", with(|o| o.maxsize = 4)),
        ("block", with(|o| o.block = true)),
        (
            "headers",
            with(|o| o.headers = [("X-A", "1")].into_iter().collect()),
        ),
        (
            "socket_options",
            with(|o| o.connect.socket_options = vec![SocketOption::RecvBufferSize(1 << 16)]),
        ),
        (
            "limits",
            with(|o| o.limits = hip::Limits::new().with_max_headers(10)),
        ),
        (
            "connector",
            with(|o| o.connector = Arc::new(CountingConnector::default())),
        ),
        (
            "resolver",
            with(|o| o.connect.resolver = Arc::new(hip::SystemResolver)),
        ),
        (
            "resolve_overrides",
            with(|o| {
                o.connect.resolve_overrides =
                    vec![("h.invalid".into(), "127.0.0.1:0".parse().unwrap())]
            }),
        ),
        (
            "attempt_delay",
            with(|o| o.connect.attempt_delay = std::time::Duration::from_millis(10)),
        ),
        (
            "idle_timeout",
            with(|o| o.idle_timeout = Some(std::time::Duration::from_secs(5))),
        ),
        (
            "max_lifetime",
            with(|o| o.max_lifetime = Some(std::time::Duration::from_secs(5))),
        ),
    ]
}

/// Two CA bundles of the same length: the CAs of two unrelated test PKIs, the shorter
/// padded with newlines (PEM ignores them).
fn same_length_bundles(a: &TestPki, b: &TestPki) -> (Vec<u8>, Vec<u8>) {
    let (mut a, mut b) = (a.ca_pem().into_bytes(), b.ca_pem().into_bytes());
    let n = a.len().max(b.len());
    a.resize(n, b'\n');
    b.resize(n, b'\n');
    assert_eq!(a.len(), b.len());
    assert_ne!(a, b);
    (a, b)
}

dual_test! {
    fn each_option_changed_alone_gives_another_pool_and_equal_options_share_one() {
        let (pki_a, pki_b) = (TestPki::new(), TestPki::new());
        let (ca_a, ca_b) = same_length_bundles(&pki_a, &pki_b);
        let http = manager!(b => b.num_pools(64));
        let all = variants(&ca_a, &ca_b);
        for (i, (what, opts)) in all.iter().enumerate() {
            http.connection_from_host("h.invalid", Some(443), "https", Some(PoolKwargs::replace_all(opts.clone())))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(http.pools_len(), i + 1, "{what} must get a pool of its own");
        }
        // The same options again, rebuilt from scratch: the same pools.
        // (A connector or resolver is the same only as the same Arc.)
        let by_arc = ["connector", "resolver"];
        for (what, opts) in variants(&ca_a, &ca_b).into_iter().filter(|(w, _)| !by_arc.contains(w)) {
            let before = http.pools_len();
            http.connection_from_host("h.invalid", Some(443), "https", Some(PoolKwargs::replace_all(opts)))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(http.pools_len(), before, "{what}, rebuilt alike, must share its pool");
        }
        assert_eq!(http.pools_len(), all.len());
        // Keys compare by value too.
        let key = |o: PoolOptions| http.pool_key(Scheme::Https, "H.invalid", Some(443), Some(PoolKwargs::replace_all(o))).unwrap();
        assert_eq!(key(all[2].1.clone()), key(all[2].1.clone()));
        assert_ne!(key(all[0].1.clone()), key(all[1].1.clone()));
    }
}

dual_test! {
    fn a_ca_bundle_of_the_same_length_never_borrows_another_pools_trust() {
        let (pki_a, pki_b) = (TestPki::new(), TestPki::new());
        let (ca_a, ca_b) = same_length_bundles(&pki_a, &pki_b);
        let server = HttpBin::start_https(&pki_a, ServerCert::Valid);
        let http = manager!();
        let with_ca = |ca: &[u8]| {
            with(|o| {
                o.tls.ca_cert_data = Some(ca.to_vec());
                o.retries = Retry::new(false);
            })
        };
        let trusted = http
            .connection_from_host("localhost", Some(server.port()), "https", Some(PoolKwargs::replace_all(with_ca(&ca_a))))
            .unwrap();
        assert_eq!(send!(trusted.request("GET", "/get")).unwrap().status(), 200);
        // The other CA, same length: another pool, and the server is not trusted by it.
        let untrusted = http
            .connection_from_host("localhost", Some(server.port()), "https", Some(PoolKwargs::replace_all(with_ca(&ca_b))))
            .unwrap();
        let err = send!(untrusted.request("GET", "/get")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert_eq!(http.pools_len(), 2);
    }
}

dual_test! {
    fn a_request_that_cannot_be_sent_opens_no_connection_and_is_not_retried() {
        let server = HttpBin::start();
        let counter = CountingConnector::default();
        let http = manager!(b => b.connector(counter.clone()).retries(Retry::new(5)));
        // An invalid header name.
        let err = send!(http.request("GET", server.url("/get")).header("Bad Name", "x")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeader, "{err}");
        // A header value with CR LF (header injection).
        let err = send!(http.request("GET", server.url("/get")).header("X-A", "a\r\nX-B: b")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeader, "{err}");
        // A method that is not a token.
        let err = send!(http.request("GE T", server.url("/get"))).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidHeader | ErrorKind::LocalProtocol), "{err}");
        // A Content-Length that contradicts the body.
        let err = send!(http.request("POST", server.url("/post")).header("Content-Length", "3").body("hello")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocol, "{err}");
        // A URL that cannot be parsed.
        let err = send!(http.request("GET", "http://[::1")).unwrap_err();
        assert!(err.is_location_value_error() || err.kind() == ErrorKind::LocationParse, "{err}");
        assert_eq!(counter.opened(), 0);
        assert_eq!(server.connections(), 0);
        assert_eq!(http.pools_len(), 0, "no pool was touched");
        // A good request still goes through.
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(counter.opened(), 1);
    }
}

dual_test! {
    fn an_untrusted_certificate_is_an_ssl_error_at_once_not_retried() {
        let (pki, other) = (TestPki::new(), TestPki::new());
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        // Trusting another CA only: the server's certificate fails verification.
        let http = manager!(b => b.retries(Retry::new(3)).ca_certs(other.ca_bundle_path()));
        let err = send!(http.request("GET", format!("https://localhost:{}/get", server.port()))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert_eq!(server.connections(), 1, "a verdict is not retried");
    }
}

dual_test! {
    fn a_refused_client_certificate_is_an_ssl_error_at_once_not_retried() {
        let pki = TestPki::new();
        let server = HttpBin::start_https_client_auth(&pki);
        let http = manager!(b => b.retries(Retry::new(3)).ca_certs(pki.ca_bundle_path()));
        let err = send!(http.request("GET", format!("https://localhost:{}/get", server.port()))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().contains("certificate"), "{err}");
        assert_eq!(server.connections(), 1, "a verdict is not retried");
    }
}

dual_test! {
    fn a_body_that_cannot_be_decoded_is_a_decode_error_not_retried() {
        let reply = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot gzip!!";
        let server = RawServer::with_default(vec![], vec![Step::ReadRequest, Step::write(reply), Step::Close]);
        let http = manager!(b => b.retries(Retry::new(3)));
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert_eq!(server.connections(), 1);
    }
}

dual_test! {
    fn connection_errors_are_still_retried() {
        let server = RawServer::with_default(vec![], vec![Step::ReadRequest, Step::Close]);
        let http = manager!(b => b.retries(Retry::new(2)).timeout(Timeout::new().connect(2.0).read(2.0)));
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(server.connections(), 3);
    }
}

dual_test! {
    fn a_dead_keep_alive_connection_is_replaced_only_when_the_requests_own_retry_allows_it() {
        // Each connection answers one request, then reads the next and closes without a
        // byte of answer: a keep-alive connection that died under the second request.
        let script = vec![
            Step::ReadRequest,
            Step::write(support::OK_RESPONSE),
            Step::ReadRequest,
            Step::Close,
        ];
        let server = RawServer::with_default(vec![], script);
        let http = manager!();
        assert_eq!(send!(http.request("GET", server.url("/a"))).unwrap().status(), 200);
        // This request's Retry does not retry GET on read errors: the dead connection's error
        // is the answer, not a silent second attempt.
        let no_get = Retry::new(3).method_whitelist(["PUT"]);
        let err = send!(http.request("GET", server.url("/b")).retries(no_get)).unwrap_err();
        assert!(err.is_protocol_error(), "{err:#}");
        assert_eq!(server.connections(), 1);
        // With the default policy the same failure is met by one attempt on a fresh connection.
        assert_eq!(send!(http.request("GET", server.url("/c"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", server.url("/d"))).unwrap().status(), 200);
        assert_eq!(server.connections(), 3);
    }
}
