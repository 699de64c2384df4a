//! When the phases of opening a connection ended: name resolution, TCP connect, the proxy's
//! handshake, TLS to the host.
//!
//! The pool opens a connection inside [`scope`] (and reads the stamps with [`stamps`]), and
//! the code that finishes a phase calls [`stamp`] with it. The readings travel in a tokio task-local rather than as an argument
//! because name resolution happens inside the [`Connector`](super::Connector), a trait users
//! implement: [`ConnectOptions::lookup`](super::ConnectOptions::lookup), which the default
//! connector (and any connector that wants hip's resolution) calls, stamps the end of the
//! lookup without the trait having to carry a clock. Outside [`scope`] (the `util`
//! helpers) a stamp does nothing; a connector that resolves in a task of its own leaves the
//! DNS phase unknown.
//!
//! A phase stamped twice keeps the later reading: TLS to an `https://` proxy and then its
//! CONNECT answer both end the proxy phase; a `socks5://` proxy's destination is resolved
//! before the proxy's own name.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use hip_core::timings::{Phase as TimingPhase, Timings};
use tokio::task::futures::TaskLocalFuture;

/// The phases of opening a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The addresses to connect to are known.
    Dns,
    /// The connector returned a connection (TCP to the host or to the proxy).
    Connect,
    /// The proxy is ready to carry requests (TLS to it, CONNECT, SOCKS).
    Proxy,
    /// TLS to the host is done.
    Tls,
}

/// When each phase of opening one connection ended (`None`: it did not happen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConnectStamps {
    pub(crate) dns: Option<Instant>,
    pub(crate) connect: Option<Instant>,
    pub(crate) proxy: Option<Instant>,
    pub(crate) tls: Option<Instant>,
}

impl ConnectStamps {
    /// The connection phases of a request that started at `start` and opened this
    /// connection.
    pub(crate) fn since(self, start: Instant) -> Opened {
        let micros = |at: Option<Instant>| {
            at.map_or(Opened::NONE, |at| {
                let us = at.saturating_duration_since(start).as_micros();
                u32::try_from(us).map_or(Opened::NONE - 1, |us| us.min(Opened::NONE - 1))
            })
        };
        Opened {
            micros: [
                micros(self.dns),
                micros(self.connect),
                micros(self.proxy),
                micros(self.tls),
            ],
        }
    }
}

/// The connection phases (DNS, connect, proxy, TLS) of the request that opened a
/// connection, in microseconds from its start ([`Opened::NONE`] for a phase that did not
/// happen; some 71 minutes at most). 16 bytes rather than [`Timings`]' 72, because every
/// response carries one through each of its moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opened {
    micros: [u32; 4],
}

impl Opened {
    /// A phase that did not happen.
    const NONE: u32 = u32::MAX;

    /// The phases as [`Timings`] of a request on a new connection, the others still to
    /// come.
    pub(crate) fn timings(self) -> Timings {
        let mut t = Timings::default();
        let phases = [
            TimingPhase::Dns,
            TimingPhase::Connect,
            TimingPhase::Proxy,
            TimingPhase::Tls,
        ];
        for (phase, us) in phases.into_iter().zip(self.micros) {
            if us != Opened::NONE {
                t.set(phase, Duration::from_micros(u64::from(us)));
            }
        }
        t
    }
}

tokio::task_local! {
    static STAMPS: Cell<ConnectStamps>;
}

/// Records the end of `phase` now, if a connection is being opened inside [`scope`].
pub(crate) fn stamp(phase: Phase) {
    let _outside = STAMPS.try_with(|cell| {
        let mut stamps = cell.get();
        let now = Some(Instant::now());
        match phase {
            Phase::Dns => stamps.dns = now,
            Phase::Connect => stamps.connect = now,
            Phase::Proxy => stamps.proxy = now,
            Phase::Tls => stamps.tls = now,
        }
        cell.set(stamps);
    });
}

/// A connection being opened, with its phases stamped: [`scope`]'s future.
pub(crate) type Scoped<F> = TaskLocalFuture<Cell<ConnectStamps>, F>;

/// `open` (the opening of one connection), run so that the phases it stamps are kept: pin
/// it, run it to the end, then read them with [`stamps`].
///
/// Not an `async fn` wrapping `open`: that would hold the (large) connect future twice over
/// in every request future that might open a connection.
pub(crate) fn scope<F: Future>(open: F) -> Scoped<F> {
    STAMPS.scope(Cell::new(ConnectStamps::default()), open)
}

/// The phases stamped inside `scoped` (none once taken, or if it never ran).
pub(crate) fn stamps<F: Future>(scoped: Pin<&mut Scoped<F>>) -> ConnectStamps {
    scoped
        .take_value()
        .map(Cell::into_inner)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use super::*;

    /// Runs `open` in a scope and returns its output with the stamps.
    async fn recorded<F: Future>(open: F) -> (F::Output, ConnectStamps) {
        let mut scoped = pin!(scope(open));
        let out = scoped.as_mut().await;
        (out, stamps(scoped))
    }

    #[tokio::test]
    async fn stamps_are_kept_inside_the_scope_and_ignored_outside() {
        stamp(Phase::Dns);
        let ((), stamps) = recorded(async {
            stamp(Phase::Dns);
            tokio::task::yield_now().await;
            stamp(Phase::Connect);
            stamp(Phase::Tls);
        })
        .await;
        assert!(stamps.dns.is_some() && stamps.connect.is_some() && stamps.tls.is_some());
        assert_eq!(stamps.proxy, None);
        assert!(stamps.dns <= stamps.connect && stamps.connect <= stamps.tls);
        let (n, empty) = recorded(async { 7 }).await;
        assert_eq!((n, empty), (7, ConnectStamps::default()));
    }

    #[test]
    fn stamps_become_durations_since_the_start_of_the_request() {
        let start = Instant::now();
        let at = |ms| Some(start + std::time::Duration::from_millis(ms));
        let stamps = ConnectStamps {
            dns: at(1),
            connect: at(2),
            proxy: None,
            tls: at(5),
        };
        let t = stamps.since(start).timings();
        let ms = std::time::Duration::from_millis;
        assert!(!t.reused());
        assert_eq!(
            (t.dns(), t.connect(), t.proxy(), t.tls()),
            (Some(ms(1)), Some(ms(2)), None, Some(ms(5)))
        );
        assert_eq!(t.pretransfer(), None);
        // A stamp from before the start (cannot happen) is 0, not a panic.
        assert_eq!(stamps.since(start + ms(10)).timings().dns(), Some(ms(0)));
        // Microseconds, saturating at some 71 minutes.
        let late = ConnectStamps {
            tls: Some(start + std::time::Duration::from_secs(100_000)),
            ..stamps
        };
        let t = late.since(start).timings();
        assert_eq!(
            t.tls(),
            Some(std::time::Duration::from_micros(u64::from(u32::MAX - 1)))
        );
    }

    #[tokio::test]
    async fn a_phase_stamped_twice_keeps_the_later_reading() {
        let ((), stamps) = recorded(async {
            stamp(Phase::Proxy);
            let first = STAMPS.with(Cell::get).proxy;
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            stamp(Phase::Proxy);
            assert!(STAMPS.with(Cell::get).proxy > first);
        })
        .await;
        assert!(stamps.proxy.is_some());
    }
}
