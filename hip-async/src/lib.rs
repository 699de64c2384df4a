//! hip-async: the tokio driver of hip, and its async API (`hip::AsyncPoolManager` and
//! friends in the facade).
//!
//! One request pipeline, in layers that import only downwards:
//!
//! ```text
//! api/        PoolManager (proxies are routes of it) and its builder, RequestBuilder,
//!   |         the pool's request calls, the flavours that hip-blocking plugs into
//! exchange/   the urlopen loop (prepare, attempt, retry, redirect), request bodies,
//!   |         responses
//! pool/       one host's idle stack and permits, the typed PoolKey, the manager's pools,
//!   |         pooled connections
//! transport/  resolution, TCP (Happy Eyeballs), TLS, and the routes in between: CONNECT
//!             tunnel, SOCKS
//! ```
//!
//! A request is prepared (hip-core checks method, target, headers and framing) before any
//! pool is touched; the pool for its URL is found by a [`PoolKey`] compared by value; only
//! the errors urllib3's urlopen would retry are handed to [`Retry`](hip_core::retry::Retry).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod exchange;
mod pool;
mod sync_cell;
mod transport;
pub mod warnings;

#[cfg(feature = "socks")]
pub use api::SocksProxyManager;
pub use api::{
    connection_from_url, proxy_from_url, Async, Blocking, BuildManager, Flavor, PoolKwargs,
    PoolManager, PoolManagerBuilder, ProxyManager, RequestBuilder, RequestContext,
};
pub use exchange::{
    Body, BodyStream, BuiltResponse, HttpResponse, HttpResponseBuilder, RequestOptions,
    ResponseStream, SeekableRead, REDIRECT_STATUSES,
};
pub use pool::{HttpConnectionPool, HttpsConnectionPool, PoolKey, PoolOptions};
#[cfg(feature = "socks")]
pub use transport::SocksVersion;
pub use transport::{
    blocking_io, AssertHostname, AsyncIo, BoxIo, CertReqs, ConnectOptions, Connector, NoProxy,
    ProxyConfig, Resolve, Route, Scheme, SocketOption, SystemResolver, TcpConnector, TlsOptions,
    TlsVersion,
};
pub use warnings::disable_warnings;

pub mod util;
