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
//! | `request_written` | one reading after the last write (new) |
//! | `first_byte` | the first read that returns response bytes (new; it replaces a flag) |
//! | `body_complete` | the end of the body, also the time the connection goes back to the pool (which read its own clock before) |
//!
//! The readings are kept as they are ([`Readings`]) and become durations only when someone
//! asks: `timings()`, an enabled span, a retry's history.
//!
//! The span is `hip::request` at DEBUG level, one per attempt, with the method and URL; the
//! phases are recorded on it as fields (seconds, `f64`) once the response head has arrived,
//! and `body_complete` when the body ends. With no subscriber interested it is a disabled
//! span and recording is skipped.

use std::time::{Duration, Instant};

use hip_core::retry::Retry;
use hip_core::timings::{Phase, Timings};
use tracing::field::Empty;
use tracing::Span;

use crate::transport::timing::Opened;

/// `at` as a duration since `start` (zero if the clock seems to have gone back).
pub(crate) fn since(start: Instant, at: Instant) -> Duration {
    at.saturating_duration_since(start)
}

/// The clock readings of one request, kept as they were taken: turning them into
/// [`Timings`] (subtractions, on the hot path more work than reading the clock) waits until
/// someone asks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Readings {
    /// The checkout: where the timings start.
    pub(crate) start: Instant,
    /// The connection phases, already from `start`, for a connection opened for this
    /// request; `None` for a reused one.
    pub(crate) setup: Option<Opened>,
    /// The connection was ready (the reading the read timeout is computed from).
    pub(crate) ready: Instant,
    pub(crate) written: Option<Instant>,
    pub(crate) first_byte: Option<Instant>,
    pub(crate) body_complete: Option<Instant>,
}

impl Readings {
    /// The readings as durations from the start.
    pub(crate) fn timings(&self) -> Timings {
        let mut t = self.setup.map_or_else(
            || {
                let mut reused = Timings::default();
                reused.set_reused(true);
                reused
            },
            Opened::timings,
        );
        t.set(Phase::Pretransfer, since(self.start, self.ready));
        for (phase, at) in [
            (Phase::RequestWritten, self.written),
            (Phase::FirstByte, self.first_byte),
            (Phase::BodyComplete, self.body_complete),
        ] {
            if let Some(at) = at {
                t.set(phase, since(self.start, at));
            }
        }
        t
    }
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

/// Records the phases known in `readings` on `span` (nothing, not even the arithmetic, when
/// no subscriber wants it).
pub(crate) fn record(span: &Span, readings: &Readings) {
    if span.is_disabled() {
        return;
    }
    let t = readings.timings();
    span.record("reused", t.reused());
    for (phase, d) in t.phases() {
        if let Some(d) = d {
            span.record(phase.name(), d.as_secs_f64());
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
    use crate::transport::timing::ConnectStamps;

    #[test]
    fn readings_become_durations_from_the_start_when_asked() {
        let ms = Duration::from_millis;
        let start = Instant::now();
        let setup = ConnectStamps {
            connect: Some(start + ms(2)),
            ..ConnectStamps::default()
        };
        let mut r = Readings {
            start,
            setup: Some(setup.since(start)),
            ready: start + ms(3),
            written: Some(start + ms(4)),
            first_byte: Some(start + ms(6)),
            body_complete: None,
        };
        let t = r.timings();
        assert!(!t.reused());
        assert_eq!(t.connect(), Some(ms(2)));
        assert_eq!(
            (t.pretransfer(), t.request_written(), t.first_byte()),
            (Some(ms(3)), Some(ms(4)), Some(ms(6)))
        );
        assert_eq!(t.body_complete(), None);
        r.body_complete = Some(start + ms(7));
        assert_eq!(r.timings().body_complete(), Some(ms(7)));
        let reused = Readings {
            setup: None,
            written: None,
            first_byte: None,
            ..r
        };
        let t = reused.timings();
        assert!(t.reused());
        assert_eq!(t.connect(), None);
        assert_eq!(t.phases().iter().filter(|(_, d)| d.is_some()).count(), 2);
        // A reading from before the start (cannot happen) is 0, not a panic.
        assert_eq!(since(start + ms(1), start), Duration::ZERO);
    }

    #[test]
    fn timings_go_on_the_last_history_entry() {
        let r = Retry::new(3).increment(Some("GET"), Some("/a"), None, None);
        let r = r
            .unwrap()
            .increment(Some("GET"), Some("/b"), None, None)
            .unwrap();
        let mut t = Timings::default();
        t.set(Phase::FirstByte, Duration::from_millis(3));
        let r = on_last_entry(r, Some(t));
        assert_eq!(r.history[0].timings, None);
        assert_eq!(r.history[1].timings, Some(t));
    }
}
