//! Local servers and a throw-away PKI for hip's tests, examples and benches.
//!
//! - [`HttpBin`]: a well-behaved hyper HTTP/1.1 server with httpbin-like routes, over plain
//!   TCP or rustls (optionally requiring a client certificate); it records every request,
//!   and a test can add routes of its own ([`HttpBin::with_routes`]).
//! - [`RawServer`]: a scripted raw-TCP server for faults and malformed replies.
//! - [`proxy`]: an HTTP proxy (forwarding, CONNECT, Basic auth, TLS, misbehaviour) and a
//!   SOCKS4/4a/5 server.
//! - [`BlackHole`]: a loopback address where connecting hangs (SYNs dropped).
//! - [`TestPki`]: a throw-away CA with valid, expired, wrong-host, self-signed and client
//!   certificates, also written as PEM files into a temporary directory ([`TempDir`]).
//!
//! Every server binds `127.0.0.1:0` (no fixed ports), runs on its own thread with its own
//! tokio runtime (so async and blocking tests use it alike, without nesting runtimes), counts
//! accepted TCP connections, and shuts down when dropped.
//!
//! A test file names the crate `support`, so that paths read `support::HttpBin`:
//!
//! ```
//! use hip_test_support as support;
//!
//! let server = support::HttpBin::start();
//! assert!(server.url("/get").starts_with("http://127.0.0.1:"));
//! ```
//!
//! This crate is a dev-dependency of hip, hip-async and hip-blocking and depends on none of
//! them: the servers are checked with plain clients in its own `tests/selftest.rs`.

mod blackhole;
pub mod form;
pub mod httpbin;
pub mod payload;
pub mod pki;
pub mod proxy;
pub mod raw;
mod server;

pub use blackhole::BlackHole;
pub use httpbin::{HttpBin, RecordedRequest, Reply};
pub use payload::{pseudo_random_bytes, Coding};
pub use pki::{Identity, ServerCert, TempDir, TestPki, CLIENT_KEY_PASSWORD};
pub use raw::{RawServer, Script, Step, OK_RESPONSE};
pub use server::closed_port;
