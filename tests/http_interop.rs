//! Interop with the `http` crate (issue 11, item 4), one test per conversion, through both
//! APIs where both apply: methods and URLs as `http` types, sending an `http::Request`,
//! responses as `http::StatusCode` and `http::Response` (whole and streaming), and
//! `hip::Error` as `std::io::Error`.

#[macro_use]
mod dual;

use bytes::Bytes;
use hip::http::{self, Method, StatusCode, Uri};
use hip::ErrorKind;
use hip_test_support as support;
use support::{closed_port, HttpBin, RawServer, Step};

dual_test! {
    fn methods_are_http_methods_or_str() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/echo");
        let r = send!(http.request(Method::PUT, &url)).unwrap();
        assert_eq!(r.header("x-method").as_deref(), Some("PUT"));
        let r = send!(http.request(&Method::PATCH, &url)).unwrap();
        assert_eq!(r.header("x-method").as_deref(), Some("PATCH"));
        let custom = Method::from_bytes(b"PURGE").unwrap();
        let r = send!(http.request(custom, &url)).unwrap();
        assert_eq!(r.header("x-method").as_deref(), Some("PURGE"));
        let r = send!(http.request("delete", &url)).unwrap();
        assert_eq!(r.header("x-method").as_deref(), Some("DELETE"));
    }
}

dual_test! {
    fn urls_are_str_string_url_or_uri() {
        let server = HttpBin::start();
        let http = manager!();
        let text = server.url("/get?from=text");
        assert_eq!(send!(http.request("GET", text.as_str())).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", &text)).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", text.clone())).unwrap().status(), 200);
        let url = hip::parse_url(&server.url("/get?from=url")).unwrap();
        assert_eq!(send!(http.request("GET", &url)).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", url)).unwrap().status(), 200);
        let uri: Uri = server.url("/get?from=uri").parse().unwrap();
        assert_eq!(send!(http.request("GET", &uri)).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", uri)).unwrap().status(), 200);
        let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            [
                "/get?from=text", "/get?from=text", "/get?from=text",
                "/get?from=url", "/get?from=url", "/get?from=uri", "/get?from=uri",
            ]
        );
        // A pool takes them too, a path as an http::Uri included.
        let pool = pool!(&server.url("/"), hip::PoolOptions::default());
        let path: Uri = "/get?from=pool".parse().unwrap();
        assert_eq!(send!(pool.request(Method::GET, path)).unwrap().status(), 200);
        assert_eq!(server.last_request().unwrap().target, "/get?from=pool");
    }
}

dual_test! {
    fn a_proxy_url_is_an_http_uri_too() {
        let server = HttpBin::start();
        let proxy = support::proxy::HttpProxy::start();
        let uri: Uri = proxy.url().parse().unwrap();
        let http = manager!(b => b.proxy_url(uri));
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        let forwarded = format!("http://127.0.0.1:{}/get", server.port());
        assert_eq!(proxy.request_lines(), [("GET".to_owned(), forwarded)]);
    }
}

dual_test! {
    fn an_http_request_is_sent_with_its_method_uri_headers_and_body() {
        let server = HttpBin::start();
        let http = manager!();
        let req = http::Request::builder()
            .method(Method::POST)
            .uri(server.url("/echo?q=1"))
            .header("X-Token", "abc")
            .header("Content-Type", "text/plain")
            .body(Bytes::from_static(b"hello http"))
            .unwrap();
        let r = send!(http.request_http(req).timeout(5.0)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.data().as_ref(), b"hello http");
        let seen = server.last_request().unwrap();
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.target, "/echo?q=1");
        assert_eq!(seen.header("x-token"), Some("abc"));
        assert_eq!(seen.header("content-type"), Some("text/plain"));
        assert_eq!(seen.header("content-length"), Some("10"));

        // `send_http` in one call, with the body types hip takes: (), String, Vec<u8>, &str.
        let get = http::Request::get(server.url("/get")).body(()).unwrap();
        assert_eq!(call!(http.send_http(get)).unwrap().status(), 200);
        assert_eq!(server.last_request().unwrap().body, b"");
        let put = http::Request::put(server.url("/echo")).body(String::from("text")).unwrap();
        assert_eq!(call!(http.send_http(put)).unwrap().data().as_ref(), b"text");
        let put = http::Request::put(server.url("/echo")).body(vec![1u8, 2, 3]).unwrap();
        assert_eq!(call!(http.send_http(put)).unwrap().data().as_ref(), [1, 2, 3]);
        let put = http::Request::put(server.url("/echo")).body("static").unwrap();
        assert_eq!(call!(http.send_http(put)).unwrap().data().as_ref(), b"static");

        // A pool sends one whose URI is a path.
        let pool = pool!(&server.url("/"), hip::PoolOptions::default());
        let req = http::Request::delete("/echo").body(()).unwrap();
        let r = call!(pool.send_http(req)).unwrap();
        assert_eq!(r.header("x-method").as_deref(), Some("DELETE"));
    }
}

dual_test! {
    fn an_http_request_with_headers_replaces_the_default_headers() {
        let server = HttpBin::start();
        let http = manager!(b => b.headers([("X-Default", "d")]));
        let plain = http::Request::get(server.url("/get")).body(()).unwrap();
        send!(http.request_http(plain)).unwrap();
        assert_eq!(server.last_request().unwrap().header("x-default"), Some("d"));
        let with_headers = http::Request::get(server.url("/get"))
            .header("X-Own", "o")
            .body(())
            .unwrap();
        send!(http.request_http(with_headers)).unwrap();
        let seen = server.last_request().unwrap();
        assert_eq!((seen.header("x-default"), seen.header("x-own")), (None, Some("o")));
    }
}

dual_test! {
    fn an_http_request_for_another_version_than_http_1_1_is_refused() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/get");
        let req = http::Request::get(&url).version(http::Version::HTTP_2).body(()).unwrap();
        let err = call!(http.send_http(req)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
        assert!(err.message().contains("HTTP/1.1 only"), "{err}");
        assert!(err.message().contains("HTTP/2.0") && err.message().contains(&url), "{err}");
        assert!(server.requests().is_empty());
    }
}

dual_test! {
    fn status_code_is_an_http_status_code() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/status/418"))).unwrap();
        assert_eq!(r.status_code(), StatusCode::IM_A_TEAPOT);
        assert_eq!(r.status_code().as_u16(), r.status());
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert!(r.status_code().is_success());
    }
}

#[test]
#[cfg(feature = "async")]
fn status_code_of_a_built_response_without_an_http_status_is_502() {
    // The spec's constructor defaults to status 0, which http::StatusCode cannot hold.
    let r = hip::AsyncHttpResponse::builder().build().unwrap();
    assert_eq!(r.status(), 0);
    assert_eq!(r.status_code(), StatusCode::BAD_GATEWAY);
    let err = r.http_parts().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.message().contains("status 0"), "{err}");
    let r = hip::AsyncHttpResponse::builder()
        .status(1000)
        .build()
        .unwrap();
    assert_eq!(r.status_code(), StatusCode::BAD_GATEWAY);
}

#[test]
#[cfg(feature = "blocking")]
fn status_code_of_a_built_blocking_response_without_an_http_status_is_502() {
    let r = hip::HttpResponse::builder().build().unwrap();
    assert_eq!(r.status_code(), StatusCode::BAD_GATEWAY);
    let err = r.into_http().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
}

dual_test! {
    fn a_response_converts_into_an_http_response_of_bytes() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/response-headers?X-One=1&X-One=2"))).unwrap();
        let body = r.data().clone();
        let converted: http::Response<Bytes> = call!(r.into_http()).unwrap();
        assert_eq!(converted.status(), StatusCode::OK);
        assert_eq!(converted.version(), http::Version::HTTP_11);
        let ones: Vec<_> = converted.headers().get_all("x-one").iter().collect();
        assert_eq!(ones, ["1", "2"]);
        assert_eq!(converted.body(), &body);

        // Not preloaded: what is left of the body is read by the conversion, decoded.
        let mut r = send!(http.request("GET", server.url("/gzip")).preload_content(false)).unwrap();
        let head = call!(r.read(Some(2))).unwrap();
        let converted = call!(r.into_http()).unwrap();
        assert_eq!(converted.headers()["content-encoding"], "gzip");
        let whole = [head.as_ref(), converted.body().as_ref()].concat();
        let json: serde_json::Value = serde_json::from_slice(&whole).unwrap();
        assert_eq!(json["gzipped"], true);
        // The connection went back to the pool: the next request reuses it.
        send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(server.connections(), 1);
    }
}

#[cfg(feature = "async")]
#[tokio::test]
async fn an_async_response_converts_into_an_http_response_of_a_stream() {
    use futures_util::TryStreamExt;
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::new().unwrap();
    let url = server.url("/stream-bytes/100000?seed=3&chunk_size=1000");
    let r = http
        .request("GET", &url)
        .preload_content(false)
        .send()
        .await
        .unwrap();
    let streaming: http::Response<hip::AsyncResponseStream> = r.into_http_streaming().unwrap();
    assert_eq!(streaming.status(), StatusCode::OK);
    assert_eq!(streaming.headers()["transfer-encoding"], "chunked");
    assert_eq!(streaming.body().response().url(), url);
    let chunks: Vec<Bytes> = streaming.into_body().try_collect().await.unwrap();
    assert!(chunks.len() > 1);
    assert_eq!(chunks.concat(), support::pseudo_random_bytes(100_000, 3));
    http.request("GET", server.url("/get"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.connections(),
        1,
        "read to the end, the connection is reused"
    );

    // A preloaded response streams its data.
    let r = http
        .request("GET", server.url("/bytes/10?seed=1"))
        .send()
        .await
        .unwrap();
    let chunks: Vec<Bytes> = r
        .into_http_streaming()
        .unwrap()
        .into_body()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.concat(), support::pseudo_random_bytes(10, 1));
}

#[cfg(feature = "blocking")]
#[test]
fn a_blocking_response_converts_into_an_http_response_of_a_reader() {
    use std::io::Read;
    let server = HttpBin::start();
    let http = hip::PoolManager::new().unwrap();
    let url = server.url("/stream-bytes/100000?seed=3&chunk_size=1000");
    let r = http
        .request("GET", &url)
        .preload_content(false)
        .send()
        .unwrap();
    let streaming: http::Response<hip::ResponseReader> = r.into_http_streaming().unwrap();
    assert_eq!(streaming.status(), StatusCode::OK);
    assert_eq!(streaming.body().response().url(), url);
    let mut body = Vec::new();
    streaming.into_body().read_to_end(&mut body).unwrap();
    assert_eq!(body, support::pseudo_random_bytes(100_000, 3));
    http.request("GET", server.url("/get")).send().unwrap();
    assert_eq!(
        server.connections(),
        1,
        "read to the end, the connection is reused"
    );

    // A preloaded response reads its data.
    let r = http
        .request("GET", server.url("/bytes/10?seed=1"))
        .send()
        .unwrap();
    let mut body = Vec::new();
    r.into_http_streaming()
        .unwrap()
        .into_body()
        .read_to_end(&mut body)
        .unwrap();
    assert_eq!(body, support::pseudo_random_bytes(10, 1));
}

dual_test! {
    fn a_hip_error_converts_into_an_io_error_that_keeps_it() {
        let http = manager!();
        let url = format!("http://127.0.0.1:{}/", closed_port());
        let err = send!(http.request("GET", &url).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err:#}");
        let io = std::io::Error::from(err);
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused, "{io:?}");
        let inner = io.get_ref().and_then(|e| e.downcast_ref::<hip::Error>()).unwrap();
        assert_eq!(inner.kind(), ErrorKind::NewConnection);
        let back = io.into_inner().unwrap().downcast::<hip::Error>().unwrap();
        assert!(back.is_connect());

        // `?` in a function that returns io::Result.
        fn via_io(result: hip::Result<u16>) -> std::io::Result<u16> {
            Ok(result?)
        }
        let io = via_io(Err(*back)).unwrap_err();
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    }
}

/// A server that sends a head promising 10 bytes, then 2 of them, then nothing.
fn stalls_mid_body() -> RawServer {
    RawServer::start(vec![vec![
        Step::ReadRequest,
        Step::write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"),
        Step::KeepOpen,
    ]])
}

#[cfg(feature = "async")]
#[tokio::test]
async fn an_async_body_read_error_is_an_io_error_with_the_hip_error_inside() {
    use tokio::io::AsyncReadExt;
    let server = stalls_mid_body();
    let http = hip::AsyncPoolManager::new().unwrap();
    let request = http
        .request("GET", server.url("/"))
        .timeout(0.2)
        .preload_content(false);
    let mut r = request.send().await.unwrap();
    let err = r.read_to_end(&mut Vec::new()).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err:?}");
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<hip::Error>())
        .unwrap();
    assert_eq!(inner.kind(), ErrorKind::ReadTimeout, "{inner}");
}

#[cfg(feature = "blocking")]
#[test]
fn a_blocking_body_read_error_is_an_io_error_with_the_hip_error_inside() {
    use std::io::Read;
    let server = stalls_mid_body();
    let http = hip::PoolManager::new().unwrap();
    let request = http
        .request("GET", server.url("/"))
        .timeout(0.2)
        .preload_content(false);
    let r = request.send().unwrap();
    let mut body = r.into_http_streaming().unwrap().into_body();
    let err = body.read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err:?}");
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<hip::Error>())
        .unwrap();
    assert_eq!(inner.kind(), ErrorKind::ReadTimeout, "{inner}");
}
