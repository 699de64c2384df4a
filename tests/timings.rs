//! Per-request timings (`r.timings()`), through both APIs, against real servers on each
//! route: direct HTTP, HTTPS, a CONNECT tunnel, forwarding through an HTTP and an HTTPS
//! proxy, and SOCKS. Each test checks which phases are there, that they come in order, and
//! that a second request on the same connection says it was reused and has no connection
//! phases; never how long anything took.

#[macro_use]
mod dual;

use std::net::SocketAddr;
use std::time::Duration;

use hip::{ErrorKind, Retry, Timings};
use hip_test_support as support;
use support::proxy::HttpProxy;
use support::raw::{RawServer, Step, OK_RESPONSE};
use support::{HttpBin, ServerCert, TestPki};

/// `localhost` is 127.0.0.1 in these tests, whatever the system resolver says.
fn localhost_v4() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Which connection phases a new connection on a route has.
#[derive(Clone, Copy, Debug)]
struct Route {
    proxy: bool,
    tls: bool,
}

/// The phases, as a test prints them: curl-like seconds.
fn shown(t: &Timings) -> String {
    let mut out = format!("reused={}", t.reused());
    for (phase, d) in t.phases() {
        let name = phase.name();
        match d {
            Some(d) => out.push_str(&format!(" {name}={:.6}", d.as_secs_f64())),
            None => out.push_str(&format!(" {name}=-")),
        }
    }
    out
}

/// The phases that happened are in order, each at least the one before.
fn assert_in_order(t: &Timings) {
    let present: Vec<(&str, Duration)> = t
        .phases()
        .iter()
        .filter_map(|(p, d)| d.map(|d| (p.name(), d)))
        .collect();
    for pair in present.windows(2) {
        assert!(
            pair[0].1 <= pair[1].1,
            "{} after {}: {}",
            pair[0].0,
            pair[1].0,
            shown(t)
        );
    }
}

/// A whole exchange on a new connection along `route`.
fn assert_new_connection(t: &Timings, route: Route) {
    assert!(!t.reused(), "{}", shown(t));
    assert_eq!(t.num_connects(), 1);
    assert!(t.dns().is_some() && t.connect().is_some(), "{}", shown(t));
    assert_eq!(
        t.proxy().is_some(),
        route.proxy,
        "proxy phase: {}",
        shown(t)
    );
    assert_eq!(t.tls().is_some(), route.tls, "tls phase: {}", shown(t));
    assert_exchange(t);
}

/// A whole exchange on a reused connection: no connection phase.
fn assert_reused(t: &Timings) {
    assert!(t.reused(), "{}", shown(t));
    assert_eq!(t.num_connects(), 0);
    assert_eq!(
        (t.dns(), t.connect(), t.proxy(), t.tls()),
        (None, None, None, None),
        "{}",
        shown(t)
    );
    assert_exchange(t);
}

fn assert_exchange(t: &Timings) {
    assert!(t.pretransfer().is_some(), "{}", shown(t));
    assert!(t.request_written().is_some(), "{}", shown(t));
    assert!(t.first_byte().is_some(), "{}", shown(t));
    assert!(t.body_complete().is_some(), "{}", shown(t));
    assert_in_order(t);
}

dual_test! {
    fn direct_http_reports_dns_and_connect_then_reuse_reports_none() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} direct http:  {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: false, tls: false });
        let again = send!(http.request("GET", server.url("/get"))).unwrap();
        eprintln!("{API} reused:       {}", shown(&again.timings()));
        assert_reused(&again.timings());
        assert_eq!(server.connections(), 1);
    }
}

dual_test! {
    fn https_adds_the_tls_handshake() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()).resolve("localhost", localhost_v4()));
        let url = server.url_with_host("localhost", "/get");
        let r = send!(http.request("GET", url.as_str())).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} https:        {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: false, tls: true });
        let again = send!(http.request("GET", url.as_str())).unwrap();
        assert_reused(&again.timings());
    }
}

dual_test! {
    fn a_connect_tunnel_adds_the_proxy_phase_before_tls() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url(), b => b.ca_certs(pki.ca_bundle_path()));
        let url = server.url_with_host("localhost", "/get");
        let r = send!(http.request("GET", url.as_str())).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} CONNECT:      {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: true, tls: true });
        let again = send!(http.request("GET", url.as_str())).unwrap();
        assert_reused(&again.timings());
        assert_eq!(proxy.connections(), 1);
    }
}

dual_test! {
    fn forwarding_has_a_proxy_phase_only_for_an_https_proxy() {
        let pki = TestPki::new();
        let server = HttpBin::start();
        // A plain HTTP proxy: nothing happens after the TCP connect.
        let plain = HttpProxy::start();
        let http = proxy_manager!(plain.url());
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} forwarded:    {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: false, tls: false });
        // An https:// proxy: TLS to the proxy is its phase; the request itself is plain.
        let tls_proxy = HttpProxy::start_tls(&pki);
        let http = proxy_manager!(tls_proxy.url(), b => b
            .ca_certs(pki.ca_bundle_path())
            .resolve("localhost", localhost_v4()));
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} https proxy:  {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: true, tls: false });
    }
}

#[cfg(feature = "socks")]
dual_test! {
    fn socks_adds_the_proxy_phase_for_http_and_https() {
        use support::proxy::SocksServer;
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let socks = SocksServer::start();
        let http = socks_manager!(socks.url("socks5h"), b => b.ca_certs(pki.ca_bundle_path()));
        let r = send!(http.request("GET", plain.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} SOCKS5h http: {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: true, tls: false });
        assert_reused(&send!(http.request("GET", plain.url("/get"))).unwrap().timings());
        let url = tls.url_with_host("localhost", "/get");
        let r = send!(http.request("GET", url.as_str())).unwrap();
        assert_eq!(r.status(), 200);
        eprintln!("{API} SOCKS5h https: {}", shown(&r.timings()));
        assert_new_connection(&r.timings(), Route { proxy: true, tls: true });
        // socks5: the destination is resolved here, before the proxy is reached.
        let local = socks_manager!(socks.url("socks5"), b => b.resolve("dest.test", localhost_v4()));
        let r = send!(local.request("GET", plain.url_with_host("dest.test", "/get"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_new_connection(&r.timings(), Route { proxy: true, tls: false });
    }
}

dual_test! {
    fn the_body_phase_waits_for_the_body_to_be_read() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http.request("GET", server.url("/bytes/100")).preload_content(false)).unwrap();
        let t = r.timings();
        assert!(t.first_byte().is_some(), "{}", shown(&t));
        assert_eq!(t.body_complete(), None, "not read yet: {}", shown(&t));
        assert_eq!(call!(r.read(Some(10))).unwrap().len(), 10);
        assert_eq!(r.timings().body_complete(), None);
        assert_eq!(call!(r.read(None)).unwrap().len(), 90);
        assert_new_connection(&r.timings(), Route { proxy: false, tls: false });
        // The connection went back to the pool at the end of the body.
        assert_reused(&send!(http.request("GET", server.url("/get"))).unwrap().timings());
        // HEAD and 204: no body, complete once the (empty) body is read, as preloading does.
        assert_reused(&send!(http.request("HEAD", server.url("/get"))).unwrap().timings());
        assert_reused(&send!(http.request("GET", server.url("/status/204"))).unwrap().timings());
    }
}

dual_test! {
    fn each_redirect_keeps_its_timings_in_the_retry_history() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/redirect/2"))).unwrap();
        assert_eq!(r.status(), 200);
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 2);
        let first = history[0].timings.expect("timings of the first redirect");
        eprintln!("{API} redirect 1:   {}", shown(&first));
        assert_new_connection(&first, Route { proxy: false, tls: false });
        // The redirects went out on the same connection, drained in between.
        assert_reused(&history[1].timings.expect("timings of the second redirect"));
        assert_reused(&r.timings());
    }
}

dual_test! {
    fn a_retried_error_keeps_the_phases_it_reached() {
        // The first connection reads the request and closes; the next answers.
        let server = RawServer::with_default(
            vec![vec![Step::ReadRequest, Step::Close]],
            vec![Step::Repeat(vec![Step::ReadRequest, Step::write(OK_RESPONSE)])],
        );
        let http = manager!(b => b.retries(Retry::new(2)));
        let r = send!(http.request("GET", server.url("/"))).unwrap();
        assert_eq!(r.status(), 200);
        let entry = &r.retries().unwrap().history[0];
        assert_eq!(entry.error.as_ref().map(|e| e.kind()), Some(ErrorKind::Protocol));
        let failed = entry.timings.expect("the failed attempt had a connection");
        eprintln!("{API} failed:       {}", shown(&failed));
        assert!(!failed.reused() && failed.connect().is_some() && failed.request_written().is_some());
        assert_eq!((failed.first_byte(), failed.body_complete()), (None, None), "{}", shown(&failed));
        assert_in_order(&failed);
        assert_new_connection(&r.timings(), Route { proxy: false, tls: false });
    }
}

#[cfg(feature = "async")]
#[test]
fn an_async_response_built_in_memory_has_no_timings() {
    let r = hip::AsyncHttpResponse::builder()
        .status(200)
        .body("x")
        .build()
        .unwrap();
    assert_eq!(r.timings(), Timings::default());
}

#[cfg(feature = "blocking")]
#[test]
fn a_blocking_response_built_in_memory_has_no_timings() {
    let r = hip::HttpResponse::builder()
        .status(200)
        .body("x")
        .build()
        .unwrap();
    assert_eq!(r.timings(), Timings::default());
}
