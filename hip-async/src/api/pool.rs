//! The request calls of a single pool: the spec's `HTTPConnectionPool.urlopen` and
//! `request`, and `connection_from_url`.

use hip_core::url::{parse_url, IntoUrl};
use hip_core::{Error, ErrorKind};

use super::flavor::{Async, Flavor};
use super::request::{RequestBuilder, Target};
use crate::exchange::{self, Body, HttpResponse, RequestOptions, Source};
use crate::pool::{url_host, url_scheme, HttpConnectionPool, PoolOptions};

impl HttpConnectionPool {
    /// The spec's `urlopen`: the lowest-level request call, with retries and (same-host)
    /// redirects. `url` is a path (`/get?x=1`) or an absolute URL on this pool's host.
    pub async fn urlopen(
        &self,
        method: &str,
        url: &str,
        mut opts: RequestOptions,
    ) -> Result<HttpResponse, Error> {
        let src = self.source(url, opts.assert_same_host)?;
        exchange::run(src, method, url, &mut opts).await
    }

    /// Where a request for `url` goes: this pool, refusing other hosts unless
    /// `assert_same_host` is false (the spec then sends any URL through this pool, redirects
    /// too, with a foreign absolute URL as the request target).
    pub(crate) fn source(&self, url: &str, assert_same_host: bool) -> Result<Source<'_>, Error> {
        if !assert_same_host {
            return Ok(Source::AnyHost(self));
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
        Ok(Source::Pool(self))
    }

    /// Starts a request built with the spec's `RequestMethods.request` semantics. `method`
    /// is a `&str` or an `http::Method`; `url` a path or an absolute URL on this pool's
    /// host, as a `&str`, `String`, `Url` or `http::Uri` (see [`IntoUrl`]). The builder holds
    /// a clone of the pool, so its `send()` future is `Send + 'static`.
    pub fn request(&self, method: impl AsRef<str>, url: impl IntoUrl) -> RequestBuilder {
        self.request_with(Async, method, url)
    }

    /// Starts a request that completes in another flavour (what hip-blocking uses).
    pub fn request_with<F: Flavor>(
        &self,
        flavor: F,
        method: impl AsRef<str>,
        url: impl IntoUrl,
    ) -> RequestBuilder<F> {
        RequestBuilder::new(
            flavor,
            Target::Pool(self.clone()),
            method.as_ref(),
            url.into_url_string(),
        )
    }

    /// Starts a request from an `http::Request` (its method, URI, headers and body), as
    /// [`PoolManager::request_http`](crate::PoolManager::request_http) does; the URI is a
    /// path or an absolute URL on this pool's host.
    pub fn request_http<B: Into<Body>>(&self, request: http::Request<B>) -> RequestBuilder {
        self.request_http_with(Async, request)
    }

    /// [`Self::request_http`] completing in another flavour (what hip-blocking uses).
    pub fn request_http_with<F: Flavor, B: Into<F::Body>>(
        &self,
        flavor: F,
        request: http::Request<B>,
    ) -> RequestBuilder<F> {
        RequestBuilder::from_http(flavor, Target::Pool(self.clone()), request)
    }

    /// Sends an `http::Request` (see [`Self::request_http`]): `request_http(request).send()`.
    pub fn send_http<B: Into<Body>>(
        &self,
        request: http::Request<B>,
    ) -> impl std::future::Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        self.request_http(request).send()
    }
}

/// The spec's `connection_from_url(url, **kw)`: a pool for the URL's scheme, host and port.
pub fn connection_from_url(url: &str, opts: PoolOptions) -> Result<HttpConnectionPool, Error> {
    let u = parse_url(url)?;
    HttpConnectionPool::new(url_scheme(&u)?, url_host(&u)?, u.port, opts)
}
