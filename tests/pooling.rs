//! The spec's "Customizing Pool Behavior": `maxsize`, `block`, `pool_timeout`, `num_pools`,
//! the manager's `connection_from_*` family, `clear()`, closed pools, `is_same_host`, and a
//! connection pool used directly; through the async API and (with the `blocking` feature) the
//! blocking API.

#[macro_use]
mod dual;

use hip::{ErrorKind, PoolKey, PoolOptions, RequestContext, Scheme};
use hip_test_support as support;
use support::HttpBin;

// ---- maxsize and block: deterministic scenarios (responses held open) ----------------------

dual_test! {
    fn maxsize_without_block_keeps_only_maxsize_connections() {
        let server = HttpBin::start();
        let http = manager!(b => b.maxsize(2).block(false));
        // Five responses whose bodies are still unread each hold a connection.
        let mut held = Vec::new();
        for _ in 0..5 {
            held.push(send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap());
        }
        assert_eq!(server.connections(), 5);
        let pool = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(pool.num_connections(), 5);
        assert_eq!(pool.num_idle(), 0);
        // Finishing them hands the connections back: two are kept, three discarded
        // ("Connection pool is full, discarding connection").
        for r in held.iter_mut() {
            assert_eq!(call!(r.read(None)).unwrap().len(), 10);
        }
        assert_eq!(pool.num_idle(), 2);
        drop(held);
        assert_eq!(pool.num_idle(), 2);
        // The two kept connections serve the next requests.
        for _ in 0..4 {
            assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        }
        assert_eq!(server.connections(), 5);
        assert_eq!(pool.num_requests(), 9);
    }
}

dual_test! {
    fn block_with_pool_timeout_raises_empty_pool() {
        let server = HttpBin::start();
        let http = manager!(b => b.maxsize(2).block(true));
        let mut first = send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap();
        let second = send!(http.request("GET", server.url("/bytes/10")).preload_content(false)).unwrap();
        let pool = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(pool.available_slots(), Some(0));

        // Both connections are busy: a third request waits pool_timeout, then gives up.
        let err = send!(http.request("GET", server.url("/get")).pool_timeout(0.2)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EmptyPool, "{err}");
        assert!(err.is_pool_error());
        assert_eq!(server.connections(), 2);
        assert_eq!(server.requests().len(), 2);

        // Once one response is read to the end its connection serves the next request.
        assert_eq!(call!(first.read(None)).unwrap().len(), 10);
        assert_eq!(pool.available_slots(), Some(1));
        let r = send!(http.request("GET", server.url("/get")).pool_timeout(0.2)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.connections(), 2);

        // Dropping a half-read response frees its slot too (its connection is closed).
        drop(second);
        assert_eq!(pool.available_slots(), Some(2));
        let r = send!(http.request("GET", server.url("/get")).pool_timeout(0.2)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(pool.num_idle(), 1);
    }
}

dual_test! {
    fn closed_pool_refuses_requests() {
        let server = HttpBin::start();
        let http = manager!();
        let pool = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(send!(pool.request("GET", "/get")).unwrap().status(), 200);
        assert_eq!(pool.num_idle(), 1);
        assert!(!pool.is_closed());
        pool.close();
        assert!(pool.is_closed());
        assert_eq!(pool.num_idle(), 0);
        let err = send!(pool.request("GET", "/get")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ClosedPool, "{err}");
        assert_eq!(err.message(), "Pool is closed.");
        // Nothing more reached the server.
        assert_eq!(server.requests().len(), 1);
    }
}

dual_test! {
    fn is_same_host() {
        let server = HttpBin::start();
        let port = server.port();
        let pool = pool!(&server.url("/"), PoolOptions::default());
        assert!(pool.is_same_host("/"));
        assert!(pool.is_same_host("/get?x=1"));
        assert!(pool.is_same_host(&format!("http://127.0.0.1:{port}/get")));
        assert!(pool.is_same_host(&format!("HTTP://127.0.0.1:{port}")));
        assert!(!pool.is_same_host(&format!("https://127.0.0.1:{port}/")));
        assert!(!pool.is_same_host(&format!("http://localhost:{port}/")));
        assert!(!pool.is_same_host(&format!("http://127.0.0.1:{}/", port.wrapping_add(1))));
        assert!(!pool.is_same_host("http://127.0.0.1/"));

        // Default ports are filled in on both sides.
        let pool = pool!("http://Example.com", PoolOptions::default());
        assert_eq!(pool.host(), "example.com");
        assert_eq!(pool.port(), 80);
        assert!(pool.is_same_host("http://example.com/"));
        assert!(pool.is_same_host("http://EXAMPLE.COM:80/x"));
        assert!(!pool.is_same_host("https://example.com/"));
        assert!(!pool.is_same_host("http://example.com:8080/"));
        assert!(!pool.is_same_host("http://example.org/"));

        let pool = pool!("https://example.com", PoolOptions::default());
        assert_eq!(pool.scheme(), Scheme::Https);
        assert!(pool.is_same_host("https://example.com:443/"));
        assert!(!pool.is_same_host("http://example.com/"));

        // IPv6 literals compare without their brackets.
        let pool = pool!("http://[::1]:8080", PoolOptions::default());
        assert!(pool.is_same_host("http://[::1]:8080/"));
        assert!(!pool.is_same_host("http://[::2]:8080/"));
    }
}

// ---- The manager's pools -----------------------------------------------------------------

dual_test! {
    fn num_pools_keeps_the_most_recent_pools() {
        let first = HttpBin::start();
        let second = HttpBin::start();
        let http = manager!(b => b.num_pools(2));
        let urls = [
            first.url("/get"),
            first.url_with_host("localhost", "/get"),
            second.url("/get"),
        ];
        for url in &urls {
            assert_eq!(send!(http.request("GET", url.as_str())).unwrap().status(), 200);
        }
        assert_eq!(http.pools_len(), 2);
        // The two recent pools are the ones that served requests ...
        let localhost = http.connection_from_url(&urls[1], None).unwrap();
        assert_eq!(localhost.host(), "localhost");
        assert_eq!(localhost.num_requests(), 1);
        let other = http.connection_from_url(&urls[2], None).unwrap();
        assert_eq!(other.num_requests(), 1);
        assert_eq!(http.pools_len(), 2);
        // ... while the oldest was closed and pushed out: asking for it makes a new one
        // (pushing out the least recently used, the localhost pool).
        let again = http.connection_from_url(&urls[0], None).unwrap();
        assert_eq!(again.num_requests(), 0);
        assert!(!again.is_closed());
        assert_eq!(http.pools_len(), 2);
        assert!(localhost.is_closed());
        assert!(!other.is_closed());
    }
}

dual_test! {
    fn connection_from_methods_share_one_pool_per_key() {
        let server = HttpBin::start();
        let port = server.port();
        let http = manager!();
        assert_eq!(http.pools_len(), 0);
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(http.pools_len(), 1);

        let by_url = http.connection_from_url(&server.url("/anything"), None).unwrap();
        let by_host = http.connection_from_host("127.0.0.1", Some(port), "http", None).unwrap();
        let by_host_upper = http.connection_from_host("127.0.0.1", Some(port), "HTTP", None).unwrap();
        let by_context = http
            .connection_from_context(RequestContext::new(Scheme::Http, "127.0.0.1", Some(port)))
            .unwrap();
        for pool in [&by_url, &by_host, &by_host_upper, &by_context] {
            assert_eq!(pool.num_requests(), 1);
            assert_eq!((pool.host(), pool.port()), ("127.0.0.1", port));
        }
        assert_eq!(http.pools_len(), 1);
        // A request through one of them is seen by all.
        assert_eq!(send!(by_host.request("GET", "/get")).unwrap().status(), 200);
        assert_eq!(by_context.num_requests(), 2);
        assert_eq!(by_url.num_requests(), 2);

        // Different pool_kwargs make a different pool.
        let kwargs = hip::PoolKwargs::new().set(|o| o.maxsize(3));
        let custom = http.connection_from_url(&server.url("/"), Some(kwargs)).unwrap();
        assert_eq!(custom.num_requests(), 0);
        assert_eq!(custom.options().maxsize, 3);
        assert_eq!(http.pools_len(), 2);

        // connection_from_pool_key: the same key gives the same pool.
        let key = PoolKey::new(
            Scheme::Http,
            "127.0.0.1",
            port,
            hip::Route::Direct,
            {
                let mut o = PoolOptions::default();
                o.maxsize = 5;
                o
            },
        );
        let keyed = http.connection_from_pool_key(key.clone()).unwrap();
        assert_eq!(keyed.num_requests(), 0);
        assert_eq!(send!(keyed.request("GET", "/get")).unwrap().status(), 200);
        let keyed_again = http.connection_from_pool_key(key).unwrap();
        assert_eq!(keyed_again.num_requests(), 1);
        assert_eq!(http.pools_len(), 3);

        // Bad input is an error naming it.
        let err = http.connection_from_host("", Some(port), "http", None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocationValue);
        let err = http.connection_from_host("127.0.0.1", Some(port), "ftp", None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocationValue);
        assert!(err.message().contains("\"ftp\""), "{err}");
    }
}

dual_test! {
    fn clear_empties_the_manager() {
        let server = HttpBin::start();
        let http = manager!();
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", server.url_with_host("localhost", "/get"))).unwrap().status(), 200);
        assert_eq!(http.pools_len(), 2);
        let old = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(old.num_requests(), 1);
        http.clear();
        assert_eq!(http.pools_len(), 0);
        assert!(old.is_closed());
        // The manager still works, with new pools and connections.
        assert_eq!(send!(http.request("GET", server.url("/get"))).unwrap().status(), 200);
        assert_eq!(http.pools_len(), 1);
        let new = http.connection_from_url(&server.url("/"), None).unwrap();
        assert_eq!(new.num_requests(), 1);
        assert_eq!(server.connections(), 3);
    }
}

// ---- A connection pool used directly -----------------------------------------------------

dual_test! {
    fn connection_pool_used_directly() {
        let server = HttpBin::start();
        let pool = pool!(&server.url("/"), PoolOptions::default());
        assert_eq!(pool.scheme(), Scheme::Http);
        assert_eq!(pool.host(), "127.0.0.1");
        assert_eq!(pool.port(), server.port());

        let r = send!(pool.request("GET", "/get")).unwrap();
        assert_eq!(r.status(), 200);
        let r = send!(pool.request("GET", "/get").fields([("arg", "value")])).unwrap();
        let v: serde_json::Value = serde_json::from_slice(r.data()).unwrap();
        assert_eq!(v["args"]["arg"], "value");
        let r = send!(pool.request("POST", server.url("/post")).fields([("field", "value")])).unwrap();
        let v: serde_json::Value = serde_json::from_slice(r.data()).unwrap();
        assert_eq!(v["form"]["field"], "value");
        assert_eq!(pool.num_requests(), 3);
        assert_eq!(pool.num_connections(), 1);
        assert_eq!(server.connections(), 1);
        let seen = server.last_request().unwrap();
        assert_eq!(seen.header("host"), Some(format!("127.0.0.1:{}", server.port()).as_str()));

        // Same-host redirects are followed by the pool itself.
        // The URL stays relative, as the spec's urljoin of "/redirect/1" and "/get" is.
        let r = send!(pool.request("GET", "/redirect/2")).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url(), "/get");
        assert_eq!(server.last_request().unwrap().target, "/get");

        // A pool cannot follow a redirect to another host: it hands back the 3xx.
        let r = send!(pool
            .request("GET", "/redirect-to")
            .fields([("url", server.url_with_host("localhost", "/get"))]))
        .unwrap();
        assert_eq!(r.status(), 302);

        // A URL for another host is refused (assert_same_host).
        let err = send!(pool.request("GET", server.url_with_host("localhost", "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocationValue, "{err}");
        // assert_same_host(false): the pool sends it anyway, as an absolute-form target.
        let elsewhere = server.url_with_host("localhost", "/get");
        let r = send!(pool.request("GET", elsewhere.as_str()).assert_same_host(false)).unwrap();
        assert_eq!(r.status(), 200);
        let seen = server.last_request().unwrap();
        assert_eq!(seen.target, elsewhere);
        assert_eq!(seen.header("host"), Some(format!("127.0.0.1:{}", server.port()).as_str()));
        assert_eq!(server.connections(), 1);
    }
}

// ---- Concurrency (one test per API) --------------------------------------------------------

/// Requests in the 10,000-request runs.
const MANY: usize = 10_000;

#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_without_block_open_extra_connections_async() {
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(2)
        .block(false)
        .build()
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let http = http.clone();
        let url = server.url("/delay/1");
        tasks.spawn(async move { http.request("GET", url).send().await.map(|r| r.status()) });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap().unwrap(), 200);
    }
    assert_eq!(server.connections(), 5);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.num_connections(), 5);
    assert_eq!(pool.num_idle(), 2);
}

#[cfg(feature = "blocking")]
#[test]
fn concurrent_requests_without_block_open_extra_connections_blocking() {
    let server = HttpBin::start();
    let http = hip::PoolManager::builder()
        .maxsize(2)
        .block(false)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..5)
            .map(|_| {
                s.spawn(|| {
                    http.request("GET", server.url("/delay/1"))
                        .send()
                        .map(|r| r.status())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), 200);
        }
    });
    assert_eq!(server.connections(), 5);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.num_connections(), 5);
    assert_eq!(pool.num_idle(), 2);
}

/// A blocking caller's plain connection waits in `read` on its own thread: the thread
/// that turns the manager's runtime (name resolution, TCP connect, timers) must not be
/// it, or every other thread's new connection would wait for that response.
#[cfg(feature = "blocking")]
#[test]
fn a_thread_blocked_in_a_read_does_not_stall_other_threads_of_the_manager() {
    let server = HttpBin::start();
    let http = hip::PoolManager::builder().build().unwrap();
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        let slow = s.spawn(|| {
            let r = http.request("GET", server.url("/delay/2")).send();
            (r.map(|r| r.status()), started.elapsed())
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        // A new connection (the slow request holds the pool's one): its connect waits
        // through the runtime while the other thread waits in `read`.
        let r = http.request("GET", server.url("/get")).send().unwrap();
        assert_eq!(r.status(), 200);
        let fast_done = started.elapsed();
        let (slow_status, slow_done) = slow.join().unwrap();
        assert_eq!(slow_status.unwrap(), 200);
        assert!(
            fast_done < slow_done,
            "the second request ({fast_done:?}) waited for the first ({slow_done:?})"
        );
    });
}

#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_caps_concurrent_connections_async() {
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(2)
        .block(true)
        .build()
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let http = http.clone();
        let url = server.url("/delay/0.2");
        tasks.spawn(async move { http.request("GET", url).send().await.map(|r| r.status()) });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap().unwrap(), 200);
    }
    assert!(
        server.connections() <= 2,
        "{} connections",
        server.connections()
    );
    assert_eq!(server.requests().len(), 6);
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.available_slots(), Some(2));
}

#[cfg(feature = "blocking")]
#[test]
fn block_caps_concurrent_connections_blocking() {
    let server = HttpBin::start();
    let http = hip::PoolManager::builder()
        .maxsize(2)
        .block(true)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    http.request("GET", server.url("/delay/0.2"))
                        .send()
                        .map(|r| r.status())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), 200);
        }
    });
    assert!(
        server.connections() <= 2,
        "{} connections",
        server.connections()
    );
    assert_eq!(server.requests().len(), 6);
}

#[cfg(feature = "async")]
/// 10,000 requests from 50 tasks over `maxsize(10).block(true)`: never more than 10
/// connections, as the server counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_use_at_most_maxsize_connections_async() {
    const TASKS: usize = 50;
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(10)
        .block(true)
        .build()
        .unwrap();
    let url = server.url("/robots.txt");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let http = http.clone();
        let url = url.clone();
        tasks.spawn(async move {
            for _ in 0..MANY / TASKS {
                let r = http.request("GET", url.as_str()).send().await.unwrap();
                assert_eq!(r.status(), 200);
                assert_eq!(r.data().len(), support::payload::ROBOTS_TXT.len());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert!(
        server.connections() <= 10,
        "{} connections",
        server.connections()
    );
    assert!(server.connections() >= 1);
    assert_eq!(server.requests().len(), MANY);
    let pool = http.connection_from_url(&url, None).unwrap();
    assert_eq!(pool.num_requests(), MANY as u64);
    assert!(pool.num_connections() <= 10, "{}", pool.num_connections());
    assert_eq!(pool.available_slots(), Some(10));
    assert!(pool.num_idle() <= 10);
}

/// 10,000 requests from 8 threads over `maxsize(10).block(true)`.
#[cfg(feature = "blocking")]
#[test]
fn ten_thousand_requests_use_at_most_maxsize_connections_blocking() {
    const THREADS: usize = 8;
    let server = HttpBin::start();
    let http = hip::PoolManager::builder()
        .maxsize(10)
        .block(true)
        .build()
        .unwrap();
    let url = server.url("/robots.txt");
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..MANY / THREADS {
                        let r = http.request("GET", url.as_str()).send().unwrap();
                        assert_eq!(r.status(), 200);
                        assert_eq!(r.data().len(), support::payload::ROBOTS_TXT.len());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    assert!(
        server.connections() <= 10,
        "{} connections",
        server.connections()
    );
    assert_eq!(server.requests().len(), MANY);
    let pool = http.connection_from_url(&url, None).unwrap();
    assert_eq!(pool.num_requests(), MANY as u64);
    assert!(pool.num_connections() <= 10, "{}", pool.num_connections());
}

dual_test! {
    fn the_managers_last_url_cache_never_hands_out_a_closed_pool() {
        // A manager keeps the last URL it resolved (parsed, with its pool); a pool pushed
        // out of the LRU or cleared is closed, and the next request must not use it.
        let a = HttpBin::start();
        let b = HttpBin::start();
        let http = manager!(b => b.num_pools(1));
        let url_a = a.url("/get");
        assert_eq!(send!(http.request("GET", &url_a)).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", &url_a)).unwrap().status(), 200);
        assert_eq!(a.connections(), 1, "the cached pool kept its connection");
        // Another host pushes a's pool out (num_pools 1); a's URL again gets a new pool.
        assert_eq!(send!(http.request("GET", b.url("/get"))).unwrap().status(), 200);
        assert_eq!(send!(http.request("GET", &url_a)).unwrap().status(), 200);
        assert_eq!(http.pools_len(), 1);
        assert_eq!(a.connections(), 2, "a new pool, a new connection");
        // clear() closes every pool and forgets the cache.
        http.clear();
        assert_eq!(send!(http.request("GET", &url_a)).unwrap().status(), 200);
        assert_eq!(a.connections(), 3);
        assert_eq!(http.pools_len(), 1);
    }
}
