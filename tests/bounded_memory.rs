//! Decompression bombs cannot make hip allocate without limit: peak heap, measured by a
//! counting global allocator, while reading bombs of every coding (and stacked codings)
//! through both APIs.
//!
//! One test function runs everything in sequence, on the calling thread (the blocking API,
//! and the async API on a current-thread runtime), so no other test's allocations land in
//! the measurement. The server runs on its own thread but only writes bytes it already has.

use hip::{ErrorKind, Retry, Timeout};
use hip_test_support::payload::{encode, Coding};
use hip_test_support::{RawServer, Step};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// What a bomb inflates to.
const BOMB: usize = 64 << 20;

/// The most heap one bounded read may take beyond the coding's own window, whatever the
/// bomb: the read buffer (64 KiB), a decode step (64 KiB), the decoders' scratch (32 KiB
/// each), with room to spare. Brotli's window (4 MiB here: the encoder's `lgwin` 22; hip
/// accepts up to 16 MiB) is a fixed cost of the coding, added per bomb.
const BOUND: usize = 1 << 20;

struct Bomb {
    name: &'static str,
    header: String,
    body: Vec<u8>,
    /// The decoder's window, allocated whole whatever is read.
    window: usize,
}

fn bombs() -> Vec<Bomb> {
    let zeros = vec![0u8; BOMB];
    let mut out = Vec::new();
    for coding in [
        Coding::Gzip,
        Coding::Deflate,
        Coding::DeflateRaw,
        Coding::Brotli,
        Coding::Zstd,
    ] {
        out.push(Bomb {
            name: coding.token(),
            header: coding.token().to_owned(),
            body: encode(coding, &zeros),
            window: if coding == Coding::Brotli { 1 << 22 } else { 0 },
        });
    }
    // Stacked: deflate applied first, then gzip (decoded in reverse order).
    out.push(Bomb {
        name: "deflate, gzip",
        header: "deflate, gzip".to_owned(),
        body: encode(Coding::Gzip, &encode(Coding::Deflate, &zeros)),
        window: 0,
    });
    out
}

fn server(bomb: &Bomb) -> RawServer {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: {}\r\nContent-Length: {}\r\n\r\n",
        bomb.header,
        bomb.body.len()
    )
    .into_bytes();
    response.extend_from_slice(&bomb.body);
    RawServer::with_default(
        vec![],
        vec![Step::ReadRequest, Step::write(response), Step::KeepOpen],
    )
}

/// Records (and prints at once, so a failing run still shows it) one measurement.
fn note(report: &mut Vec<String>, line: String) {
    eprintln!("{line}");
    report.push(line);
}

/// Peak heap above what was in use when `f` started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let out = f();
    (out, HEAP.peak_usage().saturating_sub(base))
}

fn timeout() -> Timeout {
    Timeout::new().connect(5.0).read(10.0)
}

#[test]
fn decompression_bombs_are_read_in_bounded_steps_through_both_apis() {
    let bombs = bombs();
    let blocking = hip::PoolManager::builder()
        .timeout(timeout())
        .retries(Retry::new(false))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let asynchronous = rt.block_on(async {
        hip::AsyncPoolManager::builder()
            .timeout(timeout())
            .retries(Retry::new(false))
            .build()
            .unwrap()
    });
    let mut report = Vec::new();
    for bomb in &bombs {
        // read(1): one byte, not the whole bomb.
        let s = server(bomb);
        let (got, peak) = peak_during(|| {
            let mut r = blocking
                .request("GET", s.url("/"))
                .preload_content(false)
                .send()
                .unwrap();
            r.read(Some(1)).unwrap()
        });
        assert_eq!(got.as_ref(), [0u8], "{}", bomb.name);
        note(
            &mut report,
            format!("{:<14} blocking read(1): {} KiB", bomb.name, peak / 1024),
        );
        assert!(
            peak < BOUND + bomb.window,
            "{}: blocking read(1) peaked at {peak} bytes",
            bomb.name
        );

        let s = server(bomb);
        let (got, peak) = peak_during(|| {
            rt.block_on(async {
                let mut r = asynchronous
                    .request("GET", s.url("/"))
                    .preload_content(false)
                    .send()
                    .await
                    .unwrap();
                r.read(Some(1)).await.unwrap()
            })
        });
        assert_eq!(got.as_ref(), [0u8], "{}", bomb.name);
        note(
            &mut report,
            format!("{:<14} async read(1): {} KiB", bomb.name, peak / 1024),
        );
        assert!(
            peak < BOUND + bomb.window,
            "{}: async read(1) peaked at {peak} bytes",
            bomb.name
        );

        // Streaming the whole bomb in 64 KiB chunks: every byte arrives, the heap stays flat.
        let s = server(bomb);
        let (total, peak) = peak_during(|| {
            let mut r = blocking
                .request("GET", s.url("/"))
                .preload_content(false)
                .send()
                .unwrap();
            let mut total = 0usize;
            for chunk in r.stream(64 * 1024) {
                let chunk = chunk.unwrap();
                assert!(chunk.len() <= 64 * 1024);
                total += chunk.len();
            }
            total
        });
        assert_eq!(total, BOMB, "{}", bomb.name);
        note(
            &mut report,
            format!(
                "{:<14} blocking stream(64 KiB), all {} MiB: {} KiB",
                bomb.name,
                BOMB >> 20,
                peak / 1024
            ),
        );
        assert!(
            peak < BOUND + bomb.window,
            "{}: streaming peaked at {peak} bytes",
            bomb.name
        );

        // Preloading is capped by max_body_size, with an error naming the limit.
        let s = server(bomb);
        let (err, peak) = peak_during(|| {
            rt.block_on(async {
                asynchronous
                    .request("GET", s.url("/"))
                    .max_body_size(1 << 20)
                    .send()
                    .await
                    .unwrap_err()
            })
        });
        assert_eq!(
            err.kind(),
            ErrorKind::BodyTooLarge,
            "{}: {err:#}",
            bomb.name
        );
        assert!(
            err.message().contains("max_body_size (1048576 bytes)"),
            "{err}"
        );
        note(
            &mut report,
            format!(
                "{:<14} async preload, max_body_size 1 MiB: {} KiB",
                bomb.name,
                peak / 1024
            ),
        );
        assert!(
            peak < BOUND + bomb.window + (1 << 20),
            "{}: capped preload peaked at {peak} bytes",
            bomb.name
        );
    }
    // The manager-wide cap, through the blocking API.
    let capped = hip::PoolManager::builder()
        .max_body_size(1 << 20)
        .timeout(timeout())
        .build()
        .unwrap();
    let s = server(&bombs[0]);
    let err = capped.request("GET", s.url("/")).send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:#}");

    // A large plain body: reads grow to at most 1 MiB while it streams in, whatever its
    // size, and the buffer is let go of when the connection goes back to the pool.
    // (The test server makes the body as it sends it, allocating nothing for it.)
    let s = hip_test_support::HttpBin::start();
    let url = s.url(&format!("/large/{BOMB}"));
    let (total, peak) = peak_during(|| {
        rt.block_on(async {
            use futures_util::StreamExt;
            let mut r = asynchronous
                .request("GET", &url)
                .preload_content(false)
                .send()
                .await
                .unwrap();
            let mut total = 0usize;
            let mut chunks = r.stream(64 * 1024);
            while let Some(chunk) = chunks.next().await {
                total += chunk.unwrap().len();
            }
            total
        })
    });
    assert_eq!(total, BOMB);
    note(
        &mut report,
        format!(
            "identity async stream(64 KiB), all 64 MiB: {} KiB",
            peak / 1024
        ),
    );
    assert!(
        peak < 2 * BOUND + (1 << 20),
        "a plain 64 MiB stream peaked at {peak} bytes"
    );
    println!("peak heap per read:\n{}", report.join("\n"));
}
