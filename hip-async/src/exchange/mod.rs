//! One request, end to end: the urlopen loop (retries, redirects, status retries) around
//! single attempts on pooled connections.
//!
//! - [`urlopen`](self::urlopen): prepare, attempt, decide; the error policy.
//! - `send`: writing the head and body on a connection, reading the response head.
//! - [`body`](self::body): the request body ([`Body`]): bytes, readers, streams, rewinding.
//! - [`response`](self::response): [`HttpResponse`], the body read off the connection,
//!   decoded, handed back to the pool when done. It lives here, below the API layer,
//!   because the loop itself reads, drains and preloads responses.
//! - `target`: the request target and `Host` each route needs, and redirect resolution.
//! - `timing`: the per-request timings and the `tracing` span of each attempt.

pub(crate) mod body;
mod built;
mod options;
pub(crate) mod response;
mod send;
mod target;
mod timing;
mod urlopen;

pub use body::{Body, SeekableRead};
pub use built::{BuiltResponse, HttpResponseBuilder};
pub use options::RequestOptions;
pub use response::{BodyStream, HttpResponse, ResponseStream, REDIRECT_STATUSES};
pub(crate) use urlopen::{run, Source};
