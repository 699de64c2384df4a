//! Request bodies for the blocking API: what [`hip_async::Body`] takes, plus `std::io`
//! readers and plain iterators.
//!
//! How a blocking source is fed to the async request underneath:
//!
//! - [`Body::reader`] (any `std::io::Read`, e.g. a pipe, stdin, a socket) and [`Body::iter`]
//!   are pulled one chunk at a time on the runtime's blocking-thread pool
//!   (`tokio::task::spawn_blocking`), so a slow source never stalls the I/O of requests
//!   other threads are making on the same manager, and the source may itself use the
//!   blocking API (`Body::reader(response)` uploads what another request downloads). They
//!   cannot be rewound: a retry or redirect that needs the body again fails with
//!   `UnrewindableBodyError`.
//! - [`Body::seekable`] (`std::io::Read + Seek`, e.g. a `File` or a `Cursor`) is read and
//!   seeked inline, on the thread driving the request, because the async body needs a
//!   seekable reader to rewind it for retries and redirects (the spec's `body_pos`). File
//!   and memory reads return at once; do not use it for sources that can block for long.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hip_core::error::BoxError;
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};

/// How much of a reader body is read at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A request body (the spec's `body` argument of `urlopen` and `request`), for the blocking
/// API: bytes, text, `std::io` readers (rewindable when they can seek) and iterators, or any
/// [`hip_async::Body`].
///
/// ```no_run
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use hip_blocking::Body;
/// let http = hip_blocking::PoolManager::new()?;
/// http.request("POST", "http://127.0.0.1:8080/post").body("text").send()?;
/// let file = std::fs::File::open("upload.bin")?;
/// http.request("PUT", "http://127.0.0.1:8080/put").body(Body::seekable(file)).send()?;
/// # Ok(()) }
/// ```
pub struct Body {
    inner: hip_async::Body,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl Body {
    /// No body.
    pub fn empty() -> Self {
        Body {
            inner: hip_async::Body::empty(),
        }
    }

    /// A body held in memory (sent with Content-Length, rewound for free).
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Body {
            inner: hip_async::Body::bytes(data),
        }
    }

    /// A body read from a blocking `reader` (a pipe, stdin, a socket, a file), one chunk at
    /// a time on the runtime's blocking-thread pool. Sent chunked unless
    /// [`Body::with_length`] says how long it is. It cannot be rewound: a retry or redirect
    /// that needs it again fails with `UnrewindableBodyError` (use [`Body::seekable`] for
    /// files).
    pub fn reader(reader: impl Read + Send + 'static) -> Self {
        Body {
            inner: hip_async::Body::stream(pull_on_blocking_pool(reader, read_chunk)),
        }
    }

    /// A body read from a reader that can seek (a `File`, a `Cursor`): its position is
    /// recorded before the first attempt (or set from `body_pos`) and restored before each
    /// retry or redirect. Reads and seeks happen inline on the thread driving the request,
    /// which suits files and memory; use [`Body::reader`] for sources that may block.
    pub fn seekable(reader: impl Read + Seek + Send + 'static) -> Self {
        Body {
            inner: hip_async::Body::seekable(InlineIo {
                io: Box::new(reader),
                seeked: None,
            }),
        }
    }

    /// A body made of the chunks an iterator yields (sent chunked unless a length is
    /// given), pulled on the runtime's blocking-thread pool. An `Err` item fails the
    /// request with `ErrorKind::InvalidBody`. It cannot be rewound.
    pub fn iter<I, B, E>(chunks: I) -> Self
    where
        I: IntoIterator<Item = Result<B, E>>,
        I::IntoIter: Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        Body {
            inner: hip_async::Body::stream(pull_on_blocking_pool(
                chunks.into_iter(),
                next_chunk::<I::IntoIter, B, E>,
            )),
        }
    }

    /// Declares the exact length of a reader or iterator body, so it is sent with
    /// Content-Length instead of chunked. Sending more or fewer bytes is an error.
    pub fn with_length(self, len: u64) -> Self {
        Body {
            inner: self.inner.with_length(len),
        }
    }

    /// The body's length, when known.
    pub fn len(&self) -> Option<u64> {
        self.inner.len()
    }

    /// True for the empty body.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The bytes of an in-memory body.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        self.inner.as_bytes()
    }

    /// The async body this wraps (for [`hip_async::RequestOptions::body`]).
    pub fn into_async(self) -> hip_async::Body {
        self.inner
    }
}

impl From<Body> for hip_async::Body {
    fn from(b: Body) -> Self {
        b.inner
    }
}
impl From<hip_async::Body> for Body {
    fn from(inner: hip_async::Body) -> Self {
        Body { inner }
    }
}
impl From<()> for Body {
    /// No body (what `http::Request<()>` carries).
    fn from(_: ()) -> Self {
        Body::empty()
    }
}
impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body::bytes(b)
    }
}
impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Body::bytes(b)
    }
}
impl From<&'static [u8]> for Body {
    fn from(b: &'static [u8]) -> Self {
        Body::bytes(Bytes::from_static(b))
    }
}
impl<const N: usize> From<&'static [u8; N]> for Body {
    fn from(b: &'static [u8; N]) -> Self {
        Body::bytes(Bytes::from_static(b))
    }
}
impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::bytes(s)
    }
}
impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::bytes(Bytes::from_static(s.as_bytes()))
    }
}

/// One step of a blocking source: the next non-empty chunk, an error, or None at the end.
type Step<S> = fn(&mut S) -> Option<Result<Bytes, BoxError>>;

fn read_chunk<R: Read>(reader: &mut R) -> Option<Result<Bytes, BoxError>> {
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => {
                buf.truncate(n);
                return Some(Ok(Bytes::from(buf)));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(Err(e.into())),
        }
    }
}

fn next_chunk<I, B, E>(it: &mut I) -> Option<Result<Bytes, BoxError>>
where
    I: Iterator<Item = Result<B, E>>,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    // An empty chunk would end a chunked body early on the wire: skip it.
    loop {
        match it.next()? {
            Ok(b) => {
                let b = b.into();
                if !b.is_empty() {
                    return Some(Ok(b));
                }
            }
            Err(e) => return Some(Err(e.into())),
        }
    }
}

/// Turns a blocking source into a stream whose every item is produced by one
/// `spawn_blocking` job; the source travels into the job and back. After an error or the
/// end the stream is over.
fn pull_on_blocking_pool<S: Send + 'static>(
    source: S,
    step: Step<S>,
) -> impl futures_util::Stream<Item = Result<Bytes, BoxError>> + Send + 'static {
    futures_util::stream::unfold(Some(source), move |state| async move {
        let mut source = state?;
        let handle = match tokio::runtime::Handle::try_current() {
            Ok(h) => h,
            Err(e) => {
                let e: BoxError = format!(
                    "a blocking request body must be sent from within a tokio runtime: {e}"
                )
                .into();
                return Some((Err(e), None));
            }
        };
        let job = handle.spawn_blocking(move || {
            let out = crate::runtime::on_blocking_pool(|| step(&mut source));
            (source, out)
        });
        match job.await {
            Ok((source, Some(Ok(chunk)))) => Some((Ok(chunk), Some(source))),
            Ok((_, None)) => None,
            Ok((_, Some(Err(e)))) => Some((Err(e), None)),
            Err(e) => Some((Err(e.into()), None)),
        }
    })
}

/// A `std::io::Read + Seek` presented as tokio's `AsyncRead + AsyncSeek`, doing the I/O
/// inline (see the module docs for when that is fine).
struct InlineIo<R: ?Sized> {
    io: Box<R>,
    /// The result of the seek started by `start_seek`, handed out by `poll_complete`.
    seeked: Option<io::Result<u64>>,
}

impl<R: Read + ?Sized> AsyncRead for InlineIo<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match this.io.read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl<R: Seek + ?Sized> AsyncSeek for InlineIo<R> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        this.seeked = Some(this.io.seek(position));
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        // Without a pending seek, tokio's contract is to report the current position.
        Poll::Ready(match this.seeked.take() {
            Some(r) => r,
            None => this.io.stream_position(),
        })
    }
}
