//! hip: an HTTP/1.1 client with the whole API of Hip, the Python client (a urllib3
//! descendant), async-first on tokio, over one sans-IO core.
//!
//! The spec's names map to Rust names as follows (Python on the left):
//!
//! | Hip (Python)                      | hip (Rust)                                   |
//! |-----------------------------------|----------------------------------------------|
//! | `hip.PoolManager`                 | [`PoolManager`] (blocking)                    |
//! | `hip.HTTPConnectionPool`          | [`HttpConnectionPool`] (blocking)             |
//! | `hip.HTTPSConnectionPool`         | [`HttpsConnectionPool`] (blocking)            |
//! | `hip.HTTPResponse`                | [`HttpResponse`] (blocking)                   |
//! | `hip.connection_from_url`         | [`connection_from_url`] (blocking)            |
//! | `PoolManager.request(...)`        | [`blocking::RequestBuilder`]                  |
//! | `hip.ProxyManager`                | [`ProxyManager`] (blocking)                   |
//! | `hip.proxy_from_url`              | [`proxy_from_url`] (blocking)                 |
//! | `hip.AsyncPoolManager`            | [`AsyncPoolManager`]                          |
//! | `hip.AsyncProxyManager`           | [`AsyncProxyManager`], [`async_proxy_from_url`] |
//! | `hip.contrib.socks.SOCKSProxyManager` | `hip::contrib::socks::SocksProxyManager` (feature `socks`; async: `AsyncSocksProxyManager`) |
//! | `hip.AsyncHTTPConnectionPool`     | [`AsyncHttpConnectionPool`]                   |
//! | `hip.AsyncHTTPSConnectionPool`    | [`AsyncHttpsConnectionPool`]                  |
//! | `hip.AsyncHTTPResponse`           | [`AsyncHttpResponse`]                         |
//! | `hip.Retry`, `hip.util.Retry`     | [`Retry`]                                     |
//! | `hip.Timeout`, `hip.util.Timeout` | [`Timeout`]                                   |
//! | `hip.make_headers`                | [`make_headers`]                              |
//! | `hip.encode_multipart_formdata`   | [`encode_multipart_formdata`]                 |
//! | `hip.exceptions.*`                | [`Error`] with [`ErrorKind`] ([`exceptions`]) |
//! | `hip.util.*`                      | [`util`]                                      |
//! | `hip.fields.*`, `hip.filepost.*`  | [`fields`], [`filepost`]                      |
//!
//! ```no_run
//! # async fn demo() -> Result<(), hip::Error> {
//! let http = hip::AsyncPoolManager::new()?;
//! let r = http.request("GET", "http://127.0.0.1:8080/get").fields([("arg", "value")]).send().await?;
//! assert_eq!(r.status(), 200);
//! println!("{}", r.text());
//! # Ok(())
//! # }
//! ```

pub use hip_core::{Error, ErrorKind, HttpHeaderDict, Result, TunnelResponse, Warning};

pub use hip_core::filepost::encode_multipart_formdata;
pub use hip_core::request::{make_headers, MakeHeaders};
pub use hip_core::retry::{RequestHistory, Retries, Retry};
pub use hip_core::timeout::{Timeout, TimeoutValue};
pub use hip_core::url::{get_host, parse_url, Url};

/// The spec's `hip.exceptions`: one [`Error`] type whose [`ErrorKind`] names the exception.
pub mod exceptions {
    pub use hip_core::error::{BoxError, Error, ErrorKind, TunnelResponse, Warning};
}

/// The spec's `hip.fields`: `RequestField` and the header-parameter formatters.
pub mod fields {
    pub use hip_core::fields::*;
}

/// The spec's `hip.filepost`: multipart and urlencoded form bodies.
pub mod filepost {
    pub use hip_core::filepost::*;
}

/// The spec's `hip.util`: URL parsing, timeouts, retries, request headers, connection and
/// TLS helpers.
pub mod util {
    pub use hip_core::request::{make_headers, AcceptEncoding, MakeHeaders};
    pub use hip_core::retry::{RequestHistory, Retries, Retry, RetryCount};
    pub use hip_core::timeout::{Timeout, TimeoutValue};
    pub use hip_core::url::{get_host, parse_url, split_first, Url};

    #[cfg(feature = "async")]
    pub use hip_async::connect::is_dropped as is_connection_dropped;
    #[cfg(feature = "async")]
    pub use hip_async::tls::{assert_fingerprint, resolve_cert_reqs, resolve_ssl_version};
}

/// The spec's `hip.response` content decoders.
pub mod response {
    pub use hip_core::decode::{supported_encodings, Coding, ContentDecoder};
}

#[cfg(feature = "async")]
pub use hip_async::{
    connect::{ConnectOptions, Connector, SocketOption, TcpConnector},
    tls::{AssertHostname, CertReqs, TlsOptions, TlsVersion},
    Body, PoolKey, PoolManagerBuilder, PoolOptions, RequestBuilder, RequestContext, RequestOptions,
    Scheme,
};

/// The spec's `hip.AsyncPoolManager`.
#[cfg(feature = "async")]
pub type AsyncPoolManager = hip_async::PoolManager;
/// The spec's `hip.AsyncHTTPConnectionPool`.
#[cfg(feature = "async")]
pub type AsyncHttpConnectionPool = hip_async::HttpConnectionPool;
/// The spec's `hip.AsyncHTTPSConnectionPool` (the same type, built with [`Scheme::Https`]).
#[cfg(feature = "async")]
pub type AsyncHttpsConnectionPool = hip_async::HttpsConnectionPool;
/// The spec's `hip.AsyncHTTPResponse`.
#[cfg(feature = "async")]
pub type AsyncHttpResponse = hip_async::HttpResponse;

/// The spec's `connection_from_url(url, **kw)` for the async API.
#[cfg(feature = "async")]
pub use hip_async::connection_from_url as async_connection_from_url;

/// The spec's `hip.AsyncProxyManager`: requests through an HTTP proxy (absolute-form
/// forwarding for `http://`, CONNECT tunnels for `https://`).
#[cfg(feature = "async")]
pub type AsyncProxyManager = hip_async::ProxyManager;

/// The spec's `proxy_from_url(url, **kw)` for the async API.
#[cfg(feature = "async")]
pub use hip_async::proxy_from_url as async_proxy_from_url;

/// Proxy settings of a pool (the spec's `_proxy`/`_proxy_headers`) and the async
/// `ProxyManager` builder.
#[cfg(feature = "async")]
pub use hip_async::{ProxyConfig, ProxyManagerBuilder};

/// The spec's `hip.contrib`: optional extras (feature `socks`).
#[cfg(feature = "socks")]
pub mod contrib {
    /// The spec's `hip.contrib.socks`: SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h proxies
    /// (`socks4://`, `socks4a://`, `socks5://`, `socks5h://` URLs, with `user:pass@`).
    pub mod socks {
        /// The spec's `hip.contrib.socks.SOCKSProxyManager`, blocking.
        #[cfg(feature = "blocking")]
        pub use hip_blocking::{SocksProxyManager, SocksProxyManagerBuilder};

        /// The spec's spelling of [`SocksProxyManager`].
        #[cfg(feature = "blocking")]
        pub type SOCKSProxyManager = hip_blocking::SocksProxyManager;

        /// The spec's `SOCKSProxyManager` for the async API.
        #[cfg(feature = "async")]
        pub type AsyncSocksProxyManager = hip_async::SocksProxyManager;

        /// The builder of [`AsyncSocksProxyManager`].
        #[cfg(feature = "async")]
        pub use hip_async::SocksProxyManagerBuilder as AsyncSocksProxyManagerBuilder;

        /// Which SOCKS flavour a proxy URL selects.
        #[cfg(feature = "async")]
        pub use hip_async::SocksVersion;
    }
}

/// The spec's `disable_warnings()`: silences hip's warnings (events under `hip::warnings`).
#[cfg(feature = "async")]
pub use hip_async::warnings::{disable_warning, disable_warnings};

/// The spec's `add_stderr_logger(level)`: prints hip's logs (targets under `hip`) to stderr at
/// `level` and above. Returns an error when a global subscriber is already installed.
#[cfg(feature = "stderr-logger")]
pub fn add_stderr_logger(level: tracing::Level) -> Result<()> {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = Targets::new().with_target("hip", LevelFilter::from_level(level));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .try_init()
        .map_err(|e| {
            Error::new(
                ErrorKind::Runtime,
                format!("cannot install the stderr logger: {e}"),
            )
        })
}

/// The blocking API (the hip-blocking crate): the spec's `PoolManager`, pools and
/// `HTTPResponse` with the async API's names and arguments, run on a private runtime.
/// Its request builder is `hip::blocking::RequestBuilder` (`hip::RequestBuilder` is the
/// async one) and its bodies, with `std::io` readers, are `hip::blocking::Body`.
#[cfg(feature = "blocking")]
pub use hip_blocking as blocking;

/// The spec's `hip.PoolManager`, `HTTPConnectionPool`, `HTTPSConnectionPool`, `HTTPResponse`
/// and `connection_from_url(url, **kw)`: the blocking API.
#[cfg(feature = "blocking")]
pub use hip_blocking::{
    connection_from_url, HttpConnectionPool, HttpResponse, HttpsConnectionPool, PoolManager,
};

/// The spec's `hip.ProxyManager` and `proxy_from_url(url, **kw)`: the blocking API.
#[cfg(feature = "blocking")]
pub use hip_blocking::{proxy_from_url, ProxyManager};
