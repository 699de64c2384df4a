//! hip-async: the tokio driver of hip.
//!
//! It opens connections ([`connect`]: TCP with the spec's `source_address` and
//! `socket_options`, the pluggable `backend`), secures them ([`tls`]: rustls with the spec's
//! `cert_reqs`, `ca_certs`, client certificates, `assert_hostname`, `assert_fingerprint`),
//! and drives hip-core's sans-IO HTTP/1.1 state machine over them.

pub mod connect;
pub mod tls;

mod body;
mod conn;
mod exchange;
mod manager;
mod pool;
mod proxy;
mod request;
mod response;
#[cfg(feature = "socks")]
mod socks;
pub mod warnings;

pub use body::{Body, SeekableRead};
pub use manager::{PoolKey, PoolManager, PoolManagerBuilder, RequestContext};
pub use pool::{connection_from_url, HttpConnectionPool, HttpsConnectionPool, PoolOptions, Scheme};
#[doc(hidden)]
pub use proxy::macro_support as __macro_support;
pub use proxy::{proxy_from_url, ProxyConfig, ProxyManager, ProxyManagerBuilder};
pub use request::{RequestBuilder, RequestOptions};
pub use response::{HttpResponse, REDIRECT_STATUSES};
#[cfg(feature = "socks")]
pub use socks::{SocksProxyManager, SocksProxyManagerBuilder, SocksVersion};
pub use warnings::disable_warnings;
