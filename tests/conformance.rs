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

dual_test! {
    fn default_headers_are_urllib3s_with_hip_as_the_user_agent() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header("user-agent"), Some(hip::DEFAULT_USER_AGENT));
        assert!(hip::DEFAULT_USER_AGENT.starts_with("hip/"));
        // Python's http.client adds `Accept-Encoding: identity` under urllib3.
        assert_eq!(q.header("accept-encoding"), Some("identity"));

        // The caller's own values win, and are sent once.
        let r = send!(http
            .request("GET", server.url("/get"))
            .headers([("User-Agent", "Batman/1.0"), ("Accept-Encoding", "gzip")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header_all("user-agent"), ["Batman/1.0"]);
        assert_eq!(q.header_all("accept-encoding"), ["gzip"]);
    }
}

dual_test! {
    fn skip_header_leaves_out_a_default_header() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get")).headers([
            ("User-Agent", hip::SKIP_HEADER),
            ("Accept-Encoding", hip::SKIP_HEADER),
        ]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let q = server.last_request().unwrap();
        assert_eq!(q.header("user-agent"), None);
        assert_eq!(q.header("accept-encoding"), None);
        assert!(q.header("host").is_some());
    }
}

dual_test! {
    fn skip_header_on_a_header_urllib3_cannot_skip_fails_before_connecting() {
        let server = HttpBin::start();
        let http = manager!();
        let err = send!(http
            .request("GET", server.url("/get"))
            .headers([("Accept", hip::SKIP_HEADER)]))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
        let text = err.to_string();
        assert!(text.contains("\"Accept\"") && text.contains("'User-Agent'"), "{text}");
        assert!(server.requests().is_empty());
        assert_eq!(hip::SKIPPABLE_HEADERS, ["Accept-Encoding", "Host", "User-Agent"]);
    }
}

dual_test! {
    fn forwarded_requests_carry_urllib3s_accept_unless_the_caller_set_one() {
        let server = HttpBin::start();
        let proxy = support::proxy::HttpProxy::start();
        let http = proxy_manager!(proxy.url());
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(http
            .request("GET", server.url("/get"))
            .headers([("Accept", "application/json")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let seen = proxy.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].header("accept"), Some("*/*"));
        assert_eq!(seen[0].header("user-agent"), Some(hip::DEFAULT_USER_AGENT));
        assert_eq!(seen[1].header("accept"), Some("application/json"));
    }
}

dual_test! {
    fn enforce_content_length_off_ends_a_short_body_quietly_as_urllib3_1_26_does() {
        // On (the default, as urllib3 2.x): the short body is an error, retried as a read
        // error until the retries run out.
        let server = support::RawServer::close_mid_body();
        let http = manager!(b => b.retries(false));
        let err = send!(http.request("GET", server.url("/"))).unwrap_err();
        assert!(err.is_protocol_error(), "{err}");
        assert!(err.to_string().contains("10 bytes read, 90 more expected"), "{err}");

        // Off: what arrived is the body.
        let r = send!(http
            .request("GET", server.url("/"))
            .enforce_content_length(false))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.data(), "0123456789");

        // Streaming, too.
        let mut r = send!(http
            .request("GET", server.url("/"))
            .enforce_content_length(false)
            .preload_content(false))
        .unwrap();
        assert_eq!(call!(r.read(None)).unwrap(), "0123456789");
        assert_eq!(call!(r.read(Some(5))).unwrap(), "");
    }
}

dual_test! {
    fn release_conn_false_keeps_the_connection_until_the_body_is_read_as_urllib3_does() {
        // urllib3's test_release_conn_param_is_respected_after_timeout_retry: with
        // release_conn=False and preload_content=False the response holds the connection;
        // reading the body to the end puts it back.
        let server = HttpBin::start();
        let pool = pool!(&server.url("/"), hip::PoolOptions::default().maxsize(1));
        let mut r = send!(pool
            .request("GET", "/bytes/100")
            .release_conn(false)
            .preload_content(false))
        .unwrap();
        assert_eq!(pool.num_idle(), 0);
        assert_eq!(call!(r.read(None)).unwrap().len(), 100);
        assert_eq!(pool.num_idle(), 1);

        // release_conn=True with preload_content=False: never back to the pool with the body
        // still on it (urllib3 1.26 would put it back at once).
        let mut r = send!(pool
            .request("GET", "/bytes/100")
            .release_conn(true)
            .preload_content(false))
        .unwrap();
        assert_eq!(pool.num_idle(), 0);
        assert_eq!(call!(r.read(None)).unwrap().len(), 100);
        assert_eq!(pool.num_idle(), 1);
        assert_eq!(pool.num_connections(), 1);
    }
}

dual_test! {
    fn stream_with_decode_content_false_hands_on_the_raw_coded_bytes() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http
            .request("GET", server.url("/gzip"))
            .headers([("Accept-Encoding", "gzip")])
            .preload_content(false))
        .unwrap();
        let mut raw = Vec::new();
        for chunk in chunks_with!(r, 16, Some(false)) {
            raw.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(&raw[..2], [0x1f, 0x8b], "gzip magic expected");
        assert_eq!(r.tell(), raw.len() as u64);
    }
}

dual_test! {
    fn get_redirect_location_tells_not_a_redirect_from_a_redirect_without_location() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.get_redirect_location(), None);
        let r = send!(http.request("GET", server.url("/redirect/1")).redirect(false)).unwrap();
        assert_eq!(r.get_redirect_location(), Some(Some("/get".into())));
        // A 302 without Location: the spec's None, not its False.
        let r = support::RawServer::respond_always(
            "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
        );
        let resp = send!(http.request("GET", r.url("/")).redirect(false)).unwrap();
        assert_eq!(resp.status(), 302);
        assert_eq!(resp.get_redirect_location(), Some(None));
    }
}

#[cfg(feature = "blocking")]
/// A gzip member holding `text`.
fn gzip(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text).unwrap();
    enc.finish().unwrap()
}

#[cfg(feature = "blocking")]
#[test]
fn built_response_preloads_and_decodes_its_body_like_a_received_one() {
    let coded = gzip(b"hello, built world");
    let r = hip::HttpResponse::builder()
        .status(203)
        .reason("Non-Authoritative")
        .version(10)
        .header("Content-Encoding", "gzip")
        .header("Location", "/x")
        .body(coded.clone())
        .request_method("GET")
        .request_url("http://example.test/a")
        .build()
        .unwrap();
    assert_eq!(r.status(), 203);
    assert_eq!(r.reason(), "Non-Authoritative");
    assert_eq!(r.version(), 10);
    assert_eq!(r.url(), "http://example.test/a");
    assert_eq!(r.request_method(), "GET");
    assert_eq!(r.data(), "hello, built world");
    assert_eq!(r.tell(), coded.len() as u64);
    assert_eq!(r.get_redirect_location(), None);
    assert!(r.closed());

    // Not decoded on request.
    let r = hip::HttpResponse::builder()
        .header("Content-Encoding", "gzip")
        .body(coded.clone())
        .decode_content(false)
        .build()
        .unwrap();
    assert_eq!(r.data(), &coded[..]);
    assert_eq!(r.status(), 0, "the spec's default status");

    // A bad version names itself; a body that is not what its coding says is a decode error.
    let err = hip::HttpResponse::builder().version(9).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.to_string().contains("got 9"), "{err}");
    let err = hip::HttpResponse::builder()
        .header("Content-Encoding", "gzip")
        .body("not gzip")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

#[cfg(all(feature = "async", feature = "blocking"))]
#[test]
fn built_response_streams_its_body_when_not_preloaded_in_both_apis() {
    use std::io::Read;
    let coded = gzip(&[b'z'; 100_000]);
    let mut r = hip::HttpResponse::builder()
        .header("Content-Encoding", "gzip")
        .body(coded.clone())
        .preload_content(false)
        .build()
        .unwrap();
    assert!(!r.closed());
    let mut first = [0u8; 10];
    r.read_exact(&mut first).unwrap();
    assert_eq!(first, [b'z'; 10]);
    let rest = r.read(None).unwrap();
    assert_eq!(rest.len(), 100_000 - 10);
    assert!(r.closed());

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = hip::AsyncHttpResponse::builder()
            .header("Content-Encoding", "gzip")
            .body(coded)
            .preload_content(false)
            .build()
            .unwrap();
        assert_eq!(r.read(Some(7)).await.unwrap(), "zzzzzzz");
        let rest = r.preload_content().await.unwrap();
        assert_eq!(rest.len(), 100_000 - 7);
    });
}

dual_test! {
    fn pool_kwargs_merge_over_the_managers_options_as_urllib3_merges_them() {
        let server = HttpBin::start();
        let http = manager!(b => b.maxsize(10).block(true).retries(Retry::new(7)));
        let kwargs = hip::PoolKwargs::new().set(|o| o.maxsize(3));
        let pool = http
            .connection_from_host("127.0.0.1", Some(server.port()), "http", Some(kwargs.clone()))
            .unwrap();
        let o = pool.options();
        // The named option changed; every other one is the manager's.
        assert_eq!(o.maxsize, 3);
        assert!(o.block);
        assert_eq!(o.retries, Retry::new(7));
        // The same kwargs again: the same pool; the context and URL forms agree.
        let again = http
            .connection_from_url(&server.url("/"), Some(kwargs.clone()))
            .unwrap();
        assert_eq!(http.pools_len(), 1);
        let ctx = hip::RequestContext::new(hip::Scheme::Http, "127.0.0.1", Some(server.port()))
            .pool_kwargs(kwargs);
        let by_ctx = http.connection_from_context(ctx).unwrap();
        assert_eq!(http.pools_len(), 1);
        assert_eq!(send!(again.request("GET", "/get")).unwrap().status(), 200);
        assert_eq!(by_ctx.num_requests(), 1);
        // replace_all: nothing of the manager's is kept.
        let replaced = http
            .connection_from_host(
                "127.0.0.1",
                Some(server.port()),
                "http",
                Some(hip::PoolKwargs::replace_all(hip::PoolOptions::default())),
            )
            .unwrap();
        assert!(!replaced.options().block);
        assert_eq!(http.pools_len(), 2);
    }
}

#[cfg(feature = "async")]
#[tokio::test]
async fn util_create_connection_and_ssl_wrap_socket_speak_to_real_servers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pki = support::TestPki::new();
    let server = HttpBin::start_https(&pki, support::ServerCert::Valid);
    let io = hip::util::create_connection(
        "localhost",
        server.port(),
        Some(std::time::Duration::from_secs(10)),
        &hip::ConnectOptions::default(),
    )
    .await
    .unwrap();
    let mut tls = hip::TlsOptions::default();
    tls.ca_cert_data = Some(pki.ca_pem().into_bytes());
    let mut io = hip::util::ssl_wrap_socket(io, "localhost", &tls)
        .await
        .unwrap();
    assert!(!hip::util::is_connection_dropped(&mut io));
    io.write_all(b"GET /get HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    io.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );

    // Without the CA: a verdict naming the host.
    let io = hip::util::create_connection("localhost", server.port(), None, &Default::default())
        .await
        .unwrap();
    let Err(err) = hip::util::ssl_wrap_socket(io, "localhost", &hip::TlsOptions::default()).await
    else {
        panic!("an untrusted certificate was accepted");
    };
    assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");

    // Nothing listening: NewConnectionError.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let Err(err) = hip::util::create_connection("127.0.0.1", port, None, &Default::default()).await
    else {
        panic!("connected to a closed port");
    };
    assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
}

dual_test! {
    fn a_legacy_openssl_encrypted_key_is_refused_with_how_to_convert_it() {
        let pki = support::TestPki::new();
        let id = pki.issue_server_cert(&["localhost"]);
        let dir = std::env::temp_dir().join(format!("hip-legacy-key-{}-{API}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, id.cert_pem()).unwrap();
        // What `openssl genrsa -aes256` writes (the body need not decrypt: the header says it
        // all).
        std::fs::write(
            &key,
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
             DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n\
             -----END RSA PRIVATE KEY-----\n",
        )
        .unwrap();
        let built = builder!().cert_file(&cert).key_file(&key).key_password("pw").build();
        let Err(err) = built else { panic!("a legacy encrypted key was accepted") };
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        let text = err.to_string();
        assert!(text.contains("Proc-Type: 4,ENCRYPTED") && text.contains("openssl pkcs8"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

dual_test! {
    fn an_https_proxy_is_verified_with_the_pools_ca_unless_proxy_tls_pins_it() {
        let pki = support::TestPki::new();
        let plain = HttpBin::start();
        let proxy = support::proxy::HttpProxy::start_tls(&pki);
        let trusting = hip::PoolKwargs::new().set({
            let ca = pki.ca_bundle_path();
            move |o| {
                let mut o = o;
                o.tls.ca_certs = Some(ca.clone());
                o
            }
        });
        // The manager trusts nothing that signed the proxy; pool_kwargs with the CA reach the
        // proxy too, as urllib3 1.26 builds the proxy's context from the connection's CA.
        let http = proxy_manager!(proxy.url(), b => b.retries(false));
        let err = send!(http.request("GET", plain.url("/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        let pool = http
            .connection_from_url(&plain.url("/"), Some(trusting.clone()))
            .unwrap();
        // A forwarding pool is the proxy's: the URL is foreign to it, as under urllib3's
        // ProxyManager, which passes assert_same_host=False.
        let r = send!(pool.request("GET", plain.url("/get")).assert_same_host(false)).unwrap();
        assert_eq!(r.status(), 200);

        // proxy_tls pins the proxy's own options: the pools' CA options no longer reach it.
        let pinned = proxy_manager!(proxy.url(), b => b
            .retries(false)
            .proxy_tls(hip::TlsOptions::default()));
        let pool = pinned
            .connection_from_url(&plain.url("/"), Some(trusting))
            .unwrap();
        let err = send!(pool.request("GET", plain.url("/get")).assert_same_host(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        let mut with_ca = hip::TlsOptions::default();
        with_ca.ca_certs = Some(pki.ca_bundle_path());
        let pinned_ok = proxy_manager!(proxy.url(), b => b.proxy_tls(with_ca));
        let r = send!(pinned_ok.request("GET", plain.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
    }
}
