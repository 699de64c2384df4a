//! The blocking request builder: each method forwards to [`hip_async::RequestBuilder`],
//! and [`RequestBuilder::send`] runs the request on the manager's (or pool's) runtime.

use hip_core::filepost::Fields;
use hip_core::retry::Retries;
use hip_core::timeout::Timeout;
use hip_core::{Error, HttpHeaderDict};

use crate::body::Body;
use crate::response::HttpResponse;
use crate::runtime::Runtime;

/// A request being built: the spec's `request(method, url, fields=None, headers=None,
/// **urlopen_kw)`, blocking. Finish with [`RequestBuilder::send`]. Made by
/// [`crate::PoolManager::request`] and [`crate::HttpConnectionPool::request`].
#[must_use = "a request does nothing until .send() is called"]
pub struct RequestBuilder<'a> {
    inner: hip_async::RequestBuilder<'a>,
    rt: &'a Runtime,
}

impl std::fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder").finish_non_exhaustive()
    }
}

impl<'a> RequestBuilder<'a> {
    pub(crate) fn new(inner: hip_async::RequestBuilder<'a>, rt: &'a Runtime) -> Self {
        RequestBuilder { inner, rt }
    }

    fn map(
        self,
        f: impl FnOnce(hip_async::RequestBuilder<'a>) -> hip_async::RequestBuilder<'a>,
    ) -> Self {
        RequestBuilder {
            inner: f(self.inner),
            rt: self.rt,
        }
    }

    /// Encode fields in the URL whatever the method (the spec's `request_encode_url`).
    pub fn encode_url(self) -> Self {
        self.map(|b| b.encode_url())
    }

    /// Encode fields in the body whatever the method (the spec's `request_encode_body`).
    pub fn encode_body(self) -> Self {
        self.map(|b| b.encode_body())
    }

    /// `fields`: query parameters for GET, HEAD, DELETE and OPTIONS; a form body
    /// (multipart by default) for the other methods.
    pub fn fields(self, fields: impl Into<Fields>) -> Self {
        self.map(|b| b.fields(fields))
    }

    /// `headers`: replaces the pool's or manager's default headers for this request.
    pub fn headers<K, V, I>(self, headers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.map(|b| b.headers(headers))
    }

    /// `headers` given as an `HttpHeaderDict`.
    pub fn header_dict(self, headers: HttpHeaderDict) -> Self {
        self.map(|b| b.header_dict(headers))
    }

    /// Adds one header to this request's headers (like `headers`, it replaces the
    /// defaults).
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|b| b.header(name, value))
    }

    /// `body`: bytes, text, a `std::io` reader, an iterator of chunks (see [`Body`]), or
    /// any [`hip_async::Body`].
    pub fn body(self, body: impl Into<Body>) -> Self {
        let body: Body = body.into();
        self.map(|b| b.body(body.into_async()))
    }

    /// A JSON body (`json.dumps(data)` with `Content-Type: application/json`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> Self {
        self.map(|b| b.json(value))
    }

    /// `timeout`: seconds as a float, or a [`Timeout`].
    pub fn timeout(self, timeout: impl Into<Timeout>) -> Self {
        self.map(|b| b.timeout(timeout))
    }

    /// `retries`: a count, `false`, or a `Retry`.
    pub fn retries(self, retries: impl Into<Retries>) -> Self {
        self.map(|b| b.retries(retries))
    }

    /// `redirect`: follow redirects (true by default).
    pub fn redirect(self, redirect: bool) -> Self {
        self.map(|b| b.redirect(redirect))
    }

    /// `assert_same_host` (pools only).
    pub fn assert_same_host(self, v: bool) -> Self {
        self.map(|b| b.assert_same_host(v))
    }

    /// `preload_content`: false streams the body (read it with
    /// [`HttpResponse::read`], [`HttpResponse::stream`] or `std::io::Read`).
    pub fn preload_content(self, v: bool) -> Self {
        self.map(|b| b.preload_content(v))
    }

    /// `decode_content`: false leaves Content-Encoding in place.
    pub fn decode_content(self, v: bool) -> Self {
        self.map(|b| b.decode_content(v))
    }

    /// `pool_timeout` in seconds.
    pub fn pool_timeout(self, secs: f64) -> Self {
        self.map(|b| b.pool_timeout(secs))
    }

    /// `release_conn` (see [`hip_async::RequestOptions::release_conn`]).
    pub fn release_conn(self, v: bool) -> Self {
        self.map(|b| b.release_conn(v))
    }

    /// `body_pos`: where a seekable body starts.
    pub fn body_pos(self, pos: u64) -> Self {
        self.map(|b| b.body_pos(pos))
    }

    /// `encode_multipart`: false sends body fields urlencoded.
    pub fn encode_multipart(self, v: bool) -> Self {
        self.map(|b| b.encode_multipart(v))
    }

    /// `multipart_boundary`: a fixed boundary instead of a random one.
    pub fn multipart_boundary(self, boundary: impl Into<String>) -> Self {
        self.map(|b| b.multipart_boundary(boundary))
    }

    /// Sends the request and waits for the response (its body too, unless
    /// `preload_content(false)`). Errors are those of the async API, unchanged; called
    /// from inside an async runtime it returns an `ErrorKind::Runtime` error.
    pub fn send(self) -> Result<HttpResponse, Error> {
        let rt = self.rt;
        let resp = rt.block_on(self.inner.send())??;
        Ok(HttpResponse::new(resp, rt.clone()))
    }
}
