//! Request header shortcuts: the spec's `hip.util.request` (`make_headers`, `ACCEPT_ENCODING`).
//!
//! `set_file_position` and `rewind_body` of the same spec module are about body readers, which
//! the drivers (`hip-async`, `hip-blocking`) own; they are not here.

use base64::Engine as _;

use crate::headers::{encode_latin1, HttpHeaderDict};

/// The spec's `ACCEPT_ENCODING`: the value `make_headers(accept_encoding=True)` sends,
/// `"gzip,deflate"`.
///
/// hip's response decoders also understand `br` and `zstd` when the root crate is built with
/// its `brotli` and `zstd` features; ask for them explicitly with
/// [`MakeHeaders::accept_encoding`] and a list (e.g. `["gzip", "deflate", "br", "zstd"]`). The
/// default stays the spec's value so it means the same on every build.
pub const ACCEPT_ENCODING: &str = "gzip,deflate";

/// The spec's `accept_encoding` argument of `make_headers`, which "can be a boolean, list, or
/// string".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptEncoding {
    /// `True` sends [`ACCEPT_ENCODING`]; `False` sends nothing.
    Bool(bool),
    /// A list, joined with `","` (an empty list sends nothing).
    List(Vec<String>),
    /// A string, sent as given (an empty string sends nothing).
    Str(String),
}

impl AcceptEncoding {
    /// The header value this asks for, or `None` when it asks for nothing (Python's falsy
    /// values: `False`, `[]`, `""`).
    pub fn header_value(&self) -> Option<String> {
        match self {
            AcceptEncoding::Bool(true) => Some(ACCEPT_ENCODING.to_owned()),
            AcceptEncoding::Bool(false) => None,
            AcceptEncoding::List(list) if list.is_empty() => None,
            AcceptEncoding::List(list) => Some(list.join(",")),
            AcceptEncoding::Str(s) if s.is_empty() => None,
            AcceptEncoding::Str(s) => Some(s.clone()),
        }
    }
}

impl From<bool> for AcceptEncoding {
    fn from(b: bool) -> Self {
        AcceptEncoding::Bool(b)
    }
}

impl From<&str> for AcceptEncoding {
    fn from(s: &str) -> Self {
        AcceptEncoding::Str(s.to_owned())
    }
}

impl From<String> for AcceptEncoding {
    fn from(s: String) -> Self {
        AcceptEncoding::Str(s)
    }
}

impl<S: Into<String>> From<Vec<S>> for AcceptEncoding {
    fn from(list: Vec<S>) -> Self {
        AcceptEncoding::List(list.into_iter().map(Into::into).collect())
    }
}

impl<S: Into<String>, const N: usize> From<[S; N]> for AcceptEncoding {
    fn from(list: [S; N]) -> Self {
        AcceptEncoding::List(list.into_iter().map(Into::into).collect())
    }
}

impl<S: AsRef<str>> From<&[S]> for AcceptEncoding {
    fn from(list: &[S]) -> Self {
        AcceptEncoding::List(list.iter().map(|s| s.as_ref().to_owned()).collect())
    }
}

/// The arguments of the spec's `make_headers(keep_alive=None, accept_encoding=None,
/// user_agent=None, basic_auth=None, proxy_basic_auth=None, disable_cache=None)`, with
/// builder methods.
///
/// ```
/// use hip_core::request::{make_headers, MakeHeaders};
///
/// let h = make_headers(MakeHeaders::new().keep_alive(true).user_agent("Batman/1.0"));
/// assert_eq!(h, [("connection", "keep-alive"), ("user-agent", "Batman/1.0")]);
/// assert_eq!(
///     format!("{h:?}"),
///     "HTTPHeaderDict({'connection': 'keep-alive', 'user-agent': 'Batman/1.0'})"
/// );
/// let h = make_headers(MakeHeaders::new().accept_encoding(true));
/// assert_eq!(h, [("accept-encoding", "gzip,deflate")]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MakeHeaders {
    /// `keep_alive`: adds `connection: keep-alive`.
    pub keep_alive: bool,
    /// `accept_encoding`: adds `accept-encoding` (see [`AcceptEncoding`]).
    pub accept_encoding: Option<AcceptEncoding>,
    /// `user_agent`: adds `user-agent`, e.g. `"python-hip/0.6"`.
    pub user_agent: Option<String>,
    /// `basic_auth`: `"username:password"`, sent as `authorization: Basic ...`.
    pub basic_auth: Option<String>,
    /// `proxy_basic_auth`: `"username:password"`, sent as `proxy-authorization: Basic ...`.
    pub proxy_basic_auth: Option<String>,
    /// `disable_cache`: adds `cache-control: no-cache`.
    pub disable_cache: bool,
}

impl MakeHeaders {
    /// No header asked for (every argument `None`).
    pub fn new() -> Self {
        MakeHeaders::default()
    }

    /// Sets `keep_alive`.
    pub fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// Sets `accept_encoding`: `true`, a string such as `"gzip"`, or a list such as
    /// `["gzip", "br"]`.
    pub fn accept_encoding(mut self, accept_encoding: impl Into<AcceptEncoding>) -> Self {
        self.accept_encoding = Some(accept_encoding.into());
        self
    }

    /// Sets `user_agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets `basic_auth` (`"username:password"`).
    pub fn basic_auth(mut self, user_colon_password: impl Into<String>) -> Self {
        self.basic_auth = Some(user_colon_password.into());
        self
    }

    /// Sets `proxy_basic_auth` (`"username:password"`).
    pub fn proxy_basic_auth(mut self, user_colon_password: impl Into<String>) -> Self {
        self.proxy_basic_auth = Some(user_colon_password.into());
        self
    }

    /// Sets `disable_cache`.
    pub fn disable_cache(mut self, disable_cache: bool) -> Self {
        self.disable_cache = disable_cache;
        self
    }
}

/// The spec's `make_headers`: shortcuts for common request headers, with lowercase names, in
/// the order of the arguments (`connection`, `accept-encoding`, `user-agent`,
/// `authorization`, `proxy-authorization`, `cache-control`).
///
/// Empty strings and lists count as "not given", as Python's falsy values do. Basic
/// credentials are encoded as ISO-8859-1 before base64, as the spec does; credentials with
/// a character beyond U+00FF (which the spec cannot send at all) are encoded as UTF-8, the
/// charset RFC 7617 names.
///
/// ```
/// use hip_core::request::{make_headers, MakeHeaders};
///
/// let h = make_headers(MakeHeaders::new().basic_auth("user:pass"));
/// assert_eq!(h.get("authorization").as_deref(), Some("Basic dXNlcjpwYXNz"));
/// ```
pub fn make_headers(opts: MakeHeaders) -> HttpHeaderDict {
    let mut headers = HttpHeaderDict::with_capacity(6);
    if opts.keep_alive {
        headers.insert("connection", "keep-alive");
    }
    if let Some(value) = opts.accept_encoding.as_ref().and_then(|a| a.header_value()) {
        headers.insert("accept-encoding", value);
    }
    if let Some(ua) = opts.user_agent.filter(|s| !s.is_empty()) {
        headers.insert("user-agent", ua);
    }
    if let Some(auth) = opts.basic_auth.filter(|s| !s.is_empty()) {
        headers.insert("authorization", basic_auth_value(&auth));
    }
    if let Some(auth) = opts.proxy_basic_auth.filter(|s| !s.is_empty()) {
        headers.insert("proxy-authorization", basic_auth_value(&auth));
    }
    if opts.disable_cache {
        headers.insert("cache-control", "no-cache");
    }
    headers
}

/// `"Basic " + base64(credentials)`: the value of an `Authorization` or
/// `Proxy-Authorization` header for `"username:password"` (ISO-8859-1, or UTF-8 when the
/// text does not fit ISO-8859-1; see [`make_headers`]).
pub fn basic_auth_value(user_colon_password: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let encoded = match encode_latin1(user_colon_password) {
        Ok(bytes) => engine.encode(bytes),
        Err(_) => engine.encode(user_colon_password.as_bytes()),
    };
    format!("Basic {encoded}")
}
