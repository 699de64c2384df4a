//! The private runtime each blocking manager or pool drives its async twin on.
//!
//! One current-thread tokio runtime (I/O and timers enabled) per [`crate::PoolManager`] or
//! standalone [`crate::HttpConnectionPool`], shared through an `Arc` by their clones, by
//! the pools a manager hands out and by every response still being read. A private thread
//! of its own (`hip-blocking`) turns the runtime's I/O and timer drivers and runs its
//! spawned work; it ends when the last handle goes.
//!
//! Each call polls its async future on the calling thread ([`Runtime::block_on`], tokio's
//! `Handle::block_on`), inside [`hip_async::blocking_io`]: the connections it opens with the
//! default connector wait with blocking system calls on that thread, bounded by socket
//! timeouts, so a request costs the socket calls a blocking client makes (no
//! `epoll_wait`, no wake-up from another thread), and many threads can be inside calls at
//! once without handing anything to one another. TLS runs over the same blocking socket,
//! and a host with one address is connected on the calling thread too. Only what has no
//! socket of its own to block on (name resolution, Happy Eyeballs between several
//! addresses, pool waits, retry sleeps, custom connectors) waits for the driver thread.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;

use hip_core::{Error, ErrorKind};

/// The message of the error every blocking call returns when made from async code.
pub(crate) const INSIDE_RUNTIME: &str =
    "hip's blocking API was called from inside an async runtime; use hip::AsyncPoolManager \
     (the async API) there, or call it from a thread outside the runtime (std::thread::spawn)";

/// A cheap handle to the shared runtime.
#[derive(Clone)]
pub(crate) struct Runtime {
    inner: Arc<Owned>,
}

/// The runtime's handle, and the driver thread's stop signal: dropping it (with the last
/// handle) ends the thread, which then shuts the runtime down without waiting.
struct Owned {
    handle: tokio::runtime::Handle,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Runtime {
    /// Starts the runtime and its driver thread; a failure (no file descriptors for the I/O
    /// driver, no thread, ...) is an `ErrorKind::Runtime` error.
    pub(crate) fn new() -> Result<Self, Error> {
        let failed = |e| {
            Error::io(
                ErrorKind::Runtime,
                "cannot start the tokio runtime of hip's blocking API",
                e,
            )
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("hip-blocking")
            .build()
            .map_err(failed)?;
        let handle = rt.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("hip-blocking".into())
            .spawn(move || {
                // Drives I/O and timers until the last handle is gone (the sender dropped).
                let _ = rt.block_on(stopped);
                // A plain drop would wait for the blocking-pool threads (reader bodies).
                // Nothing of hip's runs on the runtime any more, so shutting down in the
                // background loses nothing.
                rt.shutdown_background();
            })
            .map_err(failed)?;
        Ok(Runtime {
            inner: Arc::new(Owned {
                handle,
                _stop: stop,
            }),
        })
    }

    /// Runs `fut` to completion on this thread, or returns the `ErrorKind::Runtime` error
    /// when the thread is inside an async runtime (where blocking would stall the runtime,
    /// and tokio would panic).
    pub(crate) fn block_on<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        check_outside_runtime()?;
        // Code run by `fut` is inside this runtime: blocking there is not allowed.
        let _inside = BlockingAllowed::set(false);
        Ok(hip_async::blocking_io(|| self.inner.handle.block_on(fut)))
    }
}

thread_local! {
    /// Set while this crate runs a blocking body source on the runtime's blocking pool.
    static BLOCKING_ALLOWED: Cell<bool> = const { Cell::new(false) };
}

/// Sets [`BLOCKING_ALLOWED`] for this thread until dropped, then restores it.
struct BlockingAllowed {
    before: bool,
}

impl BlockingAllowed {
    fn set(allowed: bool) -> Self {
        BlockingAllowed {
            before: BLOCKING_ALLOWED.with(|c| c.replace(allowed)),
        }
    }
}

impl Drop for BlockingAllowed {
    fn drop(&mut self) {
        BLOCKING_ALLOWED.with(|c| c.set(self.before));
    }
}

/// Runs `f` (a blocking body source, on a `spawn_blocking` thread) with the blocking API
/// allowed, so a body can be read from another blocking response.
pub(crate) fn on_blocking_pool<T>(f: impl FnOnce() -> T) -> T {
    let _allowed = BlockingAllowed::set(true);
    f()
}

/// The `ErrorKind::Runtime` error when this thread is in a tokio runtime context.
///
/// tokio offers no way to tell a `spawn_blocking` thread (where blocking is allowed) from an
/// async task (where `Runtime::block_on` panics): both have a current runtime handle. So
/// every thread with a handle is refused, and the message points to `std::thread::spawn`;
/// the one exception is this crate's own body readers, which it knows run on the blocking
/// pool ([`on_blocking_pool`]).
pub(crate) fn check_outside_runtime() -> Result<(), Error> {
    if BLOCKING_ALLOWED.with(Cell::get) {
        return Ok(());
    }
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(ErrorKind::Runtime, INSIDE_RUNTIME));
    }
    Ok(())
}
