//! Responses built in memory: the spec's `HTTPResponse(body, headers, status, ...)`
//! constructor, for tests, adapters and caches.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use hip_core::h1::Version;
use hip_core::retry::Retry;
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use super::response::HttpResponse;

/// Builds an [`HttpResponse`] whose body is in memory: the spec's `HTTPResponse(body='',
/// headers=None, status=0, version=0, reason=None, preload_content=True,
/// decode_content=True, retries=None, request_method=None, request_url=None,
/// auto_close=True)`.
///
/// The body is the raw body as it would come off the wire: with a `Content-Encoding` header
/// and `decode_content` (the default) it is decoded, at once with `preload_content` (the
/// default) or as it is read. Made by [`HttpResponse::builder`].
///
/// ```
/// # async fn demo() -> Result<(), hip_core::Error> {
/// let mut r = hip_async::HttpResponse::builder()
///     .status(200)
///     .header("Content-Type", "text/plain")
///     .body("hello")
///     .preload_content(false)
///     .build()?;
/// assert_eq!(r.read(Some(2)).await?, "he");
/// assert_eq!(r.read(None).await?, "llo");
/// # Ok(())
/// # }
/// ```
/// `R` is what [`build`](Self::build) returns: this crate's [`HttpResponse`] by default;
/// hip-blocking's builder returns its blocking response.
#[must_use]
pub struct HttpResponseBuilder<R = HttpResponse> {
    built: PhantomData<fn() -> R>,
    body: Bytes,
    headers: HttpHeaderDict,
    status: u16,
    version: u8,
    reason: Option<String>,
    preload_content: bool,
    decode_content: bool,
    retries: Option<Retry>,
    request_method: Option<String>,
    request_url: Option<String>,
    auto_close: bool,
}

/// What [`HttpResponseBuilder::build`] returns: this crate's [`HttpResponse`], or the
/// response of another flavour wrapping it (hip-blocking's gives it a runtime to read on).
pub trait BuiltResponse: Sized {
    /// Wraps a response built in memory.
    ///
    /// # Errors
    ///
    /// The flavour's own (hip-blocking: [`ErrorKind::Runtime`] when its runtime cannot
    /// start).
    fn from_built(response: HttpResponse) -> Result<Self, Error>;
}

impl BuiltResponse for HttpResponse {
    fn from_built(response: HttpResponse) -> Result<Self, Error> {
        Ok(response)
    }
}

impl HttpResponse {
    /// Starts building a response whose body is in memory: the spec's `HTTPResponse(...)`
    /// constructor (see [`HttpResponseBuilder`]).
    pub fn builder() -> HttpResponseBuilder {
        HttpResponseBuilder::default()
    }
}

impl<R> Clone for HttpResponseBuilder<R> {
    fn clone(&self) -> Self {
        HttpResponseBuilder {
            built: PhantomData,
            body: self.body.clone(),
            headers: self.headers.clone(),
            status: self.status,
            version: self.version,
            reason: self.reason.clone(),
            preload_content: self.preload_content,
            decode_content: self.decode_content,
            retries: self.retries.clone(),
            request_method: self.request_method.clone(),
            request_url: self.request_url.clone(),
            auto_close: self.auto_close,
        }
    }
}

impl<R> fmt::Debug for HttpResponseBuilder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponseBuilder")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<R> Default for HttpResponseBuilder<R> {
    fn default() -> Self {
        HttpResponseBuilder {
            built: PhantomData,
            body: Bytes::new(),
            headers: HttpHeaderDict::new(),
            status: 0,
            version: 11,
            reason: None,
            preload_content: true,
            decode_content: true,
            retries: None,
            request_method: None,
            request_url: None,
            auto_close: true,
        }
    }
}

impl<R: BuiltResponse> HttpResponseBuilder<R> {
    /// `body`: the raw body (before content decoding).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// `headers`: every header, replacing those set before.
    pub fn headers(mut self, headers: HttpHeaderDict) -> Self {
        self.headers = headers;
        self
    }

    /// Adds one header (kept beside others of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.add(name, value);
        self
    }

    /// `status` (the spec's default is 0).
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// `version`: 10 or 11 (the default; the spec's default 0 means "unknown", which hip
    /// does not represent).
    pub fn version(mut self, version: u8) -> Self {
        self.version = version;
        self
    }

    /// `reason`: the reason phrase (default: none, an empty string).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// `preload_content`: decode the whole body into `data()` now (default true).
    pub fn preload_content(mut self, preload: bool) -> Self {
        self.preload_content = preload;
        self
    }

    /// `decode_content`: undo `Content-Encoding` (default true).
    pub fn decode_content(mut self, decode: bool) -> Self {
        self.decode_content = decode;
        self
    }

    /// `retries`: the policy (and its history) the response reports.
    pub fn retries(mut self, retries: Retry) -> Self {
        self.retries = Some(retries);
        self
    }

    /// `request_method`.
    pub fn request_method(mut self, method: impl Into<String>) -> Self {
        self.request_method = Some(method.into());
        self
    }

    /// `request_url`: what [`HttpResponse::url`] reports.
    pub fn request_url(mut self, url: impl Into<String>) -> Self {
        self.request_url = Some(url.into());
        self
    }

    /// `auto_close` (default true).
    pub fn auto_close(mut self, auto_close: bool) -> Self {
        self.auto_close = auto_close;
        self
    }

    /// Builds the response, decoding the body now when `preload_content` is set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] for a version other than 10 or 11;
    /// [`ErrorKind::Decode`] when a preloaded body cannot be decoded as its
    /// `Content-Encoding` says (or a `Content-Encoding` with too many codings).
    pub fn build(self) -> Result<R, Error> {
        let version = match self.version {
            10 => Version::Http10,
            11 => Version::Http11,
            v => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("response version must be 10 or 11, got {v}"),
                ))
            }
        };
        let mut r = HttpResponse::from_memory(
            self.status,
            version,
            self.reason.map_or(Cow::Borrowed(""), Cow::Owned),
            self.headers,
            self.body,
            self.decode_content,
        )?;
        r.set_request(
            self.request_method.unwrap_or_default(),
            self.request_url.unwrap_or_default(),
        );
        if let Some(retries) = self.retries {
            r.set_retries(retries);
        }
        r.set_auto_close(self.auto_close);
        if self.preload_content {
            r.preload_in_memory()?;
        }
        R::from_built(r)
    }
}
