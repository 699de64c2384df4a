//! When the phases of opening a connection ended: name resolution, TCP connect, the proxy's
//! handshake, TLS to the host.
//!
//! The pool opens a connection inside [`recorded`], and the code that finishes a phase calls
//! [`stamp`] with it. The readings travel in a tokio task-local rather than as an argument
//! because name resolution happens inside the [`Connector`](super::Connector), a trait users
//! implement: [`ConnectOptions::lookup`](super::ConnectOptions::lookup), which the default
//! connector (and any connector that wants hip's resolution) calls, stamps the end of the
//! lookup without the trait having to carry a clock. Outside [`recorded`] (the `util`
//! helpers) a stamp does nothing; a connector that resolves in a task of its own leaves the
//! DNS phase unknown.
//!
//! A phase stamped twice keeps the later reading: TLS to an `https://` proxy and then its
//! CONNECT answer both end the proxy phase; a `socks5://` proxy's destination is resolved
//! before the proxy's own name.

use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

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

tokio::task_local! {
    static STAMPS: Cell<ConnectStamps>;
}

/// Records the end of `phase` now, if a connection is being opened inside [`recorded`].
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

/// Runs `open` (the opening of one connection) and returns what it gave with the phases
/// stamped meanwhile.
pub(crate) async fn recorded<F: Future>(open: F) -> (F::Output, ConnectStamps) {
    STAMPS
        .scope(Cell::new(ConnectStamps::default()), async move {
            let out = open.await;
            (out, STAMPS.with(Cell::get))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stamps_are_kept_inside_recorded_and_ignored_outside() {
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
