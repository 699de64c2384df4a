//! hip-core: the sans-IO heart of hip.
//!
//! Nothing in this crate opens a socket, starts a runtime, sleeps or reads a clock it is not
//! handed: the drivers in `hip-async` and `hip-blocking` do the I/O, and this crate decides.
pub mod decode;
pub mod error;
pub mod fields;
pub mod filepost;
pub mod h1;
pub mod headers;
pub mod request;
pub mod retry;
pub mod timeout;
pub mod url;

pub use error::{Error, ErrorKind, Result, TunnelResponse, Warning};
pub use headers::HttpHeaderDict;
