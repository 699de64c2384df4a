//! Reading responses through the blocking API: `read(amt)`, `std::io::Read` with io
//! wrappers, the `stream` iterator, releasing and draining connections, and a response
//! that outlives its manager.

mod common;

use std::io::{self, BufRead, BufReader, Read};

use common::{lines, pattern};
use hip_blocking::PoolManager;

#[test]
fn read_amt_then_the_rest() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/bytes/1024"))
        .preload_content(false)
        .send()
        .unwrap();
    assert_eq!(r.data().len(), 0);
    let first = r.read(Some(4)).unwrap();
    assert_eq!(&first[..], &pattern(1024)[..4]);
    assert_eq!(r.tell(), 1024);
    let rest = r.read(None).unwrap();
    assert_eq!(&rest[..], &pattern(1024)[4..]);
    assert_eq!(r.read(Some(10)).unwrap().len(), 0);
    assert!(r.closed());
}

#[test]
fn read_with_cache_content_fills_data() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/lines/3"))
        .preload_content(false)
        .send()
        .unwrap();
    let body = r.read_with(None, Some(true), true).unwrap();
    assert_eq!(&body[..], lines(3).as_bytes());
    assert_eq!(&r.data()[..], lines(3).as_bytes());

    let mut r = http
        .request("GET", server.url("/lines/2"))
        .preload_content(false)
        .send()
        .unwrap();
    assert_eq!(&r.preload_content().unwrap()[..], lines(2).as_bytes());
    assert_eq!(r.text(), lines(2));
}

#[test]
fn io_read_with_bufreader_lines_and_auto_close_false() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/lines/50"))
        .preload_content(false)
        .send()
        .unwrap();
    // The spec's "Using io Wrappers with Response content".
    r.set_auto_close(false);
    assert!(!r.auto_close());
    let mut reader = BufReader::new(r);
    let mut got = Vec::new();
    for line in (&mut reader).lines() {
        got.push(line.unwrap());
    }
    let want: Vec<String> = (0..50).map(|i| format!("line {i}")).collect();
    assert_eq!(got, want);
    let mut r = reader.into_inner();
    // Read to the end, but auto_close is off: not closed until close().
    assert!(!r.closed());
    let mut buf = [0u8; 8];
    assert_eq!(io::Read::read(&mut r, &mut buf).unwrap(), 0);
    r.close();
    assert!(r.closed());
    // The body was read to the end, so the connection went back to the pool.
    let again = http.request("GET", server.url("/lines/1")).send().unwrap();
    assert_eq!(again.text(), "line 0\n");
    assert_eq!(server.connections(), 1);
}

#[test]
fn io_read_with_auto_close_reports_closed_at_the_end() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/lines/4"))
        .preload_content(false)
        .send()
        .unwrap();
    assert!(r.auto_close());
    assert!(!r.closed());
    let mut text = String::new();
    r.read_to_string(&mut text).unwrap();
    assert_eq!(text, lines(4));
    assert!(r.closed());
}

#[test]
fn io_copy_a_large_body() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let n = 3 * 1024 * 1024 + 17;
    let mut r = http
        .request("GET", server.url(&format!("/bytes/{n}")))
        .preload_content(false)
        .send()
        .unwrap();
    let mut out = Vec::new();
    let copied = io::copy(&mut r, &mut out).unwrap();
    assert_eq!(copied, n as u64);
    assert!(
        out == pattern(n),
        "the copied body differs from what was sent"
    );
}

#[test]
fn stream_iterates_over_chunks() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/bytes/1000"))
        .preload_content(false)
        .send()
        .unwrap();
    let chunks: Vec<_> = r.stream(32).collect::<Result<_, _>>().unwrap();
    let sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
    assert!(sizes.iter().all(|&s| (1..=32).contains(&s)), "{sizes:?}");
    let joined: Vec<u8> = chunks.concat();
    assert_eq!(joined, pattern(1000));
    assert_eq!(r.stream(32).count(), 0);
    r.release_conn();

    // Chunked bodies stream too.
    let mut r = http
        .request("GET", server.url("/lines/20"))
        .preload_content(false)
        .send()
        .unwrap();
    let mut joined = Vec::new();
    for chunk in r.stream(7) {
        let chunk = chunk.unwrap();
        assert!(chunk.len() <= 7);
        joined.extend_from_slice(&chunk);
    }
    assert_eq!(joined, lines(20).as_bytes());
    assert_eq!(server.connections(), 1);
}

#[test]
fn release_conn_mid_body_closes_the_connection() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/bytes/100000"))
        .preload_content(false)
        .send()
        .unwrap();
    assert_eq!(&r.read(Some(3)).unwrap()[..], &[0, 1, 2]);
    r.release_conn();
    // Half-read: the connection cannot carry another request, so a new one is opened.
    let r2 = http.request("GET", server.url("/bytes/5")).send().unwrap();
    assert_eq!(&r2.data()[..], &[0, 1, 2, 3, 4]);
    assert_eq!(server.connections(), 2);
}

#[test]
fn drain_conn_keeps_the_connection() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/bytes/100000"))
        .preload_content(false)
        .send()
        .unwrap();
    assert_eq!(&r.read(Some(3)).unwrap()[..], &[0, 1, 2]);
    r.drain_conn().unwrap();
    let r2 = http.request("GET", server.url("/bytes/5")).send().unwrap();
    assert_eq!(&r2.data()[..], &[0, 1, 2, 3, 4]);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_response_keeps_the_runtime_alive_after_the_manager_is_dropped() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let n = 2 * 1024 * 1024;
    let mut r = http
        .request("GET", server.url(&format!("/bytes/{n}")))
        .preload_content(false)
        .send()
        .unwrap();
    let first = r.read(Some(10)).unwrap();
    assert_eq!(&first[..], &pattern(n)[..10]);
    drop(http);
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), n - 10);
    assert!(rest[..] == pattern(n)[10..], "the rest of the body differs");
    assert!(r.closed());
}

#[test]
fn a_pool_keeps_the_runtime_alive_after_the_manager_is_dropped() {
    let server = common::server();
    let http = PoolManager::new().unwrap();
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    drop(http);
    let r = pool.request("GET", "/bytes/3").send().unwrap();
    assert_eq!(&r.data()[..], &[0, 1, 2]);
}
