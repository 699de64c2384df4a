//! `ProxyManager`, `proxy_from_url` and (feature `socks`) `SocksProxyManager`: the spec's
//! proxy managers, blocking. Each wraps its [`hip_async`] twin and runs it on a private
//! runtime shared by its clones, its pools and its responses, as [`crate::PoolManager`] does.

use std::fmt;

use hip_async::{PoolOptions, RequestOptions};
use hip_core::{Error, HttpHeaderDict};

use crate::pool::HttpConnectionPool;
use crate::request::RequestBuilder;
use crate::response::HttpResponse;
use crate::runtime::Runtime;

/// The spec's `ProxyManager(proxy_url, num_pools=10, headers=None, proxy_headers=None,
/// **connection_pool_kw)` (`hip.ProxyManager`), blocking: [`hip_async::ProxyManager`] on a
/// private runtime. `http://` URLs are forwarded through ONE pool to the proxy (absolute-form
/// targets, proxy headers on each request); `https://` URLs get a pool per host whose
/// connections are CONNECT tunnels (proxy headers on the CONNECT only), then TLS to the
/// destination. See [`hip_async::ProxyManager`] for the details.
///
/// ```no_run
/// # fn demo() -> Result<(), hip_core::Error> {
/// let proxy = hip_blocking::ProxyManager::new("http://localhost:3128/")?;
/// proxy.request("GET", "http://google.com/").send()?;
/// proxy.request("GET", "http://httpbin.org/").send()?;
/// assert_eq!(proxy.pools_len(), 1);
/// proxy.request("GET", "https://httpbin.org/").send()?;
/// proxy.request("GET", "https://twitter.com/").send()?;
/// assert_eq!(proxy.pools_len(), 3);
/// # Ok(())
/// # }
/// ```
///
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct ProxyManager {
    // Declared before `rt`: pooled connections are dropped while their runtime still exists.
    inner: hip_async::ProxyManager,
    rt: Runtime,
}

impl fmt::Debug for ProxyManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl ProxyManager {
    /// The spec's `ProxyManager(proxy_url)`. Errors: `ErrorKind::ProxySchemeUnknown` for a
    /// scheme other than `http`/`https`, `ErrorKind::Runtime` when the runtime cannot start.
    pub fn new(proxy_url: &str) -> Result<Self, Error> {
        ProxyManager::builder(proxy_url).build()
    }

    /// Starts configuring a manager for the proxy at `proxy_url`.
    pub fn builder(proxy_url: impl Into<String>) -> ProxyManagerBuilder {
        ProxyManagerBuilder {
            inner: hip_async::ProxyManager::builder(proxy_url),
        }
    }

    /// The async manager underneath.
    pub fn as_async(&self) -> &hip_async::ProxyManager {
        &self.inner
    }

    /// The spec's `proxy`: the proxy URL, without credentials.
    pub fn proxy(&self) -> String {
        self.inner.proxy()
    }

    /// The spec's `proxy_headers` (with `Proxy-Authorization` from the URL's credentials).
    pub fn proxy_headers(&self) -> &HttpHeaderDict {
        self.inner.proxy_headers()
    }

    /// The manager's default headers (the spec's `headers`).
    pub fn headers(&self) -> &HttpHeaderDict {
        self.inner.headers()
    }

    /// The options new pools get (the spec's `connection_pool_kw`), without the proxy.
    pub fn connection_pool_kw(&self) -> &PoolOptions {
        self.inner.connection_pool_kw()
    }

    /// `len(proxy.pools)`.
    pub fn pools_len(&self) -> usize {
        self.inner.pools_len()
    }

    /// The spec's `clear()`: forgets every pool and closes it.
    pub fn clear(&self) {
        self.inner.clear()
    }

    /// The spec's `ProxyManager.connection_from_host(host, port=None, scheme='http',
    /// pool_kwargs=None)`: the pool to the proxy for `http`, a tunnelling pool for `https`.
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
        Ok(HttpConnectionPool::from_parts(pool, self.rt.clone()))
    }

    /// The spec's `connection_from_url(url, pool_kwargs=None)`.
    pub fn connection_from_url(
        &self,
        url: &str,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let pool = self.inner.connection_from_url(url, pool_kwargs)?;
        Ok(HttpConnectionPool::from_parts(pool, self.rt.clone()))
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `url` must be absolute.
    pub fn request(&self, method: impl AsRef<str>, url: impl Into<String>) -> RequestBuilder<'_> {
        RequestBuilder::new(self.inner.request(method, url), &self.rt)
    }

    /// The spec's `ProxyManager.urlopen(method, url, redirect=True, **kw)`.
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

/// The spec's `proxy_from_url(url, **kw)` (`hip.proxy_from_url`), blocking.
pub fn proxy_from_url(url: &str) -> Result<ProxyManager, Error> {
    ProxyManager::new(url)
}

/// Configures a [`ProxyManager`]: `proxy_headers` and every keyword of
/// [`crate::PoolManagerBuilder`], each forwarded to [`hip_async::ProxyManagerBuilder`].
#[derive(Clone)]
pub struct ProxyManagerBuilder {
    inner: hip_async::ProxyManagerBuilder,
}

impl fmt::Debug for ProxyManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyManagerBuilder")
            .finish_non_exhaustive()
    }
}

impl ProxyManagerBuilder {
    fn map(
        self,
        f: impl FnOnce(hip_async::ProxyManagerBuilder) -> hip_async::ProxyManagerBuilder,
    ) -> Self {
        ProxyManagerBuilder {
            inner: f(self.inner),
        }
    }

    /// The spec's `proxy_headers`: sent to the proxy with every `http://` request and on
    /// each CONNECT. Adds to the headers given so far.
    pub fn proxy_headers<K: Into<String>, V: Into<String>>(
        self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.map(|b| b.proxy_headers(headers))
    }

    /// `proxy_headers` as an `HttpHeaderDict` (replacing those given so far).
    pub fn proxy_header_dict(self, headers: HttpHeaderDict) -> Self {
        self.map(|b| b.proxy_header_dict(headers))
    }

    /// Builds the manager and starts its runtime.
    pub fn build(self) -> Result<ProxyManager, Error> {
        let inner = self.inner.build()?;
        Ok(ProxyManager {
            inner,
            rt: Runtime::new()?,
        })
    }
}

hip_async::__forward_pool_manager_builder!(ProxyManagerBuilder);

#[cfg(feature = "socks")]
pub use self::socks::{SocksProxyManager, SocksProxyManagerBuilder};

#[cfg(feature = "socks")]
mod socks {
    use super::*;

    /// The spec's `hip.contrib.socks.SOCKSProxyManager(proxy_url, username=None,
    /// password=None, ...)`, blocking (feature `socks`): [`hip_async::SocksProxyManager`] on
    /// a private runtime. `socks4://`, `socks4a://`, `socks5://` and `socks5h://` URLs;
    /// `user:pass@` or [`SocksProxyManagerBuilder::username`]/[`SocksProxyManagerBuilder::password`].
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), hip_core::Error> {
    /// let proxy = hip_blocking::SocksProxyManager::new("socks5h://localhost:8889/")?;
    /// let r = proxy.request("GET", "http://google.com/").send()?;
    /// # Ok(())
    /// # }
    /// ```
    #[derive(Clone)]
    pub struct SocksProxyManager {
        inner: hip_async::SocksProxyManager,
        rt: Runtime,
    }

    impl fmt::Debug for SocksProxyManager {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.inner.fmt(f)
        }
    }

    impl SocksProxyManager {
        /// The spec's `SOCKSProxyManager(proxy_url)`.
        pub fn new(proxy_url: &str) -> Result<Self, Error> {
            SocksProxyManager::builder(proxy_url).build()
        }

        /// Starts configuring a manager for the SOCKS proxy at `proxy_url`.
        pub fn builder(proxy_url: impl Into<String>) -> SocksProxyManagerBuilder {
            SocksProxyManagerBuilder {
                inner: hip_async::SocksProxyManager::builder(proxy_url),
            }
        }

        /// The async manager underneath.
        pub fn as_async(&self) -> &hip_async::SocksProxyManager {
            &self.inner
        }

        /// The spec's `proxy_url`, without credentials.
        pub fn proxy_url(&self) -> String {
            self.inner.proxy_url()
        }

        /// Which SOCKS flavour the URL selected.
        pub fn version(&self) -> hip_async::SocksVersion {
            self.inner.version()
        }

        /// The manager's default headers (the spec's `headers`).
        pub fn headers(&self) -> &HttpHeaderDict {
            self.inner.headers()
        }

        /// The options new pools get (the spec's `connection_pool_kw`), without the proxy.
        pub fn connection_pool_kw(&self) -> &PoolOptions {
            self.inner.connection_pool_kw()
        }

        /// `len(proxy.pools)`: one per destination.
        pub fn pools_len(&self) -> usize {
            self.inner.pools_len()
        }

        /// The spec's `clear()`.
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
            Ok(HttpConnectionPool::from_parts(pool, self.rt.clone()))
        }

        /// The spec's `connection_from_url(url, pool_kwargs=None)`.
        pub fn connection_from_url(
            &self,
            url: &str,
            pool_kwargs: Option<PoolOptions>,
        ) -> Result<HttpConnectionPool, Error> {
            let pool = self.inner.connection_from_url(url, pool_kwargs)?;
            Ok(HttpConnectionPool::from_parts(pool, self.rt.clone()))
        }

        /// Starts a request; `url` must be absolute.
        pub fn request(
            &self,
            method: impl AsRef<str>,
            url: impl Into<String>,
        ) -> RequestBuilder<'_> {
            RequestBuilder::new(self.inner.request(method, url), &self.rt)
        }

        /// The spec's `urlopen(method, url, redirect=True, **kw)`, through the proxy.
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

    /// Configures a [`SocksProxyManager`]: `username`, `password` and every keyword of
    /// [`crate::PoolManagerBuilder`].
    #[derive(Clone)]
    pub struct SocksProxyManagerBuilder {
        pub(super) inner: hip_async::SocksProxyManagerBuilder,
    }

    impl fmt::Debug for SocksProxyManagerBuilder {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SocksProxyManagerBuilder")
                .finish_non_exhaustive()
        }
    }

    impl SocksProxyManagerBuilder {
        fn map(
            self,
            f: impl FnOnce(hip_async::SocksProxyManagerBuilder) -> hip_async::SocksProxyManagerBuilder,
        ) -> Self {
            SocksProxyManagerBuilder {
                inner: f(self.inner),
            }
        }

        /// The spec's `username` (SOCKS5 username, SOCKS4 user id).
        pub fn username(self, username: impl Into<String>) -> Self {
            self.map(|b| b.username(username))
        }

        /// The spec's `password` (SOCKS5).
        pub fn password(self, password: impl Into<String>) -> Self {
            self.map(|b| b.password(password))
        }

        /// Builds the manager and starts its runtime.
        pub fn build(self) -> Result<SocksProxyManager, Error> {
            let inner = self.inner.build()?;
            Ok(SocksProxyManager {
                inner,
                rt: Runtime::new()?,
            })
        }
    }

    hip_async::__forward_pool_manager_builder!(SocksProxyManagerBuilder);
}
