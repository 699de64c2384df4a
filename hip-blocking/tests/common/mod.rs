//! hip-blocking's test server: the shared [`HttpBin`] (which records requests, counts
//! connections and answers `/together/{k}`, `/redirect-to`, `/delay/{secs}`) with three
//! routes of these tests' own, whose bodies are easy to spell out in an assertion:
//!
//! - `/echo`: 200, body `"{method} {target}\ncontent-type: {ct}\ncontent-length: {cl}\n\n{body}"`
//!   (`-` for an absent header); request bodies may be sized or chunked.
//! - `/lines/N`: 200, [`lines(N)`](lines), sent chunked, one chunk per line.
//! - `/bytes/N`: 200, [`pattern(N)`](pattern), with Content-Length.
#![allow(dead_code, reason = "each test binary uses some of the helpers")]

use hip_test_support::{HttpBin, RecordedRequest, Reply};

/// Starts the server.
pub(crate) fn server() -> HttpBin {
    HttpBin::with_routes(routes)
}

fn routes(req: &RecordedRequest) -> Option<Reply> {
    let path = req.path();
    if path == "/echo" {
        let mut body = format!(
            "{} {}\ncontent-type: {}\ncontent-length: {}\n\n",
            req.method,
            req.target,
            req.header("content-type").unwrap_or("-"),
            req.header("content-length").unwrap_or("-"),
        )
        .into_bytes();
        body.extend_from_slice(&req.body);
        return Some(Reply::new(200, body));
    }
    if let Some(n) = path.strip_prefix("/lines/") {
        let n = n.parse().ok()?;
        return Some(Reply::chunked(200, (0..n).map(line)));
    }
    let n = path.strip_prefix("/bytes/")?.parse().ok()?;
    Some(Reply::new(200, pattern(n)))
}

/// The body `/bytes/N` sends: bytes `i % 251`.
pub(crate) fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// The body `/lines/N` sends.
pub(crate) fn lines(n: usize) -> String {
    (0..n).map(line).collect()
}

fn line(i: usize) -> String {
    format!("line {i}\n")
}
