//! Local servers for hip's end-to-end tests. A test file includes them with `mod support;`.
//!
//! - [`HttpBin`]: a well-behaved hyper HTTP/1.1 server with httpbin-like routes, over plain
//!   TCP or rustls (optionally requiring a client certificate); it records every request.
//! - [`RawServer`]: a scripted raw-TCP server for faults and malformed replies.
//! - [`TestPki`]: a throw-away CA with valid, expired, wrong-host, self-signed and client
//!   certificates, also written as PEM files into a temporary directory.
//!
//! Every server binds `127.0.0.1:0` (no fixed ports), runs on its own thread with its own
//! tokio runtime (so async and blocking tests use it alike, without nesting runtimes), counts
//! accepted TCP connections, and shuts down when dropped.

// Each test binary compiles this whole module but uses only some of it.
#![allow(dead_code, unused_imports)]

pub mod form;
pub mod httpbin;
pub mod payload;
pub mod pki;
pub mod raw;
mod server;

pub use httpbin::{HttpBin, RecordedRequest};
pub use payload::{pseudo_random_bytes, Coding};
pub use pki::{Identity, ServerCert, TestPki, CLIENT_KEY_PASSWORD};
pub use raw::{RawServer, Script, Step, OK_RESPONSE};
