//! Building a request: the spec's `RequestMethods` (`request`, `request_encode_url`,
//! `request_encode_body`) and `urlopen` keyword arguments, as a builder.

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;

use hip_core::filepost::{encode_multipart_formdata, encode_url_fields, urlencode, Fields};
use hip_core::h1::standard_method;
use hip_core::retry::Retries;
use hip_core::timeout::{Seconds, Timeout};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use super::flavor::{Async, Blocking, Flavor};
use super::session::Session;
use crate::exchange::{self, Body, HttpResponse, RequestOptions};
use crate::pool::HttpConnectionPool;

/// What a builder sends through: its own handle (an `Arc` clone) on the pool or the
/// manager, so the request future borrows nothing and is `'static`.
#[derive(Clone)]
pub(crate) enum Target {
    Pool(HttpConnectionPool),
    Manager(Arc<Session>),
}

/// How the spec's `request()` encodes `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// Decide by method: URL for DELETE/GET/HEAD/OPTIONS, body otherwise.
    ByMethod,
    /// `request_encode_url`.
    Url,
    /// `request_encode_body`.
    Body,
}

/// A request being built: the spec's `request(method, url, fields=None, headers=None,
/// **urlopen_kw)`. Finish with `send()`: `.send().await` in the async API (`F` is
/// [`Async`]), `.send()` in the blocking one, which builds requests with this same type
/// and its own [`Blocking`] flavour.
///
/// The builder holds a handle on its manager or pool (a cheap `Arc` clone), not a borrow:
/// the future of `send()` is `Send + 'static`, so it can be handed to `tokio::spawn`.
///
/// ```no_run
/// # async fn demo(http: hip_async::PoolManager) -> Result<(), hip_core::Error> {
/// let r = http
///     .request("POST", "http://127.0.0.1:8080/post")
///     .fields([("a", "b")])
///     .timeout(2.0)
///     .retries(1)
///     .send()
///     .await?;
/// assert_eq!(r.status(), 200);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<F: Flavor = Async> {
    flavor: F,
    target: Target,
    /// Upper-cased; a standard method is static text.
    method: Cow<'static, str>,
    url: String,
    fields: Option<Fields>,
    encoding: Encoding,
    encode_multipart: bool,
    multipart_boundary: Option<String>,
    opts: RequestOptions,
    /// A Content-Type the body chosen implies (JSON, form encodings), set on top of the
    /// request's headers (or the defaults when the request gives none).
    content_type: Option<String>,
    error: Option<Error>,
}

impl<F: Flavor> std::fmt::Debug for RequestBuilder<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl<F: Flavor> RequestBuilder<F> {
    pub(crate) fn new(flavor: F, target: Target, method: &str, url: String) -> Self {
        RequestBuilder {
            flavor,
            target,
            method: upper_method(method),
            url,
            fields: None,
            encoding: Encoding::ByMethod,
            encode_multipart: true,
            multipart_boundary: None,
            opts: RequestOptions::default(),
            content_type: None,
            error: None,
        }
    }

    /// A builder for an `http::Request`: its method, URI, headers and body (see
    /// [`PoolManager::request_http`](crate::PoolManager::request_http)).
    pub(crate) fn from_http<B: Into<F::Body>>(
        flavor: F,
        target: Target,
        request: http::Request<B>,
    ) -> Self {
        let (parts, body) = request.into_parts();
        let url = parts.uri.to_string();
        let mut builder = RequestBuilder::new(flavor, target, parts.method.as_str(), url);
        if parts.version != http::Version::HTTP_11 {
            builder.error = Some(
                Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "hip sends HTTP/1.1 only, and the http::Request for {} asks for {:?}",
                        parts.uri, parts.version
                    ),
                )
                .with_url(parts.uri.to_string()),
            );
        }
        if !parts.headers.is_empty() {
            builder.opts.headers = Some(HttpHeaderDict::from(parts.headers));
        }
        builder.body(body)
    }

    /// Encode fields in the URL whatever the method (the spec's `request_encode_url`).
    pub fn encode_url(mut self) -> Self {
        self.encoding = Encoding::Url;
        self
    }

    /// Encode fields in the body whatever the method (the spec's `request_encode_body`).
    pub fn encode_body(mut self) -> Self {
        self.encoding = Encoding::Body;
        self
    }

    /// `fields`: query parameters for GET, HEAD, DELETE and OPTIONS; a form body
    /// (multipart by default) for the other methods. File fields are
    /// `(filename, data)` or `(filename, data, mime type)` tuples.
    pub fn fields(mut self, fields: impl Into<Fields>) -> Self {
        self.fields = Some(fields.into());
        self
    }

    /// `headers`: replaces the pool's or manager's default headers for this request.
    pub fn headers<K, V, I>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut h = HttpHeaderDict::new();
        for (k, v) in headers {
            h.add(k, v);
        }
        self.opts.headers = Some(h);
        self
    }

    /// `headers` given as an `HttpHeaderDict`.
    pub fn header_dict(mut self, headers: HttpHeaderDict) -> Self {
        self.opts.headers = Some(headers);
        self
    }

    /// Adds one header to this request's headers (starting from none: like `headers`, it
    /// replaces the defaults).
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.opts
            .headers
            .get_or_insert_with(HttpHeaderDict::new)
            .add(name, value);
        self
    }

    /// `body`: bytes, text, a reader or a stream (in the blocking API also `std::io`
    /// readers and iterators).
    pub fn body(mut self, body: impl Into<F::Body>) -> Self {
        let body: F::Body = body.into();
        self.opts.body = body.into();
        self
    }

    /// A JSON body (`json.dumps(data)` with `Content-Type: application/json`).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(v) => {
                self.opts.body = Body::bytes(v);
                self.content_type = Some("application/json".to_owned());
            }
            Err(e) => {
                self.error = Some(
                    Error::new(ErrorKind::InvalidBody, "cannot encode JSON body").with_source(e),
                )
            }
        }
        self
    }

    /// `timeout`: seconds (`2.5`, `3`), a `Duration`, or a [`Timeout`].
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.opts.timeout = Some(timeout.into());
        self
    }

    /// `retries`: a count, `false`, or a `Retry`.
    pub fn retries(mut self, retries: impl Into<Retries>) -> Self {
        self.opts.retries = Some(retries.into());
        self
    }

    /// `redirect`: follow redirects (true by default).
    pub fn redirect(mut self, redirect: bool) -> Self {
        self.opts.redirect = redirect;
        self
    }

    /// `assert_same_host` (pools only).
    pub fn assert_same_host(mut self, v: bool) -> Self {
        self.opts.assert_same_host = v;
        self
    }

    /// `preload_content`: false streams the body.
    pub fn preload_content(mut self, v: bool) -> Self {
        self.opts.preload_content = v;
        self
    }

    /// `decode_content`: false leaves Content-Encoding in place.
    pub fn decode_content(mut self, v: bool) -> Self {
        self.opts.decode_content = v;
        self
    }

    /// `pool_timeout`: how long to wait for a connection from a full `block(true)` pool, in
    /// seconds (`0.5`, `2`) or as a `Duration`; zero does not wait.
    pub fn pool_timeout(mut self, timeout: impl Into<Seconds>) -> Self {
        let timeout = timeout.into();
        match timeout.duration() {
            Some(d) => self.opts.pool_timeout = Some(d),
            None => {
                self.error = Some(Error::new(
                    ErrorKind::InvalidValue,
                    format!("pool_timeout must be a non-negative number of seconds, got {timeout}"),
                ))
            }
        }
        self
    }

    /// A deadline for the whole call, in seconds (`2.5`, `3`) or as a `Duration`:
    /// connecting, sending, every retry and redirect, the sleeps between them, and
    /// preloading the body. When it runs out the call fails with `ErrorKind::Deadline` (a
    /// timeout: `is_timeout()`). A hip addition beside the spec's `timeout`, whose `total`
    /// keeps the spec's meaning; overrides the manager's
    /// [`deadline`](crate::PoolManagerBuilder::deadline).
    pub fn deadline(mut self, deadline: impl Into<Seconds>) -> Self {
        match checked_deadline(deadline.into()) {
            Ok(d) => self.opts.deadline = Some(d),
            Err(e) => self.error = Some(e),
        }
        self
    }

    /// `release_conn` (see [`RequestOptions::release_conn`]).
    pub fn release_conn(mut self, v: bool) -> Self {
        self.opts.release_conn = Some(v);
        self
    }

    /// `enforce_content_length` (see [`RequestOptions::enforce_content_length`]): on by
    /// default, as in urllib3 2.x; `false` gives urllib3 1.26's default, where a body cut
    /// short of its `Content-Length` ends quietly.
    pub fn enforce_content_length(mut self, enforce: bool) -> Self {
        self.opts.enforce_content_length = enforce;
        self
    }

    /// The most bytes a whole-body read of the response may collect (`preload_content`,
    /// `data()`, `read(None)`), after decoding; more fails with `ErrorKind::BodyTooLarge`
    /// naming the limit. Streaming reads (`read(Some(n))`, `stream(n)`) are bounded by what
    /// they ask for. A hip addition; overrides the manager's
    /// [`max_body_size`](crate::PoolManagerBuilder::max_body_size).
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.opts.max_body_size = Some(bytes);
        self
    }

    /// `body_pos`: where a seekable body starts.
    pub fn body_pos(mut self, pos: u64) -> Self {
        self.opts.body_pos = Some(pos);
        self
    }

    /// `encode_multipart`: false sends body fields urlencoded.
    pub fn encode_multipart(mut self, v: bool) -> Self {
        self.encode_multipart = v;
        self
    }

    /// `multipart_boundary`: a fixed boundary instead of a random one.
    pub fn multipart_boundary(mut self, boundary: impl Into<String>) -> Self {
        self.multipart_boundary = Some(boundary.into());
        self
    }

    /// Sends the request on any flavour: the one request future both APIs run.
    ///
    /// An `async` block rather than an `async fn`: the block keeps the builder where it was
    /// captured, while an `async fn` would move its argument (some hundreds of bytes) into
    /// its locals when first polled. The urlopen loop borrows the builder's parts for the
    /// same reason: moving the options through each async call would copy them each time.
    #[allow(clippy::manual_async_fn)] // on purpose: see above
    fn send_async(mut self) -> impl Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        async move {
            self.apply_fields()?;
            let RequestBuilder {
                target,
                method,
                url,
                opts,
                ..
            } = &mut self;
            let src = match &*target {
                Target::Pool(p) => p.source(url, opts.assert_same_host)?,
                Target::Manager(m) => m.source(opts),
            };
            exchange::run(src, method, url, opts).await
        }
    }

    /// Applies the field encoding rules to the builder's URL, body and headers, or returns
    /// the error a builder call recorded.
    fn apply_fields(&mut self) -> Result<(), Error> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(fields) = self.fields.take() {
            let in_url = match self.encoding {
                Encoding::Url => true,
                Encoding::Body => false,
                Encoding::ByMethod => {
                    matches!(&*self.method, "DELETE" | "GET" | "HEAD" | "OPTIONS")
                }
            };
            if in_url {
                // Before any #fragment, after any query (hip-core's request_encode_url).
                self.url = encode_url_fields(&self.url, &fields)?;
            } else {
                if !self.opts.body.is_empty() {
                    return Err(Error::new(
                        ErrorKind::InvalidBody,
                        "request got values for both 'fields' and 'body', can only specify one.",
                    ));
                }
                let (body, content_type) = if self.encode_multipart {
                    encode_multipart_formdata(fields, self.multipart_boundary.as_deref())
                } else {
                    (
                        urlencode(&fields)?.into_bytes(),
                        "application/x-www-form-urlencoded".to_owned(),
                    )
                };
                self.opts.body = Body::bytes(body);
                self.content_type = Some(content_type);
            }
        }
        if let Some(content_type) = self.content_type.take() {
            self.opts
                .headers
                .get_or_insert_with(|| match &self.target {
                    Target::Pool(p) => p.options().headers.clone(),
                    Target::Manager(m) => m.headers.clone(),
                })
                .insert("Content-Type", content_type);
        }
        Ok(())
    }
}

/// `method` in upper case, as static text when it is a standard method (no allocation).
fn upper_method(method: &str) -> Cow<'static, str> {
    match standard_method(method) {
        Some(m) => Cow::Borrowed(m),
        None => {
            let upper = method.to_ascii_uppercase();
            standard_method(&upper).map_or(Cow::Owned(upper), Cow::Borrowed)
        }
    }
}

impl RequestBuilder<Async> {
    /// Sends the request and waits for the response (its body too, unless
    /// `preload_content(false)`). The future is `Send + 'static`:
    /// `tokio::spawn(http.request("GET", url).send())` works.
    pub fn send(
        self,
    ) -> impl std::future::Future<Output = Result<HttpResponse, Error>> + Send + 'static {
        // The request future itself, not a future around it: nothing more to move.
        self.send_async()
    }
}

impl<F: Blocking> RequestBuilder<F> {
    /// Sends the request and blocks until the response has arrived (its body too, unless
    /// `preload_content(false)`), on the flavour's runtime.
    pub fn send(self) -> Result<F::Response, Error> {
        let flavor = self.flavor.clone();
        // The request future is a few KiB (the whole urlopen loop): pinned where it is made,
        // so the runtime's layers move a pointer to it, never the future (no copy, no box).
        let request = std::pin::pin!(self.send_async());
        flavor.block_on(request)
    }
}

/// A deadline must be a positive length of time.
pub(crate) fn checked_deadline(deadline: Seconds) -> Result<std::time::Duration, Error> {
    match deadline.duration() {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("deadline must be a positive number of seconds, got {deadline}"),
        )),
    }
}
