//! Blocking calls made from inside an async runtime return an `ErrorKind::Runtime` error
//! (never a panic), and managers can be built and dropped there.

mod common;

use std::io::Read;

use common::pattern;
use hip_blocking::{PoolManager, RequestOptions};
use hip_core::ErrorKind;

const MESSAGE: &str = "hip's blocking API was called from inside an async runtime; use \
                       hip::AsyncPoolManager (the async API) there, or call it from a thread \
                       outside the runtime (std::thread::spawn)";

fn assert_runtime_error(e: &hip_core::Error) {
    assert_eq!(e.kind(), ErrorKind::Runtime, "{e}");
    assert_eq!(e.message(), MESSAGE);
}

#[tokio::test]
async fn requests_from_an_async_test_are_refused() {
    let server = common::server();
    // Building (and, at the end, dropping) a blocking manager in async code is fine.
    let http = PoolManager::builder().maxsize(2).build().unwrap();
    let e = http.request("GET", server.url("/echo")).send().unwrap_err();
    assert_runtime_error(&e);
    let e = http
        .urlopen("GET", &server.url("/echo"), RequestOptions::default())
        .unwrap_err();
    assert_runtime_error(&e);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    let e = pool.request("GET", "/echo").send().unwrap_err();
    assert_runtime_error(&e);
    let e = pool
        .urlopen("GET", "/echo", RequestOptions::default())
        .unwrap_err();
    assert_runtime_error(&e);
    // Nothing reached the server.
    assert_eq!(server.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_from_a_spawned_task_are_refused() {
    let server = common::server();
    let url = server.url("/echo");
    let http = PoolManager::new().unwrap();
    let e = tokio::spawn(async move { http.request("GET", url).send().unwrap_err() })
        .await
        .unwrap();
    assert_runtime_error(&e);
}

#[tokio::test]
async fn a_thread_of_its_own_works_from_async_code() {
    let server = common::server();
    let url = server.url("/echo");
    let http = PoolManager::new().unwrap();
    let text = std::thread::spawn(move || {
        let r = http.request("GET", url).send().unwrap();
        r.text().into_owned()
    })
    .join()
    .unwrap();
    assert_eq!(text, "GET /echo\ncontent-type: -\ncontent-length: -\n\n");
}

/// tokio gives a `spawn_blocking` thread a runtime handle, and offers no way to tell it from
/// an async task, so the blocking API refuses it too (the message says to use a thread).
#[tokio::test]
async fn spawn_blocking_is_refused_too() {
    let server = common::server();
    let url = server.url("/echo");
    let http = PoolManager::new().unwrap();
    let e = tokio::task::spawn_blocking(move || http.request("GET", url).send().unwrap_err())
        .await
        .unwrap();
    assert_runtime_error(&e);
}

#[test]
fn reading_a_response_inside_a_runtime_is_refused_and_harmless() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/bytes/5000"))
        .preload_content(false)
        .send()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_runtime_error(&r.read(Some(1)).unwrap_err());
        assert_runtime_error(&r.read_with(None, None, true).unwrap_err());
        assert_runtime_error(&r.preload_content().unwrap_err());
        let items: Vec<_> = r.stream(10).collect();
        assert_eq!(items.len(), 1);
        assert_runtime_error(items[0].as_ref().unwrap_err());
        let mut buf = [0u8; 16];
        let io_err = std::io::Read::read(&mut r, &mut buf).unwrap_err();
        let inner = io_err
            .get_ref()
            .and_then(|e| e.downcast_ref::<hip_core::Error>())
            .expect("the hip error inside the io::Error");
        assert_runtime_error(inner);
        assert_runtime_error(&r.drain_conn().unwrap_err());
        // Getters do not wait, so they work anywhere.
        assert_eq!(r.status(), 200);
        assert_eq!(r.tell(), 0);
    });
    drop(rt);
    // Nothing was consumed by the refused calls.
    let mut body = Vec::new();
    r.read_to_end(&mut body).unwrap();
    assert_eq!(body, pattern(5000));
}

#[test]
fn dropping_the_last_handle_inside_a_runtime_does_not_panic() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let r = http
        .request("GET", server.url("/bytes/100000"))
        .preload_content(false)
        .send()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        drop(http);
        // The response holds the last handle to the blocking runtime.
        drop(r);
    });
}
