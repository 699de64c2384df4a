//! One HTTP/1.1 connection: a socket (plain or TLS) driven by hip-core's sans-IO
//! [`ClientConnection`](hip_core::h1::ClientConnection). The spec's `HTTP1Connection`.
//!
//! The pool owns connections; the exchange layer writes requests on them (`exchange::send`)
//! and reads events off them through [`Connection::poll_event`], which reads from the socket
//! only when the state machine says it needs data. Reading is poll-based so that a response body can be an
//! `AsyncRead` and so that dropping any future at any point leaves a connection whose state
//! machine tells the truth about it (a half-read exchange is never reusable).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hip_core::h1::{ClientConnection, Event};
use hip_core::{Error, ErrorKind};
use tokio::time::{Instant, Sleep};

use crate::sync_cell::SyncCell;
use crate::transport::{sync_io, tcp, tls, BoxIo};

/// How much spare room a read asks the socket to fill at once.
const READ_CHUNK: usize = 64 * 1024;

/// The largest read: reads grow from [`READ_CHUNK`] while each fills the buffer (a large
/// body streaming in) and shrink back when they find little. One connection's read buffer
/// stays within this (plus what the caller still holds), and goes back to nothing when the
/// connection goes idle.
const READ_MAX: usize = 1024 * 1024;

/// The first read of a response by a blocking caller. A blocking socket zeroes the room it
/// is offered before reading into it (safe code cannot hand uninitialised memory to a std
/// socket), so a blocking caller offers about what it expects: a response head and a small
/// body first (through a buffer of its thread's, zeroed once), more only while reads fill
/// what they were offered.
const BLOCKING_FIRST_READ: usize = 8 * 1024;

thread_local! {
    /// A blocking caller's buffer for the first read of each response: zeroed once per
    /// thread instead of once per read.
    static FIRST_READ: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One read of at most `want` bytes (up to [`BLOCKING_FIRST_READ`]) into the thread's
/// buffer, appended to `buf`: a copy of what arrived instead of zeroing `want` bytes of `buf`.
/// `None` when the buffer is in use further up this thread's stack (a custom connector's
/// stream that makes a request of its own while it is read).
fn read_through_scratch(
    io: Pin<&mut BoxIo>,
    cx: &mut Context<'_>,
    buf: &mut bytes::BytesMut,
    want: usize,
) -> Option<Poll<std::io::Result<usize>>> {
    FIRST_READ.with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        if scratch.len() < want {
            scratch.resize(want, 0);
        }
        let mut filled = tokio::io::ReadBuf::new(&mut scratch[..want]);
        Some(
            tokio::io::AsyncRead::poll_read(io, cx, &mut filled).map_ok(|()| {
                let n = filled.filled().len();
                buf.extend_from_slice(&filled.filled()[..n]);
                n
            }),
        )
    })
}

/// A read deadline that restarts whenever data arrives: the spec's read timeout bounds each
/// wait for the server, not the whole response.
pub(crate) struct ReadDeadline {
    pub(crate) timeout: Option<Duration>,
    sleep: Option<Pin<Box<Sleep>>>,
    /// When the current wait of a blocking caller began (its sockets bound the wait
    /// themselves: see `transport::sync_io`).
    started: Option<std::time::Instant>,
}

impl ReadDeadline {
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        ReadDeadline {
            timeout,
            sleep: None,
            started: None,
        }
    }

    /// Data arrived: the next wait gets the whole timeout again.
    pub(crate) fn reset(&mut self) {
        self.started = None;
        if let (Some(sleep), Some(t)) = (self.sleep.as_mut(), self.timeout) {
            sleep.as_mut().reset(Instant::now() + t);
        }
    }

    /// When the current wait ends, for a blocking caller's socket: the timeout after the
    /// wait began (the first call since the last [`ReadDeadline::reset`]).
    fn until(&mut self) -> Option<std::time::Instant> {
        let t = self.timeout?;
        Some(*self.started.get_or_insert_with(std::time::Instant::now) + t)
    }

    /// The spec's ReadTimeoutError for this deadline.
    fn expired(&self) -> Error {
        let secs = self.timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0);
        Error::new(
            ErrorKind::ReadTimeout,
            format!("Read timed out. (read timeout={secs:?})"),
        )
    }

    /// Ready when the wait has lasted longer than the timeout.
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(t) = self.timeout else {
            return Poll::Pending;
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(t)));
        sleep.as_mut().poll(cx)
    }
}

/// Why a pooled connection is closed instead of reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// It sat idle longer than the pool's `idle_timeout`.
    Idle,
    /// It has been open longer than the pool's `max_lifetime`.
    Lifetime,
}

impl Expiry {
    /// Why, for logs.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Expiry::Idle => "idle for longer than idle_timeout",
            Expiry::Lifetime => "open for longer than max_lifetime",
        }
    }
}

/// A connection to one origin (or proxy): socket + HTTP/1.1 state machine.
///
/// The pool keeps it; the exchange layer writes requests on it and reads responses off it
/// (through [`Connection::poll_event`]).
pub(crate) struct Connection {
    /// The socket; in a [`SyncCell`] so that a response holding the connection is `Sync`.
    pub(crate) io: SyncCell<BoxIo>,
    pub(crate) h1: ClientConnection,
    /// Number of requests started on this connection (more than one means it was reused).
    pub(crate) requests: u64,
    /// When the first byte of the current response arrived: the timings' `first_byte`, and
    /// whether the stale-connection retry may still replace the connection.
    pub(crate) response_started: Option<std::time::Instant>,
    /// The request head (and a small body) is assembled here, reused from one request to
    /// the next.
    pub(crate) write_buf: Vec<u8>,
    /// How much the next socket read asks for (between [`READ_CHUNK`] and [`READ_MAX`]).
    read_size: usize,
    /// The host this connection was opened for, for error messages.
    host: Arc<str>,
    /// When it last went back to the pool.
    idle_since: Option<std::time::Instant>,
    /// When it was opened (for the pool's maximum lifetime).
    opened_at: std::time::Instant,
}

impl Connection {
    /// A connection just opened.
    pub(crate) fn new(io: BoxIo, h1: ClientConnection, host: Arc<str>) -> Self {
        Connection {
            io: SyncCell::new(io),
            h1,
            host,
            idle_since: None,
            opened_at: std::time::Instant::now(),
            requests: 0,
            response_started: None,
            write_buf: Vec::with_capacity(1024),
            read_size: READ_CHUNK,
        }
    }

    /// True when this connection already carried a request before the current one.
    pub(crate) fn is_reused(&self) -> bool {
        self.requests > 1
    }

    /// True once any byte of the current response has been received.
    pub(crate) fn response_started(&self) -> bool {
        self.response_started.is_some()
    }

    /// Gets the connection ready for the next exchange; false if it cannot be reused: the
    /// state machine says so, or bytes beyond the finished response are already buffered
    /// (a second response in the same write would otherwise answer the next request).
    /// `now` is when it goes back to the pool.
    pub(crate) fn prepare_reuse(&mut self, now: std::time::Instant) -> bool {
        let reusable = self.h1.is_reusable()
            && self.h1.start_next_cycle().is_ok()
            && self.h1.read_buf().is_empty();
        if reusable {
            self.idle_since = Some(now);
            // A buffer grown for a large body is not kept by an idle connection.
            if self.read_size > READ_CHUNK {
                self.read_size = READ_CHUNK;
                *self.h1.read_buf() = bytes::BytesMut::new();
            }
        }
        reusable
    }

    /// How long the connection has sat in the pool at `now`.
    pub(crate) fn idle_for(&self, now: std::time::Instant) -> Duration {
        self.idle_since
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
    }

    /// Why the connection must not be used any more at `now`: it has sat idle longer than
    /// `idle_timeout`, or been open longer than `max_lifetime`. None when it may be used.
    pub(crate) fn expiry(
        &self,
        now: std::time::Instant,
        idle_timeout: Option<Duration>,
        max_lifetime: Option<Duration>,
    ) -> Option<Expiry> {
        let past = |since: std::time::Instant, limit: Option<Duration>| {
            limit.is_some_and(|limit| now.saturating_duration_since(since) > limit)
        };
        if self.idle_since.is_some_and(|t| past(t, idle_timeout)) {
            Some(Expiry::Idle)
        } else if past(self.opened_at, max_lifetime) {
            Some(Expiry::Lifetime)
        } else {
            None
        }
    }

    /// True when an idle connection has been closed by the server or has unexpected bytes.
    pub(crate) fn is_dropped(&mut self) -> bool {
        tcp::is_dropped(self.io.get_mut())
    }

    /// Pulls the next event, reading from the socket when the state machine needs data.
    /// Returns `Pending` only while waiting on the socket (the deadline is the caller's; a
    /// blocking caller's socket that reaches it fails with `deadline`'s ReadTimeoutError).
    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
        deadline: &ReadDeadline,
    ) -> Poll<Result<Event, Error>> {
        loop {
            match self.h1.next_event()? {
                Event::NeedData => {
                    let blocking = sync_io::is_blocking();
                    let first = blocking && self.response_started.is_none();
                    let want = if first {
                        BLOCKING_FIRST_READ.min(self.read_size)
                    } else {
                        self.read_size
                    };
                    let buf = self.h1.read_buf();
                    if buf.capacity() - buf.len() < want / 4 {
                        buf.reserve(want);
                    }
                    // An async socket fills uninitialised room for free: it is offered all of
                    // it. A blocking one zeroes what it is offered, so it is offered `want`, and
                    // a response's first read goes through the thread's buffer, zeroed once,
                    // and is copied (see BLOCKING_FIRST_READ).
                    let spare = buf.capacity() - buf.len();
                    let io = self.io.get_mut();
                    let through_scratch = if first {
                        read_through_scratch(Pin::new(&mut *io), cx, buf, want)
                    } else {
                        None
                    };
                    let (room, read) = if let Some(read) = through_scratch {
                        (want, read)
                    } else if blocking {
                        let mut limited = bytes::BufMut::limit(&mut *buf, want);
                        let read = tokio_util::io::poll_read_buf(Pin::new(io), cx, &mut limited);
                        (spare.min(want), read)
                    } else {
                        (spare, tokio_util::io::poll_read_buf(Pin::new(io), cx, buf))
                    };
                    match ready!(read) {
                        Ok(0) => self.h1.receive_eof(),
                        Ok(n) => {
                            // A read that filled its room found more waiting: ask for more
                            // next time (fewer calls for a large body); one that found little
                            // asks for less again. Blocking reads fit their room more tightly
                            // (what they are offered is zeroed first).
                            let little = if blocking { want / 2 } else { want / 8 };
                            if n == room && self.read_size < READ_MAX {
                                self.read_size = (want * 2).max(self.read_size).min(READ_MAX);
                            } else if n < little && want > READ_CHUNK {
                                self.read_size = (want / 2).max(READ_CHUNK);
                            }
                            if self.response_started.is_none() {
                                self.response_started = Some(std::time::Instant::now());
                            }
                        }
                        Err(e) if sync_io::is_timeout(&e) => {
                            return Poll::Ready(Err(deadline.expired()));
                        }
                        Err(e) => {
                            // A TLS alert on a read (TLS 1.3 servers refuse a client
                            // certificate only after the handshake) is an SSLError, not a
                            // broken connection.
                            return Poll::Ready(Err(match tls::ssl_error_from_io(&self.host, e) {
                                Ok(ssl) => ssl,
                                Err(e) => Error::io(ErrorKind::Protocol, "Connection broken", e),
                            }));
                        }
                    }
                }
                event => return Poll::Ready(Ok(event)),
            }
        }
    }

    /// Like [`Connection::poll_event`], but gives up with a ReadTimeoutError when the server
    /// is silent for longer than the deadline's timeout.
    ///
    /// With `restart`, each event gives the next wait the whole timeout again (body data);
    /// without it the deadline keeps running (interim responses before the final head do
    /// not buy a server more time).
    pub(crate) fn poll_event_deadline(
        &mut self,
        cx: &mut Context<'_>,
        deadline: &mut ReadDeadline,
        restart: bool,
    ) -> Poll<Result<Event, Error>> {
        let polled = if sync_io::is_blocking() {
            sync_io::within(deadline.until(), || self.poll_event(cx, deadline))
        } else {
            self.poll_event(cx, deadline)
        };
        match polled {
            Poll::Ready(r) => {
                if restart {
                    deadline.reset();
                }
                Poll::Ready(r)
            }
            Poll::Pending => {
                ready!(deadline.poll_expired(cx));
                Poll::Ready(Err(deadline.expired()))
            }
        }
    }
}
