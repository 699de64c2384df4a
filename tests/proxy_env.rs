#![cfg(all(feature = "async", feature = "blocking"))]
//! Proxies from the environment (`proxy_from_env(true)`), through both APIs.
//!
//! One test in its own binary: it changes the process environment, which no other test
//! may see. Every URL is an IP literal, so no name lookup (which reads the environment from
//! another thread) runs while the variables change.

use hip_test_support as support;
use support::proxy::HttpProxy;
use support::HttpBin;

const VARS: [&str; 10] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "REQUEST_METHOD",
    "request_method",
];

fn set_env(pairs: &[(&str, &str)]) {
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in pairs {
        std::env::set_var(k, v);
    }
}

/// Sends one GET through each API with `proxy_from_env(enabled)` and returns the status.
fn get_both(url: &str, enabled: bool) -> (u16, u16) {
    let blocking = hip::PoolManager::builder()
        .proxy_from_env(enabled)
        .retries(false)
        .build()
        .unwrap();
    let b = blocking.request("GET", url).send().unwrap().status();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let a = rt.block_on(async {
        let http = hip::AsyncPoolManager::builder()
            .proxy_from_env(enabled)
            .retries(false)
            .build()
            .unwrap();
        http.request("GET", url).send().await.unwrap().status()
    });
    (a, b)
}

#[test]
fn proxies_from_the_environment_follow_no_proxy_cgi_and_the_opt_in() {
    let server = HttpBin::start();
    let proxy = HttpProxy::start();
    let url = server.url("/get");
    let through = |n: usize| assert_eq!(proxy.requests().len(), n, "requests seen by the proxy");

    // Off by default, as in urllib3: the variables are not read.
    set_env(&[("http_proxy", &proxy.url())]);
    assert_eq!(get_both(&url, false), (200, 200));
    through(0);

    // On: both requests go through the proxy, absolute-form.
    assert_eq!(get_both(&url, true), (200, 200));
    through(2);
    assert_eq!(proxy.requests()[0].target, url);

    // Upper case, and a no_proxy that does not match.
    set_env(&[
        ("HTTP_PROXY", &proxy.url()),
        ("NO_PROXY", "localhost,10.0.0.0/8"),
    ]);
    assert_eq!(get_both(&url, true), (200, 200));
    through(4);

    // no_proxy by IP, by CIDR, with the port, and `*`: direct.
    let port_entry = format!("127.0.0.1:{}", server.port());
    for no_proxy in ["127.0.0.1", "127.0.0.0/8", port_entry.as_str(), "*"] {
        set_env(&[("http_proxy", &proxy.url()), ("no_proxy", no_proxy)]);
        assert_eq!(get_both(&url, true), (200, 200), "no_proxy={no_proxy}");
        through(4);
    }
    // A port that is not the server's: through the proxy again.
    set_env(&[("http_proxy", &proxy.url()), ("no_proxy", "127.0.0.1:1")]);
    assert_eq!(get_both(&url, true), (200, 200));
    through(6);

    // all_proxy serves http when http_proxy is unset; a bare host:port is http://.
    set_env(&[("all_proxy", &format!("127.0.0.1:{}", proxy.port()))]);
    assert_eq!(get_both(&url, true), (200, 200));
    through(8);

    // A CGI script (REQUEST_METHOD set): HTTP_PROXY may come from a request (httpoxy).
    set_env(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", &proxy.url())]);
    assert_eq!(get_both(&url, true), (200, 200));
    through(8);

    // What the manager reports, and an unusable URL named as coming from the environment.
    set_env(&[("https_proxy", &proxy.url())]);
    let m = hip::PoolManager::builder()
        .proxy_from_env(true)
        .build()
        .unwrap();
    assert_eq!(
        m.proxy(),
        Some(format!("http://127.0.0.1:{}", proxy.port()))
    );
    set_env(&[("http_proxy", "ftp://127.0.0.1:21")]);
    let err = hip::PoolManager::builder()
        .proxy_from_env(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), hip::ErrorKind::ProxySchemeUnknown, "{err}");
    assert!(err.to_string().contains("from the environment"), "{err}");
    // An explicit proxy_url wins over the environment.
    set_env(&[("http_proxy", "ftp://127.0.0.1:21")]);
    let m = hip::PoolManager::builder()
        .proxy_from_env(true)
        .proxy_url(proxy.url())
        .build()
        .unwrap();
    assert_eq!(m.request("GET", &url).send().unwrap().status(), 200);
    through(9);
    set_env(&[]);
}
