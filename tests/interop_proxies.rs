//! Interop with real third-party proxies from Debian's packages, started by
//! `tests/interop/run.sh` on 127.0.0.1 (which then runs this file with their addresses in the
//! environment):
//!
//! | variable | proxy |
//! | --- | --- |
//! | `HIP_INTEROP_TINYPROXY` = `127.0.0.1:PORT` | tinyproxy, no auth |
//! | `HIP_INTEROP_TINYPROXY_AUTH` = `USER:PASS@127.0.0.1:PORT` | tinyproxy with `BasicAuth` |
//! | `HIP_INTEROP_MICROSOCKS` = `127.0.0.1:PORT` | microsocks (SOCKS5), no auth |
//! | `HIP_INTEROP_MICROSOCKS_AUTH` = `USER:PASS@127.0.0.1:PORT` | microsocks `-u USER -P PASS` |
//! | `HIP_INTEROP_DANTE` = `127.0.0.1:PORT` | dante (SOCKS4 and SOCKS5), no auth |
//! | `HIP_INTEROP_DANTE_AUTH` = `USER:PASS@127.0.0.1:PORT` | dante, SOCKS5 `username` method (a system account) |
//!
//! A test whose variable is not set prints why and returns, so `cargo test` passes on a
//! machine without the proxies. Destinations are the local `HttpBin` servers (plain and
//! HTTPS with a test CA); every test runs through both APIs.

#[macro_use]
mod dual;

use hip::ErrorKind;
use hip_test_support as support;
use support::{HttpBin, ServerCert, TestPki};

/// The value of `var`, or None after saying why the test is skipped.
fn proxy_env(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            eprintln!(
                "skipped: {var} is not set (tests/interop/run.sh starts the proxy and sets it)"
            );
            None
        }
    }
}

/// `user:pass@host:port` -> (`user`, `pass`, `host:port`).
fn split_auth(v: &str) -> (String, String, String) {
    let (userinfo, addr) = v.rsplit_once('@').expect("USER:PASS@HOST:PORT");
    let (user, pass) = userinfo.split_once(':').expect("USER:PASS");
    (user.to_owned(), pass.to_owned(), addr.to_owned())
}

const ROBOTS: &[u8] = b"User-agent: *\nDisallow: /deny\n";

dual_test! {
    fn tinyproxy_forwards_http_and_tunnels_https() {
        let Some(addr) = proxy_env("HIP_INTEROP_TINYPROXY") else { return };
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = proxy_manager!(format!("http://{addr}"), b => b.ca_certs(pki.ca_bundle_path()));
        // The spec's example: http:// hosts share the pool to the proxy.
        let r = send!(http.request("GET", plain.url("/get")).fields([("a", "1")])).unwrap();
        assert_eq!(r.status(), 200, "{}", r.text());
        let r = send!(http.request("GET", plain.url_with_host("localhost", "/robots.txt"))).unwrap();
        assert_eq!(&r.data()[..], ROBOTS);
        assert_eq!(http.pools_len(), 1);
        let seen = plain.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].target, "/get?a=1");
        assert!(seen[0].header("via").unwrap_or("").contains("tinyproxy"), "{seen:?}");
        assert_eq!(seen[1].header("host"), Some(format!("localhost:{}", plain.port()).as_str()));
        // https:// through CONNECT, one pool per host.
        let r = send!(http.request("GET", format!("https://localhost:{}/robots.txt", tls.port()))).unwrap();
        assert_eq!(&r.data()[..], ROBOTS);
        let r = send!(http.request("POST", tls.url("/post")).body("hello")).unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().contains("\"data\": \"hello\""), "{}", r.text());
        assert_eq!(http.pools_len(), 3);
        assert!(tls.requests().iter().all(|r| r.header("via").is_none()));
    }
}

dual_test! {
    fn tinyproxy_basic_auth_right_and_wrong() {
        let Some(v) = proxy_env("HIP_INTEROP_TINYPROXY_AUTH") else { return };
        let (user, pass, addr) = split_auth(&v);
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        // Right credentials, in the URL and as proxy_headers.
        let http = proxy_manager!(format!("http://{user}:{pass}@{addr}"), b => b.ca_certs(pki.ca_bundle_path()));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", tls.url("/get"))).unwrap().status(), 200);
        let auth = hip::make_headers(hip::MakeHeaders::new().proxy_basic_auth(format!("{user}:{pass}")));
        let http = proxy_manager!(format!("http://{addr}"), b => b
            .proxy_header_dict(auth)
            .ca_certs(pki.ca_bundle_path()));
        assert_eq!(send!(http.request("GET", tls.url("/robots.txt"))).unwrap().status(), 200);
        // The origins never see the proxy's credentials.
        assert!(plain.requests().iter().all(|r| r.header("proxy-authorization").is_none()));
        assert!(tls.requests().iter().all(|r| r.header("proxy-authorization").is_none()));
        // Wrong credentials: the proxy's refusal is the response for http://, and
        // FailedTunnelError carrying it for https://. (tinyproxy 1.11 refuses with
        // `401 Unauthorized` and `WWW-Authenticate`, for CONNECT too; 407 and
        // `Proxy-Authenticate` are what RFC 9110 asks for, so either is accepted.)
        let refusal = |status: u16, headers: &hip::HttpHeaderDict| match status {
            401 => headers.get("www-authenticate").map(|v| v.into_owned()),
            407 => headers.get("proxy-authenticate").map(|v| v.into_owned()),
            _ => None,
        };
        let wrong = proxy_manager!(format!("http://{user}:wrong-{pass}@{addr}"), b => b
            .ca_certs(pki.ca_bundle_path())
            .retries(false));
        let r = send!(wrong.request("GET", plain.url("/get"))).unwrap();
        let challenge = refusal(r.status(), r.headers());
        assert!(challenge.unwrap_or_default().starts_with("Basic"), "{} {:?}", r.status(), r.headers());
        let err = send!(wrong.request("GET", tls.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FailedTunnel, "{err}");
        let refused = err.tunnel_response().unwrap();
        let challenge = refusal(refused.status, &refused.headers);
        assert!(challenge.unwrap_or_default().starts_with("Basic"), "{refused:?}");
        assert_eq!(plain.requests().len(), 1);
    }
}

#[cfg(feature = "socks")]
dual_test! {
    fn microsocks_socks5_and_socks5h() {
        let Some(addr) = proxy_env("HIP_INTEROP_MICROSOCKS") else { return };
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        for scheme in ["socks5", "socks5h"] {
            let http = socks_manager!(format!("{scheme}://{addr}"), b => b.ca_certs(pki.ca_bundle_path()));
            let r = send!(http.request("GET", plain.url("/get"))).unwrap();
            assert_eq!(r.status(), 200);
            let r = send!(http.request("GET", tls.url("/robots.txt"))).unwrap();
            assert_eq!(&r.data()[..], ROBOTS);
            // A name: resolved here for socks5, by microsocks for socks5h.
            let r = send!(http.request("GET", format!("https://localhost:{}/get", tls.port()))).unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(http.pools_len(), 3);
        }
        // The destination's certificate is checked through the proxy.
        let wrong = HttpBin::start_https(&pki, ServerCert::WrongHost);
        let http = socks_manager!(format!("socks5h://{addr}"), b => b.ca_certs(pki.ca_bundle_path()).retries(false));
        let err = send!(http.request("GET", wrong.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
    }
}

#[cfg(feature = "socks")]
dual_test! {
    fn microsocks_username_password_right_and_wrong() {
        let Some(v) = proxy_env("HIP_INTEROP_MICROSOCKS_AUTH") else { return };
        let (user, pass, addr) = split_auth(&v);
        let plain = HttpBin::start();
        let http = socks_manager!(format!("socks5h://{user}:{pass}@{addr}"));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        let http = socks_manager!(format!("socks5://{addr}"), b => b.proxy_username(user.clone()).proxy_password(pass.clone()));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        let wrong = socks_manager!(format!("socks5h://{user}:wrong-{pass}@{addr}"), b => b.retries(false));
        let err = send!(wrong.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert!(err.message().contains("refused the authentication"), "{err}");
        let none = socks_manager!(format!("socks5h://{addr}"), b => b.retries(false));
        let err = send!(none.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert!(err.message().contains("refused the authentication"), "{err}");
        assert_eq!(plain.requests().len(), 2);
    }
}

#[cfg(feature = "socks")]
dual_test! {
    fn dante_socks4_socks5_socks5h() {
        let Some(addr) = proxy_env("HIP_INTEROP_DANTE") else { return };
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        for scheme in ["socks4", "socks4a", "socks5", "socks5h"] {
            let http = socks_manager!(format!("{scheme}://{addr}"), b => b.ca_certs(pki.ca_bundle_path()));
            let r = send!(http.request("GET", plain.url("/get"))).unwrap();
            assert_eq!(r.status(), 200, "{scheme}");
            let r = send!(http.request("GET", tls.url("/robots.txt"))).unwrap();
            assert_eq!(&r.data()[..], ROBOTS, "{scheme}");
        }
        // Names: resolved here for socks4 and socks5, by dante for socks5h.
        for scheme in ["socks4", "socks5", "socks5h"] {
            let http = socks_manager!(format!("{scheme}://{addr}"), b => b.ca_certs(pki.ca_bundle_path()));
            let r = send!(http.request("GET", format!("https://localhost:{}/get", tls.port()))).unwrap();
            assert_eq!(r.status(), 200, "{scheme}");
        }
        assert_eq!(plain.requests().len(), 4);
        assert_eq!(tls.requests().len(), 7);
        // Dante has no SOCKS4a: it reads the 4a marker address 0.0.0.1 as the destination,
        // which its rules block, and answers 91.
        let http = socks_manager!(format!("socks4a://{addr}"), b => b.retries(false));
        let err = send!(http.request("GET", plain.url_with_host("localhost", "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert!(err.message().ends_with(&format!(
            "could not connect to localhost:{}: request rejected or failed", plain.port()
        )), "{err}");
        // A destination nobody listens on: dante's refusal names the reply.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        for scheme in ["socks4", "socks5"] {
            let http = socks_manager!(format!("{scheme}://{addr}"), b => b.retries(false));
            let err = send!(http.request("GET", format!("http://127.0.0.1:{closed}/"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NewConnection, "{scheme}: {err}");
            assert!(err.message().contains(&format!("could not connect to 127.0.0.1:{closed}")), "{err}");
        }
    }
}

#[cfg(feature = "socks")]
dual_test! {
    fn dante_username_right_and_wrong() {
        let Some(v) = proxy_env("HIP_INTEROP_DANTE_AUTH") else { return };
        let (user, pass, addr) = split_auth(&v);
        let plain = HttpBin::start();
        let http = socks_manager!(format!("socks5h://{user}:{pass}@{addr}"));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        let wrong = socks_manager!(format!("socks5://{user}:wrong-{pass}@{addr}"), b => b.retries(false));
        let err = send!(wrong.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert!(err.message().contains("refused the authentication"), "{err}");
        assert_eq!(plain.requests().len(), 1);
    }
}
