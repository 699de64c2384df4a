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
    /// `release_conn`: kept for the spec's signature; hip releases the connection when the
    /// body is done (preloaded, read to the end, or `release_conn()` called).
    pub release_conn: Option<bool>,
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
            body_pos: None,
            preload_content: true,
            decode_content: true,
            max_body_size: None,
            deadline: None,
        }
    }
}
