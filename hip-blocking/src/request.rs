//! The blocking flavour: hip-async's builders, completed on the manager's (or pool's)
//! private runtime.
//!
//! [`PoolManagerBuilder`] and [`RequestBuilder`] are hip-async's builders with this crate's
//! [`BlockingFlavor`]: every keyword is the async API's own method, and `build()` /
//! `send()` return this crate's blocking types. Nothing is forwarded by hand.

use std::future::Future;

use hip_core::Error;

use crate::body::Body;
use crate::manager::PoolManager;
use crate::response::HttpResponse;
use crate::runtime::Runtime;

/// The flavour of the blocking API: requests run to completion on a private runtime (see
/// [`hip_async::Flavor`]).
#[derive(Clone)]
pub struct BlockingFlavor {
    rt: Runtime,
}

impl std::fmt::Debug for BlockingFlavor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingFlavor").finish_non_exhaustive()
    }
}

impl BlockingFlavor {
    pub(crate) fn new(rt: &Runtime) -> Self {
        BlockingFlavor { rt: rt.clone() }
    }
}

impl hip_async::Flavor for BlockingFlavor {
    type Body = Body;
}

impl hip_async::BuildManager for BlockingFlavor {
    type Manager = PoolManager;

    fn manager(manager: hip_async::PoolManager) -> Result<PoolManager, Error> {
        Ok(PoolManager::from_parts(manager, Runtime::new()?))
    }
}

impl hip_async::Blocking for BlockingFlavor {
    type Response = HttpResponse;

    fn block_on<R>(&self, request: R) -> Result<HttpResponse, Error>
    where
        R: Future<Output = Result<hip_async::HttpResponse, Error>> + Send,
    {
        let resp = self.rt.block_on(request)??;
        Ok(HttpResponse::new(resp, self.rt.clone()))
    }
}

/// Configures a blocking [`PoolManager`]: the spec's constructor keywords (and the proxy
/// keywords of `ProxyManager`/`SOCKSProxyManager`), exactly those of the async
/// [`hip_async::PoolManagerBuilder`]; `build()` also starts the manager's runtime (an
/// `ErrorKind::Runtime` error when it cannot).
pub type PoolManagerBuilder = hip_async::PoolManagerBuilder<BlockingFlavor>;

/// A blocking request being built: the spec's `request(method, url, fields=None,
/// headers=None, **urlopen_kw)`, with the keywords of [`hip_async::RequestBuilder`];
/// `send()` blocks until the response (and, unless `preload_content(false)`, its body) has
/// arrived. Bodies are this crate's [`Body`] (with `std::io` readers and iterators).
pub type RequestBuilder = hip_async::RequestBuilder<BlockingFlavor>;
