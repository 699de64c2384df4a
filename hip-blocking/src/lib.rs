//! hip-blocking: hip's blocking API, the spec's `hip.PoolManager`, `HTTPConnectionPool`
//! and `HTTPResponse` with the same names, arguments and behaviour as the async API of
//! [`hip_async`], minus the `.await`.
//!
//! It is the async API underneath: each blocking manager (or standalone pool) owns one
//! private current-thread tokio runtime, shared by its clones, its pools and its live
//! responses, and every waiting call runs the async call to completion on the calling
//! thread, with that runtime's drivers turned by a thread of their own. Timeouts, retries,
//! redirects, errors and logging are therefore exactly those of the async API. The
//! connections it opens with the default connector (plain and TLS) are sockets in blocking
//! mode, read and written on the calling thread and bounded by socket timeouts.
//!
//! - Many threads may use one manager at once; their requests proceed concurrently (each
//!   polls its own request with the runtime's `Handle::block_on`), with no lock held around
//!   a request.
//! - Called from inside an async runtime, every waiting call returns an
//!   `ErrorKind::Runtime` error instead of blocking the runtime or panicking. Constructing
//!   and dropping managers there is fine.
//! - [`HttpResponse`] implements `std::io::Read`, and [`HttpResponse::stream`] is an
//!   iterator. [`Body`] adds `std::io` readers and iterators to the body types.
//!
//! ```no_run
//! # fn demo() -> Result<(), hip_core::Error> {
//! let http = hip_blocking::PoolManager::builder().maxsize(10).block(true).build()?;
//! let r = http.request("GET", "http://127.0.0.1:8080/get").fields([("a", "b")]).send()?;
//! println!("{} {}", r.status(), r.text());
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod interop;
mod manager;
mod pool;
mod request;
mod response;
mod runtime;

pub use body::Body;
pub use interop::ResponseReader;
#[cfg(feature = "socks")]
pub use manager::SocksProxyManager;
pub use manager::{proxy_from_url, PoolManager, ProxyManager};
pub use pool::{connection_from_url, HttpConnectionPool, HttpsConnectionPool};
pub use request::{BlockingFlavor, PoolManagerBuilder, RequestBuilder};
pub use response::{HttpResponse, HttpResponseBuilder, Stream};

pub use hip_async::ProxyConfig;
#[cfg(feature = "socks")]
pub use hip_async::SocksVersion;
pub use hip_async::{PoolKey, PoolOptions, RequestContext, RequestOptions, Route, Scheme};
