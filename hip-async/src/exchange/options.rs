//! The keyword arguments of one request, as the urlopen loop takes them.

use std::time::Duration;

use hip_core::retry::Retries;
use hip_core::timeout::Timeout;
use hip_core::HttpHeaderDict;

use super::body::Body;

/// The keyword arguments of the spec's `urlopen` (`body`, `headers`, `retries`, `redirect`,
/// `assert_same_host`, `timeout`, `pool_timeout`, `release_conn`, `body_pos`,
/// `preload_content`, `decode_content`).
#[derive(Debug)]
#[non_exhaustive]
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
    /// `release_conn`: urllib3 gives the connection back to the pool when the body has been
    /// read to the end, whatever this says (its own test: "Consume the data. This should
    /// put the connection back."), and so does hip, for both values. The one combination
    /// where urllib3 differs, `release_conn=True` with `preload_content=False`, hands the
    /// connection back while the unread body is still on it; hip never does that: the
    /// connection stays with the response until its body ends, `release_conn()` or
    /// `drain_conn()` is called, or the response is dropped (see the README's differences).
    pub release_conn: Option<bool>,
    /// `enforce_content_length`: a body that ends (the server closed the connection) before
    /// its `Content-Length` is an `ErrorKind::IncompleteRead` error (a read error, retried
    /// as one while preloading). On by default, as in urllib3 2.x; `false` is urllib3
    /// 1.26's default: the body ends quietly with what arrived, and the connection is not
    /// reused. A chunked body cut short is an error either way.
    pub enforce_content_length: bool,
    /// `body_pos`: where a seekable body starts.
    pub body_pos: Option<u64>,
    /// `preload_content`: read the whole body before returning (default true).
    pub preload_content: bool,
    /// `decode_content`: undo Content-Encoding (default true).
    pub decode_content: bool,
    /// Most bytes a whole-body read may collect (`preload_content`, `data()`, `read(None)`),
    /// after decoding; more is an `ErrorKind::BodyTooLarge` error. `None` (the default) uses
    /// the manager's, which is unlimited unless set. A hip addition.
    pub max_body_size: Option<u64>,
    /// A deadline for the whole call: connecting, sending, every retry and redirect, the
    /// sleeps between them and preloading the body. `None` (the default) uses the manager's,
    /// which is none unless set. A hip addition beside the spec's `Timeout` (whose `total`
    /// keeps the spec's meaning: connect plus read of one attempt).
    pub deadline: Option<Duration>,
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
            enforce_content_length: true,
            body_pos: None,
            preload_content: true,
            decode_content: true,
            max_body_size: None,
            deadline: None,
        }
    }
}
