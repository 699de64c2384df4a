//! What a manager is, below its API: its pools, its default headers and bounds, and the one
//! call that sends a request through them. Request builders hold it, so they need not know
//! the manager type.

use std::time::Duration;

use hip_core::{Error, HttpHeaderDict};

use crate::exchange::{self, HttpResponse, RequestOptions, Source};
use crate::pool::Registry;

pub(crate) struct Session {
    pub(crate) registry: Registry,
    pub(crate) headers: HttpHeaderDict,
    pub(crate) max_body_size: Option<u64>,
    pub(crate) deadline: Option<Duration>,
}

impl Session {
    /// The spec's `PoolManager.urlopen`: the manager's defaults where the request has none,
    /// then the urlopen loop over the manager's pools.
    pub(crate) async fn urlopen(
        &self,
        method: &str,
        url: &str,
        mut opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        let src = self.source(&mut opts);
        exchange::run(src, method, url, &mut opts).await
    }

    /// Fills in the manager's defaults where `opts` has none, and names the manager's pools
    /// as where the request goes.
    pub(crate) fn source(&self, opts: &mut RequestOptions) -> Source<'_> {
        if opts.headers.is_none() && !self.headers.is_empty() {
            opts.headers = Some(self.headers.clone());
        }
        if opts.max_body_size.is_none() {
            opts.max_body_size = self.max_body_size;
        }
        if opts.deadline.is_none() {
            opts.deadline = self.deadline;
        }
        Source::Manager(&self.registry)
    }
}
