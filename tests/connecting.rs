//! The connection layer, through both APIs: a resolver of one's own and static overrides
//! (curl's `--resolve`) under the connect timeout, Happy Eyeballs past a black-holed
//! address, which names proxies resolve, and idle expiry of pooled connections.

#[macro_use]
mod dual;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use hip::{ErrorKind, PoolOptions, Resolve, Timeout};
use hip_test_support as support;
use support::proxy::{HttpProxy, SocksDest, SocksServer};
use support::{BlackHole, HttpBin, ServerCert, TestPki};

/// A bound for calls that must end by themselves well before a 10 s connect timeout; not a
/// performance assertion.
const WELL_UNDER_THE_TIMEOUT: Duration = Duration::from_secs(5);

/// A resolver that knows a few names, records every name it is asked for, and fails for
/// the others (so no test ever reaches the system's DNS).
#[derive(Clone, Debug, Default)]
struct Names {
    known: Vec<(String, Vec<SocketAddr>)>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Names {
    fn with(mut self, name: &str, addrs: &[SocketAddr]) -> Names {
        self.known.push((name.to_owned(), addrs.to_vec()));
        self
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Resolve for Names {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        _port: u16,
    ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
        self.asked.lock().unwrap().push(host.to_owned());
        let known = self.known.iter().find(|(n, _)| n == host);
        let answer = match known {
            Some((_, addrs)) => Ok(addrs.clone()),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("the test resolver does not know {host}"),
            )),
        };
        Box::pin(async move { answer })
    }
}

/// A resolver that never answers.
#[derive(Debug)]
struct Silent;

impl Resolve for Silent {
    fn resolve<'a>(&'a self, _: &'a str, _: u16) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
        Box::pin(futures_util::future::pending())
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A black hole on ::1, or on 127.0.0.1 when the machine has no IPv6 (the race is the same).
fn black_hole() -> BlackHole {
    BlackHole::ipv6().unwrap_or_else(BlackHole::ipv4)
}

// ---- resolvers -----------------------------------------------------------------------------

dual_test! {
    fn a_resolver_set_on_the_builder_is_used_and_the_host_header_keeps_the_name() {
        let server = HttpBin::start();
        let names = Names::default().with("service.test", &[loopback(server.port())]);
        let http = manager!(b => b.resolver(names.clone()).retries(false));
        let url = server.url_with_host("service.test", "/get");
        let r = send!(http.request("GET", url.as_str())).unwrap();
        assert_eq!(r.status(), 200);
        let host = format!("service.test:{}", server.port());
        assert_eq!(server.last_request().unwrap().header("host"), Some(host.as_str()));
        assert_eq!(names.asked(), ["service.test"]);
        // IP literals are used as they are.
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(names.asked(), ["service.test"]);
        // A name the resolver fails for: a connect error that names the host.
        let err = send!(http.request("GET", "http://unknown.test:9/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        let shown = format!("{err:#}");
        assert!(
            shown.contains("failed to resolve \"unknown.test\": the test resolver does not know unknown.test"),
            "{shown}"
        );
    }
}

dual_test! {
    fn a_resolver_that_never_answers_ends_in_connect_timeout_in_time() {
        let http = manager!(b => b
            .resolver(Silent)
            .retries(false)
            .timeout(Timeout::new().connect(0.2).read(30.0)));
        let started = Instant::now();
        let err = send!(http.request("GET", "http://silent.test/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
        assert!(err.is_timeout());
        assert!(started.elapsed() < WELL_UNDER_THE_TIMEOUT, "{:?}", started.elapsed());
    }
}

dual_test! {
    fn a_static_override_changes_only_the_address_not_host_sni_or_certificate_name() {
        let pki = TestPki::new();
        let identity = pki.issue_server_cert(&["example.org"]);
        let server = HttpBin::start_tls(identity.cert_chain(), identity.key());
        let port = server.port();
        // The resolver knows nothing: only the override can answer.
        let names = Names::default();
        let http = manager!(b => b
            .ca_certs(pki.ca_bundle_path())
            .resolver(names.clone())
            .resolve("Example.org", loopback(port))
            .retries(false));
        let url = format!("https://example.org:{port}/get");
        let r = send!(http.request("GET", url.as_str())).unwrap();
        assert_eq!(r.status(), 200, "the certificate for example.org verified");
        let host = format!("example.org:{port}");
        assert_eq!(server.last_request().unwrap().header("host"), Some(host.as_str()));
        assert!(names.asked().is_empty(), "{:?}", names.asked());
        // The override is for its port only: another port asks the resolver.
        let other = format!("https://example.org:{}/", port.wrapping_add(1).max(1));
        let err = send!(http.request("GET", other.as_str())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert_eq!(names.asked(), ["example.org"]);
        // Port 0 stands for any port.
        let any = manager!(b => b
            .ca_certs(pki.ca_bundle_path())
            .resolver(Names::default())
            .resolve("example.org", "127.0.0.1:0".parse().unwrap()));
        assert_eq!(send!(any.request("GET", url.as_str())).unwrap().status(), 200);
    }
}

dual_test! {
    fn a_resolver_or_override_makes_another_pool_key() {
        let http = manager!(b => b.num_pools(8));
        let names = Names::default();
        let a = PoolOptions::default().resolver(names.clone());
        let b = a.clone();
        assert_eq!(a, b, "clones share the resolver's Arc");
        assert_ne!(a, PoolOptions::default().resolver(names), "another Arc is another resolver");
        let overridden = PoolOptions::default().resolve("h.test", loopback(1));
        assert_ne!(overridden, PoolOptions::default());
        assert_eq!(overridden, PoolOptions::default().resolve("H.TEST", loopback(1)));
        let delay = PoolOptions::default().connect_attempt_delay(Duration::from_millis(10));
        assert_ne!(delay, PoolOptions::default());
        for (i, opts) in [a, overridden, delay].into_iter().enumerate() {
            http.connection_from_host("h.test", Some(80), "http", Some(hip::PoolKwargs::replace_all(opts))).unwrap();
            assert_eq!(http.pools_len(), i + 1);
        }
    }
}

// ---- Happy Eyeballs ------------------------------------------------------------------------

dual_test! {
    fn a_black_holed_first_address_does_not_cost_the_connect_timeout() {
        let server = HttpBin::start();
        let hole = black_hole();
        let names = Names::default().with("dual.test", &[hole.addr(), loopback(server.port())]);
        let http = manager!(b => b
            .resolver(names)
            .retries(false)
            .timeout(Timeout::new().connect(10.0).read(10.0)));
        let started = Instant::now();
        let r = send!(http.request("GET", server.url_with_host("dual.test", "/get"))).unwrap();
        let took = started.elapsed();
        assert_eq!(r.status(), 200);
        eprintln!("{API}: past the black hole {} in {took:?} (connect timeout 10 s)", hole.addr());
        // About the 250 ms attempt delay; one address after another would take the 10 s.
        assert!(took < WELL_UNDER_THE_TIMEOUT, "took {took:?}");

        // A shorter delay is taken from the builder.
        let names = Names::default().with("dual.test", &[hole.addr(), loopback(server.port())]);
        let quick = manager!(b => b
            .resolver(names)
            .connect_attempt_delay(Duration::from_millis(20))
            .timeout(Timeout::new().connect(10.0).read(10.0)));
        assert_eq!(send!(quick.request("GET", server.url_with_host("dual.test", "/get"))).unwrap().status(), 200);
    }
}

dual_test! {
    fn every_address_failing_gives_one_error_naming_each() {
        let v4 = loopback(support::closed_port());
        let other = match std::net::TcpListener::bind("[::1]:0") {
            Ok(l) => l.local_addr().unwrap(),
            Err(_) => SocketAddr::from(([127, 0, 0, 2], support::closed_port())),
        };
        let names = Names::default().with("gone.test", &[v4, other]);
        let http = manager!(b => b.resolver(names).retries(false));
        let err = send!(http.request("GET", "http://gone.test/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        let shown = format!("{err:#}");
        assert!(shown.contains("connecting to \"gone.test\" failed at all 2 addresses: "), "{shown}");
        assert!(shown.contains(&format!("{v4}: ")), "{shown}");
        assert!(shown.contains(&format!("{other}: ")), "{shown}");
    }
}

// ---- proxies: who resolves what ------------------------------------------------------------

#[cfg(feature = "socks")]
dual_test! {
    fn socks5h_sends_the_name_and_socks5_resolves_it_with_the_resolver() {
        let server = HttpBin::start();
        let socks = SocksServer::start();
        let url = server.url_with_host("localhost", "/get");
        // socks5h: the proxy gets the name; the resolver is never asked.
        let names = Names::default();
        let h = socks_manager!(socks.url("socks5h"), b => b.resolver(names.clone()).retries(false));
        assert_eq!(send!(h.request("GET", url.as_str())).unwrap().status(), 200);
        assert_eq!(socks.requests().last().unwrap().dest, SocksDest::Domain("localhost".into()));
        assert!(names.asked().is_empty(), "{:?}", names.asked());
        // socks5: the name is resolved here, by the resolver, and the proxy gets the address.
        let names = Names::default().with("dest.test", &[loopback(server.port())]);
        let local = socks_manager!(socks.url("socks5"), b => b.resolver(names.clone()).retries(false));
        let url = server.url_with_host("dest.test", "/get");
        assert_eq!(send!(local.request("GET", url.as_str())).unwrap().status(), 200);
        assert_eq!(socks.requests().last().unwrap().dest, SocksDest::Ip([127, 0, 0, 1].into()));
        assert_eq!(names.asked(), ["dest.test"]);
    }
}

dual_test! {
    fn http_proxies_resolve_the_destination_and_the_resolver_only_finds_the_proxy() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start();
        let names = Names::default().with("proxy.test", &[loopback(proxy.port())]);
        let http = proxy_manager!(format!("http://proxy.test:{}", proxy.port()), b => b
            .resolver(names.clone())
            .ca_certs(pki.ca_bundle_path())
            .retries(false));
        // Forwarded http:// and a CONNECT tunnel for https://: the proxy resolves localhost.
        let r = send!(http.request("GET", plain.url_with_host("localhost", "/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(http.request("GET", tls.url_with_host("localhost", "/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let asked = names.asked();
        assert!(!asked.is_empty() && asked.iter().all(|n| n == "proxy.test"), "{asked:?}");
    }
}

// ---- idle expiry ---------------------------------------------------------------------------

dual_test! {
    fn connections_idle_past_the_idle_timeout_are_not_reused() {
        let server = HttpBin::start();
        let http = manager!(b => b.idle_timeout(Duration::from_millis(200)));
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(server.connections(), 1, "back to back, the connection is reused");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(server.connections(), 2, "idle for 400 ms > 200 ms: a new connection");

        // Without an idle timeout the same pause keeps the connection.
        let keep = manager!(b => b.idle_timeout(None));
        let before = server.connections();
        assert_eq!(send!(keep.request("GET", server.url("/get"))).unwrap().status(), 200);
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(send!(keep.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(server.connections() - before, 1);
    }
}

dual_test! {
    fn expired_idle_connections_are_closed_when_another_goes_back_to_the_pool() {
        let server = HttpBin::start();
        let http = manager!(b => b.maxsize(2).idle_timeout(Duration::from_millis(200)));
        // Two responses held open: two connections.
        let mut a = send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap();
        let mut b = send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap();
        let pool = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(call!(a.read(None)).unwrap().len(), 10);
        assert_eq!(pool.num_idle(), 1, "the first is idle");
        std::thread::sleep(Duration::from_millis(400));
        // The second goes back on top of the first, which has been idle too long: the
        // first is closed then, without a checkout or a background task.
        assert_eq!(call!(b.read(None)).unwrap().len(), 10);
        assert_eq!(pool.num_idle(), 1, "only the second is kept");
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(server.connections(), 2, "the second is reused");
    }
}

dual_test! {
    fn connections_past_their_max_lifetime_are_replaced_though_never_idle_long() {
        let server = HttpBin::start();
        let http = manager!(b => b.idle_timeout(None).max_lifetime(Duration::from_millis(300)));
        let started = Instant::now();
        let mut requests = 0;
        // Never idle for more than 50 ms, yet replaced once 300 ms old. Bounded: 40 requests.
        while started.elapsed() < Duration::from_millis(700) && requests < 40 {
            assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
            requests += 1;
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(server.connections() >= 2, "{} connections for {requests} requests", server.connections());
        assert!(server.connections() < requests, "connections are still reused within their lifetime");
    }
}
