//! The response's Rust-named calls beside the spec's ([`HttpResponse::header`],
//! [`HttpResponse::redirect_location`], [`HttpResponse::status_code`],
//! [`HttpResponse::error_for_status`]) and its conversions into `http` types
//! ([`HttpResponse::into_http`], [`HttpResponse::into_http_streaming`]).

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use hip_core::{Error, ErrorKind};

use super::HttpResponse;

/// How much one item of a [`ResponseStream`] holds at most.
const STREAM_CHUNK: usize = 64 * 1024;

impl HttpResponse {
    /// The status as an `http::StatusCode`, beside the spec's [`status`](Self::status) (a
    /// `u16`), for code that speaks `http` (`r.status_code().is_success()`).
    ///
    /// A response read from a server always has a status `http` can hold: hip refuses a
    /// status line whose code is not 100 to 999. A response built in memory may not (the
    /// spec's constructor, and so [`HttpResponse::builder`], defaults to status 0): such a
    /// response reports `502 Bad Gateway`, what a gateway says of a response it cannot
    /// understand, and [`status`](Self::status) keeps the number. The conversions
    /// ([`into_http`](Self::into_http), [`into_http_streaming`](Self::into_http_streaming))
    /// refuse such a status instead.
    pub fn status_code(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.s.status).unwrap_or(http::StatusCode::BAD_GATEWAY)
    }

    /// The same call as the spec's [`getheader(name)`](Self::getheader), under the name Rust
    /// users look for: the (joined) value of one header.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.getheader(name)
    }

    /// The same call as the spec's
    /// [`get_redirect_location()`](Self::get_redirect_location), under the name Rust users
    /// look for, with the same three answers: `None` (not a redirect), `Some(None)` (a
    /// redirect without `Location`), `Some(Some(location))`.
    pub fn redirect_location(&self) -> Option<Option<Cow<'_, str>>> {
        self.get_redirect_location()
    }

    /// The response, or an error when its status is 4xx or 5xx (a hip addition, as
    /// reqwest's `error_for_status`). The error is an [`ErrorKind::Response`] whose
    /// [`status`](Error::status) is the status and whose message names it, its reason, the
    /// method and the URL: `ResponseError: HTTP status 404 Not Found (a client error) for
    /// GET http://127.0.0.1:8080/status/404`. The response (and its connection) is dropped
    /// then; use [`error_for_status_ref`](Self::error_for_status_ref) to keep it.
    pub fn error_for_status(self) -> Result<Self, Error> {
        match self.status_error() {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    /// As [`error_for_status`](Self::error_for_status), keeping the response.
    pub fn error_for_status_ref(&self) -> Result<&Self, Error> {
        match self.status_error() {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    fn status_error(&self) -> Option<Error> {
        let status = self.s.status;
        let class = match status {
            400..=499 => "a client error",
            500..=599 => "a server error",
            _ => return None,
        };
        let reason = match &*self.s.reason {
            "" => self.status_code().canonical_reason().unwrap_or(""),
            reason => reason,
        };
        let mut message = format!("HTTP status {status} {reason} ({class})");
        if !self.url().is_empty() {
            message.push_str(" for ");
            if !self.s.method.is_empty() {
                message.push_str(&self.s.method);
                message.push(' ');
            }
            message.push_str(self.url());
        }
        let e = Error::new(ErrorKind::Response, message).with_status(status);
        if self.url().is_empty() {
            Some(e)
        } else {
            Some(e.with_url(self.url()))
        }
    }

    /// The head as `http::response::Parts`: status, version and headers, as the
    /// conversions into `http::Response` give them. Extensions are empty, and what `http`
    /// has no place for stays with this response: the reason phrase, the URL, the retries.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] for a status outside 100 to 999 (only a response built
    /// in memory has one); [`ErrorKind::InvalidHeader`] for a header `http` cannot hold (a
    /// value with a character above U+00FF, only in a response built in memory).
    pub fn http_parts(&self) -> Result<http::response::Parts, Error> {
        let status = http::StatusCode::from_u16(self.s.status).map_err(|_| {
            Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "the response's status {} is not an HTTP status code (100 to 999), so \
                     it cannot be an http::Response",
                    self.s.status
                ),
            )
        })?;
        let headers = http::HeaderMap::try_from(&self.s.headers)?;
        let (mut parts, ()) = http::Response::new(()).into_parts();
        parts.status = status;
        parts.version = self.http_version();
        parts.headers = headers;
        Ok(parts)
    }

    /// Converts into an `http::Response<Bytes>` whose body is the whole (decoded) body: the
    /// preloaded [`data`](Self::data), or, with `preload_content(false)`, what is left to
    /// read of it, read now as [`preload_content`](Self::preload_content) does (bounded by
    /// `max_body_size`). The connection goes back to the pool. See
    /// [`http_parts`](Self::http_parts) for the head and its errors.
    ///
    /// ```
    /// # async fn demo() -> Result<(), hip_core::Error> {
    /// let r = hip_async::HttpResponse::builder().status(200).body("hi").build()?;
    /// let r: http::Response<bytes::Bytes> = r.into_http().await?;
    /// assert_eq!(r.status(), http::StatusCode::OK);
    /// assert_eq!(r.body().as_ref(), b"hi");
    /// # Ok(()) }
    /// ```
    pub async fn into_http(mut self) -> Result<http::Response<Bytes>, Error> {
        let parts = self.http_parts()?;
        let body = self.preload_content().await?.clone();
        Ok(http::Response::from_parts(parts, body))
    }

    /// Converts into an `http::Response` whose body is a [`ResponseStream`]: the rest of the
    /// body as a `Stream` of `Result<Bytes, Error>` chunks, read from the connection as the
    /// stream is polled (or the preloaded [`data`](Self::data), in one chunk). The
    /// connection goes back to the pool when the stream has reached the end; dropping the
    /// stream before closes it. See [`http_parts`](Self::http_parts) for the head and its
    /// errors.
    pub fn into_http_streaming(self) -> Result<http::Response<ResponseStream>, Error> {
        let parts = self.http_parts()?;
        let stream = ResponseStream {
            preloaded: self.data().clone(),
            response: self,
        };
        Ok(http::Response::from_parts(parts, stream))
    }
}

/// The body of an `http::Response` made by [`HttpResponse::into_http_streaming`]: a
/// `Stream` of decoded chunks (at most 64 KiB each, handed on as they arrive). An error
/// ends the stream.
#[must_use = "streams do nothing unless polled"]
pub struct ResponseStream {
    /// The preloaded body, handed out first (empty when the body was not preloaded).
    preloaded: Bytes,
    response: HttpResponse,
}

impl std::fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStream")
            .field("response", &self.response)
            .finish_non_exhaustive()
    }
}

impl ResponseStream {
    /// The response the stream reads, for its getters (`url()`, `retries()`, `tell()`).
    pub fn response(&self) -> &HttpResponse {
        &self.response
    }
}

impl Stream for ResponseStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.preloaded.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut this.preloaded))));
        }
        this.response
            .poll_chunk(cx, STREAM_CHUNK)
            .map(Result::transpose)
    }
}
