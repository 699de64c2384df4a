//! hip: an HTTP/1.1 client with the whole API of Hip, the Python client (a urllib3
//! descendant), async-first on tokio, over one sans-IO core.
//!
//! The spec's names are the blocking API; every async type carries `Async` in its name.
//! No root name mixes the two. Python on the left:
//!
//! | Hip (Python)                      | blocking (root)                | async                            |
//! |-----------------------------------|--------------------------------|----------------------------------|
//! | `hip.PoolManager(...)`            | [`PoolManager`], [`PoolManagerBuilder`] | `AsyncPoolManager`, `AsyncPoolManagerBuilder` |
//! | `hip.ProxyManager(url)`           | [`ProxyManager`] (a `PoolManager` with a proxy: `PoolManager::with_proxy(url)`) | `AsyncProxyManager` |
//! | `hip.proxy_from_url(url)`         | [`proxy_from_url`]             | `async_proxy_from_url`           |
//! | `hip.contrib.socks.SOCKSProxyManager` | `contrib::socks::SocksProxyManager` (feature `socks`) | `contrib::socks::AsyncSocksProxyManager` |
//! | `hip.HTTPConnectionPool`          | [`HttpConnectionPool`]         | `AsyncHttpConnectionPool`        |
//! | `hip.HTTPSConnectionPool`         | [`HttpsConnectionPool`]        | `AsyncHttpsConnectionPool`       |
//! | `hip.connection_from_url`         | [`connection_from_url`]        | `async_connection_from_url`      |
//! | `PoolManager.request(...)`        | [`RequestBuilder`]             | `AsyncRequestBuilder`            |
//! | `body=`                           | [`Body`]                       | `AsyncBody`                      |
//! | `hip.HTTPResponse`                | [`HttpResponse`]               | `AsyncHttpResponse`              |
//! | `PoolKey`, `request_context`      | [`PoolKey`], [`RequestContext`] | the same                        |
//! | `hip.Retry`, `hip.util.Retry`     | [`Retry`]                      | the same                         |
//! | `hip.Timeout`, `hip.util.Timeout` | [`Timeout`]                    | the same                         |
//! | `hip.make_headers`                | [`make_headers`]               | the same                         |
//! | `hip.encode_multipart_formdata`   | [`encode_multipart_formdata`]  | the same                         |
//! | `hip.exceptions.*`                | [`Error`] with [`ErrorKind`] ([`exceptions`]) | the same          |
//! | `hip.util.*`                      | [`util`]                       | the same                         |
//! | (curl's `-w` times; not in Hip)   | [`Timings`] (`r.timings()`)    | the same                         |
//! | `hip.fields.*`, `hip.filepost.*`  | [`fields`], [`filepost`]       | the same                         |
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

pub use hip_core::{Error, ErrorKind, HttpHeaderDict, Result, Timings, TunnelResponse, Warning};

pub use hip_core::filepost::encode_multipart_formdata;
/// Response parser limits (header block size, header count, chunk-size line length), for
/// `PoolManagerBuilder::limits`.
pub use hip_core::h1::Limits;
/// urllib3's `SKIP_HEADER` and `SKIPPABLE_HEADERS`, and the `User-Agent` hip sends by
/// default (`hip/<version>`).
pub use hip_core::h1::{DEFAULT_USER_AGENT, SKIPPABLE_HEADERS, SKIP_HEADER};
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
    pub use hip_core::h1::{SKIPPABLE_HEADERS, SKIP_HEADER};
    pub use hip_core::request::{make_headers, AcceptEncoding, MakeHeaders};
    pub use hip_core::retry::{RequestHistory, Retries, Retry, RetryCount};
    pub use hip_core::timeout::{Timeout, TimeoutValue};
    pub use hip_core::url::{get_host, parse_url, split_first, Url};

    #[cfg(any(feature = "async", feature = "blocking"))]
    pub use hip_async::util::{
        allowed_gai_family, assert_fingerprint, create_connection, has_ipv6, is_connection_dropped,
        resolve_cert_reqs, resolve_ssl_version, rewind_body, set_file_position, ssl_wrap_socket,
        GaiFamily,
    };
}

/// Per-request phase timings ([`Timings`], `r.timings()`) and their [`Phase`](timings::Phase)s,
/// with curl's names for them.
pub mod timings {
    pub use hip_core::timings::{Phase, Timings};
}

/// The spec's `hip.response` content decoders.
pub mod response {
    pub use hip_core::decode::{supported_encodings, Coding, ContentDecoder};
}

/// Types both APIs share: pool options and identity, routes and proxies, TLS and socket
/// options, connectors and resolvers.
#[cfg(any(feature = "async", feature = "blocking"))]
pub use hip_async::{
    AssertHostname, AsyncIo, BoxIo, CertReqs, ConnectOptions, Connector, PoolKey, PoolKwargs,
    PoolOptions, ProxyConfig, RequestContext, RequestOptions, Resolve, Route, Scheme, SocketOption,
    SystemResolver, TcpConnector, TlsOptions, TlsVersion,
};

/// The spec's `hip.AsyncPoolManager` (and, built with a proxy, `hip.AsyncProxyManager`).
#[cfg(feature = "async")]
pub type AsyncPoolManager = hip_async::PoolManager;
/// The builder of [`AsyncPoolManager`].
#[cfg(feature = "async")]
pub type AsyncPoolManagerBuilder = hip_async::PoolManagerBuilder;
/// An async request being built (`AsyncPoolManager.request(...)`).
#[cfg(feature = "async")]
pub type AsyncRequestBuilder<'a> = hip_async::RequestBuilder<'a>;
/// A request body for the async API (bytes, text, `AsyncRead`ers, streams).
#[cfg(feature = "async")]
pub type AsyncBody = hip_async::Body;
/// The spec's `hip.AsyncHTTPConnectionPool`.
#[cfg(feature = "async")]
pub type AsyncHttpConnectionPool = hip_async::HttpConnectionPool;
/// The spec's `hip.AsyncHTTPSConnectionPool` (the same type, built with [`Scheme::Https`]).
#[cfg(feature = "async")]
pub type AsyncHttpsConnectionPool = hip_async::HttpsConnectionPool;
/// The spec's `hip.AsyncHTTPResponse`.
#[cfg(feature = "async")]
pub type AsyncHttpResponse = hip_async::HttpResponse;
/// Builds an [`AsyncHttpResponse`] in memory (the spec's `HTTPResponse(...)` constructor).
#[cfg(feature = "async")]
pub type AsyncHttpResponseBuilder = hip_async::HttpResponseBuilder;
/// The spec's `hip.AsyncProxyManager`: an [`AsyncPoolManager`] built with a proxy.
#[cfg(feature = "async")]
pub type AsyncProxyManager = hip_async::ProxyManager;

/// The spec's `connection_from_url(url, **kw)` for the async API.
#[cfg(feature = "async")]
pub use hip_async::connection_from_url as async_connection_from_url;

/// The spec's `proxy_from_url(url, **kw)` for the async API.
#[cfg(feature = "async")]
pub use hip_async::proxy_from_url as async_proxy_from_url;

/// The spec's `hip.contrib`: optional extras (feature `socks`).
#[cfg(feature = "socks")]
pub mod contrib {
    /// The spec's `hip.contrib.socks`: SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h proxies
    /// (`socks4://`, `socks4a://`, `socks5://`, `socks5h://` URLs, with `user:pass@`): a
    /// manager built with such a proxy URL (`PoolManager::with_proxy`, or
    /// `PoolManager::builder().proxy_url(..).proxy_username(..).proxy_password(..)`).
    pub mod socks {
        /// The spec's `hip.contrib.socks.SOCKSProxyManager`, blocking.
        #[cfg(feature = "blocking")]
        pub type SocksProxyManager = hip_blocking::PoolManager;

        /// The spec's spelling of [`SocksProxyManager`].
        #[cfg(feature = "blocking")]
        pub type SOCKSProxyManager = hip_blocking::PoolManager;

        /// The spec's `SOCKSProxyManager` for the async API.
        #[cfg(feature = "async")]
        pub type AsyncSocksProxyManager = hip_async::PoolManager;

        /// Which SOCKS flavour a proxy URL selects.
        pub use hip_async::SocksVersion;
    }
}

/// The spec's `disable_warnings()`: silences hip's warnings (events under `hip::warnings`).
#[cfg(any(feature = "async", feature = "blocking"))]
pub use hip_async::warnings::{disable_warning, disable_warnings, RECENT_DATE};

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

/// The blocking API (the hip-blocking crate), whose names are also at the root: the spec's
/// `PoolManager`, pools and `HTTPResponse` with the async API's names and arguments, run on
/// a private runtime.
#[cfg(feature = "blocking")]
pub use hip_blocking as blocking;

/// The spec's `hip.PoolManager`, `HTTPConnectionPool`, `HTTPSConnectionPool`, `HTTPResponse`,
/// `ProxyManager`, `connection_from_url(url, **kw)` and `proxy_from_url(url, **kw)`, with
/// their builders and bodies: the blocking API.
#[cfg(feature = "blocking")]
pub use hip_blocking::{
    connection_from_url, proxy_from_url, Body, HttpConnectionPool, HttpResponse,
    HttpResponseBuilder, HttpsConnectionPool, PoolManager, PoolManagerBuilder, ProxyManager,
    RequestBuilder,
};
