//! Timeout settings: the spec's `hip.util.timeout` module ([`Timeout`]).
//!
//! A [`Timeout`] holds three settings (`total`, `connect`, `read`) and, once a connection
//! attempt starts, the instant it started. It never reads the clock: the driver passes `now`
//! to [`Timeout::start_connect`], [`Timeout::get_connect_duration`] and
//! [`Timeout::read_timeout`], and does the waiting itself.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use hip_core::timeout::{Timeout, TimeoutValue};
//!
//! // Timeout(total=5, read=4): the read timeout shrinks by the time connecting took.
//! let mut t = Timeout::new().total(5.0).read(4.0).clone_fresh();
//! let start = Instant::now();
//! t.start_connect(start).unwrap();
//! assert_eq!(t.connect_timeout(), TimeoutValue::After(Duration::from_secs(5)));
//! let after_connect = start + Duration::from_secs(2);
//! assert_eq!(t.read_timeout(after_connect).unwrap(), TimeoutValue::After(Duration::from_secs(3)));
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};

/// One timeout setting: the spec's number of seconds, `None`, or `DEFAULT_TIMEOUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TimeoutValue {
    /// The spec's `Timeout.DEFAULT_TIMEOUT` sentinel: "the system default". Python falls
    /// back to `socket.getdefaulttimeout()`; hip has no global default, so this means no
    /// timeout, like [`TimeoutValue::Never`]. It stays distinct so that a request's setting
    /// can tell "not given" from "explicitly none".
    #[default]
    Default,
    /// `None`: wait forever.
    Never,
    /// Give up after this long.
    After(Duration),
}

/// The spec's `Timeout.DEFAULT_TIMEOUT`.
pub const DEFAULT_TIMEOUT: TimeoutValue = TimeoutValue::Default;

impl TimeoutValue {
    /// The duration to wait, or `None` for no limit (`Never`, and `Default`, which hip
    /// treats as no limit).
    pub fn duration(self) -> Option<Duration> {
        match self {
            TimeoutValue::After(d) => Some(d),
            TimeoutValue::Default | TimeoutValue::Never => None,
        }
    }

    /// True for [`TimeoutValue::Default`].
    pub fn is_default(self) -> bool {
        self == TimeoutValue::Default
    }

    /// Neither `Default` nor `Never`: an actual limit.
    fn is_set(self) -> bool {
        matches!(self, TimeoutValue::After(_))
    }
}

impl From<Duration> for TimeoutValue {
    fn from(d: Duration) -> Self {
        TimeoutValue::After(d)
    }
}

impl From<Option<Duration>> for TimeoutValue {
    /// `None` is [`TimeoutValue::Never`].
    fn from(d: Option<Duration>) -> Self {
        d.map_or(TimeoutValue::Never, TimeoutValue::After)
    }
}

impl TryFrom<f64> for TimeoutValue {
    type Error = Error;

    /// Seconds as a float.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] when `seconds` is not a positive finite number.
    fn try_from(seconds: f64) -> Result<Self, Error> {
        match Setting::from_secs_f64(seconds) {
            Setting::Value(v) => Ok(v),
            Setting::Invalid(x) => Err(invalid("timeout", x)),
        }
    }
}

impl fmt::Display for TimeoutValue {
    /// As the spec shows it: seconds (`2.5`), `None`, or `DEFAULT_TIMEOUT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeoutValue::Default => f.write_str("DEFAULT_TIMEOUT"),
            TimeoutValue::Never => f.write_str("None"),
            TimeoutValue::After(d) => write!(f, "{:?}", d.as_secs_f64()),
        }
    }
}

/// A setting as given: valid, or a number that is not a valid timeout, kept so that
/// [`Timeout::validate`] can name it. Compared and hashed by value (an invalid number by
/// its bits, so that a `Timeout` can be part of a pool key).
#[derive(Debug, Clone, Copy)]
enum Setting {
    Value(TimeoutValue),
    Invalid(f64),
}

impl PartialEq for Setting {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Setting::Value(a), Setting::Value(b)) => a == b,
            (Setting::Invalid(a), Setting::Invalid(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Setting {}

impl std::hash::Hash for Setting {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Setting::Value(v) => (0u8, v).hash(state),
            Setting::Invalid(x) => (1u8, x.to_bits()).hash(state),
        }
    }
}

impl Setting {
    fn from_secs_f64(seconds: f64) -> Setting {
        if !seconds.is_finite() || seconds <= 0.0 {
            return Setting::Invalid(seconds);
        }
        // A finite positive number too large for a Duration is as good as "never" in
        // practice; keep it as the longest Duration rather than refuse it.
        let d = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX);
        Setting::from_duration(d)
    }

    fn from_duration(d: Duration) -> Setting {
        if d.is_zero() {
            Setting::Invalid(0.0)
        } else {
            Setting::Value(TimeoutValue::After(d))
        }
    }

    fn value(self) -> TimeoutValue {
        match self {
            Setting::Value(v) => v,
            Setting::Invalid(_) => TimeoutValue::Default,
        }
    }

    fn check(self, name: &str) -> Result<(), Error> {
        match self {
            Setting::Value(_) => Ok(()),
            Setting::Invalid(x) => Err(invalid(name, x)),
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Value(v) => v.fmt(f),
            Setting::Invalid(x) => write!(f, "{x:?}"),
        }
    }
}

fn invalid(name: &str, value: f64) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "Timeout value {name} was {value:?}, but it must be a positive, finite number of \
             seconds (or None for no timeout)"
        ),
    )
}

/// Anything a [`Timeout`] parameter accepts: seconds as `f64` or `u64`, a [`Duration`], a
/// [`TimeoutValue`], or `Option<f64>` (`None` is [`TimeoutValue::Never`]).
///
/// Zero, negative, NaN and infinite numbers are not valid timeouts (the spec raises
/// `ValueError` for values `<= 0`); they are kept as given, and [`Timeout::validate`] (which
/// pools call before using a timeout) reports them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeoutInput(Setting);

impl From<f64> for TimeoutInput {
    fn from(seconds: f64) -> Self {
        TimeoutInput(Setting::from_secs_f64(seconds))
    }
}

impl From<u64> for TimeoutInput {
    fn from(seconds: u64) -> Self {
        TimeoutInput(Setting::from_duration(Duration::from_secs(seconds)))
    }
}

impl From<Duration> for TimeoutInput {
    fn from(d: Duration) -> Self {
        TimeoutInput(Setting::from_duration(d))
    }
}

impl From<TimeoutValue> for TimeoutInput {
    fn from(v: TimeoutValue) -> Self {
        match v {
            TimeoutValue::After(d) => TimeoutInput(Setting::from_duration(d)),
            other => TimeoutInput(Setting::Value(other)),
        }
    }
}

impl From<Option<f64>> for TimeoutInput {
    /// `None` is [`TimeoutValue::Never`].
    fn from(seconds: Option<f64>) -> Self {
        match seconds {
            Some(s) => TimeoutInput::from(s),
            None => TimeoutInput(Setting::Value(TimeoutValue::Never)),
        }
    }
}

/// A length of time given as seconds (`f64`, or `u64` whole seconds, as the spec's numbers)
/// or as a [`Duration`]: what the builders' `pool_timeout` and `deadline` take, and
/// [`Retry`](crate::retry::Retry)'s bounds on waits (`backoff_max`, `backoff_jitter`,
/// `retry_after_max`).
///
/// A number that is no length of time (negative, NaN, infinite, or too large for a
/// `Duration`) is kept as given, so that the setter can name it in its error.
///
/// ```
/// use std::time::Duration;
/// use hip_core::timeout::Seconds;
///
/// assert_eq!(Seconds::from(1.5).duration(), Some(Duration::from_millis(1500)));
/// assert_eq!(Seconds::from(2).duration(), Some(Duration::from_secs(2)));
/// assert_eq!(Seconds::from(Duration::from_millis(250)).as_secs_f64(), 0.25);
/// assert_eq!(Seconds::from(-1.0).duration(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seconds(SecondsRepr);

#[derive(Debug, Clone, Copy, PartialEq)]
enum SecondsRepr {
    /// Seconds as given, kept exactly (an invalid number too, to be named).
    Float(f64),
    Duration(Duration),
}

impl Seconds {
    /// The length of time; `None` when the number given was negative, NaN, infinite or too
    /// large for a `Duration`.
    pub fn duration(self) -> Option<Duration> {
        match self.0 {
            SecondsRepr::Float(x) => Duration::try_from_secs_f64(x).ok(),
            SecondsRepr::Duration(d) => Some(d),
        }
    }

    /// The number of seconds: exactly the number given, or the `Duration`'s.
    pub fn as_secs_f64(self) -> f64 {
        match self.0 {
            SecondsRepr::Float(x) => x,
            SecondsRepr::Duration(d) => d.as_secs_f64(),
        }
    }
}

impl From<f64> for Seconds {
    fn from(seconds: f64) -> Self {
        Seconds(SecondsRepr::Float(seconds))
    }
}

impl From<u64> for Seconds {
    fn from(seconds: u64) -> Self {
        Seconds(SecondsRepr::Duration(Duration::from_secs(seconds)))
    }
}

impl From<Duration> for Seconds {
    fn from(d: Duration) -> Self {
        Seconds(SecondsRepr::Duration(d))
    }
}

impl fmt::Display for Seconds {
    /// The number of seconds, as the spec shows it (`2.5`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_secs_f64())
    }
}

/// The spec's `Timeout(total=None, connect=DEFAULT_TIMEOUT, read=DEFAULT_TIMEOUT)`.
///
/// - `connect`: how long a connection attempt (name resolution, TCP connect, TLS and proxy
///   handshakes) may take.
/// - `read`: how long to wait for each read from the server (not for the whole response).
/// - `total`: connect and read together: the read timeout becomes what is left of `total`
///   after connecting. When `total` and `connect` (or `read`) are both set, the shorter
///   applies.
///
/// Every setting takes seconds (`2.5`, `3`) or a [`Duration`], and so does every builder's
/// `timeout(...)` (a plain number or `Duration` is [`Timeout::from_float`]).
///
/// ```
/// use std::time::Duration;
/// use hip_core::timeout::{Timeout, TimeoutValue};
///
/// let t = Timeout::new().connect(Duration::from_millis(500)).read(2.0);
/// assert_eq!(t, Timeout::new().connect(0.5).read(2.0));
/// let t = Timeout::new().connect(1.0).read(2.0);
/// assert_eq!(t.to_string(), "Timeout(connect=1.0, read=2.0, total=None)");
/// assert_eq!(t.connect_timeout(), TimeoutValue::After(Duration::from_secs(1)));
///
/// // timeout=2.5: the same limit for connect and read.
/// assert_eq!(Timeout::from(2.5).to_string(), "Timeout(connect=2.5, read=2.5, total=None)");
///
/// // Invalid numbers are reported by validate().
/// let err = Timeout::new().connect(-1.0).validate().unwrap_err();
/// assert_eq!(err.kind(), hip_core::ErrorKind::InvalidValue);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timeout {
    total: Setting,
    connect: Setting,
    read: Setting,
    started: Option<Instant>,
}

impl Timeout {
    /// The spec's `Timeout.DEFAULT_TIMEOUT` (see [`TimeoutValue::Default`]).
    pub const DEFAULT_TIMEOUT: TimeoutValue = TimeoutValue::Default;

    /// `Timeout()`: no total, connect and read at [`TimeoutValue::Default`].
    pub fn new() -> Timeout {
        Timeout {
            total: Setting::Value(TimeoutValue::Never),
            connect: Setting::Value(TimeoutValue::Default),
            read: Setting::Value(TimeoutValue::Default),
            started: None,
        }
    }

    /// `Timeout(total, connect, read)`, checked.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming the first invalid setting (see
    /// [`Timeout::validate`]).
    pub fn try_new(
        total: impl Into<TimeoutInput>,
        connect: impl Into<TimeoutInput>,
        read: impl Into<TimeoutInput>,
    ) -> Result<Timeout, Error> {
        let t = Timeout::new().total(total).connect(connect).read(read);
        t.validate()?;
        Ok(t)
    }

    /// The spec's `Timeout.from_float(timeout)`: the same value for connect and read, no
    /// total. This is what a plain number given as a request's `timeout` means.
    pub fn from_float(timeout: impl Into<TimeoutInput>) -> Timeout {
        let TimeoutInput(setting) = timeout.into();
        Timeout {
            total: Setting::Value(TimeoutValue::Never),
            connect: setting,
            read: setting,
            started: None,
        }
    }

    /// Sets `total`.
    pub fn total(mut self, total: impl Into<TimeoutInput>) -> Timeout {
        self.total = total.into().0;
        self
    }

    /// Sets `connect`.
    pub fn connect(mut self, connect: impl Into<TimeoutInput>) -> Timeout {
        self.connect = connect.into().0;
        self
    }

    /// Sets `read`.
    pub fn read(mut self, read: impl Into<TimeoutInput>) -> Timeout {
        self.read = read.into().0;
        self
    }

    /// Checks every setting, in the spec's order (connect, read, total).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming the setting and its value when it was zero,
    /// negative, NaN or infinite, e.g. `Timeout value connect was -1.0, but it must be a
    /// positive, finite number of seconds (or None for no timeout)`.
    pub fn validate(&self) -> Result<(), Error> {
        self.connect.check("connect")?;
        self.read.check("read")?;
        self.total.check("total")
    }

    /// The `total` setting (an invalid one reads as [`TimeoutValue::Default`]; see
    /// [`Timeout::validate`]).
    pub fn total_value(&self) -> TimeoutValue {
        self.total.value()
    }

    /// The `connect` setting as given (the spec's `_connect`); what to use for connecting is
    /// [`Timeout::connect_timeout`].
    pub fn connect_value(&self) -> TimeoutValue {
        self.connect.value()
    }

    /// The `read` setting as given (the spec's `_read`); what to use for reading is
    /// [`Timeout::read_timeout`].
    pub fn read_value(&self) -> TimeoutValue {
        self.read.value()
    }

    /// When [`Timeout::start_connect`] was called, if it was.
    pub fn started_at(&self) -> Option<Instant> {
        self.started
    }

    /// The spec's `clone()`: a copy of the settings with the clock not started, for one
    /// request. (`Clone::clone` copies the clock too.)
    pub fn clone_fresh(&self) -> Timeout {
        Timeout {
            started: None,
            ..*self
        }
    }

    /// The spec's `start_connect()`: starts the clock at `now` and returns it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TimeoutState`] when the clock was already started.
    pub fn start_connect(&mut self, now: Instant) -> Result<Instant, Error> {
        if let Some(started) = self.started {
            return Err(Error::new(
                ErrorKind::TimeoutState,
                format!("Timeout timer has already been started (at {started:?})."),
            ));
        }
        self.started = Some(now);
        Ok(now)
    }

    /// The spec's `get_connect_duration()`: the time from [`Timeout::start_connect`] to `now`
    /// (zero if `now` is earlier).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TimeoutState`] when the clock was not started.
    pub fn get_connect_duration(&self, now: Instant) -> Result<Duration, Error> {
        match self.started {
            Some(started) => Ok(now.saturating_duration_since(started)),
            None => Err(Error::new(
                ErrorKind::TimeoutState,
                "Can't get connect duration for timer that has not started.",
            )),
        }
    }

    /// The spec's `connect_timeout`: the limit for connecting. Without a `total` it is
    /// `connect`; with one, `total` when `connect` is `None` or default, else the shorter of
    /// the two.
    pub fn connect_timeout(&self) -> TimeoutValue {
        let total = self.total.value();
        let connect = self.connect.value();
        match (total, connect) {
            (TimeoutValue::After(t), TimeoutValue::After(c)) => TimeoutValue::After(t.min(c)),
            (TimeoutValue::After(_), _) => total,
            _ => connect,
        }
    }

    /// The spec's `read_timeout`: the limit for each read, given that it is `now`.
    ///
    /// Without a `total` it is `read`. With one, it is what is left of `total` after the time
    /// connecting took (never below zero), or the shorter of that and `read` when `read` is
    /// set too. When both are set and the clock was never started, it is `read`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TimeoutState`] when `total` is set, `read` is not, and the clock was not
    /// started ([`Timeout::start_connect`]).
    pub fn read_timeout(&self, now: Instant) -> Result<TimeoutValue, Error> {
        let total = self.total.value();
        let read = self.read.value();
        match (total, read) {
            (TimeoutValue::After(t), TimeoutValue::After(r)) => {
                if self.started.is_none() {
                    return Ok(read);
                }
                let left = t.saturating_sub(self.get_connect_duration(now)?);
                Ok(TimeoutValue::After(left.min(r)))
            }
            (TimeoutValue::After(t), _) => {
                let left = t.saturating_sub(self.get_connect_duration(now)?);
                Ok(TimeoutValue::After(left))
            }
            _ => Ok(read),
        }
    }

    /// True when any of the three settings is an actual limit.
    pub fn has_limit(&self) -> bool {
        self.total.value().is_set() || self.connect.value().is_set() || self.read.value().is_set()
    }
}

impl Default for Timeout {
    /// [`Timeout::new`].
    fn default() -> Self {
        Timeout::new()
    }
}

impl From<f64> for Timeout {
    /// `timeout=2.5`: [`Timeout::from_float`].
    fn from(seconds: f64) -> Self {
        Timeout::from_float(seconds)
    }
}

impl From<u64> for Timeout {
    /// `timeout=3`: [`Timeout::from_float`].
    fn from(seconds: u64) -> Self {
        Timeout::from_float(seconds)
    }
}

impl From<Duration> for Timeout {
    /// [`Timeout::from_float`] with a `Duration`.
    fn from(d: Duration) -> Self {
        Timeout::from_float(d)
    }
}

impl From<TimeoutValue> for Timeout {
    /// [`Timeout::from_float`]: `DEFAULT_TIMEOUT`, `None` or a number for connect and read.
    fn from(v: TimeoutValue) -> Self {
        Timeout::from_float(v)
    }
}

impl From<Option<f64>> for Timeout {
    /// `timeout=None` (no timeouts at all) or `timeout=2.5`.
    fn from(seconds: Option<f64>) -> Self {
        Timeout::from_float(seconds)
    }
}

impl fmt::Display for Timeout {
    /// The spec's str: `Timeout(connect=1.0, read=2.0, total=None)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Timeout(connect={}, read={}, total={})",
            self.connect, self.read, self.total
        )
    }
}
