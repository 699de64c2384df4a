//! The error type: one [`Error`] carrying an [`ErrorKind`], one kind for each exception of
//! the spec's `hip.exceptions` module, with predicates for the spec's base classes.
//!
//! The error is a single pointer wide (`Box<Inner>`), so `Result<T, Error>` stays cheap on
//! the hot path. Everything else (message, URL, pool, cause, payload) lives behind the box.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::headers::HttpHeaderDict;

/// A boxed error that can cross threads: what callers hand to [`Error::with_source`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The shared cause kept inside an [`Error`] (shared so that `Error` is cheaply `Clone`,
/// which lets `Retry::history` keep the errors it saw).
type SharedSource = Arc<dyn StdError + Send + Sync + 'static>;

/// `Result<T, hip::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong. One variant per exception class of the spec (`hip.exceptions`), plus a
/// few that the spec raises as builtin exceptions (`ValueError`, `AssertionError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `NewConnectionError`: a new connection could not be opened (refused, unreachable,
    /// name resolution failed). The spec makes it a subclass of `ConnectTimeoutError`, so
    /// [`Error::is_timeout`] is true for it too; [`Error::kind`] tells what really happened.
    NewConnection,
    /// `ConnectTimeoutError`: connecting (name resolution, TCP connect, TLS handshake, proxy
    /// handshake) took longer than the connect timeout.
    ConnectTimeout,
    /// `ReadTimeoutError`: the server sent nothing for longer than the read timeout.
    ReadTimeout,
    /// `SSLError`: the TLS handshake failed or the certificate was not accepted.
    Ssl,
    /// `ProxyError`: the connection to a proxy failed.
    Proxy,
    /// `ProxySchemeUnknown`: the proxy URL's scheme is not one hip speaks.
    ProxySchemeUnknown,
    /// `FailedTunnelError`: the proxy refused the CONNECT request; see [`Error::tunnel_response`].
    FailedTunnel,
    /// `ProtocolError` (alias `ConnectionError`): something unexpected happened
    /// mid-request or mid-response (the peer broke HTTP/1.1 or dropped the connection).
    Protocol,
    /// `IncompleteRead` (a `ProtocolError`): the connection ended before the body that the
    /// framing promised was complete.
    IncompleteRead,
    /// `BadVersionError` (a `ProtocolError`): the response's HTTP version is not supported.
    BadVersion,
    /// `DecodeError`: the body could not be decoded according to its Content-Encoding.
    Decode,
    /// `MaxRetryError`: the retries ran out; [`Error::reason`] is the last cause.
    MaxRetry,
    /// `ResponseError`: the reason inside a [`ErrorKind::MaxRetry`] when a status in
    /// `status_forcelist` came back too many times ("too many 500 error responses"), and
    /// what a response's `error_for_status()` returns for a 4xx or 5xx status (a hip
    /// addition). Either way [`Error::status`] gives the status.
    Response,
    /// `EmptyPoolError`: a blocking pool had no free connection within `pool_timeout`.
    EmptyPool,
    /// `ClosedPoolError`: the pool was closed before or during the request.
    ClosedPool,
    /// `LocationValueError`: something is wrong with the URL given (e.g. no host).
    LocationValue,
    /// `LocationParseError` (a `LocationValueError`): the URL could not be parsed.
    LocationParse,
    /// `InvalidHeader`: a header name or value given by the caller is not valid HTTP.
    InvalidHeader,
    /// `HeaderParsingError`: the response's header block could not be parsed.
    HeaderParsing,
    /// `UnrewindableBodyError`: a retry or redirect needed the body again but it cannot be
    /// rewound.
    UnrewindableBody,
    /// `InvalidBodyError`: the body given cannot be sent.
    InvalidBody,
    /// `TimeoutStateError`: a [`crate::timeout::Timeout`] clock was used in the wrong order.
    TimeoutState,
    /// `ValueError` in the spec: a configuration value is out of range (a negative timeout,
    /// a bad `cert_reqs` name, a malformed fingerprint, ...).
    InvalidValue,
    /// `LocalProtocolError` in h11's terms: the request would break HTTP/1.1 (a forbidden
    /// byte in the method or target, a call in the wrong state). Nothing was written.
    LocalProtocol,
    /// The blocking API was called where it cannot run (inside an async runtime), or its
    /// runtime could not be started.
    Runtime,
    /// Not in the spec (a hip addition): a whole-body read (`preload_content`, `data()`,
    /// `read(None)`) would have collected more than the request's `max_body_size`.
    BodyTooLarge,
    /// Not in the spec (a hip addition): the request's `deadline`, which bounds the whole
    /// call (connects, retries, redirects, sleeps and preloading), ran out. A timeout
    /// ([`Error::is_timeout`]).
    Deadline,
}

impl ErrorKind {
    /// The name of the spec's exception class for this kind, e.g. `"NewConnectionError"`.
    pub fn spec_name(self) -> &'static str {
        match self {
            ErrorKind::NewConnection => "NewConnectionError",
            ErrorKind::ConnectTimeout => "ConnectTimeoutError",
            ErrorKind::ReadTimeout => "ReadTimeoutError",
            ErrorKind::Ssl => "SSLError",
            ErrorKind::Proxy => "ProxyError",
            ErrorKind::ProxySchemeUnknown => "ProxySchemeUnknown",
            ErrorKind::FailedTunnel => "FailedTunnelError",
            ErrorKind::Protocol => "ProtocolError",
            ErrorKind::IncompleteRead => "IncompleteRead",
            ErrorKind::BadVersion => "BadVersionError",
            ErrorKind::Decode => "DecodeError",
            ErrorKind::MaxRetry => "MaxRetryError",
            ErrorKind::Response => "ResponseError",
            ErrorKind::EmptyPool => "EmptyPoolError",
            ErrorKind::ClosedPool => "ClosedPoolError",
            ErrorKind::LocationValue => "LocationValueError",
            ErrorKind::LocationParse => "LocationParseError",
            ErrorKind::InvalidHeader => "InvalidHeader",
            ErrorKind::HeaderParsing => "HeaderParsingError",
            ErrorKind::UnrewindableBody => "UnrewindableBodyError",
            ErrorKind::InvalidBody => "InvalidBodyError",
            ErrorKind::TimeoutState => "TimeoutStateError",
            ErrorKind::InvalidValue => "ValueError",
            ErrorKind::LocalProtocol => "LocalProtocolError",
            ErrorKind::Runtime => "RuntimeError",
            ErrorKind::BodyTooLarge => "BodyTooLargeError",
            ErrorKind::Deadline => "DeadlineExceededError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec_name())
    }
}

/// The response a proxy gave to a refused CONNECT (carried by [`ErrorKind::FailedTunnel`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelResponse {
    /// The status code, e.g. 407.
    pub status: u16,
    /// The reason phrase, e.g. `"Proxy Authentication Required"`.
    pub reason: String,
    /// The response headers.
    pub headers: HttpHeaderDict,
    /// The body, as far as it was read.
    pub body: Bytes,
}

#[derive(Debug, Clone)]
enum Payload {
    None,
    Tunnel(TunnelResponse),
    Status(u16),
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    url: Option<String>,
    pool: Option<String>,
    source: Option<SharedSource>,
    payload: Payload,
}

/// The one error type of hip (the spec's `HTTPError` and everything under it).
///
/// Errors are made by hip only: the constructors (`new`, `io`, `max_retry`, `with_*`) are
/// hidden from the docs and are not part of the public API (hip's own crates use them).
///
/// Match on [`Error::kind`] for the exact exception, or use the predicates that mirror the
/// spec's base classes: [`Error::is_timeout`] (`TimeoutError`), [`Error::is_pool_error`]
/// (`PoolError`), [`Error::is_request_error`] (`RequestError`), [`Error::is_protocol_error`]
/// (`ProtocolError`), [`Error::is_location_value_error`] (`LocationValueError`).
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

impl Error {
    /// A new error of `kind` with a message that says what went wrong and with which input.
    #[doc(hidden)]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                url: None,
                pool: None,
                source: None,
                payload: Payload::None,
            }),
        }
    }

    /// Attaches the URL the error concerns.
    #[doc(hidden)]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.inner.url = Some(url.into());
        self
    }

    /// Attaches the pool the error concerns, e.g. `HTTPConnectionPool(host='a', port=80)`.
    #[doc(hidden)]
    pub fn with_pool(mut self, pool: impl Into<String>) -> Self {
        self.inner.pool = Some(pool.into());
        self
    }

    /// Attaches the underlying cause.
    #[doc(hidden)]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(Arc::from(source.into()));
        self
    }

    /// Attaches the proxy's answer to a refused CONNECT.
    #[doc(hidden)]
    pub fn with_tunnel_response(mut self, response: TunnelResponse) -> Self {
        self.inner.payload = Payload::Tunnel(response);
        self
    }

    /// Attaches the status code of a `ResponseError` ("too many 500 error responses").
    #[doc(hidden)]
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.payload = Payload::Status(status);
        self
    }

    /// A `MaxRetryError` for `url` caused by `reason` (the spec's `MaxRetryError(pool, url, reason)`).
    #[doc(hidden)]
    pub fn max_retry(url: impl Into<String>, reason: Error) -> Self {
        let url = url.into();
        let message = format!("Max retries exceeded with url: {url}");
        let pool = reason.inner.pool.clone();
        let mut e = Error::new(ErrorKind::MaxRetry, message)
            .with_url(url)
            .with_source(reason);
        e.inner.pool = pool;
        e
    }

    /// Wraps an I/O error as `kind`, keeping it as the cause.
    #[doc(hidden)]
    pub fn io(kind: ErrorKind, context: impl Into<String>, err: std::io::Error) -> Self {
        let context = context.into();
        Error::new(kind, context).with_source(err)
    }

    /// Which of the spec's exceptions this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without the URL or cause.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The URL the error concerns, when known.
    pub fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// The pool the error concerns, when known.
    pub fn pool(&self) -> Option<&str> {
        self.inner.pool.as_deref()
    }

    /// For `MaxRetryError`: the error that caused the last retry (the spec's `reason`).
    pub fn reason(&self) -> Option<&Error> {
        if self.inner.kind != ErrorKind::MaxRetry {
            return None;
        }
        self.inner.source.as_ref()?.downcast_ref::<Error>()
    }

    /// For `FailedTunnelError`: the proxy's response to the CONNECT.
    pub fn tunnel_response(&self) -> Option<&TunnelResponse> {
        match &self.inner.payload {
            Payload::Tunnel(r) => Some(r),
            _ => None,
        }
    }

    /// For `ResponseError`: the status code that was retried too often.
    pub fn status(&self) -> Option<u16> {
        match self.inner.payload {
            Payload::Status(s) => Some(s),
            _ => None,
        }
    }

    /// The spec's `TimeoutError`: read and connect timeouts, and (as the spec's class tree
    /// has it) `NewConnectionError`.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::ReadTimeout
                | ErrorKind::ConnectTimeout
                | ErrorKind::NewConnection
                | ErrorKind::Deadline
        )
    }

    /// The spec's `ConnectTimeoutError` class (which includes `NewConnectionError`).
    pub fn is_connect_timeout(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::ConnectTimeout | ErrorKind::NewConnection
        )
    }

    /// True when connecting failed: a new connection, a connect timeout, or a proxy failure.
    pub fn is_connect(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::ConnectTimeout | ErrorKind::NewConnection | ErrorKind::Proxy
        )
    }

    /// The spec's `PoolError`: errors raised within a pool.
    pub fn is_pool_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::EmptyPool
                | ErrorKind::ClosedPool
                | ErrorKind::NewConnection
                | ErrorKind::MaxRetry
                | ErrorKind::ReadTimeout
        )
    }

    /// The spec's `RequestError`: pool errors with an associated URL.
    pub fn is_request_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::MaxRetry | ErrorKind::ReadTimeout
        )
    }

    /// The spec's `ProtocolError` (alias `ConnectionError`).
    pub fn is_protocol_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Protocol | ErrorKind::IncompleteRead | ErrorKind::BadVersion
        )
    }

    /// The spec's `LocationValueError` (which includes `LocationParseError`).
    pub fn is_location_value_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::LocationValue | ErrorKind::LocationParse
        )
    }

    /// The spec's `SSLError`.
    pub fn is_ssl(&self) -> bool {
        self.inner.kind == ErrorKind::Ssl
    }

    /// The spec's `ProxyError` (and `FailedTunnelError`, which is a proxy failure too).
    pub fn is_proxy_error(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Proxy | ErrorKind::FailedTunnel)
    }
}

/// `{}` shows this error alone: the spec's exception name, the pool, the message, and the
/// URL when it has one and the message does not already name it. It never repeats the
/// [`source`](StdError::source): a chain printer (`anyhow`'s `{:#}`, `eyre`, a loop over
/// `source()`) shows each cause once.
///
/// `{:#}` shows the whole chain on one line, each cause after the one it explains, the way
/// urllib3 prints its exceptions: a `MaxRetryError` ends in `(Caused by ...)`, any other
/// error in `: cause: cause`.
///
/// ```
/// use hip_core::{Error, ErrorKind};
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let cause = Error::io(ErrorKind::NewConnection, "Failed to establish a new connection", refused);
/// let e = Error::max_retry("/get", cause);
/// assert_eq!(e.to_string(), "MaxRetryError: Max retries exceeded with url: /get");
/// assert_eq!(
///     format!("{e:#}"),
///     "MaxRetryError: Max retries exceeded with url: /get (Caused by NewConnectionError: \
///      Failed to establish a new connection: connection refused)"
/// );
/// ```
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.inner.kind)?;
        if let Some(pool) = &self.inner.pool {
            if self.inner.kind != ErrorKind::MaxRetry {
                write!(f, "{pool}: ")?;
            }
        }
        f.write_str(&self.inner.message)?;
        if let Some(url) = &self.inner.url {
            if !self.inner.message.contains(url.as_str()) {
                write!(f, " (url: {url})")?;
            }
        }
        if f.alternate() {
            if let Some(source) = StdError::source(self) {
                if self.inner.kind == ErrorKind::MaxRetry {
                    write!(f, " (Caused by {source:#})")?;
                } else {
                    write!(f, ": {source:#}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(url) = &self.inner.url {
            d.field("url", url);
        }
        if let Some(pool) = &self.inner.pool {
            d.field("pool", pool);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        match &self.inner.payload {
            Payload::None => {}
            p => {
                d.field("payload", p);
            }
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| &**s as &(dyn StdError + 'static))
    }
}

/// For code that speaks `std::io` (a `Read` adapter, `?` in a function returning
/// `io::Result`): the hip error becomes the io error's inner error, whole, so
/// [`get_ref`](std::io::Error::get_ref) or [`into_inner`](std::io::Error::into_inner) and a
/// `downcast` give it back with its kind, URL and cause.
///
/// The io error's [kind](std::io::ErrorKind) says what happened as far as `std::io` can:
/// `TimedOut` for read and connect timeouts and the deadline, `UnexpectedEof` for an
/// [`ErrorKind::IncompleteRead`], the kind of the underlying io error when there is one
/// (a refused or reset connection), `InvalidInput` for values the caller gave (URL,
/// header, body, settings), `InvalidData` for what the peer sent (protocol, decoding),
/// `Other` otherwise. A `MaxRetryError` takes the kind of its [`reason`](Error::reason).
///
/// ```
/// use hip_core::{Error, ErrorKind};
///
/// let e = Error::new(ErrorKind::ReadTimeout, "Read timed out. (read timeout=0.5)");
/// let io = std::io::Error::from(e);
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// let back = io.into_inner().unwrap().downcast::<Error>().unwrap();
/// assert_eq!(back.kind(), ErrorKind::ReadTimeout);
/// ```
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::new(e.io_error_kind(), e)
    }
}

impl Error {
    /// The [`std::io::ErrorKind`] that `From<Error> for std::io::Error` gives.
    fn io_error_kind(&self) -> std::io::ErrorKind {
        use std::io::ErrorKind as Io;
        match self.inner.kind {
            ErrorKind::ReadTimeout | ErrorKind::ConnectTimeout | ErrorKind::Deadline => {
                return Io::TimedOut
            }
            ErrorKind::IncompleteRead => return Io::UnexpectedEof,
            ErrorKind::MaxRetry => {
                if let Some(reason) = self.reason() {
                    return reason.io_error_kind();
                }
            }
            _ => {}
        }
        if let Some(io) = self
            .inner
            .source
            .as_ref()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
        {
            return io.kind();
        }
        match self.inner.kind {
            ErrorKind::InvalidValue
            | ErrorKind::LocationValue
            | ErrorKind::LocationParse
            | ErrorKind::InvalidHeader
            | ErrorKind::InvalidBody
            | ErrorKind::ProxySchemeUnknown
            | ErrorKind::LocalProtocol => Io::InvalidInput,
            ErrorKind::Protocol
            | ErrorKind::BadVersion
            | ErrorKind::HeaderParsing
            | ErrorKind::Decode => Io::InvalidData,
            _ => Io::Other,
        }
    }
}

/// Warning categories (the spec's `HTTPWarning` subclasses). hip reports warnings as
/// `tracing` events under the `hip::warnings` target; `disable_warnings` silences them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// `InsecureRequestWarning`: an HTTPS request was made without certificate verification.
    InsecureRequest,
    /// `SubjectAltNameWarning`: the certificate has no subjectAltName.
    SubjectAltName,
    /// `SystemTimeWarning`: the system clock is before a date hip knows has passed (see
    /// `hip::RECENT_DATE`), so certificate validity periods cannot be trusted. Raised before
    /// each TLS handshake, as urllib3 does on each HTTPS connect.
    SystemTime,
    /// `InsecurePlatformWarning`: the platform lacks TLS features (never raised by hip: rustls
    /// has them all; kept so code that names it still compiles).
    InsecurePlatform,
    /// `SNIMissingWarning`: SNI is unavailable (never raised by hip: rustls always sends SNI
    /// for DNS names).
    SniMissing,
    /// `DependencyWarning`: an optional dependency is missing.
    Dependency,
    /// `HeaderParsingError` reported as a warning (never raised by hip: the malformed header
    /// lines urllib3 logs with this and then accepts, such as a line without a colon, are
    /// refused by hip with an [`ErrorKind::Protocol`] error naming the line, since a head
    /// that cannot be parsed cannot be trusted to frame the body; kept so code that names
    /// it still compiles).
    HeaderParsing,
}

impl Warning {
    /// The spec's class name, e.g. `"InsecureRequestWarning"`.
    pub fn spec_name(self) -> &'static str {
        match self {
            Warning::InsecureRequest => "InsecureRequestWarning",
            Warning::SubjectAltName => "SubjectAltNameWarning",
            Warning::SystemTime => "SystemTimeWarning",
            Warning::InsecurePlatform => "InsecurePlatformWarning",
            Warning::SniMissing => "SNIMissingWarning",
            Warning::Dependency => "DependencyWarning",
            Warning::HeaderParsing => "HeaderParsingError",
        }
    }

    /// True for the spec's `SecurityWarning` subclasses.
    pub fn is_security_warning(self) -> bool {
        matches!(
            self,
            Warning::InsecureRequest
                | Warning::SubjectAltName
                | Warning::SystemTime
                | Warning::InsecurePlatform
        )
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn error_is_send_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn max_retry_keeps_reason_and_url() {
        let cause = Error::new(ErrorKind::NewConnection, "connection refused")
            .with_pool("HTTPConnectionPool(host='127.0.0.1', port=1)");
        let e = Error::max_retry("/path", cause);
        assert_eq!(e.kind(), ErrorKind::MaxRetry);
        assert_eq!(e.url(), Some("/path"));
        assert_eq!(e.reason().unwrap().kind(), ErrorKind::NewConnection);
        assert!(e.source().is_some());
        let text = e.to_string();
        assert_eq!(text, "MaxRetryError: Max retries exceeded with url: /path");
        let text = format!("{e:#}");
        assert!(text.contains("(Caused by NewConnectionError"), "{text}");
        assert!(e.is_pool_error() && e.is_request_error() && !e.is_timeout());
    }

    #[test]
    fn predicates_follow_the_spec_tree() {
        let k = |kind| Error::new(kind, "x");
        assert!(k(ErrorKind::ReadTimeout).is_timeout());
        assert!(k(ErrorKind::ConnectTimeout).is_timeout());
        assert!(k(ErrorKind::NewConnection).is_connect_timeout());
        assert!(!k(ErrorKind::ReadTimeout).is_connect_timeout());
        assert!(k(ErrorKind::IncompleteRead).is_protocol_error());
        assert!(k(ErrorKind::BadVersion).is_protocol_error());
        assert!(k(ErrorKind::LocationParse).is_location_value_error());
        assert!(k(ErrorKind::EmptyPool).is_pool_error());
        assert!(!k(ErrorKind::EmptyPool).is_request_error());
        assert!(k(ErrorKind::FailedTunnel).is_proxy_error());
        assert!(k(ErrorKind::Ssl).is_ssl());
        assert!(k(ErrorKind::Proxy).is_connect());
    }

    #[test]
    fn tunnel_response_and_status_payloads() {
        let e = Error::new(ErrorKind::FailedTunnel, "proxy refused CONNECT").with_tunnel_response(
            TunnelResponse {
                status: 407,
                reason: "Proxy Authentication Required".into(),
                headers: HttpHeaderDict::new(),
                body: Bytes::from_static(b"no"),
            },
        );
        assert_eq!(e.tunnel_response().unwrap().status, 407);
        assert_eq!(e.status(), None);
        let r = Error::new(ErrorKind::Response, "too many 500 error responses").with_status(500);
        assert_eq!(r.status(), Some(500));
        assert!(r.tunnel_response().is_none());
    }

    #[test]
    fn into_io_error_keeps_the_hip_error_and_picks_a_kind() {
        use std::io::ErrorKind as Io;
        let io_kind = |e: Error| std::io::Error::from(e).kind();
        assert_eq!(io_kind(Error::new(ErrorKind::Deadline, "x")), Io::TimedOut);
        assert_eq!(
            io_kind(Error::new(ErrorKind::IncompleteRead, "x")),
            Io::UnexpectedEof
        );
        assert_eq!(
            io_kind(Error::new(ErrorKind::InvalidHeader, "x")),
            Io::InvalidInput
        );
        assert_eq!(io_kind(Error::new(ErrorKind::Decode, "x")), Io::InvalidData);
        assert_eq!(io_kind(Error::new(ErrorKind::EmptyPool, "x")), Io::Other);
        let refused = std::io::Error::from(Io::ConnectionRefused);
        let cause = Error::io(ErrorKind::NewConnection, "Failed to connect", refused);
        assert_eq!(io_kind(cause.clone()), Io::ConnectionRefused);
        let retried = Error::max_retry("http://h/", cause);
        let io = std::io::Error::from(retried);
        assert_eq!(io.kind(), Io::ConnectionRefused);
        let inner = io
            .get_ref()
            .and_then(|e| e.downcast_ref::<Error>())
            .unwrap();
        assert_eq!(inner.kind(), ErrorKind::MaxRetry);
        assert_eq!(inner.url(), Some("http://h/"));
    }

    #[test]
    fn display_names_pool_and_kind() {
        let e = Error::new(ErrorKind::ReadTimeout, "Read timed out. (read timeout=0.5)")
            .with_pool("HTTPConnectionPool(host='h', port=80)");
        assert_eq!(
            e.to_string(),
            "ReadTimeoutError: HTTPConnectionPool(host='h', port=80): Read timed out. (read timeout=0.5)"
        );
    }

    #[test]
    fn warnings_have_spec_names() {
        assert_eq!(
            Warning::InsecureRequest.to_string(),
            "InsecureRequestWarning"
        );
        assert!(Warning::InsecureRequest.is_security_warning());
        assert!(!Warning::SniMissing.is_security_warning());
    }
}
