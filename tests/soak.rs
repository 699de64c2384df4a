//! Soak: 100,000 keep-alive requests through each API and 1,000 random cancellations, with
//! no growth in file descriptors or resident memory and every pool slot back.
//!
//! Ignored by default (it takes a while in a debug build); CI runs it:
//! `cargo test --all-features --test soak -- --ignored`.
//!
//! The server is a plain keep-alive responder on its own thread that keeps no log, so the
//! process's memory is the client's.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const REQUESTS: usize = 100_000;
const CANCELLATIONS: usize = 1_000;
/// Resident memory may move by allocator noise, not grow with the request count.
const RSS_SLACK: usize = 16 << 20;

/// Answers every request on every connection with `ok`; a request whose path starts with
/// `/slow` waits 5 ms first (so cancellations land mid-request).
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            std::thread::spawn(move || answer(stream));
        }
    });
    port
}

fn answer(mut stream: TcpStream) {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        if buf.starts_with(b"GET /slow") {
            std::thread::sleep(Duration::from_millis(5));
        }
        buf.drain(..end);
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// A small xorshift generator: the cancellation points, the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn check_steady(what: &str, before: (usize, usize), after: (usize, usize)) {
    eprintln!(
        "{what}: fds {} -> {}, rss {} KiB -> {} KiB",
        before.0,
        after.0,
        before.1 / 1024,
        after.1 / 1024
    );
    assert!(after.0 <= before.0 + 2, "{what}: file descriptors grew");
    assert!(
        after.1 <= before.1 + RSS_SLACK,
        "{what}: resident memory grew"
    );
}

#[test]
#[ignore = "soak: run with --ignored (CI does)"]
fn one_hundred_thousand_requests_and_a_thousand_cancellations_leak_nothing() {
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/get");
    let slow = format!("http://127.0.0.1:{port}/slow");

    // Blocking.
    let http = hip::PoolManager::builder()
        .maxsize(8)
        .block(true)
        .build()
        .unwrap();
    for _ in 0..1_000 {
        assert_eq!(http.request("GET", &url).send().unwrap().status(), 200);
    }
    let before = (open_fds(), rss());
    for _ in 0..REQUESTS {
        assert_eq!(http.request("GET", &url).send().unwrap().status(), 200);
    }
    check_steady("blocking", before, (open_fds(), rss()));
    let pool = http.connection_from_url(&url, None).unwrap();
    assert_eq!(pool.available_slots(), Some(8));

    // Async, with cancellations at random points.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = hip::AsyncPoolManager::builder()
            .maxsize(8)
            .block(true)
            .build()
            .unwrap();
        for _ in 0..1_000 {
            assert_eq!(
                http.request("GET", &url).send().await.unwrap().status(),
                200
            );
        }
        let before = (open_fds(), rss());
        for _ in 0..REQUESTS {
            assert_eq!(
                http.request("GET", &url).send().await.unwrap().status(),
                200
            );
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut cancelled = 0;
        for _ in 0..CANCELLATIONS {
            let wait = Duration::from_micros(rng.below(8_000));
            if tokio::time::timeout(wait, http.request("GET", &slow).send())
                .await
                .is_err()
            {
                cancelled += 1;
            }
        }
        eprintln!("{cancelled} of {CANCELLATIONS} requests cancelled mid-flight");
        assert!(
            cancelled > CANCELLATIONS / 4,
            "too few cancellations to mean anything"
        );
        // Every slot is back, and the pool still serves.
        let pool = http.connection_from_url(&url, None).unwrap();
        assert_eq!(pool.available_slots(), Some(8));
        for _ in 0..100 {
            assert_eq!(
                http.request("GET", &url).send().await.unwrap().status(),
                200
            );
        }
        check_steady("async", before, (open_fds(), rss()));
    });
}
