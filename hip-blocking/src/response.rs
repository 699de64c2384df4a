//! `HttpResponse`: the spec's `HTTPResponse`, blocking.
//!
//! It wraps the async response and a handle to the runtime the connection is registered
//! with, so the runtime lives as long as a body can still be read, even after the manager
//! is gone. It is a `std::io::Read` (for `BufReader`, line and CSV readers, `io::copy`) and
//! [`HttpResponse::stream`] is an iterator of chunks.

use std::borrow::Cow;
use std::fmt;
use std::io;

use bytes::Bytes;
use futures_util::stream::StreamExt;
use hip_core::retry::Retry;
use hip_core::{Error, HttpHeaderDict, Timings};

use crate::runtime::Runtime;

/// The spec's `HTTPResponse` (`hip.HTTPResponse`), blocking: [`hip_async::HttpResponse`]
/// with every waiting call run to completion on the runtime of the manager or pool that
/// made it.
///
/// With `preload_content(false)` the body is read on demand: [`HttpResponse::read`],
/// [`HttpResponse::stream`] or `std::io::Read`. Note that the spec's `read(amt)` is an
/// inherent method here, so `r.read(&mut buf)` does not compile: call
/// `std::io::Read::read(&mut r, &mut buf)`, or use `read_to_end`, `BufReader`, `io::copy`.
///
/// ```no_run
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let http = hip_blocking::PoolManager::new()?;
/// let r = http.request("GET", "http://127.0.0.1:8080/get").send()?;
/// println!("{} {}", r.status(), r.text());
/// // Streamed into a file.
/// let mut r = http
///     .request("GET", "http://127.0.0.1:8080/bytes/1000000")
///     .preload_content(false)
///     .send()?;
/// std::io::copy(&mut r, &mut std::fs::File::create("out.bin")?)?;
/// # Ok(()) }
/// ```
pub struct HttpResponse {
    // Declared before `rt`: the connection is dropped while its runtime still exists.
    inner: hip_async::HttpResponse,
    rt: Runtime,
}

/// Builds a blocking [`HttpResponse`] whose body is in memory (see
/// [`HttpResponse::builder`]); `build()` gives it a runtime of its own to read on.
pub type HttpResponseBuilder = hip_async::HttpResponseBuilder<HttpResponse>;

impl hip_async::BuiltResponse for HttpResponse {
    fn from_built(response: hip_async::HttpResponse) -> Result<Self, Error> {
        Ok(HttpResponse::new(response, Runtime::new()?))
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl HttpResponse {
    pub(crate) fn new(inner: hip_async::HttpResponse, rt: Runtime) -> Self {
        HttpResponse { inner, rt }
    }

    /// Starts building a response whose body is in memory: the spec's `HTTPResponse(...)`
    /// constructor, with the keywords of [`hip_async::HttpResponseBuilder`].
    ///
    /// ```
    /// let mut r = hip_blocking::HttpResponse::builder()
    ///     .status(302)
    ///     .header("Location", "/next")
    ///     .body("moved")
    ///     .build()?;
    /// assert_eq!(r.data(), "moved");
    /// assert_eq!(r.get_redirect_location().flatten().as_deref(), Some("/next"));
    /// # Ok::<(), hip_core::Error>(())
    /// ```
    pub fn builder() -> HttpResponseBuilder {
        HttpResponseBuilder::default()
    }

    /// The async response underneath. Its body can only be read on the runtime it came
    /// from, so reading it elsewhere is not supported; its getters are.
    pub fn as_async(&self) -> &hip_async::HttpResponse {
        &self.inner
    }

    /// The spec's `status`.
    pub fn status(&self) -> u16 {
        self.inner.status()
    }

    /// The spec's `version`: 11 for HTTP/1.1, 10 for HTTP/1.0.
    pub fn version(&self) -> u8 {
        self.inner.version()
    }

    /// The version as an `http::Version`.
    pub fn http_version(&self) -> http::Version {
        self.inner.http_version()
    }

    /// The spec's `reason`: the status line's reason phrase.
    pub fn reason(&self) -> &str {
        self.inner.reason()
    }

    /// The spec's `headers` (an `HTTPHeaderDict`).
    pub fn headers(&self) -> &HttpHeaderDict {
        self.inner.headers()
    }

    /// The spec's `getheader(name)`: the (joined) value of one header.
    pub fn getheader(&self, name: &str) -> Option<Cow<'_, str>> {
        self.inner.getheader(name)
    }

    /// The URL this response came from, after redirects (the spec's `geturl()`).
    pub fn url(&self) -> &str {
        self.inner.url()
    }

    /// The method of the request that produced this response.
    pub fn request_method(&self) -> &str {
        self.inner.request_method()
    }

    /// The spec's `retries`: the last `Retry` used, with its `history`.
    pub fn retries(&self) -> Option<&Retry> {
        self.inner.retries()
    }

    /// How long each phase of the request took, from its start (curl's `-w` times): DNS,
    /// TCP connect, proxy, TLS, request written, first response byte, and, once the body
    /// has been read to its end, `body_complete`. On a reused connection
    /// [`Timings::reused`] is set and the connection phases are `None`. After redirects or
    /// retries these are the last request's; each earlier one's are on its entry of
    /// [`HttpResponse::retries`]' history. See [`hip_async::HttpResponse::timings`].
    pub fn timings(&self) -> Timings {
        self.inner.timings()
    }

    /// The spec's `data`: the body, when it was preloaded (the default) or cached by
    /// [`HttpResponse::read_with`] with `cache_content`. Empty otherwise.
    pub fn data(&self) -> &Bytes {
        self.inner.data()
    }

    /// The body as text (UTF-8, invalid sequences replaced).
    pub fn text(&self) -> Cow<'_, str> {
        self.inner.text()
    }

    /// Deserializes the preloaded body as JSON (`json.loads(r.data)`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        self.inner.json()
    }

    /// The spec's `preload_content()`: reads the whole (decoded) body into
    /// [`HttpResponse::data`].
    pub fn preload_content(&mut self) -> Result<&Bytes, Error> {
        self.rt.block_on(self.inner.preload_content())?
    }

    /// The spec's `read(amt)`: up to `amt` bytes of the body (exactly `amt` unless the body
    /// ends first); `None` reads everything that is left. An empty result means the body is
    /// done.
    pub fn read(&mut self, amt: Option<usize>) -> Result<Bytes, Error> {
        self.rt.block_on(self.inner.read(amt))?
    }

    /// The spec's `read(amt, decode_content, cache_content)`.
    pub fn read_with(
        &mut self,
        amt: Option<usize>,
        decode_content: Option<bool>,
        cache_content: bool,
    ) -> Result<Bytes, Error> {
        self.rt
            .block_on(self.inner.read_with(amt, decode_content, cache_content))?
    }

    /// The spec's `stream(amt)`: the body as an iterator of chunks of at most `amt` bytes,
    /// handed on as they arrive. After an error the iterator ends.
    pub fn stream(&mut self, amt: usize) -> Stream<'_> {
        self.stream_with(amt, None)
    }

    /// The spec's `stream(amt, decode_content)`: as [`HttpResponse::stream`], and
    /// `Some(flag)` decides whether the rest of the body is decoded.
    pub fn stream_with(&mut self, amt: usize, decode_content: Option<bool>) -> Stream<'_> {
        Stream {
            inner: self.inner.stream_with(amt, decode_content),
            rt: &self.rt,
            done: false,
        }
    }

    /// The spec's `release_conn()`: gives the connection back to the pool; if the body has
    /// not been read to the end the connection is closed instead (see
    /// [`HttpResponse::drain_conn`]).
    pub fn release_conn(&mut self) {
        self.inner.release_conn()
    }

    /// The spec's `drain_conn()`: reads and discards the rest of the body so the connection
    /// can go back to the pool.
    pub fn drain_conn(&mut self) -> Result<(), Error> {
        self.rt.block_on(self.inner.drain_conn())?
    }

    /// The spec's `tell()`: body bytes received from the wire so far (before decoding).
    pub fn tell(&self) -> u64 {
        self.inner.tell()
    }

    /// The spec's `auto_close`: when true (the default) the response reports itself
    /// [`closed`](HttpResponse::closed) once the body has been read to the end. Set it to
    /// false to keep `closed()` false until [`HttpResponse::close`], as the spec's "Using io
    /// Wrappers with Response content" does for wrappers that check `closed`. Either way
    /// `std::io::Read` returns `Ok(0)` at the end of the body.
    pub fn auto_close(&self) -> bool {
        self.inner.auto_close()
    }

    /// Sets [`HttpResponse::auto_close`].
    pub fn set_auto_close(&mut self, auto_close: bool) {
        self.inner.set_auto_close(auto_close)
    }

    /// The spec's `closed`.
    pub fn closed(&self) -> bool {
        self.inner.closed()
    }

    /// The spec's `close()`: closes the connection (a half-read body is abandoned; reads
    /// then return nothing).
    pub fn close(&mut self) {
        self.inner.close()
    }

    /// Writes the rest of the body (decoded unless the request said otherwise) to `w` and
    /// returns how many bytes that was: `std::io::copy(&mut response, w)` without its
    /// intermediate buffer. `io::copy` reads into an 8 KiB buffer of its own, which copies
    /// every byte of the body once more; here each piece goes to `w` straight from the bytes
    /// received. reqwest::blocking's `Response::copy_to`. A read error carries the
    /// [`hip_core::Error`] as its inner error (`std::io::Error::get_ref`).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = hip_blocking::PoolManager::new()?;
    /// let mut r = http
    ///     .request("GET", "http://127.0.0.1:8080/bytes/1000000")
    ///     .preload_content(false)
    ///     .send()?;
    /// let mut file = std::fs::File::create("/tmp/body")?;
    /// let n = r.copy_to(&mut file)?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub fn copy_to<W: io::Write + ?Sized>(&mut self, w: &mut W) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            let piece = io::BufRead::fill_buf(self)?;
            if piece.is_empty() {
                w.flush()?;
                return Ok(total);
            }
            let n = piece.len();
            w.write_all(piece)?;
            io::BufRead::consume(self, n);
            total += n as u64;
        }
    }

    /// The spec's `get_redirect_location()`: `None` when this is not a redirect (the spec's
    /// `False`), `Some(None)` for a redirect without a `Location` (the spec's `None`),
    /// `Some(Some(location))` otherwise (see `hip::AsyncHttpResponse::get_redirect_location`).
    pub fn get_redirect_location(&self) -> Option<Option<Cow<'_, str>>> {
        self.inner.get_redirect_location()
    }
}

/// Reads the body (decoded unless the request said `decode_content(false)`), as the spec's
/// `HTTPResponse` does for `io` wrappers. `Ok(0)` means the body is done (or the response
/// was closed). Errors carry the [`hip_core::Error`] as their inner error
/// (`io::Error::get_ref`), e.g. `ErrorKind::ReadTimeout` or, from inside an async runtime,
/// `ErrorKind::Runtime`.
impl io::Read for HttpResponse {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // What already arrived needs no runtime.
        let n = self.inner.read_buffered(buf);
        if n > 0 {
            return Ok(n);
        }
        let read = tokio::io::AsyncReadExt::read(&mut self.inner, buf);
        match self.rt.block_on(read) {
            Ok(r) => r,
            Err(e) => Err(e.into()),
        }
    }
}

/// The body as `std::io::BufRead`: `fill_buf` hands out what arrived without copying it
/// (`lines()`, `read_until`, or a `fill_buf`/`consume` loop that writes straight from it).
impl io::BufRead for HttpResponse {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.inner.buffered().is_empty() {
            let filled = self
                .rt
                .block_on(async { self.inner.fill_buffered().await.map(|_| ()) });
            match filled {
                Ok(r) => r?,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self.inner.buffered())
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume_buffered(amt);
    }
}

/// The chunks of a response body: the iterator [`HttpResponse::stream`] returns.
#[must_use = "iterators do nothing unless consumed"]
pub struct Stream<'a> {
    inner: hip_async::BodyStream<'a>,
    rt: &'a Runtime,
    done: bool,
}

impl fmt::Debug for Stream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Iterator for Stream<'_> {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.rt.block_on(self.inner.next()) {
            Ok(item) => item,
            Err(e) => Some(Err(e)),
        };
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}
