//! [`SyncTcp`]: the TCP stream that blocks its blocking callers (see the parent module).

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{remaining, Caller};

/// A socket timeout is left as it is when it differs from the wanted one by at most this
/// much, or by a 64th of it: a read timeout that restarts at each read then costs no
/// `setsockopt` per read. (Linux rounds socket timeouts up to a scheduler tick anyway.)
const SLACK: Duration = Duration::from_millis(2);

/// Which way one direction of the socket is bounded: the timeout it last got.
#[derive(Clone, Copy, Default)]
struct Applied(Option<Duration>);

impl Applied {
    /// Whether the socket timeout must be set for a wait of at most `want`.
    fn needs(self, want: Option<Duration>) -> bool {
        match (self.0, want) {
            (None, None) => false,
            (Some(have), Some(want)) => have.abs_diff(want) > SLACK.max(want / 64),
            _ => true,
        }
    }
}

enum Mode {
    /// Blocking mode, not registered with any runtime: for blocking callers.
    Blocking(std::net::TcpStream),
    /// Registered with a tokio runtime: for async callers.
    Async(tokio::net::TcpStream),
    /// Only while switching; a failed switch leaves the stream here, and it is closed.
    Gone,
}

/// A TCP connection that blocks its blocking callers and is a tokio stream to the others
/// (see the module documentation).
pub(crate) struct SyncTcp {
    mode: Mode,
    read_timeout: Applied,
    write_timeout: Applied,
}

impl SyncTcp {
    /// Takes over a connected tokio stream; it turns blocking when a blocking caller first
    /// uses it.
    pub(crate) fn new(stream: tokio::net::TcpStream) -> Self {
        SyncTcp {
            mode: Mode::Async(stream),
            read_timeout: Applied::default(),
            write_timeout: Applied::default(),
        }
    }

    /// Takes over a stream connected in blocking mode by a blocking caller.
    pub(crate) fn from_std(stream: std::net::TcpStream) -> Self {
        SyncTcp {
            mode: Mode::Blocking(stream),
            read_timeout: Applied::default(),
            write_timeout: Applied::default(),
        }
    }

    fn make_blocking(&mut self) -> io::Result<()> {
        if let Mode::Async(_) = self.mode {
            let Mode::Async(stream) = std::mem::replace(&mut self.mode, Mode::Gone) else {
                unreachable!()
            };
            let stream = stream.into_std()?;
            stream.set_nonblocking(false)?;
            self.mode = Mode::Blocking(stream);
        }
        Ok(())
    }

    fn make_async(&mut self) -> io::Result<()> {
        if let Mode::Blocking(_) = self.mode {
            let Mode::Blocking(stream) = std::mem::replace(&mut self.mode, Mode::Gone) else {
                unreachable!()
            };
            stream.set_nonblocking(true)?;
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(io::Error::other(
                    "a connection of hip's blocking API was polled outside both a blocking \
                     call and a tokio runtime",
                ));
            }
            self.mode = Mode::Async(tokio::net::TcpStream::from_std(stream)?);
        }
        Ok(())
    }

    /// One I/O call on `arg` with the stream in the mode the current caller needs (switched
    /// first if it is in the other): `blocking` for a blocking caller, with its bound and
    /// whether it is a probe; `on_async` on the tokio stream for the others.
    fn poll_as_caller<A, T>(
        &mut self,
        arg: A,
        blocking: impl FnOnce(&mut Self, Caller, A) -> Poll<io::Result<T>>,
        on_async: impl FnOnce(Pin<&mut tokio::net::TcpStream>, A) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let caller = super::caller();
        if caller.blocking {
            if let Err(e) = self.make_blocking() {
                return Poll::Ready(Err(e));
            }
            return blocking(self, caller, arg);
        }
        if let Err(e) = self.make_async() {
            return Poll::Ready(Err(e));
        }
        match &mut self.mode {
            Mode::Async(s) => on_async(Pin::new(s), arg),
            _ => Poll::Ready(Err(Self::gone())),
        }
    }

    fn gone() -> io::Error {
        io::Error::new(
            io::ErrorKind::NotConnected,
            "the connection was closed when it could not switch between blocking and async use",
        )
    }

    /// One blocking read (or, for a probe, one that does not wait).
    fn read_blocking(&mut self, caller: Caller, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let Mode::Blocking(stream) = &mut self.mode else {
            return Poll::Ready(Err(Self::gone()));
        };
        if caller.probe {
            // Peek one byte without waiting: nothing there is `Pending`; otherwise the read
            // below takes what has arrived (or finds the end of the stream) without waiting.
            let mut one = [std::mem::MaybeUninit::<u8>::uninit()];
            let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
            match socket2::SockRef::from(&*stream).recv_with_flags(&mut one, flags) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Pending,
                Err(e) => return Poll::Ready(Err(e)),
            }
            return Poll::Ready(
                stream
                    .read(buf.initialize_unfilled())
                    .map(|n| buf.advance(n)),
            );
        }
        let read = bounded(
            stream,
            caller.until,
            &mut self.read_timeout,
            std::net::TcpStream::set_read_timeout,
            |mut s| s.read(buf.initialize_unfilled()),
        );
        Poll::Ready(read.map(|n| buf.advance(n)))
    }

    /// One blocking write of `bufs`, bounded as reads are.
    fn write_blocking(&mut self, caller: Caller, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let Mode::Blocking(stream) = &mut self.mode else {
            return Poll::Ready(Err(Self::gone()));
        };
        Poll::Ready(bounded(
            stream,
            caller.until,
            &mut self.write_timeout,
            std::net::TcpStream::set_write_timeout,
            |mut s| match bufs {
                [one] => s.write(one),
                _ => s.write_vectored(bufs),
            },
        ))
    }
}

/// Runs `op`, one blocking call on `stream`, until it is done or fails, with the socket
/// timeout `set` (last set to `applied`) bounding each try by what is left before `until`:
/// a try whose socket timeout ran out (it may end before the bound) is made again, and the
/// bound itself passing is the [`timed_out`](super::timed_out) error.
fn bounded<T>(
    stream: &std::net::TcpStream,
    until: Option<std::time::Instant>,
    applied: &mut Applied,
    set: fn(&std::net::TcpStream, Option<Duration>) -> io::Result<()>,
    mut op: impl FnMut(&std::net::TcpStream) -> io::Result<T>,
) -> io::Result<T> {
    loop {
        let want = remaining(until)?;
        if applied.needs(want) {
            set(stream, want)?;
            *applied = Applied(want);
        }
        match op(stream) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            done => return done,
        }
    }
}

impl AsyncRead for SyncTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().poll_as_caller(
            buf,
            |this, caller, buf| this.read_blocking(caller, buf),
            |s, buf| s.poll_read(cx, buf),
        )
    }
}

impl AsyncWrite for SyncTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_as_caller(
            buf,
            |this, caller, buf| this.write_blocking(caller, &[IoSlice::new(buf)]),
            |s, buf| s.poll_write(cx, buf),
        )
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_as_caller(
            bufs,
            |this, caller, bufs| this.write_blocking(caller, bufs),
            |s, bufs| s.poll_write_vectored(cx, bufs),
        )
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Neither mode buffers writes.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().mode {
            Mode::Blocking(s) => Poll::Ready(match s.shutdown(Shutdown::Write) {
                Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
                r => r,
            }),
            Mode::Async(s) => Pin::new(s).poll_shutdown(cx),
            Mode::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl fmt::Debug for SyncTcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.mode {
            Mode::Blocking(_) => "blocking",
            Mode::Async(_) => "async",
            Mode::Gone => "closed",
        };
        f.debug_struct("SyncTcp").field("mode", &mode).finish()
    }
}
