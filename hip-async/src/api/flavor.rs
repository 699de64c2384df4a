//! Flavours: how the calls of the API complete.
//!
//! The builders ([`PoolManagerBuilder`](crate::PoolManagerBuilder),
//! [`RequestBuilder`](crate::RequestBuilder)) are written once, generic over a flavour.
//! [`Async`], the default, gives the async API: `build()` returns this crate's
//! [`PoolManager`](crate::PoolManager) and `send()` is awaited. hip-blocking implements
//! [`Blocking`] and [`BuildManager`](crate::BuildManager) for its flavour: the same builders
//! then return its blocking manager and `send()` blocks on its runtime. That is the one mechanism by which the blocking API forwards to the async one;
//! no builder method is written twice.

use std::future::Future;

use hip_core::Error;

use crate::exchange::{Body, HttpResponse};

/// How the calls of the API complete: [`Async`] here, a blocking flavour in hip-blocking.
pub trait Flavor: Clone + Send + Sync + 'static {
    /// What [`RequestBuilder::body`](crate::RequestBuilder::body) accepts (it must convert
    /// into this crate's [`Body`]).
    type Body: Into<Body>;
}

/// The async flavour: every call is a future to `.await`. The default of every builder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Async;

impl Flavor for Async {
    type Body = Body;
}

/// A flavour whose requests block the calling thread: `RequestBuilder::send` runs the
/// request future to completion with [`Blocking::block_on`].
pub trait Blocking: Flavor {
    /// The response `send()` returns.
    type Response;

    /// Runs `request` to completion and wraps its response (errors: the request's, or the
    /// flavour's own, such as being called inside an async runtime).
    fn block_on<R>(&self, request: R) -> Result<Self::Response, Error>
    where
        R: Future<Output = Result<HttpResponse, Error>> + Send;
}
