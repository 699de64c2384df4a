//! A small keep-alive HTTP/1.1 server on 127.0.0.1 for hip-blocking's tests: one thread per
//! connection, std I/O only (so it works the same from plain tests and from inside a tokio
//! runtime), and counters for the connections it sees.
//!
//! Routes (the query string is ignored when routing):
//! - `/echo`: 200, body `"{method} {target}\ncontent-type: {ct}\ncontent-length: {cl}\n\n{body}"`
//!   (`-` for an absent header); request bodies may be sized or chunked.
//! - `/lines/N`: 200, `N` lines `"line {i}\n"`, sent chunked, one chunk per line.
//! - `/bytes/N`: 200, `N` bytes `i % 251`, with Content-Length.
//! - `/together/K`: waits (at most 10 s) until `K` requests are inside this route at once,
//!   then answers `together`, or `alone` if they never were.
//! - `/redirect307`: 307 to `/echo`; `/redirect303`: 303 to `/echo`.
//! - `/hang`: never answers (the thread gives up after 10 s and closes).
//! - anything else: 404.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest any route waits for something.
const PATIENCE: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Stats {
    /// Connections accepted so far.
    pub accepted: AtomicUsize,
    /// Connections open right now.
    pub open: AtomicUsize,
    /// The most connections open at once.
    pub max_open: AtomicUsize,
    /// Requests answered.
    pub requests: AtomicUsize,
    /// How many requests are inside `/together` right now, and the most there were at once.
    together: Mutex<(usize, usize)>,
    together_cv: Condvar,
}

pub struct Server {
    pub port: u16,
    pub stats: Arc<Stats>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        let stats = Arc::new(Stats::default());
        let s = stats.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                s.accepted.fetch_add(1, Ordering::SeqCst);
                let now = s.open.fetch_add(1, Ordering::SeqCst) + 1;
                s.max_open.fetch_max(now, Ordering::SeqCst);
                let s2 = s.clone();
                std::thread::spawn(move || {
                    serve_connection(conn, &s2);
                    s2.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server { port, stats }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn accepted(&self) -> usize {
        self.stats.accepted.load(Ordering::SeqCst)
    }

    pub fn max_open(&self) -> usize {
        self.stats.max_open.load(Ordering::SeqCst)
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve_connection(conn: TcpStream, stats: &Stats) {
    let Ok(write_half) = conn.try_clone() else {
        return;
    };
    let mut out = write_half;
    let mut input = BufReader::new(conn);
    while let Some(req) = read_request(&mut input) {
        stats.requests.fetch_add(1, Ordering::SeqCst);
        let path = req.target.split('?').next().unwrap_or("").to_owned();
        let ok = match path.as_str() {
            "/echo" => {
                let mut body = format!(
                    "{} {}\ncontent-type: {}\ncontent-length: {}\n\n",
                    req.method,
                    req.target,
                    req.header("content-type").unwrap_or("-"),
                    req.header("content-length").unwrap_or("-"),
                )
                .into_bytes();
                body.extend_from_slice(&req.body);
                respond(&mut out, "200 OK", &[], &body)
            }
            "/redirect307" => respond(
                &mut out,
                "307 Temporary Redirect",
                &[("Location", "/echo")],
                b"",
            ),
            "/redirect303" => respond(&mut out, "303 See Other", &[("Location", "/echo")], b""),
            "/hang" => {
                std::thread::sleep(PATIENCE);
                return;
            }
            p if p.starts_with("/lines/") => {
                let n: usize = p["/lines/".len()..].parse().unwrap_or(0);
                let mut wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for i in 0..n {
                    let line = format!("line {i}\n");
                    wire.extend_from_slice(format!("{:x}\r\n{line}\r\n", line.len()).as_bytes());
                }
                wire.extend_from_slice(b"0\r\n\r\n");
                out.write_all(&wire).is_ok()
            }
            p if p.starts_with("/bytes/") => {
                let n: usize = p["/bytes/".len()..].parse().unwrap_or(0);
                let body: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
                respond(&mut out, "200 OK", &[], &body)
            }
            p if p.starts_with("/together/") => {
                let k: usize = p["/together/".len()..].parse().unwrap_or(2);
                let answer = wait_together(stats, k);
                respond(&mut out, "200 OK", &[], answer.as_bytes())
            }
            _ => respond(&mut out, "404 Not Found", &[], b"not found"),
        };
        if !ok {
            return;
        }
    }
}

/// Enters `/together`, waits for `k` requests to be inside at once, leaves.
fn wait_together(stats: &Stats, k: usize) -> &'static str {
    let deadline = Instant::now() + PATIENCE;
    let mut g = stats.together.lock().expect("together lock");
    g.0 += 1;
    g.1 = g.1.max(g.0);
    stats.together_cv.notify_all();
    while g.1 < k {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        g = stats
            .together_cv
            .wait_timeout(g, deadline - now)
            .expect("together wait")
            .0;
    }
    let answer = if g.1 >= k { "together" } else { "alone" };
    g.0 -= 1;
    answer
}

fn respond(out: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) -> bool {
    let mut wire = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (n, v) in headers {
        wire.push_str(&format!("{n}: {v}\r\n"));
    }
    wire.push_str("\r\n");
    let mut bytes = wire.into_bytes();
    bytes.extend_from_slice(body);
    out.write_all(&bytes).is_ok()
}

fn read_line(input: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
    }
}

fn read_request(input: &mut BufReader<TcpStream>) -> Option<Request> {
    let request_line = read_line(input)?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let line = read_line(input)?;
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(':')?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let mut req = Request {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    if let Some(len) = req.header("content-length") {
        let len: usize = len.parse().ok()?;
        let mut body = vec![0u8; len];
        input.read_exact(&mut body).ok()?;
        req.body = body;
    } else if req
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let size_line = read_line(input)?;
            let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                // Trailers end with an empty line.
                while !read_line(input)?.is_empty() {}
                break;
            }
            let mut chunk = vec![0u8; size];
            input.read_exact(&mut chunk).ok()?;
            req.body.extend_from_slice(&chunk);
            read_line(input)?;
        }
    }
    Some(req)
}

/// The body `/bytes/N` sends.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// The body `/lines/N` sends.
pub fn lines(n: usize) -> String {
    (0..n).map(|i| format!("line {i}\n")).collect()
}
