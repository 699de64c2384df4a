//! `HttpConnectionPool`: the spec's connection pool for one host, blocking.

use std::fmt;

use hip_async::{PoolOptions, RequestOptions, Scheme};
use hip_core::url::IntoUrl;
use hip_core::Error;

use crate::body::Body;
use crate::request::{BlockingFlavor, RequestBuilder};
use crate::response::HttpResponse;
use crate::runtime::Runtime;

/// A pool of connections to one host: the spec's `HTTPConnectionPool` (`hip.HTTPConnectionPool`)
/// and, built with [`Scheme::Https`], its `HTTPSConnectionPool`. Blocking: each request
/// runs [`hip_async::HttpConnectionPool`] on a private runtime. Cheap to clone (clones share
/// the connections and the runtime); `Send + Sync`, usable from many threads at once.
///
/// ```no_run
/// # fn demo() -> Result<(), hip_core::Error> {
/// let pool = hip_blocking::connection_from_url(
///     "http://127.0.0.1:8080",
///     hip_blocking::PoolOptions::new().maxsize(4),
/// )?;
/// let r = pool.request("GET", "/get").send()?;
/// assert_eq!(r.status(), 200);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpConnectionPool {
    // Declared before `rt`: idle connections are dropped while their runtime still exists.
    inner: hip_async::HttpConnectionPool,
    rt: Runtime,
}

/// The spec's `HTTPSConnectionPool`: the same type, built with [`Scheme::Https`].
pub type HttpsConnectionPool = HttpConnectionPool;

impl fmt::Debug for HttpConnectionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl HttpConnectionPool {
    /// The spec's `HTTPConnectionPool(host, port, ...)` / `HTTPSConnectionPool(...)`, with
    /// its own runtime. `port` None means the scheme's default. Fails with
    /// `ErrorKind::Runtime` when the runtime cannot start, and as the async constructor does
    /// on bad settings.
    pub fn new(
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        opts: PoolOptions,
    ) -> Result<Self, Error> {
        let inner = hip_async::HttpConnectionPool::new(scheme, host, port, opts)?;
        Ok(HttpConnectionPool {
            inner,
            rt: Runtime::new()?,
        })
    }

    pub(crate) fn from_parts(inner: hip_async::HttpConnectionPool, rt: Runtime) -> Self {
        HttpConnectionPool { inner, rt }
    }

    /// The spec's `scheme`.
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme()
    }

    /// The host this pool connects to.
    pub fn host(&self) -> &str {
        self.inner.host()
    }

    /// The port this pool connects to.
    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// The options the pool was built with.
    pub fn options(&self) -> &PoolOptions {
        self.inner.options()
    }

    /// How many connections this pool has opened so far (the spec's `num_connections`).
    pub fn num_connections(&self) -> u64 {
        self.inner.num_connections()
    }

    /// How many requests this pool has sent (the spec's `num_requests`).
    pub fn num_requests(&self) -> u64 {
        self.inner.num_requests()
    }

    /// How many idle connections wait in the pool right now.
    pub fn num_idle(&self) -> usize {
        self.inner.num_idle()
    }

    /// With `block(true)`: how many more connections could be checked out right now.
    pub fn available_slots(&self) -> Option<usize> {
        self.inner.available_slots()
    }

    /// True once [`HttpConnectionPool::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The spec's `close()`: closes every idle connection and refuses further requests
    /// (ClosedPoolError).
    pub fn close(&self) {
        self.inner.close()
    }

    /// How the pool's connections reach the host: directly or through a proxy.
    pub fn route(&self) -> &hip_async::Route {
        self.inner.route()
    }

    /// The spec's `is_same_host(url)`.
    pub fn is_same_host(&self, url: &str) -> bool {
        self.inner.is_same_host(url)
    }

    /// The spec's `urlopen(method, url, **kw)`: the lowest-level request call, with
    /// retries and (same-host) redirects. `url` is a path or an absolute URL on this host.
    pub fn urlopen(
        &self,
        method: &str,
        url: &str,
        opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        let resp = self.rt.block_on(self.inner.urlopen(method, url, opts))??;
        Ok(HttpResponse::new(resp, self.rt.clone()))
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `method` is a `&str` or an `http::Method`; `url` a path or an absolute URL on this
    /// host, as a `&str`, `String`, `hip::Url` or `http::Uri`.
    pub fn request(&self, method: impl AsRef<str>, url: impl IntoUrl) -> RequestBuilder {
        self.inner
            .request_with(BlockingFlavor::new(&self.rt), method, url)
    }

    /// Starts a request from an `http::Request` (method, URI, headers, body), as
    /// [`crate::PoolManager::request_http`] does; the URI is a path or a URL on this host.
    pub fn request_http<B: Into<Body>>(&self, request: http::Request<B>) -> RequestBuilder {
        self.inner
            .request_http_with(BlockingFlavor::new(&self.rt), request)
    }

    /// Sends an `http::Request`: `request_http(request).send()`.
    pub fn send_http<B: Into<Body>>(
        &self,
        request: http::Request<B>,
    ) -> Result<HttpResponse, Error> {
        self.request_http(request).send()
    }
}

/// The spec's `connection_from_url(url, **kw)`: a blocking pool (with its own runtime) for
/// the URL's scheme, host and port.
pub fn connection_from_url(url: &str, opts: PoolOptions) -> Result<HttpConnectionPool, Error> {
    let inner = hip_async::connection_from_url(url, opts)?;
    Ok(HttpConnectionPool {
        inner,
        rt: Runtime::new()?,
    })
}
