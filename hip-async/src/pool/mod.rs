//! `HttpConnectionPool` and `HttpsConnectionPool`: the spec's connection pools for one host.
//!
//! Idle connections sit on a LIFO stack of at most `maxsize`. With `block(true)` a semaphore
//! of `maxsize` permits bounds the connections that exist at once: a permit travels with
//! each checked-out connection and comes back when the [`PooledConn`] is dropped, whatever
//! the reason (response finished, dropped half-read, request future cancelled), so a slot
//! can never leak. A connection goes back on the stack only when its state machine says
//! the exchange is complete and the connection reusable.
//!
//! Idle expiry needs no timer: a connection idle longer than `idle_timeout`, or open longer
//! than `max_lifetime`, is closed when a checkout would take it, and when a connection goes
//! back to the pool the expired ones under it are closed too (the stack is ordered by when
//! its connections went idle, so they sit at the bottom).

mod conn;
mod key;
mod registry;

use std::fmt;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use hip_core::h1::ClientConnection;
use hip_core::timeout::{Timeout, TimeoutValue};
use hip_core::url::parse_url;
use hip_core::{Error, ErrorKind, Warning};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) use conn::{Connection, ReadDeadline};
pub(crate) use key::{key_host, SharedOptions};
pub use key::{PoolKey, PoolOptions};
pub(crate) use registry::{url_host, url_scheme, Registry, Resolved};

use crate::transport::timing::{self, Opened};
use crate::transport::Scheme;
use crate::transport::{self, sync_io, tcp, tls, CertReqs, DestinationTls, Dialer, Route};
use crate::warnings;

/// How long a connection must have sat idle before its checkout turns the I/O driver once
/// to see what arrived meanwhile.
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(1);

pub(crate) struct PoolInner {
    pub(crate) scheme: Scheme,
    pub(crate) host: Arc<str>,
    pub(crate) port: u16,
    pub(crate) route: Route,
    /// The `Host` value of the pool's requests (host, with the port when not the default).
    authority: String,
    pub(crate) opts: PoolOptions,
    tls_config: Option<Arc<rustls::ClientConfig>>,
    /// Boxed: a connection is a few hundred bytes, and it moves in and out of this list
    /// and a [`PooledConn`] on every request; the box is made once per connection.
    #[allow(clippy::vec_box)]
    idle: Mutex<Vec<Box<Connection>>>,
    permits: Option<Arc<Semaphore>>,
    closed: AtomicBool,
    num_connections: AtomicU64,
    num_requests: AtomicU64,
    warned_insecure: AtomicBool,
}

/// A pool of connections to one host (the spec's `HTTPConnectionPool`, and with
/// [`Scheme::Https`] its `HTTPSConnectionPool`). Cheap to clone: clones share the pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), hip_core::Error> {
/// let pool = hip_async::connection_from_url(
///     "http://127.0.0.1:8080",
///     hip_async::PoolOptions::new().maxsize(4).block(true),
/// )?;
/// let r = pool.request("GET", "/get").send().await?;
/// assert_eq!(r.status(), 200);
/// println!("{} connections, {} requests", pool.num_connections(), pool.num_requests());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpConnectionPool {
    pub(crate) inner: Arc<PoolInner>,
}

/// The spec's `HTTPSConnectionPool`: the same type, built with [`Scheme::Https`].
pub type HttpsConnectionPool = HttpConnectionPool;

impl fmt::Debug for HttpConnectionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl HttpConnectionPool {
    /// The spec's `HTTPConnectionPool(host, port, ...)` / `HTTPSConnectionPool(...)`.
    /// `port` None means the scheme's default. TLS settings are checked (and the rustls
    /// configuration built) here, so a bad CA file is reported now, not at the first request.
    pub fn new(
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        opts: PoolOptions,
    ) -> Result<Self, Error> {
        Self::with_route(scheme, host, port, Route::Direct, opts)
    }

    /// A pool whose connections reach `host` along `route` (what a manager with a proxy
    /// makes).
    pub(crate) fn with_route(
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        route: Route,
        opts: PoolOptions,
    ) -> Result<Self, Error> {
        Scheme::check_host(host)?;
        opts.timeout.validate()?;
        opts.retries.validate()?;
        let tls_config = match scheme {
            Scheme::Https => Some(tls::build_client_config(&opts.tls)?),
            Scheme::Http => None,
        };
        let maxsize = opts.maxsize.max(1);
        let permits = opts.block.then(|| Arc::new(Semaphore::new(maxsize)));
        // Hosts are kept lowercase and without IPv6 brackets, as the spec's pool does.
        let host = key_host(host);
        let port = port.unwrap_or(scheme.default_port());
        let bracketed = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let authority = if port == scheme.default_port() {
            bracketed
        } else {
            format!("{bracketed}:{port}")
        };
        Ok(HttpConnectionPool {
            inner: Arc::new(PoolInner {
                scheme,
                port,
                host: host.into(),
                authority,
                route,
                opts: PoolOptions { maxsize, ..opts },
                tls_config,
                idle: Mutex::new(Vec::with_capacity(maxsize)),
                permits,
                closed: AtomicBool::new(false),
                num_connections: AtomicU64::new(0),
                num_requests: AtomicU64::new(0),
                warned_insecure: AtomicBool::new(false),
            }),
        })
    }

    /// The spec's `scheme`.
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme
    }

    /// The host this pool connects to.
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// The port this pool connects to.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The options the pool was built with.
    pub fn options(&self) -> &PoolOptions {
        &self.inner.opts
    }

    /// How the pool's connections reach the host: directly or through a proxy.
    pub fn route(&self) -> &Route {
        &self.inner.route
    }

    /// How many connections this pool has opened so far (the spec's `num_connections`).
    pub fn num_connections(&self) -> u64 {
        self.inner.num_connections.load(Ordering::Relaxed)
    }

    /// How many requests this pool has sent (the spec's `num_requests`).
    pub fn num_requests(&self) -> u64 {
        self.inner.num_requests.load(Ordering::Relaxed)
    }

    /// How many idle connections wait on the stack right now.
    pub fn num_idle(&self) -> usize {
        self.inner.idle.lock().map(|v| v.len()).unwrap_or(0)
    }

    /// With `block(true)`: how many more connections could be checked out right now.
    /// Equal to `maxsize` when no request is in flight.
    pub fn available_slots(&self) -> Option<usize> {
        self.inner.permits.as_ref().map(|s| s.available_permits())
    }

    /// True once [`HttpConnectionPool::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// The spec's `close()`: closes every idle connection and refuses further requests
    /// (ClosedPoolError). Connections in use are closed when their responses are done.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        if let Some(sem) = &self.inner.permits {
            sem.close();
        }
        if let Ok(mut idle) = self.inner.idle.lock() {
            idle.clear();
        }
    }

    /// The spec's `is_same_host(url)`: does `url` point at this pool's scheme, host and port?
    /// Relative URLs (no host) are the same host.
    pub fn is_same_host(&self, url: &str) -> bool {
        if url.starts_with('/') {
            return true;
        }
        let Ok(u) = parse_url(url) else {
            return false;
        };
        let Some(host) = u.host.as_deref() else {
            return true;
        };
        let scheme = u
            .scheme
            .as_deref()
            .and_then(Scheme::parse)
            .unwrap_or(Scheme::Http);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        scheme == self.inner.scheme
            && host.eq_ignore_ascii_case(&self.inner.host)
            && u.port.unwrap_or(scheme.default_port()) == self.inner.port
    }

    /// `HTTPConnectionPool(host='h', port=80)`, as the spec's errors name pools.
    pub(crate) fn describe(&self) -> String {
        let class = match self.inner.scheme {
            Scheme::Http => "HTTPConnectionPool",
            Scheme::Https => "HTTPSConnectionPool",
        };
        format!(
            "{class}(host='{}', port={})",
            self.inner.host, self.inner.port
        )
    }

    /// The `Host` header value (host, with the port when it is not the default).
    pub(crate) fn authority(&self) -> &str {
        &self.inner.authority
    }

    /// Takes a connection: an idle one if there is a live one, else a new one.
    pub(crate) async fn get_conn(
        &self,
        pool_timeout: Option<Duration>,
        timeout: &mut Timeout,
        fresh_only: bool,
    ) -> Result<Checkout, Error> {
        if self.is_closed() {
            return Err(self.closed_error());
        }
        let permit = match &self.inner.permits {
            None => None,
            Some(sem) => {
                let acquire = sem.clone().acquire_owned();
                let permit =
                    match pool_timeout {
                        Some(t) => match tokio::time::timeout(t, acquire).await {
                            Ok(p) => p,
                            Err(_) => return Err(Error::new(
                                ErrorKind::EmptyPool,
                                "Pool reached maximum size and no more connections are allowed.",
                            )
                            .with_pool(self.describe())),
                        },
                        None => acquire.await,
                    };
                Some(permit.map_err(|_| self.closed_error())?)
            }
        };
        let now = Instant::now();
        timeout.start_connect(now)?;
        let opts = &self.inner.opts;
        if !fresh_only {
            while let Some(mut conn) = self.pop_idle() {
                // After a pause, one turn of the runtime's I/O driver delivers what arrived
                // while the connection sat idle (a close, or bytes no request asked for);
                // without it a current-thread runtime (the blocking API's) would not see them
                // yet. Back-to-back reuse skips it: nothing can have arrived unseen in that
                // instant that could not as well arrive just after the check.
                if conn.idle_for(now) >= IDLE_CHECK_AFTER {
                    tokio::task::yield_now().await;
                }
                if let Some(why) = conn.expiry(now, opts.idle_timeout, opts.max_lifetime) {
                    tracing::debug!(target: "hip", "Closing connection {}: {}", why.reason(), self.inner.host);
                    continue;
                }
                if conn.is_dropped() {
                    tracing::debug!(target: "hip", "Resetting dropped connection: {}", self.inner.host);
                    continue;
                }
                return Ok(Checkout {
                    conn: PooledConn::new(conn, permit, &self.inner),
                    start: now,
                    setup: None,
                });
            }
        }
        // Boxed: the connect path (resolution, Happy Eyeballs, proxies, TLS) is a large
        // future that a request on a reused connection would otherwise carry (and move)
        // every time; one allocation per new connection instead.
        let (conn, setup) = Box::pin(self.new_conn(timeout, now)).await?;
        Ok(Checkout {
            conn: PooledConn::new(conn, permit, &self.inner),
            start: now,
            setup: Some(setup),
        })
    }

    fn pop_idle(&self) -> Option<Box<Connection>> {
        self.inner.idle.lock().ok().and_then(|mut v| v.pop())
    }

    /// Opens a connection for a request that started at `start`, with the timings of its
    /// connection phases, counted from there.
    async fn new_conn(
        &self,
        timeout: &Timeout,
        start: Instant,
    ) -> Result<(Box<Connection>, Opened), Error> {
        let n = self.inner.num_connections.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(
            target: "hip",
            "Starting new {} connection ({n}): {}:{}",
            if self.inner.scheme == Scheme::Https { "HTTPS" } else { "HTTP" },
            self.inner.host,
            self.inner.port
        );
        let connect_timeout = timeout_duration(timeout.connect_timeout());
        let opts = &self.inner.opts;
        let dialer = Dialer {
            connector: opts.connector.as_ref(),
            connect: &opts.connect,
            limits: opts.limits,
        };
        let tls = self.inner.tls_config.as_ref().map(|config| {
            self.warn_if_insecure();
            DestinationTls {
                opts: &opts.tls,
                config,
            }
        });
        // Directly or along the route's proxy (its whole handshake), then TLS.
        let connecting = transport::connect(
            &self.inner.route,
            &dialer,
            &self.inner.host,
            self.inner.port,
            tls,
        );
        // One deadline covers name resolution, TCP connect and the TLS handshake; the end
        // of each phase is stamped for the timings. A blocking caller's handshakes block on
        // the socket, bounded by the same deadline (see `sync_io`).
        let mut connecting = pin!(timing::scope(connecting));
        let io = match connect_timeout {
            None => connecting.as_mut().await,
            Some(t) => sync_io::timeout(t, connecting.as_mut())
                .await
                .unwrap_or_else(|| Err(tcp::connect_timeout_error(&self.inner.host, t))),
        };
        let io = io.map_err(|e| e.with_pool(self.describe()))?;
        let setup = timing::stamps(connecting).since(start);
        let conn = Box::new(Connection::new(
            io,
            ClientConnection::with_limits(opts.limits),
            self.inner.host.clone(),
        ));
        Ok((conn, setup))
    }

    fn warn_if_insecure(&self) {
        let tls = &self.inner.opts.tls;
        let unverified = tls.cert_reqs == CertReqs::None && tls.assert_fingerprint.is_none();
        if unverified && !self.inner.warned_insecure.swap(true, Ordering::Relaxed) {
            warnings::warn(
                Warning::InsecureRequest,
                &format!(
                    "Unverified HTTPS request is being made to host '{}'. Adding certificate \
                     verification is strongly advised.",
                    self.inner.host
                ),
            );
        }
    }

    pub(crate) fn count_request(&self) {
        self.inner.num_requests.fetch_add(1, Ordering::Relaxed);
    }

    fn closed_error(&self) -> Error {
        Error::new(ErrorKind::ClosedPool, "Pool is closed.").with_pool(self.describe())
    }
}

impl PoolInner {
    /// The spec's `_put_conn`: keep a finished, reusable connection; close anything else.
    /// Connections that expired while idle under it are closed now too. `now` is the time
    /// it comes back.
    fn put_conn(&self, mut conn: Box<Connection>, now: Instant) {
        if self.closed.load(Ordering::Acquire) || !conn.prepare_reuse(now) {
            return;
        }
        let (idle_timeout, max_lifetime) = (self.opts.idle_timeout, self.opts.max_lifetime);
        if let Some(why) = conn.expiry(now, idle_timeout, max_lifetime) {
            tracing::debug!(target: "hip", "Closing connection {}: {}", why.reason(), self.host);
            return;
        }
        let Ok(mut idle) = self.idle.lock() else {
            return;
        };
        // Oldest idle first: usually one comparison finds that nothing has expired.
        let stale = idle
            .iter()
            .take_while(|c| c.expiry(now, idle_timeout, None).is_some())
            .count();
        let mut expired: Vec<Box<Connection>> = idle.drain(..stale).collect();
        if max_lifetime.is_some() {
            let mut i = 0;
            while i < idle.len() {
                if idle[i].expiry(now, None, max_lifetime).is_some() {
                    expired.push(idle.remove(i));
                } else {
                    i += 1;
                }
            }
        }
        let full = idle.len() >= self.opts.maxsize;
        if !full {
            idle.push(conn);
        }
        drop(idle);
        if !expired.is_empty() {
            tracing::debug!(
                target: "hip",
                "Closing {} expired idle connection(s): {}",
                expired.len(),
                self.host
            );
        }
        // Closed outside the lock.
        drop(expired);
        if full {
            tracing::warn!(
                target: "hip",
                "Connection pool is full, discarding connection: {}",
                self.host
            );
        }
    }
}

/// What [`HttpConnectionPool::get_conn`] hands out: the connection, and for the request's
/// timings when it started and, for a new connection, how long opening it took.
pub(crate) struct Checkout {
    pub(crate) conn: PooledConn,
    /// When the request had its pool slot and started looking for a connection: where its
    /// timings start (the clock reading the connect timeout and idle expiry use too).
    pub(crate) start: Instant,
    /// The connection phases (DNS, connect, proxy, TLS) from `start`, when the connection
    /// was opened for this request; `None` for a reused one.
    pub(crate) setup: Option<Opened>,
}

/// A connection checked out of a pool. Dropping it returns the connection to the pool when
/// the exchange finished cleanly, closes it otherwise, and always frees the pool slot.
pub(crate) struct PooledConn {
    conn: Option<Box<Connection>>,
    _permit: Option<OwnedSemaphorePermit>,
    pool: Weak<PoolInner>,
}

impl PooledConn {
    fn new(
        conn: Box<Connection>,
        permit: Option<OwnedSemaphorePermit>,
        pool: &Arc<PoolInner>,
    ) -> Self {
        PooledConn {
            conn: Some(conn),
            _permit: permit,
            pool: Arc::downgrade(pool),
        }
    }

    /// Hands the connection back as [`Drop`] does, with the time already read by the
    /// caller (the end of the response body), so the pool needs no clock read of its own.
    /// Dropping what is left afterwards only frees the pool slot.
    pub(crate) fn release_at(&mut self, now: Instant) {
        if let (Some(conn), Some(pool)) = (self.conn.take(), self.pool.upgrade()) {
            pool.put_conn(conn, now);
        }
    }

    pub(crate) fn conn(&mut self) -> &mut Connection {
        // The connection is only taken out by `release_at`, after which its owner drops it.
        self.conn
            .as_deref_mut()
            .expect("PooledConn used after release")
    }

    /// Closes the connection now instead of returning it.
    pub(crate) fn discard(mut self) {
        self.conn = None;
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        if self.conn.is_some() {
            self.release_at(Instant::now());
        }
    }
}

/// Seconds from a [`TimeoutValue`]: `Default` and `Never` both mean no limit in hip (the
/// spec's "system default" socket timeout is no timeout).
pub(crate) fn timeout_duration(v: TimeoutValue) -> Option<Duration> {
    match v {
        TimeoutValue::After(d) => Some(d),
        _ => None,
    }
}
