//! Request bodies: bytes, text, readers (rewindable when they can seek) and streams.
//!
//! The spec's `body` argument, with `body_pos`, `set_file_position` and `rewind_body`: a
//! reader that can seek has its starting position recorded on the first attempt and is
//! rewound there before a retry or redirect; a body that cannot be rewound makes such a
//! retry fail with `UnrewindableBodyError` instead of sending a truncated body.

use std::fmt;
use std::io::SeekFrom;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use hip_core::error::BoxError;
use hip_core::h1::BodyLength;
use hip_core::{Error, ErrorKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

use crate::sync_cell::SyncCell;

/// How much a reader body is read at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A reader that can also seek: such a body can be rewound for retries and redirects.
pub trait SeekableRead: AsyncRead + AsyncSeek + Send + Unpin {}
impl<T: AsyncRead + AsyncSeek + Send + Unpin> SeekableRead for T {}

/// Where the bytes come from. Readers and streams are only `Send`; each sits in a
/// [`SyncCell`] so that the body is `Sync` all the same.
enum Source {
    Empty,
    Bytes(Bytes),
    Reader(SyncCell<Box<dyn AsyncRead + Send + Unpin>>),
    Seekable(SyncCell<Box<dyn SeekableRead>>),
    Stream(SyncCell<BoxStream<'static, Result<Bytes, BoxError>>>),
}

/// A request body (the spec's `body` argument of `urlopen` and `request`).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use hip_async::Body;
/// let http = hip_async::PoolManager::new()?;
/// // Bytes and text convert; a file is streamed (and rewound for a retry or a 307).
/// http.request("POST", "http://127.0.0.1:8080/post").body("text").send().await?;
/// let file = tokio::fs::File::open("upload.bin").await?;
/// http.request("PUT", "http://127.0.0.1:8080/put").body(Body::seekable(file)).send().await?;
/// # Ok(()) }
/// ```
pub struct Body {
    source: Source,
    len: Option<u64>,
    /// Where a seekable body starts (`body_pos`), recorded before the first attempt.
    start: Option<u64>,
    /// Whether a non-rewindable source has been (partly) consumed.
    consumed: bool,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.source {
            Source::Empty => "empty",
            Source::Bytes(_) => "bytes",
            Source::Reader(_) => "reader",
            Source::Seekable(_) => "seekable reader",
            Source::Stream(_) => "stream",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("len", &self.len)
            .finish()
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl Body {
    fn from_source(source: Source, len: Option<u64>) -> Self {
        Body {
            source,
            len,
            start: None,
            consumed: false,
        }
    }

    /// No body.
    pub fn empty() -> Self {
        Body::from_source(Source::Empty, Some(0))
    }

    /// A body held in memory (sent with Content-Length, rewound for free).
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        let len = data.len() as u64;
        Body::from_source(Source::Bytes(data), Some(len))
    }

    /// A body read from `reader` (sent chunked unless [`Body::with_length`] says how long it
    /// is). It cannot be rewound: a retry or redirect that needs it again fails with
    /// `UnrewindableBodyError`.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static) -> Self {
        Body::from_source(Source::Reader(SyncCell::new(Box::new(reader))), None)
    }

    /// A body read from a reader that can seek (a file, a cursor): its position is recorded
    /// before the first attempt (or set from `body_pos`) and restored before each retry.
    pub fn seekable(reader: impl SeekableRead + 'static) -> Self {
        Body::from_source(Source::Seekable(SyncCell::new(Box::new(reader))), None)
    }

    /// A body produced by a stream of chunks (sent chunked unless a length is given). It
    /// cannot be rewound.
    pub fn stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Body::from_source(
            Source::Stream(SyncCell::new(stream.map(|r| r.map_err(Into::into)).boxed())),
            None,
        )
    }

    /// Declares the exact length of a reader or stream body, so it is sent with
    /// Content-Length instead of chunked. Sending more or fewer bytes is an error.
    pub fn with_length(mut self, len: u64) -> Self {
        self.len = Some(len);
        self
    }

    /// The body's length, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// True for the empty body.
    pub fn is_empty(&self) -> bool {
        matches!(self.source, Source::Empty)
    }

    /// The bytes of an in-memory body (used to replay it, e.g. in logs or tests).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// How the state machine should frame this body.
    pub(crate) fn framing(&self) -> BodyLength {
        match (&self.source, self.len) {
            (Source::Empty, _) => BodyLength::None,
            (_, Some(n)) => BodyLength::Fixed(n),
            (_, None) => BodyLength::Chunked,
        }
    }

    /// The spec's `set_file_position`: record (or move to) the body's starting position
    /// before the first attempt.
    pub(crate) async fn prepare(&mut self, body_pos: Option<u64>) -> Result<(), Error> {
        if let Source::Seekable(r) = &mut self.source {
            let r = r.get_mut();
            let pos = match body_pos {
                Some(p) => r
                    .seek(SeekFrom::Start(p))
                    .await
                    .map_err(|e| Error::io(ErrorKind::UnrewindableBody, "seeking body_pos", e))?,
                None => r.stream_position().await.map_err(|e| {
                    Error::io(
                        ErrorKind::UnrewindableBody,
                        "recording the body position",
                        e,
                    )
                })?,
            };
            self.start = Some(pos);
        }
        Ok(())
    }

    /// The spec's `rewind_body`: make the body ready to be sent again.
    pub(crate) async fn rewind(&mut self) -> Result<(), Error> {
        match &mut self.source {
            Source::Empty | Source::Bytes(_) => Ok(()),
            Source::Seekable(r) => {
                let pos = self.start.unwrap_or(0);
                r.get_mut().seek(SeekFrom::Start(pos)).await.map_err(|e| {
                    Error::io(
                        ErrorKind::UnrewindableBody,
                        "An error occurred when rewinding request body for redirect/retry",
                        e,
                    )
                })?;
                Ok(())
            }
            Source::Reader(_) | Source::Stream(_) => {
                if self.consumed {
                    Err(Error::new(
                        ErrorKind::UnrewindableBody,
                        "Unable to record file position for rewinding request body during \
                         a redirect/retry: the body is a one-shot reader or stream",
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Turns the body into something the connection can write.
    pub(crate) fn chunks(&mut self) -> BodyChunks<'_> {
        match &mut self.source {
            Source::Empty => BodyChunks::Empty,
            Source::Bytes(b) => BodyChunks::Whole(b.clone()),
            Source::Reader(_) | Source::Seekable(_) | Source::Stream(_) => {
                self.consumed = true;
                BodyChunks::Stream(ChunkReader {
                    body: self,
                    buf: BytesMut::new(),
                })
            }
        }
    }

    /// Drops the body for a 303 redirect (the request becomes a GET without a body).
    pub(crate) fn clear(&mut self) {
        *self = Body::empty();
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

/// A body as the connection writes it.
pub(crate) enum BodyChunks<'a> {
    Empty,
    Whole(Bytes),
    Stream(ChunkReader<'a>),
}

/// Pulls chunks out of a reader or stream body.
pub(crate) struct ChunkReader<'a> {
    body: &'a mut Body,
    buf: BytesMut,
}

impl ChunkReader<'_> {
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let read_err = |e: std::io::Error| {
            Error::new(ErrorKind::InvalidBody, "reading the request body failed").with_source(e)
        };
        match &mut self.body.source {
            Source::Reader(r) => {
                self.buf.reserve(READ_CHUNK);
                let n = r
                    .get_mut()
                    .read_buf(&mut self.buf)
                    .await
                    .map_err(read_err)?;
                Ok((n > 0).then(|| self.buf.split().freeze()))
            }
            Source::Seekable(r) => {
                self.buf.reserve(READ_CHUNK);
                let n = r
                    .get_mut()
                    .read_buf(&mut self.buf)
                    .await
                    .map_err(read_err)?;
                Ok((n > 0).then(|| self.buf.split().freeze()))
            }
            Source::Stream(s) => match s.get_mut().next().await {
                None => Ok(None),
                Some(Ok(b)) => Ok(Some(b)),
                Some(Err(e)) => Err(Error::new(
                    ErrorKind::InvalidBody,
                    "the request body stream failed",
                )
                .with_source(e)),
            },
            Source::Empty | Source::Bytes(_) => Ok(None),
        }
    }
}
