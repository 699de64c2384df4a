//! The client side of a TLS connection: rustls's `ClientConnection` driven over any
//! [`BoxIo`], the stream [`handshake`](super::handshake::handshake) returns.
//!
//! hip drives rustls itself, rather than through tokio-rustls, for one property: a poll
//! touches the transport only while it has nothing to return. tokio-rustls's `poll_read`
//! keeps reading until the transport would block, and its handshake reads again after the
//! handshake is done; over a [`SyncTcp`](crate::transport::sync_io::SyncTcp) that blocks a
//! blocking caller, such a read waits for bytes the server never sends. Here a read returns
//! as soon as it has plaintext, the handshake returns as soon as it is done (with its last
//! flight sent), and a write returns as soon as rustls took some of the bytes. So a
//! blocking caller's TLS connections block on the socket like its plain ones, and async
//! callers see the usual `Pending`.
//!
//! Errors keep tokio-rustls's shape, which the rest of hip reads: a TLS failure is an
//! `io::Error` of kind `InvalidData` wrapping the `rustls::Error`, and an end of the stream
//! during the handshake is `UnexpectedEof`.

use std::io::{self, BufRead, IoSlice, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use rustls::ClientConnection;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::transport::tcp::BoxIo;

/// A TLS client connection over a transport (see the module documentation).
pub(crate) struct TlsStream {
    io: BoxIo,
    conn: ClientConnection,
    /// `close_notify` has been queued (by `poll_shutdown`).
    closing: bool,
    /// What the last transport read brought: rustls reads at most one record's worth per
    /// `read_tls`, so reading the transport through this buffer makes one system call per
    /// up to [`INCOMING_MAX`] bytes while a large body streams in. Zeroed once when it is
    /// allocated or grows; it grows from [`INCOMING_MIN`] when a read fills it and shrinks
    /// back when a read finds little, so an idle connection keeps the small one.
    incoming: Vec<u8>,
    /// The part of `incoming` rustls has not taken yet.
    pending: std::ops::Range<usize>,
}

/// The smallest transport read: a full TLS record (16 KiB of plaintext and its overhead).
const INCOMING_MIN: usize = 16 * 1024 + 256;

/// The largest transport read.
const INCOMING_MAX: usize = 64 * 1024;

/// The transport as an `io::Write` for rustls: `Pending` is `WouldBlock` (the waker is
/// registered by the transport's poll).
struct WriteIo<'a, 'b> {
    io: &'a mut BoxIo,
    cx: &'a mut Context<'b>,
}

impl WriteIo<'_, '_> {
    fn ready<T>(polled: Poll<io::Result<T>>) -> io::Result<T> {
        match polled {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl Write for WriteIo<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Self::ready(Pin::new(&mut *self.io).poll_write(self.cx, buf))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Self::ready(Pin::new(&mut *self.io).poll_write_vectored(self.cx, bufs))
    }

    fn flush(&mut self) -> io::Result<()> {
        Self::ready(Pin::new(&mut *self.io).poll_flush(self.cx))
    }
}

/// `Poll` from an `io::Result` of a rustls call on [`WriteIo`].
fn polled<T>(r: io::Result<T>) -> Poll<io::Result<T>> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        r => Poll::Ready(r),
    }
}

impl TlsStream {
    /// Runs the handshake of `conn` over `io`; the stream once it is done.
    pub(crate) async fn connect(io: BoxIo, conn: ClientConnection) -> io::Result<TlsStream> {
        let mut stream = TlsStream {
            io,
            conn,
            closing: false,
            incoming: Vec::new(),
            pending: 0..0,
        };
        std::future::poll_fn(|cx| stream.poll_handshake(cx)).await?;
        Ok(stream)
    }

    /// The rustls connection (certificates, negotiated parameters).
    pub(crate) fn connection(&self) -> &ClientConnection {
        &self.conn
    }

    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            // Our flight first: the server answers it.
            ready!(self.poll_send(cx))?;
            if !self.conn.is_handshaking() {
                return Poll::Ready(Ok(()));
            }
            if ready!(self.poll_receive(cx))? == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection during the TLS handshake",
                )));
            }
        }
    }

    /// Writes what rustls has queued (records, alerts) to the transport; `Ready` once all
    /// of it is written.
    fn poll_push(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.wants_write() {
            let mut io = WriteIo {
                io: &mut self.io,
                cx,
            };
            if ready!(polled(self.conn.write_tls(&mut io)))? == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// [`TlsStream::poll_push`], then flushes the transport.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_push(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    /// Hands rustls TLS records (what is left of the last transport read, else a new read)
    /// and processes them; the bytes handed (0 at the end of the stream).
    fn poll_receive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.pending.is_empty() {
            if self.incoming.is_empty() {
                self.incoming = vec![0; INCOMING_MIN];
            }
            let mut read = ReadBuf::new(&mut self.incoming);
            ready!(Pin::new(&mut self.io).poll_read(cx, &mut read))?;
            let n = read.filled().len();
            self.pending = 0..n;
            if n == self.incoming.len() && n < INCOMING_MAX {
                self.incoming.resize(INCOMING_MAX, 0);
            } else if n < INCOMING_MIN / 4 && self.incoming.len() > INCOMING_MIN {
                self.incoming.truncate(INCOMING_MIN);
                self.incoming.shrink_to_fit();
            }
        }
        let n = if self.pending.is_empty() {
            // The end of the transport: rustls learns it from a read of nothing.
            self.conn.read_tls(&mut io::empty())?
        } else {
            let mut records = &self.incoming[self.pending.clone()];
            let n = self.conn.read_tls(&mut records)?;
            if n == 0 {
                // rustls took nothing while records wait: it would never make progress.
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the TLS layer refused more records",
                )));
            }
            self.pending.start += n;
            n
        };
        if let Err(e) = self.conn.process_new_packets() {
            // rustls queued an alert that tells the server why: sent if the transport
            // takes it now.
            let _ = self.poll_send(cx);
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, e)));
        }
        Poll::Ready(Ok(n))
    }
}

impl TlsStream {
    /// A write: `write` hands plaintext to rustls, which takes what fits in its bounded send
    /// buffer; then the records go to the transport as far as it takes them now.
    fn poll_write_with(
        &mut self,
        cx: &mut Context<'_>,
        mut write: impl FnMut(&mut rustls::Writer<'_>) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let taken = write(&mut self.conn.writer())?;
        let pushed = self.poll_push(cx)?;
        if taken > 0 {
            return Poll::Ready(Ok(taken));
        }
        // The send buffer was full; now it is empty and takes the bytes.
        ready!(pushed);
        let taken = write(&mut self.conn.writer())?;
        let _ = self.poll_push(cx)?;
        Poll::Ready(Ok(taken))
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            // Plaintext already decrypted goes first, without touching the transport.
            let mut copied = false;
            while buf.remaining() > 0 {
                let mut reader = this.conn.reader();
                match reader.fill_buf() {
                    // The server closed the TLS session (close_notify): the end.
                    Ok([]) => return Poll::Ready(Ok(())),
                    Ok(chunk) => {
                        let n = chunk.len().min(buf.remaining());
                        buf.put_slice(&chunk[..n]);
                        reader.consume(n);
                        copied = true;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    // An end without close_notify: reported once what came before is read.
                    Err(_) if copied => break,
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            if copied || buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            // The end of the transport is seen by rustls (read_tls returned 0), which the
            // reader reports above.
            ready!(this.poll_receive(cx))?;
        }
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.get_mut().poll_write_with(cx, |w| w.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if bufs.iter().all(|b| b.is_empty()) {
            return Poll::Ready(Ok(0));
        }
        self.get_mut()
            .poll_write_with(cx, |w| w.write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.conn.writer().flush()?;
        this.poll_send(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.closing {
            this.conn.send_close_notify();
            this.closing = true;
        }
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
