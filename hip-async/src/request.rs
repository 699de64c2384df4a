//! Building a request: the spec's `RequestMethods` (`request`, `request_encode_url`,
//! `request_encode_body`) and `urlopen` keyword arguments, as a builder.

use std::time::Duration;

use hip_core::filepost::{encode_multipart_formdata, urlencode, Fields};
use hip_core::retry::Retries;
use hip_core::timeout::Timeout;
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use crate::body::Body;
use crate::manager::PoolManager;
use crate::pool::HttpConnectionPool;
use crate::response::HttpResponse;

/// The keyword arguments of the spec's `urlopen` (`body`, `headers`, `retries`, `redirect`,
/// `assert_same_host`, `timeout`, `pool_timeout`, `release_conn`, `body_pos`,
/// `preload_content`, `decode_content`).
#[derive(Debug)]
pub struct RequestOptions {
    /// `headers`: when set, they replace the pool's or manager's headers entirely.
    pub headers: Option<HttpHeaderDict>,
    /// `body`.
    pub body: Body,
    /// `retries`: None uses the pool's default.
    pub retries: Option<Retries>,
    /// `redirect`: follow redirects (default true).
    pub redirect: bool,
    /// `assert_same_host`: a pool refuses URLs for other hosts (default true).
    pub assert_same_host: bool,
    /// `timeout`: None uses the pool's default.
    pub timeout: Option<Timeout>,
    /// `pool_timeout`: how long to wait for a connection from a blocking pool.
    pub pool_timeout: Option<Duration>,
    /// `release_conn`: kept for the spec's signature; hip releases the connection when the
    /// body is done (preloaded, read to the end, or `release_conn()` called).
    pub release_conn: Option<bool>,
    /// `body_pos`: where a seekable body starts.
    pub body_pos: Option<u64>,
    /// `preload_content`: read the whole body before returning (default true).
    pub preload_content: bool,
    /// `decode_content`: undo Content-Encoding (default true).
    pub decode_content: bool,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            headers: None,
            body: Body::empty(),
            retries: None,
            redirect: true,
            assert_same_host: true,
            timeout: None,
            pool_timeout: None,
            release_conn: None,
            body_pos: None,
            preload_content: true,
            decode_content: true,
        }
    }
}

/// What a builder sends through.
pub(crate) enum Target<'a> {
    Pool(&'a HttpConnectionPool),
    Manager(&'a PoolManager),
    Proxy(&'a crate::proxy::ProxyManager),
    #[cfg(feature = "socks")]
    Socks(&'a crate::socks::SocksProxyManager),
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
/// **urlopen_kw)`. Finish with [`RequestBuilder::send`].
#[must_use = "a request does nothing until .send() is awaited"]
pub struct RequestBuilder<'a> {
    target: Target<'a>,
    method: String,
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

impl<'a> RequestBuilder<'a> {
    pub(crate) fn new(target: Target<'a>, method: &str, url: String) -> Self {
        RequestBuilder {
            target,
            method: method.to_ascii_uppercase(),
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
        K: Into<String>,
        V: Into<String>,
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
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.opts
            .headers
            .get_or_insert_with(HttpHeaderDict::new)
            .add(name, value);
        self
    }

    /// `body`: bytes, text, a reader or a stream.
    pub fn body(mut self, body: impl Into<Body>) -> Self {
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
                    Error::new(
                        ErrorKind::InvalidBody,
                        format!("cannot encode JSON body: {e}"),
                    )
                    .with_source(e),
                )
            }
        }
        self
    }

    /// `timeout`: seconds as a float, or a [`Timeout`].
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

    /// `pool_timeout` in seconds.
    pub fn pool_timeout(mut self, secs: f64) -> Self {
        match Duration::try_from_secs_f64(secs) {
            Ok(d) => self.opts.pool_timeout = Some(d),
            Err(_) => {
                self.error = Some(Error::new(
                    ErrorKind::InvalidValue,
                    format!("pool_timeout must be a non-negative number of seconds, got {secs}"),
                ))
            }
        }
        self
    }

    /// `release_conn` (see [`RequestOptions::release_conn`]).
    pub fn release_conn(mut self, v: bool) -> Self {
        self.opts.release_conn = Some(v);
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

    /// Sends the request and waits for the response (its body too, unless
    /// `preload_content(false)`).
    pub async fn send(self) -> Result<HttpResponse, Error> {
        let (target, method, url, opts) = self.into_parts()?;
        match target {
            Target::Pool(p) => p.urlopen(&method, &url, opts).await,
            Target::Manager(m) => m.urlopen(&method, &url, opts).await,
            Target::Proxy(m) => m.urlopen(&method, &url, opts).await,
            #[cfg(feature = "socks")]
            Target::Socks(m) => m.urlopen(&method, &url, opts).await,
        }
    }

    /// Applies the field encoding rules and returns what `urlopen` needs.
    fn into_parts(mut self) -> Result<(Target<'a>, String, String, RequestOptions), Error> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut url = self.url;
        if let Some(fields) = self.fields.take() {
            let in_url = match self.encoding {
                Encoding::Url => true,
                Encoding::Body => false,
                Encoding::ByMethod => {
                    matches!(self.method.as_str(), "DELETE" | "GET" | "HEAD" | "OPTIONS")
                }
            };
            if in_url {
                if !fields.is_empty() {
                    let query = urlencode(&fields)?;
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&query);
                }
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
                    Target::Manager(m) => m.headers().clone(),
                    Target::Proxy(m) => m.headers().clone(),
                    #[cfg(feature = "socks")]
                    Target::Socks(m) => m.headers().clone(),
                })
                .insert("Content-Type", content_type);
        }
        Ok((self.target, self.method, url, self.opts))
    }
}
