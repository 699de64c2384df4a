//! Sending requests through the blocking API: fields, bodies, keep-alive, pools, redirects,
//! and errors that must be exactly those of the async API.

mod common;

use std::io::Cursor;

use bytes::Bytes;
use hip_blocking::{Body, PoolManager, PoolOptions, RequestOptions, Scheme};
use hip_core::ErrorKind;

#[test]
fn get_with_fields_goes_in_the_query_string() {
    let server = common::server();
    let http = PoolManager::builder()
        .maxsize(10)
        .block(true)
        .build()
        .unwrap();
    let r = http
        .request("GET", server.url("/echo"))
        .fields([("a", "b"), ("c", "d e")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.reason(), "OK");
    assert_eq!(r.version(), 11);
    assert_eq!(
        r.text(),
        "GET /echo?a=b&c=d+e\ncontent-type: -\ncontent-length: -\n\n"
    );
    assert_eq!(r.url(), server.url("/echo?a=b&c=d+e"));
    assert_eq!(r.headers().get("content-length").as_deref(), Some("55"));
}

#[test]
fn post_with_fields_sends_a_form() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let r = http
        .request("POST", server.url("/echo"))
        .fields([("hello", "world")])
        .encode_multipart(false)
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "POST /echo\ncontent-type: application/x-www-form-urlencoded\ncontent-length: 11\n\nhello=world"
    );

    let r = http
        .request("POST", server.url("/echo"))
        .fields([("hello", "world")])
        .multipart_boundary("boundary42")
        .send()
        .unwrap();
    let (expected, content_type) =
        hip_core::filepost::encode_multipart_formdata([("hello", "world")], Some("boundary42"));
    assert_eq!(content_type, "multipart/form-data; boundary=boundary42");
    let head = format!(
        "POST /echo\ncontent-type: {content_type}\ncontent-length: {}\n\n",
        expected.len()
    );
    let mut want = head.into_bytes();
    want.extend_from_slice(&expected);
    assert_eq!(&r.data()[..], &want[..]);
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    for i in 0..5 {
        let r = http
            .request("GET", server.url(&format!("/echo?i={i}")))
            .send()
            .unwrap();
        assert_eq!(
            r.text(),
            format!("GET /echo?i={i}\ncontent-type: -\ncontent-length: -\n\n")
        );
    }
    assert_eq!(server.connections(), 1);
    assert_eq!(http.pools_len(), 1);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.num_connections(), 1);
    assert_eq!(pool.num_requests(), 5);
    assert_eq!(pool.num_idle(), 1);
}

#[test]
fn manager_pools_share_the_managers_runtime_and_connections() {
    let server = common::server();
    let http = PoolManager::builder()
        .headers([("X-Default", "1")])
        .build()
        .unwrap();
    assert_eq!(http.headers().get("x-default").as_deref(), Some("1"));
    let pool = http
        .connection_from_host("127.0.0.1", Some(server.port()), "http", None)
        .unwrap();
    assert_eq!(pool.scheme(), Scheme::Http);
    assert_eq!(pool.host(), "127.0.0.1");
    assert_eq!(pool.port(), server.port());
    let r = pool.request("GET", "/echo").send().unwrap();
    assert_eq!(r.status(), 200);
    // The manager finds the same pool, with the connection the pool request left idle.
    let r = http.request("GET", server.url("/echo")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(server.connections(), 1);
    assert_eq!(pool.num_requests(), 2);

    http.clear();
    assert_eq!(http.pools_len(), 0);
    assert!(pool.is_closed());
}

#[test]
fn standalone_pool_urlopen_close_and_same_host() {
    let server = common::server();
    let pool = hip_blocking::connection_from_url(&server.url("/"), PoolOptions::default()).unwrap();
    assert!(pool.is_same_host(&server.url("/x")));
    assert!(pool.is_same_host("/relative"));
    assert!(!pool.is_same_host("http://example.invalid/"));

    let mut opts = RequestOptions::default();
    opts.body = Body::bytes("abc").into();
    let r = pool.urlopen("PUT", "/echo", opts).unwrap();
    assert_eq!(
        r.text(),
        "PUT /echo\ncontent-type: -\ncontent-length: 3\n\nabc"
    );
    assert_eq!(pool.num_requests(), 1);

    let e = pool
        .urlopen("GET", "http://example.invalid/", RequestOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LocationValue);

    pool.close();
    assert!(pool.is_closed());
    let e = pool
        .request("GET", "/echo")
        .retries(false)
        .send()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClosedPool);

    let p2 = hip_blocking::HttpConnectionPool::new(
        Scheme::Http,
        "127.0.0.1",
        Some(server.port()),
        PoolOptions::default(),
    )
    .unwrap();
    assert_eq!(p2.request("GET", "/echo").send().unwrap().status(), 200);
}

#[test]
fn reader_bodies_are_sent_chunked_or_with_their_length() {
    let server = common::server();
    let http = PoolManager::new().unwrap();

    // A plain reader (not seekable): chunked.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 97) as u8).collect();
    let r = http
        .request("POST", server.url("/echo"))
        .body(Body::reader(Cursor::new(data.clone())))
        .send()
        .unwrap();
    let head = b"POST /echo\ncontent-type: -\ncontent-length: -\n\n";
    assert_eq!(&r.data()[..head.len()], head);
    assert_eq!(&r.data()[head.len()..], &data[..]);

    // With a declared length: Content-Length.
    let r = http
        .request("POST", server.url("/echo"))
        .body(Body::reader(&b"0123456789"[..]).with_length(10))
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "POST /echo\ncontent-type: -\ncontent-length: 10\n\n0123456789"
    );

    // An iterator of chunks; empty chunks are skipped.
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"ab")),
        Ok(Bytes::new()),
        Ok(Bytes::from_static(b"cd")),
    ];
    let r = http
        .request("POST", server.url("/echo"))
        .body(Body::iter(chunks))
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "POST /echo\ncontent-type: -\ncontent-length: -\n\nabcd"
    );

    // A seekable reader.
    let r = http
        .request("PUT", server.url("/echo"))
        .body(Body::seekable(Cursor::new(b"seek me".to_vec())))
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "PUT /echo\ncontent-type: -\ncontent-length: -\n\nseek me"
    );
}

#[test]
fn a_download_can_be_uploaded_as_a_reader_body() {
    let server = common::server();
    let head = b"POST /echo\ncontent-type: -\ncontent-length: -\n\n";
    let n = 300_000;
    let mut want = head.to_vec();
    want.extend_from_slice(&common::pattern(n));
    let http = PoolManager::builder().maxsize(2).build().unwrap();
    let other = PoolManager::new().unwrap();
    for source in [&http, &other] {
        // The reader body is a response still being read, from the same or another manager.
        let download = source
            .request("GET", server.url(&format!("/bytes/{n}")))
            .preload_content(false)
            .send()
            .unwrap();
        let r = http
            .request("POST", server.url("/echo"))
            .body(Body::reader(download))
            .send()
            .unwrap();
        assert!(r.data()[..] == want[..], "the uploaded body differs");
    }
}

#[test]
fn a_failing_reader_fails_the_request_with_invalid_body() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let e = http
        .request("POST", server.url("/echo"))
        .body(Body::reader(Broken))
        .retries(false)
        .send()
        .unwrap_err();
    let kind = match e.kind() {
        ErrorKind::MaxRetry => e.reason().map(|r| r.kind()),
        k => Some(k),
    };
    assert_eq!(kind, Some(ErrorKind::InvalidBody), "{e}");
    assert!(format!("{e:#}").contains("disk on fire"), "{e:#}");
}

#[test]
fn seekable_bodies_are_rewound_for_a_307_and_readers_are_not() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut cursor = Cursor::new(b"XXpayload".to_vec());
    cursor.set_position(2);
    let r = http
        .request("POST", server.url("/redirect-to?url=/echo&status_code=307"))
        .body(Body::seekable(cursor))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text(),
        "POST /echo\ncontent-type: -\ncontent-length: -\n\npayload"
    );
    assert_eq!(r.url(), server.url("/echo"));
    let history = &r.retries().unwrap().history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, Some(307));

    let e = http
        .request("POST", server.url("/redirect-to?url=/echo&status_code=307"))
        .body(Body::reader(Cursor::new(b"payload".to_vec())))
        .send()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnrewindableBody, "{e}");

    // A 303 drops the body and turns the request into a GET.
    let r = http
        .request("POST", server.url("/redirect-to?url=/echo&status_code=303"))
        .body(Body::reader(Cursor::new(b"payload".to_vec())))
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "GET /echo\ncontent-type: -\ncontent-length: -\n\n"
    );
}

#[test]
fn redirects_can_be_turned_off() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let r = http
        .request("GET", server.url("/redirect-to?url=/echo&status_code=307"))
        .redirect(false)
        .send()
        .unwrap();
    assert_eq!(r.status(), 307);
    assert_eq!(
        r.get_redirect_location().flatten().as_deref(),
        Some("/echo")
    );
}

/// The error of a request made through both APIs, as text.
fn both_errors(url: &str, retries: u32, timeout: f64) -> (String, String, ErrorKind) {
    let blocking = PoolManager::new()
        .unwrap()
        .request("GET", url)
        .retries(retries)
        .timeout(timeout)
        .send()
        .unwrap_err();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let asynchronous = rt.block_on(async {
        hip_async::PoolManager::new()
            .unwrap()
            .request("GET", url)
            .retries(retries)
            .timeout(timeout)
            .send()
            .await
            .unwrap_err()
    });
    (
        format!("{blocking:#}"),
        format!("{asynchronous:#}"),
        blocking.kind(),
    )
}

#[test]
fn connection_errors_are_those_of_the_async_api() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (blocking, asynchronous, kind) = both_errors(&url, 1, 5.0);
    assert_eq!(kind, ErrorKind::MaxRetry);
    assert_eq!(blocking, asynchronous);
}

#[test]
fn read_timeouts_are_those_of_the_async_api() {
    let server = common::server();
    let (blocking, asynchronous, kind) = both_errors(&server.url("/delay/10"), 0, 0.2);
    assert_eq!(kind, ErrorKind::MaxRetry);
    assert_eq!(blocking, asynchronous);
    assert!(
        blocking.contains("Read timed out. (read timeout=0.2)"),
        "{blocking}"
    );

    let e = PoolManager::new()
        .unwrap()
        .request("GET", server.url("/delay/10"))
        .retries(false)
        .timeout(0.2)
        .send()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadTimeout, "{e}");
}

#[test]
fn builder_errors_come_from_build_and_send() {
    let e = PoolManager::builder().num_pools(0).build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    let http = PoolManager::new().unwrap();
    let e = http
        .request("GET", "http://127.0.0.1:1/")
        .pool_timeout(-1.0)
        .send()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    let e = http
        .request("POST", "http://127.0.0.1:1/")
        .fields([("a", "b")])
        .body("both")
        .send()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidBody);
}

#[cfg(feature = "json")]
#[test]
fn json_bodies_and_responses() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let r = http
        .request("POST", server.url("/echo"))
        .json(&serde_json::json!({"a": 1}))
        .send()
        .unwrap();
    assert_eq!(
        r.text(),
        "POST /echo\ncontent-type: application/json\ncontent-length: 7\n\n{\"a\":1}"
    );
    let r = http.request("GET", server.url("/bytes/0")).send().unwrap();
    let e = r.json::<serde_json::Value>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
