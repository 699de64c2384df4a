//! [`SyncCell`]: what lets a response or a request body that holds a `Send`-only socket,
//! reader or stream be `Sync`.

use std::sync::{Mutex, PoisonError};

/// A value reachable only through `&mut self`: a shared `&SyncCell<T>` gives access to
/// nothing, so the cell can be `Sync` whenever `T` is `Send` (the idea of the
/// `sync_wrapper` crate). A `Mutex` provides that `Sync` without `unsafe`; it is never
/// locked (`Mutex::get_mut` borrows through it statically), so it costs no synchronisation,
/// and never poisoned.
pub(crate) struct SyncCell<T>(Mutex<T>);

impl<T> SyncCell<T> {
    pub(crate) fn new(value: T) -> Self {
        SyncCell(Mutex::new(value))
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}
