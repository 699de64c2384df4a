//! One blocking manager shared by many threads: requests proceed concurrently, `block(true)`
//! bounds the connections, and the types are `Send + Sync + Clone`.

mod common;

use hip_blocking::{HttpConnectionPool, HttpResponse, PoolManager, RequestBuilder};

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
fn assert_send<T: Send>() {}

#[test]
fn types_are_send_sync_and_clone() {
    assert_send_sync_clone::<PoolManager>();
    assert_send_sync_clone::<HttpConnectionPool>();
    assert_send_sync_clone::<hip_blocking::PoolManagerBuilder>();
    assert_send::<HttpResponse>();
    assert_send::<RequestBuilder>();
    assert_send::<hip_blocking::Stream<'static>>();
    assert_send::<hip_blocking::Body>();
}

#[test]
fn two_slow_requests_from_two_threads_overlap() {
    let server = common::server();
    let http = PoolManager::builder().maxsize(2).build().unwrap();
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let http = http.clone();
                let server = &server;
                s.spawn(move || {
                    let r = http
                        .request("GET", server.url("/together/2"))
                        .send()
                        .unwrap();
                    r.text().into_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // The server saw both requests inside the route at once: neither waited for the other.
    assert_eq!(answers, ["together", "together"]);
    assert_eq!(server.connections(), 2);
    assert_eq!(server.max_open_connections(), 2);
}

#[test]
fn eight_threads_two_thousand_requests_at_most_maxsize_connections() {
    let server = common::server();
    let http = PoolManager::builder()
        .maxsize(4)
        .block(true)
        .build()
        .unwrap();
    let per_thread = 250;
    let ok: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let http = http.clone();
                let server = &server;
                s.spawn(move || {
                    let mut ok = 0;
                    for i in 0..per_thread {
                        let r = http
                            .request("GET", server.url("/echo"))
                            .fields([("t", t.to_string()), ("i", i.to_string())])
                            .send()
                            .unwrap();
                        assert_eq!(r.status(), 200);
                        assert_eq!(
                            r.text(),
                            format!(
                                "GET /echo?t={t}&i={i}\ncontent-type: -\ncontent-length: -\n\n"
                            )
                        );
                        ok += 1;
                    }
                    ok
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(ok, 2000);
    assert!(
        server.connections() <= 4,
        "{} connections",
        server.connections()
    );
    assert!(
        server.max_open_connections() <= 4,
        "{} open at once",
        server.max_open_connections()
    );
    assert_eq!(server.requests().len(), 2000);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.num_requests(), 2000);
    assert_eq!(pool.available_slots(), Some(4));
}

#[test]
fn streaming_responses_on_many_threads() {
    let server = common::server();
    let http = PoolManager::builder().maxsize(4).build().unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            let http = http.clone();
            let server = &server;
            s.spawn(move || {
                for _ in 0..20 {
                    let mut r = http
                        .request("GET", server.url("/lines/100"))
                        .preload_content(false)
                        .send()
                        .unwrap();
                    let mut got = Vec::new();
                    for c in r.stream(64) {
                        got.extend_from_slice(&c.unwrap());
                    }
                    assert_eq!(got, common::lines(100).as_bytes());
                }
            });
        }
    });
    assert!(
        server.connections() <= 4,
        "{} connections",
        server.connections()
    );
}
