//! The blocking response's Rust-named calls beside the spec's and its conversions into
//! `http` types: those of [`hip_async::HttpResponse`], blocking.

use std::borrow::Cow;
use std::fmt;
use std::io;

use bytes::{Buf, Bytes};
use hip_core::Error;

use crate::response::HttpResponse;

impl HttpResponse {
    /// The status as an `http::StatusCode`, beside the spec's [`status`](Self::status). A
    /// response built in memory with a status outside 100 to 999 (the builder's default is
    /// the spec's 0) reports `502 Bad Gateway` (see
    /// [`hip_async::HttpResponse::status_code`]).
    pub fn status_code(&self) -> http::StatusCode {
        self.as_async().status_code()
    }

    /// The same call as the spec's [`getheader(name)`](Self::getheader), under the name Rust
    /// users look for.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.getheader(name)
    }

    /// The same call as the spec's
    /// [`get_redirect_location()`](Self::get_redirect_location), under the name Rust users
    /// look for (same three answers).
    pub fn redirect_location(&self) -> Option<Option<Cow<'_, str>>> {
        self.get_redirect_location()
    }

    /// The response, or an [`ErrorKind::Response`](hip_core::ErrorKind::Response) error
    /// naming the status, reason, method and URL when the status is 4xx or 5xx (see
    /// [`hip_async::HttpResponse::error_for_status`]).
    ///
    /// ```
    /// let r = hip_blocking::HttpResponse::builder().status(404).build()?;
    /// let err = r.error_for_status().unwrap_err();
    /// assert_eq!(err.kind(), hip_core::ErrorKind::Response);
    /// assert_eq!(err.status(), Some(404));
    /// # Ok::<(), hip_core::Error>(())
    /// ```
    pub fn error_for_status(self) -> Result<Self, Error> {
        self.error_for_status_ref()?;
        Ok(self)
    }

    /// As [`error_for_status`](Self::error_for_status), keeping the response.
    pub fn error_for_status_ref(&self) -> Result<&Self, Error> {
        self.as_async().error_for_status_ref()?;
        Ok(self)
    }

    /// The head as `http::response::Parts` (see [`hip_async::HttpResponse::http_parts`]).
    pub fn http_parts(&self) -> Result<http::response::Parts, Error> {
        self.as_async().http_parts()
    }

    /// Converts into an `http::Response<Bytes>` whose body is the whole (decoded) body: the
    /// preloaded [`data`](Self::data), or what is left to read of it, read now (see
    /// [`hip_async::HttpResponse::into_http`]).
    ///
    /// ```
    /// let r = hip_blocking::HttpResponse::builder().status(201).body("made").build()?;
    /// let r: http::Response<bytes::Bytes> = r.into_http()?;
    /// assert_eq!(r.status(), http::StatusCode::CREATED);
    /// assert_eq!(r.body().as_ref(), b"made");
    /// # Ok::<(), hip_core::Error>(())
    /// ```
    pub fn into_http(mut self) -> Result<http::Response<Bytes>, Error> {
        let parts = self.http_parts()?;
        let body = self.preload_content()?.clone();
        Ok(http::Response::from_parts(parts, body))
    }

    /// Converts into an `http::Response` whose body is a [`ResponseReader`]: the rest of the
    /// body as a `std::io::Read` (or the preloaded [`data`](Self::data)). The connection
    /// goes back to the pool once the reader has reached the end; dropping it before closes
    /// the connection.
    pub fn into_http_streaming(self) -> Result<http::Response<ResponseReader>, Error> {
        let parts = self.http_parts()?;
        let reader = ResponseReader {
            preloaded: self.data().clone(),
            response: self,
        };
        Ok(http::Response::from_parts(parts, reader))
    }
}

/// The body of an `http::Response` made by [`HttpResponse::into_http_streaming`]: the
/// decoded body as a `std::io::Read`, read from the connection on the response's runtime.
/// Errors carry the [`hip_core::Error`] as their inner error (see
/// [`HttpResponse`]'s `Read`).
pub struct ResponseReader {
    /// The preloaded body, read first (empty when the body was not preloaded).
    preloaded: Bytes,
    response: HttpResponse,
}

impl fmt::Debug for ResponseReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseReader")
            .field("response", &self.response)
            .finish_non_exhaustive()
    }
}

impl ResponseReader {
    /// The response the reader reads, for its getters (`url()`, `retries()`, `tell()`).
    pub fn response(&self) -> &HttpResponse {
        &self.response
    }
}

impl io::Read for ResponseReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.preloaded.is_empty() {
            let n = buf.len().min(self.preloaded.len());
            buf[..n].copy_from_slice(&self.preloaded[..n]);
            self.preloaded.advance(n);
            return Ok(n);
        }
        io::Read::read(&mut self.response, buf)
    }
}
