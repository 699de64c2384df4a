//! Side-by-side benchmark: hip against reqwest, hyper-util and ureq on the same local servers.
//!
//! Run with `cargo bench --bench compare` (release build, no harness). Environment:
//!
//! - `HIP_BENCH_ROUNDS=N`: repeat every measurement N times and report medians (default 3).
//! - `HIP_BENCH_QUICK=1`: scale the workloads down 10-40 fold (a smoke run of a few seconds).
//! - `HIP_BENCH_CLIENTS=hip-async,ureq`: only these clients (names as printed in the tables).
//! - `HIP_BENCH_WORKLOADS=seq,conc,download,post,tls`: only these workloads.
//!
//! The servers (a hyper HTTP/1.1 server with keep-alive, and the same service behind
//! tokio-rustls with the valid server certificate of the shared test PKI,
//! `hip_test_support::TestPki`) run in a child process: this binary started again with
//! `--hip-bench-server`. They are not the shared test servers: the bench wants the least
//! server work per request (no request log, no routing beyond four paths), a multi-threaded
//! runtime, and the server's CPU time apart from the clients'. So the CPU time of this process is the
//! clients' alone, and the server's CPU time is read from the child's `/proc/<pid>/stat`.
//! CPU times are `utime + stime` from `/proc/.../stat`, in clock ticks (usually 10 ms): the
//! workloads are sized to take at least a few hundred ticks each in the full run. The server
//! also counts the connections it accepts, printed as `conns` per timed run: 0 for the
//! keep-alive workloads (the pools were warmed up first), one per request for the TLS one.
//!
//! Every client gets the same server, the same payloads and comparable settings: a keep-alive
//! pool big enough for the concurrency, TCP_NODELAY, no compression (the server never
//! compresses and no client is built with a decoder that would ask), no proxy, and TLS
//! verification on with the bench CA as the only trusted root, on rustls with ring.
//!
//! The blocking hip client (`hip::PoolManager`) is measured when hip's `blocking` feature is on
//! (it is by default); without it the blocking rows are compared with async hip.

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use hip_test_support::{ServerCert, TestPki};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

/// The body of `GET /small`.
const SMALL_BODY: &[u8] = b"Hello, world!";
/// Chunk size of the download body on the server and of every client's reads.
const CHUNK: usize = 64 * 1024;
/// Tasks (async) and threads (blocking) of the concurrent workload.
const ASYNC_CONCURRENCY: usize = 64;
const BLOCKING_THREADS: usize = 8;
const MIB: f64 = 1024.0 * 1024.0;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--hip-bench-server") {
        if let Err(e) = server::main(&args[2..]) {
            eprintln!("bench server: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(e) = run() {
        eprintln!("compare bench failed: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Sizes {
    quick: bool,
    rounds: usize,
    seq_requests: usize,
    conc_requests: usize,
    download_bytes: u64,
    /// Downloads per measurement (enough CPU ticks to resolve the per-MiB cost).
    download_repeats: usize,
    post_bytes: usize,
    post_requests: usize,
    tls_requests: usize,
}

impl Sizes {
    fn from_env() -> Res<Sizes> {
        let quick = matches!(std::env::var("HIP_BENCH_QUICK").as_deref(), Ok(v) if v != "0" && !v.is_empty());
        let rounds = match std::env::var("HIP_BENCH_ROUNDS") {
            Ok(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("HIP_BENCH_ROUNDS must be a positive integer, got {v:?}"))?,
            Err(_) => 3,
        };
        Ok(if quick {
            Sizes {
                quick,
                rounds,
                seq_requests: 2_000,
                conc_requests: 4_000,
                download_bytes: 32 << 20,
                download_repeats: 1,
                post_bytes: 1 << 20,
                post_requests: 20,
                tls_requests: 50,
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

    fn title(self, s: &Sizes) -> String {
        match self {
            Workload::Seq => format!(
                "1. sequential keep-alive GETs, {}-byte body, {} requests",
                SMALL_BODY.len(),
                s.seq_requests
            ),
            Workload::Conc => format!(
                "2. concurrent keep-alive GETs, {}-byte body, {} requests ({} tasks async / {} threads blocking)",
                SMALL_BODY.len(),
                s.conc_requests,
                ASYNC_CONCURRENCY,
                BLOCKING_THREADS
            ),
            Workload::Download => format!(
                "3. streamed downloads of {} MiB, read in {} KiB chunks, {} per measurement",
                s.download_bytes >> 20,
                CHUNK / 1024,
                s.download_repeats
            ),
            Workload::Post => format!(
                "4. sequential POSTs of {} MiB each, {} requests",
                s.post_bytes >> 20,
                s.post_requests
            ),
            Workload::Tls => format!(
                "5. HTTPS GETs, each on a new connection (server closes), {} requests",
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientKind {
    HipAsync,
    ReqwestAsync,
    HyperUtil,
    HipBlocking,
    Ureq,
    ReqwestBlocking,
}

impl ClientKind {
    fn name(self) -> &'static str {
        match self {
            ClientKind::HipAsync => "hip-async",
            ClientKind::ReqwestAsync => "reqwest",
            ClientKind::HyperUtil => "hyper-util",
            ClientKind::HipBlocking => "hip-blocking",
            ClientKind::Ureq => "ureq",
            ClientKind::ReqwestBlocking => "reqwest-blocking",
        }
    }

    fn is_blocking(self) -> bool {
        matches!(
            self,
            ClientKind::HipBlocking | ClientKind::Ureq | ClientKind::ReqwestBlocking
        )
    }
}

fn all_clients() -> Vec<ClientKind> {
    let mut v = vec![
        ClientKind::HipAsync,
        ClientKind::ReqwestAsync,
        ClientKind::HyperUtil,
    ];
    if cfg!(feature = "blocking") {
        v.push(ClientKind::HipBlocking);
    }
    v.push(ClientKind::Ureq);
    v.push(ClientKind::ReqwestBlocking);
    v
}

fn env_filter(var: &str) -> Option<Vec<String>> {
    std::env::var(var).ok().map(|v| {
        v.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc
// ---------------------------------------------------------------------------------------------

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: &str) -> Res<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| format!("unexpected /proc/{pid}/stat: {stat:?}"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    let utime: u64 = fields.get(11).ok_or("no utime field")?.parse()?;
    let stime: u64 = fields.get(12).ok_or("no stime field")?.parse()?;
    Ok(utime + stime)
}

fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|&t| t > 0.0)
        .unwrap_or(100.0)
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
}

struct Meter {
    server_pid: String,
    http_port: u16,
    tick: f64,
}

impl Meter {
    /// Connections the server has accepted so far (plain and TLS), including this query's.
    fn server_connections(&self) -> Res<u64> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.http_port))?;
        s.write_all(b"GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut text = String::new();
        s.read_to_string(&mut text)?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .ok_or_else(|| format!("bad /stats answer {text:?}"))?;
        Ok(body.trim().parse()?)
    }

    fn measure(&self, f: impl FnOnce() -> Res<(usize, u64)>) -> Res<Sample> {
        let n0 = self.server_connections()?;
        let c0 = cpu_ticks("self")?;
        let s0 = cpu_ticks(&self.server_pid)?;
        let t0 = Instant::now();
        let (requests, bytes) = f()?;
        let secs = t0.elapsed().as_secs_f64();
        let c1 = cpu_ticks("self")?;
        let s1 = cpu_ticks(&self.server_pid)?;
        // Less the connection of the second query itself.
        let conns = self.server_connections()? - n0 - 1;
        Ok(Sample {
            secs,
            client_cpu: (c1 - c0) as f64 / self.tick,
            server_cpu: (s1 - s0) as f64 / self.tick,
            requests,
            bytes,
            conns,
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
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

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

    fn text(status: u16, body: impl Into<Bytes>) -> Response<ServerBody> {
        let mut r = Response::new(ServerBody::Full(Some(body.into())));
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
        r
    }

    async fn handle(
        req: Request<Incoming>,
        chunk: Bytes,
    ) -> Result<Response<ServerBody>, Infallible> {
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        if method == hyper::Method::GET && path == "/stats" {
            return Ok(text(200, ACCEPTED.load(Ordering::SeqCst).to_string()));
        }
        if method == hyper::Method::GET && path == "/small" {
            return Ok(text(200, Bytes::from_static(SMALL_BODY)));
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
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        // Exit when the parent closes our stdin (or dies).
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            std::process::exit(0);
        });

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
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
// Clients
// ---------------------------------------------------------------------------------------------

struct Setup {
    http_base: String,
    https_base: String,
    ca_pem: PathBuf,
    ca_der: Vec<u8>,
    rustls: Arc<rustls::ClientConfig>,
    payload: Bytes,
    payload_static: &'static [u8],
}

fn rustls_config(pki: &TestPki) -> Res<rustls::ClientConfig> {
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(pki.root_store())
    .with_no_client_auth())
}

type HyperClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// The async clients. `HyperConn` is hyper's connection API over tokio-rustls, used for the
/// new-connection HTTPS workload in place of hyper-util's pool (which has no TLS connector
/// without another crate).
#[derive(Clone)]
enum AsyncClient {
    Hip(hip::AsyncPoolManager),
    Reqwest(reqwest::Client),
    Hyper(HyperClient),
    HyperConn(Arc<rustls::ClientConfig>),
}

fn check_status(status: u16, url: &str) -> Res<()> {
    if status == 200 {
        Ok(())
    } else {
        Err(format!("GET {url:?} answered {status}").into())
    }
}

impl AsyncClient {
    fn new(kind: ClientKind, setup: &Setup, tls: bool) -> Res<AsyncClient> {
        Ok(match kind {
            ClientKind::HipAsync => AsyncClient::Hip(
                hip::AsyncPoolManager::builder()
                    .maxsize(ASYNC_CONCURRENCY)
                    .ca_certs(&setup.ca_pem)
                    .build()?,
            ),
            ClientKind::ReqwestAsync => AsyncClient::Reqwest(
                reqwest::Client::builder()
                    .no_proxy()
                    .tcp_nodelay(true)
                    .tls_backend_preconfigured((*setup.rustls).clone())
                    .build()?,
            ),
            ClientKind::HyperUtil if tls => AsyncClient::HyperConn(setup.rustls.clone()),
            ClientKind::HyperUtil => {
                let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
                connector.set_nodelay(true);
                AsyncClient::Hyper(
                    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                        .build(connector),
                )
            }
            other => return Err(format!("{} is not an async client", other.name()).into()),
        })
    }

    /// GET returning the body length.
    async fn get(&self, url: &str) -> Res<usize> {
        match self {
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
            AsyncClient::HyperConn(cfg) => {
                let uri: hyper::Uri = url.parse()?;
                let port = uri.port_u16().ok_or("no port")?;
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                tcp.set_nodelay(true)?;
                let name = rustls::pki_types::ServerName::IpAddress(
                    IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
                );
                let tls = tokio_rustls::TlsConnector::from(cfg.clone())
                    .connect(name, tcp)
                    .await?;
                let (mut send, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                let req = Request::get(uri.path())
                    .header(
                        hyper::header::HOST,
                        uri.authority().map_or("", |a| a.as_str()),
                    )
                    .body(Full::new(Bytes::new()))?;
                let r = send.send_request(req).await?;
                check_status(r.status().as_u16(), url)?;
                Ok(r.into_body().collect().await?.to_bytes().len())
            }
        }
    }

    /// Streams a GET body in chunks, returning the byte count.
    async fn download(&self, url: &str) -> Res<u64> {
        let mut n = 0u64;
        match self {
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
            AsyncClient::HyperConn(_) => return Err("HyperConn is for the TLS workload".into()),
        }
        Ok(n)
    }

    /// POSTs `body`, returning the byte count the server says it received.
    async fn post(&self, url: &str, body: Bytes) -> Res<u64> {
        let text: Bytes = match self {
            AsyncClient::Hip(h) => {
                let r = h.request("POST", url).body(body).send().await?;
                check_status(r.status(), url)?;
                r.data().clone()
            }
            AsyncClient::Reqwest(c) => {
                let r = c.post(url).body(body).send().await?;
                check_status(r.status().as_u16(), url)?;
                r.bytes().await?
            }
            AsyncClient::Hyper(c) => {
                let req = Request::post(url).body(Full::new(body))?;
                let r = c.request(req).await?;
                check_status(r.status().as_u16(), url)?;
                r.into_body().collect().await?.to_bytes()
            }
            AsyncClient::HyperConn(_) => return Err("HyperConn is for the TLS workload".into()),
        };
        Ok(std::str::from_utf8(&text)?.trim().parse()?)
    }
}

#[derive(Clone)]
enum BlockingClient {
    #[cfg(feature = "blocking")]
    Hip(hip::PoolManager),
    Ureq(ureq::Agent),
    Reqwest(reqwest::blocking::Client),
}

impl BlockingClient {
    fn new(kind: ClientKind, setup: &Setup) -> Res<BlockingClient> {
        Ok(match kind {
            #[cfg(feature = "blocking")]
            ClientKind::HipBlocking => BlockingClient::Hip(
                hip::PoolManager::builder()
                    .maxsize(BLOCKING_THREADS)
                    .ca_certs(&setup.ca_pem)
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
                    .tls_backend_preconfigured((*setup.rustls).clone())
                    .build()?,
            ),
            other => return Err(format!("{} is not a blocking client", other.name()).into()),
        })
    }

    fn get(&self, url: &str) -> Res<usize> {
        match self {
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

    fn download(&self, url: &str) -> Res<u64> {
        let mut buf = vec![0u8; CHUNK];
        let mut n = 0u64;
        let mut drain = |reader: &mut dyn Read| -> Res<()> {
            loop {
                let k = reader.read(&mut buf)?;
                if k == 0 {
                    return Ok(());
                }
                n += k as u64;
            }
        };
        match self {
            #[cfg(feature = "blocking")]
            BlockingClient::Hip(h) => {
                let mut r = h.request("GET", url).preload_content(false).send()?;
                check_status(r.status(), url)?;
                drain(&mut r)?;
            }
            BlockingClient::Ureq(a) => {
                let mut r = a.get(url).call()?;
                check_status(r.status().as_u16(), url)?;
                drain(&mut r.body_mut().as_reader())?;
            }
            BlockingClient::Reqwest(c) => {
                let mut r = c.get(url).send()?;
                check_status(r.status().as_u16(), url)?;
                drain(&mut r)?;
            }
        }
        Ok(n)
    }

    fn post(&self, url: &str, body: &'static [u8]) -> Res<u64> {
        let text: Vec<u8> = match self {
            #[cfg(feature = "blocking")]
            BlockingClient::Hip(h) => {
                let r = h
                    .request("POST", url)
                    .body(Bytes::from_static(body))
                    .send()?;
                check_status(r.status(), url)?;
                r.data().to_vec()
            }
            BlockingClient::Ureq(a) => {
                let mut r = a.post(url).send(body)?;
                check_status(r.status().as_u16(), url)?;
                r.body_mut().read_to_vec()?
            }
            BlockingClient::Reqwest(c) => {
                let r = c.post(url).body(body).send()?;
                check_status(r.status().as_u16(), url)?;
                r.bytes()?.to_vec()
            }
        };
        Ok(std::str::from_utf8(&text)?.trim().parse()?)
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

fn expect_eq<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Res<()> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, expected {want:?}").into())
    }
}

async fn async_concurrent(client: &AsyncClient, url: &str, total: usize) -> Res<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let url: Arc<str> = Arc::from(url);
    let mut tasks = Vec::with_capacity(ASYNC_CONCURRENCY);
    for _ in 0..ASYNC_CONCURRENCY {
        let (client, next, url) = (client.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let n = client.get(&url).await?;
                expect_eq(n, SMALL_BODY.len(), "small body length")?;
            }
            Ok::<(), BoxError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

fn blocking_concurrent(client: &BlockingClient, url: &str, total: usize) -> Res<()> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..BLOCKING_THREADS)
            .map(|_| {
                s.spawn(|| -> Res<()> {
                    while next.fetch_add(1, Ordering::Relaxed) < total {
                        let n = client.get(url)?;
                        expect_eq(n, SMALL_BODY.len(), "small body length")?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| "a bench thread panicked")??;
        }
        Ok(())
    })
}

fn run_async(
    rt: &tokio::runtime::Runtime,
    meter: &Meter,
    setup: &Setup,
    sizes: &Sizes,
    kind: ClientKind,
    w: Workload,
) -> Res<Sample> {
    let client = AsyncClient::new(kind, setup, w == Workload::Tls)?;
    let small = format!("{}/small", setup.http_base);
    let big = format!("{}/big/{}", setup.http_base, sizes.download_bytes);
    let upload = format!("{}/upload", setup.http_base);
    let tls_small = format!("{}/small", setup.https_base);
    let sample = match w {
        Workload::Seq => {
            rt.block_on(async {
                for _ in 0..200 {
                    client.get(&small).await?;
                }
                Ok::<(), BoxError>(())
            })?;
            meter.measure(|| {
                rt.block_on(async {
                    for _ in 0..sizes.seq_requests {
                        let n = client.get(&small).await?;
                        expect_eq(n, SMALL_BODY.len(), "small body length")?;
                    }
                    Ok((sizes.seq_requests, 0))
                })
            })?
        }
        Workload::Conc => {
            rt.block_on(async_concurrent(&client, &small, ASYNC_CONCURRENCY * 4))?;
            meter.measure(|| {
                rt.block_on(async_concurrent(&client, &small, sizes.conc_requests))?;
                Ok((sizes.conc_requests, 0))
            })?
        }
        Workload::Download => {
            let warm = format!("{}/big/{}", setup.http_base, 1 << 20);
            rt.block_on(client.download(&warm))?;
            meter.measure(|| {
                rt.block_on(async {
                    for _ in 0..sizes.download_repeats {
                        let n = client.download(&big).await?;
                        expect_eq(n, sizes.download_bytes, "downloaded bytes")?;
                    }
                    let n = sizes.download_repeats as u64 * sizes.download_bytes;
                    Ok((sizes.download_repeats, n))
                })
            })?
        }
        Workload::Post => {
            rt.block_on(client.post(&upload, setup.payload.clone()))?;
            meter.measure(|| {
                rt.block_on(async {
                    for _ in 0..sizes.post_requests {
                        let n = client.post(&upload, setup.payload.clone()).await?;
                        expect_eq(n, setup.payload.len() as u64, "uploaded bytes")?;
                    }
                    Ok((
                        sizes.post_requests,
                        (sizes.post_requests * setup.payload.len()) as u64,
                    ))
                })
            })?
        }
        Workload::Tls => {
            rt.block_on(client.get(&tls_small))?;
            meter.measure(|| {
                rt.block_on(async {
                    for _ in 0..sizes.tls_requests {
                        let n = client.get(&tls_small).await?;
                        expect_eq(n, SMALL_BODY.len(), "small body length")?;
                    }
                    Ok((sizes.tls_requests, 0))
                })
            })?
        }
    };
    // Drop the client (and its connections) inside the runtime, off the clock.
    rt.block_on(async move { drop(client) });
    Ok(sample)
}

fn run_blocking(
    meter: &Meter,
    setup: &Setup,
    sizes: &Sizes,
    kind: ClientKind,
    w: Workload,
) -> Res<Sample> {
    let client = BlockingClient::new(kind, setup)?;
    let small = format!("{}/small", setup.http_base);
    let big = format!("{}/big/{}", setup.http_base, sizes.download_bytes);
    let upload = format!("{}/upload", setup.http_base);
    let tls_small = format!("{}/small", setup.https_base);
    let sample = match w {
        Workload::Seq => {
            for _ in 0..200 {
                client.get(&small)?;
            }
            meter.measure(|| {
                for _ in 0..sizes.seq_requests {
                    let n = client.get(&small)?;
                    expect_eq(n, SMALL_BODY.len(), "small body length")?;
                }
                Ok((sizes.seq_requests, 0))
            })?
        }
        Workload::Conc => {
            blocking_concurrent(&client, &small, BLOCKING_THREADS * 8)?;
            meter.measure(|| {
                blocking_concurrent(&client, &small, sizes.conc_requests)?;
                Ok((sizes.conc_requests, 0))
            })?
        }
        Workload::Download => {
            client.download(&format!("{}/big/{}", setup.http_base, 1 << 20))?;
            meter.measure(|| {
                for _ in 0..sizes.download_repeats {
                    let n = client.download(&big)?;
                    expect_eq(n, sizes.download_bytes, "downloaded bytes")?;
                }
                let n = sizes.download_repeats as u64 * sizes.download_bytes;
                Ok((sizes.download_repeats, n))
            })?
        }
        Workload::Post => {
            client.post(&upload, setup.payload_static)?;
            meter.measure(|| {
                for _ in 0..sizes.post_requests {
                    let n = client.post(&upload, setup.payload_static)?;
                    expect_eq(n, setup.payload_static.len() as u64, "uploaded bytes")?;
                }
                Ok((
                    sizes.post_requests,
                    (sizes.post_requests * setup.payload_static.len()) as u64,
                ))
            })?
        }
        Workload::Tls => {
            client.get(&tls_small)?;
            meter.measure(|| {
                for _ in 0..sizes.tls_requests {
                    let n = client.get(&tls_small)?;
                    expect_eq(n, SMALL_BODY.len(), "small body length")?;
                }
                Ok((sizes.tls_requests, 0))
            })?
        }
    };
    drop(client);
    Ok(sample)
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

struct Row {
    kind: ClientKind,
    rate: f64,
    rate_min: f64,
    rate_max: f64,
    client_us: f64,
    server_us: f64,
    conns: f64,
}

fn summarize(w: Workload, kind: ClientKind, samples: &[Sample]) -> Row {
    let rate = |s: &Sample| match w {
        Workload::Download | Workload::Post => s.bytes as f64 / MIB / s.secs,
        _ => s.requests as f64 / s.secs,
    };
    let ops = |s: &Sample| match w {
        Workload::Download => s.bytes as f64 / MIB,
        _ => s.requests as f64,
    };
    let rates: Vec<f64> = samples.iter().map(rate).collect();
    Row {
        kind,
        rate: median(rates.clone()),
        rate_min: rates.iter().copied().fold(f64::INFINITY, f64::min),
        rate_max: rates.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        client_us: median(
            samples
                .iter()
                .map(|s| s.client_cpu * 1e6 / ops(s))
                .collect(),
        ),
        server_us: median(
            samples
                .iter()
                .map(|s| s.server_cpu * 1e6 / ops(s))
                .collect(),
        ),
        conns: median(samples.iter().map(|s| s.conns as f64).collect()),
    }
}

fn print_table(w: Workload, sizes: &Sizes, rows: &[Row]) {
    let (rate_unit, op) = w.units();
    println!();
    println!("{} (median of {})", w.title(sizes), sizes.rounds);
    println!(
        "{:<17} {:>9} {:>15} {:>14} {:>14} {:>6} {:>10} {:>9}",
        "client",
        rate_unit,
        "min..max",
        format!("client µs/{op}"),
        format!("server µs/{op}"),
        "conns",
        "hip rate/x",
        "hip cpu/x"
    );
    let hip_async = rows.iter().find(|r| r.kind == ClientKind::HipAsync);
    let hip_blocking = rows.iter().find(|r| r.kind == ClientKind::HipBlocking);
    for r in rows {
        // Compare with the hip of the same flavour when there is one.
        let hip = if r.kind.is_blocking() {
            hip_blocking.or(hip_async)
        } else {
            hip_async
        };
        let ratio = |a: f64, b: f64| {
            if b > 0.0 && a.is_finite() && b.is_finite() {
                format!("{:.2}", a / b)
            } else {
                "n/a".to_owned()
            }
        };
        let (rr, cr) = match hip {
            Some(h) if h.kind != r.kind => (ratio(h.rate, r.rate), ratio(h.client_us, r.client_us)),
            _ => ("-".to_owned(), "-".to_owned()),
        };
        let fmt_rate = |x: f64| {
            if x >= 100.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.1}")
            }
        };
        println!(
            "{:<17} {:>9} {:>15} {:>14.1} {:>14.1} {:>6} {:>10} {:>9}",
            r.kind.name(),
            fmt_rate(r.rate),
            format!("{}..{}", fmt_rate(r.rate_min), fmt_rate(r.rate_max)),
            r.client_us,
            r.server_us,
            format!("{:.0}", r.conns),
            rr,
            cr
        );
    }
}

// ---------------------------------------------------------------------------------------------

fn run() -> Res<()> {
    let sizes = Sizes::from_env()?;
    let pki = TestPki::new();
    let server = spawn_server(&pki)?;
    let meter = Meter {
        server_pid: server.child.id().to_string(),
        http_port: server.http_port,
        tick: clock_ticks_per_sec(),
    };
    let payload: Vec<u8> = (0..sizes.post_bytes).map(|i| (i % 253) as u8).collect();
    let payload_static: &'static [u8] = Box::leak(payload.clone().into_boxed_slice());
    let setup = Setup {
        http_base: format!("http://127.0.0.1:{}", server.http_port),
        https_base: format!("https://127.0.0.1:{}", server.https_port),
        ca_pem: pki.ca_bundle_path(),
        ca_der: pki.ca_cert().to_vec(),
        rustls: Arc::new(rustls_config(&pki)?),
        payload: Bytes::from(payload),
        payload_static,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    let client_filter = env_filter("HIP_BENCH_CLIENTS");
    let workload_filter = env_filter("HIP_BENCH_WORKLOADS");
    let clients: Vec<ClientKind> = all_clients()
        .into_iter()
        .filter(|c| {
            client_filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|n| n == c.name()))
        })
        .collect();
    let workloads: Vec<Workload> = WORKLOADS
        .into_iter()
        .filter(|w| {
            workload_filter
                .as_ref()
                .is_none_or(|f| f.iter().any(|n| n == w.key()))
        })
        .collect();

    println!(
        "hip compare bench: {} mode, {} round(s), {} CPUs, server in child process {}, clock tick {:.0} Hz",
        if sizes.quick { "QUICK" } else { "full" },
        sizes.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        meter.server_pid,
        meter.tick
    );
    println!(
        "clients: {} (blocking hip: {})",
        clients
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", "),
        if cfg!(feature = "blocking") {
            "on"
        } else {
            "off: hip's `blocking` feature is disabled"
        }
    );
    println!(
        "hip rate/x = hip's rate / this client's (>1: hip faster); hip cpu/x = hip's client CPU per op / this client's (<1: hip cheaper);\nblocking rows compare with hip-blocking when present, else hip-async; conns = connections the server accepted during the timed run"
    );

    // samples[w][c] over rounds; clients interleaved within each round.
    let mut samples: Vec<Vec<Vec<Sample>>> = vec![vec![Vec::new(); clients.len()]; workloads.len()];
    for round in 0..sizes.rounds {
        for (wi, &w) in workloads.iter().enumerate() {
            eprintln!("round {}/{}: {}", round + 1, sizes.rounds, w.key());
            for (ci, &c) in clients.iter().enumerate() {
                let s = if c.is_blocking() {
                    run_blocking(&meter, &setup, &sizes, c, w)
                } else {
                    run_async(&rt, &meter, &setup, &sizes, c, w)
                }
                .map_err(|e| format!("{} on {}: {e}", c.name(), w.key()))?;
                samples[wi][ci].push(s);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    for (wi, &w) in workloads.iter().enumerate() {
        let rows: Vec<Row> = clients
            .iter()
            .enumerate()
            .map(|(ci, &c)| summarize(w, c, &samples[wi][ci]))
            .collect();
        print_table(w, &sizes, &rows);
    }
    drop(server);
    Ok(())
}
