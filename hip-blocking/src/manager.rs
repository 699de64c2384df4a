//! `PoolManager`: the spec's `PoolManager` (`hip.PoolManager`), blocking.

use std::fmt;

use hip_async::{PoolKey, PoolOptions, ProxyConfig, RequestContext, RequestOptions, Scheme};
use hip_core::url::IntoUrl;
use hip_core::{Error, HttpHeaderDict};

use crate::body::Body;
use crate::pool::HttpConnectionPool;
use crate::request::{BlockingFlavor, PoolManagerBuilder, RequestBuilder};
use crate::response::HttpResponse;
use crate::runtime::Runtime;

/// The spec's `PoolManager(num_pools=10, headers=None, backend=None, **connection_pool_kw)`,
/// blocking: [`hip_async::PoolManager`] run on a private current-thread runtime.
///
/// Cheap to clone: clones share the pools and the runtime. `Send + Sync`: many threads can
/// send requests through one manager at the same time, and they proceed concurrently (no
/// lock is held around a request). Every call that waits returns an `ErrorKind::Runtime`
/// error when made from inside an async runtime, where `hip::AsyncPoolManager` belongs.
///
/// ```no_run
/// # fn demo() -> Result<(), hip_core::Error> {
/// let http = hip_blocking::PoolManager::builder().maxsize(10).block(true).build()?;
/// let r = http.request("GET", "http://127.0.0.1:8080/get").fields([("a", "b")]).send()?;
/// assert_eq!(r.status(), 200);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PoolManager {
    // Declared before `rt`: pooled connections are dropped while their runtime still exists.
    inner: hip_async::PoolManager,
    rt: Runtime,
}

impl fmt::Debug for PoolManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl PoolManager {
    /// A manager with the spec's defaults (10 pools of `maxsize` 1, 3 retries, verified
    /// TLS). Fails with `ErrorKind::Runtime` when its runtime cannot start.
    pub fn new() -> Result<Self, Error> {
        PoolManager::builder().build()
    }

    /// Starts configuring a manager.
    pub fn builder() -> PoolManagerBuilder {
        PoolManagerBuilder::default()
    }

    /// The spec's `ProxyManager(proxy_url)` (or, for a `socks*://` URL,
    /// `SOCKSProxyManager(proxy_url)`) with the other arguments at their defaults.
    pub fn with_proxy(proxy_url: &str) -> Result<Self, Error> {
        PoolManager::builder().proxy_url(proxy_url).build()
    }

    pub(crate) fn from_parts(inner: hip_async::PoolManager, rt: Runtime) -> Self {
        PoolManager { inner, rt }
    }

    /// The async manager underneath (same pools, same options).
    pub fn as_async(&self) -> &hip_async::PoolManager {
        &self.inner
    }

    /// The proxy every request goes through, if any.
    pub fn proxy_config(&self) -> Option<&ProxyConfig> {
        self.inner.proxy_config()
    }

    /// The spec's `ProxyManager.proxy`: the proxy URL without credentials.
    pub fn proxy(&self) -> Option<String> {
        self.inner.proxy()
    }

    /// The spec's `ProxyManager.proxy_headers`.
    pub fn proxy_headers(&self) -> Option<&HttpHeaderDict> {
        self.inner.proxy_headers()
    }

    /// The key a request to `scheme://host:port` is filed under.
    pub fn pool_key(
        &self,
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        pool_kwargs: Option<hip_async::PoolKwargs>,
    ) -> Result<PoolKey, Error> {
        self.inner.pool_key(scheme, host, port, pool_kwargs)
    }

    /// The manager's default headers (the spec's `headers`).
    pub fn headers(&self) -> &HttpHeaderDict {
        self.inner.headers()
    }

    /// The options new pools get (the spec's `connection_pool_kw`).
    pub fn connection_pool_kw(&self) -> &PoolOptions {
        self.inner.connection_pool_kw()
    }

    /// `len(manager.pools)`.
    pub fn pools_len(&self) -> usize {
        self.inner.pools_len()
    }

    /// The spec's `clear()`: forgets every pool and closes it.
    pub fn clear(&self) {
        self.inner.clear()
    }

    /// The spec's `connection_from_host(host, port=None, scheme='http', pool_kwargs=None)`.
    pub fn connection_from_host(
        &self,
        host: &str,
        port: Option<u16>,
        scheme: &str,
        pool_kwargs: Option<hip_async::PoolKwargs>,
    ) -> Result<HttpConnectionPool, Error> {
        let pool = self
            .inner
            .connection_from_host(host, port, scheme, pool_kwargs)?;
        Ok(self.wrap(pool))
    }

    /// The spec's `connection_from_url(url, pool_kwargs=None)`.
    pub fn connection_from_url(
        &self,
        url: &str,
        pool_kwargs: Option<hip_async::PoolKwargs>,
    ) -> Result<HttpConnectionPool, Error> {
        let pool = self.inner.connection_from_url(url, pool_kwargs)?;
        Ok(self.wrap(pool))
    }

    /// The spec's `connection_from_context(request_context)`.
    pub fn connection_from_context(
        &self,
        ctx: RequestContext,
    ) -> Result<HttpConnectionPool, Error> {
        let pool = self.inner.connection_from_context(ctx)?;
        Ok(self.wrap(pool))
    }

    /// The spec's `connection_from_pool_key(pool_key, request_context=None)`.
    pub fn connection_from_pool_key(&self, key: PoolKey) -> Result<HttpConnectionPool, Error> {
        let pool = self.inner.connection_from_pool_key(key)?;
        Ok(self.wrap(pool))
    }

    /// The manager's pools share its runtime.
    fn wrap(&self, pool: hip_async::HttpConnectionPool) -> HttpConnectionPool {
        HttpConnectionPool::from_parts(pool, self.rt.clone())
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `method` is a `&str` (any case) or an `http::Method`; `url` must be absolute, given as
    /// a `&str`, `String`, `hip::Url` or `http::Uri` (see [`hip_core::url::IntoUrl`]).
    pub fn request(&self, method: impl AsRef<str>, url: impl IntoUrl) -> RequestBuilder {
        self.inner
            .request_with(BlockingFlavor::new(&self.rt), method, url)
    }

    /// Starts a request from an `http::Request`: its method, URI (absolute), headers and
    /// body (any type [`Body`] converts from: `()`, `Bytes`, `String`, `Vec<u8>`, [`Body`]
    /// itself). As [`hip_async::PoolManager::request_http`]: headers, when the request has
    /// any, replace the manager's defaults; a version other than HTTP/1.1 fails at `send()`.
    ///
    /// ```no_run
    /// # fn demo(http: hip_blocking::PoolManager) -> Result<(), hip_core::Error> {
    /// let req = http::Request::get("http://127.0.0.1:8080/get").body(()).unwrap();
    /// let r = http.request_http(req).timeout(5.0).send()?;
    /// # Ok(()) }
    /// ```
    pub fn request_http<B: Into<Body>>(&self, request: http::Request<B>) -> RequestBuilder {
        self.inner
            .request_http_with(BlockingFlavor::new(&self.rt), request)
    }

    /// Sends an `http::Request` (see [`PoolManager::request_http`]):
    /// `request_http(request).send()`.
    pub fn send_http<B: Into<Body>>(
        &self,
        request: http::Request<B>,
    ) -> Result<HttpResponse, Error> {
        self.request_http(request).send()
    }

    /// The spec's `urlopen(method, url, redirect=True, **kw)`, with redirects followed across
    /// hosts.
    pub fn urlopen(
        &self,
        method: &str,
        url: &str,
        opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        let resp = self.rt.block_on(self.inner.urlopen(method, url, opts))??;
        Ok(HttpResponse::new(resp, self.rt.clone()))
    }
}

/// The spec's `ProxyManager`, blocking: a [`PoolManager`] built with an HTTP proxy.
pub type ProxyManager = PoolManager;

/// The spec's `hip.contrib.socks.SOCKSProxyManager`, blocking: a [`PoolManager`] built with
/// a SOCKS proxy URL (feature `socks`).
#[cfg(feature = "socks")]
pub type SocksProxyManager = PoolManager;

/// The spec's `proxy_from_url(url, **kw)`, blocking.
pub fn proxy_from_url(url: &str) -> Result<ProxyManager, Error> {
    PoolManager::with_proxy(url)
}
