//! The request calls of a single pool: the spec's `HTTPConnectionPool.urlopen` and
//! `request`, and `connection_from_url`.

use hip_core::url::parse_url;
use hip_core::{Error, ErrorKind};

use super::flavor::{Async, Flavor};
use super::request::{RequestBuilder, Target};
use crate::exchange::{self, HttpResponse, RequestOptions, Source};
use crate::pool::{url_host, url_scheme, HttpConnectionPool, PoolOptions};

impl HttpConnectionPool {
    /// The spec's `urlopen`: the lowest-level request call, with retries and (same-host)
    /// redirects. `url` is a path (`/get?x=1`) or an absolute URL on this pool's host.
    pub async fn urlopen(
        &self,
        method: &str,
        url: &str,
        opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        if !opts.assert_same_host {
            // The spec sends any URL through this pool then (redirects too), with a
            // foreign absolute URL as the request target.
            return exchange::run(Source::AnyHost(self), method, url, opts).await;
        }
        if !self.is_same_host(url) {
            return Err(Error::new(
                ErrorKind::LocationValue,
                format!(
                    "Tried to open a foreign host with url: {url:?} on {}",
                    self.describe()
                ),
            )
            .with_url(url));
        }
        exchange::run(Source::Pool(self), method, url, opts).await
    }

    /// Starts a request built with the spec's `RequestMethods.request` semantics.
    pub fn request(&self, method: impl AsRef<str>, url: impl Into<String>) -> RequestBuilder<'_> {
        self.request_with(Async, method, url)
    }

    /// Starts a request that completes in another flavour (what hip-blocking uses).
    pub fn request_with<F: Flavor>(
        &self,
        flavor: F,
        method: impl AsRef<str>,
        url: impl Into<String>,
    ) -> RequestBuilder<'_, F> {
        RequestBuilder::new(flavor, Target::Pool(self), method.as_ref(), url.into())
    }
}

/// The spec's `connection_from_url(url, **kw)`: a pool for the URL's scheme, host and port.
pub fn connection_from_url(url: &str, opts: PoolOptions) -> Result<HttpConnectionPool, Error> {
    let u = parse_url(url)?;
    HttpConnectionPool::new(url_scheme(&u)?, url_host(&u)?, u.port, opts)
}
