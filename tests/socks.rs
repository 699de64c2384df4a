//! `SocksProxyManager` (feature `socks`) end to end through the in-process SOCKS4/4a/5
//! server of `support::proxy`, in both APIs: local versus remote name resolution per scheme,
//! SOCKS5 username/password and SOCKS4 user ids, refused credentials, unreachable
//! destinations and proxies, reply codes, and HTTPS verified through the proxy.
#![cfg(feature = "socks")]

#[macro_use]
mod dual;

use std::net::{IpAddr, Ipv4Addr};

use hip::contrib::socks::SocksVersion;
use hip::ErrorKind;
use hip_test_support as support;
use support::proxy::{SocksConfig, SocksDest, SocksRequest, SocksServer};
use support::{closed_port, HttpBin, ServerCert, TestPki};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn request(version: u8, dest: SocksDest, port: u16, user: Option<&str>) -> SocksRequest {
    SocksRequest {
        version,
        dest,
        port,
        user: user.map(str::to_owned),
    }
}

fn domain(name: &str) -> SocksDest {
    SocksDest::Domain(name.to_owned())
}

/// What a client that resolved `localhost` itself sends: 127.0.0.1 (or ::1 where the
/// resolver lists it first; the test server reaches the origin either way).
fn is_resolved_localhost(dest: &SocksDest) -> bool {
    matches!(dest, SocksDest::Ip(ip) if ip.is_loopback())
}

dual_test! {
    fn socks5h_sends_the_name_for_http_and_https() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let socks = SocksServer::start();
        let http = socks_manager!(socks.url("socks5h"), b => b.ca_certs(pki.ca_bundle_path()));
        assert_eq!(http.proxy_config().unwrap().socks_version(), Some(SocksVersion::Socks5h));
        let r = send!(http.request("GET", plain.url_with_host("localhost", "/get")).fields([("a", "1")])).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(http.request("GET", format!("https://localhost:{}/robots.txt", tls.port()))).unwrap();
        assert_eq!(&r.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert_eq!(
            socks.requests(),
            vec![
                request(5, domain("localhost"), plain.port(), None),
                request(5, domain("localhost"), tls.port(), None),
            ]
        );
        // Origin-form targets, the destination's Host: the proxy is invisible to HTTP.
        let at_origin = plain.last_request().unwrap();
        assert_eq!(at_origin.target, "/get?a=1");
        assert_eq!(at_origin.header("host"), Some(format!("localhost:{}", plain.port()).as_str()));
        // A pool per destination; keep-alive through the proxy.
        assert_eq!(http.pools_len(), 2);
        assert_eq!(send!(http.request("GET", plain.url_with_host("localhost", "/get"))).unwrap().status(), 200);
        assert_eq!(socks.connections(), 2);
        assert_eq!(plain.connections(), 1);
    }
}

dual_test! {
    fn socks5_resolves_names_itself() {
        let plain = HttpBin::start();
        let socks = SocksServer::start();
        let http = socks_manager!(socks.url("socks5"));
        let r = send!(http.request("GET", plain.url_with_host("localhost", "/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let seen = socks.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].version, seen[0].port), (5, plain.port()));
        assert!(is_resolved_localhost(&seen[0].dest), "{seen:?}");
        // IP literals go as they are.
        send!(http.request("GET", plain.url("/get"))).unwrap();
        assert_eq!(socks.requests()[1].dest, SocksDest::Ip(LOCALHOST));
    }
}

dual_test! {
    fn socks4_sends_ipv4_and_socks4a_sends_the_name() {
        let plain = HttpBin::start();
        let socks = SocksServer::start();
        let v4 = socks_manager!(socks.url("socks4"));
        let v4a = socks_manager!(socks.url("socks4a"));
        assert_eq!(send!(v4.request("GET", plain.url_with_host("localhost", "/get"))).unwrap().status(), 200);
        assert_eq!(send!(v4a.request("GET", plain.url_with_host("localhost", "/get"))).unwrap().status(), 200);
        assert_eq!(
            socks.requests(),
            vec![
                request(4, SocksDest::Ip(LOCALHOST), plain.port(), None),
                request(4, domain("localhost"), plain.port(), None),
            ]
        );
    }
}

dual_test! {
    fn socks5_username_and_password() {
        let plain = HttpBin::start();
        let socks = SocksServer::start_with(SocksConfig {
            auth: Some(("al ice".to_owned(), "p@ss".to_owned())),
            ..SocksConfig::default()
        });
        // From the URL (percent-decoded), or from the builder.
        let http = socks_manager!(socks.url_with_auth("socks5h", "al%20ice:p%40ss"));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        let http = socks_manager!(socks.url("socks5"), b => b.proxy_username("al ice").proxy_password("p@ss"));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        assert_eq!(
            socks.requests(),
            vec![
                request(5, SocksDest::Ip(LOCALHOST), plain.port(), Some("al ice")),
                request(5, SocksDest::Ip(LOCALHOST), plain.port(), Some("al ice")),
            ]
        );
        assert_eq!(http.proxy(), Some(format!("socks5://127.0.0.1:{}", socks.port())));

        // A wrong password: ProxyError naming the refusal.
        let wrong = socks_manager!(socks.url_with_auth("socks5h", "al%20ice:nope"), b => b.retries(false));
        let err = send!(wrong.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert_eq!(
            err.message(),
            format!(
                "SOCKS5 proxy socks5h://127.0.0.1:{} refused the authentication: \
                 username/password rejected (status 1) for user \"al ice\"",
                socks.port()
            )
        );
        // No credentials for a proxy that wants them.
        let none = socks_manager!(socks.url("socks5h"), b => b.retries(false));
        let err = send!(none.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert!(err.message().contains("refused the authentication: it accepts none of the offered methods"), "{err}");
        assert_eq!(socks.requests().len(), 2);
        assert_eq!(plain.requests().len(), 2);
    }
}

dual_test! {
    fn socks4_user_id() {
        let plain = HttpBin::start();
        let socks = SocksServer::start_with(SocksConfig {
            socks4_user: Some("bob".to_owned()),
            ..SocksConfig::default()
        });
        let http = socks_manager!(socks.url_with_auth("socks4a", "bob"));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        let wrong = socks_manager!(socks.url("socks4a"), b => b.proxy_username("eve").retries(false));
        let err = send!(wrong.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert!(err.message().starts_with(&format!(
            "SOCKS4 proxy socks4a://127.0.0.1:{} refused the authentication: ",
            socks.port()
        )), "{err}");
        assert_eq!(
            socks.requests(),
            vec![
                request(4, SocksDest::Ip(LOCALHOST), plain.port(), Some("bob")),
                request(4, SocksDest::Ip(LOCALHOST), plain.port(), Some("eve")),
            ]
        );
    }
}

dual_test! {
    fn unreachable_destinations_are_new_connection_errors_naming_the_reply() {
        let socks = SocksServer::start();
        let port = closed_port();
        let url = format!("http://127.0.0.1:{port}/");
        let v5 = socks_manager!(socks.url("socks5h"), b => b.retries(false));
        let err = send!(v5.request("GET", &url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert_eq!(
            err.message(),
            format!(
                "Failed to establish a new connection: SOCKS5 proxy socks5h://127.0.0.1:{} could \
                 not connect to 127.0.0.1:{port}: Connection refused",
                socks.port()
            )
        );
        let v4 = socks_manager!(socks.url("socks4"), b => b.retries(false));
        let err = send!(v4.request("GET", &url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert!(err.message().ends_with(&format!(
            "could not connect to 127.0.0.1:{port}: request rejected or failed"
        )), "{err}");
        // Retried as connect errors, then MaxRetryError with the cause.
        let retried = socks_manager!(socks.url("socks5h"), b => b.retries(2));
        let before = socks.requests().len();
        let err = send!(retried.request("GET", &url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::NewConnection);
        assert_eq!(socks.requests().len() - before, 3);
    }
}

dual_test! {
    fn reply_codes_are_named() {
        let socks = SocksServer::start_with(SocksConfig {
            fail_with: Some(7),
            ..SocksConfig::default()
        });
        let http = socks_manager!(socks.url("socks5h"), b => b.retries(false));
        let err = send!(http.request("GET", "http://example.invalid/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert!(err.message().ends_with("could not connect to example.invalid:80: Command not supported"), "{err}");
        let unreachable = SocksServer::start_with(SocksConfig {
            fail_with: Some(4),
            ..SocksConfig::default()
        });
        let http = socks_manager!(unreachable.url("socks5h"), b => b.retries(false));
        let err = send!(http.request("GET", "https://example.invalid/")).unwrap_err();
        assert!(err.message().ends_with("could not connect to example.invalid:443: Host unreachable"), "{err}");
    }
}

dual_test! {
    fn an_unreachable_socks_proxy_is_a_proxy_error() {
        let port = closed_port();
        let http = socks_manager!(format!("socks5h://127.0.0.1:{port}"), b => b.retries(false));
        let err = send!(http.request("GET", "http://example.invalid/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert_eq!(err.message(), format!("Unable to connect to proxy socks5h://127.0.0.1:{port}"));
        assert!(format!("{err:#}").contains(&format!(
            "Unable to connect to proxy socks5h://127.0.0.1:{port}: NewConnectionError:"
        )), "{err:#}");
    }
}

dual_test! {
    fn https_through_socks_verifies_the_destination() {
        let pki = TestPki::new();
        let wrong = HttpBin::start_https(&pki, ServerCert::WrongHost);
        let socks = SocksServer::start();
        let http = socks_manager!(socks.url("socks5h"), b => b.ca_certs(pki.ca_bundle_path()).retries(false));
        let err = send!(http.request("GET", format!("https://localhost:{}/get", wrong.port()))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert_eq!(socks.requests().len(), 1);
    }
}

#[cfg(feature = "async")]
#[cfg(feature = "blocking")]
#[test]
fn socks_urls_are_checked() {
    let e = hip::contrib::socks::SocksProxyManager::with_proxy("ftp://127.0.0.1:3128").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
    assert_eq!(
        e.message(),
        "Proxy URL \"ftp://127.0.0.1:3128\" had unsupported scheme \"ftp\", should use one of \
         http://, https://, socks4://, socks4a://, socks5://, socks5h://"
    );
    let m: hip::contrib::socks::SOCKSProxyManager =
        hip::contrib::socks::SOCKSProxyManager::with_proxy("socks5://user:pw@127.0.0.1").unwrap();
    assert_eq!(m.proxy().as_deref(), Some("socks5://127.0.0.1:1080"));
    assert_eq!(
        m.proxy_config().unwrap().socks_version(),
        Some(SocksVersion::Socks5)
    );
    assert_eq!(m.proxy_headers(), None);
    let a = hip::contrib::socks::AsyncSocksProxyManager::with_proxy("socks4a://h:9").unwrap();
    assert_eq!(
        a.proxy_config().unwrap().socks_version(),
        Some(SocksVersion::Socks4a)
    );
    assert_eq!(a.pools_len(), 0);
}
