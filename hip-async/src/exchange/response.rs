//! `HttpResponse`: the spec's `HTTPResponse` (async flavour, `hip.AsyncHTTPResponse`).
//!
//! The body is either preloaded (the default, `preload_content=True`) or read on demand from
//! the connection with [`HttpResponse::read`], [`HttpResponse::stream`] or the `AsyncRead`
//! implementation. The connection goes back to its pool by itself once the body has been
//! read to the end and the state machine says the connection is reusable; dropping a
//! half-read response closes the connection instead (never a half-used one in the pool).

use std::borrow::Cow;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures_util::stream::Stream;
use hip_core::decode::ContentDecoder;
use hip_core::h1::{standard_method, Event, ResponseHead, Version};
use hip_core::retry::Retry;
use hip_core::timings::{Phase, Timings};
use hip_core::{Error, ErrorKind, HttpHeaderDict};
use tokio::io::{AsyncRead, ReadBuf};
use tracing::Span;

use super::timing::{self, Readings};
use crate::pool::{PooledConn, ReadDeadline};

mod interop;
pub use interop::ResponseStream;

/// The status codes the spec treats as redirects (`HTTPResponse.REDIRECT_STATUSES`).
pub const REDIRECT_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// The body still on the wire.
struct Wire {
    conn: PooledConn,
    deadline: ReadDeadline,
}

/// The spec's `HTTPResponse`.
///
/// ```no_run
/// # async fn demo() -> Result<(), hip_core::Error> {
/// let http = hip_async::PoolManager::new()?;
/// // Preloaded (the default): the body is in `data()`.
/// let r = http.request("GET", "http://127.0.0.1:8080/get").send().await?;
/// println!("{} {} {:?}", r.status(), r.reason(), r.getheader("content-type"));
/// println!("{}", r.text());
/// // Streamed: read it as it comes.
/// let mut r = http
///     .request("GET", "http://127.0.0.1:8080/bytes/1000000")
///     .preload_content(false)
///     .send()
///     .await?;
/// while !r.read(Some(64 * 1024)).await?.is_empty() {}
/// println!("{} bytes off the wire", r.tell());
/// # Ok(()) }
/// ```
pub struct HttpResponse {
    /// Boxed: a response is handed up through several futures (the attempt, the urlopen
    /// loop, the request), and each hand-over moves it. One small allocation costs less
    /// than moving a KiB of state every time.
    s: Box<State>,
}

/// Everything a response holds.
struct State {
    status: u16,
    version: Version,
    reason: Cow<'static, str>,
    headers: HttpHeaderDict,
    /// Shared with the manager's cache of the last URL it resolved: no copy per request.
    /// None for a response built in memory without one.
    url: Option<Arc<str>>,
    method: Cow<'static, str>,
    retries: Option<Retry>,
    /// The preloaded (or cached) body.
    data: Option<Bytes>,
    wire: Option<Wire>,
    /// The body of a response built in memory ([`HttpResponse::builder`]), not yet read.
    memory: Option<Bytes>,
    decoder: Option<ContentDecoder>,
    decode_content: bool,
    /// Decoded bytes handed out by the last wire read but not yet returned to the caller.
    leftover: Bytes,
    /// The decoder may hold more output for input it was already given (it stopped at the
    /// step's limit): ask it again before reading the wire.
    decoding: Decoding,
    /// Most bytes a whole-body read (`preload_content`, `data`, `read(None)`) may collect.
    max_body_size: Option<u64>,
    /// Raw (not decoded) body bytes received so far: the spec's `tell()`.
    raw_read: u64,
    auto_close: bool,
    explicitly_closed: bool,
    finished: bool,
    /// A body cut short of its Content-Length is an error (see
    /// [`RequestOptions::enforce_content_length`](super::RequestOptions::enforce_content_length)).
    enforce_content_length: bool,
    /// The clock readings of the request (for a response off the wire), to be turned into
    /// timings when asked; `body_complete` is read at the end of the body.
    readings: Option<Readings>,
    /// The request's span, when a subscriber records it (boxed: a disabled one costs the
    /// response no more than a pointer).
    span: Option<Box<Span>>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.s.status)
            .field("reason", &self.s.reason)
            .field("url", &self.s.url)
            .field("headers", &self.s.headers)
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// Builds a response whose body is still to be read from `conn`, with the clock
    /// `readings` of its request so far and the request's `span`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_wire(
        head: ResponseHead,
        conn: PooledConn,
        deadline: ReadDeadline,
        method: &str,
        url: Arc<str>,
        decode_content: bool,
        readings: Readings,
        span: &Span,
    ) -> Result<Self, Error> {
        let mut r = Self::with_body(
            head.status,
            head.version,
            head.reason,
            head.headers,
            decode_content,
        )?;
        r.s.url = Some(url);
        r.s.method = method_name(method);
        r.s.wire = Some(Wire { conn, deadline });
        r.s.readings = Some(readings);
        r.s.span = (!span.is_disabled()).then(|| Box::new(span.clone()));
        Ok(r)
    }

    /// A response whose raw body is `body`, in memory.
    pub(super) fn from_memory(
        status: u16,
        version: Version,
        reason: Cow<'static, str>,
        headers: HttpHeaderDict,
        body: Bytes,
        decode_content: bool,
    ) -> Result<Self, Error> {
        let mut r = Self::with_body(status, version, reason, headers, decode_content)?;
        r.s.memory = Some(body);
        Ok(r)
    }

    /// A response with its head and no body source yet (the constructors add the wire or
    /// the memory the body comes from); the decoder its `Content-Encoding` asks for.
    #[inline(always)]
    fn with_body(
        status: u16,
        version: Version,
        reason: Cow<'static, str>,
        headers: HttpHeaderDict,
        decode_content: bool,
    ) -> Result<Self, Error> {
        let decoder = match headers.get("content-encoding") {
            Some(ce) => ContentDecoder::from_header(&ce)?,
            None => None,
        };
        Ok(HttpResponse {
            s: Box::new(State {
                status,
                version,
                reason,
                headers,
                url: None,
                method: Cow::Borrowed(""),
                retries: None,
                data: None,
                wire: None,
                memory: None,
                decoder,
                decode_content,
                leftover: Bytes::new(),
                decoding: Decoding::Idle,
                max_body_size: None,
                raw_read: 0,
                auto_close: true,
                explicitly_closed: false,
                finished: false,
                enforce_content_length: true,
                readings: None,
                span: None,
            }),
        })
    }

    /// Sets what [`Self::request_method`] and [`Self::url`] report.
    pub(super) fn set_request(&mut self, method: String, url: String) {
        self.s.method = Cow::Owned(method);
        self.s.url = (!url.is_empty()).then(|| Arc::from(url));
    }

    /// Preloads a body that is in memory: no read can wait, so no runtime is needed.
    pub(super) fn preload_in_memory(&mut self) -> Result<(), Error> {
        use futures_util::FutureExt;
        match self.preload_content().now_or_never() {
            Some(result) => result.map(|_| ()),
            None => Err(Error::new(
                ErrorKind::Runtime,
                "a response body in memory could not be read at once",
            )),
        }
    }

    /// The spec's `status`.
    pub fn status(&self) -> u16 {
        self.s.status
    }

    /// The spec's `version`: 11 for HTTP/1.1, 10 for HTTP/1.0.
    pub fn version(&self) -> u8 {
        match self.s.version {
            Version::Http10 => 10,
            Version::Http11 => 11,
        }
    }

    /// The version as an `http::Version`.
    pub fn http_version(&self) -> http::Version {
        match self.s.version {
            Version::Http10 => http::Version::HTTP_10,
            Version::Http11 => http::Version::HTTP_11,
        }
    }

    /// The spec's `reason`: the status line's reason phrase.
    pub fn reason(&self) -> &str {
        &self.s.reason
    }

    /// The spec's `headers` (an `HTTPHeaderDict`).
    pub fn headers(&self) -> &HttpHeaderDict {
        &self.s.headers
    }

    /// The spec's `getheader(name)`: the (joined) value of one header.
    pub fn getheader(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        self.s.headers.get(name)
    }

    /// The URL this response came from, after redirects (the spec's `geturl()`).
    pub fn url(&self) -> &str {
        self.s.url.as_deref().unwrap_or_default()
    }

    /// The method of the request that produced this response.
    pub fn request_method(&self) -> &str {
        &self.s.method
    }

    /// The spec's `retries`: the last `Retry` used, with its `history`.
    pub fn retries(&self) -> Option<&Retry> {
        self.s.retries.as_ref()
    }

    pub(crate) fn set_retries(&mut self, retries: Retry) {
        self.s.retries = Some(retries);
    }

    /// How long each phase of the request took, from its start (curl's `-w` times): DNS,
    /// TCP connect, proxy, TLS, request written, first response byte, and, once the body
    /// has been read to its end, `body_complete`. On a reused connection
    /// [`Timings::reused`] is true and the connection phases are `None`. After redirects or
    /// retries these are the last request's; each earlier one's are on its entry of
    /// [`Self::retries`]' history. A response built in memory has no timings (all `None`).
    ///
    /// Nothing is computed or allocated for it until it is asked for: the response keeps the
    /// clock readings and this turns them into durations.
    pub fn timings(&self) -> Timings {
        self.s
            .readings
            .as_ref()
            .map_or_else(Timings::default, Readings::timings)
    }

    /// The spec's `data`: the body, when it was preloaded (the default) or cached by
    /// [`HttpResponse::read_with`] with `cache_content`. Empty otherwise: with
    /// `preload_content(false)` call [`HttpResponse::preload_content`] first.
    pub fn data(&self) -> &Bytes {
        static EMPTY: Bytes = Bytes::new();
        self.s.data.as_ref().unwrap_or(&EMPTY)
    }

    /// The body as text (UTF-8, invalid sequences replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.data())
    }

    /// Deserializes the preloaded body as JSON (`json.loads(r.s.data)`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(self.data()).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                "the response body is not the JSON expected",
            )
            .with_source(e)
            .with_url(self.url())
        })
    }

    /// The spec's `preload_content()`: reads the whole (decoded) body into [`Self::data`].
    pub async fn preload_content(&mut self) -> Result<&Bytes, Error> {
        if self.s.data.is_none() {
            let body = self.read_with(None, None, true).await?;
            self.s.data = Some(body);
        }
        Ok(self.data())
    }

    /// The spec's `read(amt)`: up to `amt` bytes of the body (exactly `amt` unless the body
    /// ends first), decoded as `decode_content` said when the request was made. `None` reads
    /// everything that is left. An empty result means the body is done.
    pub async fn read(&mut self, amt: Option<usize>) -> Result<Bytes, Error> {
        self.read_with(amt, None, false).await
    }

    /// The spec's `read(amt, decode_content, cache_content)`. With `cache_content` (and
    /// `amt` None) the body read is also kept for [`Self::data`].
    pub async fn read_with(
        &mut self,
        amt: Option<usize>,
        decode_content: Option<bool>,
        cache_content: bool,
    ) -> Result<Bytes, Error> {
        if let Some(d) = decode_content {
            self.s.decode_content = d;
        }
        match amt {
            Some(0) => Ok(Bytes::new()),
            Some(n) => {
                let first = match self.next_chunk(n).await? {
                    None => return Ok(Bytes::new()),
                    Some(c) => c,
                };
                if first.len() == n {
                    return Ok(first);
                }
                let mut buf = BytesMut::with_capacity(n);
                buf.extend_from_slice(&first);
                while buf.len() < n {
                    match self.next_chunk(n - buf.len()).await? {
                        None => break,
                        Some(c) => buf.extend_from_slice(&c),
                    }
                }
                Ok(buf.freeze())
            }
            None => {
                // The first chunk alone is the whole body of most small responses: it is
                // handed on as it is, and a list (and a copy) only starts with a second.
                let mut first: Option<Bytes> = None;
                let mut rest: Vec<Bytes> = Vec::new();
                let mut total: u64 = 0;
                while let Some(c) = self.next_chunk(usize::MAX).await? {
                    total += c.len() as u64;
                    if let Some(limit) = self.s.max_body_size {
                        if total > limit {
                            self.s.wire = None;
                            return Err(Error::new(
                                ErrorKind::BodyTooLarge,
                                format!(
                                    "the response body is larger than max_body_size \
                                     ({limit} bytes)"
                                ),
                            )
                            .with_url(self.url()));
                        }
                    }
                    if first.is_none() {
                        first = Some(c);
                    } else {
                        rest.push(c);
                    }
                }
                let all = match first {
                    None => Bytes::new(),
                    Some(only) if rest.is_empty() => only,
                    Some(first) => {
                        let len = first.len() + rest.iter().map(Bytes::len).sum::<usize>();
                        let mut buf = BytesMut::with_capacity(len);
                        buf.extend_from_slice(&first);
                        for p in &rest {
                            buf.extend_from_slice(p);
                        }
                        buf.freeze()
                    }
                };
                if cache_content {
                    self.s.data = Some(all.clone());
                }
                Ok(all)
            }
        }
    }

    /// The spec's `stream(amt)`: the body as a stream of chunks of at most `amt` bytes
    /// (chunks are handed on as they arrive, without waiting to fill `amt`), decoded as
    /// `decode_content` said when the request was made.
    pub fn stream(&mut self, amt: usize) -> BodyStream<'_> {
        self.stream_with(amt, None)
    }

    /// The spec's `stream(amt, decode_content)`: as [`Self::stream`], and `Some(flag)`
    /// decides whether the rest of the body is decoded (as [`Self::read_with`] does).
    pub fn stream_with(&mut self, amt: usize, decode_content: Option<bool>) -> BodyStream<'_> {
        if let Some(d) = decode_content {
            self.s.decode_content = d;
        }
        BodyStream {
            resp: self,
            amt: amt.max(1),
        }
    }

    /// Copies body bytes that have already arrived (and been decoded) into `buf` without
    /// waiting: 0 when none are buffered (which says nothing about the end of the body).
    /// The blocking API's `std::io::Read` serves most small reads this way, without a trip
    /// through its runtime.
    pub fn read_buffered(&mut self, buf: &mut [u8]) -> usize {
        let n = self.s.leftover.len().min(buf.len());
        if n > 0 {
            buf[..n].copy_from_slice(&self.s.leftover[..n]);
            bytes::Buf::advance(&mut self.s.leftover, n);
            if self.s.leftover.is_empty() {
                self.s.leftover = Bytes::new();
            }
        }
        n
    }

    /// Waits until some body bytes are buffered (or the body is done), without taking them:
    /// then [`Self::buffered`] shows them and [`Self::consume_buffered`] takes them. The
    /// `BufRead` / `AsyncBufRead` way to read a body without copying it into a buffer of
    /// the caller's.
    pub async fn fill_buffered(&mut self) -> Result<&[u8], Error> {
        poll_fn(|cx| self.poll_fill(cx)).await?;
        Ok(&self.s.leftover)
    }

    /// Writes the rest of the body (decoded unless the request said otherwise) to `w` and
    /// returns how many bytes that was: `tokio::io::copy(&mut response, w)` without its
    /// intermediate buffer. Each piece goes to `w` straight from the bytes received, so the
    /// body is not copied again in user space on its way. Rust users know it as reqwest's
    /// blocking `Response::copy_to`; the blocking API has the same method. A read error
    /// carries the [`hip_core::Error`] as its inner error (`std::io::Error::get_ref`).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = hip_async::PoolManager::new()?;
    /// let mut r = http
    ///     .request("GET", "http://127.0.0.1:8080/bytes/1000000")
    ///     .preload_content(false)
    ///     .send()
    ///     .await?;
    /// let mut body = Vec::new();
    /// let n = r.copy_to(&mut body).await?;
    /// assert_eq!(n, body.len() as u64);
    /// # Ok(()) }
    /// ```
    pub async fn copy_to<W>(&mut self, w: &mut W) -> std::io::Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut total = 0u64;
        loop {
            let piece = self.fill_buffered().await.map_err(std::io::Error::from)?;
            if piece.is_empty() {
                w.flush().await?;
                return Ok(total);
            }
            let n = piece.len();
            w.write_all(piece).await?;
            self.consume_buffered(n);
            total += n as u64;
        }
    }

    /// Body bytes received (and decoded) and not yet read: empty until
    /// [`Self::fill_buffered`] (or a read) brings some.
    pub fn buffered(&self) -> &[u8] {
        &self.s.leftover
    }

    /// Takes `n` of the [`Self::buffered`] bytes as read (at most all of them).
    pub fn consume_buffered(&mut self, n: usize) {
        let n = n.min(self.s.leftover.len());
        bytes::Buf::advance(&mut self.s.leftover, n);
        if self.s.leftover.is_empty() {
            self.s.leftover = Bytes::new();
        }
    }

    /// Fills `leftover` with the next piece of body when it is empty.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if !self.s.leftover.is_empty() {
            return Poll::Ready(Ok(()));
        }
        match self.poll_chunk(cx, usize::MAX) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Some(chunk))) => {
                self.s.leftover = chunk;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Ok(None)) => Poll::Ready(Ok(())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }

    /// The spec's `release_conn()`: gives the connection back to the pool. If the body has
    /// not been read to the end the connection cannot carry another request and is closed
    /// instead (use [`Self::drain_conn`] to keep it).
    pub fn release_conn(&mut self) {
        self.s.wire = None;
    }

    /// The spec's `drain_conn()`: reads and discards the rest of the body (undecoded) so the
    /// connection can go back to the pool.
    pub async fn drain_conn(&mut self) -> Result<(), Error> {
        self.drain_at_most(u64::MAX).await
    }

    /// Drains at most `limit` more raw body bytes, undecoded; a body longer than that is not
    /// worth reading to keep one connection, so the connection is closed instead. What the
    /// urlopen loop does with the body of a redirect or a status retry.
    pub(crate) async fn drain_at_most(&mut self, limit: u64) -> Result<(), Error> {
        let decode = self.s.decode_content;
        self.s.decode_content = false;
        let start = self.s.raw_read;
        let result = async {
            while self.next_chunk(usize::MAX).await?.is_some() {
                if self.s.raw_read - start > limit {
                    break;
                }
            }
            Ok(())
        }
        .await;
        self.s.decode_content = decode;
        self.release_conn();
        result
    }

    /// Sets `enforce_content_length` for the body still to be read.
    pub(crate) fn set_enforce_content_length(&mut self, enforce: bool) {
        self.s.enforce_content_length = enforce;
    }

    /// Caps what whole-body reads may collect (`max_body_size`).
    pub(crate) fn set_max_body_size(&mut self, limit: Option<u64>) {
        self.s.max_body_size = limit;
    }

    /// The spec's `tell()`: body bytes received from the wire so far (before decoding).
    pub fn tell(&self) -> u64 {
        self.s.raw_read
    }

    /// The spec's `auto_close`: when true (the default) the response reports itself closed
    /// once the body has been read to the end. Set it to false for io wrappers that check
    /// `closed` (see the spec's "Using io Wrappers with Response content").
    pub fn auto_close(&self) -> bool {
        self.s.auto_close
    }

    /// Sets [`Self::auto_close`].
    pub fn set_auto_close(&mut self, auto_close: bool) {
        self.s.auto_close = auto_close;
    }

    /// The spec's `closed`.
    pub fn closed(&self) -> bool {
        self.s.explicitly_closed || (self.s.auto_close && self.s.finished)
    }

    /// The spec's `close()`: closes the connection (a half-read body is abandoned).
    pub fn close(&mut self) {
        self.s.wire = None;
        self.s.leftover = Bytes::new();
        self.s.explicitly_closed = true;
    }

    /// The spec's `get_redirect_location()`, whose three answers are: `None` when this is not
    /// a redirect (the spec's `False`: the status is not one of [`REDIRECT_STATUSES`]),
    /// `Some(None)` for a redirect without a `Location` (the spec's `None`), and
    /// `Some(Some(location))` otherwise. `.flatten()` gives just the location.
    pub fn get_redirect_location(&self) -> Option<Option<std::borrow::Cow<'_, str>>> {
        REDIRECT_STATUSES
            .contains(&self.s.status)
            .then(|| self.s.headers.get("location"))
    }

    /// The next piece of body of at most `max` bytes, or None at the end.
    async fn next_chunk(&mut self, max: usize) -> Result<Option<Bytes>, Error> {
        poll_fn(|cx| self.poll_chunk(cx, max)).await
    }

    fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
    ) -> Poll<Result<Option<Bytes>, Error>> {
        loop {
            if !self.s.leftover.is_empty() {
                let n = self.s.leftover.len().min(max);
                let chunk = self.s.leftover.split_to(n);
                if self.s.leftover.is_empty() {
                    // An empty slice still shares the read buffer; let go of it so the
                    // connection can reuse that memory for its next read.
                    self.s.leftover = Bytes::new();
                }
                return Poll::Ready(Ok(Some(chunk)));
            }
            // Output the decoder still owes for input it already has, one bounded step at a
            // time: a few compressed bytes can stand for gigabytes.
            if self.s.decoding != Decoding::Idle {
                match self.decode_step(&[], max) {
                    Ok(()) => continue,
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            let Some(wire) = self.s.wire.as_mut() else {
                // A built response reads its body from memory: one piece, then the end.
                let event = match self.s.memory.take() {
                    Some(body) if !body.is_empty() => {
                        self.s.memory = Some(Bytes::new());
                        Event::Data(body)
                    }
                    Some(_) => Event::EndOfMessage {
                        trailers: HttpHeaderDict::new(),
                    },
                    None => return Poll::Ready(Ok(None)),
                };
                match self.on_event(event, max) {
                    Ok(true) => continue,
                    Ok(false) => return Poll::Ready(Ok(None)),
                    Err(e) => return Poll::Ready(Err(e)),
                }
            };
            let event = match wire
                .conn
                .conn()
                .poll_event_deadline(cx, &mut wire.deadline, true)
            {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(ev)) => ev,
                Poll::Ready(Err(e)) if self.ends_quietly(&e) => {
                    // urllib3 1.26's default: what arrived is the body.
                    Event::ConnectionClosed
                }
                Poll::Ready(Err(e)) => {
                    self.s.wire = None;
                    return Poll::Ready(Err(e.with_url(self.url())));
                }
            };
            match self.on_event(event, max) {
                Ok(true) => {}
                Ok(false) => return Poll::Ready(Ok(None)),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Whether `e` ends the body without an error: a Content-Length body cut short by the
    /// server closing, with `enforce_content_length` off.
    fn ends_quietly(&self, e: &Error) -> bool {
        !self.s.enforce_content_length
            && e.kind() == ErrorKind::IncompleteRead
            && self.s.headers.contains("content-length")
            && !self.s.headers.contains("transfer-encoding")
    }

    /// Takes one body event: data goes to the decoder or straight to `leftover`; the end
    /// hands the connection back and finishes the decoder. False when the body is done.
    fn on_event(&mut self, event: Event, max: usize) -> Result<bool, Error> {
        match event {
            Event::Data(data) => {
                self.s.raw_read += data.len() as u64;
                if self.s.decoder.is_some() && self.s.decode_content {
                    self.s.decoding = Decoding::Input;
                    self.decode_step(&data, max)?;
                } else {
                    self.s.leftover = data;
                }
                Ok(true)
            }
            Event::EndOfMessage { .. } | Event::ConnectionClosed => {
                // The end of the body: the last phase, and a reusable connection goes back
                // to the pool (with the same clock reading).
                if let Some(wire) = self.s.wire.as_mut() {
                    let now = Instant::now();
                    if let Some(readings) = &mut self.s.readings {
                        readings.body_complete = Some(now);
                        if let Some(span) = &self.s.span {
                            let done = timing::since(readings.start, now);
                            span.record(Phase::BodyComplete.name(), done.as_secs_f64());
                        }
                    }
                    wire.conn.release_at(now);
                }
                self.s.wire = None;
                self.s.memory = None;
                self.s.finished = true;
                if self.s.decoder.is_some() && self.s.decode_content {
                    self.s.decoding = Decoding::Finish;
                    return Ok(true);
                }
                Ok(false)
            }
            other => {
                self.s.wire = None;
                Err(Error::new(
                    ErrorKind::Protocol,
                    format!("unexpected event while reading the body: {other:?}"),
                ))
            }
        }
    }

    /// One bounded step of the decoder: at most `max` (and at most [`DECODE_STEP`]) bytes of
    /// output into `leftover`, from `input` and what the decoder kept from earlier input.
    fn decode_step(&mut self, input: &[u8], max: usize) -> Result<(), Error> {
        let Some(dec) = self.s.decoder.as_mut() else {
            self.s.decoding = Decoding::Idle;
            return Ok(());
        };
        let step = max.clamp(1, DECODE_STEP);
        let mut out = Vec::new();
        let done = match self.s.decoding {
            Decoding::Finish => dec.finish_max(&mut out, step),
            _ => dec.decode_max(input, &mut out, step),
        };
        let done = match done {
            Ok(done) => done,
            Err(e) => {
                self.s.wire = None;
                self.s.decoding = Decoding::Idle;
                return Err(e.with_url(self.url()));
            }
        };
        if done {
            self.s.decoding = Decoding::Idle;
        }
        self.s.leftover = Bytes::from(out);
        Ok(())
    }
}

/// The body of an [`HttpResponse`] as a [`Stream`] of chunks of at most `amt` bytes: what
/// [`HttpResponse::stream`] returns. `Unpin`, so `stream.next().await` needs no pinning.
/// After an error the stream ends.
#[derive(Debug)]
pub struct BodyStream<'a> {
    resp: &'a mut HttpResponse,
    amt: usize,
}

impl Stream for BodyStream<'_> {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.resp.poll_chunk(cx, this.amt) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(chunk)) => Poll::Ready(chunk.map(Ok)),
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
        }
    }
}

/// Where the decoder stands between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// Nothing owed: read the wire.
    Idle,
    /// It stopped at a step's limit with input left: call it again.
    Input,
    /// The body ended: finish it, a step at a time.
    Finish,
}

/// The method a response reports: the standard ones as static text (no allocation per
/// request), any other as given.
fn method_name(method: &str) -> Cow<'static, str> {
    standard_method(method).map_or_else(|| Cow::Owned(method.to_owned()), Cow::Borrowed)
}

/// The most decoded bytes one step produces, whatever the caller asked for: the bound on
/// what a decompression bomb can make hip allocate at once.
const DECODE_STEP: usize = 64 * 1024;

/// The body as `AsyncBufRead`: `fill_buf` hands out what arrived without copying it.
impl tokio::io::AsyncBufRead for HttpResponse {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<&[u8]>> {
        let this = self.get_mut();
        match this.poll_fill(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Ok(&this.s.leftover)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e.into())),
        }
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().consume_buffered(amt);
    }
}

impl AsyncRead for HttpResponse {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let max = buf.remaining();
        if max == 0 {
            return Poll::Ready(Ok(()));
        }
        match this.poll_chunk(cx, max) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Some(chunk))) => {
                buf.put_slice(&chunk);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Ok(None)) => Poll::Ready(Ok(())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e.into())),
        }
    }
}
