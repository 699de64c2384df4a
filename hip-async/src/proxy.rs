//! Proxies: the spec's `ProxyManager` and `proxy_from_url`, and the step that opens a pool's
//! connections through a proxy (the spec's `_proxy` and `_proxy_headers` pool arguments).
//!
//! A pool's [`PoolOptions::proxy`] decides how its new connections are opened:
//!
//! | `proxy` | the pool is keyed to | a new connection |
//! | --- | --- | --- |
//! | `None` | the destination | TCP (and TLS for https) to the destination |
//! | forward: `http://` URLs through an HTTP proxy | the proxy | TCP to the proxy (TLS for an `https://` proxy); requests carry absolute-form targets (`GET http://host/path`), the destination's `Host` and the proxy headers |
//! | tunnel: `https://` URLs through an HTTP proxy | the destination | TCP (and TLS) to the proxy, `CONNECT host:port` with the proxy headers, then TLS to the destination, verified as without a proxy |
//! | SOCKS (feature `socks`) | the destination | TCP to the SOCKS proxy, the SOCKS4/5 negotiation, then TLS for https |
//!
//! The whole handshake runs inside the pool's connect timeout. A proxy that cannot be reached
//! is [`ErrorKind::Proxy`] ("Unable to connect to proxy ...", with the cause as source, so a
//! refused TCP connection is still retried as a connect error); a refused CONNECT is
//! [`ErrorKind::FailedTunnel`] carrying the proxy's status, headers and (up to 64 KiB of) body.
//!
//! Proxy headers (such as `Proxy-Authorization`) are added by the pool when a request goes
//! out through a forwarding proxy and written on the CONNECT request for a tunnel; they are
//! never part of the request's own headers, so no redirect can carry them to an origin.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use hip_core::h1::{BodyLength, ClientConnection, Event, Limits, Request, ResponseHead};
use hip_core::request::basic_auth_value;
use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict, TunnelResponse, Warning};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use crate::connect::{self, BoxIo};
use crate::exchange::{self, PoolSource};
use crate::manager::{options_fingerprint, PoolKey, PoolManager, PoolManagerBuilder};
use crate::pool::{HttpConnectionPool, PoolOptions, Scheme};
use crate::request::{RequestBuilder, RequestOptions, Target};
use crate::response::HttpResponse;
use crate::tls::{self, AssertHostname, TlsOptions};
use crate::warnings;

/// How much of a refused CONNECT's body is kept in the [`TunnelResponse`].
const TUNNEL_BODY_LIMIT: usize = 64 * 1024;

/// How a pool reaches its host through a proxy: the spec's `_proxy` and `_proxy_headers`
/// pool arguments, as [`PoolOptions::proxy`].
///
/// Like the spec's, these are meant to be set by [`ProxyManager`] and `SocksProxyManager`
/// rather than by hand. Cheap to clone. Its `Debug` output hides credentials.
#[derive(Clone)]
pub struct ProxyConfig {
    inner: Arc<Mode>,
}

enum Mode {
    /// The pool's connections go to the proxy; requests are forwarded in absolute form.
    Forward(HttpProxy),
    /// Each connection is a CONNECT tunnel to the pool's host.
    Tunnel(HttpProxy),
    /// Each connection goes through a SOCKS proxy to the pool's host.
    #[cfg(feature = "socks")]
    Socks(Box<crate::socks::SocksProxy>),
}

struct HttpProxy {
    endpoint: Arc<Endpoint>,
    headers: HttpHeaderDict,
}

/// Where a proxy listens, and how to speak TLS to it.
pub(crate) struct Endpoint {
    /// The proxy URL's scheme, lowercase (`http`, `https`, `socks5h`, ...).
    pub(crate) scheme: String,
    /// The host, lowercase, IPv6 literals without brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    tls: Option<ProxyTls>,
}

/// TLS to an `https://` proxy: the manager's CA and client-certificate options, checked
/// against the proxy's own name.
struct ProxyTls {
    opts: TlsOptions,
    config: Arc<rustls::ClientConfig>,
    warned: AtomicBool,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]:{}", self.scheme, self.host, self.port)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

impl Endpoint {
    pub(crate) fn new(url: &ProxyUrl, tls: Option<&TlsOptions>) -> Result<Endpoint, Error> {
        let tls = match tls {
            None => None,
            Some(base) => {
                // The proxy is checked by its own name: options that pin the destination's
                // identity do not apply to it.
                let opts = TlsOptions {
                    assert_hostname: AssertHostname::Default,
                    assert_fingerprint: None,
                    server_hostname: None,
                    ..base.clone()
                };
                let config = match &opts.ssl_context {
                    Some(c) => c.clone(),
                    None => tls::build_client_config(&opts)?,
                };
                Some(ProxyTls {
                    opts,
                    config,
                    warned: AtomicBool::new(false),
                })
            }
        };
        Ok(Endpoint {
            scheme: url.scheme.clone(),
            host: url.host.clone(),
            port: url.port,
            tls,
        })
    }

    /// The spec's `ProxyError('Unable to connect to proxy', cause)`.
    pub(crate) fn unable(&self, cause: Error) -> Error {
        Error::new(
            ErrorKind::Proxy,
            format!("Unable to connect to proxy {self}: {cause}"),
        )
        .with_source(cause)
    }

    /// TCP to the proxy through the pool's connector (and TLS for an `https://` proxy).
    pub(crate) async fn connect(&self, opts: &PoolOptions) -> Result<BoxIo, Error> {
        let io = connect::open(
            opts.connector.as_ref(),
            &self.host,
            self.port,
            &opts.connect,
            None,
        )
        .await
        .map_err(|e| self.unable(e))?;
        let Some(t) = &self.tls else {
            return Ok(io);
        };
        if !t.opts.is_verified() && !t.warned.swap(true, Ordering::Relaxed) {
            warnings::warn(
                Warning::InsecureRequest,
                &format!(
                    "Unverified HTTPS connection to proxy '{}'. Adding certificate verification \
                     is strongly advised.",
                    self.host
                ),
            );
        }
        tls::handshake(io, &self.host, &t.opts, &t.config)
            .await
            .map_err(|e| self.unable(e))
    }
}

/// A proxy URL taken apart: scheme, host, port and the percent-decoded credentials.
pub(crate) struct ProxyUrl {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl ProxyUrl {
    /// Parses `url`, whose scheme must be one of `schemes` (else `ProxySchemeUnknown`,
    /// naming it). `default_port` gives the port when the URL has none.
    pub(crate) fn parse(
        url: &str,
        schemes: &[&str],
        default_port: impl Fn(&str) -> u16,
    ) -> Result<ProxyUrl, Error> {
        let expected = schemes
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ");
        let u = parse_url(url).map_err(|e| {
            Error::new(e.kind(), format!("invalid proxy URL: {}", e.message())).with_source(e)
        })?;
        let shown = redacted(&u);
        let scheme = match u.scheme.as_deref() {
            Some(s) if schemes.contains(&s) => s.to_owned(),
            Some(s) => {
                return Err(Error::new(
                    ErrorKind::ProxySchemeUnknown,
                    format!(
                        "Proxy URL {shown:?} had unsupported scheme {s:?}, should use one of \
                         {expected}"
                    ),
                ))
            }
            None => {
                return Err(Error::new(
                    ErrorKind::ProxySchemeUnknown,
                    format!("Proxy URL {shown:?} has no scheme, should use one of {expected}"),
                ))
            }
        };
        let host = match u.host.as_deref() {
            Some(h) if !h.is_empty() => h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
            _ => {
                return Err(Error::new(
                    ErrorKind::LocationValue,
                    format!("No host specified in proxy URL {shown:?}"),
                ))
            }
        };
        let (username, password) = match u.auth.as_deref() {
            None => (None, None),
            Some(auth) => match auth.split_once(':') {
                Some((user, pass)) => (Some(decode(user)), Some(decode(pass))),
                None => (Some(decode(auth)), None),
            },
        };
        Ok(ProxyUrl {
            port: u.port.unwrap_or_else(|| default_port(&scheme)),
            scheme,
            host,
            username,
            password,
        })
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The URL with its password replaced by `***`, for messages.
fn redacted(u: &Url) -> String {
    let mut shown = u.clone();
    if let Some(auth) = &u.auth {
        shown.auth = Some(match auth.split_once(':') {
            Some((user, _)) => format!("{user}:***"),
            None => auth.clone(),
        });
    }
    shown.url()
}

/// `proxy_headers` plus `Proxy-Authorization: Basic ...` from the URL's `user:pass@`, unless
/// the headers already have a `Proxy-Authorization`.
fn headers_with_url_auth(mut headers: HttpHeaderDict, url: &ProxyUrl) -> HttpHeaderDict {
    if let Some(user) = &url.username {
        if !headers.contains("proxy-authorization") {
            let pass = url.password.as_deref().unwrap_or("");
            headers.insert(
                "Proxy-Authorization",
                basic_auth_value(&format!("{user}:{pass}")),
            );
        }
    }
    headers
}

impl ProxyConfig {
    fn from_mode(mode: Mode) -> ProxyConfig {
        ProxyConfig {
            inner: Arc::new(mode),
        }
    }

    /// Forwarding through the HTTP proxy at `proxy_url` (`http://` or `https://`, with an
    /// optional `user:pass@` for Basic proxy auth): for a plain-HTTP pool whose host and
    /// port are the proxy's, whose requests have absolute-form targets. `proxy_headers` go
    /// with every request. `tls` (CA and client-certificate options) secures an `https://`
    /// proxy.
    pub fn forward(
        proxy_url: &str,
        proxy_headers: HttpHeaderDict,
        tls: &TlsOptions,
    ) -> Result<ProxyConfig, Error> {
        let (endpoint, headers) = http_endpoint(proxy_url, proxy_headers, tls)?;
        Ok(ProxyConfig::from_mode(Mode::Forward(HttpProxy {
            endpoint,
            headers,
        })))
    }

    /// CONNECT tunnels through the HTTP proxy at `proxy_url` to the pool's host:
    /// `proxy_headers` go on the CONNECT request only. Arguments as in
    /// [`ProxyConfig::forward`].
    pub fn tunnel(
        proxy_url: &str,
        proxy_headers: HttpHeaderDict,
        tls: &TlsOptions,
    ) -> Result<ProxyConfig, Error> {
        let (endpoint, headers) = http_endpoint(proxy_url, proxy_headers, tls)?;
        Ok(ProxyConfig::from_mode(Mode::Tunnel(HttpProxy {
            endpoint,
            headers,
        })))
    }

    #[cfg(feature = "socks")]
    pub(crate) fn from_socks(proxy: crate::socks::SocksProxy) -> ProxyConfig {
        ProxyConfig::from_mode(Mode::Socks(Box::new(proxy)))
    }

    /// The proxy's URL without credentials, e.g. `http://127.0.0.1:3128`.
    pub fn proxy_url(&self) -> String {
        match &*self.inner {
            Mode::Forward(p) | Mode::Tunnel(p) => p.endpoint.to_string(),
            #[cfg(feature = "socks")]
            Mode::Socks(s) => s.endpoint.to_string(),
        }
    }

    /// The headers sent to an HTTP proxy (with each forwarded request, or on the CONNECT);
    /// `None` for a SOCKS proxy.
    pub fn proxy_headers(&self) -> Option<&HttpHeaderDict> {
        match &*self.inner {
            Mode::Forward(p) | Mode::Tunnel(p) => Some(&p.headers),
            #[cfg(feature = "socks")]
            Mode::Socks(_) => None,
        }
    }

    /// True for a forwarding proxy (absolute-form requests on a pool keyed to the proxy).
    pub fn is_forwarding(&self) -> bool {
        matches!(&*self.inner, Mode::Forward(_))
    }

    /// What makes two configurations different, for pool keys: the mode, the proxy, its
    /// TLS options, and a hash of the headers and credentials (never the secrets in clear).
    pub(crate) fn fingerprint(&self) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let (mode, endpoint) = match &*self.inner {
            Mode::Forward(p) | Mode::Tunnel(p) => {
                for (n, v) in p.headers.iter() {
                    n.to_ascii_lowercase().hash(&mut hasher);
                    v.hash(&mut hasher);
                }
                let mode = if self.is_forwarding() {
                    "forward"
                } else {
                    "tunnel"
                };
                (mode, &*p.endpoint)
            }
            #[cfg(feature = "socks")]
            Mode::Socks(s) => {
                s.username.hash(&mut hasher);
                s.password.hash(&mut hasher);
                ("socks", &s.endpoint)
            }
        };
        let tls = endpoint.tls.as_ref().map(|t| t.opts.key());
        format!("{mode} {endpoint} {tls:?} {:016x}", hasher.finish())
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &*self.inner {
            Mode::Forward(_) => "forward",
            Mode::Tunnel(_) => "tunnel",
            #[cfg(feature = "socks")]
            Mode::Socks(_) => "socks",
        };
        let header_names: Vec<&str> = self
            .proxy_headers()
            .map(|h| h.iter().map(|(n, _)| n).collect())
            .unwrap_or_default();
        f.debug_struct("ProxyConfig")
            .field("mode", &mode)
            .field("proxy", &self.proxy_url())
            .field("proxy_header_names", &header_names)
            .finish()
    }
}

const HTTP_SCHEMES: &[&str] = &["http", "https"];

fn http_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

fn http_endpoint(
    proxy_url: &str,
    proxy_headers: HttpHeaderDict,
    tls: &TlsOptions,
) -> Result<(Arc<Endpoint>, HttpHeaderDict), Error> {
    let url = ProxyUrl::parse(proxy_url, HTTP_SCHEMES, http_port)?;
    let endpoint = Endpoint::new(&url, (url.scheme == "https").then_some(tls))?;
    Ok((
        Arc::new(endpoint),
        headers_with_url_auth(proxy_headers, &url),
    ))
}

// ---------------------------------------------------------------------------------------
// Opening connections
// ---------------------------------------------------------------------------------------

/// Opens a byte stream for a new connection of a pool for `host:port` with `opts`: directly,
/// or through the proxy `opts.proxy` names (the whole proxy handshake). The pool adds TLS to
/// the destination afterwards and bounds all of it with its connect timeout.
pub(crate) async fn open(opts: &PoolOptions, host: &str, port: u16) -> Result<BoxIo, Error> {
    let Some(proxy) = &opts.proxy else {
        return connect::open(opts.connector.as_ref(), host, port, &opts.connect, None).await;
    };
    match &*proxy.inner {
        Mode::Forward(p) => p.endpoint.connect(opts).await,
        Mode::Tunnel(p) => {
            let io = p.endpoint.connect(opts).await?;
            connect_tunnel(io, p, host, port, opts.limits).await
        }
        #[cfg(feature = "socks")]
        Mode::Socks(s) => crate::socks::connect(opts, s, host, port).await,
    }
}

/// `host:port` as a CONNECT target and Host value (IPv6 literals in brackets).
fn authority_form(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Reads more from `io` into the state machine's buffer (EOF included).
async fn fill(io: &mut BoxIo, h1: &mut ClientConnection) -> io::Result<()> {
    let buf = h1.read_buf();
    if buf.capacity() - buf.len() < 1024 {
        buf.reserve(8 * 1024);
    }
    if io.read_buf(buf).await? == 0 {
        h1.receive_eof();
    }
    Ok(())
}

/// Sends `CONNECT host:port` over `io` (a connection to the proxy) and reads the answer: a
/// 2xx gives the tunnel, anything else `FailedTunnelError` with the proxy's response.
async fn connect_tunnel(
    mut io: BoxIo,
    proxy: &HttpProxy,
    host: &str,
    port: u16,
    limits: Limits,
) -> Result<BoxIo, Error> {
    let ep = &*proxy.endpoint;
    let authority = authority_form(host, port);
    let mut h1 = ClientConnection::with_limits(limits);
    let mut out = Vec::with_capacity(128);
    h1.send_request(
        &Request {
            method: "CONNECT",
            target: &authority,
            host: &authority,
            headers: &proxy.headers,
            body: BodyLength::None,
        },
        &mut out,
    )?;
    tracing::debug!(target: "hip", "CONNECT {authority} via proxy {ep}");
    let broken = |e: io::Error| {
        ep.unable(Error::io(
            ErrorKind::Protocol,
            format!("connection broken during CONNECT {authority}"),
            e,
        ))
    };
    io.write_all(&out).await.map_err(broken)?;
    io.flush().await.map_err(broken)?;
    let head = loop {
        match h1.next_event() {
            Ok(Event::NeedData) => fill(&mut io, &mut h1).await.map_err(broken)?,
            Ok(Event::Informational(_)) => {}
            Ok(Event::Response(head)) => break head,
            Ok(Event::ConnectionClosed) => {
                return Err(ep.unable(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "the proxy closed the connection without answering CONNECT {authority}"
                    ),
                )))
            }
            Ok(other) => {
                return Err(ep.unable(Error::new(
                    ErrorKind::Protocol,
                    format!("unexpected {other:?} before the answer to CONNECT {authority}"),
                )))
            }
            Err(e) => {
                return Err(ep.unable(
                    Error::new(
                        e.kind(),
                        format!("no valid answer to CONNECT {authority}: {}", e.message()),
                    )
                    .with_source(e),
                ))
            }
        }
    };
    tracing::debug!(
        target: "hip",
        "proxy {ep} answered CONNECT {authority}: {} {}",
        head.status,
        head.reason
    );
    if (200..300).contains(&head.status) {
        let early = h1.take_tunnel_bytes();
        return Ok(if early.is_empty() {
            io
        } else {
            Box::new(Prefixed { prefix: early, io })
        });
    }
    let body = refusal_body(&mut io, &mut h1, &head).await;
    Err(Error::new(
        ErrorKind::FailedTunnel,
        format!(
            "Tunnel connection failed: {} {} (CONNECT {authority} via proxy {ep})",
            head.status, head.reason
        ),
    )
    .with_tunnel_response(TunnelResponse {
        status: head.status,
        reason: head.reason,
        headers: head.headers,
        body,
    }))
}

/// The body of a refused CONNECT, when its length is framed (Content-Length or chunked),
/// up to [`TUNNEL_BODY_LIMIT`] bytes. A body that runs to EOF is not waited for.
async fn refusal_body(io: &mut BoxIo, h1: &mut ClientConnection, head: &ResponseHead) -> Bytes {
    if !head.headers.contains("content-length") && !head.headers.contains("transfer-encoding") {
        return Bytes::new();
    }
    let mut body = BytesMut::new();
    loop {
        match h1.next_event() {
            Ok(Event::NeedData) => {
                if fill(io, h1).await.is_err() {
                    break;
                }
            }
            Ok(Event::Data(d)) => {
                let room = TUNNEL_BODY_LIMIT - body.len();
                body.extend_from_slice(&d[..d.len().min(room)]);
                if body.len() >= TUNNEL_BODY_LIMIT {
                    break;
                }
            }
            _ => break,
        }
    }
    body.freeze()
}

/// A tunnel whose first bytes arrived with the proxy's answer.
struct Prefixed {
    prefix: Bytes,
    io: BoxIo,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------
// Requests through a forwarding proxy
// ---------------------------------------------------------------------------------------

fn forwarding(pool: &HttpConnectionPool) -> Option<&HttpProxy> {
    match pool.options().proxy.as_ref().map(|p| &*p.inner) {
        Some(Mode::Forward(p)) => Some(p),
        _ => None,
    }
}

/// The `Host` header for a request with `target` on `pool`: the pool's authority, except on
/// a forwarding pool with an absolute-form target, where it is the destination's.
pub(crate) fn request_authority(pool: &HttpConnectionPool, target: &str) -> String {
    if forwarding(pool).is_some() && !target.starts_with('/') {
        if let Ok(u) = parse_url(target) {
            if let Some(host) = u.host {
                let default = u.scheme.as_deref().map_or(80, http_port);
                return match u.port {
                    Some(p) if p != default => format!("{host}:{p}"),
                    _ => host,
                };
            }
        }
    }
    pool.authority()
}

/// On a forwarding pool with proxy headers: the request's headers with the proxy headers
/// set on top (they replace same-named ones). `None` otherwise: send `headers` as they are.
pub(crate) fn forward_headers(
    pool: &HttpConnectionPool,
    headers: &HttpHeaderDict,
) -> Option<HttpHeaderDict> {
    let proxy = forwarding(pool)?;
    if proxy.headers.is_empty() {
        return None;
    }
    let mut merged = headers.clone();
    for (name, _) in proxy.headers.iter() {
        merged.remove(name);
    }
    for (name, value) in proxy.headers.iter() {
        merged.add(name, value);
    }
    Some(merged)
}

/// The absolute-form target a forwarding proxy needs: `http://host[:port]/path?query`
/// (no credentials, no fragment).
fn absolute_form(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme.as_deref().unwrap_or("http"),
        url.netloc().unwrap_or_default(),
        url.request_uri()
    )
}

/// The host part of a pool key: lowercase, IPv6 literals without brackets.
pub(crate) fn key_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// The scheme of an absolute URL for a proxy manager (`http` when absent).
pub(crate) fn url_scheme(u: &Url) -> Result<Scheme, Error> {
    let s = u.scheme.as_deref().unwrap_or("http");
    Scheme::parse(s).ok_or_else(|| {
        Error::new(
            ErrorKind::LocationValue,
            format!(
                "unsupported scheme {s:?} in {:?}: hip speaks http and https",
                u.url()
            ),
        )
    })
}

/// The host of an absolute URL, or the spec's "No host specified" error.
pub(crate) fn url_host(u: &Url) -> Result<&str, Error> {
    match u.host.as_deref() {
        Some(h) if !h.is_empty() => Ok(h),
        _ => Err(Error::new(
            ErrorKind::LocationValue,
            format!("No host specified in {:?}", u.url()),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// ProxyManager
// ---------------------------------------------------------------------------------------

struct ProxyInner {
    manager: PoolManager,
    proxy_headers: HttpHeaderDict,
    forward: ProxyConfig,
    tunnel: ProxyConfig,
    /// The manager's options with `forward`, and the key of the one pool to the proxy.
    forward_opts: PoolOptions,
    forward_key: PoolKey,
    /// The manager's options with `tunnel`, and their fingerprint.
    tunnel_opts: PoolOptions,
    tunnel_fingerprint: u64,
}

/// The spec's `ProxyManager(proxy_url, num_pools=10, headers=None, proxy_headers=None,
/// **connection_pool_kw)` (`hip.AsyncProxyManager` in the async API): a [`PoolManager`]
/// that sends every request through an HTTP proxy.
///
/// - `http://` URLs: ONE pool to the proxy serves them all. Requests go out in absolute
///   form (`GET http://host/path HTTP/1.1`) with the destination's `Host` and the proxy
///   headers on each.
/// - `https://` URLs: a pool per destination host, whose connections are `CONNECT` tunnels
///   (`CONNECT host:443 HTTP/1.1`, the proxy headers on the CONNECT only), then TLS to the
///   destination, verified with the manager's TLS options as without a proxy.
///
/// An `https://` proxy URL means TLS to the proxy itself, verified against the proxy's name
/// with the same CA options. Credentials in the URL (`http://user:pass@proxy:3128`,
/// percent-decoded) become `Proxy-Authorization: Basic ...` unless `proxy_headers` has one
/// (see [`hip_core::request::make_headers`]'s `proxy_basic_auth`).
///
/// ```no_run
/// # async fn demo() -> Result<(), hip_core::Error> {
/// let proxy = hip_async::ProxyManager::new("http://localhost:3128/")?;
/// let r1 = proxy.request("GET", "http://google.com/").send().await?;
/// let r2 = proxy.request("GET", "http://httpbin.org/").send().await?;
/// assert_eq!(proxy.pools_len(), 1);
/// let r3 = proxy.request("GET", "https://httpbin.org/").send().await?;
/// let r4 = proxy.request("GET", "https://twitter.com/").send().await?;
/// assert_eq!(proxy.pools_len(), 3);
/// # Ok(())
/// # }
/// ```
///
/// Cheap to clone: clones share the pools.
#[derive(Clone)]
pub struct ProxyManager {
    inner: Arc<ProxyInner>,
}

impl fmt::Debug for ProxyManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyManager")
            .field("proxy", &self.inner.forward.proxy_url())
            .field("pools", &self.pools_len())
            .finish_non_exhaustive()
    }
}

impl ProxyManager {
    /// The spec's `ProxyManager(proxy_url)` with the other arguments at their defaults.
    /// Errors: [`ErrorKind::ProxySchemeUnknown`] for a scheme other than `http`/`https`.
    pub fn new(proxy_url: &str) -> Result<Self, Error> {
        ProxyManager::builder(proxy_url).build()
    }

    /// Starts configuring a manager for the proxy at `proxy_url`.
    pub fn builder(proxy_url: impl Into<String>) -> ProxyManagerBuilder {
        ProxyManagerBuilder {
            proxy_url: proxy_url.into(),
            proxy_headers: HttpHeaderDict::new(),
            inner: PoolManager::builder(),
        }
    }

    /// The spec's `proxy`: the proxy URL, without credentials.
    pub fn proxy(&self) -> String {
        self.inner.forward.proxy_url()
    }

    /// The spec's `proxy_headers`, with the `Proxy-Authorization` made from the URL's
    /// credentials when it had some.
    pub fn proxy_headers(&self) -> &HttpHeaderDict {
        &self.inner.proxy_headers
    }

    /// The manager's default headers (the spec's `headers`).
    pub fn headers(&self) -> &HttpHeaderDict {
        self.inner.manager.headers()
    }

    /// The options new pools get (the spec's `connection_pool_kw`), without the proxy.
    pub fn connection_pool_kw(&self) -> &PoolOptions {
        self.inner.manager.connection_pool_kw()
    }

    /// `len(proxy.pools)`: the pool to the proxy (if any `http://` request was made) plus
    /// one per `https://` host.
    pub fn pools_len(&self) -> usize {
        self.inner.manager.pools_len()
    }

    /// The spec's `clear()`: forgets every pool and closes it.
    pub fn clear(&self) {
        self.inner.manager.clear()
    }

    /// The spec's `ProxyManager.connection_from_host(host, port=None, scheme='http',
    /// pool_kwargs=None)`: for `http`, the pool to the proxy; for `https`, the tunnelling
    /// pool for `host:port`. `pool_kwargs` replace the manager's options (the proxy itself
    /// is still reached with the manager's TLS options).
    pub fn connection_from_host(
        &self,
        host: &str,
        port: Option<u16>,
        scheme: &str,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let scheme = Scheme::for_pool(host, scheme)?;
        self.pool(scheme, host, port, pool_kwargs)
    }

    /// The spec's `connection_from_url(url, pool_kwargs=None)`, as
    /// [`ProxyManager::connection_from_host`] for the URL's scheme, host and port.
    pub fn connection_from_url(
        &self,
        url: &str,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let u = parse_url(url)?;
        self.pool(url_scheme(&u)?, url_host(&u)?, u.port, pool_kwargs)
    }

    fn pool(
        &self,
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        pool_kwargs: Option<PoolOptions>,
    ) -> Result<HttpConnectionPool, Error> {
        let inner = &*self.inner;
        match scheme {
            Scheme::Http => {
                let (key, opts) = match pool_kwargs {
                    None => (inner.forward_key.clone(), inner.forward_opts.clone()),
                    Some(o) => {
                        let opts = PoolOptions {
                            proxy: Some(inner.forward.clone()),
                            ..o
                        };
                        let key = PoolKey {
                            options: options_fingerprint(&opts),
                            ..inner.forward_key.clone()
                        };
                        (key, opts)
                    }
                };
                inner.manager.connection_from_pool_key(key, Some(opts))
            }
            Scheme::Https => {
                let (fingerprint, opts) = match pool_kwargs {
                    None => (inner.tunnel_fingerprint, inner.tunnel_opts.clone()),
                    Some(o) => {
                        let opts = PoolOptions {
                            proxy: Some(inner.tunnel.clone()),
                            ..o
                        };
                        (options_fingerprint(&opts), opts)
                    }
                };
                let key = PoolKey {
                    scheme: Scheme::Https,
                    host: key_host(host),
                    port: port.unwrap_or(443),
                    options: fingerprint,
                };
                inner.manager.connection_from_pool_key(key, Some(opts))
            }
        }
    }

    /// Starts a request (the spec's `request(method, url, fields=None, headers=None, ...)`).
    /// `url` must be absolute.
    pub fn request(&self, method: impl AsRef<str>, url: impl Into<String>) -> RequestBuilder<'_> {
        RequestBuilder::new(Target::Proxy(self), method.as_ref(), url.into())
    }

    /// The spec's `ProxyManager.urlopen(method, url, redirect=True, **kw)`: as
    /// `PoolManager.urlopen`, through the proxy; `url` must be absolute.
    pub async fn urlopen(
        &self,
        method: &str,
        url: &str,
        mut opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        if opts.headers.is_none() && !self.headers().is_empty() {
            opts.headers = Some(self.headers().clone());
        }
        exchange::run(self, method, url, opts).await
    }
}

impl PoolSource for ProxyManager {
    fn pool_for(&self, url: &Url) -> Result<Option<HttpConnectionPool>, Error> {
        self.pool(url_scheme(url)?, url_host(url)?, url.port, None)
            .map(Some)
    }

    fn request_target(&self, url: &Url) -> String {
        match url.scheme.as_deref() {
            Some("https") => url.request_uri(),
            _ => absolute_form(url),
        }
    }
}

/// The spec's `proxy_from_url(url, **kw)`: a [`ProxyManager`] for the proxy at `url` with
/// the default settings (use [`ProxyManager::builder`] for the keywords).
pub fn proxy_from_url(url: &str) -> Result<ProxyManager, Error> {
    ProxyManager::new(url)
}

/// Configures a [`ProxyManager`]: the proxy URL, `proxy_headers`, and every keyword of
/// [`PoolManagerBuilder`].
#[derive(Clone)]
pub struct ProxyManagerBuilder {
    proxy_url: String,
    proxy_headers: HttpHeaderDict,
    inner: PoolManagerBuilder,
}

impl fmt::Debug for ProxyManagerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyManagerBuilder")
            .finish_non_exhaustive()
    }
}

impl ProxyManagerBuilder {
    fn map(self, f: impl FnOnce(PoolManagerBuilder) -> PoolManagerBuilder) -> Self {
        ProxyManagerBuilder {
            inner: f(self.inner),
            ..self
        }
    }

    /// The spec's `proxy_headers`: sent to the proxy, with every `http://` request and on
    /// each CONNECT for `https://` (e.g. `make_headers(proxy_basic_auth=...)`). Adds to the
    /// headers given so far.
    pub fn proxy_headers<K: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in headers {
            self.proxy_headers.add(k, v);
        }
        self
    }

    /// `proxy_headers` as an `HttpHeaderDict` (replacing those given so far).
    pub fn proxy_header_dict(mut self, headers: HttpHeaderDict) -> Self {
        self.proxy_headers = headers;
        self
    }

    /// Builds the manager. Errors: [`ErrorKind::ProxySchemeUnknown`] for a proxy URL whose
    /// scheme is not `http` or `https`, [`ErrorKind::LocationValue`] for one without a host,
    /// and the errors of [`PoolManagerBuilder::build`].
    pub fn build(self) -> Result<ProxyManager, Error> {
        let manager = self.inner.build()?;
        let base = manager.connection_pool_kw().clone();
        let (endpoint, headers) = http_endpoint(&self.proxy_url, self.proxy_headers, &base.tls)?;
        let (host, port) = (endpoint.host.clone(), endpoint.port);
        let forward = ProxyConfig::from_mode(Mode::Forward(HttpProxy {
            endpoint: endpoint.clone(),
            headers: headers.clone(),
        }));
        let tunnel = ProxyConfig::from_mode(Mode::Tunnel(HttpProxy {
            endpoint,
            headers: headers.clone(),
        }));
        let forward_opts = PoolOptions {
            proxy: Some(forward.clone()),
            ..base.clone()
        };
        let tunnel_opts = PoolOptions {
            proxy: Some(tunnel.clone()),
            ..base
        };
        let forward_key = PoolKey {
            scheme: Scheme::Http,
            host,
            port,
            options: options_fingerprint(&forward_opts),
        };
        let tunnel_fingerprint = options_fingerprint(&tunnel_opts);
        Ok(ProxyManager {
            inner: Arc::new(ProxyInner {
                manager,
                proxy_headers: headers,
                forward,
                tunnel,
                forward_opts,
                forward_key,
                tunnel_opts,
                tunnel_fingerprint,
            }),
        })
    }
}

crate::__forward_pool_manager_builder!(ProxyManagerBuilder);

/// Names the builder-forwarding macro needs, reachable from other crates.
#[doc(hidden)]
pub mod macro_support {
    pub use crate::connect::{ConnectOptions, Connector, SocketOption};
    pub use crate::tls::{CertReqs, TlsVersion};
    pub use crate::PoolOptions;
    pub use hip_core::h1::Limits;
    pub use hip_core::retry::Retries;
    pub use hip_core::timeout::Timeout;
    pub use hip_core::HttpHeaderDict;
    pub use rustls::ClientConfig;
}

/// Gives a builder that wraps another builder with the same keywords (`fn map(self, f)`)
/// every `PoolManager` keyword: used by the proxy managers' builders here and in
/// hip-blocking.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_pool_manager_builder {
    ($ty:ident) => {
        impl $ty {
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
            pub fn header_dict(self, headers: $crate::__macro_support::HttpHeaderDict) -> Self {
                self.map(|b| b.header_dict(headers))
            }

            /// `maxsize`: connections kept per pool. Default 1.
            pub fn maxsize(self, n: usize) -> Self {
                self.map(|b| b.maxsize(n))
            }

            /// `block`: never more than `maxsize` connections per pool.
            pub fn block(self, block: bool) -> Self {
                self.map(|b| b.block(block))
            }

            /// `timeout`: seconds or a `Timeout` (the connect timeout covers the whole proxy
            /// handshake).
            pub fn timeout(self, timeout: impl Into<$crate::__macro_support::Timeout>) -> Self {
                self.map(|b| b.timeout(timeout))
            }

            /// `retries`: a count, `false`, or a `Retry`.
            pub fn retries(self, retries: impl Into<$crate::__macro_support::Retries>) -> Self {
                self.map(|b| b.retries(retries))
            }

            /// `cert_reqs`: `CertReqs::Required` (default) or `CertReqs::None`.
            pub fn cert_reqs(self, reqs: $crate::__macro_support::CertReqs) -> Self {
                self.map(|b| b.cert_reqs(reqs))
            }

            /// `ca_certs`: a PEM bundle of trusted CAs (replaces the platform roots).
            pub fn ca_certs(self, path: impl Into<std::path::PathBuf>) -> Self {
                self.map(|b| b.ca_certs(path))
            }

            /// `ca_cert_dir`: a directory of PEM CA files (replaces the platform roots).
            pub fn ca_cert_dir(self, path: impl Into<std::path::PathBuf>) -> Self {
                self.map(|b| b.ca_cert_dir(path))
            }

            /// `cert_file`: the client certificate chain (PEM).
            pub fn cert_file(self, path: impl Into<std::path::PathBuf>) -> Self {
                self.map(|b| b.cert_file(path))
            }

            /// `key_file`: the client private key (PEM), when not inside `cert_file`.
            pub fn key_file(self, path: impl Into<std::path::PathBuf>) -> Self {
                self.map(|b| b.key_file(path))
            }

            /// `key_password`: decrypts an encrypted PKCS#8 `key_file`.
            pub fn key_password(self, password: impl Into<String>) -> Self {
                self.map(|b| b.key_password(password))
            }

            /// `assert_hostname`: check the destination's certificate against this name.
            pub fn assert_hostname(self, name: impl Into<String>) -> Self {
                self.map(|b| b.assert_hostname(name))
            }

            /// `assert_hostname=False`: verify the chain but not the name.
            pub fn no_assert_hostname(self) -> Self {
                self.map(|b| b.no_assert_hostname())
            }

            /// `assert_fingerprint`: pin the destination's certificate by its digest.
            pub fn assert_fingerprint(self, fingerprint: impl Into<String>) -> Self {
                self.map(|b| b.assert_fingerprint(fingerprint))
            }

            /// `server_hostname`: the SNI name to send to the destination.
            pub fn server_hostname(self, name: impl Into<String>) -> Self {
                self.map(|b| b.server_hostname(name))
            }

            /// `ssl_version`, modernised: the minimum TLS version.
            pub fn ssl_minimum_version(self, v: $crate::__macro_support::TlsVersion) -> Self {
                self.map(|b| b.ssl_minimum_version(v))
            }

            /// `ssl_context`: a caller-built rustls configuration.
            pub fn ssl_context(
                self,
                config: std::sync::Arc<$crate::__macro_support::ClientConfig>,
            ) -> Self {
                self.map(|b| b.ssl_context(config))
            }

            /// `source_address`: the local address to connect from.
            pub fn source_address(self, addr: std::net::SocketAddr) -> Self {
                self.map(|b| b.source_address(addr))
            }

            /// `socket_options`: options applied to each new socket.
            pub fn socket_options(
                self,
                options: impl IntoIterator<Item = $crate::__macro_support::SocketOption>,
            ) -> Self {
                self.map(|b| b.socket_options(options))
            }

            /// The spec's `backend`: how connections (to the proxy) are opened.
            pub fn connector(self, connector: impl $crate::__macro_support::Connector) -> Self {
                self.map(|b| b.connector(connector))
            }

            /// Response parser limits (header block size, header count, chunk line length).
            pub fn limits(self, limits: $crate::__macro_support::Limits) -> Self {
                self.map(|b| b.limits(limits))
            }

            /// Replaces the socket options as a whole.
            pub fn connect_options(self, connect: $crate::__macro_support::ConnectOptions) -> Self {
                self.map(|b| b.connect_options(connect))
            }

            /// Replaces all pool options at once (the spec's `**connection_pool_kw`); their
            /// `proxy` is replaced by the manager's.
            pub fn pool_options(self, opts: $crate::__macro_support::PoolOptions) -> Self {
                self.map(|b| b.pool_options(opts))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::CertReqs;

    fn parse_http(url: &str) -> Result<ProxyUrl, Error> {
        ProxyUrl::parse(url, HTTP_SCHEMES, http_port)
    }

    #[test]
    fn proxy_urls_parse_with_default_ports_and_decoded_credentials() {
        let u = parse_http("http://localhost:3128/").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port),
            ("http", "localhost", 3128)
        );
        assert_eq!((u.username, u.password), (None, None));
        let u = parse_http("https://Proxy.Example").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port),
            ("https", "proxy.example", 443)
        );
        let u = parse_http("http://us%40er:p%3Ass@[::1]").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 80));
        assert_eq!(u.username.as_deref(), Some("us@er"));
        assert_eq!(u.password.as_deref(), Some("p:ss"));
    }

    #[test]
    fn unknown_schemes_are_named_and_passwords_hidden() {
        let e = parse_http("socks5://user:secret@h:1080").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
        assert_eq!(
            e.message(),
            "Proxy URL \"socks5://user:***@h:1080\" had unsupported scheme \"socks5\", should \
             use one of http://, https://"
        );
        let e = parse_http("ftp://h").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
        assert!(e.message().contains("\"ftp\""), "{}", e.message());
        let e = parse_http("http://").err().unwrap();
        assert!(e.is_location_value_error(), "{e}");
    }

    #[test]
    fn url_credentials_become_basic_auth_unless_given() {
        let u = parse_http("http://user:p%20w@h:1").unwrap();
        let h = headers_with_url_auth(HttpHeaderDict::new(), &u);
        assert_eq!(
            h.get("proxy-authorization").as_deref(),
            Some("Basic dXNlcjpwIHc=")
        );
        let mut given = HttpHeaderDict::new();
        given.add("Proxy-Authorization", "Bearer t");
        let h = headers_with_url_auth(given, &u);
        assert_eq!(h.getlist("proxy-authorization"), vec!["Bearer t"]);
    }

    #[test]
    fn absolute_form_drops_credentials_and_fragment() {
        let u = parse_url("http://a:b@Host:8080/p?q=1#frag").unwrap();
        assert_eq!(absolute_form(&u), "http://host:8080/p?q=1");
        let u = parse_url("http://h").unwrap();
        assert_eq!(absolute_form(&u), "http://h/");
    }

    #[test]
    fn debug_output_hides_credentials() {
        let cfg = ProxyConfig::tunnel(
            "http://user:secret@127.0.0.1:3128",
            HttpHeaderDict::new(),
            &TlsOptions::default(),
        )
        .unwrap();
        let shown = format!("{cfg:?} {}", cfg.fingerprint());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("dXNlcjpzZWNyZXQ="), "{shown}");
        assert!(shown.contains("http://127.0.0.1:3128"), "{shown}");
        let other = ProxyConfig::tunnel(
            "http://user:other@127.0.0.1:3128",
            HttpHeaderDict::new(),
            &TlsOptions::default(),
        )
        .unwrap();
        assert_ne!(cfg.fingerprint(), other.fingerprint());
    }

    #[tokio::test]
    async fn connect_tunnel_keeps_bytes_that_arrived_with_the_answer() {
        let (client, mut server) = tokio::io::duplex(4096);
        let proxy = HttpProxy {
            endpoint: Arc::new(Endpoint {
                scheme: "http".into(),
                host: "proxy".into(),
                port: 3128,
                tls: None,
            }),
            headers: HttpHeaderDict::new(),
        };
        let server_side = tokio::spawn(async move {
            let mut buf = vec![0u8; 1024];
            let mut got = Vec::new();
            while !got.ends_with(b"\r\n\r\n") {
                let n = server.read(&mut buf).await.unwrap();
                assert!(n > 0);
                got.extend_from_slice(&buf[..n]);
            }
            server
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\nearly")
                .await
                .unwrap();
            server.write_all(b" bytes").await.unwrap();
            got
        });
        let mut io = connect_tunnel(Box::new(client), &proxy, "::1", 8443, Limits::default())
            .await
            .unwrap();
        let mut got = vec![0u8; 11];
        io.read_exact(&mut got).await.unwrap();
        assert_eq!(got, b"early bytes");
        let request = server_side.await.unwrap();
        assert_eq!(
            request,
            b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n".to_vec()
        );
    }

    #[test]
    fn unverified_proxy_tls_is_allowed() {
        let url = parse_http("https://proxy:8443").unwrap();
        let tls = TlsOptions {
            cert_reqs: CertReqs::None,
            ..TlsOptions::default()
        };
        let ep = Endpoint::new(&url, Some(&tls)).unwrap();
        assert_eq!(ep.to_string(), "https://proxy:8443");
        assert!(ep.tls.is_some());
    }
}
