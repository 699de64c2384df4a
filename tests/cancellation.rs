//! Cancellation in the async API: request futures dropped at random points (waiting for a
//! pool slot, connecting, waiting for the head, reading the body) and responses dropped
//! half-read must never leak a pool slot, leave a half-used connection in the pool, or keep
//! more than `maxsize` idle connections.

use std::time::Duration;

use hip_test_support as support;
use support::{pseudo_random_bytes, HttpBin};
use tokio::task::JoinSet;

/// SplitMix64: a small seeded generator, so every run drops the same futures at the same
/// points of their code (the timings still vary).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What happened to one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The request finished and its body was checked.
    Completed,
    /// The future was dropped by a timeout before it finished.
    Cancelled,
    /// The response was dropped with part of its body unread.
    DroppedMidBody,
}

/// How many operations run at once (more than `maxsize`, so some wait for a slot).
const IN_FLIGHT: usize = 48;

/// Runs `count` random operations against `server` through `http`, each cancelled or
/// abandoned at a random point; returns how many ended each way.
async fn chaos(
    http: &hip::AsyncPoolManager,
    server: &HttpBin,
    seed: u64,
    count: usize,
) -> [usize; 3] {
    let mut rng = Rng(seed);
    let mut tasks = JoinSet::new();
    let mut tally = [0usize; 3];
    let record = |outcome: Outcome, tally: &mut [usize; 3]| match outcome {
        Outcome::Completed => tally[0] += 1,
        Outcome::Cancelled => tally[1] += 1,
        Outcome::DroppedMidBody => tally[2] += 1,
    };
    for i in 0..count {
        let http = http.clone();
        let kind = rng.below(6);
        // Short waits for the /delay requests, longer ones (up to 150 ms) for the others so
        // that some finish and some are cut off while reading.
        let wait = match kind {
            0 => Duration::from_micros(rng.below(15_000)),
            _ => Duration::from_micros(rng.below(150_000)),
        };
        let len = 1 + rng.below(40_000) as usize;
        let chunk = 1 + rng.below(2_000);
        let keep = rng.below(len as u64) as usize;
        let seed = i as u64;
        let url = match kind {
            // The server waits 20-50 ms, the client at most 15 ms: cancelled, unless the
            // task is not polled again until after the answer came (a loaded machine).
            0 => server.url(&format!("/delay/0.0{}?id={i}", 2 + rng.below(4))),
            1 => server.url(&format!(
                "/stream-bytes/{len}?seed={seed}&chunk_size={chunk}"
            )),
            2 => server.url(&format!(
                "/stream-bytes/{len}?seed={seed}&chunk_size={chunk}"
            )),
            3 | 5 => server.url(&format!("/bytes/{len}?seed={seed}")),
            _ => server.url("/gzip"),
        };
        tasks.spawn(async move {
            match kind {
                0 => match tokio::time::timeout(wait, http.request("GET", url.as_str()).send())
                    .await
                {
                    Err(_) => Outcome::Cancelled,
                    Ok(r) => {
                        // It must be this request's answer, not one left on a connection
                        // by a cancelled request.
                        let r = r.unwrap();
                        let v: serde_json::Value = serde_json::from_slice(r.data()).unwrap();
                        assert_eq!(v["url"], url.as_str());
                        Outcome::Completed
                    }
                },
                1 => {
                    // Preloaded: the timeout may land anywhere, the body read included.
                    match tokio::time::timeout(wait, http.request("GET", url).send()).await {
                        Err(_) => Outcome::Cancelled,
                        Ok(r) => {
                            let r = r.unwrap();
                            assert_eq!(&r.data()[..], &pseudo_random_bytes(len, seed)[..]);
                            Outcome::Completed
                        }
                    }
                }
                2 => {
                    // Streamed: read part of the body, then drop the response.
                    let mut r = http
                        .request("GET", url)
                        .preload_content(false)
                        .send()
                        .await
                        .unwrap();
                    let got = r.read(Some(keep)).await.unwrap();
                    assert_eq!(&got[..], &pseudo_random_bytes(len, seed)[..keep]);
                    drop(r);
                    Outcome::DroppedMidBody
                }
                3 => {
                    // Streamed under a timeout: cancelled while waiting or while reading.
                    let work = async {
                        let mut r = http
                            .request("GET", url)
                            .preload_content(false)
                            .send()
                            .await
                            .unwrap();
                        r.read(None).await.unwrap()
                    };
                    match tokio::time::timeout(wait, work).await {
                        Err(_) => Outcome::Cancelled,
                        Ok(body) => {
                            assert_eq!(&body[..], &pseudo_random_bytes(len, seed)[..]);
                            Outcome::Completed
                        }
                    }
                }
                5 => {
                    // No timeout: finishes, between cancelled neighbours.
                    let r = http.request("GET", url).send().await.unwrap();
                    assert_eq!(&r.data()[..], &pseudo_random_bytes(len, seed)[..]);
                    Outcome::Completed
                }
                _ => {
                    // A compressed body, decoded as it streams.
                    match tokio::time::timeout(wait, http.request("GET", url).send()).await {
                        Err(_) => Outcome::Cancelled,
                        Ok(r) => {
                            let r = r.unwrap();
                            let v: serde_json::Value = serde_json::from_slice(r.data()).unwrap();
                            assert_eq!(v["gzipped"], true);
                            Outcome::Completed
                        }
                    }
                }
            }
        });
        while tasks.len() >= IN_FLIGHT {
            let outcome = tasks.join_next().await.unwrap().unwrap();
            record(outcome, &mut tally);
        }
    }
    while let Some(done) = tasks.join_next().await {
        record(done.unwrap(), &mut tally);
    }
    tally
}

/// After the chaos, 100 requests (20 at a time) with bodies checked byte for byte: a
/// half-used connection left in the pool would hand one of them the wrong bytes.
async fn all_succeed_afterwards(http: &hip::AsyncPoolManager, server: &HttpBin) {
    let mut tasks = JoinSet::new();
    for i in 0..100u64 {
        let http = http.clone();
        let len = 1000 + i as usize * 37;
        let url = server.url(&format!("/bytes/{len}?seed={}", 10_000 + i));
        tasks.spawn(async move {
            let r = http.request("GET", url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(&r.data()[..], &pseudo_random_bytes(len, 10_000 + i)[..]);
        });
        while tasks.len() >= 20 {
            tasks.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_futures_give_back_every_slot_of_a_blocking_pool() {
    const MAXSIZE: usize = 8;
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(MAXSIZE)
        .block(true)
        .build()
        .unwrap();
    let [completed, cancelled, dropped] = chaos(&http, &server, 0x5EED_0001, 1000).await;
    eprintln!("completed {completed}, cancelled {cancelled}, dropped mid-body {dropped}");
    assert_eq!(completed + cancelled + dropped, 1000);
    assert!(completed > 0 && cancelled > 0 && dropped > 0);

    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.available_slots(), Some(MAXSIZE));
    assert!(pool.num_idle() <= MAXSIZE, "{} idle", pool.num_idle());
    all_succeed_afterwards(&http, &server).await;
    assert_eq!(pool.available_slots(), Some(MAXSIZE));
    assert!(pool.num_idle() <= MAXSIZE, "{} idle", pool.num_idle());
    assert_eq!(http.pools_len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_futures_never_overfill_a_non_blocking_pool() {
    const MAXSIZE: usize = 4;
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(MAXSIZE)
        .build()
        .unwrap();
    let [completed, cancelled, dropped] = chaos(&http, &server, 0x5EED_0002, 1000).await;
    eprintln!("completed {completed}, cancelled {cancelled}, dropped mid-body {dropped}");
    assert_eq!(completed + cancelled + dropped, 1000);

    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    assert_eq!(pool.available_slots(), None);
    assert!(pool.num_idle() <= MAXSIZE, "{} idle", pool.num_idle());
    all_succeed_afterwards(&http, &server).await;
    assert!(pool.num_idle() <= MAXSIZE, "{} idle", pool.num_idle());
}

/// A request future dropped while it waits for a slot of a full blocking pool gives the
/// slot to nobody (it never had one), and the next waiter still gets the freed slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_waiting_future_keeps_the_queue_moving() {
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::builder()
        .maxsize(1)
        .block(true)
        .build()
        .unwrap();
    let pool = http.connection_from_url(&server.url("/"), None).unwrap();
    let mut held = http
        .request("GET", server.url("/bytes/100"))
        .preload_content(false)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.available_slots(), Some(0));
    // Waits for the only slot, then is dropped.
    let waited = tokio::time::timeout(
        Duration::from_millis(50),
        http.request("GET", server.url("/get")).send(),
    )
    .await;
    assert!(waited.is_err());
    assert_eq!(pool.available_slots(), Some(0));
    // Another waiter gets the slot as soon as the held response is finished.
    let waiter = {
        let http = http.clone();
        let url = server.url("/get");
        tokio::spawn(async move { http.request("GET", url).send().await.map(|r| r.status()) })
    };
    assert_eq!(
        &held.read(None).await.unwrap()[..],
        &pseudo_random_bytes(100, 0)[..]
    );
    assert_eq!(waiter.await.unwrap().unwrap(), 200);
    assert_eq!(pool.available_slots(), Some(1));
    assert_eq!(pool.num_idle(), 1);
    assert_eq!(server.connections(), 1);
    assert_eq!(server.requests().len(), 2);
}
