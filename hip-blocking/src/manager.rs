//! `PoolManager`: the spec's `PoolManager` (`hip.PoolManager`), blocking.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use hip_async::connect::{ConnectOptions, Connector, SocketOption};
use hip_async::tls::{CertReqs, TlsVersion};
use hip_async::{PoolKey, PoolOptions, RequestContext, RequestOptions};
use hip_core::h1::Limits;
use hip_core::retry::Retries;
use hip_core::timeout::Timeout;
use hip_core::{Error, HttpHeaderDict};

use crate::pool::HttpConnectionPool;
use crate::request::RequestBuilder;
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
        pool_kwargs: Option<PoolOptions>,
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
        pool_kwargs: Option<PoolOptions>,
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
    pub fn connection_from_pool_key(
        &self,
        key: PoolKey,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let pool = self.inner.connection_from_pool_key(key, pool_kwargs)?;
        Ok(self.wrap(pool))
    }

    /// The manager's pools share its runtime.
    fn wrap(&self, pool: hip_async::HttpConnectionPool) -> HttpConnectionPool {
        HttpConnectionPool::from_parts(pool, self.rt.clone())
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `url` must be absolute.
    pub fn request(&self, method: impl AsRef<str>, url: impl Into<String>) -> RequestBuilder<'_> {
        RequestBuilder::new(self.inner.request(method, url), &self.rt)
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

/// Configures a [`PoolManager`]: the spec's constructor keywords, one method each, each
/// forwarded to [`hip_async::PoolManagerBuilder`].
#[derive(Clone, Default)]
pub struct PoolManagerBuilder {
    inner: hip_async::PoolManagerBuilder,
}

impl fmt::Debug for PoolManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolManagerBuilder").finish_non_exhaustive()
    }
}

impl PoolManagerBuilder {
    fn map(
        self,
        f: impl FnOnce(hip_async::PoolManagerBuilder) -> hip_async::PoolManagerBuilder,
    ) -> Self {
        PoolManagerBuilder {
            inner: f(self.inner),
        }
    }

    /// `num_pools`: how many pools to keep (least recently used are closed). Default 10.
    pub fn num_pools(self, n: usize) -> Self {
        self.map(|b| b.num_pools(n))
    }

    /// `headers`: sent with every request that does not give its own.
    pub fn headers<K: Into<String>, V: Into<String>>(
        self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.map(|b| b.headers(headers))
    }

    /// `headers` as an `HttpHeaderDict`.
    pub fn header_dict(self, headers: HttpHeaderDict) -> Self {
        self.map(|b| b.header_dict(headers))
    }

    /// `maxsize`: connections kept per pool. Default 1.
    pub fn maxsize(self, n: usize) -> Self {
        self.map(|b| b.maxsize(n))
    }

    /// `block`: never more than `maxsize` connections per host.
    pub fn block(self, block: bool) -> Self {
        self.map(|b| b.block(block))
    }

    /// `timeout`: seconds or a [`Timeout`].
    pub fn timeout(self, timeout: impl Into<Timeout>) -> Self {
        self.map(|b| b.timeout(timeout))
    }

    /// `retries`: a count, `false`, or a `Retry`.
    pub fn retries(self, retries: impl Into<Retries>) -> Self {
        self.map(|b| b.retries(retries))
    }

    /// `cert_reqs`: `CertReqs::Required` (default) or `CertReqs::None`.
    pub fn cert_reqs(self, reqs: CertReqs) -> Self {
        self.map(|b| b.cert_reqs(reqs))
    }

    /// `ca_certs`: a PEM bundle of trusted CAs (replaces the platform roots).
    pub fn ca_certs(self, path: impl Into<PathBuf>) -> Self {
        self.map(|b| b.ca_certs(path))
    }

    /// `ca_cert_dir`: a directory of PEM CA files (replaces the platform roots).
    pub fn ca_cert_dir(self, path: impl Into<PathBuf>) -> Self {
        self.map(|b| b.ca_cert_dir(path))
    }

    /// `cert_file`: the client certificate chain (PEM).
    pub fn cert_file(self, path: impl Into<PathBuf>) -> Self {
        self.map(|b| b.cert_file(path))
    }

    /// `key_file`: the client private key (PEM), when not inside `cert_file`.
    pub fn key_file(self, path: impl Into<PathBuf>) -> Self {
        self.map(|b| b.key_file(path))
    }

    /// `key_password`: decrypts an encrypted PKCS#8 `key_file`.
    pub fn key_password(self, password: impl Into<String>) -> Self {
        self.map(|b| b.key_password(password))
    }

    /// `assert_hostname`: check the certificate against this name instead of the host.
    pub fn assert_hostname(self, name: impl Into<String>) -> Self {
        self.map(|b| b.assert_hostname(name))
    }

    /// `assert_hostname=False`: verify the chain but not the name.
    pub fn no_assert_hostname(self) -> Self {
        self.map(|b| b.no_assert_hostname())
    }

    /// `assert_fingerprint`: pin the server certificate by its SHA-256, SHA-1 or MD5 digest.
    pub fn assert_fingerprint(self, fingerprint: impl Into<String>) -> Self {
        self.map(|b| b.assert_fingerprint(fingerprint))
    }

    /// `server_hostname`: the SNI name to send.
    pub fn server_hostname(self, name: impl Into<String>) -> Self {
        self.map(|b| b.server_hostname(name))
    }

    /// `ssl_version`, modernised: the minimum TLS version.
    pub fn ssl_minimum_version(self, v: TlsVersion) -> Self {
        self.map(|b| b.ssl_minimum_version(v))
    }

    /// `ssl_context`: a caller-built rustls configuration.
    pub fn ssl_context(self, config: Arc<rustls::ClientConfig>) -> Self {
        self.map(|b| b.ssl_context(config))
    }

    /// `source_address`: the local address to connect from.
    pub fn source_address(self, addr: std::net::SocketAddr) -> Self {
        self.map(|b| b.source_address(addr))
    }

    /// `socket_options`: options applied to each new socket.
    pub fn socket_options(self, options: impl IntoIterator<Item = SocketOption>) -> Self {
        self.map(|b| b.socket_options(options))
    }

    /// The spec's `backend`: how connections are opened (it runs on the manager's runtime).
    pub fn connector(self, connector: impl Connector) -> Self {
        self.map(|b| b.connector(connector))
    }

    /// Response parser limits (header block size, header count, chunk line length).
    pub fn limits(self, limits: Limits) -> Self {
        self.map(|b| b.limits(limits))
    }

    /// Replaces the socket options as a whole.
    pub fn connect_options(self, connect: ConnectOptions) -> Self {
        self.map(|b| b.connect_options(connect))
    }

    /// Replaces all pool options at once (the spec's `**connection_pool_kw`).
    pub fn pool_options(self, opts: PoolOptions) -> Self {
        self.map(|b| b.pool_options(opts))
    }

    /// Builds the manager and starts its runtime, checking the settings (timeouts, TLS
    /// files) now. Runtime start-up failure is an `ErrorKind::Runtime` error.
    pub fn build(self) -> Result<PoolManager, Error> {
        let inner = self.inner.build()?;
        Ok(PoolManager {
            inner,
            rt: Runtime::new()?,
        })
    }
}
