//! Per-request phase timings: how long each phase of one request took to finish, counted
//! from the start of the request, as curl's `CURLINFO_*_TIME` values are.
//!
//! [`Timings`] is plain data: hip-core reads no clock. The driver (hip-async) takes the
//! readings and fills it in; responses carry one (`r.timings()`), and so does each entry of
//! a retry's history ([`RequestHistory::timings`](crate::retry::RequestHistory::timings)).

use std::fmt;
use std::time::Duration;

/// The phases of one request, in the order they end. Each has the name curl gives the
/// same moment in its `-w` variables, where curl has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Name resolution ended: the host's addresses (or, through a proxy, the proxy's) were
    /// known. curl's `time_namelookup`. Present for IP literals too (no lookup, nearly 0);
    /// absent when a custom connector (hip-async's `Connector`) does not resolve with
    /// `ConnectOptions::lookup`.
    Dns,
    /// The TCP connection was established, to the host or to the proxy (the connector
    /// returned). curl's `time_connect`.
    Connect,
    /// The proxy was ready to carry the request: TLS to an `https://` proxy done, the
    /// CONNECT tunnel's `200` read, or the SOCKS negotiation done. Absent without a proxy,
    /// and for `http://` URLs forwarded by a plain `http://` proxy (nothing happens after
    /// the TCP connect). curl has no variable of its own for it.
    Proxy,
    /// The TLS handshake with the host ended. curl's `time_appconnect`.
    Tls,
    /// The connection was ready and the request about to be written: right after the
    /// connection phases, or, on a reused connection, once the pool handed it over. curl's
    /// `time_pretransfer`.
    Pretransfer,
    /// The last byte of the request (head and body) was written to the socket. curl's
    /// `time_posttransfer`.
    RequestWritten,
    /// The first byte of the response arrived. curl's `time_starttransfer` (time to first
    /// byte).
    FirstByte,
    /// The response body had been read to its end: the whole request took this long.
    /// curl's `time_total`. Absent while (or if) the body is still unread: read it (the
    /// default `preload_content` does) and ask again.
    BodyComplete,
}

impl Phase {
    /// Every phase, in the order they end.
    pub const ALL: [Phase; 8] = [
        Phase::Dns,
        Phase::Connect,
        Phase::Proxy,
        Phase::Tls,
        Phase::Pretransfer,
        Phase::RequestWritten,
        Phase::FirstByte,
        Phase::BodyComplete,
    ];

    /// The phase's name, as [`Timings`]' accessor is named: `dns`, `connect`, `proxy`,
    /// `tls`, `pretransfer`, `request_written`, `first_byte`, `body_complete`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Dns => "dns",
            Phase::Connect => "connect",
            Phase::Proxy => "proxy",
            Phase::Tls => "tls",
            Phase::Pretransfer => "pretransfer",
            Phase::RequestWritten => "request_written",
            Phase::FirstByte => "first_byte",
            Phase::BodyComplete => "body_complete",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// When each [`Phase`] of one request (one attempt on one connection) ended, measured from
/// the start of the request, as curl's `-w` times are (`time_namelookup`, `time_connect`,
/// `time_appconnect`, `time_pretransfer`, `time_posttransfer`, `time_starttransfer`,
/// `time_total`).
///
/// The request starts when the attempt has its pool slot and looks for a connection, so
/// with `block(true)` the wait for a free slot is not counted. A phase that did not happen
/// is `None`: on a reused connection ([`Timings::reused`]) every connection phase, without
/// a proxy [`Timings::proxy`], over plain HTTP [`Timings::tls`], and
/// [`Timings::body_complete`] until the body has been read to its end.
///
/// Phases that happened are in [`Phase::ALL`]'s order, each at least the one before. The
/// one exception: a server that answers before it has read the whole request (an early
/// `413`) gives a `first_byte` before `request_written`.
///
/// HTTP/1.1 only, as hip is. Measuring costs a few clock reads per request and no
/// allocation; the value is 72 bytes (nanoseconds, up to some 584 years a phase; hip
/// measures the connection phases to the microsecond, the others to the nanosecond).
///
/// ```
/// use std::time::Duration;
/// use hip_core::timings::{Phase, Timings};
///
/// let mut t = Timings::default();
/// t.set(Phase::Connect, Duration::from_millis(3));
/// assert_eq!(t.connect(), Some(Duration::from_millis(3)));
/// assert_eq!(t.tls(), None);
/// assert_eq!(t.num_connects(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timings {
    reused: bool,
    /// Nanoseconds per phase, in [`Phase::ALL`]'s order; [`NONE`] for a phase that did not
    /// happen.
    nanos: [u64; 8],
}

/// The stored value of a phase that did not happen.
const NONE: u64 = u64::MAX;

impl Default for Timings {
    /// A new connection with no phase measured.
    fn default() -> Self {
        Timings {
            reused: false,
            nanos: [NONE; 8],
        }
    }
}

impl fmt::Debug for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Timings");
        s.field("reused", &self.reused);
        for (phase, d) in self.phases() {
            s.field(phase.name(), &d);
        }
        s.finish()
    }
}

impl Timings {
    /// When `phase` ended, from the start of the request; `None` if it did not happen (or
    /// has not yet).
    pub fn get(&self, phase: Phase) -> Option<Duration> {
        match self.nanos[phase.index()] {
            NONE => None,
            n => Some(Duration::from_nanos(n)),
        }
    }

    /// Records that `phase` ended `at` after the start (longer than some 584 years counts as
    /// that).
    pub fn set(&mut self, phase: Phase, at: Duration) {
        self.nanos[phase.index()] =
            u64::try_from(at.as_nanos()).map_or(NONE - 1, |n| n.min(NONE - 1));
    }

    /// The request went out on a connection that had carried a request before (curl's
    /// `num_connects` is 0): no connection phase happened.
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// Sets [`Timings::reused`].
    pub fn set_reused(&mut self, reused: bool) {
        self.reused = reused;
    }

    /// [`Phase::Dns`]: name resolution ended. curl's `time_namelookup`.
    pub fn dns(&self) -> Option<Duration> {
        self.get(Phase::Dns)
    }

    /// [`Phase::Connect`]: the TCP connection (to the host or proxy) was established.
    /// curl's `time_connect`.
    pub fn connect(&self) -> Option<Duration> {
        self.get(Phase::Connect)
    }

    /// [`Phase::Proxy`]: the proxy was ready to carry the request (TLS to it, CONNECT,
    /// SOCKS).
    pub fn proxy(&self) -> Option<Duration> {
        self.get(Phase::Proxy)
    }

    /// [`Phase::Tls`]: the TLS handshake with the host ended. curl's `time_appconnect`.
    pub fn tls(&self) -> Option<Duration> {
        self.get(Phase::Tls)
    }

    /// [`Phase::Pretransfer`]: the request was about to be written. curl's
    /// `time_pretransfer`.
    pub fn pretransfer(&self) -> Option<Duration> {
        self.get(Phase::Pretransfer)
    }

    /// [`Phase::RequestWritten`]: the whole request was written. curl's
    /// `time_posttransfer`.
    pub fn request_written(&self) -> Option<Duration> {
        self.get(Phase::RequestWritten)
    }

    /// [`Phase::FirstByte`]: the first response byte arrived. curl's `time_starttransfer`.
    pub fn first_byte(&self) -> Option<Duration> {
        self.get(Phase::FirstByte)
    }

    /// [`Phase::BodyComplete`]: the body was read to its end. curl's `time_total`.
    pub fn body_complete(&self) -> Option<Duration> {
        self.get(Phase::BodyComplete)
    }

    /// Every phase with when it ended, in order: for logs and for checking their order.
    pub fn phases(&self) -> [(Phase, Option<Duration>); 8] {
        Phase::ALL.map(|p| (p, self.get(p)))
    }

    /// Whether a new connection was opened for this request: curl's `num_connects` (0 or
    /// 1 for one request).
    pub fn num_connects(&self) -> u32 {
        u32::from(!self.reused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_listed_in_the_order_they_happen() {
        let mut t = Timings::default();
        assert!(t.phases().iter().all(|(_, d)| d.is_none()));
        t.set(Phase::Dns, Duration::from_millis(1));
        t.set(Phase::BodyComplete, Duration::from_millis(9));
        let names: Vec<&str> = t.phases().iter().map(|(p, _)| p.name()).collect();
        assert_eq!(
            names,
            [
                "dns",
                "connect",
                "proxy",
                "tls",
                "pretransfer",
                "request_written",
                "first_byte",
                "body_complete"
            ]
        );
        assert_eq!(t.dns(), Some(Duration::from_millis(1)));
        assert_eq!(t.body_complete(), Some(Duration::from_millis(9)));
        assert_eq!(t.connect(), None);
        assert_eq!(t.num_connects(), 1);
        t.set_reused(true);
        assert!(t.reused());
        assert_eq!(t.num_connects(), 0);
    }

    #[test]
    fn every_duration_is_kept_and_the_absurd_ones_saturate() {
        let mut t = Timings::default();
        for d in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_secs(86_400 * 365),
        ] {
            t.set(Phase::FirstByte, d);
            assert_eq!(t.first_byte(), Some(d));
        }
        t.set(Phase::FirstByte, Duration::MAX);
        assert_eq!(t.first_byte(), Some(Duration::from_nanos(u64::MAX - 1)));
    }

    #[test]
    fn debug_shows_each_phase_by_name() {
        let mut t = Timings::default();
        t.set(Phase::Tls, Duration::from_micros(5));
        let shown = format!("{t:?}");
        assert!(
            shown.starts_with("Timings { reused: false, dns: None,"),
            "{shown}"
        );
        assert!(shown.contains("tls: Some(5µs)"), "{shown}");
    }
}
