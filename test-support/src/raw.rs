//! [`RawServer`]: a scripted raw-TCP server for the replies and faults no real server sends.
//!
//! Each accepted connection runs a [`Script`], a list of [`Step`]s. The server records every
//! byte it reads, per connection, and splits what [`Step::ReadRequest`] reads into requests.
//! When a script runs out of steps the connection is closed gracefully.
//!
//! Linux detail worth knowing: closing a socket whose receive buffer still holds unread bytes
//! sends RST, not FIN. Scripts that mean a clean close read the request first.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::form::find;
use crate::server::ServerThread;

/// One action of a connection script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// [`Step::ReadHead`] then [`Step::ReadBody`]: one whole request.
    ReadRequest,
    /// Reads up to and including the blank line that ends a request head.
    ReadHead,
    /// Reads the body the last head announced: `Content-Length` bytes, or chunks up to and
    /// including the last chunk and trailers for `Transfer-Encoding: chunked`, else nothing.
    ReadBody,
    /// Writes the bytes.
    Write(Vec<u8>),
    /// Writes the bytes one at a time, sleeping the duration after each.
    WriteSlowly(Vec<u8>, Duration),
    /// Sleeps.
    Sleep(Duration),
    /// Closes gracefully (FIN) and ends the script.
    Close,
    /// Sets `SO_LINGER` to 0 and closes, so the kernel sends RST; ends the script.
    Reset,
    /// Shuts down the write half (FIN) and goes on; the script can still read.
    ShutdownWrite,
    /// Reads, recording, until the client closes its side.
    ReadToEof,
    /// Holds the connection open, doing nothing, until the server is dropped.
    KeepOpen,
    /// Runs the inner steps again and again until one of them ends the connection (the client
    /// closes during a read, a write fails, `Close`, `Reset`). Include a read step, or the
    /// loop only ends when a write fails.
    Repeat(Vec<Step>),
}

impl Step {
    /// [`Step::Write`] from anything byte-like.
    pub fn write(bytes: impl AsRef<[u8]>) -> Step {
        Step::Write(bytes.as_ref().to_vec())
    }
}

/// The steps for one connection.
pub type Script = Vec<Step>;

/// `200 OK` with `Content-Length: 2` and body `ok`.
pub const OK_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A scripted raw-TCP server on 127.0.0.1; stops when dropped.
pub struct RawServer {
    server: ServerThread,
    log: Arc<Mutex<BTreeMap<usize, ConnLog>>>,
}

impl std::fmt::Debug for RawServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawServer")
            .field("addr", &self.addr())
            .field("connections", &self.connections())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct ConnLog {
    received: Vec<u8>,
    requests: Vec<Vec<u8>>,
    finished: bool,
}

impl RawServer {
    /// Connection `i` runs `scripts[i]`; connections past the end run the last script
    /// (or, if `scripts` is empty, none: they are closed at once).
    pub fn start(scripts: Vec<Script>) -> RawServer {
        let default = scripts.last().cloned().unwrap_or_default();
        RawServer::with_default(scripts, default)
    }

    /// Connection `i` runs `scripts[i]`; connections past the end run `default`.
    pub fn with_default(scripts: Vec<Script>, default: Script) -> RawServer {
        RawServer::from_fn(move |i| scripts.get(i).unwrap_or(&default).clone())
    }

    /// Connection `i` (0 for the first) runs `script_for(i)`.
    pub fn from_fn(script_for: impl Fn(usize) -> Script + Send + Sync + 'static) -> RawServer {
        let log: Arc<Mutex<BTreeMap<usize, ConnLog>>> = Arc::default();
        let script_for = Arc::new(script_for);
        let handler_log = Arc::clone(&log);
        let server = ServerThread::start("raw", Arc::default(), move |stream, conn| {
            let script = script_for(conn.id);
            let mut conn = Conn {
                stream,
                id: conn.id,
                unread: Vec::new(),
                framing: Framing::None,
                log: Arc::clone(&handler_log),
            };
            async move {
                lock(&conn.log).entry(conn.id).or_default();
                match conn.run(&script).await {
                    Flow::Continue | Flow::Close => {
                        let _ = conn.stream.shutdown().await;
                    }
                    Flow::Reset => {
                        let _ =
                            socket2::SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
                    }
                    Flow::Gone => {}
                }
                if let Some(c) = lock(&conn.log).get_mut(&conn.id) {
                    c.finished = true;
                }
            }
        });
        RawServer { server, log }
    }

    /// Every connection: answer each request with `response`, keeping the connection open.
    pub fn respond_always(response: impl AsRef<[u8]>) -> RawServer {
        RawServer::start(vec![vec![Step::Repeat(vec![
            Step::ReadRequest,
            Step::write(response),
        ])]])
    }

    /// Reads the request, then closes without a byte of response.
    pub fn close_before_response() -> RawServer {
        RawServer::start(vec![vec![Step::ReadRequest, Step::Close]])
    }

    /// Reads the request, sends `Content-Length: 100` and only 10 body bytes
    /// (`0123456789`), then closes.
    pub fn close_mid_body() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"),
            Step::Close,
        ]])
    }

    /// The first connection answers one request with [`OK_RESPONSE`] (keep-alive), then closes
    /// 50 ms later, so a pooled connection goes stale; later connections answer every request
    /// with [`OK_RESPONSE`].
    pub fn stale_keep_alive() -> RawServer {
        RawServer::with_default(
            vec![vec![
                Step::ReadRequest,
                Step::write(OK_RESPONSE),
                Step::Sleep(Duration::from_millis(50)),
                Step::Close,
            ]],
            vec![Step::Repeat(vec![
                Step::ReadRequest,
                Step::write(OK_RESPONSE),
            ])],
        )
    }

    /// Reads the request, then resets the connection (RST).
    pub fn reset_after_request() -> RawServer {
        RawServer::start(vec![vec![Step::ReadRequest, Step::Reset]])
    }

    /// Reads the request, sends the head `200 OK`, `Content-Length: 10` at once, then the body
    /// `0123456789` one byte per 200 ms (about 2 s in all), then closes.
    pub fn slow_trickle() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"),
            Step::WriteSlowly(b"0123456789".to_vec(), Duration::from_millis(200)),
        ]])
    }

    /// Reads the request, answers `this is not http\r\n\r\n`, closes.
    pub fn garbage_status_line() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(b"this is not http\r\n\r\n"),
            Step::Close,
        ]])
    }

    /// Reads the request, answers `200 OK` with a head of more than 100 KiB (1600 headers
    /// `X-Filler-NNNN` of 64 bytes each, then `Content-Length: 2`, body `ok`), closes.
    pub fn oversized_headers() -> RawServer {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..1600 {
            // "X-Filler-0000: " is 15 bytes, the value 47, CRLF 2: 64 in all.
            head.extend_from_slice(format!("X-Filler-{i:04}: {}\r\n", "a".repeat(47)).as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\nok");
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::Write(head),
            Step::Close,
        ]])
    }

    /// Reads the request, answers `200 OK` with one `X-Large` header whose value is 100 KiB of
    /// `a`, then `Content-Length: 2`, body `ok`; closes.
    pub fn oversized_header_line() -> RawServer {
        let mut head = b"HTTP/1.1 200 OK\r\nX-Large: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', 100 * 1024));
        head.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nok");
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::Write(head),
            Step::Close,
        ]])
    }

    /// Reads the request, answers with `Content-Length: 5` and `Content-Length: 6` and the
    /// body `hello!`, closes.
    pub fn duplicate_content_length() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
            Step::Close,
        ]])
    }

    /// Reads the request, answers `HTTP/2.0 200 OK` with `Content-Length: 2`, body `ok`; closes.
    pub fn http2_status_line() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            Step::Close,
        ]])
    }

    /// Reads the request, answers `100 Continue`, then `103 Early Hints` (with a `Link`
    /// header), then `200 OK` with `Content-Length: 2`, body `ok`; then closes.
    pub fn informational_then_ok() -> RawServer {
        RawServer::start(vec![vec![
            Step::ReadRequest,
            Step::write(
                b"HTTP/1.1 100 Continue\r\n\r\n\
                  HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n\
                  HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            ),
            Step::Close,
        ]])
    }

    /// Answers every request with a chunked body `hello world` (chunks `hello` and ` world`)
    /// followed by the trailer `X-Checksum: abc123`, whatever the request's `TE` header says.
    pub fn chunked_with_trailers() -> RawServer {
        RawServer::respond_always(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n\
              5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\n\r\n",
        )
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// `"http://127.0.0.1:PORT{path}"`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// How many TCP connections the server has accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// The shared counter behind [`RawServer::connections`].
    pub fn connection_counter(&self) -> Arc<AtomicUsize> {
        self.server.connection_counter()
    }

    /// Every byte read so far on connection `conn` (0 for the first); empty if there is none.
    pub fn received(&self, conn: usize) -> Vec<u8> {
        lock(&self.log)
            .get(&conn)
            .map(|c| c.received.clone())
            .unwrap_or_default()
    }

    /// The requests read so far on connection `conn`, each head plus body as received.
    pub fn requests(&self, conn: usize) -> Vec<Vec<u8>> {
        lock(&self.log)
            .get(&conn)
            .map(|c| c.requests.clone())
            .unwrap_or_default()
    }

    /// Whether connection `conn` has run its script to the end and been closed.
    pub fn finished(&self, conn: usize) -> bool {
        lock(&self.log).get(&conn).is_some_and(|c| c.finished)
    }

    /// Waits, polling, until connection `conn` is [finished](RawServer::finished) or
    /// `timeout` has passed; returns whether it finished. With [`Step::ReadToEof`] as the
    /// last step this tells whether the client closed its side.
    pub fn wait_finished(&self, conn: usize, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.finished(conn) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The requests read so far on all connections, in connection order.
    pub fn all_requests(&self) -> Vec<Vec<u8>> {
        lock(&self.log)
            .values()
            .flat_map(|c| c.requests.iter().cloned())
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a step left the connection.
enum Flow {
    /// Go on with the next step.
    Continue,
    /// The script asked for a graceful close.
    Close,
    /// The script asked for a reset.
    Reset,
    /// The client closed or the socket failed: just drop it.
    Gone,
}

/// How the body after the last head is framed.
#[derive(Clone, Copy)]
enum Framing {
    None,
    Length(usize),
    Chunked,
}

struct Conn {
    stream: TcpStream,
    id: usize,
    /// Bytes read from the socket but not yet consumed by a step.
    unread: Vec<u8>,
    framing: Framing,
    log: Arc<Mutex<BTreeMap<usize, ConnLog>>>,
}

impl Conn {
    fn run<'a>(&'a mut self, steps: &'a [Step]) -> Pin<Box<dyn Future<Output = Flow> + Send + 'a>> {
        Box::pin(async move {
            for step in steps {
                let flow = match step {
                    Step::ReadRequest => match self.read_head().await {
                        Flow::Continue => self.read_body().await,
                        other => other,
                    },
                    Step::ReadHead => self.read_head().await,
                    Step::ReadBody => self.read_body().await,
                    Step::Write(bytes) => self.write(bytes).await,
                    Step::WriteSlowly(bytes, pause) => {
                        let mut flow = Flow::Continue;
                        for byte in bytes {
                            flow = self.write(std::slice::from_ref(byte)).await;
                            if !matches!(flow, Flow::Continue) {
                                break;
                            }
                            tokio::time::sleep(*pause).await;
                        }
                        flow
                    }
                    Step::Sleep(d) => {
                        tokio::time::sleep(*d).await;
                        Flow::Continue
                    }
                    Step::Close => Flow::Close,
                    Step::Reset => Flow::Reset,
                    Step::ShutdownWrite => match self.stream.shutdown().await {
                        Ok(()) => Flow::Continue,
                        Err(_) => Flow::Gone,
                    },
                    Step::ReadToEof => {
                        self.unread.clear();
                        while self.fill().await > 0 {
                            self.unread.clear();
                        }
                        Flow::Continue
                    }
                    Step::KeepOpen => std::future::pending().await,
                    Step::Repeat(inner) => loop {
                        match self.run(inner).await {
                            Flow::Continue => {}
                            other => break other,
                        }
                    },
                };
                if !matches!(flow, Flow::Continue) {
                    return flow;
                }
            }
            Flow::Continue
        })
    }

    /// Reads more bytes into `unread` (and the log); 0 at EOF or on error.
    async fn fill(&mut self) -> usize {
        let mut buf = [0u8; 16 * 1024];
        match self.stream.read(&mut buf).await {
            Ok(n) => {
                self.unread.extend_from_slice(&buf[..n]);
                if let Some(c) = lock(&self.log).get_mut(&self.id) {
                    c.received.extend_from_slice(&buf[..n]);
                }
                n
            }
            Err(_) => 0,
        }
    }

    /// Takes `n` bytes from `unread`, reading more as needed; `None` if the client closed first.
    async fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.unread.len() < n {
            if self.fill().await == 0 {
                return None;
            }
        }
        Some(self.unread.drain(..n).collect())
    }

    /// Takes bytes up to and including the next `delimiter`.
    async fn take_through(&mut self, delimiter: &[u8]) -> Option<Vec<u8>> {
        loop {
            if let Some(pos) = find(&self.unread, delimiter) {
                return Some(self.unread.drain(..pos + delimiter.len()).collect());
            }
            if self.fill().await == 0 {
                return None;
            }
        }
    }

    fn record_request_bytes(&self, bytes: &[u8], new_request: bool) {
        if let Some(c) = lock(&self.log).get_mut(&self.id) {
            match c.requests.last_mut() {
                Some(last) if !new_request => last.extend_from_slice(bytes),
                _ => c.requests.push(bytes.to_vec()),
            }
        }
    }

    async fn read_head(&mut self) -> Flow {
        let Some(head) = self.take_through(b"\r\n\r\n").await else {
            return Flow::Gone;
        };
        self.framing = framing_of(&head);
        self.record_request_bytes(&head, true);
        Flow::Continue
    }

    async fn read_body(&mut self) -> Flow {
        let framing = std::mem::replace(&mut self.framing, Framing::None);
        match framing {
            Framing::None => Flow::Continue,
            Framing::Length(n) => match self.take(n).await {
                Some(body) => {
                    self.record_request_bytes(&body, false);
                    Flow::Continue
                }
                None => Flow::Gone,
            },
            Framing::Chunked => loop {
                let Some(size_line) = self.take_through(b"\r\n").await else {
                    return Flow::Gone;
                };
                self.record_request_bytes(&size_line, false);
                let size_text = String::from_utf8_lossy(&size_line);
                let size_text = size_text.trim_end().split(';').next().unwrap_or("").trim();
                let Ok(size) = usize::from_str_radix(size_text, 16) else {
                    // Malformed chunk size: give up on this connection.
                    return Flow::Gone;
                };
                if size == 0 {
                    // Trailer fields, then the blank line.
                    loop {
                        let Some(line) = self.take_through(b"\r\n").await else {
                            return Flow::Gone;
                        };
                        self.record_request_bytes(&line, false);
                        if line == b"\r\n" {
                            return Flow::Continue;
                        }
                    }
                }
                let Some(chunk) = self.take(size + 2).await else {
                    return Flow::Gone;
                };
                self.record_request_bytes(&chunk, false);
            },
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Flow {
        match self.stream.write_all(bytes).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Gone,
        }
    }
}

/// The body framing a request head announces (chunked wins over Content-Length).
fn framing_of(head: &[u8]) -> Framing {
    let text = String::from_utf8_lossy(head);
    let mut framing = Framing::None;
    for line in text.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            return Framing::Chunked;
        }
        if name.eq_ignore_ascii_case("content-length") {
            if let Ok(n) = value.trim().parse() {
                framing = Framing::Length(n);
            }
        }
    }
    framing
}
