//! The idiomatic edges of the API (issue 11, item 5), through both APIs where both apply:
//! a request future that `tokio::spawn` takes, timeouts as `Duration`s, `Sync` responses
//! and bodies, `error_for_status`, and the Rust-named aliases of the spec's calls.

#[macro_use]
mod dual;

use std::time::Duration;

use hip::{ErrorKind, Timeout};
use hip_test_support as support;
use support::{HttpBin, RawServer, Step};

#[cfg(feature = "async")]
fn assert_send_static<T: Send + 'static>(_: &T) {}
fn assert_sync<T: Sync>() {}
fn assert_send<T: Send>() {}

#[cfg(feature = "async")]
#[tokio::test]
async fn the_request_future_is_send_and_static_so_tokio_spawn_takes_it() {
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::new().unwrap();
    let future = http.request("GET", server.url("/get")).send();
    assert_send_static(&future);
    // The builder holds its own handle on the manager: dropping ours changes nothing.
    drop(http);
    let r = tokio::spawn(future).await.unwrap().unwrap();
    assert_eq!(r.status(), 200);

    // The same from a pool, and for many requests at once.
    let pool = hip::async_connection_from_url(&server.url("/"), hip::PoolOptions::new().maxsize(4))
        .unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|i| tokio::spawn(pool.request("GET", format!("/get?i={i}")).send()))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), 200);
    }
    let http = hip::AsyncPoolManager::new().unwrap();
    let req = hip::http::Request::get(server.url("/get"))
        .body(())
        .unwrap();
    let r = tokio::spawn(http.send_http(req)).await.unwrap().unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn responses_bodies_and_builders_are_send_and_sync() {
    #[cfg(feature = "async")]
    {
        assert_sync::<hip::AsyncHttpResponse>();
        assert_sync::<hip::AsyncBody>();
        assert_sync::<hip::AsyncResponseStream>();
        assert_sync::<hip::AsyncRequestBuilder>();
        assert_sync::<hip::RequestOptions>();
        assert_send::<hip::AsyncHttpResponse>();
        assert_send::<hip::AsyncBody>();
        assert_send::<hip::AsyncResponseStream>();
    }
    #[cfg(feature = "blocking")]
    {
        assert_sync::<hip::HttpResponse>();
        assert_sync::<hip::Body>();
        assert_sync::<hip::ResponseReader>();
        assert_sync::<hip::blocking::Stream<'static>>();
        assert_sync::<hip::RequestBuilder>();
        assert_send::<hip::HttpResponse>();
        assert_send::<hip::ResponseReader>();
    }
}

#[cfg(feature = "async")]
#[tokio::test]
async fn a_response_held_by_reference_across_an_await_can_be_spawned() {
    // Only possible because the response is Sync: the task holds `&HttpResponse` while it
    // awaits.
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::new().unwrap();
    let task = tokio::spawn(async move {
        let r = http.request("GET", server.url("/get")).send().await?;
        let status = &r;
        tokio::task::yield_now().await;
        Ok::<u16, hip::Error>(status.status())
    });
    assert_eq!(task.await.unwrap().unwrap(), 200);
}

/// A server that answers the head at once and then never sends the promised body.
fn stalls_mid_body() -> RawServer {
    RawServer::start(vec![vec![
        Step::ReadRequest,
        Step::write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"),
        Step::KeepOpen,
    ]])
}

dual_test! {
    fn every_timeout_takes_a_duration() {
        let server = stalls_mid_body();
        let http = manager!();
        let short = Duration::from_millis(200);

        // The request's timeout, and each setting of a Timeout.
        let err = send!(http.request("GET", server.url("/")).timeout(short).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        assert!(err.message().contains("read timeout=0.2"), "{err}");
        let timeout = Timeout::new().connect(Duration::from_secs(5)).read(short).total(Duration::from_secs(9));
        assert_eq!(timeout, Timeout::new().connect(5.0).read(0.2).total(9));
        let err = send!(http.request("GET", server.url("/")).timeout(timeout).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");

        // The manager's timeout and deadline, and the request's deadline.
        let slow = manager!(b => b.timeout(short).retries(false));
        let err = send!(slow.request("GET", server.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        let bounded = manager!(b => b.deadline(short));
        let err = send!(bounded.request("GET", server.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Deadline, "{err}");
        let err = send!(http.request("GET", server.url("/")).deadline(short)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Deadline, "{err}");
        assert!(err.message().contains("0.2"), "{err}");
        let err = send!(http.request("GET", server.url("/")).deadline(Duration::ZERO)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
        assert!(err.message().contains("deadline must be a positive number of seconds, got 0.0"), "{err}");
        let err = send!(http.request("GET", server.url("/")).pool_timeout(-0.5)).unwrap_err();
        assert!(err.message().contains("pool_timeout") && err.message().contains("-0.5"), "{err}");
    }
}

dual_test! {
    fn pool_timeout_takes_a_duration() {
        let server = HttpBin::start();
        let http = manager!(b => b.maxsize(1).block(true));
        let busy = send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap();
        let wait = Duration::from_millis(200);
        let err = send!(http.request("GET", server.url("/get")).pool_timeout(wait)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EmptyPool, "{err}");
        drop(busy);
        let r = send!(http.request("GET", server.url("/get")).pool_timeout(wait)).unwrap();
        assert_eq!(r.status(), 200);
    }
}

dual_test! {
    fn error_for_status_names_the_status_and_the_url() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/status/404");
        let r = send!(http.request("GET", &url)).unwrap();
        assert!(r.error_for_status_ref().is_err());
        let err = r.error_for_status().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Response);
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.url(), Some(url.as_str()));
        assert_eq!(
            err.to_string(),
            format!("ResponseError: HTTP status 404 Not Found (a client error) for GET {url}")
        );
        let url = server.url("/status/503");
        let err = send!(http.request("DELETE", &url).retries(false)).unwrap().error_for_status().unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert!(err.message().contains("(a server error) for DELETE"), "{err}");

        // Success (and redirects not followed) give the response back, whole.
        let r = send!(http.request("GET", server.url("/get"))).unwrap().error_for_status().unwrap();
        assert!(!r.data().is_empty());
        let r = send!(http.request("GET", server.url("/status/302")).redirect(false)).unwrap();
        assert_eq!(r.error_for_status_ref().unwrap().status(), 302);
    }
}

dual_test! {
    fn rust_names_are_the_same_calls_as_the_spec_names() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/status/302")).redirect(false)).unwrap();
        assert_eq!(r.header("Location"), r.getheader("Location"));
        assert_eq!(r.header("location").as_deref(), Some("/redirect/1"));
        assert_eq!(r.header("X-Missing"), None);
        assert_eq!(r.redirect_location(), r.get_redirect_location());
        assert_eq!(r.redirect_location(), Some(Some("/redirect/1".into())));
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.redirect_location(), None);
        assert_eq!(r.redirect_location(), r.get_redirect_location());
    }
}

#[test]
fn retry_bounds_on_waits_take_a_duration() {
    let retry = hip::Retry::new(3)
        .backoff_max(Duration::from_secs(2))
        .backoff_jitter(Duration::from_millis(250))
        .retry_after_max(Duration::from_secs(60));
    assert_eq!(
        (
            retry.backoff_max,
            retry.backoff_jitter,
            retry.retry_after_max
        ),
        (2.0, 0.25, 60.0)
    );
    // Seconds still work, infinity (no cap) included, and are kept exactly as given.
    let retry = hip::Retry::new(3)
        .backoff_max(f64::INFINITY)
        .retry_after_max(30)
        .backoff_jitter(0.1);
    assert_eq!(
        (
            retry.backoff_max,
            retry.retry_after_max,
            retry.backoff_jitter
        ),
        (f64::INFINITY, 30.0, 0.1)
    );
    assert!(hip::Retry::new(3).backoff_max(-1.0).validate().is_err());
}

#[cfg(feature = "blocking")]
#[test]
fn a_blocking_response_is_buf_read_without_a_copy_into_a_callers_buffer() {
    use std::io::BufRead;
    let server = support::HttpBin::start();
    let http = hip::PoolManager::new().unwrap();
    let r = http
        .request("GET", server.url("/robots.txt"))
        .preload_content(false)
        .send()
        .unwrap();
    let lines: Vec<String> = r.lines().map(|l| l.unwrap()).collect();
    assert_eq!(lines, ["User-agent: *", "Disallow: /deny"]);
    // fill_buf/consume over a larger body: every byte, then an empty buffer at the end.
    let mut r = http
        .request("GET", server.url("/bytes/300000"))
        .preload_content(false)
        .send()
        .unwrap();
    let mut total = 0;
    loop {
        let n = r.fill_buf().unwrap().len();
        if n == 0 {
            break;
        }
        total += n;
        r.consume(n);
    }
    assert_eq!(total, 300_000);
}

#[cfg(feature = "async")]
#[tokio::test]
async fn an_async_response_is_async_buf_read() {
    use tokio::io::AsyncBufReadExt;
    let server = support::HttpBin::start();
    let http = hip::AsyncPoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/robots.txt"))
        .preload_content(false)
        .send()
        .await
        .unwrap();
    let mut first = String::new();
    r.read_line(&mut first).await.unwrap();
    assert_eq!(first, "User-agent: *\n");
    assert_eq!(r.fill_buffered().await.unwrap(), b"Disallow: /deny\n");
    r.consume_buffered(10);
    assert_eq!(r.buffered(), b"/deny\n");
}

dual_test! {
    /// `copy_to` writes the rest of the body, decoded, straight from what was received:
    /// the same bytes `data()` gives, after a partial read too, and a second call finds
    /// nothing left.
    fn copy_to_writes_the_rest_of_the_body() {
        let server = support::HttpBin::start();
        let url = server.url("/bytes/300000?seed=7");
        let http = manager!();
        let whole = send!(http.request("GET", &url)).unwrap();
        let want = whole.data().to_vec();
        assert_eq!(want.len(), 300_000);

        let mut r = send!(http.request("GET", &url).preload_content(false)).unwrap();
        let head = call!(r.read(Some(1000))).unwrap();
        let mut rest = Vec::new();
        assert_eq!(call!(r.copy_to(&mut rest)).unwrap(), 299_000);
        assert_eq!([&head[..], &rest[..]].concat(), want);
        let mut nothing = Vec::new();
        assert_eq!(call!(r.copy_to(&mut nothing)).unwrap(), 0);

        // Decoded unless the request said otherwise.
        let mut r = send!(http.request("GET", server.url("/gzip")).preload_content(false)).unwrap();
        let mut text = Vec::new();
        call!(r.copy_to(&mut text)).unwrap();
        assert!(String::from_utf8(text).unwrap().contains("\"gzipped\": true"));
    }
}
