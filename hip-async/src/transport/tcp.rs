//! Opening connections: name resolution, TCP connect, socket options, and the check that
//! tells whether an idle connection is still usable.
//!
//! This is the spec's `hip.util.connection` module (`create_connection`,
//! `is_connection_dropped`) and the `backend` a `PoolManager` is built with: a [`Connector`]
//! decides how a byte stream to `host:port` is opened. [`TcpConnector`] is the default;
//! tests, proxies and embedders plug in their own.
//!
//! The default connector resolves the host with the [`Resolve`] of its options (after the
//! static overrides) and races the addresses as RFC 8305 says (see `eyeballs`).
//!
//! [`open`] wraps any connector with the connect timeout and turns its failure into the
//! spec's errors: `ConnectTimeoutError` ([`ErrorKind::ConnectTimeout`]) when the timeout
//! ran out, `NewConnectionError` ([`ErrorKind::NewConnection`]) otherwise. Unlike Python,
//! the timeout covers name resolution too.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use hip_core::{Error, ErrorKind};
use socket2::{Domain, Protocol, SockAddr, Socket, TcpKeepalive, Type};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::eyeballs;
use super::resolve::{self, Resolve};
use super::sync_io;
use super::timing::{self, Phase};

/// A byte stream hip can speak HTTP over: a TCP stream, a TLS stream, a proxy tunnel, or
/// anything a custom [`Connector`] returns. Every type with the right traits is one.
pub trait AsyncIo: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncIo for T {}

/// An open connection, type-erased: what connectors return and pools keep.
pub type BoxIo = Box<dyn AsyncIo>;

/// A socket option applied before connecting (the spec's `socket_options`, a list of
/// `(level, option, value)` tuples for `setsockopt`).
///
/// Raw `setsockopt` triples are not portable, so hip names the common options instead.
/// Options are applied in order, after [`ConnectOptions::nodelay`] and
/// [`ConnectOptions::keepalive`], so an entry here overrides those fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketOption {
    /// `TCP_NODELAY`: send small writes at once instead of waiting (Nagle's algorithm off).
    TcpNoDelay(bool),
    /// `SO_KEEPALIVE`: `None` turns keep-alive probes off; `Some(idle)` turns them on, with
    /// the first probe after `idle` without traffic (`Duration::ZERO`: the OS default idle
    /// time; below one second is rounded up to one second).
    KeepAlive(Option<Duration>),
    /// `SO_RCVBUF`: the receive buffer size in bytes.
    RecvBufferSize(usize),
    /// `SO_SNDBUF`: the send buffer size in bytes.
    SendBufferSize(usize),
    /// `SO_REUSEADDR`.
    ReuseAddress(bool),
    /// `SO_LINGER`: `None` is the default close; `Some(d)` makes close wait up to `d` for
    /// unsent data (`Some(Duration::ZERO)` resets the connection on close).
    Linger(Option<Duration>),
}

/// How to open a connection: the spec's `source_address` and `socket_options` (the
/// `**conn_kw` of `HTTPConnectionPool`, and the arguments of
/// `hip.util.connection.create_connection`), and how hosts are resolved and their
/// addresses raced.
///
/// The default has `TCP_NODELAY` on, as the spec's `HTTPConnection.default_socket_options`
/// does, no keep-alive probes, lets the OS choose the source address, resolves with the
/// system resolver, and waits 250 ms before trying the next address (RFC 8305).
///
/// Compared and hashed by value, the resolver by `Arc` identity (so options with the
/// default resolver are equal).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// `source_address`: the local address to bind before connecting. Port 0 lets the OS
    /// choose the port; an unspecified IP (`0.0.0.0`, `::`) lets it choose the address (the
    /// spec's `('', 0)`). Only the host's addresses of this address's family are tried.
    pub source_address: Option<SocketAddr>,
    /// `TCP_NODELAY` (default `true`).
    pub nodelay: bool,
    /// `SO_KEEPALIVE` with this idle time before the first probe (default `None`: off).
    /// See [`SocketOption::KeepAlive`] for `Duration::ZERO`.
    pub keepalive: Option<Duration>,
    /// Further socket options, applied in order after the fields above.
    pub socket_options: Vec<SocketOption>,
    /// Happy Eyeballs' connection-attempt delay (RFC 8305 §5): how long an attempt to one
    /// address has to itself before the next address is tried too (default 250 ms). A
    /// failed attempt starts the next at once. `Duration::ZERO` tries every address at
    /// once.
    pub attempt_delay: Duration,
    /// How host names are resolved (default: [`SystemResolver`](super::SystemResolver)).
    pub resolver: Arc<dyn Resolve>,
    /// Static answers that win over the resolver, as curl's `--resolve`: `(name, addr)`
    /// connects to `addr`'s IP instead of resolving `name`, for connections to `addr`'s
    /// port only, or to any port when it is 0. Several entries for one name give several
    /// addresses. The `Host` header and TLS (SNI, certificate checks) keep the name.
    pub resolve_overrides: Vec<(String, SocketAddr)>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            source_address: None,
            nodelay: true,
            keepalive: None,
            socket_options: Vec::new(),
            attempt_delay: DEFAULT_ATTEMPT_DELAY,
            resolver: resolve::default_resolver(),
            resolve_overrides: Vec::new(),
        }
    }
}

/// RFC 8305's recommended connection-attempt delay.
pub(crate) const DEFAULT_ATTEMPT_DELAY: Duration = Duration::from_millis(250);

impl ConnectOptions {
    /// The addresses the default connector tries for `host:port`, before they are put in
    /// Happy Eyeballs order: the IP literal itself (IPv6 with or without brackets), else
    /// the [`resolve_overrides`](ConnectOptions::resolve_overrides) for the name, else
    /// what the [`resolver`](ConnectOptions::resolver) answers. For connectors of one's
    /// own that want hip's resolution. Errors name the host.
    pub async fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        resolve::lookup(self.resolver.as_ref(), &self.resolve_overrides, host, port).await
    }

    /// Everything that makes two options different, as one comparable value (the resolver
    /// by its `Arc`'s address).
    fn identity(&self) -> impl PartialEq + Hash + '_ {
        let ConnectOptions {
            source_address,
            nodelay,
            keepalive,
            socket_options,
            attempt_delay,
            resolver,
            resolve_overrides,
        } = self;
        (
            (source_address, nodelay, keepalive, socket_options),
            (attempt_delay, Arc::as_ptr(resolver) as *const ()),
            resolve_overrides,
        )
    }
}

impl PartialEq for ConnectOptions {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for ConnectOptions {}

impl Hash for ConnectOptions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// How a connection is opened: the spec's `backend` argument of `PoolManager`.
///
/// A connector resolves `host` (a DNS name or an IP literal, IPv6 with or without
/// brackets) and returns an open byte stream to `host:port`; [`ConnectOptions::lookup`]
/// resolves as hip does, with the options' resolver and overrides. It does not enforce the
/// connect timeout; the pool does. Its errors should name the host and address they
/// concern; the pool reports them as `NewConnectionError`.
pub trait Connector: Send + Sync + 'static {
    /// Opens a connection to `host:port` with `opts`.
    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        opts: &'a ConnectOptions,
    ) -> BoxFuture<'a, io::Result<BoxIo>>;
}

/// The default [`Connector`]: plain TCP with tokio, as the spec's `create_connection`.
///
/// It resolves the host with [`ConnectOptions::lookup`] (IP literals are used as they are,
/// then the static overrides, then the options' resolver), keeps the addresses of
/// `source_address`'s family when one is set, and races them as RFC 8305 (Happy Eyeballs
/// v2) says: IPv6 and IPv4 alternating, IPv6 first; the next address tried after
/// [`ConnectOptions::attempt_delay`] or as soon as an attempt fails; the first connection
/// wins and the others are closed. Every socket gets `source_address` and the socket
/// options before it connects. When every address fails, one error names the host and
/// each address tried, with its error.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpConnector;

impl Connector for TcpConnector {
    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        opts: &'a ConnectOptions,
    ) -> BoxFuture<'a, io::Result<BoxIo>> {
        Box::pin(async move {
            let stream = connect_tcp(host, port, opts).await?;
            Ok(Box::new(stream) as BoxIo)
        })
    }
}

/// Resolves `host:port` and races its addresses, as [`TcpConnector`] does, returning the
/// concrete [`tokio::net::TcpStream`].
pub(crate) async fn connect_tcp(
    host: &str,
    port: u16,
    opts: &ConnectOptions,
) -> io::Result<tokio::net::TcpStream> {
    let addrs = addresses(host, port, opts).await?;
    race_async(host, addrs, opts).await
}

/// Races `addrs` (in Happy Eyeballs order) with tokio connects.
async fn race_async(
    host: &str,
    addrs: Vec<SocketAddr>,
    opts: &ConnectOptions,
) -> io::Result<tokio::net::TcpStream> {
    eyeballs::race(host, addrs, opts.attempt_delay, |addr| {
        connect_addr(addr, opts)
    })
    .await
}

/// The addresses to try for `host:port`, in Happy Eyeballs order: resolved (or overridden),
/// only those of `source_address`'s family when it is set.
async fn addresses(host: &str, port: u16, opts: &ConnectOptions) -> io::Result<Vec<SocketAddr>> {
    let mut addrs = opts.lookup(host, port).await?;
    if let Some(source) = opts.source_address {
        let resolved = addrs.clone();
        addrs.retain(|a| a.is_ipv4() == source.is_ipv4());
        if addrs.is_empty() {
            let shown: Vec<String> = resolved.iter().map(ToString::to_string).collect();
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "source_address {source} cannot reach {host:?}: it is {}, the host's \
                     addresses are not ({})",
                    family(source),
                    shown.join(", ")
                ),
            ));
        }
    }
    Ok(eyeballs::interleave(addrs))
}

fn family(addr: SocketAddr) -> &'static str {
    if addr.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

async fn connect_addr(
    addr: SocketAddr,
    opts: &ConnectOptions,
) -> io::Result<tokio::net::TcpStream> {
    let socket = prepared_socket(addr, opts)?;
    socket.set_nonblocking(true)?;
    let std_stream: std::net::TcpStream = socket.into();
    tokio::net::TcpSocket::from_std_stream(std_stream)
        .connect(addr)
        .await
}

/// Connects to `addr` on the calling thread (a blocking caller's), waiting at most until the
/// bound of its waits (the connect deadline); the stream stays in blocking mode.
#[cfg(unix)]
fn connect_addr_blocking(
    addr: SocketAddr,
    opts: &ConnectOptions,
) -> io::Result<std::net::TcpStream> {
    let socket = prepared_socket(addr, opts)?;
    let until = sync_io::caller().until;
    let connected = match sync_io::remaining(until)? {
        None => socket.connect(&SockAddr::from(addr)),
        Some(left) => socket.connect_timeout(&SockAddr::from(addr), left),
    };
    match connected {
        Ok(()) => Ok(socket.into()),
        // The bound ran out (rather than the system's own connect timeout).
        Err(_) if sync_io::remaining(until).is_err() => Err(sync_io::timed_out()),
        Err(e) => Err(e),
    }
}

/// A TCP socket for `addr` with the options applied and bound to `source_address`, not yet
/// connected.
fn prepared_socket(addr: SocketAddr, opts: &ConnectOptions) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_tcp_nodelay(opts.nodelay)?;
    if let Some(idle) = opts.keepalive {
        apply_option(&socket, &SocketOption::KeepAlive(Some(idle)))?;
    }
    for option in &opts.socket_options {
        apply_option(&socket, option)?;
    }
    if let Some(source) = opts.source_address {
        if source.is_ipv4() != addr.is_ipv4() {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!("source_address {source} cannot reach {addr} (other address family)"),
            ));
        }
        socket.bind(&SockAddr::from(source)).map_err(|e| {
            io::Error::new(
                e.kind(),
                ConnectAttemptError {
                    context: format!("could not bind source_address {source}"),
                    source: e,
                },
            )
        })?;
    }
    Ok(socket)
}

fn apply_option(socket: &Socket, option: &SocketOption) -> io::Result<()> {
    match option {
        SocketOption::TcpNoDelay(on) => socket.set_tcp_nodelay(*on),
        SocketOption::KeepAlive(None) => socket.set_keepalive(false),
        SocketOption::KeepAlive(Some(idle)) if idle.is_zero() => socket.set_keepalive(true),
        SocketOption::KeepAlive(Some(idle)) => {
            // TCP_KEEPIDLE counts whole seconds and refuses 0.
            let secs = idle.as_secs() + u64::from(idle.subsec_nanos() > 0);
            socket.set_tcp_keepalive(&TcpKeepalive::new().with_time(Duration::from_secs(secs)))
        }
        SocketOption::RecvBufferSize(n) => socket.set_recv_buffer_size(*n),
        SocketOption::SendBufferSize(n) => socket.set_send_buffer_size(*n),
        SocketOption::ReuseAddress(on) => socket.set_reuse_address(*on),
        SocketOption::Linger(d) => socket.set_linger(*d),
    }
}

/// An I/O error with the host or address it concerns, kept as the source.
#[derive(Debug)]
struct ConnectAttemptError {
    context: String,
    source: io::Error,
}

impl fmt::Display for ConnectAttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for ConnectAttemptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Opens a connection to `host:port` with `connector`, bounded by `connect_timeout`.
///
/// This is the spec's `create_connection` with hip's errors: when the timeout runs out
/// first (name resolution included), [`ErrorKind::ConnectTimeout`]
/// (`"Connection to {host} timed out. (connect timeout={secs})"`); when the connector
/// fails, [`ErrorKind::NewConnection`] (`"Failed to establish a new connection: ..."`)
/// with the I/O error as its source. `None` waits as long as the connector does. Success
/// stamps the end of the TCP connect phase.
pub(crate) async fn open(
    connector: &dyn Connector,
    host: &str,
    port: u16,
    opts: &ConnectOptions,
    connect_timeout: Option<Duration>,
) -> Result<BoxIo, Error> {
    tracing::trace!(target: "hip::connect", host, port, "opening connection");
    let attempt = if sync_io::is_blocking() && is_default(connector) {
        blocking_connect(host, port, opts)
    } else {
        connector.connect(host, port, opts)
    };
    let result = match connect_timeout {
        Some(limit) => match tokio::time::timeout(limit, attempt).await {
            Ok(result) => result,
            Err(_elapsed) => return Err(connect_timeout_error(host, limit)),
        },
        None => attempt.await,
    };
    let io = result.map_err(|e| {
        Error::new(
            ErrorKind::NewConnection,
            "Failed to establish a new connection",
        )
        .with_source(e)
    })?;
    timing::stamp(Phase::Connect);
    Ok(io)
}

/// The default connector for a blocking caller: the same connection as a
/// [`SyncTcp`](sync_io::SyncTcp) that blocks its caller (see `sync_io`).
#[cfg(unix)]
fn blocking_connect<'a>(
    host: &'a str,
    port: u16,
    opts: &'a ConnectOptions,
) -> BoxFuture<'a, io::Result<BoxIo>> {
    Box::pin(async move {
        let addrs = addresses(host, port, opts).await?;
        // One address is connected on the caller's thread; several race through the runtime
        // (Happy Eyeballs needs attempts side by side).
        let io = if addrs.len() == 1 {
            let connect = |addr| std::future::ready(connect_addr_blocking(addr, opts));
            let stream = eyeballs::race(host, addrs, opts.attempt_delay, connect).await?;
            sync_io::SyncTcp::from_std(stream)
        } else {
            sync_io::SyncTcp::new(race_async(host, addrs, opts).await?)
        };
        Ok(Box::new(io) as BoxIo)
    })
}

#[cfg(not(unix))]
fn blocking_connect<'a>(
    host: &'a str,
    port: u16,
    opts: &'a ConnectOptions,
) -> BoxFuture<'a, io::Result<BoxIo>> {
    TcpConnector.connect(host, port, opts)
}

/// The one default connector: options made with the defaults share it, so they key alike.
pub(crate) fn default_connector() -> Arc<dyn Connector> {
    static DEFAULT: OnceLock<Arc<dyn Connector>> = OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(TcpConnector)).clone()
}

/// Whether `connector` is [`default_connector`] (what it opens is known: a TCP stream).
fn is_default(connector: &dyn Connector) -> bool {
    std::ptr::addr_eq(
        connector as *const dyn Connector,
        Arc::as_ptr(&default_connector()),
    )
}

/// The spec's `ConnectTimeoutError` for `host` after `limit`.
pub(crate) fn connect_timeout_error(host: &str, limit: Duration) -> Error {
    Error::new(
        ErrorKind::ConnectTimeout,
        format!(
            "Connection to {host} timed out. (connect timeout={:?})",
            limit.as_secs_f64()
        ),
    )
}

/// Whether an idle connection has been closed by the peer or is otherwise unusable: the
/// spec's `is_connection_dropped` (`hip.util.is_connection_dropped`).
///
/// It polls one read without blocking (with a no-op waker). `Pending` means nothing has
/// arrived, so the connection is alive and idle: `false`. End of stream, an error, or
/// unexpected bytes from the server (nothing may arrive on an idle HTTP/1.1 connection;
/// one byte is consumed and the connection must be thrown away) mean `true`.
///
/// For TLS streams it looks through the TLS layer, so a `close_notify` counts as closed
/// and a late session ticket does not count as data. It sees what tokio's reactor has
/// seen: a close that arrived a moment ago may not be noticed yet, which is why a request
/// on a reused connection can still meet a closed connection and must be retryable.
pub fn is_dropped<T: AsyncRead + Unpin + ?Sized>(io: &mut T) -> bool {
    let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
    let mut byte = [0u8; 1];
    let mut buf = ReadBuf::new(&mut byte);
    match sync_io::probing(|| Pin::new(io).poll_read(&mut cx, &mut buf)) {
        Poll::Pending => false,
        Poll::Ready(Ok(())) => true,
        Poll::Ready(Err(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_have_nodelay() {
        let o = ConnectOptions::default();
        assert!(o.nodelay);
        assert_eq!(o.source_address, None);
        assert_eq!(o.keepalive, None);
        assert!(o.socket_options.is_empty());
    }

    #[test]
    fn timeout_message_matches_the_spec() {
        let e = connect_timeout_error("example.com", Duration::from_millis(2500));
        assert_eq!(e.kind(), ErrorKind::ConnectTimeout);
        assert_eq!(
            e.message(),
            "Connection to example.com timed out. (connect timeout=2.5)"
        );
        let e = connect_timeout_error("h", Duration::from_secs(3));
        assert_eq!(
            e.message(),
            "Connection to h timed out. (connect timeout=3.0)"
        );
    }
}
