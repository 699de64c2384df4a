//! The private runtime each blocking manager or pool drives its async twin on.
//!
//! One current-thread tokio runtime (I/O and timers enabled) per [`crate::PoolManager`] or
//! standalone [`crate::HttpConnectionPool`], shared through an `Arc` by their clones, by
//! the pools a manager hands out and by every response still being read. Many threads may
//! be inside [`Runtime::block_on`] at once: tokio lets each of them poll its own future,
//! and whichever holds the scheduler core at the moment drives the shared I/O and timer
//! drivers for all of them (the core passes on when its holder's call returns). So there is
//! no lock around whole requests, and no thread of its own besides the blocking pool that
//! reads `std::io` request bodies.

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

/// Owns the tokio runtime and shuts it down without waiting when the last handle goes.
struct Owned {
    rt: Option<tokio::runtime::Runtime>,
}

impl Drop for Owned {
    fn drop(&mut self) {
        // A plain drop would wait for the blocking-pool threads (reader bodies) and panics
        // when it happens inside an async context (a blocking manager dropped in a task).
        // Nothing of hip's runs on the runtime once the last handle is gone, so shutting
        // down in the background loses nothing and can neither block nor panic.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    /// Starts the runtime; a failure (no file descriptors for the I/O driver, ...) is an
    /// `ErrorKind::Runtime` error.
    pub(crate) fn new() -> Result<Self, Error> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("hip-blocking")
            .build()
            .map_err(|e| {
                Error::io(
                    ErrorKind::Runtime,
                    "cannot start the tokio runtime of hip's blocking API",
                    e,
                )
            })?;
        Ok(Runtime {
            inner: Arc::new(Owned { rt: Some(rt) }),
        })
    }

    /// Runs `fut` to completion on this thread, or returns the `ErrorKind::Runtime` error
    /// when the thread is inside an async runtime (where blocking would stall the runtime,
    /// and tokio would panic).
    pub(crate) fn block_on<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        check_outside_runtime()?;
        match &self.inner.rt {
            Some(rt) => {
                // Code run by `fut` is inside this runtime: blocking there is not allowed.
                let _inside = BlockingAllowed::set(false);
                Ok(rt.block_on(fut))
            }
            // Only `Owned::drop` takes the runtime out, and then no handle is left.
            None => Err(Error::new(
                ErrorKind::Runtime,
                "hip's blocking runtime has been shut down",
            )),
        }
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
