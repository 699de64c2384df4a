//! Side-by-side benchmark: hip against reqwest, hyper-util and ureq, with a hand-written raw
//! HTTP/1.1 client as the floor, on the same local servers.
//!
//! Two modes, one binary:
//!
//! - **Wall clock** (default): `cargo bench --bench compare`. Throughput and client CPU per
//!   operation, as ratios to the raw floor of the same runtime.
//! - **Instructions** (`HIP_BENCH_CALLGRIND=1`, or `bash scripts/bench_instructions.sh`):
//!   user-space instructions per operation under `valgrind --tool=callgrind`, which do not
//!   depend on the machine's load. Each client runs in its own process, once with N
//!   operations and once with 2N; the count per operation is `(I(2N) - I(N)) / N`, which
//!   cancels the process start, the client's construction and its warm-up. Only the client
//!   process runs under valgrind (the server is the same child process as in the wall-clock
//!   mode, run natively). Workloads `seq`, `post` and `tls` only: valgrind runs one thread
//!   at a time (no `conc`), and an async client's instructions per MiB downloaded depend on
//!   how much each read finds in the socket, that is on timing (no `download`).
//!
//! Environment:
//!
//! - `HIP_BENCH_ROUNDS=N`: rounds (default 5). Rounds are interleaved: each round runs every
//!   client once on every workload, and the client order is rotated by one each round.
//! - `HIP_BENCH_QUICK=1`: smaller workloads (a run of about a minute).
//! - `HIP_BENCH_CLIENTS=hip-async,ureq`: only these clients (names as printed). The raw floor
//!   of each runtime that has a selected client is always run: every ratio needs it.
//! - `HIP_BENCH_WORKLOADS=seq,conc,download,post,tls`: only these workloads.
//! - `HIP_BENCH_CALLGRIND=1`: the instructions mode (workloads seq, post, tls; rounds do
//!   not apply). `HIP_BENCH_CALLGRIND_OUT=DIR` keeps the callgrind files there, named
//!   `CLIENT-WORKLOAD-N.out`, for `callgrind_annotate`.
//! - `HIP_BENCH_COPY_TO=1`: hip's blocking download writes with `HttpResponse::copy_to`
//!   instead of `io::copy` (no copy into an 8 KiB buffer; the other clients are unchanged).
//! - `HIP_BENCH_ISOLATED=1` (or `bash scripts/bench_isolated.sh`): client CPU per operation
//!   with each client in a fresh process of its own, against the same server: per round and
//!   client (order rotated), one process does one warm-up operation and then N (2,000 small
//!   GETs, 4,000 concurrent ones (16 tasks on a 2-worker runtime, or 4 threads sharing one
//!   blocking client, as in the wall-clock mode), 200 POSTs, 200 TLS connections or 2
//!   downloads of 256 MiB), and reports the CPU time of the
//!   N (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`, all its threads). Ratios are medians of
//!   per-round ratios to the floor of the same runtime. Less noisy than the wall-clock mode
//!   on a shared machine: no client shares a process, an allocator or a runtime with
//!   another. All five workloads.
//! - `HIP_BENCH_SYSCALLS=1` (or `bash scripts/bench_syscalls.sh`): system calls and
//!   user-space copies per MiB of the download, per small GET, per 1 MiB POST and per new
//!   TLS connection (workloads `download`, `seq`, `post` and `tls`), for each client in a process of its own: system calls counted by
//!   `strace -f -c`, bytes copied by `memcpy`/`memmove` counted by `benches/copycount.c`
//!   (loaded with `LD_PRELOAD`). A run of 3 downloads of `HIP_BENCH_DOWNLOAD_MIB` MiB
//!   (default 64), or of 2,000 GETs (200 POSTs, 200 TLS connections), minus a run of none cancels the start, the
//!   construction and the warm-up.
//!
//! Clients, all through their public high-level API:
//!
//! - async: `hip::AsyncPoolManager`, `reqwest::Client`, hyper-util's legacy `Client` with a
//!   hyper-rustls `HttpsConnector`, and `raw-async`;
//! - blocking: `hip::PoolManager` (with hip's `blocking` feature, on by default), `ureq::Agent`,
//!   `reqwest::blocking::Client`, and `raw-blocking`.
//!
//! The raw floors are a keep-alive HTTP/1.1 client written here, over tokio's `TcpStream`
//! (`raw-async`; tokio-rustls for TLS) and std's (`raw-blocking`; rustls' `StreamOwned` for
//! TLS): a request head formatted once and written with the body in one `writev`, one
//! buffer per connection (1 MiB, read into straight from the socket; 16 KiB on TLS), and a
//! response parser that reads just the status and `Content-Length` (the bench server sends
//! nothing else a client must act on). For concurrency each task or thread keeps its own
//! connection (from a free list, so the warm-up's connections are reused).
//!
//! Runtimes: every async client runs on the same runtime flavour, driven the same way: the
//! sequential workloads (`seq`, `download`, `post`, `tls`) inside `block_on` of one
//! current-thread runtime, the concurrent one in tasks spawned on one 2-worker multi-thread
//! runtime. The blocking clients run on the calling thread (reqwest::blocking and hip's
//! facade bring their own runtimes, as their users get them).
//!
//! Workloads:
//!
//! 1. `seq`: sequential keep-alive GETs of a 13-byte body.
//! 2. `conc`: concurrent keep-alive GETs: 16 tasks (async) or 4 threads sharing one client
//!    (blocking; shared through clones, which share the client's pool).
//! 3. `download`: a 256 MiB body streamed: `stream(64 KiB)` (hip), `chunk()` (reqwest),
//!    body frames (hyper-util), `io::copy` into `io::sink()` (blocking clients; std's copy
//!    reads 8 KiB at a time), and reads of up to 1 MiB straight from the socket (raw floors).
//!    How much CPU a download costs the client depends on how full the socket is when it
//!    reads (bigger reads, fewer calls), and so on the server's pace too: the tables also
//!    give the server's CPU and the ratio of client + server CPU to the floor's (`all/raw`).
//! 4. `post`: sequential POSTs of 1 MiB.
//! 5. `tls`: HTTPS GETs, each on a new connection with a full handshake. The server keeps no
//!    sessions and sends no tickets (`NoServerSessionStorage`, `send_tls13_tickets = 0`), so
//!    no client can resume, and it closes every connection after one response, so none can
//!    be reused; it counts resumed handshakes (`resumed`, always 0) and accepted connections
//!    (`conns`: one per request here, 0 for the keep-alive workloads). Client-side resumption
//!    is also disabled (`rustls::client::Resumption::disabled()`) in the one rustls config
//!    given to hip (`ssl_context`), reqwest (`tls_backend_preconfigured`), hyper-util
//!    (hyper-rustls' `with_tls_config`) and the raw floors; ureq takes no rustls config (its
//!    `TlsConfig` has roots, client certificate, SNI and provider, no resumption switch), so
//!    it keeps rustls' default session cache, which the server never fills.
//!
//! Every client gets the same server, payloads and comparable settings: a keep-alive pool big
//! enough for the concurrency, TCP_NODELAY, no compression, no proxy, TLS verification on
//! with the bench CA as the only root, rustls on ring.
//!
//! The server (hyper HTTP/1.1 with keep-alive, and the same service behind tokio-rustls with
//! the valid server certificate of the test PKI) runs in a child process: this binary
//! started with `--hip-bench-server`. CPU times are `utime + stime` of a whole process, all
//! threads (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`, in nanoseconds): this process's is the
//! clients' alone; the server reports its own on `GET /stats`.
//!
//! Reported per workload and client: the median rate over rounds with its min..max, the
//! median client and server CPU per operation, and the ratios to the raw floor of the same
//! runtime (`raw-async` for async clients, `raw-blocking` for blocking ones) as the MEDIAN
//! OF PER-ROUND RATIOS: each round's client / the same round's floor, then the median.

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use hip_test_support::{ServerCert, TestPki};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

/// The body of `GET /small`.
const SMALL_BODY: &[u8] = b"Hello, world!";
/// Chunk size of the download body on the server and of the clients' streaming reads.
const CHUNK: usize = 64 * 1024;
/// The raw floors' buffer on a plain connection: reads of up to 1 MiB take what the socket
/// holds in one call (hyper's adaptive buffer grows to about 400 KiB; with 64 KiB reads the
/// floor spent about twice the CPU per MiB of hyper-util on the download).
const RAW_BUF: usize = 1 << 20;
/// The raw floors' buffer on a TLS connection (one small response).
const TLS_BUF: usize = 16 * 1024;
/// Tasks of the async concurrent workload, threads of the blocking one.
const ASYNC_TASKS: usize = 16;
const BLOCKING_THREADS: usize = 4;
/// Worker threads of the multi-thread runtime (async concurrent workload) and of the server.
const WORKERS: usize = 2;
const MIB: f64 = 1024.0 * 1024.0;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("--hip-bench-server") => server::main(&args[2..]),
        Some("--hip-bench-client") => instructions::client_main(&args[2..]),
        _ if env_flag("HIP_BENCH_CALLGRIND") => instructions::run(),
        _ if env_flag("HIP_BENCH_SYSCALLS") => copies::run(),
        _ if env_flag("HIP_BENCH_ISOLATED") => isolated::run(),
        _ => run(),
    };
    if let Err(e) = result {
        eprintln!("compare bench failed: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

fn env_flag(var: &str) -> bool {
    matches!(std::env::var(var).as_deref(), Ok(v) if v != "0" && !v.is_empty())
}

fn env_filter(var: &str) -> Option<Vec<String>> {
    std::env::var(var).ok().map(|v| {
        v.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Sizes {
    quick: bool,
    rounds: usize,
    seq_requests: usize,
    conc_requests: usize,
    download_bytes: u64,
    /// Downloads per measurement.
    download_repeats: usize,
    post_bytes: usize,
    post_requests: usize,
    tls_requests: usize,
}

impl Sizes {
    fn from_env() -> Res<Sizes> {
        let quick = env_flag("HIP_BENCH_QUICK");
        let rounds = match std::env::var("HIP_BENCH_ROUNDS") {
            Ok(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("HIP_BENCH_ROUNDS must be a positive integer, got {v:?}"))?,
            Err(_) => 5,
        };
        Ok(if quick {
            Sizes {
                quick,
                rounds,
                seq_requests: 5_000,
                conc_requests: 10_000,
                download_bytes: 256 << 20,
                download_repeats: 1,
                post_bytes: 1 << 20,
                post_requests: 300,
                tls_requests: 200,
            }
        } else {
            Sizes {
                quick,
                rounds,
                seq_requests: 50_000,
                conc_requests: 100_000,
                download_bytes: 256 << 20,
                download_repeats: 8,
                post_bytes: 1 << 20,
                post_requests: 2_000,
                tls_requests: 2_000,
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    Seq,
    Conc,
    Download,
    Post,
    Tls,
}

const WORKLOADS: [Workload; 5] = [
    Workload::Seq,
    Workload::Conc,
    Workload::Download,
    Workload::Post,
    Workload::Tls,
];

impl Workload {
    fn key(self) -> &'static str {
        match self {
            Workload::Seq => "seq",
            Workload::Conc => "conc",
            Workload::Download => "download",
            Workload::Post => "post",
            Workload::Tls => "tls",
        }
    }

    fn from_key(key: &str) -> Option<Workload> {
        WORKLOADS.into_iter().find(|w| w.key() == key)
    }

    fn title(self, s: &Sizes) -> String {
        match self {
            Workload::Seq => format!(
                "1. sequential keep-alive GETs, {}-byte body, {} requests (async: current-thread runtime)",
                SMALL_BODY.len(),
                s.seq_requests
            ),
            Workload::Conc => format!(
                "2. concurrent keep-alive GETs, {}-byte body, {} requests: async {} tasks on a {}-worker multi-thread runtime, blocking {} threads sharing one client",
                SMALL_BODY.len(),
                s.conc_requests,
                ASYNC_TASKS,
                WORKERS,
                BLOCKING_THREADS
            ),
            Workload::Download => format!(
                "3. streamed downloads of {} MiB, {} per measurement (async: current-thread runtime, stream({} KiB) / chunk() / frames; blocking: io::copy; raw floors: reads of up to {} KiB)",
                s.download_bytes >> 20,
                s.download_repeats,
                CHUNK / 1024,
                RAW_BUF / 1024
            ),
            Workload::Post => format!(
                "4. sequential POSTs of {} MiB each, {} requests (async: current-thread runtime)",
                s.post_bytes >> 20,
                s.post_requests
            ),
            Workload::Tls => format!(
                "5. HTTPS GETs, each on a new connection with a full handshake, {} requests (async: current-thread runtime)",
                s.tls_requests
            ),
        }
    }

    /// (rate unit, per-op unit)
    fn units(self) -> (&'static str, &'static str) {
        match self {
            Workload::Seq | Workload::Conc => ("req/s", "req"),
            Workload::Download => ("MiB/s", "MiB"),
            Workload::Post => ("MiB/s", "req"),
            Workload::Tls => ("conn/s", "conn"),
        }
    }

    /// Short name for the summary tables.
    fn short(self) -> &'static str {
        match self {
            Workload::Seq => "sequential small GETs",
            Workload::Conc => "concurrent small GETs (16 tasks / 4 threads)",
            Workload::Download => "256 MiB streamed download",
            Workload::Post => "1 MiB POSTs",
            Workload::Tls => "new TLS connections (full handshakes)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientKind {
    RawAsync,
    HipAsync,
    ReqwestAsync,
    HyperUtil,
    RawBlocking,
    HipBlocking,
    Ureq,
    ReqwestBlocking,
}

const ALL_CLIENTS: [ClientKind; 8] = [
    ClientKind::RawAsync,
    ClientKind::HipAsync,
    ClientKind::ReqwestAsync,
    ClientKind::HyperUtil,
    ClientKind::RawBlocking,
    ClientKind::HipBlocking,
    ClientKind::Ureq,
    ClientKind::ReqwestBlocking,
];

impl ClientKind {
    fn name(self) -> &'static str {
        match self {
            ClientKind::RawAsync => "raw-async",
            ClientKind::HipAsync => "hip-async",
            ClientKind::ReqwestAsync => "reqwest",
            ClientKind::HyperUtil => "hyper-util",
            ClientKind::RawBlocking => "raw-blocking",
            ClientKind::HipBlocking => "hip-blocking",
            ClientKind::Ureq => "ureq",
            ClientKind::ReqwestBlocking => "reqwest-blocking",
        }
    }

    fn from_name(name: &str) -> Option<ClientKind> {
        ALL_CLIENTS.into_iter().find(|c| c.name() == name)
    }

    fn is_blocking(self) -> bool {
        matches!(
            self,
            ClientKind::RawBlocking
                | ClientKind::HipBlocking
                | ClientKind::Ureq
                | ClientKind::ReqwestBlocking
        )
    }

    /// The raw floor of the same runtime.
    fn floor(self) -> ClientKind {
        if self.is_blocking() {
            ClientKind::RawBlocking
        } else {
            ClientKind::RawAsync
        }
    }

    /// What the client allows for TLS session resumption, as configured here.
    fn resumption(self) -> &'static str {
        match self {
            ClientKind::RawAsync | ClientKind::RawBlocking => "disabled in its rustls config",
            ClientKind::HipAsync | ClientKind::HipBlocking => {
                "disabled: ssl_context(rustls config with Resumption::disabled())"
            }
            ClientKind::ReqwestAsync | ClientKind::ReqwestBlocking => {
                "disabled: tls_backend_preconfigured(rustls config with Resumption::disabled())"
            }
            ClientKind::HyperUtil => {
                "disabled: hyper-rustls with_tls_config(rustls config with Resumption::disabled())"
            }
            ClientKind::Ureq => {
                "cannot be disabled (TlsConfig has no switch; rustls' default session cache), the server refuses it"
            }
        }
    }
}

/// The selected clients in the fixed order, with the floor of each runtime that has one.
fn selected_clients() -> Vec<ClientKind> {
    let filter = env_filter("HIP_BENCH_CLIENTS");
    let chosen: Vec<ClientKind> = ALL_CLIENTS
        .into_iter()
        .filter(|&c| c != ClientKind::HipBlocking || cfg!(feature = "blocking"))
        .filter(|c| {
            filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|n| n == c.name()))
        })
        .collect();
    ALL_CLIENTS
        .into_iter()
        .filter(|&c| chosen.contains(&c) || chosen.iter().any(|k| k.floor() == c))
        .collect()
}

fn selected_workloads(allowed: &[Workload]) -> Vec<Workload> {
    let filter = env_filter("HIP_BENCH_WORKLOADS");
    allowed
        .iter()
        .copied()
        .filter(|w| {
            filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|n| n == w.key()))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Isolated mode: client CPU per operation, each client in a fresh process
// ---------------------------------------------------------------------------------------------

mod isolated {
    use super::*;

    /// The size of one download.
    const DOWNLOAD_BYTES: u64 = 256 << 20;

    /// Operations per process, and the unit of one.
    fn size(w: Workload) -> (usize, &'static str) {
        match w {
            Workload::Seq => (2_000, "small GET"),
            Workload::Conc => (4_000, "concurrent small GET"),
            Workload::Post => (200, "1 MiB POST"),
            Workload::Tls => (200, "new TLS connection"),
            _ => (2, "MiB"),
        }
    }

    /// CPU seconds of `n` operations of one client process.
    fn cpu(server: &ServerProc, ca: &Path, kind: ClientKind, w: Workload, n: usize) -> Res<f64> {
        let out = Command::new(std::env::current_exe()?)
            .args(client_args(server, ca, kind, w, n))
            .env("HIP_BENCH_DOWNLOAD_BYTES", DOWNLOAD_BYTES.to_string())
            .env("HIP_BENCH_PRINT_CPU", "1")
            .stdin(Stdio::null())
            .output()?;
        let out = succeeded(out, &format!("{} {}", kind.name(), w.key()))?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("cpu_secs "))
            .ok_or_else(|| format!("{} {}: no cpu_secs line", kind.name(), w.key()))?
            .trim()
            .parse()
            .map_err(Into::into)
    }

    pub(super) fn run() -> Res<()> {
        let sizes = Sizes::from_env()?;
        let clients = selected_clients();
        let workloads = selected_workloads(&WORKLOADS);
        if workloads.is_empty() {
            return Err("no workload selected".into());
        }
        let pki = TestPki::new();
        let server = spawn_server(&pki)?;
        let ca = pki.ca_bundle_path();
        println!(
            "hip compare bench, isolated mode: client CPU per operation, one fresh process per client and round ({} rounds, order rotated; server in child process {})",
            sizes.rounds,
            server.child.id()
        );
        // per_op[w][c][round]
        let mut per_op = vec![vec![Vec::new(); clients.len()]; workloads.len()];
        for round in 0..sizes.rounds {
            for (wi, &w) in workloads.iter().enumerate() {
                let (n, _) = size(w);
                let units = match w {
                    Workload::Download => n as f64 * DOWNLOAD_BYTES as f64 / MIB,
                    _ => n as f64,
                };
                for k in 0..clients.len() {
                    let ci = (k + round) % clients.len();
                    let c = clients[ci];
                    eprintln!("isolated: round {} {} {}", round + 1, c.name(), w.key());
                    per_op[wi][ci].push(cpu(&server, &ca, c, w, n)? / units);
                }
            }
        }
        println!();
        print!("| client |");
        for &w in &workloads {
            print!(" CPU per {} |", size(w).1);
        }
        println!();
        print!("|---|");
        for _ in &workloads {
            print!("---|");
        }
        println!();
        for (ci, &c) in clients.iter().enumerate() {
            print!("| {} |", c.name());
            let fi = clients.iter().position(|&k| k == c.floor());
            for row in &per_op {
                match fi {
                    Some(fi) if fi != ci => {
                        let ratios = row[ci].iter().zip(&row[fi]).map(|(v, f)| v / f).collect();
                        print!(" {:.2}x |", median(ratios).unwrap_or(f64::NAN));
                    }
                    _ => {
                        let us = median(row[ci].clone()).unwrap_or(f64::NAN) * 1e6;
                        print!(" {us:.1} µs |");
                    }
                }
            }
            println!();
        }
        println!();
        println!(
            "(x) = median over rounds of (client / raw floor of the same runtime, same round)"
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting
// ---------------------------------------------------------------------------------------------

/// utime + stime of this process, all threads (live and exited), in seconds.
fn process_cpu_secs() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    secs: f64,
    client_cpu: f64,
    server_cpu: f64,
    /// Requests (or connections) completed.
    requests: usize,
    /// Payload bytes moved (body bytes downloaded or uploaded).
    bytes: u64,
    /// Connections the server accepted during the measurement.
    conns: u64,
    /// TLS handshakes the server saw resumed during the measurement.
    resumed: u64,
}

struct ServerStats {
    accepted: u64,
    resumed: u64,
    cpu_secs: f64,
}

struct Meter {
    http_port: u16,
}

impl Meter {
    /// The server's counters (its connection for this query included) and CPU time.
    fn server_stats(&self) -> Res<ServerStats> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.http_port))?;
        s.write_all(b"GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut text = String::new();
        s.read_to_string(&mut text)?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .ok_or_else(|| format!("bad /stats answer {text:?}"))?;
        let mut it = body.split_whitespace();
        let mut next = || it.next().ok_or_else(|| format!("bad /stats body {body:?}"));
        Ok(ServerStats {
            accepted: next()?.parse()?,
            resumed: next()?.parse()?,
            cpu_secs: next()?.parse::<u64>()? as f64 * 1e-9,
        })
    }

    fn measure(&self, f: impl FnOnce() -> Res<(usize, u64)>) -> Res<Sample> {
        let s0 = self.server_stats()?;
        let c0 = process_cpu_secs();
        let t0 = Instant::now();
        let (requests, bytes) = f()?;
        let secs = t0.elapsed().as_secs_f64();
        let c1 = process_cpu_secs();
        let s1 = self.server_stats()?;
        Ok(Sample {
            secs,
            client_cpu: c1 - c0,
            server_cpu: s1.cpu_secs - s0.cpu_secs,
            requests,
            bytes,
            // Less the connection of the second query itself.
            conns: s1.accepted - s0.accepted - 1,
            resumed: s1.resumed - s0.resumed,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The server child process
// ---------------------------------------------------------------------------------------------

struct ServerProc {
    child: Child,
    http_port: u16,
    https_port: u16,
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        // Closing stdin tells the server to exit; kill it if it does not.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `out` when its process exited with success, else an error naming `what` with the
/// process's standard error.
fn succeeded(out: std::process::Output, what: &str) -> Res<std::process::Output> {
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr)).into())
    }
}

/// The arguments of one client process (`--hip-bench-client`, run by
/// `instructions::client_main`) doing `n` operations of `w` against `server`.
fn client_args(
    server: &ServerProc,
    ca: &Path,
    kind: ClientKind,
    w: Workload,
    n: usize,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = ["--hip-bench-client", kind.name(), w.key()]
        .iter()
        .map(Into::into)
        .collect();
    for v in [n, server.http_port.into(), server.https_port.into()] {
        args.push(v.to_string().into());
    }
    args.push(ca.into());
    args
}

fn spawn_server(pki: &TestPki) -> Res<ServerProc> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("--hip-bench-server")
        .arg(pki.server_cert_path(ServerCert::Valid))
        .arg(pki.server_key_path(ServerCert::Valid))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some("PORTS"), Some(h), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        let _ = child.kill();
        return Err(format!("bench server did not start: {line:?}").into());
    };
    Ok(ServerProc {
        http_port: h.parse()?,
        https_port: s.parse()?,
        child,
    })
}

mod server {
    use super::*;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use rustls::pki_types::PrivateKeyDer;

    /// Response bodies: a fixed buffer, or `left` bytes of a repeated chunk.
    pub(super) enum ServerBody {
        Full(Option<Bytes>),
        Repeat { chunk: Bytes, left: u64 },
    }

    impl hyper::body::Body for ServerBody {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            match self.get_mut() {
                ServerBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
                ServerBody::Repeat { chunk, left } => {
                    if *left == 0 {
                        return Poll::Ready(None);
                    }
                    let n = (*left).min(chunk.len() as u64) as usize;
                    *left -= n as u64;
                    Poll::Ready(Some(Ok(Frame::data(chunk.slice(..n)))))
                }
            }
        }

        fn is_end_stream(&self) -> bool {
            match self {
                ServerBody::Full(b) => b.is_none(),
                ServerBody::Repeat { left, .. } => *left == 0,
            }
        }

        fn size_hint(&self) -> SizeHint {
            match self {
                ServerBody::Full(b) => {
                    SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64))
                }
                ServerBody::Repeat { left, .. } => SizeHint::with_exact(*left),
            }
        }
    }

    /// Connections accepted, plain and TLS.
    static ACCEPTED: AtomicU64 = AtomicU64::new(0);
    /// TLS handshakes that resumed a session (the server offers none: always 0).
    static RESUMED: AtomicU64 = AtomicU64::new(0);

    fn text(status: u16, body: impl Into<Bytes>) -> Response<ServerBody> {
        let mut r = Response::new(ServerBody::Full(Some(body.into())));
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
        r
    }

    async fn handle(
        req: Request<Incoming>,
        chunk: Bytes,
    ) -> Result<Response<ServerBody>, Infallible> {
        let path = req.uri().path();
        let method = req.method();
        if method == hyper::Method::GET && path == "/small" {
            return Ok(text(200, Bytes::from_static(SMALL_BODY)));
        }
        if method == hyper::Method::GET && path == "/stats" {
            let cpu = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
            let cpu_ns = cpu.tv_sec as u64 * 1_000_000_000 + cpu.tv_nsec as u64;
            return Ok(text(
                200,
                format!(
                    "{} {} {cpu_ns}",
                    ACCEPTED.load(Ordering::SeqCst),
                    RESUMED.load(Ordering::SeqCst)
                ),
            ));
        }
        if method == hyper::Method::GET {
            if let Some(n) = path
                .strip_prefix("/big/")
                .and_then(|n| n.parse::<u64>().ok())
            {
                return Ok(Response::new(ServerBody::Repeat { chunk, left: n }));
            }
        }
        if method == hyper::Method::POST && path == "/upload" {
            let mut body = req.into_body();
            let mut n: u64 = 0;
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(f) => {
                        if let Some(d) = f.data_ref() {
                            n += d.len() as u64;
                        }
                    }
                    Err(e) => return Ok(text(400, format!("body error: {e}"))),
                }
            }
            return Ok(text(200, n.to_string()));
        }
        Ok(text(404, "not found"))
    }

    pub(super) fn main(args: &[String]) -> Res<()> {
        let [cert, key, ..] = args else {
            return Err("usage: --hip-bench-server CERT.pem KEY.pem".into());
        };
        let certs = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_file(key)?;
        let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
        // Full handshakes for every client: no session IDs or stateful TLS 1.3 tickets (no
        // storage), no TLS 1.3 tickets sent, and no stateless tickets (the default ticketer
        // issues none).
        tls.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        tls.send_tls13_tickets = 0;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        // Exit when the parent closes our stdin (or dies).
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            std::process::exit(0);
        });

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let http = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let https = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!(
                "PORTS {} {}",
                http.local_addr()?.port(),
                https.local_addr()?.port()
            );
            std::io::stdout().flush()?;
            let chunk = Bytes::from((0..CHUNK).map(|i| (i % 251) as u8).collect::<Vec<u8>>());

            let plain_chunk = chunk.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = http.accept().await else {
                        continue;
                    };
                    ACCEPTED.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.set_nodelay(true);
                    let chunk = plain_chunk.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| handle(req, chunk.clone()));
                        let _ = http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            });

            loop {
                let Ok((stream, _)) = https.accept().await else {
                    continue;
                };
                ACCEPTED.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let chunk = chunk.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed) {
                        RESUMED.fetch_add(1, Ordering::SeqCst);
                    }
                    let svc = service_fn(move |req| handle(req, chunk.clone()));
                    // One request per connection: the server answers `Connection: close`.
                    let _ = http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
            #[allow(unreachable_code)]
            Ok::<(), BoxError>(())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Shared setup
// ---------------------------------------------------------------------------------------------

/// A request target: the URL for the clients, the address and a preformatted head for the
/// raw floors.
#[derive(Clone)]
struct Target {
    url: String,
    addr: SocketAddr,
    tls: bool,
    head: Vec<u8>,
}

impl Target {
    fn new(port: u16, tls: bool, method: &str, path: &str, body_len: Option<usize>) -> Target {
        let scheme = if tls { "https" } else { "http" };
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
        if let Some(n) = body_len {
            head.push_str(&format!("Content-Length: {n}\r\n"));
        }
        head.push_str("\r\n");
        Target {
            url: format!("{scheme}://127.0.0.1:{port}{path}"),
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            tls,
            head: head.into_bytes(),
        }
    }
}

struct Setup {
    small: Target,
    big: Target,
    /// A 1 MiB download, for warm-ups.
    warm_big: Target,
    upload: Target,
    tls_small: Target,
    download_bytes: u64,
    ca_der: Vec<u8>,
    /// The one rustls client config (ring, the bench CA as the only root, no resumption).
    tls: Arc<rustls::ClientConfig>,
    payload: Bytes,
}

impl Setup {
    fn new(
        http_port: u16,
        https_port: u16,
        ca_pem: &Path,
        download_bytes: u64,
        post_bytes: usize,
    ) -> Res<Setup> {
        let ca_der = CertificateDer::from_pem_file(ca_pem)?.to_vec();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(ca_der.clone()))?;
        let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        tls.resumption = rustls::client::Resumption::disabled();
        let payload: Vec<u8> = (0..post_bytes).map(|i| (i % 253) as u8).collect();
        Ok(Setup {
            small: Target::new(http_port, false, "GET", "/small", None),
            big: Target::new(
                http_port,
                false,
                "GET",
                &format!("/big/{download_bytes}"),
                None,
            ),
            warm_big: Target::new(http_port, false, "GET", &format!("/big/{}", 1 << 20), None),
            upload: Target::new(http_port, false, "POST", "/upload", Some(post_bytes)),
            tls_small: Target::new(https_port, true, "GET", "/small", None),
            download_bytes,
            ca_der,
            tls: Arc::new(tls),
            payload: Bytes::from(payload),
        })
    }
}

fn check_status(status: u16, url: &str) -> Res<()> {
    if status == 200 {
        Ok(())
    } else {
        Err(format!("{url:?} answered {status}").into())
    }
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Res<()> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}").into())
    }
}

fn parse_count(text: &[u8]) -> Res<u64> {
    Ok(std::str::from_utf8(text)?.trim().parse()?)
}

// ---------------------------------------------------------------------------------------------
// The raw floors
// ---------------------------------------------------------------------------------------------

mod raw {
    use super::*;
    use std::io::IoSlice;
    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

    fn server_name() -> ServerName<'static> {
        ServerName::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST).into())
    }

    /// The end of the response head (after its blank line) in `buf`, if it is all there.
    fn head_end(buf: &[u8]) -> Option<usize> {
        buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
    }

    /// Status and Content-Length of a response head (the bench server always sends one).
    fn parse_head(head: &[u8]) -> Res<(u16, u64)> {
        if !head.starts_with(b"HTTP/1.1 ") {
            return Err(format!("bad status line in {:?}", String::from_utf8_lossy(head)).into());
        }
        let status: u16 = std::str::from_utf8(&head[9..12])?.parse()?;
        const CL: &[u8] = b"content-length:";
        for line in head.split(|&b| b == b'\n') {
            if line.len() > CL.len() && line[..CL.len()].eq_ignore_ascii_case(CL) {
                return Ok((status, parse_count(&line[CL.len()..])?));
            }
        }
        Err("response without Content-Length".into())
    }

    /// A connection's read buffer: bytes `start..end` are read and not yet consumed.
    struct Buf {
        data: Box<[u8]>,
        start: usize,
        end: usize,
    }

    impl Buf {
        fn new(cap: usize) -> Buf {
            Buf {
                data: vec![0; cap].into_boxed_slice(),
                start: 0,
                end: 0,
            }
        }

        /// The head, if complete: consumes it and returns status and Content-Length.
        /// Otherwise makes room at the end of the buffer for the next read.
        fn take_head(&mut self) -> Res<Option<(u16, u64)>> {
            if let Some(n) = head_end(&self.data[self.start..self.end]) {
                let r = parse_head(&self.data[self.start..self.start + n])?;
                self.start += n;
                return Ok(Some(r));
            }
            if self.end == self.data.len() {
                if self.start == 0 {
                    return Err("response head larger than the buffer".into());
                }
                self.data.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            Ok(None)
        }

        /// Hands the buffered body bytes (up to `left`) to `sink`; returns how many.
        fn take_body(&mut self, left: u64, sink: &mut impl FnMut(&[u8])) -> u64 {
            let n = (self.end - self.start).min(usize::try_from(left).unwrap_or(usize::MAX));
            if n > 0 {
                sink(&self.data[self.start..self.start + n]);
                self.start += n;
            }
            if self.start == self.end {
                self.start = 0;
                self.end = 0;
            }
            n as u64
        }

        /// Room for a body read that stops at the body's end (the buffer is empty then).
        fn body_room(&mut self, left: u64) -> &mut [u8] {
            let want = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(self.data.len());
            &mut self.data[..want]
        }
    }

    /// Moves past `n` bytes written from `head`, then `body` (head and body go out in one
    /// `writev` where the socket takes them).
    fn advance(head: &mut &[u8], body: &mut &[u8], n: usize) -> Res<()> {
        if n == 0 {
            return Err("the connection accepted no bytes".into());
        }
        if n < head.len() {
            *head = &head[n..];
        } else {
            *body = &body[n - head.len()..];
            *head = &[];
        }
        Ok(())
    }

    /// One async HTTP/1.1 connection.
    pub(super) struct AsyncConn<S> {
        io: S,
        buf: Buf,
    }

    impl<S: AsyncRead + AsyncWrite + Unpin> AsyncConn<S> {
        fn new(io: S, cap: usize) -> Self {
            AsyncConn {
                io,
                buf: Buf::new(cap),
            }
        }

        /// Sends `head` and `body`, reads the response, passes its body to `sink`.
        async fn exchange(
            &mut self,
            head: &[u8],
            body: &[u8],
            mut sink: impl FnMut(&[u8]),
        ) -> Res<(u16, u64)> {
            let (mut head, mut body) = (head, body);
            while !head.is_empty() {
                let bufs = [IoSlice::new(head), IoSlice::new(body)];
                let n = self.io.write_vectored(&bufs).await?;
                advance(&mut head, &mut body, n)?;
            }
            if !body.is_empty() {
                self.io.write_all(body).await?;
            }
            self.io.flush().await?;
            let (status, len) = loop {
                if let Some(r) = self.buf.take_head()? {
                    break r;
                }
                let b = &mut self.buf;
                let n = self.io.read(&mut b.data[b.end..]).await?;
                if n == 0 {
                    return Err("connection closed before the response head".into());
                }
                b.end += n;
            };
            let mut left = len - self.buf.take_body(len, &mut sink);
            while left > 0 {
                let room = self.buf.body_room(left);
                let n = self.io.read(room).await?;
                if n == 0 {
                    return Err("connection closed in the response body".into());
                }
                sink(&room[..n]);
                left -= n as u64;
            }
            Ok((status, len))
        }
    }

    /// One blocking HTTP/1.1 connection.
    pub(super) struct SyncConn<S> {
        io: S,
        buf: Buf,
    }

    impl<S: Read + Write> SyncConn<S> {
        fn new(io: S, cap: usize) -> Self {
            SyncConn {
                io,
                buf: Buf::new(cap),
            }
        }

        /// Sends `head` and `body`, reads the response, passes its body to `sink`.
        fn exchange(
            &mut self,
            head: &[u8],
            body: &[u8],
            mut sink: impl FnMut(&[u8]),
        ) -> Res<(u16, u64)> {
            let (mut head, mut body) = (head, body);
            while !head.is_empty() {
                let n = self
                    .io
                    .write_vectored(&[IoSlice::new(head), IoSlice::new(body)])?;
                advance(&mut head, &mut body, n)?;
            }
            if !body.is_empty() {
                self.io.write_all(body)?;
            }
            self.io.flush()?;
            let (status, len) = loop {
                if let Some(r) = self.buf.take_head()? {
                    break r;
                }
                let b = &mut self.buf;
                let n = self.io.read(&mut b.data[b.end..])?;
                if n == 0 {
                    return Err("connection closed before the response head".into());
                }
                b.end += n;
            };
            let mut left = len - self.buf.take_body(len, &mut sink);
            while left > 0 {
                let room = self.buf.body_room(left);
                let n = self.io.read(room)?;
                if n == 0 {
                    return Err("connection closed in the response body".into());
                }
                sink(&room[..n]);
                left -= n as u64;
            }
            Ok((status, len))
        }
    }

    type Idle<C> = Arc<Mutex<Vec<C>>>;

    fn pop<C>(idle: &Idle<C>) -> Option<C> {
        idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn push<C>(idle: &Idle<C>, c: C) {
        idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
    }

    /// The async floor. A clone is another worker: it takes its own connection from the free
    /// list (or opens one) and gives it back when dropped. TLS targets get a new connection
    /// (and a full handshake) every request.
    pub(super) struct AsyncClient {
        tls: tokio_rustls::TlsConnector,
        idle: Idle<AsyncConn<tokio::net::TcpStream>>,
        conn: Option<AsyncConn<tokio::net::TcpStream>>,
    }

    impl Clone for AsyncClient {
        fn clone(&self) -> Self {
            AsyncClient {
                tls: self.tls.clone(),
                idle: self.idle.clone(),
                conn: None,
            }
        }
    }

    impl Drop for AsyncClient {
        fn drop(&mut self) {
            if let Some(c) = self.conn.take() {
                push(&self.idle, c);
            }
        }
    }

    impl AsyncClient {
        pub(super) fn new(tls: Arc<rustls::ClientConfig>) -> Self {
            AsyncClient {
                tls: tokio_rustls::TlsConnector::from(tls),
                idle: Arc::default(),
                conn: None,
            }
        }

        pub(super) async fn request(
            &mut self,
            t: &Target,
            body: &[u8],
            sink: impl FnMut(&[u8]),
        ) -> Res<(u16, u64)> {
            if t.tls {
                let tcp = tokio::net::TcpStream::connect(t.addr).await?;
                tcp.set_nodelay(true)?;
                let tls = self.tls.connect(server_name(), tcp).await?;
                return AsyncConn::new(tls, TLS_BUF)
                    .exchange(&t.head, body, sink)
                    .await;
            }
            let mut conn = match self.conn.take().or_else(|| pop(&self.idle)) {
                Some(c) => c,
                None => {
                    let tcp = tokio::net::TcpStream::connect(t.addr).await?;
                    tcp.set_nodelay(true)?;
                    AsyncConn::new(tcp, RAW_BUF)
                }
            };
            let r = conn.exchange(&t.head, body, sink).await?;
            self.conn = Some(conn);
            Ok(r)
        }
    }

    /// The blocking floor, as [`AsyncClient`] on std's `TcpStream` and rustls' `StreamOwned`.
    pub(super) struct BlockingClient {
        tls: Arc<rustls::ClientConfig>,
        idle: Idle<SyncConn<std::net::TcpStream>>,
        conn: Option<SyncConn<std::net::TcpStream>>,
    }

    impl Clone for BlockingClient {
        fn clone(&self) -> Self {
            BlockingClient {
                tls: self.tls.clone(),
                idle: self.idle.clone(),
                conn: None,
            }
        }
    }

    impl Drop for BlockingClient {
        fn drop(&mut self) {
            if let Some(c) = self.conn.take() {
                push(&self.idle, c);
            }
        }
    }

    impl BlockingClient {
        pub(super) fn new(tls: Arc<rustls::ClientConfig>) -> Self {
            BlockingClient {
                tls,
                idle: Arc::default(),
                conn: None,
            }
        }

        pub(super) fn request(
            &mut self,
            t: &Target,
            body: &[u8],
            sink: impl FnMut(&[u8]),
        ) -> Res<(u16, u64)> {
            if t.tls {
                let tcp = std::net::TcpStream::connect(t.addr)?;
                tcp.set_nodelay(true)?;
                let conn = rustls::ClientConnection::new(self.tls.clone(), server_name())?;
                let tls = rustls::StreamOwned::new(conn, tcp);
                return SyncConn::new(tls, TLS_BUF).exchange(&t.head, body, sink);
            }
            let mut conn = match self.conn.take().or_else(|| pop(&self.idle)) {
                Some(c) => c,
                None => {
                    let tcp = std::net::TcpStream::connect(t.addr)?;
                    tcp.set_nodelay(true)?;
                    SyncConn::new(tcp, RAW_BUF)
                }
            };
            let r = conn.exchange(&t.head, body, sink)?;
            self.conn = Some(conn);
            Ok(r)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Async clients
// ---------------------------------------------------------------------------------------------

type HyperClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// The async clients. Clones share the client's pool (the raw floor's clones share its free
/// list of connections).
#[derive(Clone)]
enum AsyncClient {
    Raw(raw::AsyncClient),
    Hip(hip::AsyncPoolManager),
    Reqwest(reqwest::Client),
    Hyper(HyperClient),
}

impl AsyncClient {
    fn new(kind: ClientKind, setup: &Setup) -> Res<AsyncClient> {
        Ok(match kind {
            ClientKind::RawAsync => AsyncClient::Raw(raw::AsyncClient::new(setup.tls.clone())),
            ClientKind::HipAsync => AsyncClient::Hip(
                hip::AsyncPoolManager::builder()
                    .maxsize(ASYNC_TASKS)
                    .ssl_context(setup.tls.clone())
                    .build()?,
            ),
            ClientKind::ReqwestAsync => AsyncClient::Reqwest(
                reqwest::Client::builder()
                    .no_proxy()
                    .tcp_nodelay(true)
                    .tls_backend_preconfigured((*setup.tls).clone())
                    .build()?,
            ),
            ClientKind::HyperUtil => {
                let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
                http.set_nodelay(true);
                http.enforce_http(false);
                let https = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config((*setup.tls).clone())
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(http);
                AsyncClient::Hyper(
                    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(https),
                )
            }
            other => return Err(format!("{} is not an async client", other.name()).into()),
        })
    }

    /// GET returning the body length.
    async fn get(&mut self, t: &Target) -> Res<usize> {
        let url = t.url.as_str();
        match self {
            AsyncClient::Raw(c) => {
                let (status, len) = c.request(t, &[], |_| {}).await?;
                check_status(status, url)?;
                Ok(len as usize)
            }
            AsyncClient::Hip(h) => {
                let r = h.request("GET", url).send().await?;
                check_status(r.status(), url)?;
                Ok(r.data().len())
            }
            AsyncClient::Reqwest(c) => {
                let r = c.get(url).send().await?;
                check_status(r.status().as_u16(), url)?;
                Ok(r.bytes().await?.len())
            }
            AsyncClient::Hyper(c) => {
                let req = Request::get(url).body(Full::new(Bytes::new()))?;
                let r = c.request(req).await?;
                check_status(r.status().as_u16(), url)?;
                Ok(r.into_body().collect().await?.to_bytes().len())
            }
        }
    }

    /// Streams a GET body in chunks, returning the byte count.
    async fn download(&mut self, t: &Target) -> Res<u64> {
        let url = t.url.as_str();
        let mut n = 0u64;
        match self {
            AsyncClient::Raw(c) => {
                let (status, _) = c.request(t, &[], |b| n += b.len() as u64).await?;
                check_status(status, url)?;
            }
            AsyncClient::Hip(h) => {
                let mut r = h.request("GET", url).preload_content(false).send().await?;
                check_status(r.status(), url)?;
                let mut s = std::pin::pin!(r.stream(CHUNK));
                while let Some(c) = s.next().await {
                    n += c?.len() as u64;
                }
            }
            AsyncClient::Reqwest(c) => {
                let mut r = c.get(url).send().await?;
                check_status(r.status().as_u16(), url)?;
                while let Some(c) = r.chunk().await? {
                    n += c.len() as u64;
                }
            }
            AsyncClient::Hyper(c) => {
                let req = Request::get(url).body(Full::new(Bytes::new()))?;
                let r = c.request(req).await?;
                check_status(r.status().as_u16(), url)?;
                let mut body = r.into_body();
                while let Some(f) = body.frame().await {
                    if let Some(d) = f?.data_ref() {
                        n += d.len() as u64;
                    }
                }
            }
        }
        Ok(n)
    }

    /// POSTs `body`, returning the byte count the server says it received.
    async fn post(&mut self, t: &Target, body: &Bytes) -> Res<u64> {
        let url = t.url.as_str();
        let text: Bytes = match self {
            AsyncClient::Raw(c) => {
                let mut text = Vec::new();
                let (status, _) = c.request(t, body, |b| text.extend_from_slice(b)).await?;
                check_status(status, url)?;
                Bytes::from(text)
            }
            AsyncClient::Hip(h) => {
                let r = h.request("POST", url).body(body.clone()).send().await?;
                check_status(r.status(), url)?;
                r.data().clone()
            }
            AsyncClient::Reqwest(c) => {
                let r = c.post(url).body(body.clone()).send().await?;
                check_status(r.status().as_u16(), url)?;
                r.bytes().await?
            }
            AsyncClient::Hyper(c) => {
                let req = Request::post(url).body(Full::new(body.clone()))?;
                let r = c.request(req).await?;
                check_status(r.status().as_u16(), url)?;
                r.into_body().collect().await?.to_bytes()
            }
        };
        parse_count(&text)
    }
}

/// `n` operations of workload `w`, returning (operations, payload bytes). The concurrent
/// workload spawns its tasks on the runtime this runs on.
async fn async_ops(c: &mut AsyncClient, s: &Setup, w: Workload, n: usize) -> Res<(usize, u64)> {
    match w {
        Workload::Seq | Workload::Tls => {
            let t = if w == Workload::Tls {
                &s.tls_small
            } else {
                &s.small
            };
            for _ in 0..n {
                expect_eq(c.get(t).await?, SMALL_BODY.len(), "small body length")?;
            }
            Ok((n, 0))
        }
        Workload::Conc => {
            let next = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::with_capacity(ASYNC_TASKS);
            for _ in 0..ASYNC_TASKS {
                let (mut c, next, t) = (c.clone(), next.clone(), s.small.clone());
                tasks.push(tokio::spawn(async move {
                    while next.fetch_add(1, Ordering::Relaxed) < n {
                        expect_eq(c.get(&t).await?, SMALL_BODY.len(), "small body length")?;
                    }
                    Ok::<(), BoxError>(())
                }));
            }
            for t in tasks {
                t.await??;
            }
            Ok((n, 0))
        }
        Workload::Download => {
            for _ in 0..n {
                expect_eq(
                    c.download(&s.big).await?,
                    s.download_bytes,
                    "downloaded bytes",
                )?;
            }
            Ok((n, n as u64 * s.download_bytes))
        }
        Workload::Post => {
            for _ in 0..n {
                let got = c.post(&s.upload, &s.payload).await?;
                expect_eq(got, s.payload.len() as u64, "uploaded bytes")?;
            }
            Ok((n, (n * s.payload.len()) as u64))
        }
    }
}

/// Warms a client up for workload `w`: connections open, lazy state built.
async fn async_warm(c: &mut AsyncClient, s: &Setup, w: Workload) -> Res<()> {
    match w {
        Workload::Seq => async_ops(c, s, w, 200).await.map(drop),
        Workload::Conc => async_ops(c, s, w, ASYNC_TASKS * 8).await.map(drop),
        Workload::Download => c.download(&s.warm_big).await.map(drop),
        Workload::Post | Workload::Tls => async_ops(c, s, w, 1).await.map(drop),
    }
}

// ---------------------------------------------------------------------------------------------
// Blocking clients
// ---------------------------------------------------------------------------------------------

/// The blocking clients. Clones share the client's pool.
#[derive(Clone)]
enum BlockingClient {
    Raw(raw::BlockingClient),
    #[cfg(feature = "blocking")]
    Hip(hip::PoolManager),
    Ureq(ureq::Agent),
    Reqwest(reqwest::blocking::Client),
}

impl BlockingClient {
    fn new(kind: ClientKind, setup: &Setup) -> Res<BlockingClient> {
        Ok(match kind {
            ClientKind::RawBlocking => {
                BlockingClient::Raw(raw::BlockingClient::new(setup.tls.clone()))
            }
            #[cfg(feature = "blocking")]
            ClientKind::HipBlocking => BlockingClient::Hip(
                hip::PoolManager::builder()
                    .maxsize(BLOCKING_THREADS)
                    .ssl_context(setup.tls.clone())
                    .build()?,
            ),
            ClientKind::Ureq => {
                use ureq::tls::{Certificate, RootCerts, TlsConfig};
                let roots =
                    RootCerts::Specific(Arc::new(vec![
                        Certificate::from_der(&setup.ca_der).to_owned()
                    ]));
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .proxy(None)
                    .no_delay(true)
                    .http_status_as_error(false)
                    .max_idle_connections(2 * BLOCKING_THREADS)
                    .max_idle_connections_per_host(2 * BLOCKING_THREADS)
                    .tls_config(TlsConfig::builder().root_certs(roots).build())
                    .build()
                    .into();
                BlockingClient::Ureq(agent)
            }
            ClientKind::ReqwestBlocking => BlockingClient::Reqwest(
                reqwest::blocking::Client::builder()
                    .no_proxy()
                    .tcp_nodelay(true)
                    .timeout(None)
                    .tls_backend_preconfigured((*setup.tls).clone())
                    .build()?,
            ),
            other => return Err(format!("{} is not a blocking client", other.name()).into()),
        })
    }

    fn get(&mut self, t: &Target) -> Res<usize> {
        let url = t.url.as_str();
        match self {
            BlockingClient::Raw(c) => {
                let (status, len) = c.request(t, &[], |_| {})?;
                check_status(status, url)?;
                Ok(len as usize)
            }
            #[cfg(feature = "blocking")]
            BlockingClient::Hip(h) => {
                let r = h.request("GET", url).send()?;
                check_status(r.status(), url)?;
                Ok(r.data().len())
            }
            BlockingClient::Ureq(a) => {
                let mut r = a.get(url).call()?;
                check_status(r.status().as_u16(), url)?;
                Ok(r.body_mut().read_to_vec()?.len())
            }
            BlockingClient::Reqwest(c) => {
                let r = c.get(url).send()?;
                check_status(r.status().as_u16(), url)?;
                Ok(r.bytes()?.len())
            }
        }
    }

    /// Streams a GET body: `io::copy` into `io::sink()`, or the raw floor's reads.
    fn download(&mut self, t: &Target) -> Res<u64> {
        let url = t.url.as_str();
        let mut sink = std::io::sink();
        Ok(match self {
            BlockingClient::Raw(c) => {
                let mut n = 0u64;
                let (status, _) = c.request(t, &[], |b| n += b.len() as u64)?;
                check_status(status, url)?;
                n
            }
            #[cfg(feature = "blocking")]
            BlockingClient::Hip(h) => {
                let mut r = h.request("GET", url).preload_content(false).send()?;
                check_status(r.status(), url)?;
                if env_flag("HIP_BENCH_COPY_TO") {
                    r.copy_to(&mut sink)?
                } else {
                    std::io::copy(&mut r, &mut sink)?
                }
            }
            BlockingClient::Ureq(a) => {
                let mut r = a.get(url).call()?;
                check_status(r.status().as_u16(), url)?;
                std::io::copy(&mut r.body_mut().as_reader(), &mut sink)?
            }
            BlockingClient::Reqwest(c) => {
                let mut r = c.get(url).send()?;
                check_status(r.status().as_u16(), url)?;
                std::io::copy(&mut r, &mut sink)?
            }
        })
    }

    fn post(&mut self, t: &Target, body: &Bytes) -> Res<u64> {
        let url = t.url.as_str();
        let text: Vec<u8> = match self {
            BlockingClient::Raw(c) => {
                let mut text = Vec::new();
                let (status, _) = c.request(t, body, |b| text.extend_from_slice(b))?;
                check_status(status, url)?;
                text
            }
            #[cfg(feature = "blocking")]
            BlockingClient::Hip(h) => {
                let r = h.request("POST", url).body(body.clone()).send()?;
                check_status(r.status(), url)?;
                r.data().to_vec()
            }
            BlockingClient::Ureq(a) => {
                let mut r = a.post(url).send(&body[..])?;
                check_status(r.status().as_u16(), url)?;
                r.body_mut().read_to_vec()?
            }
            BlockingClient::Reqwest(c) => {
                let r = c.post(url).body(body.clone()).send()?;
                check_status(r.status().as_u16(), url)?;
                r.bytes()?.to_vec()
            }
        };
        parse_count(&text)
    }
}

/// `n` operations of workload `w`, returning (operations, payload bytes).
fn blocking_ops(c: &mut BlockingClient, s: &Setup, w: Workload, n: usize) -> Res<(usize, u64)> {
    match w {
        Workload::Seq | Workload::Tls => {
            let t = if w == Workload::Tls {
                &s.tls_small
            } else {
                &s.small
            };
            for _ in 0..n {
                expect_eq(c.get(t)?, SMALL_BODY.len(), "small body length")?;
            }
            Ok((n, 0))
        }
        Workload::Conc => {
            let next = AtomicUsize::new(0);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..BLOCKING_THREADS)
                    .map(|_| {
                        let mut c = c.clone();
                        let next = &next;
                        scope.spawn(move || -> Res<()> {
                            while next.fetch_add(1, Ordering::Relaxed) < n {
                                expect_eq(c.get(&s.small)?, SMALL_BODY.len(), "small body length")?;
                            }
                            Ok(())
                        })
                    })
                    .collect();
                for h in handles {
                    h.join().map_err(|_| "a bench thread panicked")??;
                }
                Ok::<(), BoxError>(())
            })?;
            Ok((n, 0))
        }
        Workload::Download => {
            for _ in 0..n {
                expect_eq(c.download(&s.big)?, s.download_bytes, "downloaded bytes")?;
            }
            Ok((n, n as u64 * s.download_bytes))
        }
        Workload::Post => {
            for _ in 0..n {
                let got = c.post(&s.upload, &s.payload)?;
                expect_eq(got, s.payload.len() as u64, "uploaded bytes")?;
            }
            Ok((n, (n * s.payload.len()) as u64))
        }
    }
}

fn blocking_warm(c: &mut BlockingClient, s: &Setup, w: Workload) -> Res<()> {
    match w {
        Workload::Seq => blocking_ops(c, s, w, 200).map(drop),
        Workload::Conc => blocking_ops(c, s, w, BLOCKING_THREADS * 16).map(drop),
        Workload::Download => c.download(&s.warm_big).map(drop),
        Workload::Post | Workload::Tls => blocking_ops(c, s, w, 1).map(drop),
    }
}

// ---------------------------------------------------------------------------------------------
// One timed run
// ---------------------------------------------------------------------------------------------

struct Runtimes {
    /// The sequential workloads of every async client.
    current: tokio::runtime::Runtime,
    /// The concurrent workload of every async client.
    multi: tokio::runtime::Runtime,
}

impl Runtimes {
    fn new() -> Res<Runtimes> {
        Ok(Runtimes {
            current: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            multi: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_all()
                .build()?,
        })
    }

    fn for_workload(&self, w: Workload) -> &tokio::runtime::Runtime {
        if w == Workload::Conc {
            &self.multi
        } else {
            &self.current
        }
    }
}

fn ops_of(sizes: &Sizes, w: Workload) -> usize {
    match w {
        Workload::Seq => sizes.seq_requests,
        Workload::Conc => sizes.conc_requests,
        Workload::Download => sizes.download_repeats,
        Workload::Post => sizes.post_requests,
        Workload::Tls => sizes.tls_requests,
    }
}

fn run_once(
    rts: &Runtimes,
    meter: &Meter,
    setup: &Setup,
    sizes: &Sizes,
    kind: ClientKind,
    w: Workload,
) -> Res<Sample> {
    let n = ops_of(sizes, w);
    if kind.is_blocking() {
        let mut c = BlockingClient::new(kind, setup)?;
        blocking_warm(&mut c, setup, w)?;
        let sample = meter.measure(|| blocking_ops(&mut c, setup, w, n))?;
        drop(c);
        Ok(sample)
    } else {
        let rt = rts.for_workload(w);
        let mut c = AsyncClient::new(kind, setup)?;
        rt.block_on(async_warm(&mut c, setup, w))?;
        let sample = meter.measure(|| rt.block_on(async_ops(&mut c, setup, w, n)))?;
        // Drop the client (and its connections) inside the runtime, off the clock, and let
        // its connection tasks end.
        rt.block_on(async move {
            drop(c);
            tokio::time::sleep(Duration::from_millis(20)).await;
        });
        Ok(sample)
    }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

struct Row {
    kind: ClientKind,
    rate: f64,
    rate_min: f64,
    rate_max: f64,
    client_us: f64,
    server_us: f64,
    conns: f64,
    resumed: u64,
    /// Medians of the per-round ratios to the floor of the same runtime.
    rate_x: Option<f64>,
    cpu_x: Option<f64>,
    /// Client + server CPU.
    all_x: Option<f64>,
}

fn rate_of(w: Workload, s: &Sample) -> f64 {
    match w {
        Workload::Download | Workload::Post => s.bytes as f64 / MIB / s.secs,
        _ => s.requests as f64 / s.secs,
    }
}

/// Client CPU per operation (per MiB for the download), in µs.
fn cpu_us_of(w: Workload, s: &Sample) -> f64 {
    let ops = match w {
        Workload::Download => s.bytes as f64 / MIB,
        _ => s.requests as f64,
    };
    s.client_cpu * 1e6 / ops
}

fn summarize(w: Workload, kind: ClientKind, samples: &[Sample], floor: Option<&[Sample]>) -> Row {
    let rates: Vec<f64> = samples.iter().map(|s| rate_of(w, s)).collect();
    let ops = |s: &Sample| match w {
        Workload::Download => s.bytes as f64 / MIB,
        _ => s.requests as f64,
    };
    let per_round = |f: &dyn Fn(&Sample) -> f64| {
        floor.and_then(|fl| median(samples.iter().zip(fl).map(|(s, b)| f(s) / f(b)).collect()))
    };
    Row {
        kind,
        rate: median(rates.clone()).unwrap_or(f64::NAN),
        rate_min: rates.iter().copied().fold(f64::INFINITY, f64::min),
        rate_max: rates.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        client_us: median(samples.iter().map(|s| cpu_us_of(w, s)).collect()).unwrap_or(f64::NAN),
        server_us: median(
            samples
                .iter()
                .map(|s| s.server_cpu * 1e6 / ops(s))
                .collect(),
        )
        .unwrap_or(f64::NAN),
        conns: median(samples.iter().map(|s| s.conns as f64).collect()).unwrap_or(f64::NAN),
        resumed: samples.iter().map(|s| s.resumed).sum(),
        rate_x: per_round(&|s| rate_of(w, s)),
        cpu_x: per_round(&|s| cpu_us_of(w, s)),
        all_x: per_round(&|s| (s.client_cpu + s.server_cpu) / ops(s)),
    }
}

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    if x >= 100.0 {
        // Thousands separators.
        let s = format!("{x:.0}");
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else {
        format!("{x:.1}")
    }
}

fn fmt_x(x: Option<f64>) -> String {
    x.map_or("n/a".to_owned(), |x| format!("{x:.2}x"))
}

fn print_table(w: Workload, sizes: &Sizes, rows: &[Row]) {
    let (rate_unit, op) = w.units();
    println!();
    println!("{} (median of {} rounds)", w.title(sizes), sizes.rounds);
    println!(
        "{:<17} {:>9} {:>17} {:>14} {:>14} {:>6} {:>7} {:>9} {:>9} {:>9}",
        "client",
        rate_unit,
        "min..max",
        format!("client µs/{op}"),
        format!("server µs/{op}"),
        "conns",
        "resumed",
        "rate/raw",
        "cpu/raw",
        "all/raw"
    );
    for r in rows {
        println!(
            "{:<17} {:>9} {:>17} {:>14.1} {:>14.1} {:>6} {:>7} {:>9} {:>9} {:>9}",
            r.kind.name(),
            fmt_num(r.rate),
            format!("{}..{}", fmt_num(r.rate_min), fmt_num(r.rate_max)),
            r.client_us,
            r.server_us,
            fmt_num(r.conns),
            r.resumed,
            fmt_x(r.rate_x),
            fmt_x(r.cpu_x),
            fmt_x(r.all_x)
        );
    }
}

/// The summary as Markdown: one row per workload, one column per client; the floors show
/// their absolute values, the others their ratios to the floor of their runtime.
fn print_summary(workloads: &[Workload], clients: &[ClientKind], rows: &[Vec<Row>]) {
    let header = |title: &str| {
        println!();
        println!("{title}");
        println!();
        print!("| workload |");
        for c in clients {
            print!(" {} |", c.name());
        }
        println!();
        print!("|---|");
        for _ in clients {
            print!("---|");
        }
        println!();
    };
    header("Client CPU per operation: raw floors in µs, the others as x of the floor of their runtime (median of per-round ratios; lower is better)");
    for (wi, w) in workloads.iter().enumerate() {
        let (_, op) = w.units();
        print!("| {} |", w.short());
        for r in &rows[wi] {
            if r.kind.floor() == r.kind {
                print!(" {:.1} µs/{op} |", r.client_us);
            } else {
                print!(" {} |", fmt_x(r.cpu_x));
            }
        }
        println!();
    }
    header("Throughput: raw floors absolute, the others as x of the floor of their runtime (median of per-round ratios; higher is better)");
    for (wi, w) in workloads.iter().enumerate() {
        let (unit, _) = w.units();
        print!("| {} |", w.short());
        for r in &rows[wi] {
            if r.kind.floor() == r.kind {
                print!(" {} {unit} |", fmt_num(r.rate));
            } else {
                print!(" {} |", fmt_x(r.rate_x));
            }
        }
        println!();
    }
}

// ---------------------------------------------------------------------------------------------
// The wall-clock mode
// ---------------------------------------------------------------------------------------------

fn run() -> Res<()> {
    let sizes = Sizes::from_env()?;
    let pki = TestPki::new();
    let server = spawn_server(&pki)?;
    let meter = Meter {
        http_port: server.http_port,
    };
    let setup = Setup::new(
        server.http_port,
        server.https_port,
        &pki.ca_bundle_path(),
        sizes.download_bytes,
        sizes.post_bytes,
    )?;
    let rts = Runtimes::new()?;
    let clients = selected_clients();
    let workloads = selected_workloads(&WORKLOADS);

    println!(
        "hip compare bench: {} mode, {} interleaved rounds (each runs every client once per workload, the client order rotated by one each round), {} CPUs, server in child process {}",
        if sizes.quick { "QUICK" } else { "full" },
        sizes.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        server.child.id()
    );
    println!(
        "clients: {}{}",
        clients
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", "),
        if cfg!(feature = "blocking") {
            ""
        } else {
            " (hip-blocking: off, hip's `blocking` feature is disabled)"
        }
    );
    println!(
        "runtimes: every async client on one current-thread runtime (seq, download, post, tls) and one {WORKERS}-worker multi-thread runtime (conc); blocking clients on the calling thread(s)"
    );
    println!(
        "floors: raw-async = keep-alive HTTP/1.1 over tokio TcpStream (tokio-rustls for TLS), raw-blocking = the same over std TcpStream (rustls StreamOwned); both parse only status and Content-Length"
    );
    println!(
        "CPU = utime+stime of the client process (all threads) or of the server process, per op; rate/raw, cpu/raw (client CPU) and all/raw (client + server CPU) = median over rounds of (client / raw floor of the same runtime, same round)"
    );
    if workloads.contains(&Workload::Tls) {
        println!("TLS: the server keeps no sessions and sends no tickets, and closes each connection after one response; `resumed` = resumed handshakes it saw; client-side resumption:");
        for c in &clients {
            println!("  {:<17} {}", c.name(), c.resumption());
        }
    }

    // samples[w][c], one per round.
    let mut samples: Vec<Vec<Vec<Sample>>> = vec![vec![Vec::new(); clients.len()]; workloads.len()];
    for round in 0..sizes.rounds {
        let mut order: Vec<usize> = (0..clients.len()).collect();
        order.rotate_left(round % clients.len().max(1));
        for (wi, &w) in workloads.iter().enumerate() {
            eprintln!(
                "round {}/{}: {} ({})",
                round + 1,
                sizes.rounds,
                w.key(),
                order
                    .iter()
                    .map(|&ci| clients[ci].name())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            for &ci in &order {
                let c = clients[ci];
                let s = run_once(&rts, &meter, &setup, &sizes, c, w)
                    .map_err(|e| format!("{} on {}: {e}", c.name(), w.key()))?;
                samples[wi][ci].push(s);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    let mut all_rows = Vec::new();
    for (wi, &w) in workloads.iter().enumerate() {
        let rows: Vec<Row> = clients
            .iter()
            .enumerate()
            .map(|(ci, &c)| {
                let floor = clients
                    .iter()
                    .position(|&k| k == c.floor())
                    .map(|fi| samples[wi][fi].as_slice());
                summarize(w, c, &samples[wi][ci], floor)
            })
            .collect();
        print_table(w, &sizes, &rows);
        all_rows.push(rows);
    }
    print_summary(&workloads, &clients, &all_rows);
    drop(server);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The instructions mode
// ---------------------------------------------------------------------------------------------

mod instructions {
    use super::*;

    /// The workloads of this mode. Not `conc` (valgrind runs one thread at a time), nor
    /// `download`: an async client's instructions per MiB depend on how much each read finds
    /// in the socket, that is on timing (two runs of the raw floor gave 1,500 and 12,000 per
    /// MiB, and I(2N) < I(N) with N = 16 downloads of 16 MiB), so they are not noise-free.
    const WORKLOADS: [Workload; 3] = [Workload::Seq, Workload::Post, Workload::Tls];
    /// Only the warm-up of the download target in `Setup` (unused here).
    const DOWNLOAD_BYTES: u64 = 1 << 20;
    const POST_BYTES: usize = 1 << 20;

    /// N for each workload (the runs do N and 2N operations after one warm-up).
    fn base_n(w: Workload) -> usize {
        match w {
            Workload::Seq => 1_000,
            _ => 20,
        }
    }

    fn unit(w: Workload) -> &'static str {
        match w {
            Workload::Seq => "small GET",
            Workload::Post => "1 MiB POST",
            _ => "new TLS connection",
        }
    }

    /// The child: `--hip-bench-client CLIENT WORKLOAD N HTTP_PORT HTTPS_PORT CA_PEM`.
    pub(super) fn client_main(args: &[String]) -> Res<()> {
        let [kind, w, n, http_port, https_port, ca, ..] = args else {
            return Err(
                "usage: --hip-bench-client CLIENT WORKLOAD N HTTP_PORT HTTPS_PORT CA_PEM".into(),
            );
        };
        let kind = ClientKind::from_name(kind).ok_or_else(|| format!("no client {kind:?}"))?;
        let w = Workload::from_key(w).ok_or_else(|| format!("no workload {w:?}"))?;
        let n: usize = n.parse()?;
        // The copies mode sets the size of its downloads.
        let download_bytes = match std::env::var("HIP_BENCH_DOWNLOAD_BYTES") {
            Ok(v) => v.parse()?,
            Err(_) => DOWNLOAD_BYTES,
        };
        let setup = Setup::new(
            http_port.parse()?,
            https_port.parse()?,
            Path::new(ca),
            download_bytes,
            POST_BYTES,
        )?;
        // The isolated mode reads the CPU time of the n operations from stdout (not read
        // under valgrind, where rustix's vDSO clock crashes).
        let timed = env_flag("HIP_BENCH_PRINT_CPU");
        let clock = || if timed { process_cpu_secs() } else { 0.0 };
        let cpu = if kind.is_blocking() {
            let mut c = BlockingClient::new(kind, &setup)?;
            blocking_ops(&mut c, &setup, w, 1)?;
            let start = clock();
            blocking_ops(&mut c, &setup, w, n)?;
            clock() - start
        } else {
            // As in the wall-clock mode: the concurrent workload on a multi-thread runtime.
            let rt = match w {
                Workload::Conc => tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(WORKERS)
                    .enable_all()
                    .build()?,
                _ => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?,
            };
            let mut c = AsyncClient::new(kind, &setup)?;
            rt.block_on(async_ops(&mut c, &setup, w, 1))?;
            let start = clock();
            rt.block_on(async_ops(&mut c, &setup, w, n))?;
            let cpu = clock() - start;
            rt.block_on(async move { drop(c) });
            cpu
        };
        if timed {
            println!("cpu_secs {cpu}");
        }
        Ok(())
    }

    /// Total instructions of one client process under callgrind.
    fn callgrind(
        dir: &Path,
        server: &ServerProc,
        ca: &Path,
        kind: ClientKind,
        w: Workload,
        n: usize,
    ) -> Res<u64> {
        let out = dir.join(format!("{}-{}-{n}.out", kind.name(), w.key()));
        let run = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(std::env::current_exe()?)
            .args(client_args(server, ca, kind, w, n))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()?;
        succeeded(
            run,
            &format!("{} {} N={n} under callgrind", kind.name(), w.key()),
        )?;
        let text = std::fs::read_to_string(&out)?;
        if std::env::var_os("HIP_BENCH_CALLGRIND_OUT").is_none() {
            let _ = std::fs::remove_file(&out);
        }
        text.lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|v| v.split_whitespace().next())
            .ok_or_else(|| format!("no totals in {}", out.display()))?
            .parse()
            .map_err(Into::into)
    }

    pub(super) fn run() -> Res<()> {
        let version = Command::new("valgrind")
            .arg("--version")
            .output()
            .map_err(|e| format!("the instructions mode needs valgrind: {e}"))?;
        let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        let clients = selected_clients();
        let workloads = selected_workloads(&WORKLOADS);
        if workloads.is_empty() {
            return Err("the instructions mode measures only seq, post and tls".into());
        }
        let pki = TestPki::new();
        let server = spawn_server(&pki)?;
        let ca = pki.ca_bundle_path();
        let keep = std::env::var_os("HIP_BENCH_CALLGRIND_OUT").map(PathBuf::from);
        let dir = keep.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("hip-bench-callgrind-{}", std::process::id()))
        });
        std::fs::create_dir_all(&dir)?;

        println!(
            "hip compare bench, instructions mode: user-space instructions per operation under {version} --tool=callgrind, client process only (server in child process {}, native)",
            server.child.id()
        );
        println!(
            "per op = (I(2N) - I(N)) / N over two runs of one process each (start, client construction and one warm-up operation cancel); async clients on a current-thread runtime"
        );
        // per_op[w][c]
        let mut per_op: Vec<Vec<f64>> = Vec::new();
        for &w in &workloads {
            let n = base_n(w);
            let mut row = Vec::new();
            for &c in &clients {
                eprintln!("callgrind: {} {} N={n} and 2N", c.name(), w.key());
                let i1 = callgrind(&dir, &server, &ca, c, w, n)?;
                let i2 = callgrind(&dir, &server, &ca, c, w, 2 * n)?;
                let v = (i2 as f64 - i1 as f64) / n as f64;
                eprintln!("  I(N) = {i1}, I(2N) = {i2}: {v:.0} per {}", unit(w));
                row.push(v);
            }
            per_op.push(row);
        }
        match keep {
            Some(dir) => eprintln!("callgrind files kept in {}", dir.display()),
            None => {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }

        println!();
        print!("| client |");
        for &w in &workloads {
            print!(" per {} (N = {}) |", unit(w), base_n(w));
        }
        println!();
        print!("|---|");
        for _ in &workloads {
            print!("---|");
        }
        println!();
        for (ci, &c) in clients.iter().enumerate() {
            print!("| {} |", c.name());
            let fi = clients.iter().position(|&k| k == c.floor());
            for row in &per_op {
                let v = row[ci];
                match fi.map(|fi| (fi, row[fi])) {
                    Some((fi, f)) if fi != ci && f > 0.0 => {
                        print!(" {} ({:.2}x) |", fmt_num(v), v / f)
                    }
                    _ => print!(" {} |", fmt_num(v)),
                }
            }
            println!();
        }
        println!();
        println!("(x) = of the raw floor of the same runtime: raw-async for async clients, raw-blocking for blocking ones");
        drop(server);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The syscalls-and-copies mode
// ---------------------------------------------------------------------------------------------

mod copies {
    use super::*;

    /// What one client process did over its whole run.
    #[derive(Clone, Copy, Default)]
    struct Counts {
        syscalls: f64,
        /// read, recvfrom, recvmsg, readv.
        reads: f64,
        /// epoll_wait, epoll_pwait, poll, ppoll, futex: waiting and waking.
        waits: f64,
        /// Bytes through memcpy/memmove.
        copied: f64,
    }

    fn mib() -> Res<u64> {
        Ok(match std::env::var("HIP_BENCH_DOWNLOAD_MIB") {
            Ok(v) => v.parse()?,
            Err(_) => 64,
        })
    }

    /// What every run shares: where the files go, the copy counter, the server, its CA,
    /// and the size of a download.
    struct Rig {
        dir: PathBuf,
        lib: PathBuf,
        server: ServerProc,
        ca: PathBuf,
        mib: u64,
    }

    /// `--hip-bench-client CLIENT WORKLOAD N ...` with the download size set.
    fn client(rig: &Rig, kind: ClientKind, w: Workload, n: usize) -> Res<Command> {
        let Rig {
            server, ca, mib, ..
        } = rig;
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(client_args(server, ca, kind, w, n))
            .env("HIP_BENCH_DOWNLOAD_BYTES", (mib << 20).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Ok(cmd)
    }

    /// One run: system calls under `strace -f -c`, then copies under the preloaded counter.
    fn measure(rig: &Rig, kind: ClientKind, w: Workload, n: usize) -> Res<Counts> {
        let Rig { dir, lib, .. } = rig;
        let mut counts = Counts::default();
        let trace = dir.join(format!("{}-{}-{n}.strace", kind.name(), w.key()));
        let inner = client(rig, kind, w, n)?;
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-c", "-o"])
            .arg(&trace)
            .arg(inner.get_program())
            .args(inner.get_args())
            .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        succeeded(cmd.output()?, &format!("{} under strace", kind.name()))?;
        // Rows: % time, seconds, usecs/call, calls, [errors], syscall.
        for line in std::fs::read_to_string(&trace)?.lines() {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(name), Some(calls)) = (cols.last(), cols.get(3)) else {
                continue;
            };
            let Ok(calls) = calls.parse::<f64>() else {
                continue;
            };
            if cols.len() < 5 || *name == "total" {
                continue;
            }
            counts.syscalls += calls;
            match *name {
                "read" | "recvfrom" | "recvmsg" | "readv" => counts.reads += calls,
                "epoll_wait" | "epoll_pwait" | "epoll_pwait2" | "poll" | "ppoll" | "futex" => {
                    counts.waits += calls
                }
                _ => {}
            }
        }
        let copies = dir.join(format!("{}-{}-{n}.copies", kind.name(), w.key()));
        let _ = std::fs::remove_file(&copies);
        let out = client(rig, kind, w, n)?
            .env("LD_PRELOAD", lib)
            .env("HIP_COPYCOUNT_OUT", &copies)
            .output()?;
        succeeded(out, &format!("{} with the copy counter", kind.name()))?;
        let text = std::fs::read_to_string(&copies)?;
        counts.copied = text
            .lines()
            .find_map(|l| l.strip_prefix("copied "))
            .and_then(|v| v.split_whitespace().next())
            .ok_or_else(|| format!("no count in {}", copies.display()))?
            .parse()?;
        Ok(counts)
    }

    pub(super) fn run() -> Res<()> {
        let mib = mib()?;
        let clients = selected_clients();
        let workloads = selected_workloads(&[
            Workload::Download,
            Workload::Seq,
            Workload::Post,
            Workload::Tls,
        ]);
        if workloads.is_empty() {
            return Err("the syscalls mode measures only download, seq, post and tls".into());
        }
        let dir = std::env::temp_dir().join(format!("hip-bench-copies-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let lib = dir.join("libcopycount.so");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/copycount.c");
        let cc = Command::new("cc")
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&lib)
            .arg(&src)
            .arg("-ldl")
            .output()
            .map_err(|e| format!("the copies mode needs a C compiler (cc): {e}"))?;
        succeeded(cc, "cc benches/copycount.c")?;
        let pki = TestPki::new();
        let rig = Rig {
            server: spawn_server(&pki)?,
            ca: pki.ca_bundle_path(),
            dir,
            lib,
            mib,
        };
        println!(
            "hip compare bench, syscalls mode: one process per client and run (server in child process {})",
            rig.server.child.id()
        );
        for w in workloads {
            // A run with no operation (start-up, construction, warm-up) and one with `n`;
            // per unit = difference / units. The baseline's system calls do not depend on
            // timing; how many reads a download takes does, so each run is long.
            let (n, units, unit) = match w {
                Workload::Download => (3, 3 * mib, "MiB"),
                Workload::Post => (200, 200, "1 MiB POST"),
                Workload::Tls => (200, 200, "new TLS connection"),
                _ => (2_000, 2_000, "request"),
            };
            println!();
            match w {
                Workload::Download => println!(
                    "streamed download: per MiB = (run of 3 x {mib} MiB - run of none) / {} MiB",
                    3 * mib
                ),
                Workload::Post => {
                    println!("1 MiB POSTs: per request = (run of 200 - run of none) / 200")
                }
                _ => println!(
                    "sequential small GETs: per request = (run of 2,000 - run of none) / 2,000"
                ),
            }
            let mut rows = Vec::new();
            for &c in &clients {
                eprintln!("syscalls: {} {}, N = 0 and {n}", c.name(), w.key());
                let none = measure(&rig, c, w, 0)?;
                let some = measure(&rig, c, w, n)?;
                let per = |f: fn(&Counts) -> f64| (f(&some) - f(&none)) / units as f64;
                rows.push((
                    c,
                    per(|c| c.syscalls),
                    per(|c| c.reads),
                    per(|c| c.waits),
                    per(|c| c.copied),
                ));
            }
            println!();
            println!("| client | system calls per {unit} | reads | waits (epoll, futex) | bytes copied in user space per {unit} |");
            println!("|---|---|---|---|---|");
            for (c, sys, reads, waits, copied) in rows {
                let share = match w {
                    Workload::Download => format!(" ({:.2}x)", copied / MIB),
                    _ => String::new(),
                };
                println!(
                    "| {} | {sys:.1} | {reads:.1} | {waits:.1} | {}{share} |",
                    c.name(),
                    fmt_num(copied),
                );
            }
        }
        let _ = std::fs::remove_dir_all(&rig.dir);
        Ok(())
    }
}
