//! Pool identity: the [`Scheme`], the options a pool is made with ([`PoolOptions`]) and the
//! typed [`PoolKey`] a manager files its pools under.
//!
//! Identity is compared by value, never through `Debug` text: two requests share a pool
//! exactly when every option that changes what a connection is or how it is used is equal
//! (every TLS option including the CA bytes and the key password, the socket options, the
//! parser limits, the route, and the pool-level retries, timeout and headers, as urllib3
//! keys its pools). What cannot be compared by value (the caller's rustls `ClientConfig`,
//! the connector) counts as the same only when it is the same `Arc`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hip_core::h1::Limits;
use hip_core::retry::Retry;
use hip_core::timeout::Timeout;
use hip_core::HttpHeaderDict;

use crate::transport::tcp::default_connector;
use crate::transport::{ConnectOptions, Connector, Resolve, Route, Scheme, TlsOptions};

/// Everything a pool is configured with: the spec's constructor arguments (`timeout`,
/// `maxsize`, `block`, `headers`, `retries`, the TLS arguments and `**conn_kw`).
///
/// Compared and hashed by value (the connector and the resolver by `Arc` identity), so that
/// options make a
/// [`PoolKey`]. Set fields directly or with the builder methods of the same names
/// (`PoolOptions::new().maxsize(10).block(true)`).
#[derive(Clone)]
#[non_exhaustive]
pub struct PoolOptions {
    /// `timeout`: the default for each request.
    pub timeout: Timeout,
    /// `maxsize`: how many idle connections are kept (and, with `block`, how many may exist).
    pub maxsize: usize,
    /// `block`: at most `maxsize` connections at a time; others wait for one.
    pub block: bool,
    /// `headers`: sent with every request that does not give its own.
    pub headers: HttpHeaderDict,
    /// `retries`: the default retry policy.
    pub retries: Retry,
    /// `source_address`, `socket_options`: how sockets are set up.
    pub connect: ConnectOptions,
    /// The spec's `backend`: how connections are opened.
    pub connector: Arc<dyn Connector>,
    /// `cert_reqs`, `ca_certs`, ... for HTTPS.
    pub tls: TlsOptions,
    /// Parser limits for responses.
    pub limits: Limits,
    /// How long a connection may sit idle in the pool and still be reused (default 90 s,
    /// as hyper-util's `pool_idle_timeout`; `None`: forever). An older one is closed when
    /// it would be checked out, or when another connection goes back to the pool. No
    /// background task watches the pool.
    pub idle_timeout: Option<Duration>,
    /// How long a connection may be used after it was opened (default `None`: as long as it
    /// lasts). An older one is closed when it goes back to the pool or would be checked
    /// out; a request already under way on it finishes.
    pub max_lifetime: Option<Duration>,
}

/// hyper-util's default `pool_idle_timeout`.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            timeout: Timeout::new(),
            maxsize: 1,
            block: false,
            headers: HttpHeaderDict::new(),
            retries: Retry::default(),
            connect: ConnectOptions::default(),
            connector: default_connector(),
            tls: TlsOptions::default(),
            limits: Limits::default(),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            max_lifetime: None,
        }
    }
}

impl PoolOptions {
    /// The defaults: `maxsize` 1, no `block`, no headers, `Retry::DEFAULT`, the default
    /// timeout, TCP with `TCP_NODELAY` (the system resolver, Happy Eyeballs with a 250 ms
    /// attempt delay), verified TLS, idle connections reused for 90 s.
    ///
    /// ```
    /// let opts = hip_async::PoolOptions::new().maxsize(10).block(true);
    /// assert_eq!((opts.maxsize, opts.block), (10, true));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// `timeout`: the default for each request.
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// `maxsize`: idle connections kept (and, with `block`, connections at most).
    pub fn maxsize(mut self, maxsize: usize) -> Self {
        self.maxsize = maxsize;
        self
    }

    /// `block`: never more than `maxsize` connections at a time.
    pub fn block(mut self, block: bool) -> Self {
        self.block = block;
        self
    }

    /// `headers`: sent with every request that does not give its own.
    pub fn headers(mut self, headers: HttpHeaderDict) -> Self {
        self.headers = headers;
        self
    }

    /// `retries`: the default retry policy.
    pub fn retries(mut self, retries: impl Into<hip_core::retry::Retries>) -> Self {
        self.retries = retries.into().resolve(true, &Retry::default());
        self
    }

    /// `source_address`, `socket_options`: how sockets are set up.
    pub fn connect(mut self, connect: ConnectOptions) -> Self {
        self.connect = connect;
        self
    }

    /// The spec's `backend`: how connections are opened.
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.connector = Arc::new(connector);
        self
    }

    /// How the default connector resolves host names
    /// ([`ConnectOptions::resolver`]).
    pub fn resolver(mut self, resolver: impl Resolve) -> Self {
        self.connect.resolver = Arc::new(resolver);
        self
    }

    /// Connect to `addr` instead of resolving `host`, as curl's `--resolve`
    /// ([`ConnectOptions::resolve_overrides`]): for connections to `addr`'s port, or to any
    /// port when it is 0. Adds to the overrides given so far.
    pub fn resolve(mut self, host: &str, addr: SocketAddr) -> Self {
        self.connect.resolve_overrides.push((key_host(host), addr));
        self
    }

    /// Happy Eyeballs' connection-attempt delay ([`ConnectOptions::attempt_delay`]).
    pub fn connect_attempt_delay(mut self, delay: Duration) -> Self {
        self.connect.attempt_delay = delay;
        self
    }

    /// How long an idle connection may wait in the pool and still be reused (`None`:
    /// forever).
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = timeout.into();
        self
    }

    /// How long a connection may be used after it was opened (`None`: no limit).
    pub fn max_lifetime(mut self, lifetime: impl Into<Option<Duration>>) -> Self {
        self.max_lifetime = lifetime.into();
        self
    }

    /// `cert_reqs`, `ca_certs`, ... for HTTPS.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Parser limits for responses.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Everything that makes two options different, as one comparable value: every field
    /// (taken apart, so a new field cannot be forgotten), the connector by its `Arc`'s
    /// address, the cheap comparisons first.
    fn identity(&self) -> impl PartialEq + Hash + '_ {
        let PoolOptions {
            timeout,
            maxsize,
            block,
            headers,
            retries,
            connect,
            connector,
            tls,
            limits,
            idle_timeout,
            max_lifetime,
        } = self;
        (
            (maxsize, block, Arc::as_ptr(connector) as *const (), limits),
            (idle_timeout, max_lifetime, timeout),
            (connect, retries, headers, tls),
        )
    }
}

impl PartialEq for PoolOptions {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for PoolOptions {}

impl Hash for PoolOptions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

impl fmt::Debug for PoolOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolOptions")
            .field("timeout", &self.timeout)
            .field("maxsize", &self.maxsize)
            .field("block", &self.block)
            .field("headers", &self.headers)
            .field("retries", &self.retries)
            .field("connect", &self.connect)
            .field("tls", &self.tls)
            .field("limits", &self.limits)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_lifetime", &self.max_lifetime)
            .finish_non_exhaustive()
    }
}

/// Pool options shared between keys, with their hash computed once: a manager keys every
/// request with the same options, so it hashes them when it is built, not per request. The
/// hash comes from a hasher with fixed keys, so equal options always have equal hashes.
#[derive(Clone)]
pub(crate) struct SharedOptions {
    opts: Arc<PoolOptions>,
    hash: u64,
}

impl SharedOptions {
    pub(crate) fn new(opts: PoolOptions) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        opts.hash(&mut hasher);
        SharedOptions {
            hash: hasher.finish(),
            opts: Arc::new(opts),
        }
    }

    pub(crate) fn get(&self) -> &PoolOptions {
        &self.opts
    }
}

impl PartialEq for SharedOptions {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.opts, &other.opts)
            || (self.hash == other.hash && *self.opts == *other.opts)
    }
}

impl Eq for SharedOptions {}

impl Hash for SharedOptions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The key a manager files its pools under: the spec's `PoolKey` (scheme, host, port, and
/// every connection option), with the route the pool's connections take.
///
/// Two keys are equal exactly when all of their parts are, compared by value: every TLS
/// option (the CA bytes and the key password included), the socket options, the limits,
/// the route, and the pool-level retries, timeout and headers; the caller's `ClientConfig`
/// and connector by `Arc` identity. The host is kept lowercase and without IPv6 brackets.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    scheme: Scheme,
    host: String,
    port: u16,
    route: Route,
    options: SharedOptions,
}

impl PoolKey {
    /// The key of a pool for `scheme://host:port` reached along `route`, made with
    /// `options`.
    pub fn new(scheme: Scheme, host: &str, port: u16, route: Route, options: PoolOptions) -> Self {
        PoolKey::shared(scheme, host, port, route, SharedOptions::new(options))
    }

    pub(crate) fn shared(
        scheme: Scheme,
        host: &str,
        port: u16,
        route: Route,
        options: SharedOptions,
    ) -> Self {
        PoolKey {
            scheme,
            host: key_host(host),
            port,
            route,
            options,
        }
    }

    /// `key_scheme`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `key_host`: lowercase, IPv6 literals without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `key_port`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the pool's connections reach the host (the spec's `key__proxy`).
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The pool's options (the other `key_*` fields).
    pub fn options(&self) -> &PoolOptions {
        self.options.get()
    }
}

impl fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolKey")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// A host as pools keep it: lowercase, IPv6 literals without brackets.
pub(crate) fn key_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}
