//! Blocking system calls for callers that block anyway: hip-blocking's threads.
//!
//! hip-blocking runs each call's future to completion on the calling thread (see
//! [`blocking_io`]). Waiting for a socket through tokio's I/O driver then costs an
//! `epoll_wait` and a wake-up per response, and threads that share one runtime hand its
//! driver to one another. So a connection the default connector opens for such a caller is
//! a [`SyncTcp`]: a TCP stream in blocking mode whose reads and writes block the calling
//! thread, bounded by socket timeouts (`SO_RCVTIMEO`, `SO_SNDTIMEO`), as ureq's and
//! urllib3's sockets are. When the host has one address, such a caller also connects on its
//! own thread. TLS (hip's own rustls driver, whose polls stop reading once they have
//! something to return), proxy tunnels and the HTTP/1.1 state machine sit on top of it
//! unchanged: its `poll_*` methods simply never return `Pending` to a blocking caller.
//!
//! The bound of each wait comes from the code that waits, through a thread-local [`Limit`]
//! set around the polls it makes ([`within`]): the read timeout of the current response,
//! the send timeout, the connect timeout while a connection is being opened, and the
//! request's deadline, whichever ends first. A wait that reaches it fails with an error
//! that [`is_timeout`] recognises, and the waiting code reports it as it reports its own
//! timers running out (ReadTimeoutError, ConnectTimeoutError, ...).
//!
//! The same stream polled by anything else (the async manager of a blocking one, reached
//! through `as_async()`, in an async task) turns itself into a tokio stream first, so it
//! never blocks an async runtime; it turns back when a blocking caller polls it again.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::{Duration, Instant};

#[cfg(unix)]
mod stream;
#[cfg(unix)]
pub(crate) use stream::SyncTcp;

/// What the current thread's polls may do: block (a blocking caller), and until when.
#[derive(Clone, Copy)]
pub(crate) struct Caller {
    /// The thread blocks until the polled future completes (set by [`blocking_io`]).
    pub(crate) blocking: bool,
    /// A liveness check is polling: wait for nothing.
    pub(crate) probe: bool,
    /// When the current wait must end, if ever.
    pub(crate) until: Option<Instant>,
}

thread_local! {
    static CALLER: Cell<Caller> = const {
        Cell::new(Caller {
            blocking: false,
            probe: false,
            until: None,
        })
    };
}

/// Restores the thread's [`Caller`] when dropped (also when the scoped code panics).
struct Restore(Caller);

impl Drop for Restore {
    fn drop(&mut self) {
        CALLER.with(|c| c.set(self.0));
    }
}

fn scoped<R>(change: impl FnOnce(Caller) -> Caller, f: impl FnOnce() -> R) -> R {
    let before = CALLER.with(|c| {
        let before = c.get();
        c.set(change(before));
        before
    });
    let _restore = Restore(before);
    f()
}

/// Runs `f`, in which this thread polls hip's futures and blocks until they complete, with
/// sockets that wait by blocking the thread: hip-blocking wraps each call in it.
///
/// Connections the default connector ([`TcpConnector`](crate::TcpConnector)) opens inside
/// it use blocking system calls bounded by socket timeouts, instead of waiting for the
/// runtime's I/O driver: one `read` per response rather than an `epoll_wait` and a wake-up,
/// and threads sharing a runtime do not hand its driver to one another. Only for a thread
/// that waits for the future anyway (a `block_on` on a thread of its own): inside an async
/// task it would stall the task's worker thread.
pub fn blocking_io<R>(f: impl FnOnce() -> R) -> R {
    scoped(
        |c| Caller {
            blocking: true,
            ..c
        },
        f,
    )
}

/// What the current thread's polls may do.
pub(crate) fn caller() -> Caller {
    CALLER.with(Cell::get)
}

/// True while the current thread is a blocking caller ([`blocking_io`]).
pub(crate) fn is_blocking() -> bool {
    CALLER.with(|c| c.get().blocking)
}

/// Runs `f` (polls of a socket) with its waits bounded by `until` as well as by any bound
/// already in force: the earlier one wins.
pub(crate) fn within<R>(until: Option<Instant>, f: impl FnOnce() -> R) -> R {
    match until {
        None => f(),
        Some(until) => scoped(
            |c| Caller {
                until: Some(c.until.map_or(until, |u| u.min(until))),
                ..c
            },
            f,
        ),
    }
}

/// Polls `fut` to completion with every wait of a blocking caller's sockets bounded by
/// `until` (see [`within`]).
///
/// `fut` is `Unpin` (a `Pin<&mut _>` of a future pinned by the caller): an `async fn` keeps
/// its argument and what it moves the argument into side by side, so a future taken by
/// value would be stored twice over in this one's state, and again in every future that
/// awaits it (for the request loop, kilobytes copied whenever the request future moves).
pub(crate) async fn limited<F: Future + Unpin>(until: Option<Instant>, mut fut: F) -> F::Output {
    std::future::poll_fn(|cx| within(until, || Pin::new(&mut fut).poll(cx))).await
}

/// `tokio::time::timeout(limit, fut)` for a future a blocking caller may poll: its sockets'
/// waits are bounded by the same limit (see [`limited`]), and a failure once the limit has
/// passed is the limit running out. `None` when it ran out. `fut` is a pinned reference,
/// for the reason given at [`limited`].
pub(crate) async fn timeout<T, E>(
    limit: Duration,
    fut: impl Future<Output = Result<T, E>> + Unpin,
) -> Option<Result<T, E>> {
    let until = Instant::now() + limit;
    match tokio::time::timeout(limit, limited(Some(until), fut)).await {
        Ok(Err(_)) if is_blocking() && Instant::now() >= until => None,
        Ok(done) => Some(done),
        Err(_elapsed) => None,
    }
}

/// Runs `f` (one poll of a connection that is checked for liveness) so that no socket
/// waits: reads find what has already arrived or return `Pending`.
pub(crate) fn probing<R>(f: impl FnOnce() -> R) -> R {
    scoped(|c| Caller { probe: true, ..c }, f)
}

/// The bound of a blocking wait was reached; wrapped in an `io::ErrorKind::TimedOut` error.
#[derive(Debug)]
struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for TimedOut {}

pub(crate) fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, TimedOut)
}

/// True when `e` is a blocking wait that reached its bound (the waiting code's timeout).
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<TimedOut>())
}

/// The wait left before `until` (`None`: unbounded), or the timeout error when none is.
pub(crate) fn remaining(until: Option<Instant>) -> io::Result<Option<Duration>> {
    match until {
        None => Ok(None),
        Some(until) => match until.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(timed_out()),
        },
    }
}
