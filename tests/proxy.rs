//! `ProxyManager` end to end, through the in-process HTTP proxy of `support::proxy`, in both
//! APIs: absolute-form forwarding for http://, CONNECT tunnels for https://, proxy headers
//! and Basic proxy auth, https:// proxies, refused tunnels, broken and unreachable proxies,
//! redirects and retries through the proxy, and the spec's `len(proxy.pools)` example.

#[macro_use]
mod dual;

use hip::{ErrorKind, MakeHeaders, Retry};
use hip_test_support as support;
use support::proxy::{basic, Behavior, HttpProxy, ProxyConfig, AUTH_REQUIRED_BODY};
use support::{closed_port, HttpBin, ServerCert, TestPki};

fn https_url(server: &HttpBin, path: &str) -> String {
    format!("https://localhost:{}{path}", server.port())
}

fn lines(v: &[(&str, String)]) -> Vec<(String, String)> {
    v.iter().map(|(m, t)| (m.to_string(), t.clone())).collect()
}

dual_test! {
    /// The spec's example: two http:// hosts share the one pool to the proxy; each https://
    /// host gets a tunnelling pool of its own.
    fn spec_example_pools_len() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url(), b => b.ca_certs(pki.ca_bundle_path()));
        let r1 = send!(http.request("GET", plain.url_with_host("localhost", "/robots.txt"))).unwrap();
        let r2 = send!(http.request("GET", plain.url("/get"))).unwrap();
        assert_eq!((r1.status(), r2.status()), (200, 200));
        assert_eq!(&r1.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert_eq!(http.pools_len(), 1);
        let r3 = send!(http.request("GET", https_url(&tls, "/robots.txt"))).unwrap();
        let r4 = send!(http.request("GET", tls.url("/get"))).unwrap();
        assert_eq!((r3.status(), r4.status()), (200, 200));
        assert_eq!(&r3.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert_eq!(http.pools_len(), 3);
        let (p, t) = (plain.port(), tls.port());
        assert_eq!(
            proxy.request_lines(),
            lines(&[
                ("GET", format!("http://localhost:{p}/robots.txt")),
                ("GET", format!("http://127.0.0.1:{p}/get")),
                ("CONNECT", format!("localhost:{t}")),
                ("CONNECT", format!("127.0.0.1:{t}")),
            ])
        );
        // The responses know the URL asked for, not the proxy's.
        assert_eq!(r1.url(), plain.url_with_host("localhost", "/robots.txt"));
        assert_eq!(r4.url(), tls.url("/get"));
    }
}

dual_test! {
    fn http_is_forwarded_in_absolute_form_with_the_proxy_headers() {
        let origin = HttpBin::start();
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url(), b => b.proxy_headers([("X-Proxy-Token", "t1")]));
        let r = send!(http
            .request("GET", origin.url_with_host("localhost", "/get"))
            .fields([("a", "1")])
            .header("X-Req", "r"))
        .unwrap();
        assert_eq!(r.status(), 200);
        let seen = &proxy.requests()[0];
        assert_eq!(seen.method, "GET");
        assert_eq!(seen.target, format!("http://localhost:{}/get?a=1", origin.port()));
        assert_eq!(seen.header("host"), Some(format!("localhost:{}", origin.port()).as_str()));
        assert_eq!(seen.header("x-proxy-token"), Some("t1"));
        assert_eq!(seen.header("x-req"), Some("r"));
        // The origin got the request from the proxy, with the destination's Host.
        let at_origin = origin.last_request().unwrap();
        assert_eq!(at_origin.target, "/get?a=1");
        assert_eq!(at_origin.header("host"), Some(format!("localhost:{}", origin.port()).as_str()));
        // One pool, keyed to the proxy.
        let pool = http.connection_from_url(&origin.url("/"), None).unwrap();
        assert_eq!((pool.host(), pool.port()), ("127.0.0.1", proxy.port()));
        assert_eq!(http.pools_len(), 1);
    }
}

dual_test! {
    fn https_goes_through_a_connect_tunnel_with_proxy_auth_on_the_connect_only() {
        let pki = TestPki::new();
        let origin = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start_with_auth("alice", "s3cret");
        let auth = hip::make_headers(MakeHeaders::new().proxy_basic_auth("alice:s3cret"));
        let http = proxy_manager!(proxy.url(), b => b
            .proxy_header_dict(auth)
            .ca_certs(pki.ca_bundle_path()));
        let r = send!(http.request("GET", https_url(&origin, "/headers")).header("X-Req", "r")).unwrap();
        assert_eq!(r.status(), 200, "{}", r.text());
        let r2 = send!(http.request("GET", https_url(&origin, "/get"))).unwrap();
        assert_eq!(r2.status(), 200);
        // One CONNECT: the second request reused the tunnel.
        let seen = proxy.requests();
        assert_eq!(seen.len(), 1, "{seen:?}");
        let connect = &seen[0];
        assert_eq!(connect.method, "CONNECT");
        assert_eq!(connect.target, format!("localhost:{}", origin.port()));
        assert_eq!(connect.header("host"), Some(connect.target.as_str()));
        assert_eq!(connect.header("proxy-authorization"), Some(basic("alice", "s3cret").as_str()));
        assert_eq!(connect.header("x-req"), None);
        // The origin saw the requests in origin form, without the proxy's credentials.
        let at_origin = origin.requests();
        assert_eq!(at_origin.len(), 2);
        assert_eq!(at_origin[0].target, "/headers");
        assert_eq!(at_origin[0].header("x-req"), Some("r"));
        assert_eq!(at_origin[0].header("host"), Some(format!("localhost:{}", origin.port()).as_str()));
        assert!(at_origin.iter().all(|r| r.header("proxy-authorization").is_none()));
        assert_eq!(origin.connections(), 1);
        // The tunnelling pool is keyed to the destination.
        let pool = http.connection_from_host("localhost", Some(origin.port()), "https", None).unwrap();
        assert_eq!((pool.host(), pool.port()), ("localhost", origin.port()));
        assert_eq!(http.pools_len(), 1);
    }
}

dual_test! {
    fn credentials_in_the_proxy_url_become_basic_auth() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start_with_auth("us@er", "p:ss w");
        let http = proxy_manager!(proxy.url_with_auth("us%40er:p%3Ass%20w"), b => b
            .ca_certs(pki.ca_bundle_path()));
        assert_eq!(
            http.proxy_headers().unwrap().get("proxy-authorization").as_deref(),
            Some(basic("us@er", "p:ss w").as_str())
        );
        assert_eq!(http.proxy(), Some(format!("http://127.0.0.1:{}", proxy.port())));
        assert_eq!(send!(http.request("GET", plain.url("/get"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", https_url(&tls, "/get"))).unwrap().status(), 200);
        let seen = proxy.requests();
        assert_eq!(seen.len(), 2);
        for r in &seen {
            assert_eq!(r.header("proxy-authorization"), Some(basic("us@er", "p:ss w").as_str()));
        }
        assert!(plain.last_request().unwrap().header("proxy-authorization").is_none());
        assert!(tls.last_request().unwrap().header("proxy-authorization").is_none());
    }
}

dual_test! {
    fn wrong_proxy_credentials_give_407_or_a_failed_tunnel() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start_with_auth("alice", "right");
        let http = proxy_manager!(proxy.url_with_auth("alice:wrong"), b => b
            .ca_certs(pki.ca_bundle_path()));
        // Forwarded http://: the proxy's 407 is the response, as from any server.
        let r = send!(http.request("GET", plain.url("/get"))).unwrap();
        assert_eq!(r.status(), 407);
        assert_eq!(r.reason(), "Proxy Authentication Required");
        assert_eq!(r.getheader("proxy-authenticate").as_deref(), Some("Basic realm=\"hip-test\""));
        assert_eq!(r.text(), AUTH_REQUIRED_BODY);
        assert_eq!(plain.requests().len(), 0);
        // https://: the refused CONNECT is FailedTunnelError with the proxy's answer.
        let err = send!(http.request("GET", https_url(&tls, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FailedTunnel, "{err}");
        assert!(err.is_proxy_error());
        assert_eq!(
            err.message(),
            format!(
                "Tunnel connection failed: 407 Proxy Authentication Required (CONNECT \
                 localhost:{} via proxy http://127.0.0.1:{})",
                tls.port(),
                proxy.port()
            )
        );
        let refused = err.tunnel_response().expect("the proxy's response");
        assert_eq!(refused.status, 407);
        assert_eq!(refused.reason, "Proxy Authentication Required");
        assert_eq!(refused.headers.get("proxy-authenticate").as_deref(), Some("Basic realm=\"hip-test\""));
        assert_eq!(&refused.body[..], AUTH_REQUIRED_BODY.as_bytes());
        assert_eq!(tls.connections(), 0);
        // With the default retries it is tried 4 times, then MaxRetryError keeps the cause.
        let before = proxy.requests().len();
        let err = send!(http.request("GET", https_url(&tls, "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        let reason = err.reason().expect("a reason");
        assert_eq!(reason.kind(), ErrorKind::FailedTunnel);
        assert_eq!(reason.tunnel_response().unwrap().status, 407);
        assert_eq!(proxy.requests().len() - before, 4);
    }
}

dual_test! {
    fn refused_connect_carries_any_status_and_a_bounded_body() {
        let big = vec![b'x'; 100 * 1024];
        let proxy = HttpProxy::start_with(ProxyConfig {
            behavior: Behavior::RefuseConnect { status: 403, reason: "Forbidden", body: big },
            ..ProxyConfig::default()
        });
        let http = proxy_manager!(proxy.url(), b => b.retries(false));
        let err = send!(http.request("GET", "https://example.invalid/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FailedTunnel, "{err}");
        let refused = err.tunnel_response().unwrap();
        assert_eq!((refused.status, refused.reason.as_str()), (403, "Forbidden"));
        assert_eq!(refused.headers.get("x-proxy").as_deref(), Some("hip-test"));
        assert_eq!(refused.headers.get("content-length").as_deref(), Some("102400"));
        // At most 64 KiB of the body is kept.
        assert_eq!(refused.body.len(), 64 * 1024);
        assert!(refused.body.iter().all(|&b| b == b'x'));
        assert_eq!(proxy.request_lines(), lines(&[("CONNECT", "example.invalid:443".to_string())]));
    }
}

dual_test! {
    fn unreachable_destination_is_the_proxys_502() {
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url(), b => b.retries(false));
        let port = closed_port();
        let err = send!(http.request("GET", format!("https://127.0.0.1:{port}/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FailedTunnel, "{err}");
        let refused = err.tunnel_response().unwrap();
        assert_eq!(refused.status, 502);
        let body = String::from_utf8_lossy(&refused.body).into_owned();
        assert!(body.starts_with(&format!("cannot reach 127.0.0.1:{port}: ")), "{body}");
        // Forwarded: the 502 is an ordinary response.
        let r = send!(http.request("GET", format!("http://127.0.0.1:{port}/"))).unwrap();
        assert_eq!(r.status(), 502);
    }
}

dual_test! {
    fn a_proxy_that_closes_mid_handshake_is_a_proxy_error() {
        let proxy = HttpProxy::start_with(ProxyConfig {
            behavior: Behavior::CloseAfterHead,
            ..ProxyConfig::default()
        });
        let http = proxy_manager!(proxy.url(), b => b.retries(false));
        let err = send!(http.request("GET", "https://localhost:9/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        assert_eq!(
            err.message(),
            format!("Unable to connect to proxy http://127.0.0.1:{}", proxy.port())
        );
        // The causes, each once, in the chain.
        let chain = format!("{err:#}");
        assert!(
            chain.ends_with(
                "Unable to connect to proxy http://127.0.0.1:{}: ProtocolError: no valid answer to \
                 CONNECT localhost:9: ProtocolError: connection closed before a complete response \
                 head: the remote end closed the connection without a response"
                    .replace("{}", &proxy.port().to_string())
                    .as_str()
            ),
            "{chain}"
        );
        assert_eq!(proxy.request_lines(), lines(&[("CONNECT", "localhost:9".to_string())]));
    }
}

dual_test! {
    fn an_unreachable_proxy_is_a_proxy_error_retried_as_a_connect_error() {
        let port = closed_port();
        let http = proxy_manager!(format!("http://127.0.0.1:{port}"), b => b.retries(false));
        for url in ["http://example.invalid/", "https://example.invalid/"] {
            let err = send!(http.request("GET", url)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
            assert_eq!(err.message(), format!("Unable to connect to proxy http://127.0.0.1:{port}"));
            let chain = format!("{err:#}");
            assert!(
                chain.contains(&format!(
                    "Unable to connect to proxy http://127.0.0.1:{port}: NewConnectionError: Failed \
                     to establish a new connection: "
                )),
                "{chain}"
            );
            let cause = std::error::Error::source(&err)
                .and_then(|s| s.downcast_ref::<hip::Error>())
                .expect("the connect error as source");
            assert_eq!(cause.kind(), ErrorKind::NewConnection);
        }
        // Counted as a connect error: Retry(connect=False) re-raises it as it is.
        let retry = Retry::new(5).connect(hip::util::RetryCount::Disabled);
        let err = send!(http.request("GET", "http://example.invalid/").retries(retry)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        // ...while a read error does not count against `connect`.
        let retry = Retry::new(5).read(hip::util::RetryCount::Disabled);
        let err = send!(http.request("GET", "http://example.invalid/").retries(retry)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        let err = send!(http.request("GET", "http://example.invalid/").retries(2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::Proxy);
    }
}

dual_test! {
    fn the_connect_timeout_covers_the_proxy_handshake() {
        let proxy = HttpProxy::start_with(ProxyConfig {
            behavior: Behavior::Stall,
            ..ProxyConfig::default()
        });
        let http = proxy_manager!(proxy.url(), b => b
            .retries(false)
            .timeout(hip::Timeout::new().connect(0.2).read(30.0)));
        let err = send!(http.request("GET", "https://localhost:9/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
        assert!(err.is_timeout());
        assert_eq!(proxy.request_lines(), lines(&[("CONNECT", "localhost:9".to_string())]));
    }
}

dual_test! {
    fn an_https_proxy_is_reached_over_tls_and_verified() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start_tls(&pki);
        let http = proxy_manager!(proxy.url(), b => b.ca_certs(pki.ca_bundle_path()));
        assert_eq!(http.proxy(), Some(format!("https://localhost:{}", proxy.port())));
        // http:// forwarded over TLS to the proxy; https:// as TLS inside TLS.
        let r = send!(http.request("GET", plain.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(http.request("GET", https_url(&tls, "/robots.txt"))).unwrap();
        assert_eq!(&r.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert_eq!(
            proxy.request_lines(),
            lines(&[
                ("GET", plain.url("/get")),
                ("CONNECT", format!("localhost:{}", tls.port())),
            ])
        );
        // A proxy certificate the trusted roots do not vouch for: ProxyError caused by SSLError.
        let untrusting = proxy_manager!(proxy.url(), b => b.retries(false));
        let err = send!(untrusting.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<hip::Error>())
            .unwrap();
        assert_eq!(cause.kind(), ErrorKind::Ssl, "{cause}");
    }
}

dual_test! {
    fn the_destination_is_verified_through_the_tunnel() {
        let pki = TestPki::new();
        let wrong = HttpBin::start_https(&pki, ServerCert::WrongHost);
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url(), b => b.ca_certs(pki.ca_bundle_path()).retries(false));
        let err = send!(http.request("GET", https_url(&wrong, "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().contains("localhost"), "{err}");
        // assert_hostname applies to the destination, not to the proxy.
        let pinned = proxy_manager!(proxy.url(), b => b
            .ca_certs(pki.ca_bundle_path())
            .assert_hostname("wrong.example"));
        let r = send!(pinned.request("GET", https_url(&wrong, "/get"))).unwrap();
        assert_eq!(r.status(), 200);
    }
}

dual_test! {
    fn redirects_follow_through_the_proxy_without_leaking_proxy_credentials() {
        let pki = TestPki::new();
        let plain = HttpBin::start();
        let tls = HttpBin::start_https(&pki, ServerCert::Valid);
        let proxy = HttpProxy::start_with_auth("alice", "pw");
        let http = proxy_manager!(proxy.url_with_auth("alice:pw"), b => b
            .ca_certs(pki.ca_bundle_path()));
        let target = https_url(&tls, "/headers");
        let start = plain.url(&format!("/redirect-to?url={target}"));
        let r = send!(http.request("GET", &start).header("Authorization", "Bearer origin-only")).unwrap();
        assert_eq!(r.status(), 200, "{}", r.text());
        assert_eq!(r.url(), target);
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].redirect_location.as_deref(), Some(target.as_str()));
        assert_eq!(
            proxy.request_lines(),
            lines(&[("GET", start.clone()), ("CONNECT", format!("localhost:{}", tls.port()))])
        );
        // The new origin sees neither the proxy's credentials nor the old origin's.
        let at_tls = tls.last_request().unwrap();
        assert_eq!(at_tls.header("proxy-authorization"), None);
        assert_eq!(at_tls.header("authorization"), None);
        // Relative redirects stay on the forwarding pool.
        let r = send!(http.request("GET", plain.url("/redirect/2"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url(), plain.url("/get"));
        let targets: Vec<String> = proxy.requests().into_iter().skip(2).map(|r| r.target).collect();
        assert_eq!(targets, vec![plain.url("/redirect/2"), plain.url("/redirect/1"), plain.url("/get")]);
    }
}

dual_test! {
    fn status_retries_work_through_the_proxy() {
        let plain = HttpBin::start();
        let proxy = HttpProxy::start();
        let http = proxy_manager!(proxy.url());
        let retry = Retry::new(3).status_forcelist([503]);
        let r = send!(http.request("GET", plain.url("/flaky/k1/2/503")).retries(retry)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.retries().unwrap().history.len(), 2);
        assert_eq!(proxy.requests().len(), 3);
        assert_eq!(plain.flaky_count("k1"), 3);
    }
}

#[cfg(feature = "async")]
#[cfg(feature = "blocking")]
#[test]
fn proxy_urls_are_checked() {
    let e = hip::ProxyManager::with_proxy("ftp://u:pw@127.0.0.1:21").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
    assert!(e.message().starts_with("Proxy URL \"ftp://u:***@127.0.0.1:21\" had unsupported scheme \"ftp\", should use one of http://, https://"), "{e}");
    let e = hip::proxy_from_url("127.0.0.1:3128").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown, "{e}");
    let m = hip::proxy_from_url("https://proxy.invalid").unwrap();
    assert_eq!(m.proxy().as_deref(), Some("https://proxy.invalid:443"));
    assert_eq!(m.pools_len(), 0);
    let m = hip::async_proxy_from_url("http://proxy.invalid").unwrap();
    assert_eq!(m.proxy().as_deref(), Some("http://proxy.invalid:80"));
    assert!(m.proxy_headers().unwrap().is_empty());
}

#[cfg(feature = "blocking")]
#[test]
fn pools_differ_per_https_host_and_share_the_proxy_for_http() {
    let http = hip::ProxyManager::with_proxy("http://127.0.0.1:3128").unwrap();
    let a = http.connection_from_url("http://a.invalid/", None).unwrap();
    let b = http
        .connection_from_url("http://b.invalid:8080/", None)
        .unwrap();
    assert_eq!((a.host(), a.port()), ("127.0.0.1", 3128));
    assert_eq!((b.host(), b.port()), ("127.0.0.1", 3128));
    assert_eq!(http.pools_len(), 1);
    let c = http
        .connection_from_url("https://A.invalid/", None)
        .unwrap();
    let d = http
        .connection_from_host("b.invalid", None, "https", None)
        .unwrap();
    assert_eq!((c.host(), c.port()), ("a.invalid", 443));
    assert_eq!((d.host(), d.port()), ("b.invalid", 443));
    assert_eq!(http.pools_len(), 3);
    // A plain PoolManager's pools are not confused with the proxy's.
    assert!(matches!(a.route(), hip::Route::Forward(_)));
    assert!(matches!(c.route(), hip::Route::Tunnel(_)));
    http.clear();
    assert_eq!(http.pools_len(), 0);
}
