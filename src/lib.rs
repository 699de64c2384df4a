//! hip: an HTTP/1.1 client with the whole API of Hip, the Python client (a urllib3
//! descendant), async-first on tokio with a blocking facade of the same shape, over one
//! sans-IO core (`hip-core`).
//!
//! The spec's names are the blocking API, at the root ([`PoolManager`], [`HttpResponse`],
//! ...); every async type carries `Async` in its name ([`AsyncPoolManager`],
//! [`AsyncHttpResponse`], ...). Both run the same request pipeline: one pool per typed
//! [`PoolKey`], retries and redirects by [`Retry`], timeouts by [`Timeout`], TLS verified
//! by default (rustls with ring).
//!
//! # Blocking and async, side by side
//!
//! ```no_run
//! // Blocking: the spec's names.
//! fn blocking() -> Result<(), hip::Error> {
//!     let http = hip::PoolManager::new()?;
//!     let r = http.request("GET", "https://example.org/get").fields([("q", "rust")]).send()?;
//!     println!("{} {}", r.status(), r.text());
//!     Ok(())
//! }
//!
//! // Async: the same calls, awaited.
//! async fn async_api() -> Result<(), hip::Error> {
//!     let http = hip::AsyncPoolManager::new()?;
//!     let r = http.request("GET", "https://example.org/get").fields([("q", "rust")]).send().await?;
//!     println!("{} {}", r.status(), r.text());
//!     Ok(())
//! }
//! ```
//!
//! A request is a builder with the spec's keywords (`headers`, `fields`, `body`, `json`,
//! `retries`, `timeout`, `redirect`, `preload_content`, ...); `send()` returns the
//! response with its body read (`data()`, `text()`), unless `preload_content(false)`.
//!
//! # Streaming
//!
//! ```no_run
//! # fn blocking() -> Result<(), Box<dyn std::error::Error>> {
//! // Blocking: the response is a `std::io::Read`.
//! let http = hip::PoolManager::new()?;
//! let mut r = http.request("GET", "https://example.org/large").preload_content(false).send()?;
//! let mut file = std::fs::File::create("large.bin")?;
//! std::io::copy(&mut r, &mut file)?;
//! # Ok(()) }
//! # async fn async_api() -> Result<(), hip::Error> {
//! // Async: `stream(amt)` yields chunks of at most `amt` bytes (and the response is a
//! // `tokio::io::AsyncRead`).
//! use futures_util::StreamExt;
//! let http = hip::AsyncPoolManager::new()?;
//! let mut r = http.request("GET", "https://example.org/large").preload_content(false).send().await?;
//! let mut stream = r.stream(64 * 1024);
//! while let Some(chunk) = stream.next().await {
//!     let chunk = chunk?;
//!     println!("{} bytes", chunk.len());
//! }
//! # Ok(()) }
//! ```
//!
//! # Retries and timeouts
//!
//! ```no_run
//! use hip::{Retry, Timeout};
//! # fn demo() -> Result<(), hip::Error> {
//! let http = hip::PoolManager::builder()
//!     .retries(Retry::new(5).backoff_factor(0.2).status_forcelist([502, 503, 504]))
//!     .timeout(Timeout::new().connect(2.0).read(10.0))
//!     .build()?;
//! // Per request, overriding the manager's; `deadline` bounds the whole call, retries and
//! // redirects included (a hip addition).
//! let r = http
//!     .request("GET", "https://example.org/flaky")
//!     .retries(Retry::new(2).redirect(0))
//!     .timeout(5.0)
//!     .deadline(30.0)
//!     .send()?;
//! if let Some(retries) = r.retries() {
//!     for step in &retries.history {
//!         println!("{:?} {:?} -> {:?}", step.method, step.url, step.status);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # TLS
//!
//! Verified by default, against the platform's roots (feature `native-roots`) or Mozilla's
//! (`webpki-roots`). The spec's TLS keywords are builder methods:
//!
//! ```no_run
//! # fn demo() -> Result<(), hip::Error> {
//! let http = hip::PoolManager::builder()
//!     .ca_certs("/etc/my-ca.pem")
//!     .cert_file("client.pem")
//!     .key_file("client.key")
//!     .ssl_minimum_version(hip::TlsVersion::Tls13)
//!     .build()?;
//! // Pin the server's certificate instead of (or besides) the CA.
//! let pinned = hip::PoolManager::builder()
//!     .assert_fingerprint("AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD")
//!     .build()?;
//! # let _ = (http, pinned); Ok(()) }
//! ```
//!
//! # Proxies
//!
//! ```no_run
//! # fn demo() -> Result<(), hip::Error> {
//! // The spec's ProxyManager: http:// forwarded, https:// through a CONNECT tunnel.
//! let http = hip::ProxyManager::with_proxy("http://user:pass@proxy.example:3128")?;
//! // Or from http_proxy / https_proxy / all_proxy / no_proxy (off by default, as in urllib3).
//! let from_env = hip::PoolManager::builder().proxy_from_env(true).build()?;
//! # let _ = (http, from_env); Ok(()) }
//! ```
//!
//! SOCKS4/4a/5/5h proxies come with the `socks` feature (`socks5h://` URLs, or
//! `contrib::socks::SocksProxyManager`).
//!
//! # Errors
//!
//! One [`Error`] type; its [`ErrorKind`] names the spec's exception, and predicates answer
//! the questions a caller asks:
//!
//! ```no_run
//! # fn demo() {
//! let http = hip::PoolManager::new().unwrap();
//! match http.request("GET", "https://example.org/").timeout(1.0).send() {
//!     Ok(r) => println!("{}", r.status()),
//!     Err(e) if e.is_timeout() => eprintln!("timed out: {e}"),
//!     Err(e) if e.is_ssl() => eprintln!("TLS failed: {e}"),
//!     Err(e) if e.kind() == hip::ErrorKind::MaxRetry => {
//!         // `{:#}` shows the chain: what the last attempt ran into.
//!         eprintln!("gave up: {e:#}");
//!         if let Some(cause) = e.reason() {
//!             eprintln!("because: {}", cause.kind());
//!         }
//!     }
//!     Err(e) => eprintln!("{e}"),
//! }
//! # }
//! ```
//!
//! # Features
//!
//! | feature          | default | adds |
//! |------------------|---------|------|
//! | `async`          | yes     | [`AsyncPoolManager`] and the other async types |
//! | `blocking`       | yes     | [`PoolManager`] and the other blocking types |
//! | `native-roots`   | yes     | trust the platform's certificate store |
//! | `webpki-roots`   | no      | trust Mozilla's roots compiled in |
//! | `gzip`, `deflate`| yes     | `Content-Encoding: gzip`, `deflate` |
//! | `brotli`, `zstd` | no      | `Content-Encoding: br`, `zstd` |
//! | `json`           | no      | `json()` on requests and responses (serde) |
//! | `socks`          | no      | SOCKS proxies |
//! | `encrypted-keys` | no      | `key_password` for encrypted PKCS#8 client keys |
//! | `stderr-logger`  | no      | `add_stderr_logger` (tracing-subscriber) |
//!
//! # From Python to Rust
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
//! # Rust names and the `http` crate
//!
//! Beside the spec's names, the calls Rust users look for, and the `http` crate's types
//! ([`http`], re-exported): `r.header(..)` and `r.redirect_location()` (the spec's
//! `getheader` and `get_redirect_location`), `r.status_code()`, `r.error_for_status()`,
//! methods as `http::Method`, URLs as `http::Uri` or [`Url`] ([`IntoUrl`]), `http::Request`s
//! sent as they are, responses as `http::Response`s, `hip::Error` as `std::io::Error`,
//! timeouts as `Duration`s, and request futures `tokio::spawn` takes:
//!
//! ```no_run
//! # async fn demo() -> Result<(), hip::Error> {
//! use std::time::Duration;
//! use hip::http;
//!
//! let client = hip::AsyncPoolManager::builder().timeout(Duration::from_secs(5)).build()?;
//! let req = http::Request::post("http://127.0.0.1:8080/post").body("hello").unwrap();
//! let task = tokio::spawn(client.send_http(req));
//! let r = task.await.unwrap()?.error_for_status()?;
//! let r: http::Response<_> = r.into_http().await?;
//! assert_eq!(r.status(), http::StatusCode::OK);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use hip_core::{Error, ErrorKind, HttpHeaderDict, Result, Timings, TunnelResponse, Warning};

/// The `http` crate (version 1) whose types hip takes and gives (`http::Method`,
/// `http::Uri`, `http::Request`, `http::Response`, `http::StatusCode`, `HeaderMap`), so
/// callers can name them without a dependency of their own.
pub use http;

pub use hip_core::filepost::encode_multipart_formdata;
/// Response parser limits (header block size, header count, chunk-size line length), for
/// `PoolManagerBuilder::limits`.
pub use hip_core::h1::Limits;
/// urllib3's `SKIP_HEADER` and `SKIPPABLE_HEADERS`, and the `User-Agent` hip sends by
/// default (`hip/<version>`).
pub use hip_core::h1::{DEFAULT_USER_AGENT, SKIPPABLE_HEADERS, SKIP_HEADER};
pub use hip_core::request::{make_headers, MakeHeaders};
pub use hip_core::retry::{RequestHistory, Retries, Retry};
pub use hip_core::timeout::{Seconds, Timeout, TimeoutValue};
pub use hip_core::url::{get_host, parse_url, IntoUrl, Url};

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
    pub use hip_core::timeout::{Seconds, Timeout, TimeoutValue};
    pub use hip_core::url::{get_host, parse_url, split_first, IntoUrl, Url};

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
    AssertHostname, AsyncIo, BoxIo, CertReqs, ConnectOptions, Connector, NoProxy, PoolKey,
    PoolKwargs, PoolOptions, ProxyConfig, RequestContext, RequestOptions, Resolve, Route, Scheme,
    SocketOption, SystemResolver, TcpConnector, TlsOptions, TlsVersion,
};

/// The spec's `hip.AsyncPoolManager` (and, built with a proxy, `hip.AsyncProxyManager`).
#[cfg(feature = "async")]
pub type AsyncPoolManager = hip_async::PoolManager;
/// The builder of [`AsyncPoolManager`].
#[cfg(feature = "async")]
pub type AsyncPoolManagerBuilder = hip_async::PoolManagerBuilder;
/// An async request being built (`AsyncPoolManager.request(...)`).
#[cfg(feature = "async")]
pub type AsyncRequestBuilder = hip_async::RequestBuilder;
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
/// The body of the `http::Response` that `AsyncHttpResponse::into_http_streaming` makes:
/// a `Stream` of the response body's chunks.
#[cfg(feature = "async")]
pub type AsyncResponseStream = hip_async::ResponseStream;
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
    RequestBuilder, ResponseReader,
};
