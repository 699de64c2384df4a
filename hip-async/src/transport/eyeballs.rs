//! Happy Eyeballs v2 (RFC 8305): connecting to a host that has several addresses.
//!
//! Trying addresses one after another fails badly when the first one is black-holed (a
//! firewall that drops SYNs, a broken IPv6 route): the attempt waits out the whole connect
//! timeout and the address that works is never tried. RFC 8305 races them instead:
//!
//! 1. the addresses are put in order by family, alternating, IPv6 first when the host has
//!    both (§4), each family in the resolver's order;
//! 2. the first attempt starts at once; each next one starts when the previous has had
//!    the connection-attempt delay to itself (§5; 250 ms by default), or at once when an
//!    attempt fails;
//! 3. the first connection made wins; the attempts still running are dropped, which closes
//!    their sockets;
//! 4. when every attempt has failed, one error names every address tried with its error.
//!
//! The caller's connect timeout bounds the whole race. Resolution is not raced (§3's
//! separate AAAA and A queries): the system resolver answers both families at once.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::task::Poll;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};

/// Puts `addrs` in the order they are tried: duplicates dropped, families alternating, IPv6
/// first when there are both, each family in the order given.
pub(crate) fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    if addrs.len() < 2 {
        return addrs;
    }
    let mut v6 = Vec::new();
    let mut v4 = Vec::new();
    for addr in addrs {
        let family = if addr.is_ipv6() { &mut v6 } else { &mut v4 };
        if !family.contains(&addr) {
            family.push(addr);
        }
    }
    let mut ordered = Vec::with_capacity(v6.len() + v4.len());
    let (mut v6, mut v4) = (v6.into_iter(), v4.into_iter());
    loop {
        match (v6.next(), v4.next()) {
            (None, None) => return ordered,
            (a, b) => ordered.extend(a.into_iter().chain(b)),
        }
    }
}

/// Races `attempt` over `addrs` (already in order, at least one) as RFC 8305 says: the next
/// attempt starts after `delay`, or at once when one fails; the first success wins and the
/// other attempts are dropped. When every attempt fails, the error names `host` and each
/// address with its error.
pub(crate) async fn race<T, F, Fut>(
    host: &str,
    addrs: Vec<SocketAddr>,
    delay: Duration,
    attempt: F,
) -> io::Result<T>
where
    F: Fn(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let total = addrs.len();
    if let [addr] = addrs[..] {
        // Nothing to race: no attempt delay, no set of attempts.
        return attempt(addr).await.map_err(|e| {
            tracing::debug!(target: "hip::connect", host, %addr, error = %e, "connect attempt failed");
            all_failed(host, vec![(addr, e)])
        });
    }
    let mut waiting = addrs.into_iter().enumerate();
    let mut running = FuturesUnordered::new();
    let start = |(i, addr): (usize, SocketAddr)| {
        if total > 1 {
            tracing::trace!(target: "hip::connect", host, %addr, "connect attempt {} of {total}", i + 1);
        }
        let fut = attempt(addr);
        async move { (i, addr, fut.await) }
    };
    let mut failures: Vec<(usize, SocketAddr, io::Error)> = Vec::new();
    if let Some(first) = waiting.next() {
        running.push(start(first));
    }
    let mut next_start = std::pin::pin!(tokio::time::sleep(delay));
    loop {
        // The first of: an attempt finishing, or the delay before the next one running out
        // (only while addresses are waiting). Neither left: every attempt failed.
        let step = std::future::poll_fn(|cx| {
            match running.poll_next_unpin(cx) {
                Poll::Ready(Some(done)) => return Poll::Ready(Some(done)),
                Poll::Ready(None) if waiting.len() == 0 => return Poll::Ready(None),
                _ => {}
            }
            if waiting.len() > 0 && next_start.as_mut().poll(cx).is_ready() {
                let next = waiting.next().map(&start);
                if let Some(fut) = next {
                    running.push(fut);
                }
                next_start.as_mut().reset(after(delay));
                // Poll the new attempt (and the timer) again at once.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await;
        let Some((i, addr, result)) = step else {
            break;
        };
        match result {
            Ok(io) => {
                if i > 0 || !failures.is_empty() {
                    tracing::debug!(target: "hip::connect", host, %addr, "connected (attempt {} of {total})", i + 1);
                }
                return Ok(io);
            }
            Err(e) => {
                tracing::debug!(target: "hip::connect", host, %addr, error = %e, "connect attempt failed");
                failures.push((i, addr, e));
                // A failure hands its turn to the next address at once (section 5).
                if let Some(next) = waiting.next() {
                    running.push(start(next));
                    next_start.as_mut().reset(after(delay));
                }
            }
        }
    }
    failures.sort_by_key(|(i, _, _)| *i);
    Err(all_failed(
        host,
        failures.into_iter().map(|(_, a, e)| (a, e)).collect(),
    ))
}

/// The error of a race that no attempt won: [`AttemptsFailed`], of the kind of the first
/// attempt's error.
fn all_failed(host: &str, failures: Vec<(SocketAddr, io::Error)>) -> io::Error {
    let kind = failures
        .first()
        .map_or(io::ErrorKind::NotFound, |(_, e)| e.kind());
    io::Error::new(
        kind,
        AttemptsFailed {
            host: host.to_owned(),
            failures,
        },
    )
}

/// The instant `delay` from now; a delay too long to add (`Duration::MAX`) is some thirty
/// years, which is never.
fn after(delay: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(delay)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 3600))
}

/// Every connect attempt to a host failed: each address tried, in order, with its error.
/// The first attempt's error is the source.
#[derive(Debug)]
pub(crate) struct AttemptsFailed {
    host: String,
    failures: Vec<(SocketAddr, io::Error)>,
}

impl fmt::Display for AttemptsFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failures.as_slice() {
            [] => write!(f, "no addresses to connect to for {:?}", self.host),
            [(addr, e)] => write!(f, "connecting to {:?} at {addr} failed: {e}", self.host),
            all => {
                write!(
                    f,
                    "connecting to {:?} failed at all {} addresses: ",
                    self.host,
                    all.len()
                )?;
                for (i, (addr, e)) in all.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{addr}: {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for AttemptsFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.failures
            .first()
            .map(|(_, e)| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn families_alternate_ipv6_first_in_the_resolver_order() {
        assert_eq!(
            interleave(addrs(&["127.0.0.1:1", "127.0.0.2:1", "[::1]:1", "[::2]:1"])),
            addrs(&["[::1]:1", "127.0.0.1:1", "[::2]:1", "127.0.0.2:1"])
        );
        assert_eq!(
            interleave(addrs(&["[::1]:1", "[::2]:1", "[::3]:1", "127.0.0.1:1"])),
            addrs(&["[::1]:1", "127.0.0.1:1", "[::2]:1", "[::3]:1"])
        );
        assert_eq!(
            interleave(addrs(&["127.0.0.2:1", "127.0.0.1:1"])),
            addrs(&["127.0.0.2:1", "127.0.0.1:1"])
        );
        assert_eq!(
            interleave(addrs(&["[::1]:1", "127.0.0.1:1", "[::1]:1", "127.0.0.1:1"])),
            addrs(&["[::1]:1", "127.0.0.1:1"])
        );
        assert!(interleave(Vec::new()).is_empty());
    }

    /// A scripted attempt: how long it takes and whether it connects.
    fn scripted(
        script: &[(&str, u64, bool)],
    ) -> impl Fn(SocketAddr) -> futures_util::future::BoxFuture<'static, io::Result<SocketAddr>>
    {
        let script: Vec<(SocketAddr, u64, bool)> = script
            .iter()
            .map(|(a, ms, ok)| (a.parse().unwrap(), *ms, *ok))
            .collect();
        move |addr| {
            let (_, ms, ok) = *script.iter().find(|(a, _, _)| *a == addr).unwrap();
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                if ok {
                    Ok(addr)
                } else {
                    Err(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"))
                }
            })
        }
    }

    #[tokio::test]
    async fn a_hanging_first_address_does_not_hold_up_the_second() {
        let list = addrs(&["[::1]:1", "127.0.0.1:1"]);
        let attempt = scripted(&[("[::1]:1", 60_000, true), ("127.0.0.1:1", 0, true)]);
        let started = Instant::now();
        let won = race("h", list, Duration::from_millis(50), attempt)
            .await
            .unwrap();
        assert_eq!(won, "127.0.0.1:1".parse().unwrap());
        // About the attempt delay; far from the hanging attempt's minute.
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_failure_starts_the_next_attempt_without_waiting_for_the_delay() {
        let list = addrs(&["[::1]:1", "127.0.0.1:1"]);
        let attempt = scripted(&[("[::1]:1", 0, false), ("127.0.0.1:1", 0, true)]);
        let started = Instant::now();
        let won = race("h", list, Duration::from_secs(60), attempt)
            .await
            .unwrap();
        assert_eq!(won, "127.0.0.1:1".parse().unwrap());
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn an_attempt_delay_too_long_to_add_is_no_panic() {
        let list = addrs(&["[::1]:1", "127.0.0.1:1", "127.0.0.2:1"]);
        let attempt = scripted(&[
            ("[::1]:1", 0, false),
            ("127.0.0.1:1", 0, false),
            ("127.0.0.2:1", 0, true),
        ]);
        let won = race("h", list, Duration::MAX, attempt).await.unwrap();
        assert_eq!(won, "127.0.0.2:1".parse().unwrap());
    }

    #[tokio::test]
    async fn the_first_address_wins_when_it_answers_within_the_delay() {
        let order = Mutex::new(Vec::new());
        let list = addrs(&["[::1]:1", "127.0.0.1:1"]);
        let attempt = |addr: SocketAddr| {
            order.lock().unwrap().push(addr);
            async move { Ok::<_, io::Error>(addr) }
        };
        let won = race("h", list, Duration::from_secs(60), attempt)
            .await
            .unwrap();
        assert_eq!(won, "[::1]:1".parse().unwrap());
        assert_eq!(
            *order.lock().unwrap(),
            addrs(&["[::1]:1"]),
            "only one attempt"
        );
    }

    #[tokio::test]
    async fn every_failure_is_named_in_one_error_in_the_order_tried() {
        let list = addrs(&["[::1]:7", "127.0.0.1:7", "127.0.0.2:7"]);
        // The second fails first: the message still lists them in the order tried.
        let attempt = scripted(&[
            ("[::1]:7", 200, false),
            ("127.0.0.1:7", 0, false),
            ("127.0.0.2:7", 0, false),
        ]);
        let e = race("h.test", list, Duration::from_millis(10), attempt)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
        assert_eq!(
            e.to_string(),
            "connecting to \"h.test\" failed at all 3 addresses: [::1]:7: refused; \
             127.0.0.1:7: refused; 127.0.0.2:7: refused"
        );
        let one = race(
            "h.test",
            addrs(&["127.0.0.1:7"]),
            Duration::from_millis(10),
            scripted(&[("127.0.0.1:7", 0, false)]),
        )
        .await
        .unwrap_err();
        assert_eq!(
            one.to_string(),
            "connecting to \"h.test\" at 127.0.0.1:7 failed: refused"
        );
    }
}
