//! `PoolManager`: the spec's `PoolManager`, `ProxyManager` and `SOCKSProxyManager` as one
//! type (async flavour: `hip.AsyncPoolManager`).
//!
//! A manager keeps one pool per [`PoolKey`] in an LRU of `num_pools` entries. A proxy is a
//! route of the manager, not another kind of manager: built with
//! [`PoolManagerBuilder::proxy_url`], every request goes through the proxy (see
//! [`Route`] for what that means per scheme). The spec's `ProxyManager` and
//! `SOCKSProxyManager` are this same type ([`ProxyManager`], [`SocksProxyManager`]).

use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hip_core::h1::Limits;
use hip_core::retry::{Retries, Retry};
use hip_core::timeout::{Seconds, Timeout};
use hip_core::url::{parse_url, IntoUrl};
use hip_core::{Error, HttpHeaderDict};

use super::flavor::{Async, Flavor};
use super::request::{checked_deadline, RequestBuilder, Target};
use super::session::Session;
use crate::exchange::{Body, HttpResponse, RequestOptions};
use crate::pool::{url_host, url_scheme, HttpConnectionPool, PoolKey, PoolOptions, Registry};
use crate::transport::{
    AssertHostname, CertReqs, ConnectOptions, Connector, EnvProxies, ProxyConfig, ProxyRules,
    Resolve, Scheme, SocketOption, TlsVersion,
};

/// The spec's `pool_kwargs`: changes to the manager's pool options
/// (`connection_pool_kw`) for one pool. As in urllib3, which merges `pool_kwargs` over
/// `connection_pool_kw`, every option not named keeps the manager's value: a pool asked
/// for with `maxsize` 3 still has the manager's CA, timeout and retries.
///
/// Each change is one of [`PoolOptions`]' own setters:
///
/// ```
/// use hip_async::{PoolKwargs, PoolOptions};
///
/// let manager = PoolOptions::new().maxsize(10).block(true);
/// let kwargs = PoolKwargs::new().set(|o| o.maxsize(3));
/// let merged = kwargs.apply(&manager);
/// assert_eq!((merged.maxsize, merged.block), (3, true));
/// ```
#[derive(Clone, Default)]
pub struct PoolKwargs {
    edits: Vec<Arc<dyn Fn(PoolOptions) -> PoolOptions + Send + Sync>>,
}

impl PoolKwargs {
    /// No changes: the manager's options as they are.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a change, applied after those added before.
    pub fn set(
        mut self,
        edit: impl Fn(PoolOptions) -> PoolOptions + Send + Sync + 'static,
    ) -> Self {
        self.edits.push(Arc::new(edit));
        self
    }

    /// Replaces every option with `options`, the manager's included (what a `pool_kwargs`
    /// naming every key does).
    pub fn replace_all(options: PoolOptions) -> Self {
        Self::new().set(move |_| options.clone())
    }

    /// The manager's options `base` with these changes made.
    pub fn apply(&self, base: &PoolOptions) -> PoolOptions {
        self.edits
            .iter()
            .fold(base.clone(), |options, edit| edit(options))
    }
}

impl std::fmt::Debug for PoolKwargs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolKwargs")
            .field("changes", &self.edits.len())
            .finish()
    }
}

/// The spec's `request_context`: what [`PoolManager::connection_from_context`] needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestContext {
    /// `scheme`.
    pub scheme: Scheme,
    /// `host`.
    pub host: String,
    /// `port` (None: the scheme's default).
    pub port: Option<u16>,
    /// Changes to the manager's pool options (the spec's `pool_kwargs`).
    pub pool_kwargs: Option<PoolKwargs>,
}

impl RequestContext {
    /// A context for `scheme://host[:port]` with the manager's pool options.
    pub fn new(scheme: Scheme, host: impl Into<String>, port: Option<u16>) -> Self {
        RequestContext {
            scheme,
            host: host.into(),
            port,
            pool_kwargs: None,
        }
    }

    /// Changes the manager's pool options for this pool (the spec's `pool_kwargs`).
    pub fn pool_kwargs(mut self, kwargs: PoolKwargs) -> Self {
        self.pool_kwargs = Some(kwargs);
        self
    }
}

/// The spec's `PoolManager(num_pools=10, headers=None, backend=None, **connection_pool_kw)`,
/// and, built with a proxy, its `ProxyManager(proxy_url, proxy_headers=None, ...)` and
/// `SOCKSProxyManager(proxy_url, username=None, password=None, ...)`.
/// Cheap to clone: clones share the pools.
///
/// ```no_run
/// # async fn demo() -> Result<(), hip_core::Error> {
/// let http = hip_async::PoolManager::builder().maxsize(10).retries(2).build()?;
/// let r = http.request("GET", "http://127.0.0.1:8080/get").send().await?;
/// assert_eq!(r.status(), 200);
///
/// // Through an HTTP proxy: one pool to the proxy for http://, a tunnel per https:// host.
/// let proxy = hip_async::PoolManager::with_proxy("http://localhost:3128/")?;
/// let r = proxy.request("GET", "http://example.org/").send().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PoolManager {
    inner: Arc<Session>,
}

/// The spec's `ProxyManager`: a [`PoolManager`] built with an HTTP proxy
/// ([`PoolManager::with_proxy`], [`PoolManagerBuilder::proxy_url`], [`proxy_from_url`]).
pub type ProxyManager = PoolManager;

/// The spec's `hip.contrib.socks.SOCKSProxyManager`: a [`PoolManager`] built with a
/// `socks4://`, `socks4a://`, `socks5://` or `socks5h://` proxy URL (feature `socks`).
#[cfg(feature = "socks")]
pub type SocksProxyManager = PoolManager;

impl fmt::Debug for PoolManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolManager")
            .field("pools", &self.pools_len())
            .field("proxy", &self.proxy())
            .field("options", self.connection_pool_kw())
            .finish()
    }
}

impl PoolManager {
    /// A manager with the spec's defaults (10 pools of `maxsize` 1, 3 retries, verified TLS).
    pub fn new() -> Result<Self, Error> {
        PoolManager::builder().build()
    }

    /// Starts configuring a manager.
    pub fn builder() -> PoolManagerBuilder {
        PoolManagerBuilder::default()
    }

    /// The spec's `ProxyManager(proxy_url)` (or, for a `socks*://` URL,
    /// `SOCKSProxyManager(proxy_url)`) with the other arguments at their defaults.
    ///
    /// Errors: [`ErrorKind::ProxySchemeUnknown`](hip_core::ErrorKind::ProxySchemeUnknown) for a scheme hip cannot proxy through (or
    /// a SOCKS scheme without the `socks` feature), [`ErrorKind::LocationValue`](hip_core::ErrorKind::LocationValue) for a URL
    /// without a host.
    pub fn with_proxy(proxy_url: &str) -> Result<Self, Error> {
        PoolManager::builder().proxy_url(proxy_url).build()
    }

    /// The manager's default headers (the spec's `headers`).
    pub fn headers(&self) -> &HttpHeaderDict {
        &self.inner.headers
    }

    /// The options new pools get (the spec's `connection_pool_kw`).
    pub fn connection_pool_kw(&self) -> &PoolOptions {
        self.inner.registry.defaults()
    }

    /// The proxy every request goes through, if any.
    pub fn proxy_config(&self) -> Option<&ProxyConfig> {
        self.inner.registry.proxy()
    }

    /// The spec's `ProxyManager.proxy`: the proxy URL without credentials (None without a
    /// proxy).
    pub fn proxy(&self) -> Option<String> {
        self.proxy_config().map(ProxyConfig::proxy_url)
    }

    /// The spec's `ProxyManager.proxy_headers`, with the `Proxy-Authorization` made from
    /// the URL's credentials when it had some (None without an HTTP proxy).
    pub fn proxy_headers(&self) -> Option<&HttpHeaderDict> {
        self.proxy_config().and_then(ProxyConfig::proxy_headers)
    }

    /// `len(manager.pools)`.
    pub fn pools_len(&self) -> usize {
        self.inner.registry.len()
    }

    /// The spec's `clear()`: forgets every pool and closes it. In-flight requests finish;
    /// their connections are then closed instead of reused.
    pub fn clear(&self) {
        self.inner.registry.clear()
    }

    /// The spec's `connection_from_host(host, port=None, scheme='http', pool_kwargs=None)`.
    /// Through an HTTP proxy, an `http` host gets the one pool to the proxy and an `https`
    /// host its tunnelling pool.
    pub fn connection_from_host(
        &self,
        host: &str,
        port: Option<u16>,
        scheme: &str,
        pool_kwargs: Option<PoolKwargs>,
    ) -> Result<HttpConnectionPool, Error> {
        let scheme = Scheme::for_pool(host, scheme)?;
        let options = self.merged(pool_kwargs);
        let key = self.inner.registry.key_for(scheme, host, port, options)?;
        self.inner.registry.pool_for_key(key)
    }

    /// The spec's `connection_from_url(url, pool_kwargs=None)`.
    pub fn connection_from_url(
        &self,
        url: &str,
        pool_kwargs: Option<PoolKwargs>,
    ) -> Result<HttpConnectionPool, Error> {
        let u = parse_url(url)?;
        let scheme = url_scheme(&u)?;
        let options = self.merged(pool_kwargs);
        let key = self
            .inner
            .registry
            .key_for(scheme, url_host(&u)?, u.port, options)?;
        self.inner.registry.pool_for_key(key)
    }

    /// The spec's `connection_from_context(request_context)`.
    pub fn connection_from_context(
        &self,
        ctx: RequestContext,
    ) -> Result<HttpConnectionPool, Error> {
        // The scheme is typed already; only the host needs the spec's check.
        Scheme::check_host(&ctx.host)?;
        let scheme = ctx.scheme;
        let options = self.merged(ctx.pool_kwargs);
        let key = self
            .inner
            .registry
            .key_for(scheme, &ctx.host, ctx.port, options)?;
        self.inner.registry.pool_for_key(key)
    }

    /// The spec's `connection_from_pool_key(pool_key)`: the pool filed under `key`, made
    /// from the key's parts if it is new.
    pub fn connection_from_pool_key(&self, key: PoolKey) -> Result<HttpConnectionPool, Error> {
        self.inner.registry.pool_for_key(key)
    }

    /// The key a request to `scheme://host:port` is filed under, with the manager's options
    /// (merged with `pool_kwargs`) and its route.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Ssl`](hip_core::ErrorKind::Ssl) when `pool_kwargs` give an `https://`
    /// proxy CA files that cannot be read (the proxy is verified with the pool's CA
    /// options).
    pub fn pool_key(
        &self,
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        pool_kwargs: Option<PoolKwargs>,
    ) -> Result<PoolKey, Error> {
        let options = self.merged(pool_kwargs);
        self.inner.registry.key_for(scheme, host, port, options)
    }

    /// The manager's options with `pool_kwargs` merged over them (None: the manager's own,
    /// hashed once already).
    fn merged(&self, pool_kwargs: Option<PoolKwargs>) -> Option<PoolOptions> {
        pool_kwargs.map(|k| k.apply(self.inner.registry.defaults()))
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    ///
    /// `method` is a `&str` (`"GET"`, any case) or an `http::Method`; `url` must be absolute,
    /// given as a `&str`, a `String`, a [`hip_core::url::Url`] or an `http::Uri` (see
    /// [`IntoUrl`]). The builder holds a clone of the manager, so its `send()` future is
    /// `Send + 'static`.
    ///
    /// ```no_run
    /// # async fn demo(http: hip_async::PoolManager) -> Result<(), hip_core::Error> {
    /// let uri: http::Uri = "http://127.0.0.1:8080/get".parse().unwrap();
    /// let task = tokio::spawn(http.request(http::Method::GET, uri).send());
    /// let r = task.await.unwrap()?;
    /// # Ok(()) }
    /// ```
    pub fn request(&self, method: impl AsRef<str>, url: impl IntoUrl) -> RequestBuilder {
        self.request_with(Async, method, url)
    }

    /// Starts a request that completes in another flavour (what hip-blocking uses).
    pub fn request_with<F: Flavor>(
        &self,
        flavor: F,
        method: impl AsRef<str>,
        url: impl IntoUrl,
    ) -> RequestBuilder<F> {
        RequestBuilder::new(
            flavor,
            Target::Manager(self.inner.clone()),
            method.as_ref(),
            url.into_url_string(),
        )
    }

    /// Starts a request from an `http::Request`: its method, URI (absolute), headers and
    /// body. Headers, when the request has any, replace the manager's default headers, as
    /// [`RequestBuilder::headers`] does; an empty `HeaderMap` keeps them. The body is any
    /// type [`RequestBuilder::body`] takes (`()` for none, `Bytes`, `String`, `Vec<u8>`,
    /// [`Body`], ...). hip sends HTTP/1.1: a request whose version is another fails at
    /// `send()` with `ErrorKind::InvalidValue`. Extensions are not used. Further keywords
    /// (`timeout`, `retries`, ...) can be chained before `send()`.
    ///
    /// ```no_run
    /// # async fn demo(http: hip_async::PoolManager) -> Result<(), hip_core::Error> {
    /// let req = http::Request::post("http://127.0.0.1:8080/post")
    ///     .header("Content-Type", "text/plain")
    ///     .body("hello")
    ///     .unwrap();
    /// let r = http.request_http(req).retries(0).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn request_http<B: Into<Body>>(&self, request: http::Request<B>) -> RequestBuilder {
        self.request_http_with(Async, request)
    }

    /// [`Self::request_http`] completing in another flavour (what hip-blocking uses).
    pub fn request_http_with<F: Flavor, B: Into<F::Body>>(
        &self,
        flavor: F,
        request: http::Request<B>,
    ) -> RequestBuilder<F> {
        RequestBuilder::from_http(flavor, Target::Manager(self.inner.clone()), request)
    }

    /// Sends an `http::Request` (see [`Self::request_http`]): `request_http(request).send()`.
    pub fn send_http<B: Into<Body>>(
        &self,
        request: http::Request<B>,
    ) -> impl std::future::Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        self.request_http(request).send()
    }

    /// The spec's `urlopen(method, url, redirect=True, **kw)`, with redirects followed across
    /// hosts.
    pub async fn urlopen(
        &self,
        method: &str,
        url: &str,
        opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        self.inner.urlopen(method, url, opts).await
    }
}

/// The spec's `proxy_from_url(url, **kw)`: a manager whose requests go through the proxy at
/// `url`, with the default settings (use [`PoolManagerBuilder::proxy_url`] for the
/// keywords).
pub fn proxy_from_url(url: &str) -> Result<ProxyManager, Error> {
    PoolManager::with_proxy(url)
}

/// The manager a [`Flavor`] builds: [`PoolManagerBuilder::build`] makes this crate's
/// [`PoolManager`] and hands it to the flavour to wrap (hip-blocking's wraps it with its
/// runtime).
pub trait BuildManager: Flavor {
    /// What [`PoolManagerBuilder::build`] returns.
    type Manager;

    /// Wraps a newly built manager into the flavour's manager.
    fn manager(manager: PoolManager) -> Result<Self::Manager, Error>;
}

impl BuildManager for Async {
    type Manager = PoolManager;

    fn manager(manager: PoolManager) -> Result<PoolManager, Error> {
        Ok(manager)
    }
}

/// The proxy a builder was given, made into a [`ProxyConfig`] at `build()`.
#[derive(Clone, Default)]
struct ProxySpec {
    url: String,
    headers: HttpHeaderDict,
    username: Option<String>,
    password: Option<String>,
    tls: Option<crate::transport::TlsOptions>,
}

impl ProxySpec {
    /// The proxy at `url` with this spec's headers, credentials and TLS.
    fn build(&self, url: &str, opts: &PoolOptions) -> Result<ProxyConfig, Error> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if let (Some(tls), Some("http" | "https")) = (&self.tls, scheme.as_deref()) {
            return ProxyConfig::http_with_tls(url, self.headers.clone(), tls);
        }
        ProxyConfig::from_url(
            url,
            self.headers.clone(),
            self.username.as_deref(),
            self.password.as_deref(),
            &opts.tls,
        )
    }
}

/// Configures a [`PoolManager`]: the spec's constructor keywords, one method each, and the
/// proxy keywords of `ProxyManager` and `SOCKSProxyManager`.
///
/// Generic over the [`Flavor`] of the manager it builds: this same builder, with
/// hip-blocking's flavour, configures the blocking `PoolManager`.
///
/// ```no_run
/// # fn demo() -> Result<(), hip_core::Error> {
/// let http = hip_async::PoolManager::builder()
///     .num_pools(4)
///     .maxsize(8)
///     .block(true)
///     .timeout(hip_core::timeout::Timeout::new().connect(1.0).read(5.0))
///     .headers([("User-Agent", "demo")])
///     .build()?;
/// # Ok(()) }
/// ```
pub struct PoolManagerBuilder<F: BuildManager = Async> {
    num_pools: usize,
    headers: HttpHeaderDict,
    opts: PoolOptions,
    proxy: Option<ProxySpec>,
    proxy_from_env: bool,
    max_body_size: Option<u64>,
    deadline: Option<Seconds>,
    flavor: PhantomData<fn() -> F>,
}

impl<F: BuildManager> Clone for PoolManagerBuilder<F> {
    fn clone(&self) -> Self {
        PoolManagerBuilder {
            num_pools: self.num_pools,
            headers: self.headers.clone(),
            opts: self.opts.clone(),
            proxy: self.proxy.clone(),
            proxy_from_env: self.proxy_from_env,
            max_body_size: self.max_body_size,
            deadline: self.deadline,
            flavor: PhantomData,
        }
    }
}

impl<F: BuildManager> fmt::Debug for PoolManagerBuilder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolManagerBuilder")
            .field("num_pools", &self.num_pools)
            .field("options", &self.opts)
            .finish_non_exhaustive()
    }
}

impl<F: BuildManager> Default for PoolManagerBuilder<F> {
    fn default() -> Self {
        PoolManagerBuilder {
            num_pools: 10,
            headers: HttpHeaderDict::new(),
            opts: PoolOptions::default(),
            proxy: None,
            proxy_from_env: false,
            max_body_size: None,
            deadline: None,
            flavor: PhantomData,
        }
    }
}

impl<F: BuildManager> PoolManagerBuilder<F> {
    /// `num_pools`: how many pools to keep (least recently used are closed). Default 10.
    pub fn num_pools(mut self, n: usize) -> Self {
        self.num_pools = n;
        self
    }

    /// `headers`: sent with every request that does not give its own.
    pub fn headers<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in headers {
            self.headers.add(k, v);
        }
        self
    }

    /// `headers` as an `HttpHeaderDict`.
    pub fn header_dict(mut self, headers: HttpHeaderDict) -> Self {
        self.headers = headers;
        self
    }

    /// `maxsize`: connections kept per pool. Default 1.
    pub fn maxsize(mut self, n: usize) -> Self {
        self.opts.maxsize = n;
        self
    }

    /// `block`: never more than `maxsize` connections per host.
    pub fn block(mut self, block: bool) -> Self {
        self.opts.block = block;
        self
    }

    /// `timeout`: seconds (`2.5`, `3`), a `Duration`, or a [`Timeout`].
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.opts.timeout = timeout.into();
        self
    }

    /// `retries`: a count, `false`, or a `Retry`.
    pub fn retries(mut self, retries: impl Into<Retries>) -> Self {
        self.opts.retries = retries.into().resolve(true, &Retry::default());
        self
    }

    /// `cert_reqs`: `CertReqs::Required` (default) or `CertReqs::None`; names such as
    /// `"CERT_NONE"` are accepted through [`crate::util::resolve_cert_reqs`].
    pub fn cert_reqs(mut self, reqs: CertReqs) -> Self {
        self.opts.tls.cert_reqs = reqs;
        self
    }

    /// `ca_certs`: a PEM bundle of trusted CAs (replaces the platform roots).
    pub fn ca_certs(mut self, path: impl Into<PathBuf>) -> Self {
        self.opts.tls.ca_certs = Some(path.into());
        self
    }

    /// `ca_cert_dir`: a directory of PEM CA files (replaces the platform roots).
    pub fn ca_cert_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.opts.tls.ca_cert_dir = Some(path.into());
        self
    }

    /// `cert_file`: the client certificate chain (PEM).
    pub fn cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.opts.tls.cert_file = Some(path.into());
        self
    }

    /// `key_file`: the client private key (PEM), when not inside `cert_file`.
    pub fn key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.opts.tls.key_file = Some(path.into());
        self
    }

    /// `key_password`: decrypts an encrypted PKCS#8 `key_file`. Decrypting needs the
    /// `encrypted-keys` feature; without it an encrypted key is an error that says so.
    pub fn key_password(mut self, password: impl Into<String>) -> Self {
        self.opts.tls.key_password = Some(password.into());
        self
    }

    /// `assert_hostname`: check the certificate against this name instead of the host.
    pub fn assert_hostname(mut self, name: impl Into<String>) -> Self {
        self.opts.tls.assert_hostname = AssertHostname::Name(name.into());
        self
    }

    /// `assert_hostname=False`: verify the chain but not the name.
    pub fn no_assert_hostname(mut self) -> Self {
        self.opts.tls.assert_hostname = AssertHostname::Disabled;
        self
    }

    /// `assert_fingerprint`: pin the server certificate by its SHA-256, SHA-1 or MD5 digest.
    pub fn assert_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.opts.tls.assert_fingerprint = Some(fingerprint.into());
        self
    }

    /// `server_hostname`: the SNI name to send.
    pub fn server_hostname(mut self, name: impl Into<String>) -> Self {
        self.opts.tls.server_hostname = Some(name.into());
        self
    }

    /// `ssl_version`, modernised: the minimum TLS version.
    pub fn ssl_minimum_version(mut self, v: TlsVersion) -> Self {
        self.opts.tls.min_version = Some(v);
        self
    }

    /// `ssl_context`: a caller-built rustls configuration.
    pub fn ssl_context(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.opts.tls.ssl_context = Some(config);
        self
    }

    /// `source_address`: the local address to connect from.
    pub fn source_address(mut self, addr: std::net::SocketAddr) -> Self {
        self.opts.connect.source_address = Some(addr);
        self
    }

    /// `socket_options`: options applied to each new socket.
    pub fn socket_options(mut self, options: impl IntoIterator<Item = SocketOption>) -> Self {
        self.opts.connect.socket_options = options.into_iter().collect();
        self
    }

    /// The spec's `backend`: how connections are opened (a Unix socket, a connection of
    /// one's own). To change only how names are resolved, use
    /// [`resolver`](Self::resolver).
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.opts.connector = Arc::new(connector);
        self
    }

    /// How host names are resolved (default: the system's `getaddrinfo`, off the runtime).
    /// The connect timeout bounds resolution: a resolver that does not answer in time ends
    /// in `ConnectTimeoutError`. Used for direct connections, to reach a proxy, and for the
    /// destination of a `socks4://` or `socks5://` proxy; HTTP proxies, `socks4a://` and
    /// `socks5h://` resolve the destination themselves. Pool keys compare resolvers by `Arc`
    /// identity, as they do connectors.
    ///
    /// Only the default connector uses it (and connectors of one's own that call
    /// [`ConnectOptions::lookup`]).
    pub fn resolver(mut self, resolver: impl Resolve) -> Self {
        self.opts.connect.resolver = Arc::new(resolver);
        self
    }

    /// A static answer for `host`, as curl's `--resolve host:port:addr`: connections to
    /// `host` on `addr`'s port go to `addr` without asking the resolver (port 0: on any
    /// port, to the request's port). Only the address changes: the `Host` header, the TLS
    /// server name (SNI) and the certificate check keep `host`. Call it again for more
    /// addresses of the same host (raced as Happy Eyeballs says) or other hosts.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), hip_core::Error> {
    /// let http = hip_async::PoolManager::builder()
    ///     .resolve("example.org", "127.0.0.1:443".parse().unwrap())
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn resolve(mut self, host: &str, addr: SocketAddr) -> Self {
        self.opts = self.opts.resolve(host, addr);
        self
    }

    /// Happy Eyeballs' connection-attempt delay (RFC 8305): how long the connection
    /// attempt to one of a host's addresses runs alone before the next address is tried
    /// too. Default 250 ms. A failed attempt starts the next at once; all of them share the
    /// connect timeout.
    pub fn connect_attempt_delay(mut self, delay: Duration) -> Self {
        self.opts.connect.attempt_delay = delay;
        self
    }

    /// How long a connection may sit idle in a pool and still be reused: older ones are
    /// closed instead (checked when a connection is taken from or given back to the pool;
    /// no background task). Default 90 s; `None` keeps idle connections as long as the
    /// server does.
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.opts.idle_timeout = timeout.into();
        self
    }

    /// How long a connection may be used after it was opened: an older one is closed when
    /// its response is done instead of going back to the pool. Default `None`: no limit.
    pub fn max_lifetime(mut self, lifetime: impl Into<Option<Duration>>) -> Self {
        self.opts.max_lifetime = lifetime.into();
        self
    }

    /// Response parser limits (header block size, header count, chunk line length).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.opts.limits = limits;
        self
    }

    /// Replaces the socket options as a whole, the resolver, its overrides and the
    /// attempt delay included.
    pub fn connect_options(mut self, connect: ConnectOptions) -> Self {
        self.opts.connect = connect;
        self
    }

    /// Replaces every pool option at once (the spec's `**connection_pool_kw` as one value).
    pub fn pool_options(mut self, opts: PoolOptions) -> Self {
        self.opts = opts;
        self
    }

    /// The spec's `ProxyManager(proxy_url)` / `SOCKSProxyManager(proxy_url)`: send every
    /// request through this proxy. `http://` and `https://` proxies forward `http://` URLs
    /// (one pool to the proxy) and tunnel `https://` URLs with `CONNECT`; `socks4://`,
    /// `socks4a://`, `socks5://` and `socks5h://` proxies (feature `socks`) carry both.
    /// Credentials in the URL (`http://user:pass@proxy:3128`, percent-decoded) become
    /// `Proxy-Authorization: Basic ...` (HTTP) or the SOCKS username and password. The URL
    /// is a `&str`, `String`, `Url` or `http::Uri` (see [`IntoUrl`]).
    pub fn proxy_url(mut self, proxy_url: impl IntoUrl) -> Self {
        self.proxy.get_or_insert_with(ProxySpec::default).url = proxy_url.into_url_string();
        self
    }

    /// The spec's `proxy_headers`: sent to an HTTP proxy with every `http://` request and on
    /// each CONNECT for `https://` (e.g. `make_headers(proxy_basic_auth=...)`). Adds to the
    /// headers given so far.
    pub fn proxy_headers<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let spec = self.proxy.get_or_insert_with(ProxySpec::default);
        for (k, v) in headers {
            spec.headers.add(k, v);
        }
        self
    }

    /// `proxy_headers` as an `HttpHeaderDict` (replacing those given so far).
    pub fn proxy_header_dict(mut self, headers: HttpHeaderDict) -> Self {
        self.proxy.get_or_insert_with(ProxySpec::default).headers = headers;
        self
    }

    /// The most bytes a whole-body read of a response may collect (`preload_content`,
    /// `data()`, `read(None)`), after decoding, for every request of this manager that does
    /// not set its own; more fails with `ErrorKind::BodyTooLarge` naming the limit. Default:
    /// no limit. A hip addition.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// A deadline, in seconds (`2.5`, `3`) or as a `Duration`, for each whole call of this
    /// manager that does not set its own (see `RequestBuilder::deadline`): connecting,
    /// sending, every retry and redirect, the sleeps between them, and preloading. Default:
    /// none. A hip addition; checked by `build()`.
    pub fn deadline(mut self, deadline: impl Into<Seconds>) -> Self {
        self.deadline = Some(deadline.into());
        self
    }

    /// `SOCKSProxyManager`'s `username` (the SOCKS4 user id, or the SOCKS5 username); wins
    /// over the proxy URL's.
    pub fn proxy_username(mut self, username: impl Into<String>) -> Self {
        self.proxy.get_or_insert_with(ProxySpec::default).username = Some(username.into());
        self
    }

    /// `SOCKSProxyManager`'s `password` (SOCKS5); wins over the proxy URL's.
    pub fn proxy_password(mut self, password: impl Into<String>) -> Self {
        self.proxy.get_or_insert_with(ProxySpec::default).password = Some(password.into());
        self
    }

    /// Takes proxies from the environment when no `proxy_url` is given: `http_proxy`,
    /// `https_proxy`, `all_proxy` (SOCKS URLs with the `socks` feature) and `no_proxy`, in
    /// either case (lower case wins), read once when the manager is built. Off by default,
    /// as in urllib3 (hip's CLI turns it on with `--proxy-from-env`). In a CGI script
    /// (`REQUEST_METHOD` set) no `http://` proxy is taken from the environment ("httpoxy").
    /// See [`NoProxy`](crate::NoProxy) for the `no_proxy` matching. `proxy_headers`,
    /// `proxy_username`, `proxy_password` and `proxy_tls` apply to the proxies found.
    pub fn proxy_from_env(mut self, enabled: bool) -> Self {
        self.proxy_from_env = enabled;
        self
    }

    /// The TLS options that verify an `https://` proxy itself (urllib3's
    /// `proxy_ssl_context`). Without them the proxy is verified with the pools' CA options,
    /// the manager's or a pool's `pool_kwargs`, as urllib3 1.26 does; with them, whatever
    /// the pools use. The proxy is always checked by its own name. No effect on `http://`
    /// and SOCKS proxies.
    pub fn proxy_tls(mut self, tls: crate::transport::TlsOptions) -> Self {
        self.proxy.get_or_insert_with(ProxySpec::default).tls = Some(tls);
        self
    }

    /// Builds the manager, checking the settings (timeouts, TLS files, the proxy URL) now.
    ///
    /// Errors: [`ErrorKind::InvalidValue`](hip_core::ErrorKind::InvalidValue) for an invalid timeout or `num_pools(0)`;
    /// [`ErrorKind::Ssl`](hip_core::ErrorKind::Ssl) for unreadable CA or key files; for a proxy,
    /// [`ErrorKind::ProxySchemeUnknown`](hip_core::ErrorKind::ProxySchemeUnknown), [`ErrorKind::LocationValue`](hip_core::ErrorKind::LocationValue) or
    /// [`ErrorKind::InvalidHeader`](hip_core::ErrorKind::InvalidHeader) as [`ProxyConfig::http`] says.
    pub fn build(self) -> Result<F::Manager, Error> {
        self.opts.timeout.validate()?;
        self.opts.retries.validate()?;
        if self.opts.tls.ssl_context.is_none() {
            // Fail early on unreadable CA or key files instead of at the first request.
            crate::transport::tls::build_client_config(&self.opts.tls)?;
        }
        let proxy = match &self.proxy {
            Some(spec) if !spec.url.is_empty() || !self.proxy_from_env => {
                Some(ProxyRules::single(spec.build(&spec.url, &self.opts)?))
            }
            spec if self.proxy_from_env => {
                let env = EnvProxies::read(|name| std::env::var(name).ok());
                let base = spec.clone().unwrap_or_default();
                ProxyRules::from_env(env, |url| {
                    base.build(url, &self.opts).map_err(|e| {
                        Error::new(
                            e.kind(),
                            format!(
                                "the proxy URL {url:?} from the environment (http_proxy, \
                                 https_proxy or all_proxy) cannot be used"
                            ),
                        )
                        .with_source(e)
                    })
                })?
            }
            _ => None,
        };
        let deadline = self.deadline.map(checked_deadline).transpose()?;
        let registry = Registry::new(self.num_pools, self.opts, proxy)?;
        F::manager(PoolManager {
            inner: Arc::new(Session {
                registry,
                headers: self.headers,
                max_body_size: self.max_body_size,
                deadline,
            }),
        })
    }
}
