//! Retry policy: the spec's `hip.util.retry` module ([`Retry`], [`RequestHistory`]).
//!
//! A [`Retry`] is a value, never mutated by a request: each failed attempt, redirect or
//! retried status makes a *new* `Retry` with smaller counters ([`Retry::increment`]), so one
//! policy can be shared by a pool and every request made through it.
//!
//! # Theory of operation
//!
//! This module decides; it never sleeps and never reads a clock. The driver (the pools in
//! `hip-async` and `hip-blocking`) runs one loop per request:
//!
//! ```text
//! retries = Retry::from_int(request's retries, redirect, Some(&pool's retries))
//! loop:
//!     send the request
//!     on an error e:
//!         retries = retries.increment(method, url, None, Some(e))?   // Err = give up
//!         sleep retries.sleep_duration_with(None, now, random()); go again
//!     on a redirect response (and redirect=true):
//!         match retries.increment(method, url, Some(&info), None)
//!             Err(e) if retries.raise_on_redirect => return Err(e)
//!             Err(_)                              => return the 3xx response
//!             Ok(r)                               => retries = r; follow the Location,
//!                 dropping the headers retries.should_remove_header_on_redirect says to
//!     on a response where retries.is_retry(method, status, has Retry-After):
//!         match retries.increment(method, url, Some(&info), None)
//!             Err(e) if retries.raise_on_status   => return Err(e)
//!             Err(_)                              => return the response
//!             Ok(r)                               => retries = r;
//!                 sleep retries.sleep_duration_with(Some(&info), now, random()); go again
//!     otherwise: return the response (it carries the final `retries` and its history)
//! ```
//!
//! `random()` is a number in `[0, 1)` that the driver draws (this module takes no randomness
//! it is not handed); it only matters when `backoff_jitter` is set, and
//! [`Retry::sleep_duration`] is the same call with `0.0`.
//!
//! Every wait is bounded, as in urllib3 2.x: a backoff by `backoff_max` (120 s by default), a
//! server's `Retry-After` by `retry_after_max` (6 hours by default), so a
//! `Retry-After: 99999999` cannot stall a request for years.
//!
//! Counters follow urllib3 1.25, which the spec documents: each is a [`RetryCount`] that may
//! go below zero, and the policy is exhausted as soon as any limited counter is negative.
//! `total` is decremented on every increment; exactly one of `connect`, `read`, `redirect`
//! or `status` is decremented too, depending on what went wrong.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind};
use crate::headers::HttpHeaderDict;
use crate::timeout::Seconds;
use crate::timings::Timings;

mod date;

/// One retry counter: the spec's `int`, `None` or `False` for `total`, `connect`, `read`,
/// `redirect` and `status`.
///
/// Integers convert directly (`Retry::new(3)`, `.redirect(2)`), `None` (as `Option<u32>`)
/// becomes [`RetryCount::Unlimited`], `false` becomes [`RetryCount::Disabled`] and `true`
/// becomes [`RetryCount::Unlimited`] ("not disabled", which is what the spec's
/// `from_int(redirect=True)` means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RetryCount {
    /// `None`: this counter sets no limit of its own (others still apply).
    #[default]
    Unlimited,
    /// An integer: how many more retries of this kind are allowed. It is decremented on each
    /// retry of its kind and may go negative; a negative count means "exhausted". Set `0` to
    /// fail on the first retry of this kind.
    Count(i64),
    /// `False`: for `total` and `redirect`, switch retries (resp. redirects) off and imply
    /// `raise_on_redirect = false`; for `connect` and `read`, re-raise such errors as they are
    /// instead of wrapping them in `MaxRetryError`.
    Disabled,
}

impl RetryCount {
    /// The number, when this is a [`RetryCount::Count`].
    pub fn count(self) -> Option<i64> {
        match self {
            RetryCount::Count(n) => Some(n),
            _ => None,
        }
    }

    /// True for [`RetryCount::Disabled`] (the spec's `False`).
    pub fn is_disabled(self) -> bool {
        self == RetryCount::Disabled
    }

    /// True for [`RetryCount::Unlimited`] (the spec's `None`).
    pub fn is_unlimited(self) -> bool {
        self == RetryCount::Unlimited
    }

    /// The counter after one more retry of its kind. `Disabled` becomes `Count(-1)`, as
    /// `False - 1` does in the spec's Python, which makes the policy exhausted.
    fn decremented(self) -> RetryCount {
        match self {
            RetryCount::Unlimited => RetryCount::Unlimited,
            RetryCount::Count(n) => RetryCount::Count(n.saturating_sub(1)),
            RetryCount::Disabled => RetryCount::Count(-1),
        }
    }

    /// Python truthiness of the spec's value: a non-zero integer.
    fn is_truthy(self) -> bool {
        matches!(self, RetryCount::Count(n) if n != 0)
    }

    fn is_negative(self) -> bool {
        matches!(self, RetryCount::Count(n) if n < 0)
    }
}

impl From<i32> for RetryCount {
    fn from(n: i32) -> Self {
        RetryCount::Count(i64::from(n))
    }
}

impl From<u32> for RetryCount {
    fn from(n: u32) -> Self {
        RetryCount::Count(i64::from(n))
    }
}

impl From<i64> for RetryCount {
    fn from(n: i64) -> Self {
        RetryCount::Count(n)
    }
}

impl From<Option<u32>> for RetryCount {
    /// `None` is [`RetryCount::Unlimited`].
    fn from(n: Option<u32>) -> Self {
        n.map_or(RetryCount::Unlimited, RetryCount::from)
    }
}

impl From<bool> for RetryCount {
    /// `false` is [`RetryCount::Disabled`]; `true` is [`RetryCount::Unlimited`].
    fn from(enabled: bool) -> Self {
        if enabled {
            RetryCount::Unlimited
        } else {
            RetryCount::Disabled
        }
    }
}

impl fmt::Display for RetryCount {
    /// As the spec's repr shows it: `None`, `False` or the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryCount::Unlimited => f.write_str("None"),
            RetryCount::Disabled => f.write_str("False"),
            RetryCount::Count(n) => write!(f, "{n}"),
        }
    }
}

/// The spec's `RequestHistory(method, url, error, status, redirect_location)`: one entry per
/// call to [`Retry::increment`], oldest first, in [`Retry::history`], and hip's
/// [`timings`](RequestHistory::timings) of the attempt.
///
/// Entries compare (and hash) field by field, an error by its kind and message, leaving out
/// the timings (measurements, not part of what happened).
#[derive(Debug, Clone)]
pub struct RequestHistory {
    /// The request method, e.g. `"GET"`.
    pub method: Option<String>,
    /// The URL that was requested.
    pub url: Option<String>,
    /// The error that caused the retry, if the attempt failed.
    pub error: Option<Error>,
    /// The status of the response that caused the retry (a redirect or a status in
    /// `status_forcelist`).
    pub status: Option<u16>,
    /// Where a redirect response pointed to.
    pub redirect_location: Option<String>,
    /// How long the phases of this attempt took (not in the spec): filled in by the driver
    /// after `increment`, for a redirect or a retried status once its body was drained
    /// (`body_complete` stays `None` when the body was too long to drain), and for an error
    /// with the phases reached before it; `None` for an attempt that got no connection, and
    /// when `increment` is called by hand.
    pub timings: Option<Timings>,
}

impl RequestHistory {
    fn identity(&self) -> impl PartialEq + std::hash::Hash + '_ {
        (
            &self.method,
            &self.url,
            self.error.as_ref().map(|e| (e.kind(), e.message())),
            self.status,
            &self.redirect_location,
        )
    }
}

impl PartialEq for RequestHistory {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for RequestHistory {}

impl std::hash::Hash for RequestHistory {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// What [`Retry`] needs to know about a response (the spec passes the whole `HTTPResponse`).
#[derive(Debug, Clone, Copy)]
pub struct ResponseInfo<'a> {
    /// The status code.
    pub status: u16,
    /// The response headers (read for `Retry-After`).
    pub headers: &'a HttpHeaderDict,
    /// The spec's `response.get_redirect_location()`: the `Location` of a redirect response
    /// (301, 302, 303, 307, 308), `None` for any other response.
    pub redirect_location: Option<&'a str>,
}

impl<'a> ResponseInfo<'a> {
    /// The statuses that make a response a redirect (the spec's `REDIRECT_STATUSES`).
    pub const REDIRECT_STATUSES: &'static [u16] = &[301, 302, 303, 307, 308];

    /// Describes a response, taking the redirect location from the first `Location` header
    /// when `status` is one of [`ResponseInfo::REDIRECT_STATUSES`], as the spec's
    /// `get_redirect_location` does.
    pub fn new(status: u16, headers: &'a HttpHeaderDict) -> Self {
        let redirect_location = if Self::REDIRECT_STATUSES.contains(&status) {
            headers.getlist("Location").into_iter().next()
        } else {
            None
        };
        ResponseInfo {
            status,
            headers,
            redirect_location,
        }
    }
}

/// Two policies are equal when every setting is (the history included); pools are keyed by
/// this, so a pool asked for `status_forcelist([429])` is never one made for `[503]`.
impl PartialEq for Retry {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for Retry {}

impl std::hash::Hash for Retry {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

/// What a request (or a pool) accepts as its `retries` argument: the spec's
/// `retries=Retry(...) | int | False | None`.
///
/// Converts from a [`Retry`] (or `&Retry`), a `u32` (`retries=3`), `false` (`retries=False`),
/// `true` and `None` (both: use the default), and `Option<u32>` / `Option<Retry>`.
// A `Retries` is a short-lived argument, moved once per request; boxing the `Retry` would
// cost an allocation and change the variant's public type to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Retries {
    /// `None`: use the pool's (or the manager's) policy, else [`Retry::DEFAULT`].
    #[default]
    Default,
    /// A complete policy, used as it is.
    Retry(Retry),
    /// `retries=n`: `Retry(total=n)` with every other setting at its default.
    Count(u32),
    /// `retries=False`: no retries and no redirects; errors are returned as they are and
    /// redirect responses are handed back instead of followed.
    Disabled,
}

impl Retries {
    /// The spec's `Retry.from_int(retries, redirect, default)`: the policy to start a request
    /// with. A [`Retries::Retry`] (or the default, which is always a `Retry`) is used as it is;
    /// for a count or `Disabled`, `redirect = false` also switches redirects off (and implies
    /// `raise_on_redirect = false`).
    pub fn resolve(self, redirect: bool, default: &Retry) -> Retry {
        match self {
            Retries::Default => default.clone(),
            Retries::Retry(r) => r,
            Retries::Count(n) => Self::with_redirect(Retry::new(n), redirect),
            Retries::Disabled => Self::with_redirect(Retry::disabled(), redirect),
        }
    }

    fn with_redirect(retry: Retry, redirect: bool) -> Retry {
        if redirect {
            retry
        } else {
            retry.redirect(RetryCount::Disabled)
        }
    }
}

impl From<Retry> for Retries {
    fn from(r: Retry) -> Self {
        Retries::Retry(r)
    }
}

impl From<&Retry> for Retries {
    fn from(r: &Retry) -> Self {
        Retries::Retry(r.clone())
    }
}

impl From<u32> for Retries {
    fn from(n: u32) -> Self {
        Retries::Count(n)
    }
}

impl From<bool> for Retries {
    /// `false` is `retries=False` ([`Retries::Disabled`]); `true` means the default.
    fn from(enabled: bool) -> Self {
        if enabled {
            Retries::Default
        } else {
            Retries::Disabled
        }
    }
}

impl From<Option<u32>> for Retries {
    fn from(n: Option<u32>) -> Self {
        n.map_or(Retries::Default, Retries::Count)
    }
}

impl From<Option<Retry>> for Retries {
    fn from(r: Option<Retry>) -> Self {
        r.map_or(Retries::Default, Retries::Retry)
    }
}

/// The methods retried by default, as stored (borrowed, so cloning a default policy does not
/// allocate).
const DEFAULT_METHODS: &[Cow<'static, str>] = &[
    Cow::Borrowed("DELETE"),
    Cow::Borrowed("GET"),
    Cow::Borrowed("HEAD"),
    Cow::Borrowed("OPTIONS"),
    Cow::Borrowed("PUT"),
    Cow::Borrowed("TRACE"),
];

/// The headers dropped on a redirect by default, as stored.
const DEFAULT_REDIRECT_HEADERS: &[Cow<'static, str>] = &[
    Cow::Borrowed("Authorization"),
    Cow::Borrowed("Cookie"),
    Cow::Borrowed("Proxy-Authorization"),
];

/// The spec's `Retry`: how many times, and on what, a request is retried or redirected.
///
/// Build one like the spec's keyword arguments, with builder methods named after them:
///
/// ```
/// use hip_core::retry::{Retry, RetryCount};
///
/// // Retry(3, redirect=2)
/// let r = Retry::new(3).redirect(2);
/// assert_eq!(r.to_string(), "Retry(total=3, connect=None, read=None, redirect=2, status=None)");
/// assert_eq!(r.redirect, RetryCount::Count(2));
///
/// // Retry(total=5, status_forcelist=[500, 503], backoff_factor=0.5)
/// let r = Retry::new(5).status_forcelist([500, 503]).backoff_factor(0.5);
/// assert!(r.is_retry("GET", 503, false));
/// assert!(!r.is_retry("POST", 503, false));
/// ```
///
/// The settings are public fields with the spec's attribute names (`retry.total`,
/// `retry.history`, `retry.raise_on_redirect`, ...); the builder methods of the same names
/// set them. A `Retry` is never changed by a request: [`Retry::increment`] returns a new one.
///
/// The spec's constructor defaults to `total=10`: that is `Retry::new(10)`. What pools and
/// managers use when given nothing is [`Retry::DEFAULT`] (`total=3`), which is also
/// [`Retry::default`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Retry {
    /// `total`: retries of any kind allowed; takes precedence over the other counts.
    /// [`RetryCount::Unlimited`] leaves the limit to the other counts, `Count(0)` fails on the
    /// first retry, [`RetryCount::Disabled`] disables retries and implies
    /// `raise_on_redirect = false`.
    pub total: RetryCount,
    /// `connect`: retries allowed on errors before the request reached the server
    /// (`NewConnectionError`, `ConnectTimeoutError`, a proxy that could not be reached).
    pub connect: RetryCount,
    /// `read`: retries allowed on errors after the request was sent (`ReadTimeoutError`,
    /// `ProtocolError` and its subclasses). Only methods in `method_whitelist` are retried on
    /// these, since the server may have acted on the request.
    pub read: RetryCount,
    /// `redirect`: redirects allowed. [`RetryCount::Disabled`] is stored as `Count(0)` with
    /// `raise_on_redirect = false` by the builders, as the spec's constructor does.
    pub redirect: RetryCount,
    /// `status`: retries allowed on responses whose status is in `status_forcelist`.
    pub status: RetryCount,
    /// `other`: retries allowed on errors that are neither connection nor read errors (a TLS
    /// handshake cut short, for one). Such errors may come after the server received the
    /// request. Unlike `connect` and `read`, [`RetryCount::Disabled`] does not re-raise the
    /// error: like a count of 0, it makes the policy exhausted on the first such error
    /// (urllib3 1.26's `other`).
    pub other: RetryCount,
    /// `method_whitelist`: the methods retried on read errors and forced statuses; `None`
    /// retries any method. Compared without regard to case.
    pub method_whitelist: Option<Cow<'static, [Cow<'static, str>]>>,
    /// `status_forcelist`: statuses that force a retry (for whitelisted methods).
    pub status_forcelist: Cow<'static, [u16]>,
    /// `backoff_factor`: the base of the exponential backoff between attempts, in seconds;
    /// see [`Retry::get_backoff_time`]. `0` (the default) disables backoff.
    pub backoff_factor: f64,
    /// `backoff_max` (urllib3 2.x): no backoff is longer than this many seconds; default
    /// [`Retry::DEFAULT_BACKOFF_MAX`] (120). Infinity means no cap. Must not be negative or
    /// NaN ([`Retry::validate`]).
    pub backoff_max: f64,
    /// `backoff_jitter` (urllib3 2.x): up to this many seconds of random jitter added to the
    /// backoff (before `backoff_max` caps it); see [`Retry::get_backoff_time_with`]. `0` (the
    /// default) adds none. Must not be negative or NaN ([`Retry::validate`]).
    pub backoff_jitter: f64,
    /// `raise_on_redirect`: when redirects run out, return `MaxRetryError` (true) or the 3xx
    /// response (false).
    pub raise_on_redirect: bool,
    /// `raise_on_status`: when status retries run out, return `MaxRetryError` (true) or the
    /// last response (false).
    pub raise_on_status: bool,
    /// `history`: what happened at each [`Retry::increment`], oldest first.
    pub history: Vec<RequestHistory>,
    /// `respect_retry_after_header`: honour `Retry-After` on the statuses in
    /// [`Retry::RETRY_AFTER_STATUS_CODES`].
    pub respect_retry_after_header: bool,
    /// `retry_after_max` (urllib3 2.x): a `Retry-After` asking for a longer wait than this
    /// many seconds is cut down to it (not ignored); default [`Retry::DEFAULT_RETRY_AFTER_MAX`]
    /// (6 hours). Infinity means no cap. Must not be negative or NaN ([`Retry::validate`]).
    pub retry_after_max: f64,
    /// `remove_headers_on_redirect`: request headers dropped when a redirect leads to another
    /// host. Compared without regard to case.
    pub remove_headers_on_redirect: Cow<'static, [Cow<'static, str>]>,
}

impl Retry {
    /// Every setting, as one comparable value: what makes two policies the same (pools are
    /// keyed by it). The float settings (`backoff_factor`, `backoff_max`, `backoff_jitter`,
    /// `retry_after_max`) by their bits.
    #[allow(clippy::type_complexity)]
    fn identity(
        &self,
    ) -> (
        [RetryCount; 6],
        &Option<Cow<'static, [Cow<'static, str>]>>,
        &[u16],
        [u64; 4],
        [bool; 3],
        &[RequestHistory],
        &[Cow<'static, str>],
    ) {
        (
            [
                self.total,
                self.connect,
                self.read,
                self.redirect,
                self.status,
                self.other,
            ],
            &self.method_whitelist,
            &self.status_forcelist,
            [
                self.backoff_factor.to_bits(),
                self.backoff_max.to_bits(),
                self.backoff_jitter.to_bits(),
                self.retry_after_max.to_bits(),
            ],
            [
                self.raise_on_redirect,
                self.raise_on_status,
                self.respect_retry_after_header,
            ],
            &self.history,
            &self.remove_headers_on_redirect,
        )
    }

    /// The spec's `Retry.BACKOFF_MAX`: no backoff is longer than this many seconds. Since
    /// urllib3 2.x the cap is per policy (`backoff_max`); this is its default, the same value
    /// as [`Retry::DEFAULT_BACKOFF_MAX`].
    pub const BACKOFF_MAX: f64 = Self::DEFAULT_BACKOFF_MAX;

    /// urllib3 2.x's `Retry.DEFAULT_BACKOFF_MAX`: the default `backoff_max`, 120 seconds.
    pub const DEFAULT_BACKOFF_MAX: f64 = 120.0;

    /// urllib3 2.x's `Retry.DEFAULT_RETRY_AFTER_MAX`: the default `retry_after_max`, 6 hours
    /// (21600 seconds).
    pub const DEFAULT_RETRY_AFTER_MAX: f64 = 21_600.0;

    /// The spec's `Retry.DEFAULT_METHOD_WHITELIST`: the idempotent methods, retried by default.
    pub const DEFAULT_METHOD_WHITELIST: &'static [&'static str] =
        &["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"];

    /// The spec's `Retry.RETRY_AFTER_STATUS_CODES`: statuses on which `Retry-After` is honoured.
    pub const RETRY_AFTER_STATUS_CODES: &'static [u16] = &[413, 429, 503];

    /// The spec's `Retry.DEFAULT_REDIRECT_HEADERS_BLACKLIST`, made stricter on purpose.
    ///
    /// The spec (like urllib3 1.25) drops only `Authorization` on a cross-host redirect. hip
    /// also drops `Cookie` and `Proxy-Authorization`: both carry credentials, and both leaked
    /// to third-party hosts through redirects in urllib3 until they were added to its list
    /// (CVE-2023-43804 for `Cookie`, CVE-2024-37891 for `Proxy-Authorization`). Pass your own
    /// list to [`Retry::remove_headers_on_redirect`] to get the spec's behaviour back.
    pub const DEFAULT_REDIRECT_HEADERS_BLACKLIST: &'static [&'static str] =
        &["Authorization", "Cookie", "Proxy-Authorization"];

    /// The spec's `Retry.DEFAULT`: `Retry(total=3, connect=None, read=None, redirect=None,
    /// status=None)`, what pools use when given no retries. Also [`Retry::default`]. Its
    /// bounds are urllib3 2.x's defaults: `backoff_max` 120 s, no `backoff_jitter`,
    /// `retry_after_max` 6 hours.
    pub const DEFAULT: Retry = Retry {
        total: RetryCount::Count(3),
        connect: RetryCount::Unlimited,
        read: RetryCount::Unlimited,
        redirect: RetryCount::Unlimited,
        status: RetryCount::Unlimited,
        other: RetryCount::Unlimited,
        method_whitelist: Some(Cow::Borrowed(DEFAULT_METHODS)),
        status_forcelist: Cow::Borrowed(&[]),
        backoff_factor: 0.0,
        backoff_max: Self::DEFAULT_BACKOFF_MAX,
        backoff_jitter: 0.0,
        raise_on_redirect: true,
        raise_on_status: true,
        history: Vec::new(),
        respect_retry_after_header: true,
        retry_after_max: Self::DEFAULT_RETRY_AFTER_MAX,
        remove_headers_on_redirect: Cow::Borrowed(DEFAULT_REDIRECT_HEADERS),
    };

    /// The spec's `Retry(total=...)`, every other setting at its default. The spec's bare
    /// `Retry()` is `Retry::new(10)`.
    ///
    /// `total = false` ([`RetryCount::Disabled`]) also sets `redirect = 0` and
    /// `raise_on_redirect = false`, as the spec's constructor does.
    pub fn new(total: impl Into<RetryCount>) -> Retry {
        Retry::DEFAULT.total(total)
    }

    /// `Retry(False)`, what `retries=False` means: no retries, no redirects (a redirect
    /// response is returned as it is), errors returned unwrapped.
    pub fn disabled() -> Retry {
        Retry::new(RetryCount::Disabled)
    }

    /// The spec's `Retry.from_int(retries, redirect=True, default=None)`: turns a request's
    /// `retries` argument into a policy. `default` is the pool's policy; without one,
    /// [`Retry::DEFAULT`]. See [`Retries::resolve`].
    pub fn from_int(retries: impl Into<Retries>, redirect: bool, default: Option<&Retry>) -> Retry {
        match retries.into() {
            Retries::Default => default.cloned().unwrap_or(Retry::DEFAULT),
            other => other.resolve(redirect, &Retry::DEFAULT),
        }
    }

    /// The spec's `new(**kw)`: a copy to change with the builder methods, e.g.
    /// `retry.new_from().redirect(0)`. The copy keeps the history.
    pub fn new_from(&self) -> Retry {
        self.clone()
    }

    /// The spec's `DEFAULT_METHOD_WHITELIST` (see [`Retry::DEFAULT_METHOD_WHITELIST`]).
    pub fn default_method_whitelist() -> &'static [&'static str] {
        Self::DEFAULT_METHOD_WHITELIST
    }

    // ----- builders, named after the spec's keyword arguments -----

    /// Sets `total`. [`RetryCount::Disabled`] (`false`) also sets `redirect = 0` and
    /// `raise_on_redirect = false`.
    pub fn total(mut self, total: impl Into<RetryCount>) -> Retry {
        self.total = total.into();
        if self.total.is_disabled() {
            self.redirect = RetryCount::Count(0);
            self.raise_on_redirect = false;
        }
        self
    }

    /// Sets `connect`.
    pub fn connect(mut self, connect: impl Into<RetryCount>) -> Retry {
        self.connect = connect.into();
        self
    }

    /// Sets `read`.
    pub fn read(mut self, read: impl Into<RetryCount>) -> Retry {
        self.read = read.into();
        self
    }

    /// Sets `redirect`. [`RetryCount::Disabled`] (`false`) is stored as `0` and also sets
    /// `raise_on_redirect = false`, as the spec's constructor does (a later
    /// [`Retry::raise_on_redirect`] call can set it back).
    pub fn redirect(mut self, redirect: impl Into<RetryCount>) -> Retry {
        let redirect = redirect.into();
        if redirect.is_disabled() {
            self.redirect = RetryCount::Count(0);
            self.raise_on_redirect = false;
        } else {
            self.redirect = redirect;
        }
        self
    }

    /// Sets `status`.
    pub fn status(mut self, status: impl Into<RetryCount>) -> Retry {
        self.status = status.into();
        self
    }

    /// Sets `other` (urllib3 1.26's `Retry(other=...)`): retries on errors that are neither
    /// connection nor read errors.
    pub fn other(mut self, other: impl Into<RetryCount>) -> Retry {
        self.other = other.into();
        self
    }

    /// Sets `method_whitelist`: the methods to retry on read errors and forced statuses.
    /// An empty list means any method, like the spec's falsy value.
    pub fn method_whitelist<I, S>(mut self, methods: I) -> Retry
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let methods: Vec<Cow<'static, str>> = methods
            .into_iter()
            .map(|m| Cow::Owned(m.as_ref().to_ascii_uppercase()))
            .collect();
        self.method_whitelist = if methods.is_empty() {
            None
        } else {
            Some(Cow::Owned(methods))
        };
        self
    }

    /// `method_whitelist=False`: retry whatever the method.
    pub fn method_whitelist_any(mut self) -> Retry {
        self.method_whitelist = None;
        self
    }

    /// Sets `status_forcelist`: the statuses that force a retry.
    pub fn status_forcelist(mut self, statuses: impl IntoIterator<Item = u16>) -> Retry {
        self.status_forcelist = Cow::Owned(statuses.into_iter().collect());
        self
    }

    /// Sets `backoff_factor` (seconds; see [`Retry::get_backoff_time`]).
    pub fn backoff_factor(mut self, factor: f64) -> Retry {
        self.backoff_factor = factor;
        self
    }

    /// Sets `backoff_max`: the longest backoff, in seconds (`f64`, `u64`) or as a
    /// `Duration` (urllib3 2.x). Infinity means no cap. A negative or NaN value is kept as
    /// given and reported by [`Retry::validate`].
    pub fn backoff_max(mut self, seconds: impl Into<Seconds>) -> Retry {
        self.backoff_max = seconds.into().as_secs_f64();
        self
    }

    /// Sets `backoff_jitter`: the most random jitter added to a backoff, in seconds (`f64`,
    /// `u64`) or as a `Duration` (urllib3 2.x); see [`Retry::get_backoff_time_with`]. A
    /// negative or NaN value is kept as given and reported by [`Retry::validate`].
    pub fn backoff_jitter(mut self, seconds: impl Into<Seconds>) -> Retry {
        self.backoff_jitter = seconds.into().as_secs_f64();
        self
    }

    /// Sets `retry_after_max`: the longest wait a `Retry-After` header can ask for, in
    /// seconds (`f64`, `u64`) or as a `Duration` (urllib3 2.x); longer ones are cut down to
    /// it. Infinity means no cap. A negative or NaN value is kept as given and reported by
    /// [`Retry::validate`].
    pub fn retry_after_max(mut self, seconds: impl Into<Seconds>) -> Retry {
        self.retry_after_max = seconds.into().as_secs_f64();
        self
    }

    /// Sets `raise_on_redirect`.
    pub fn raise_on_redirect(mut self, raise: bool) -> Retry {
        self.raise_on_redirect = raise;
        self
    }

    /// Sets `raise_on_status`.
    pub fn raise_on_status(mut self, raise: bool) -> Retry {
        self.raise_on_status = raise;
        self
    }

    /// Sets `history`.
    pub fn history(mut self, history: Vec<RequestHistory>) -> Retry {
        self.history = history;
        self
    }

    /// Sets `respect_retry_after_header`.
    pub fn respect_retry_after_header(mut self, respect: bool) -> Retry {
        self.respect_retry_after_header = respect;
        self
    }

    /// Sets `remove_headers_on_redirect`: the request headers dropped when a redirect leads
    /// to another host. Replaces the default list.
    pub fn remove_headers_on_redirect<I, S>(mut self, headers: I) -> Retry
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.remove_headers_on_redirect = Cow::Owned(
            headers
                .into_iter()
                .map(|h| Cow::Owned(h.as_ref().to_owned()))
                .collect(),
        );
        self
    }

    /// Checks the bounds urllib3 2.x added: `backoff_max`, `backoff_jitter` and
    /// `retry_after_max` must each be a number of seconds that is not negative (zero and
    /// infinity are fine). The builders cannot fail, so, as with
    /// [`Timeout::validate`](crate::timeout::Timeout::validate), the driver calls this before
    /// using a policy.
    ///
    /// Should an invalid policy be used anyway, a negative or NaN `backoff_max` or
    /// `retry_after_max` allows no wait at all (as a negative one does in urllib3), and a
    /// negative or NaN `backoff_jitter` adds none.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming the first bad setting and its value, e.g. `Retry
    /// value backoff_max was -1.0, but it must be a non-negative number of seconds`.
    pub fn validate(&self) -> Result<(), Error> {
        check_seconds("backoff_max", self.backoff_max)?;
        check_seconds("backoff_jitter", self.backoff_jitter)?;
        check_seconds("retry_after_max", self.retry_after_max)
    }

    // ----- decisions -----

    /// The spec's `get_backoff_time()`: how long to wait before the next attempt, without
    /// jitter (see [`Retry::get_backoff_time_with`] for the wait with it).
    ///
    /// Counts the consecutive failed attempts at the end of the history (a redirect ends the
    /// run). With one or none there is no wait; with `n` it is
    /// `backoff_factor * 2^(n-1)` seconds, at most `backoff_max` ([`Retry::BACKOFF_MAX`],
    /// 120 s, by default). With a factor of 0.1 the waits are 0, 0.2, 0.4, 0.8, ... seconds.
    /// A factor that is not a positive number means no wait.
    pub fn get_backoff_time(&self) -> Duration {
        self.get_backoff_time_with(0.0)
    }

    /// urllib3 2.x's `get_backoff_time()` with its jitter: [`Retry::get_backoff_time`] plus
    /// `unit_random * backoff_jitter` seconds, the sum then capped by `backoff_max` (jitter
    /// first, cap last, as urllib3 does). Still no wait after one failed attempt or none.
    ///
    /// hip-core draws no random numbers: the driver passes `unit_random`, a uniformly
    /// distributed number in `[0, 1)` (what Python's `random.random()` returns, e.g.
    /// `rand::random::<f64>()`), so the jitter is in `[0, backoff_jitter)` (up to
    /// floating-point rounding). A value outside `[0, 1]` is clamped into it, NaN counts as
    /// `0`. With `backoff_jitter = 0` (the default) `unit_random` does not matter.
    pub fn get_backoff_time_with(&self, unit_random: f64) -> Duration {
        let consecutive = self
            .history
            .iter()
            .rev()
            .take_while(|h| h.redirect_location.is_none())
            .count();
        if consecutive <= 1 {
            return Duration::ZERO;
        }
        let mut seconds = 0.0;
        if self.backoff_factor > 0.0 {
            let exponent = i32::try_from(consecutive - 1).unwrap_or(i32::MAX);
            seconds = self.backoff_factor * 2f64.powi(exponent);
        }
        if self.backoff_jitter > 0.0 && unit_random > 0.0 {
            seconds += unit_random.min(1.0) * self.backoff_jitter;
        }
        capped(seconds, self.backoff_max)
    }

    /// The spec's `parse_retry_after(retry_after)`: a `Retry-After` value as a wait.
    ///
    /// The value is either whole seconds (`"120"`, surrounding whitespace allowed) or a date,
    /// read as urllib3 does with Python's `email.utils.parsedate_tz`: the HTTP-date forms
    /// (`"Sun, 06 Nov 1994 08:49:37 GMT"`, the obsolete RFC 850 `"Sunday, 06-Nov-94
    /// 08:49:37 GMT"` and asctime `"Sun Nov  6 08:49:37 1994"`) and the looser dates servers
    /// send: a one-digit day, no weekday, no seconds, a zone such as `UTC`, `EST` or
    /// `+0100`. A date without a zone is UTC, and so, as in urllib3, is one whose zone Python
    /// does not know (`CET`). A date is measured from `now`; a date in the past (or before
    /// 1970) means no wait.
    ///
    /// The wait is at most `retry_after_max` seconds (6 hours by default): a longer one, a
    /// number too large for a `u64` included, is cut down to it, as urllib3 2.x does (it is
    /// capped, not ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidHeader`] naming the value when it is neither. That includes a
    /// date whose year is outside 1..=9999, where urllib3 fails with Python's `ValueError`.
    pub fn parse_retry_after(&self, value: &str, now: SystemTime) -> Result<Duration, Error> {
        // Python's `\s`, as urllib3's `^\s*[0-9]+\s*$` has it.
        let trimmed = value.trim_matches(date::is_space);
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            let seconds = trimmed.parse::<u64>().unwrap_or(u64::MAX);
            return Ok(Duration::from_secs(seconds).min(self.retry_after_cap()));
        }
        match date::parse(value) {
            Some(seconds) => Ok(wait_until(seconds, now).min(self.retry_after_cap())),
            None => Err(Error::new(
                ErrorKind::InvalidHeader,
                format!("Invalid Retry-After header: {value:?} (expected seconds or an HTTP-date)"),
            )),
        }
    }

    /// The spec's `get_retry_after(response)`: the response's `Retry-After` as a wait, or
    /// `None` without the header. Repeated headers are joined with `", "` first, as the spec
    /// does (and so are invalid). Capped by `retry_after_max`, as
    /// [`Retry::parse_retry_after`] is.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidHeader`] when the value cannot be parsed.
    pub fn get_retry_after(
        &self,
        headers: &HttpHeaderDict,
        now: SystemTime,
    ) -> Result<Option<Duration>, Error> {
        match headers.get("Retry-After") {
            None => Ok(None),
            Some(value) => self.parse_retry_after(&value, now).map(Some),
        }
    }

    /// The spec's `sleep_for_retry(response)`, without the sleeping: the wait the response's
    /// `Retry-After` asks for (at most `retry_after_max`), when it has a valid one longer than
    /// zero.
    ///
    /// Unlike the spec, an unparsable `Retry-After` is not an error here: it counts as absent,
    /// so that a server's malformed header does not abort a request that would otherwise be
    /// retried (use [`Retry::get_retry_after`] to see the error).
    pub fn sleep_for_retry(
        &self,
        response: Option<&ResponseInfo<'_>>,
        now: SystemTime,
    ) -> Option<Duration> {
        let response = response?;
        match self.get_retry_after(response.headers, now) {
            Ok(Some(wait)) if !wait.is_zero() => Some(wait),
            _ => None,
        }
    }

    /// The spec's `sleep(response=None)`, without the sleeping: how long the driver should
    /// wait before the next attempt.
    ///
    /// When `respect_retry_after_header` is set and the response's status is one of
    /// [`Retry::RETRY_AFTER_STATUS_CODES`], its `Retry-After` wins (see
    /// [`Retry::sleep_for_retry`]); otherwise the exponential backoff
    /// ([`Retry::get_backoff_time`]) applies. Without jitter: this is
    /// [`Retry::sleep_duration_with`] with `unit_random = 0.0`.
    pub fn sleep_duration(&self, response: Option<&ResponseInfo<'_>>, now: SystemTime) -> Duration {
        self.sleep_duration_with(response, now, 0.0)
    }

    /// [`Retry::sleep_duration`] with `backoff_jitter` applied: when the backoff is used, it
    /// is [`Retry::get_backoff_time_with`]`(unit_random)`. A wait a `Retry-After` asks for
    /// gets no jitter (as in urllib3). `unit_random` is the driver's uniformly random number
    /// in `[0, 1)`.
    pub fn sleep_duration_with(
        &self,
        response: Option<&ResponseInfo<'_>>,
        now: SystemTime,
        unit_random: f64,
    ) -> Duration {
        if self.respect_retry_after_header {
            if let Some(r) = response {
                if Self::RETRY_AFTER_STATUS_CODES.contains(&r.status) {
                    if let Some(wait) = self.sleep_for_retry(Some(r), now) {
                        return wait;
                    }
                }
            }
        }
        self.get_backoff_time_with(unit_random)
    }

    /// `retry_after_max` as a duration (zero when it is negative or NaN).
    fn retry_after_cap(&self) -> Duration {
        capped(f64::INFINITY, self.retry_after_max)
    }

    /// The spec's `_is_connection_error`: errors raised before the request reached the
    /// server (`ConnectTimeoutError`, `NewConnectionError`, and a `ProxyError` caused by one).
    pub fn is_connection_error(e: &Error) -> bool {
        if e.kind() == ErrorKind::Proxy {
            return std::error::Error::source(e)
                .and_then(|s| s.downcast_ref::<Error>())
                .is_some_and(Error::is_connect_timeout);
        }
        e.is_connect_timeout()
    }

    /// The spec's `_is_read_error`: errors raised after the request was sent
    /// (`ReadTimeoutError` and `ProtocolError` with its subclasses `IncompleteRead` and
    /// `BadVersionError`).
    pub fn is_read_error(e: &Error) -> bool {
        e.kind() == ErrorKind::ReadTimeout || e.is_protocol_error()
    }

    /// The spec's `_is_method_retryable`: whether `method` is in `method_whitelist` (any
    /// method is when the whitelist is `None`). Case does not matter.
    pub fn is_method_retryable(&self, method: &str) -> bool {
        match &self.method_whitelist {
            None => true,
            Some(list) => list.iter().any(|m| m.eq_ignore_ascii_case(method)),
        }
    }

    /// The spec's `is_retry(method, status_code, has_retry_after)`: should this response be
    /// retried?
    ///
    /// Only for whitelisted methods; then always for a status in `status_forcelist`, and for
    /// a status in [`Retry::RETRY_AFTER_STATUS_CODES`] carrying `Retry-After` when
    /// `respect_retry_after_header` is set and `total` is a non-zero count. (That last
    /// condition is the spec's: with `total` unlimited or disabled, `Retry-After` alone does
    /// not cause a retry; list the status in `status_forcelist` to retry it anyway.)
    pub fn is_retry(&self, method: &str, status: u16, has_retry_after: bool) -> bool {
        if !self.is_method_retryable(method) {
            return false;
        }
        if self.status_forcelist.contains(&status) {
            return true;
        }
        self.total.is_truthy()
            && self.respect_retry_after_header
            && has_retry_after
            && Self::RETRY_AFTER_STATUS_CODES.contains(&status)
    }

    /// The spec's `is_exhausted()`: true when any limited counter has gone below zero.
    pub fn is_exhausted(&self) -> bool {
        [
            self.total,
            self.connect,
            self.read,
            self.redirect,
            self.status,
            self.other,
        ]
        .iter()
        .any(|c| c.is_negative())
    }

    /// The spec's `should_remove_header_on_redirect`: whether `name` is in
    /// `remove_headers_on_redirect` (without regard to case).
    pub fn should_remove_header_on_redirect(&self, name: &str) -> bool {
        self.remove_headers_on_redirect
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
    }

    /// The spec's `increment(method, url, response, error)`: the policy after one more
    /// attempt failed (`error`), was redirected or came back with a forced status
    /// (`response`).
    ///
    /// `total` goes down by one, and so does the counter of the kind of failure:
    /// - a connection error ([`Retry::is_connection_error`]): `connect`;
    /// - a read error ([`Retry::is_read_error`]): `read`, but only for a whitelisted method;
    /// - any other error (a TLS handshake cut short, say): `other`;
    /// - a response with a redirect location: `redirect`;
    /// - any other response: `status`.
    ///
    /// An entry is added to the history.
    ///
    /// # Errors
    ///
    /// - `error` itself, unchanged, when `total` is disabled (`retries=False`), when
    ///   `connect` is disabled and it is a connection error, or when it is a read error and
    ///   `read` is disabled or the method is not whitelisted (the request may have had
    ///   effects, so it is not repeated);
    /// - [`ErrorKind::MaxRetry`] when the new policy is exhausted. Its
    ///   [`reason`](Error::reason) is `error`, or without one a [`ErrorKind::Response`] error:
    ///   "too many redirects", "too many 500 error responses" (with
    ///   [`status`](Error::status) 500), or "too many error responses" without a response.
    pub fn increment(
        &self,
        method: Option<&str>,
        url: Option<&str>,
        response: Option<&ResponseInfo<'_>>,
        error: Option<Error>,
    ) -> Result<Retry, Error> {
        if self.total.is_disabled() {
            if let Some(e) = error {
                return Err(e);
            }
        }

        let total = self.total.decremented();
        let mut connect = self.connect;
        let mut read = self.read;
        let mut redirect = self.redirect;
        let mut status_count = self.status;
        let mut other = self.other;
        let mut status = None;
        let mut redirect_location = None;
        let cause;

        let redirect_target = response
            .and_then(|r| r.redirect_location)
            .filter(|l| !l.is_empty());

        match (&error, redirect_target) {
            (Some(e), _) if Self::is_connection_error(e) => {
                if connect.is_disabled() {
                    return Err(e.clone());
                }
                connect = connect.decremented();
                cause = None;
            }
            (Some(e), _) if Self::is_read_error(e) => {
                // Without a method we cannot tell that repeating the request is safe.
                let retryable = method.map_or(self.method_whitelist.is_none(), |m| {
                    self.is_method_retryable(m)
                });
                if read.is_disabled() || !retryable {
                    return Err(e.clone());
                }
                read = read.decremented();
                cause = None;
            }
            (Some(_), _) => {
                other = other.decremented();
                cause = None;
            }
            (None, Some(location)) => {
                redirect = redirect.decremented();
                cause = Some(Error::new(ErrorKind::Response, "too many redirects"));
                redirect_location = Some(location.to_owned());
                status = response.map(|r| r.status);
            }
            _ => match response {
                Some(r) => {
                    status_count = status_count.decremented();
                    status = Some(r.status);
                    cause = Some(
                        Error::new(
                            ErrorKind::Response,
                            format!("too many {} error responses", r.status),
                        )
                        .with_status(r.status),
                    );
                }
                None => {
                    cause = Some(Error::new(ErrorKind::Response, "too many error responses"));
                }
            },
        }

        let mut history = Vec::with_capacity(self.history.len() + 1);
        history.extend_from_slice(&self.history);
        history.push(RequestHistory {
            method: method.map(str::to_owned),
            url: url.map(str::to_owned),
            error: error.clone(),
            status,
            redirect_location,
            timings: None,
        });

        let new = Retry {
            total,
            connect,
            read,
            redirect,
            status: status_count,
            other,
            history,
            ..self.clone_settings()
        };

        if new.is_exhausted() {
            let reason = match (error, cause) {
                (Some(e), _) => e,
                (None, Some(c)) => c,
                (None, None) => Error::new(ErrorKind::Response, "too many error responses"),
            };
            return Err(max_retry(url, reason));
        }
        Ok(new)
    }

    /// A copy of the settings without the history (which `increment` rebuilds).
    fn clone_settings(&self) -> Retry {
        Retry {
            total: self.total,
            connect: self.connect,
            read: self.read,
            redirect: self.redirect,
            status: self.status,
            other: self.other,
            method_whitelist: self.method_whitelist.clone(),
            status_forcelist: self.status_forcelist.clone(),
            backoff_factor: self.backoff_factor,
            backoff_max: self.backoff_max,
            backoff_jitter: self.backoff_jitter,
            raise_on_redirect: self.raise_on_redirect,
            raise_on_status: self.raise_on_status,
            history: Vec::new(),
            respect_retry_after_header: self.respect_retry_after_header,
            retry_after_max: self.retry_after_max,
            remove_headers_on_redirect: self.remove_headers_on_redirect.clone(),
        }
    }
}

/// `MaxRetryError(pool, url, reason)`; without a URL the error carries none.
fn max_retry(url: Option<&str>, reason: Error) -> Error {
    match url {
        Some(url) => Error::max_retry(url, reason),
        None => {
            let pool = reason.pool().map(str::to_owned);
            let e = Error::new(ErrorKind::MaxRetry, "Max retries exceeded").with_source(reason);
            match pool {
                Some(p) => e.with_pool(p),
                None => e,
            }
        }
    }
}

/// `seconds` as a wait of at most `max` seconds, as urllib3's `max(0, min(max, seconds))`:
/// never negative, NaN as zero, a negative or NaN `max` as zero, anything too long for a
/// `Duration` (an infinite `max`) as `Duration::MAX`.
fn capped(seconds: f64, max: f64) -> Duration {
    let max = if max.is_nan() { 0.0 } else { max.max(0.0) };
    let seconds = if seconds.is_nan() {
        0.0
    } else {
        seconds.clamp(0.0, max)
    };
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
}

/// How long from `now` until `seconds` after the Unix epoch: zero when that is not later,
/// [`Duration::MAX`] when it is later than any `SystemTime`.
fn wait_until(seconds: i128, now: SystemTime) -> Duration {
    let magnitude = Duration::from_secs(u64::try_from(seconds.unsigned_abs()).unwrap_or(u64::MAX));
    let instant = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(magnitude)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(magnitude)
    };
    match instant {
        Some(instant) => instant.duration_since(now).unwrap_or(Duration::ZERO),
        None if seconds >= 0 => Duration::MAX,
        None => Duration::ZERO,
    }
}

/// [`Retry::validate`]'s check of one bound.
fn check_seconds(name: &str, value: f64) -> Result<(), Error> {
    if value.is_nan() || value < 0.0 {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "Retry value {name} was {value:?}, but it must be a non-negative number of seconds"
            ),
        ));
    }
    Ok(())
}

impl Default for Retry {
    /// [`Retry::DEFAULT`] (`total=3`).
    fn default() -> Self {
        Retry::DEFAULT
    }
}

impl fmt::Display for Retry {
    /// The spec's repr: `Retry(total=3, connect=None, read=None, redirect=None, status=None)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Retry(total={}, connect={}, read={}, redirect={}, status={})",
            self.total, self.connect, self.read, self.redirect, self.status
        )
    }
}

impl fmt::Debug for Retry {
    /// `{:?}` is the spec's repr (as [`Display`](fmt::Display)); `{:#?}` shows every field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        f.debug_struct("Retry")
            .field("total", &self.total)
            .field("connect", &self.connect)
            .field("read", &self.read)
            .field("redirect", &self.redirect)
            .field("status", &self.status)
            .field("other", &self.other)
            .field("method_whitelist", &self.method_whitelist)
            .field("status_forcelist", &self.status_forcelist)
            .field("backoff_factor", &self.backoff_factor)
            .field("backoff_max", &self.backoff_max)
            .field("backoff_jitter", &self.backoff_jitter)
            .field("raise_on_redirect", &self.raise_on_redirect)
            .field("raise_on_status", &self.raise_on_status)
            .field("history", &self.history)
            .field(
                "respect_retry_after_header",
                &self.respect_retry_after_header,
            )
            .field("retry_after_max", &self.retry_after_max)
            .field(
                "remove_headers_on_redirect",
                &self.remove_headers_on_redirect,
            )
            .finish()
    }
}
