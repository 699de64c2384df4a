//! hip-core: the sans-IO heart of hip.
//!
//! Nothing in this crate opens a socket, starts a runtime, sleeps or reads a clock it is not
//! handed: the drivers in `hip-async` and `hip-blocking` do the I/O, and this crate decides.
//!
//! One exception: [`filepost::choose_boundary`] (which [`filepost::encode_multipart_formdata`]
//! calls when given no boundary) reads 16 random bytes from the operating system, as the
//! spec's function does. Randomness elsewhere is an input: the retry jitter is the
//! `unit_random` argument of [`Retry::get_backoff_time_with`](retry::Retry::get_backoff_time_with),
//! and [`filepost::boundary_from_bytes`] makes a boundary from the caller's bytes.
#![cfg_attr(docsrs, feature(doc_cfg))]
pub mod decode;
pub mod error;
pub mod fields;
pub mod filepost;
pub mod h1;
pub mod headers;
pub mod request;
pub mod retry;
pub mod timeout;
pub mod timings;
pub mod url;

pub use error::{Error, ErrorKind, Result, TunnelResponse, Warning};
pub use headers::HttpHeaderDict;
pub use timings::Timings;
