//! `PoolManager`: the spec's `PoolManager` (async flavour, `hip.AsyncPoolManager`).
//!
//! Keeps one pool per (scheme, host, port, connection options) in an LRU of `num_pools`
//! entries; a pool pushed out of the LRU is closed (its in-flight connections finish and
//! are then dropped). Requests go through [`PoolManager::request`] or
//! [`PoolManager::urlopen`], which follow redirects across hosts.

use std::fmt;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hip_core::h1::Limits;
use hip_core::retry::{Retries, Retry};
use hip_core::timeout::Timeout;
use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict};
use lru::LruCache;

use crate::connect::{ConnectOptions, Connector, SocketOption};
use crate::exchange::{self, PoolSource};
use crate::pool::{HttpConnectionPool, PoolOptions, Scheme};
use crate::request::{RequestBuilder, RequestOptions, Target};
use crate::response::HttpResponse;
use crate::tls::{AssertHostname, CertReqs, TlsVersion};

/// The key a manager files its pools under: the spec's `PoolKey` (scheme, host, port and
/// the connection options that make two pools different).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    /// `key_scheme`.
    pub scheme: Scheme,
    /// `key_host`, lowercase.
    pub host: String,
    /// `key_port`.
    pub port: u16,
    /// A hash of the pool options (timeouts, sizes, TLS and socket settings): pools made
    /// with different options never share a key.
    pub options: u64,
}

/// The spec's `request_context`: what [`PoolManager::connection_from_context`] needs.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// `scheme`.
    pub scheme: Scheme,
    /// `host`.
    pub host: String,
    /// `port` (None: the scheme's default).
    pub port: Option<u16>,
    /// Pool options to use instead of the manager's (the spec's `pool_kwargs`).
    pub pool_kwargs: Option<PoolOptions>,
}

pub(crate) fn options_fingerprint(o: &PoolOptions) -> u64 {
    use std::hash::{Hash, Hasher};

    let text = format!(
        "{:?}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:p}|{:?}|{:?}",
        o.timeout,
        o.maxsize,
        o.block,
        o.headers,
        o.retries,
        o.connect,
        o.tls,
        Arc::as_ptr(&o.connector) as *const (),
        o.limits,
        o.proxy.as_ref().map(crate::proxy::ProxyConfig::fingerprint)
    );
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

struct ManagerInner {
    pools: Mutex<LruCache<PoolKey, HttpConnectionPool>>,
    opts: PoolOptions,
    fingerprint: u64,
    headers: HttpHeaderDict,
}

/// The spec's `PoolManager(num_pools=10, headers=None, backend=None, **connection_pool_kw)`.
/// Cheap to clone: clones share the pools.
#[derive(Clone)]
pub struct PoolManager {
    inner: Arc<ManagerInner>,
}

impl fmt::Debug for PoolManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolManager")
            .field("pools", &self.pools_len())
            .field("options", &self.inner.opts)
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

    /// The manager's default headers (the spec's `headers`).
    pub fn headers(&self) -> &HttpHeaderDict {
        &self.inner.headers
    }

    /// The options new pools get (the spec's `connection_pool_kw`).
    pub fn connection_pool_kw(&self) -> &PoolOptions {
        &self.inner.opts
    }

    /// `len(manager.pools)`.
    pub fn pools_len(&self) -> usize {
        self.inner.pools.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// The spec's `clear()`: forgets every pool and closes it. In-flight requests finish;
    /// their connections are then closed instead of reused.
    pub fn clear(&self) {
        if let Ok(mut pools) = self.inner.pools.lock() {
            for (_, pool) in pools.iter() {
                pool.close();
            }
            pools.clear();
        }
    }

    /// The spec's `connection_from_host(host, port=None, scheme='http', pool_kwargs=None)`.
    pub fn connection_from_host(
        &self,
        host: &str,
        port: Option<u16>,
        scheme: &str,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let scheme = Scheme::for_pool(host, scheme)?;
        self.connection_from_context(RequestContext {
            scheme,
            host: host.to_owned(),
            port,
            pool_kwargs,
        })
    }

    /// The spec's `connection_from_url(url, pool_kwargs=None)`.
    pub fn connection_from_url(
        &self,
        url: &str,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let u = parse_url(url)?;
        self.pool_for_parsed(&u, pool_kwargs)
    }

    fn pool_for_parsed(
        &self,
        u: &Url,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let host = u.host.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::LocationValue,
                format!("No host specified in {:?}", u.url()),
            )
        })?;
        self.connection_from_host(
            host,
            u.port,
            u.scheme.as_deref().unwrap_or("http"),
            pool_kwargs,
        )
    }

    /// The spec's `connection_from_context(request_context)`.
    pub fn connection_from_context(
        &self,
        ctx: RequestContext,
    ) -> Result<HttpConnectionPool, Error> {
        let fingerprint = match &ctx.pool_kwargs {
            Some(o) => options_fingerprint(o),
            None => self.inner.fingerprint,
        };
        let key = PoolKey {
            scheme: ctx.scheme,
            host: ctx
                .host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
            port: ctx.port.unwrap_or(ctx.scheme.default_port()),
            options: fingerprint,
        };
        self.connection_from_pool_key(key, ctx.pool_kwargs)
    }

    /// The spec's `connection_from_pool_key(pool_key, request_context=None)`: the pool filed
    /// under `key`, made with `pool_kwargs` (or the manager's options) if it is new.
    pub fn connection_from_pool_key(
        &self,
        key: PoolKey,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let mut pools = self
            .inner
            .pools
            .lock()
            .map_err(|_| Error::new(ErrorKind::Runtime, "pool manager lock poisoned"))?;
        if let Some(p) = pools.get(&key) {
            return Ok(p.clone());
        }
        let opts = pool_kwargs.unwrap_or_else(|| self.inner.opts.clone());
        let pool = HttpConnectionPool::new(key.scheme, &key.host, Some(key.port), opts)?;
        if let Some((_, evicted)) = pools.push(key, pool.clone()) {
            // Only a different key is pushed out here: the key was not present.
            evicted.close();
        }
        Ok(pool)
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `url` must be absolute.
    pub fn request(&self, method: impl AsRef<str>, url: impl Into<String>) -> RequestBuilder<'_> {
        RequestBuilder::new(Target::Manager(self), method.as_ref(), url.into())
    }

    /// The spec's `urlopen(method, url, redirect=True, **kw)`, with redirects followed across
    /// hosts.
    pub async fn urlopen(
        &self,
        method: &str,
        url: &str,
        mut opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        if opts.headers.is_none() && !self.inner.headers.is_empty() {
            opts.headers = Some(self.inner.headers.clone());
        }
        exchange::run(self, method, url, opts).await
    }
}

impl PoolSource for PoolManager {
    fn pool_for(&self, url: &Url) -> Result<Option<HttpConnectionPool>, Error> {
        self.pool_for_parsed(url, None).map(Some)
    }
}

/// Configures a [`PoolManager`]: the spec's constructor keywords, one method each.
#[derive(Clone)]
pub struct PoolManagerBuilder {
    num_pools: usize,
    headers: HttpHeaderDict,
    opts: PoolOptions,
    error: Option<Error>,
}

impl Default for PoolManagerBuilder {
    fn default() -> Self {
        PoolManagerBuilder {
            num_pools: 10,
            headers: HttpHeaderDict::new(),
            opts: PoolOptions::default(),
            error: None,
        }
    }
}

impl PoolManagerBuilder {
    /// `num_pools`: how many pools to keep (least recently used are closed). Default 10.
    pub fn num_pools(mut self, n: usize) -> Self {
        self.num_pools = n;
        self
    }

    /// `headers`: sent with every request that does not give its own.
    pub fn headers<K: Into<String>, V: Into<String>>(
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

    /// `timeout`: seconds or a [`Timeout`].
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
    /// `"CERT_NONE"` are accepted through [`crate::tls::resolve_cert_reqs`].
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

    /// `key_password`: decrypts an encrypted PKCS#8 `key_file`.
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

    /// The spec's `backend`: how connections are opened (a custom resolver, a Unix socket).
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.opts.connector = Arc::new(connector);
        self
    }

    /// Response parser limits (header block size, header count, chunk line length).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.opts.limits = limits;
        self
    }

    /// Replaces the socket options as a whole.
    pub fn connect_options(mut self, connect: ConnectOptions) -> Self {
        self.opts.connect = connect;
        self
    }

    /// `pool_timeout` default is per request; this keeps the builder shape of the spec's
    /// `**connection_pool_kw` for code that passes it here.
    pub fn pool_options(mut self, opts: PoolOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Builds the manager, checking the settings (timeouts, TLS files) now.
    pub fn build(self) -> Result<PoolManager, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.opts.timeout.validate()?;
        if self.opts.tls.ssl_context.is_none() {
            // Fail early on unreadable CA or key files instead of at the first request.
            crate::tls::build_client_config(&self.opts.tls)?;
        }
        let cap = NonZeroUsize::new(self.num_pools).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                "num_pools must be at least 1, got 0",
            )
        })?;
        let fingerprint = options_fingerprint(&self.opts);
        Ok(PoolManager {
            inner: Arc::new(ManagerInner {
                pools: Mutex::new(LruCache::new(cap)),
                opts: self.opts,
                fingerprint,
                headers: self.headers,
            }),
        })
    }
}
