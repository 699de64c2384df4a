//! The sans-IO HTTP/1.1 client connection: a state machine in the manner of Python's h11
//! (which the spec's Hip was built on).
//!
//! [`ClientConnection`] never touches a socket. The driver hands it a request head and body
//! chunks and gets the bytes to write; it hands it the bytes it read (and EOF) and gets
//! [`Event`]s back. Nothing here allocates behind the caller's back except the header dicts
//! of response heads and trailers: bytes to send are appended to a `Vec<u8>` the caller owns,
//! and body data is handed out as [`Bytes`] split off the read buffer, never copied.
//!
//! # The two sides
//!
//! Each side of the connection has a [`State`]. Ours is the request, theirs the response.
//!
//! ```text
//!      OUR SIDE (the request)                 THEIR SIDE (the response)
//!
//!           +------+                              +------+
//!           | Idle |                              | Idle |
//!           +------+                              +------+
//!              | send_request                        | (our send_request)
//!              |                                     v
//!              |                              +--------------+ <--+
//!              |                              | SendResponse |    | Informational (1xx)
//!              |                              +--------------+ ---+
//!              v                                 |         |
//!         +----------+ <--+                      | Response  \ Response: 2xx to CONNECT,
//!         | SendBody |    | send_data,           v            \          101 to an Upgrade
//!         +----------+ ---+ frame_data     +----------+   +------------------+
//!              |                            | SendBody |   | SwitchedProtocol |
//!              | send_end                   +----------+   |   (both sides)   |
//!              | (no body: at once)           |  ^   |     +------------------+
//!              v                              +--+   | EndOfMessage
//!           +------+                          Data   v
//!           | Done |                               +------+
//!           +------+                               | Done |
//!                                                  +------+
//!
//!   Done --(keep-alive lost, or the peer closed)--> MustClose
//!   their Done / MustClose --(EOF read: ConnectionClosed)--> Closed
//!   any --(the peer broke HTTP/1.1; send_failed for ours)--> Error
//!   Done + Done --start_next_cycle--> Idle + Idle
//! ```
//!
//! Keep-alive is lost (RFC 9112 section 9.3) when either head says `Connection: close`, when
//! an HTTP/1.0 response does not say `Connection: keep-alive`, when the body runs until the
//! connection closes, and when a response carries both `Transfer-Encoding` and
//! `Content-Length` (or `Transfer-Encoding` in HTTP/1.0), which RFC 9112 section 6.3 calls a
//! sign of smuggling that must end the connection.
//!
//! # Reading
//!
//! [`ClientConnection::next_event`] returns one event at a time. The reader never consumes
//! part of an event: a response head is taken off the buffer only when all of it is there,
//! so feeding bytes one at a time or all at once gives the same events (body data may come
//! in more, smaller [`Event::Data`] pieces). [`Event::NeedData`] means "read more and call
//! again"; [`Event::Paused`] means "nothing more until the next cycle" (after
//! [`Event::EndOfMessage`], in a switched protocol, or while no request is out). Reading works
//! while our side is still in `SendBody`, so a driver can hear an early `413` while it
//! uploads, as the spec's Hip did.
//!
//! Response framing follows RFC 9112 section 6.3: responses to HEAD and 1xx, 204 and 304
//! responses have no body; a 2xx to CONNECT switches to a tunnel
//! ([`ClientConnection::take_tunnel_bytes`]); `Transfer-Encoding` with `chunked` last wins over
//! `Content-Length`; `Content-Length` values must all agree; anything else runs to EOF. A body
//! cut short by EOF is [`ErrorKind::IncompleteRead`], never a silent truncation.
//!
//! # Strict parsing, and the leniencies kept
//!
//! Where two parsers could read the same bytes as different messages (a proxy and this
//! client, say), a response that could be read either way is refused rather than guessed
//! at: leniency there is how response splitting, desync and request smuggling work. Errors
//! are [`ErrorKind::Protocol`] (or [`ErrorKind::BadVersion`]) with a message that quotes
//! the offending bytes, and never depend on how the bytes were split when they arrived.
//!
//! Strict:
//!
//! - **The status line** is `HTTP/1.0` or `HTTP/1.1`, exactly one space, three digits
//!   (100 to 999), then one space and a reason phrase of HTAB, SP, VCHAR and obs-text
//!   (RFC 9112 section 4). Two spaces, a tab as a delimiter, a two- or four-digit code or a
//!   control byte in the reason are refused. `HTTP/` followed by another version of the
//!   right shape is [`ErrorKind::BadVersion`].
//! - **Field names** are tokens followed at once by `:`; whitespace before the colon is
//!   refused in heads and in chunked trailers (RFC 9112 section 5.1), so
//!   `Transfer-Encoding : chunked` can never change the framing. A line that starts with
//!   whitespace right after the status line is refused (section 2.2). Field values are
//!   HTAB, SP, VCHAR and obs-text.
//! - **Chunk-size lines** follow RFC 9112 section 7.1 exactly: hex digits, then optional
//!   extensions `;name` or `;name=value` (name a token, value a token or a well-formed
//!   quoted-string), then CRLF. Whitespace (BWS) is allowed only where section 7.1.1 puts
//!   it: before and after each `;` and around `=`; never after the size or an extension
//!   when no `;` or `=` follows, so `5 \r\n` is refused and `5 ;ext\r\n` accepted. A size
//!   with more than 16 significant hex digits (leading zeros are not significant) is
//!   refused: it cannot fit in 64 bits.
//! - **Chunked framing is CRLF only**: the chunk-size lines, the line end after each
//!   chunk's data, and the lines of the trailer section. A bare LF there is refused.
//! - **Refused at the offending byte**, not at a size limit or the read timeout: a
//!   response whose first bytes (after the blank lines below) are not a prefix of `HTTP/`,
//!   a NUL anywhere in a head or trailer section, a CR not followed by LF. The status line
//!   is checked as soon as its line ends. Other field-line errors are found when the head
//!   is complete, which [`Limits::max_header_bytes`] bounds; a chunk-size line is checked
//!   when its LF arrives, which [`Limits::max_chunk_line`] bounds.
//! - **Framing** (RFC 9112 section 6.3): `Content-Length` values must all agree and be
//!   plain digits; `Transfer-Encoding` with `Content-Length`, or in HTTP/1.0, is read but
//!   then the connection must close.
//! - **No reuse after a close request**: `Connection: close`, and also the pre-standard
//!   `Proxy-Connection: close` that some proxies still send, leave the connection
//!   `MustClose`. (`Proxy-Connection: keep-alive` does not make an HTTP/1.0 response
//!   reusable: only the safe direction is honoured.)
//!
//! Lenient on purpose, each because real servers need it or RFC 9112 asks for it:
//!
//! - **A bare LF ends a line in a response head** (RFC 9112 section 2.2 allows it): old,
//!   embedded and hand-written servers send `\n` line ends. Not inside chunked bodies,
//!   where no server needs it and where a line-end disagreement is a known desync.
//! - **Empty lines before the status line are skipped** (section 2.2): servers send a
//!   stray CRLF after the previous response's body.
//! - **A status line without a reason may omit the space too**: `HTTP/1.1 200` is read as
//!   `HTTP/1.1 200 ` (reason `""`), as many servers send it.
//! - **obs-fold in a response head is replaced by one space** (section 5.2 asks a user
//!   agent to do so) instead of being refused. Not in trailers.
//! - **The reason phrase is kept as sent**, obs-text included (decoded as ISO-8859-1).
//! - **Chunk extensions are checked but ignored** (section 7.1.1), and any number of
//!   leading zeros in a chunk size is accepted up to [`Limits::max_chunk_line`].
//!
//! # Writing
//!
//! [`ClientConnection::send_request`] checks everything (method, target, host, each header
//! name and value, the framing headers) before it writes a byte, then writes the head in one
//! go. Bodies follow with [`ClientConnection::send_data`] (or
//! [`ClientConnection::frame_data`] for vectored writes) and [`ClientConnection::send_end`].
//!
//! # Example: one exchange, byte for byte
//!
//! ```
//! use hip_core::h1::{BodyLength, ClientConnection, Event, Request, State};
//! use hip_core::HttpHeaderDict;
//!
//! let mut conn = ClientConnection::new();
//! let mut headers = HttpHeaderDict::new();
//! headers.add("User-Agent", "hip");
//! let mut out = Vec::new();
//! conn.send_request(
//!     &Request {
//!         method: "POST",
//!         target: "/upload",
//!         host: "example.com:8080",
//!         headers: &headers,
//!         body: BodyLength::Chunked,
//!     },
//!     &mut out,
//! )?;
//! assert_eq!(
//!     out,
//!     b"POST /upload HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: hip\r\n\
//!       Transfer-Encoding: chunked\r\n\r\n"
//! );
//! assert_eq!((conn.our_state(), conn.their_state()), (State::SendBody, State::SendResponse));
//!
//! out.clear();
//! conn.send_data(b"hello", &mut out)?;
//! conn.send_end(&mut out)?;
//! assert_eq!(out, b"5\r\nhello\r\n0\r\n\r\n");
//! assert_eq!(conn.our_state(), State::Done);
//!
//! assert_eq!(conn.next_event()?, Event::NeedData);
//! conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
//! match conn.next_event()? {
//!     Event::Response(head) => {
//!         assert_eq!(head.status, 200);
//!         assert_eq!(head.reason, "OK");
//!         assert_eq!(head.headers.get("content-length").as_deref(), Some("2"));
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert_eq!(conn.next_event()?, Event::Data(bytes::Bytes::from_static(b"ok")));
//! assert_eq!(conn.next_event()?, Event::EndOfMessage { trailers: HttpHeaderDict::new() });
//! assert_eq!(conn.next_event()?, Event::Paused);
//! assert!(conn.is_reusable());
//! conn.start_next_cycle()?;
//! assert_eq!((conn.our_state(), conn.their_state()), (State::Idle, State::Idle));
//! # Ok::<(), hip_core::Error>(())
//! ```

mod read;
#[cfg(test)]
mod tests;
mod write;

use bytes::{Buf, Bytes, BytesMut};
use std::borrow::Cow;

use crate::error::{Error, ErrorKind};
use crate::headers::HttpHeaderDict;

use read::{Block, Scan, Scanned};

/// How big a response head, its header count and a chunk-size line may be. Exceeding one is
/// an [`ErrorKind::Protocol`] error that names the limit.
///
/// The spec's Hip inherited these limits from Python's `http.client` (`_MAXLINE`,
/// `_MAXHEADERS`); here they are settable per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    max_header_bytes: usize,
    max_headers: usize,
    max_chunk_line: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 65536,
            max_headers: 100,
            max_chunk_line: 4096,
        }
    }
}

impl Limits {
    /// The defaults: 64 KiB of head, 100 headers, 4096-byte chunk-size lines.
    pub fn new() -> Self {
        Self::default()
    }

    /// Most bytes a response head (status line, headers and the blank line) or a chunked
    /// trailer block may take. Default 65536.
    pub fn max_header_bytes(&self) -> usize {
        self.max_header_bytes
    }

    /// Most header fields in one response head or trailer block. Default 100 (Python's
    /// `http.client._MAXHEADERS`).
    pub fn max_headers(&self) -> usize {
        self.max_headers
    }

    /// Most bytes of a chunk-size line (with its extensions and line ending). Default 4096.
    pub fn max_chunk_line(&self) -> usize {
        self.max_chunk_line
    }

    /// Sets [`Limits::max_header_bytes`].
    pub fn with_max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_headers`].
    pub fn with_max_headers(mut self, count: usize) -> Self {
        self.max_headers = count;
        self
    }

    /// Sets [`Limits::max_chunk_line`].
    pub fn with_max_chunk_line(mut self, bytes: usize) -> Self {
        self.max_chunk_line = bytes;
        self
    }
}

/// How the request body is framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// No body. POST, PUT and PATCH still get `Content-Length: 0`, as Python's `http.client`
    /// sends for the methods that expect a body.
    None,
    /// Exactly this many bytes, announced with `Content-Length`.
    Fixed(u64),
    /// A body of unknown length, sent with `Transfer-Encoding: chunked` (the spec's
    /// `chunked=True`).
    Chunked,
}

/// A request head to send with [`ClientConnection::send_request`].
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method, e.g. `"GET"`; must be an HTTP token. `HEAD` and `CONNECT` (exact case)
    /// change how the response is framed.
    pub method: &'a str,
    /// The request target: origin form (`/path?q`), absolute form for proxies, or authority
    /// form for CONNECT. Must be printable ASCII without spaces.
    pub target: &'a str,
    /// The authority for the `Host` header, e.g. `"example.com:8080"`; not used when
    /// `headers` has a `Host` of its own.
    pub host: &'a str,
    /// The caller's headers, written in order and in their original case.
    pub headers: &'a HttpHeaderDict,
    /// How the body is framed.
    pub body: BodyLength,
}

impl Request<'_> {
    /// Prepares the request without a connection: checks everything
    /// [`ClientConnection::send_request`] would check (the method is a token; the target is
    /// printable ASCII without spaces; header names are tokens and values free of CR, LF
    /// and NUL and encodable as ISO-8859-1; `Content-Length` and `Transfer-Encoding` agree
    /// with the body's framing) and writes nothing.
    ///
    /// Drivers call it before they take a connection, so a request that cannot be sent fails
    /// with its own kind ([`ErrorKind::InvalidHeader`],
    /// [`ErrorKind::LocalProtocol`]) without opening one.
    ///
    /// ```
    /// use hip_core::h1::{BodyLength, Request};
    /// use hip_core::{ErrorKind, HttpHeaderDict};
    ///
    /// let mut headers = HttpHeaderDict::new();
    /// headers.insert("Bad Name", "x");
    /// let req = Request { method: "GET", target: "/", host: "h", headers: &headers, body: BodyLength::None };
    /// assert_eq!(req.prepare().unwrap_err().kind(), ErrorKind::InvalidHeader);
    /// ```
    pub fn prepare(&self) -> Result<Prepared, Error> {
        write::validate(self).map(|plan| Prepared { plan })
    }
}

/// A request head checked by [`Request::prepare`]: what
/// [`ClientConnection::send_prepared_request`] needs to write it without checking the method
/// and headers again.
#[derive(Debug, Clone, Copy)]
pub struct Prepared {
    plan: write::Plan,
}

impl Prepared {
    /// Adds the headers urllib3 sends when the caller's do not name them, as a client does
    /// (raw [`ClientConnection::send_request`] adds none): `Accept-Encoding: identity` (after
    /// `Host`, as Python's `http.client` writes it) and `User-Agent: user_agent` (after the
    /// caller's headers). A header whose value is [`SKIP_HEADER`] counts as named: it is
    /// neither written nor added.
    ///
    /// ```
    /// use hip_core::h1::{BodyLength, ClientConnection, Request, DEFAULT_USER_AGENT};
    /// use hip_core::HttpHeaderDict;
    ///
    /// let headers = HttpHeaderDict::new();
    /// let req = Request { method: "GET", target: "/", host: "h", headers: &headers, body: BodyLength::None };
    /// let prepared = req.prepare().unwrap().with_default_headers(DEFAULT_USER_AGENT);
    /// let mut out = Vec::new();
    /// ClientConnection::new().send_prepared_request(&req, &prepared, &mut out).unwrap();
    /// let expected = format!(
    ///     "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\nUser-Agent: {DEFAULT_USER_AGENT}\r\n\r\n"
    /// );
    /// assert_eq!(out, expected.as_bytes());
    /// ```
    #[must_use]
    pub fn with_default_headers(self, user_agent: &'static str) -> Prepared {
        Prepared {
            plan: self.plan.with_defaults(user_agent),
        }
    }
}

/// urllib3's `SKIP_HEADER` (`urllib3.util.SKIP_HEADER`): a header given this value is not
/// sent, and stops the client from adding its default. Only the headers in
/// [`SKIPPABLE_HEADERS`] may be skipped; any other is an [`ErrorKind::InvalidValue`] error.
pub const SKIP_HEADER: &str = "@@@SKIP_HEADER@@@";

/// urllib3's `SKIPPABLE_HEADERS`: the headers [`SKIP_HEADER`] may leave out.
pub const SKIPPABLE_HEADERS: [&str; 3] = ["Accept-Encoding", "Host", "User-Agent"];

/// The `User-Agent` hip sends when the caller sets none: `hip/<version>` (urllib3 sends
/// `python-urllib3/<version>`).
pub const DEFAULT_USER_AGENT: &str = concat!("hip/", env!("CARGO_PKG_VERSION"));

/// `method` as static text when it is one of the methods RFC 9110 and RFC 5789 define
/// (exactly, in upper case), so that a request or a response can keep it without
/// allocating; `None` for any other.
///
/// ```
/// assert_eq!(hip_core::h1::standard_method("GET"), Some("GET"));
/// assert_eq!(hip_core::h1::standard_method("get"), None);
/// assert_eq!(hip_core::h1::standard_method("PURGE"), None);
/// ```
pub fn standard_method(method: &str) -> Option<&'static str> {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ];
    STANDARD.iter().copied().find(|m| *m == method)
}

/// The HTTP version of a response (the spec's `HTTPResponse.version`, 10 or 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// HTTP/1.0 (`version == 10` in the spec).
    Http10,
    /// HTTP/1.1 (`version == 11` in the spec).
    Http11,
}

impl Version {
    /// The spec's integer form: 10 or 11.
    pub fn as_int(self) -> u8 {
        match self {
            Version::Http10 => 10,
            Version::Http11 => 11,
        }
    }
}

impl From<Version> for http::Version {
    fn from(v: Version) -> Self {
        match v {
            Version::Http10 => http::Version::HTTP_10,
            Version::Http11 => http::Version::HTTP_11,
        }
    }
}

/// A parsed response head: what the spec's `HTTPResponse` knows before its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// HTTP/1.0 or HTTP/1.1.
    pub version: Version,
    /// The status code (the spec's `status`), 100 to 999.
    pub status: u16,
    /// The reason phrase (the spec's `reason`), decoded as ISO-8859-1; may be empty. A
    /// status's standard phrase (`OK` for 200, ...) is static text, not allocated.
    pub reason: Cow<'static, str>,
    /// The headers in wire order and case, values decoded as ISO-8859-1.
    pub headers: HttpHeaderDict,
}

/// What [`ClientConnection::next_event`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A 1xx response other than 101 (e.g. `100 Continue`); the real head is still to come.
    Informational(ResponseHead),
    /// The final response head.
    Response(ResponseHead),
    /// Body bytes: as much as is buffered within the current framing, split off the read
    /// buffer without copying. Never empty.
    Data(Bytes),
    /// The body is complete; `trailers` holds the chunked trailer fields (usually none).
    EndOfMessage {
        /// Trailer fields of a chunked body, in wire order.
        trailers: HttpHeaderDict,
    },
    /// Nothing can be decided until more bytes (or EOF) arrive.
    NeedData,
    /// The peer closed the connection and everything before the close was handed out.
    ConnectionClosed,
    /// Nothing more until [`ClientConnection::start_next_cycle`] (or ever, for a switched
    /// protocol or a connection that must close).
    Paused,
}

/// The state of one side of the connection (h11's states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Nothing sent in this cycle yet.
    Idle,
    /// Their side only: the request is out and the response head is awaited.
    SendResponse,
    /// The body is being sent (ours) or received (theirs).
    SendBody,
    /// The message is complete and the connection may carry another exchange.
    Done,
    /// The message is complete but the connection cannot be reused.
    MustClose,
    /// Their side only: the peer closed the connection.
    Closed,
    /// Something went wrong; the connection is unusable.
    Error,
    /// The connection became a tunnel (2xx to CONNECT, or 101 to an Upgrade request).
    SwitchedProtocol,
}

/// The framing around one piece of body data, for writing head, data and framing with one
/// vectored write without copying the data: send `prefix()`, the data, then `suffix()`.
///
/// With `Content-Length` framing both are empty; with chunked framing the prefix is the
/// chunk-size line (e.g. `"1F40\r\n"`) and the suffix `"\r\n"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFrame {
    prefix: [u8; 18],
    prefix_len: u8,
    suffix: &'static [u8],
}

impl DataFrame {
    const EMPTY: DataFrame = DataFrame {
        prefix: [0; 18],
        prefix_len: 0,
        suffix: b"",
    };

    fn chunk(len: usize) -> DataFrame {
        let mut prefix = [0u8; 18];
        let mut digits = [0u8; 16];
        let mut n = len as u64;
        let mut count = 0;
        loop {
            digits[count] = b"0123456789ABCDEF"[(n & 0xF) as usize];
            count += 1;
            n >>= 4;
            if n == 0 {
                break;
            }
        }
        for i in 0..count {
            prefix[i] = digits[count - 1 - i];
        }
        prefix[count] = b'\r';
        prefix[count + 1] = b'\n';
        DataFrame {
            prefix,
            prefix_len: (count + 2) as u8,
            suffix: b"\r\n",
        }
    }

    /// Bytes to write before the data: the chunk-size line, or nothing.
    pub fn prefix(&self) -> &[u8] {
        &self.prefix[..usize::from(self.prefix_len)]
    }

    /// Bytes to write after the data: `"\r\n"` for a chunk, or nothing.
    pub fn suffix(&self) -> &'static [u8] {
        self.suffix
    }
}

/// How our body is framed in the current cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outgoing {
    /// No body bytes follow the head (`BodyLength::None` or `Fixed(0)`).
    Empty,
    Fixed {
        total: u64,
        remaining: u64,
    },
    Chunked,
}

/// Where the reader is inside a chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkAt {
    Size,
    Data(u64),
    Crlf,
    Trailers,
}

/// How their body is framed (meaningful while their state is `SendBody`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Incoming {
    Fixed { remaining: u64, read: u64 },
    Chunked { at: ChunkAt, read: u64 },
    UntilClose,
}

/// The methods whose responses are framed differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MethodKind {
    Head,
    Connect,
    Other,
}

/// How a response body is delimited (RFC 9112 section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    NoBody,
    Tunnel,
    Fixed(u64),
    Chunked,
    UntilClose,
}

/// The HTTP/1.1 client side of one connection, as an h11-style state machine (the engine
/// under the spec's `HTTPConnection`; Hip itself drove h11 the same way).
///
/// Inputs: [`send_request`](Self::send_request), [`send_data`](Self::send_data) /
/// [`frame_data`](Self::frame_data), [`send_end`](Self::send_end),
/// [`send_failed`](Self::send_failed), [`receive_data`](Self::receive_data) /
/// [`read_buf`](Self::read_buf), [`receive_eof`](Self::receive_eof).
/// Outputs: the bytes appended to the caller's `out`, and
/// [`next_event`](Self::next_event). Getters: [`our_state`](Self::our_state),
/// [`their_state`](Self::their_state), [`is_reusable`](Self::is_reusable),
/// [`request_method`](Self::request_method). Between exchanges:
/// [`start_next_cycle`](Self::start_next_cycle).
///
/// A driver sends the request, then calls `next_event` until it returns `NeedData` (read
/// more), `Paused` or `ConnectionClosed`, or an error; see the [module docs](self).
pub struct ClientConnection {
    limits: Limits,
    our_state: State,
    their_state: State,
    keep_alive: bool,
    /// The method of the current cycle's request (valid while `has_request`); kept as a
    /// String whose allocation is reused across cycles.
    method: String,
    has_request: bool,
    method_kind: MethodKind,
    upgrade_requested: bool,
    outgoing: Outgoing,
    incoming: Incoming,
    buf: BytesMut,
    eof: bool,
    scan: Scan,
    error: Option<Error>,
}

impl Default for ClientConnection {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ClientConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("our_state", &self.our_state)
            .field("their_state", &self.their_state)
            .field("keep_alive", &self.keep_alive)
            .field("method", &self.request_method())
            .field("buffered", &self.buf.len())
            .field("eof", &self.eof)
            .finish()
    }
}

/// The read buffer's first allocation; the driver reserves more as it needs.
const INITIAL_READ_CAPACITY: usize = 8 * 1024;

impl ClientConnection {
    /// A fresh connection with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A fresh connection with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        ClientConnection {
            limits,
            our_state: State::Idle,
            their_state: State::Idle,
            keep_alive: true,
            method: String::new(),
            has_request: false,
            method_kind: MethodKind::Other,
            upgrade_requested: false,
            outgoing: Outgoing::Empty,
            incoming: Incoming::UntilClose,
            buf: BytesMut::with_capacity(INITIAL_READ_CAPACITY),
            eof: false,
            scan: Scan::default(),
            error: None,
        }
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    // ----------------------------------------------------------------------------------
    // Writing
    // ----------------------------------------------------------------------------------

    /// Writes the request head into `out`: the request line, `Host` (from `req.host` unless
    /// the headers have one), the caller's headers in order and case, then the framing
    /// header (`Content-Length` or `Transfer-Encoding: chunked`) unless the caller gave a
    /// matching one.
    ///
    /// Everything is checked before a byte is written, and a refused request leaves the
    /// connection as it was: [`ErrorKind::LocalProtocol`] for a method that is not a token,
    /// a target that is empty or has a space, control byte or non-ASCII character, a
    /// caller framing header that contradicts `req.body`, or a call in the wrong state
    /// (both sides must be `Idle`); [`ErrorKind::InvalidHeader`] for a header name that is
    /// not a token, a header value (or host) with CR, LF or NUL, or a value that cannot be
    /// encoded as ISO-8859-1.
    ///
    /// Afterwards our side is `SendBody`, or `Done` when no body bytes follow
    /// (`BodyLength::None`, `Fixed(0)`); their side is `SendResponse`.
    pub fn send_request(&mut self, req: &Request<'_>, out: &mut Vec<u8>) -> Result<(), Error> {
        self.send_checked(req, None, out)
    }

    /// [`ClientConnection::send_request`] for a request the caller has already checked with
    /// [`Request::prepare`]: a driver that prepares each request once, before it takes a
    /// connection, does not pay for the checks twice. `prepared` must come from a request
    /// with the same method, headers and body framing as `req` (the target and the `Host`
    /// value may differ: they are checked here); anything else can put forbidden bytes or
    /// wrong framing on the wire.
    pub fn send_prepared_request(
        &mut self,
        req: &Request<'_>,
        prepared: &Prepared,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.send_checked(req, Some(prepared), out)
    }

    fn send_checked(
        &mut self,
        req: &Request<'_>,
        prepared: Option<&Prepared>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if self.our_state != State::Idle || self.their_state != State::Idle {
            return Err(self.wrong_state("send a request"));
        }
        let plan = match prepared {
            Some(p) => {
                write::check_target_and_host(req, &p.plan)?;
                p.plan
            }
            None => write::validate(req)?,
        };
        write::write_head(req, &plan, out);

        self.method.clear();
        self.method.push_str(req.method);
        self.has_request = true;
        self.method_kind = match req.method {
            "HEAD" => MethodKind::Head,
            "CONNECT" => MethodKind::Connect,
            _ => MethodKind::Other,
        };
        self.upgrade_requested = plan.upgrade;
        if plan.close {
            self.keep_alive = false;
        }
        self.outgoing = plan.outgoing;
        self.our_state = match plan.outgoing {
            Outgoing::Empty => State::Done,
            _ => State::SendBody,
        };
        self.their_state = State::SendResponse;
        self.scan = Scan::default();
        self.settle();
        Ok(())
    }

    /// Accounts for `len` body bytes the caller is about to write and returns the framing to
    /// put around them, for a vectored write that does not copy the body. With chunked
    /// framing a zero `len` gives an empty frame (an empty chunk would end the body).
    ///
    /// Errors ([`ErrorKind::LocalProtocol`]): our side is not `SendBody`; more bytes than
    /// the `Content-Length` announced (our side then goes to `Error`).
    pub fn frame_data(&mut self, len: usize) -> Result<DataFrame, Error> {
        if self.our_state != State::SendBody {
            return Err(self.wrong_state("send body data"));
        }
        match &mut self.outgoing {
            Outgoing::Fixed { total, remaining } => {
                let len64 = len as u64;
                if len64 > *remaining {
                    let msg = format!(
                        "too much body data: {len} more bytes would exceed the \
                         Content-Length of {total} ({remaining} bytes left to send)"
                    );
                    self.our_state = State::Error;
                    self.keep_alive = false;
                    return Err(Error::new(ErrorKind::LocalProtocol, msg));
                }
                *remaining -= len64;
                Ok(DataFrame::EMPTY)
            }
            Outgoing::Chunked if len == 0 => Ok(DataFrame::EMPTY),
            Outgoing::Chunked => Ok(DataFrame::chunk(len)),
            Outgoing::Empty => Err(self.wrong_state("send body data")),
        }
    }

    /// Appends one piece of body to `out`, framed: the same as [`Self::frame_data`] followed
    /// by writing prefix, data and suffix.
    pub fn send_data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let frame = self.frame_data(data.len())?;
        out.reserve(frame.prefix().len() + data.len() + frame.suffix().len());
        out.extend_from_slice(frame.prefix());
        out.extend_from_slice(data);
        out.extend_from_slice(frame.suffix());
        Ok(())
    }

    /// Ends the request body: writes the last chunk (`"0\r\n\r\n"`) for chunked framing,
    /// nothing for `Content-Length`. Our side becomes `Done` (or `MustClose`).
    ///
    /// Calling it after a request without body bytes (already `Done`) is harmless.
    /// Errors ([`ErrorKind::LocalProtocol`]): a `Content-Length` body is short (our side then
    /// goes to `Error`), or a call in the wrong state.
    pub fn send_end(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        match self.our_state {
            State::SendBody => {}
            State::Done | State::MustClose | State::SwitchedProtocol
                if self.has_request && self.outgoing == Outgoing::Empty =>
            {
                return Ok(());
            }
            _ => return Err(self.wrong_state("end the request body")),
        }
        match self.outgoing {
            Outgoing::Fixed { total, remaining } if remaining > 0 => {
                self.our_state = State::Error;
                self.keep_alive = false;
                return Err(Error::new(
                    ErrorKind::LocalProtocol,
                    format!(
                        "request body ended after {} bytes but its Content-Length is {total} \
                         ({remaining} bytes missing)",
                        total - remaining
                    ),
                ));
            }
            Outgoing::Chunked => out.extend_from_slice(b"0\r\n\r\n"),
            _ => {}
        }
        self.our_state = State::Done;
        self.settle();
        Ok(())
    }

    /// The driver reports that writing failed (broken pipe, reset, ...): our side goes to
    /// `Error` and the connection will not be reused. Reading may go on, so a response the
    /// server sent before giving up (an early 413, say) can still be read.
    pub fn send_failed(&mut self) {
        self.our_state = State::Error;
        self.keep_alive = false;
    }

    // ----------------------------------------------------------------------------------
    // Reading
    // ----------------------------------------------------------------------------------

    /// The read buffer, for the driver to read socket bytes straight into (no copy). Reserve
    /// space before reading into it (tokio's `read_buf` grows a full `BytesMut` by only 64
    /// bytes at a time). Bytes added here count as received, like [`Self::receive_data`].
    pub fn read_buf(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Hands over bytes read from the connection. Bytes arriving after
    /// [`Self::receive_eof`] are ignored.
    pub fn receive_data(&mut self, data: &[u8]) {
        if !self.eof {
            self.buf.extend_from_slice(data);
        }
    }

    /// The peer closed its side of the connection (a read returned 0).
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// The next event from the bytes received so far (see [`Event`] and the module docs).
    ///
    /// Errors: [`ErrorKind::Protocol`] when the peer broke HTTP/1.1 (garbage status line,
    /// bad header, a limit exceeded, bad framing, EOF before a complete head; see
    /// [the rules](self#strict-parsing-and-the-leniencies-kept));
    /// [`ErrorKind::BadVersion`] for a version other than HTTP/1.0 and HTTP/1.1;
    /// [`ErrorKind::IncompleteRead`] for EOF inside a body. After an error their side is
    /// `Error` and every later call returns the same error.
    pub fn next_event(&mut self) -> Result<Event, Error> {
        let result = match self.their_state {
            State::Error => {
                return Err(self.error.clone().unwrap_or_else(|| {
                    Error::new(ErrorKind::Protocol, "the connection is in the error state")
                }))
            }
            State::Idle => Ok(if !self.buf.is_empty() {
                Event::Paused
            } else if self.eof {
                self.peer_closed()
            } else {
                Event::NeedData
            }),
            State::SendResponse => self.read_head(),
            State::SendBody => self.read_body(),
            State::Done => Ok(if self.eof && self.buf.is_empty() {
                self.peer_closed()
            } else {
                Event::Paused
            }),
            State::MustClose => Ok(if self.eof {
                self.peer_closed()
            } else {
                Event::Paused
            }),
            State::Closed => Ok(Event::ConnectionClosed),
            State::SwitchedProtocol => Ok(Event::Paused),
        };
        match result {
            Ok(event) => Ok(event),
            Err(e) => {
                self.their_state = State::Error;
                self.keep_alive = false;
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }

    // ----------------------------------------------------------------------------------
    // Getters and the cycle
    // ----------------------------------------------------------------------------------

    /// Our (the request's) state.
    pub fn our_state(&self) -> State {
        self.our_state
    }

    /// Their (the response's) state.
    pub fn their_state(&self) -> State {
        self.their_state
    }

    /// True when both sides are `Done` and keep-alive held: the connection can go back to
    /// the pool and carry another exchange after [`Self::start_next_cycle`].
    pub fn is_reusable(&self) -> bool {
        self.keep_alive && self.our_state == State::Done && self.their_state == State::Done
    }

    /// Resets both sides to `Idle` for the next exchange. Bytes already received past the
    /// last response (a pipelined response) stay buffered for the next cycle.
    ///
    /// Errors ([`ErrorKind::LocalProtocol`]) unless [`Self::is_reusable`].
    pub fn start_next_cycle(&mut self) -> Result<(), Error> {
        if !self.is_reusable() {
            return Err(self.wrong_state("start the next cycle"));
        }
        self.our_state = State::Idle;
        self.their_state = State::Idle;
        self.has_request = false;
        self.method_kind = MethodKind::Other;
        self.upgrade_requested = false;
        self.outgoing = Outgoing::Empty;
        self.incoming = Incoming::UntilClose;
        self.scan = Scan::default();
        Ok(())
    }

    /// After a 2xx to CONNECT (or a 101): the bytes already received past the response head,
    /// which belong to the tunnel. Empty in any other state.
    pub fn take_tunnel_bytes(&mut self) -> Bytes {
        if self.their_state == State::SwitchedProtocol {
            self.buf.split().freeze()
        } else {
            Bytes::new()
        }
    }

    /// The method of the current cycle's request, once it was sent.
    pub fn request_method(&self) -> Option<&str> {
        self.has_request.then_some(self.method.as_str())
    }

    // ----------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------

    fn wrong_state(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::LocalProtocol,
            format!(
                "cannot {what} while our state is {:?} and their state is {:?}",
                self.our_state, self.their_state
            ),
        )
    }

    /// h11's keep-alive rule: once the connection cannot be reused (or the peer closed),
    /// a side that finished its message must close instead of starting another.
    fn settle(&mut self) {
        if !self.keep_alive || self.their_state == State::Closed {
            if self.our_state == State::Done {
                self.our_state = State::MustClose;
            }
            if self.their_state == State::Done {
                self.their_state = State::MustClose;
            }
        }
    }

    fn peer_closed(&mut self) -> Event {
        self.their_state = State::Closed;
        self.keep_alive = false;
        self.settle();
        Event::ConnectionClosed
    }

    fn end_of_message(&mut self, trailers: HttpHeaderDict) -> Event {
        self.their_state = State::Done;
        self.settle();
        Event::EndOfMessage { trailers }
    }

    fn read_head(&mut self) -> Result<Event, Error> {
        let max = self.limits.max_header_bytes;
        if self.scan == Scan::default() && !self.buf.is_empty() {
            // Fast path: the whole head usually arrives in one read, so try httparse on it
            // before scanning for its end. Only a complete head is taken from here; a partial
            // or bad one goes the scanning way below, so results never depend on splits.
            let window = self.buf.len().min(max);
            if let Ok(Some((used, head))) = read::parse_head(&self.buf[..window], &self.limits) {
                self.buf.advance(used);
                return self.on_head(head);
            }
        }
        // The slow way: find the blank line that ends the head, refusing it as soon as a
        // byte arrives that no valid head can have (the status line is checked as soon as
        // it ends), then parse it whole.
        let window = self.buf.len().min(max);
        match read::scan_lines(&self.buf[..window], &mut self.scan, Block::Head)? {
            Scanned::Blank(end) => {
                let Some((used, head)) = read::parse_head(&self.buf[..end], &self.limits)? else {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "response head {} ends with a blank line but does not parse",
                            read::show(&self.buf[..end])
                        ),
                    ));
                };
                self.buf.advance(used);
                self.scan = Scan::default();
                self.on_head(head)
            }
            Scanned::Incomplete => {
                if !self.buf.is_empty() && self.buf.len() >= max {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "response head is larger than the max_header_bytes limit of {max} \
                             bytes"
                        ),
                    ));
                }
                if self.eof {
                    return Err(read::eof_in_head(&self.buf));
                }
                Ok(Event::NeedData)
            }
        }
    }

    fn on_head(&mut self, head: ResponseHead) -> Result<Event, Error> {
        if head.status == 101 {
            if !self.upgrade_requested {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "received \"101 {}\" but the request asked for no protocol upgrade",
                        head.reason
                    ),
                ));
            }
            self.switch_protocol();
            return Ok(Event::Response(head));
        }
        if head.status < 200 {
            return Ok(Event::Informational(head));
        }
        let (framing, keep_alive) = read::framing(&head, self.method_kind)?;
        if !keep_alive {
            self.keep_alive = false;
        }
        self.incoming = match framing {
            Framing::Tunnel => {
                self.switch_protocol();
                return Ok(Event::Response(head));
            }
            Framing::NoBody => Incoming::Fixed {
                remaining: 0,
                read: 0,
            },
            Framing::Fixed(n) => Incoming::Fixed {
                remaining: n,
                read: 0,
            },
            Framing::Chunked => Incoming::Chunked {
                at: ChunkAt::Size,
                read: 0,
            },
            Framing::UntilClose => Incoming::UntilClose,
        };
        self.their_state = State::SendBody;
        self.settle();
        Ok(Event::Response(head))
    }

    fn switch_protocol(&mut self) {
        self.their_state = State::SwitchedProtocol;
        if self.our_state != State::Error {
            self.our_state = State::SwitchedProtocol;
        }
        self.keep_alive = false;
    }

    /// Splits `n` buffered bytes off as a Data event (`0 < n <= buf.len()`).
    fn data(&mut self, n: usize) -> Event {
        Event::Data(self.buf.split_to(n).freeze())
    }

    fn read_body(&mut self) -> Result<Event, Error> {
        loop {
            match self.incoming {
                Incoming::Fixed { remaining, read } => {
                    if remaining == 0 {
                        return Ok(self.end_of_message(HttpHeaderDict::new()));
                    }
                    if self.buf.is_empty() {
                        if self.eof {
                            return Err(Error::new(
                                ErrorKind::IncompleteRead,
                                format!("{read} bytes read, {remaining} more expected"),
                            ));
                        }
                        return Ok(Event::NeedData);
                    }
                    let n = read::take_len(self.buf.len(), remaining);
                    self.incoming = Incoming::Fixed {
                        remaining: remaining - n as u64,
                        read: read + n as u64,
                    };
                    return Ok(self.data(n));
                }
                Incoming::UntilClose => {
                    if !self.buf.is_empty() {
                        let n = self.buf.len();
                        return Ok(self.data(n));
                    }
                    if self.eof {
                        return Ok(self.end_of_message(HttpHeaderDict::new()));
                    }
                    return Ok(Event::NeedData);
                }
                Incoming::Chunked { at, read } => match self.read_chunked(at, read)? {
                    Some(event) => return Ok(event),
                    None => continue,
                },
            }
        }
    }

    /// One step of the chunked reader: an event, or `None` when framing was consumed and the
    /// caller should look again.
    fn read_chunked(&mut self, at: ChunkAt, read: u64) -> Result<Option<Event>, Error> {
        match at {
            ChunkAt::Size => {
                let max = self.limits.max_chunk_line;
                let window = self.buf.len().min(max);
                match read::find_newline(&self.buf[..window], &mut self.scan) {
                    Some(line_end) => {
                        let size = read::parse_chunk_size(&self.buf[..line_end])?;
                        self.buf.advance(line_end);
                        self.scan = Scan::default();
                        let at = if size == 0 {
                            ChunkAt::Trailers
                        } else {
                            ChunkAt::Data(size)
                        };
                        self.incoming = Incoming::Chunked { at, read };
                        Ok(None)
                    }
                    None => {
                        if !self.buf.is_empty() && self.buf.len() >= max {
                            return Err(Error::new(
                                ErrorKind::Protocol,
                                format!(
                                    "chunk-size line is longer than the max_chunk_line limit \
                                     of {max} bytes (starts {})",
                                    read::show(&self.buf[..window.min(32)])
                                ),
                            ));
                        }
                        self.need_more_chunked(read, None)
                    }
                }
            }
            ChunkAt::Data(remaining) => {
                if self.buf.is_empty() {
                    return self.need_more_chunked(read, Some(remaining));
                }
                let n = read::take_len(self.buf.len(), remaining);
                let left = remaining - n as u64;
                self.incoming = Incoming::Chunked {
                    at: if left == 0 {
                        ChunkAt::Crlf
                    } else {
                        ChunkAt::Data(left)
                    },
                    read: read + n as u64,
                };
                Ok(Some(self.data(n)))
            }
            ChunkAt::Crlf => {
                // Exactly CRLF after the chunk data (RFC 9112 section 7.1): anything else,
                // a bare LF included, means the two ends disagree on where the chunk ended.
                let consumed = match (self.buf.first().copied(), self.buf.get(1).copied()) {
                    (None, _) | (Some(b'\r'), None) => return self.need_more_chunked(read, None),
                    (Some(b'\r'), Some(b'\n')) => 2,
                    _ => 0,
                };
                if consumed == 0 {
                    // Name only the bytes that decided it, so the message does not depend
                    // on how much had arrived.
                    let seen = if self.buf.first() == Some(&b'\r') {
                        2
                    } else {
                        1
                    };
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "chunk data is not followed by CRLF (found {})",
                            read::show(&self.buf[..self.buf.len().min(seen)])
                        ),
                    ));
                }
                self.buf.advance(consumed);
                self.incoming = Incoming::Chunked {
                    at: ChunkAt::Size,
                    read,
                };
                Ok(None)
            }
            ChunkAt::Trailers => {
                let max = self.limits.max_header_bytes;
                let window = self.buf.len().min(max);
                match read::scan_lines(&self.buf[..window], &mut self.scan, Block::Trailers)? {
                    Scanned::Blank(end) => {
                        let trailers = read::parse_trailers(&self.buf[..end], &self.limits)?;
                        self.buf.advance(end);
                        self.scan = Scan::default();
                        Ok(Some(self.end_of_message(trailers)))
                    }
                    Scanned::Incomplete => {
                        if !self.buf.is_empty() && self.buf.len() >= max {
                            return Err(Error::new(
                                ErrorKind::Protocol,
                                format!(
                                    "chunked trailers are larger than the max_header_bytes \
                                     limit of {max} bytes"
                                ),
                            ));
                        }
                        self.need_more_chunked(read, None)
                    }
                }
            }
        }
    }

    /// NeedData inside a chunked body, or IncompleteRead when EOF came.
    fn need_more_chunked(&self, read: u64, in_chunk: Option<u64>) -> Result<Option<Event>, Error> {
        if !self.eof {
            return Ok(Some(Event::NeedData));
        }
        let msg = match in_chunk {
            Some(more) => format!(
                "{read} bytes read, {more} more expected (connection closed inside a chunk)"
            ),
            None => format!(
                "{read} bytes read, more expected (connection closed before the end of the \
                 chunked body)"
            ),
        };
        Err(Error::new(ErrorKind::IncompleteRead, msg))
    }
}
