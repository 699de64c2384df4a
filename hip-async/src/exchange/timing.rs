//! The per-request timings ([`Timings`]) and the `tracing` span of each attempt.
//!
//! Where the readings come from, so that a keep-alive request on a reused connection reads
//! the clock no more often than before plus one:
//!
//! | phase | reading |
//! | --- | --- |
//! | start | the pool's checkout (read there already, for the connect timeout and idle expiry) |
//! | `dns` ... `tls` | stamped once when the connection was opened (`transport::timing`), handed to the first request only |
//! | `pretransfer` | the reading the read timeout is computed from |
//! | `request_written` | one reading after the last write (the one new reading) |
//! | `first_byte` | the first read that returns response bytes (replaces a flag) |
//! | `body_complete` | the end of the body, also the time the connection goes back to the pool (which read its own clock before) |
//!
//! The span is `hip::request` at DEBUG level, one per attempt, with the method and URL; the
//! phases are recorded on it as fields (seconds, `f64`) once the response head has arrived,
//! and `body_complete` when the body ends. With no subscriber interested it is a disabled
//! span and recording is skipped.

use std::time::{Duration, Instant};

use hip_core::retry::Retry;
use hip_core::Timings;
use tracing::field::Empty;
use tracing::Span;

use crate::transport::timing::ConnectStamps;

/// `at` as a duration since `start` (zero if the clock seems to have gone back).
pub(crate) fn since(start: Instant, at: Instant) -> Duration {
    at.saturating_duration_since(start)
}

/// The timings of a request that started at `start`, with the opening phases of its
/// connection when it opened one (`setup`), or marked reused when it did not.
pub(crate) fn opening(start: Instant, setup: Option<ConnectStamps>) -> Timings {
    let mut t = Timings::default();
    match setup {
        None => t.reused = true,
        Some(s) => {
            let at = |i: Option<Instant>| i.map(|i| since(start, i));
            t.dns = at(s.dns);
            t.connect = at(s.connect);
            t.proxy = at(s.proxy);
            t.tls = at(s.tls);
        }
    }
    t
}

/// The span of one attempt: `hip::request{method, url}` with an empty field for each phase.
pub(crate) fn span(method: &str, url: &str) -> Span {
    tracing::debug_span!(
        target: "hip::request",
        "request",
        method,
        url,
        reused = Empty,
        dns = Empty,
        connect = Empty,
        proxy = Empty,
        tls = Empty,
        pretransfer = Empty,
        request_written = Empty,
        first_byte = Empty,
        body_complete = Empty,
    )
}

/// Records the phases known in `t` on `span` (nothing when no subscriber wants it).
pub(crate) fn record(span: &Span, t: &Timings) {
    if span.is_disabled() {
        return;
    }
    span.record("reused", t.reused);
    for (name, d) in t.phases() {
        if let Some(d) = d {
            span.record(name, d.as_secs_f64());
        }
    }
}

/// `retries` with `timings` on its last history entry (the attempt `increment` just counted).
pub(crate) fn on_last_entry(mut retries: Retry, timings: Option<Timings>) -> Retry {
    if let Some(last) = retries.history.last_mut() {
        last.timings = timings;
    }
    retries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_connection_reports_its_phases_and_a_reused_one_none() {
        let start = Instant::now();
        let later = start + Duration::from_millis(5);
        let stamps = ConnectStamps {
            dns: Some(start + Duration::from_millis(1)),
            connect: Some(start + Duration::from_millis(2)),
            proxy: None,
            tls: Some(later),
        };
        let t = opening(start, Some(stamps));
        assert!(!t.reused);
        assert_eq!(t.dns, Some(Duration::from_millis(1)));
        assert_eq!(t.connect, Some(Duration::from_millis(2)));
        assert_eq!(t.proxy, None);
        assert_eq!(t.tls, Some(Duration::from_millis(5)));
        let reused = opening(later, None);
        assert!(reused.reused);
        assert_eq!(
            reused.phases().iter().filter(|(_, d)| d.is_some()).count(),
            0
        );
        // A stamp from before the start (cannot happen, but never panics).
        assert_eq!(since(later, start), Duration::ZERO);
    }

    #[test]
    fn timings_go_on_the_last_history_entry() {
        let r = Retry::new(3).increment(Some("GET"), Some("/a"), None, None);
        let r = r
            .unwrap()
            .increment(Some("GET"), Some("/b"), None, None)
            .unwrap();
        let mut t = Timings::default();
        t.first_byte = Some(Duration::from_millis(3));
        let r = on_last_entry(r, Some(t));
        assert_eq!(r.history[0].timings, None);
        assert_eq!(r.history[1].timings, Some(t));
    }
}
