//! Helpers shared by the h1 integration tests: drive a `ClientConnection` with response
//! bytes split in various ways and collect the events in a comparable form.
#![allow(dead_code)] // each test file uses a different part of this module

use bytes::Bytes;
use hip_core::h1::{BodyLength, ClientConnection, Event, Request};
use hip_core::{ErrorKind, HttpHeaderDict};

/// An event, or the error that ended the stream, as (kind, message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ev {
    Event(Event),
    Error(ErrorKind, String),
}

/// A connection that has sent `method /` with the given body framing (body completed).
pub(crate) fn sent(method: &str, body: BodyLength) -> ClientConnection {
    sent_with(method, body, &HttpHeaderDict::new())
}

/// Like [`sent`] with request headers.
pub(crate) fn sent_with(
    method: &str,
    body: BodyLength,
    headers: &HttpHeaderDict,
) -> ClientConnection {
    let mut conn = ClientConnection::new();
    let mut out = Vec::new();
    let target = if method == "CONNECT" {
        "example.com:443"
    } else {
        "/"
    };
    conn.send_request(
        &Request {
            method,
            target,
            host: "example.com",
            headers,
            body,
        },
        &mut out,
    )
    .expect("request accepted");
    if body != BodyLength::None {
        if let BodyLength::Fixed(n) = body {
            conn.send_data(&vec![b'x'; n as usize], &mut out)
                .expect("body");
        }
        conn.send_end(&mut out).expect("end");
    }
    conn
}

/// Calls `next_event` until NeedData (not recorded) or a stopping event (recorded): Paused,
/// ConnectionClosed, or an error. Returns true if it stopped for good.
pub(crate) fn drain(conn: &mut ClientConnection, evs: &mut Vec<Ev>) -> bool {
    for _ in 0..100_000 {
        match conn.next_event() {
            Ok(Event::NeedData) => return false,
            Ok(e @ (Event::Paused | Event::ConnectionClosed)) => {
                evs.push(Ev::Event(e));
                return true;
            }
            Ok(e) => evs.push(Ev::Event(e)),
            Err(e) => {
                evs.push(Ev::Error(e.kind(), e.message().to_owned()));
                return true;
            }
        }
    }
    panic!("next_event did not stop after 100000 events");
}

/// Feeds `pieces` in order (draining after each) and then EOF if `eof`; returns the events
/// up to the first stop, consecutive Data events merged.
pub(crate) fn run(conn: &mut ClientConnection, pieces: &[&[u8]], eof: bool) -> Vec<Ev> {
    let mut evs = Vec::new();
    let mut done = false;
    for piece in pieces {
        conn.receive_data(piece);
        if !done {
            done = drain(conn, &mut evs);
        }
    }
    if eof {
        conn.receive_eof();
        if !done {
            drain(conn, &mut evs);
        }
    }
    merge_data(evs)
}

/// Merges consecutive Data events.
pub(crate) fn merge_data(evs: Vec<Ev>) -> Vec<Ev> {
    let mut out: Vec<Ev> = Vec::with_capacity(evs.len());
    for ev in evs {
        if let (Some(Ev::Event(Event::Data(prev))), Ev::Event(Event::Data(next))) =
            (out.last_mut(), &ev)
        {
            let mut joined = prev.to_vec();
            joined.extend_from_slice(next);
            *prev = Bytes::from(joined);
            continue;
        }
        out.push(ev);
    }
    out
}

/// Events for `data` fed whole.
pub(crate) fn whole(method: &str, data: &[u8], eof: bool) -> Vec<Ev> {
    run(&mut sent(method, BodyLength::None), &[data], eof)
}

/// Events for `data` fed one byte at a time.
pub(crate) fn bytewise(method: &str, data: &[u8], eof: bool) -> Vec<Ev> {
    let pieces: Vec<&[u8]> = data.chunks(1).collect();
    run(&mut sent(method, BodyLength::None), &pieces, eof)
}

/// h11's three ways: `data` whole, one byte at a time, and (unless `eof` or `trailing` is
/// empty) followed by `trailing`, which must stay buffered. Each must give `expected`.
pub(crate) fn check3(method: &str, data: &[u8], eof: bool, trailing: &[u8], expected: &[Ev]) {
    assert_eq!(
        whole(method, data, eof),
        expected,
        "fed whole: {:?}",
        data.escape_ascii().to_string()
    );
    assert_eq!(
        bytewise(method, data, eof),
        expected,
        "fed bytewise: {:?}",
        data.escape_ascii().to_string()
    );
    if !eof && !trailing.is_empty() {
        let mut conn = sent(method, BodyLength::None);
        let mut with = data.to_vec();
        with.extend_from_slice(trailing);
        let got = run(&mut conn, &[&with], false);
        assert_eq!(got, expected, "with trailing bytes");
        if matches!(got.last(), Some(Ev::Event(Event::Paused))) {
            assert_eq!(
                &conn.read_buf()[..],
                trailing,
                "trailing bytes must stay buffered"
            );
        }
    }
}

/// A response head event with the given parts.
pub(crate) fn head(status: u16, reason: &str, headers: &[(&str, &str)]) -> ResponseHeadBuilder {
    let mut dict = HttpHeaderDict::new();
    for (n, v) in headers {
        dict.add(*n, *v);
    }
    ResponseHeadBuilder(hip_core::h1::ResponseHead {
        version: hip_core::h1::Version::Http11,
        status,
        reason: reason.to_owned().into(),
        headers: dict,
    })
}

/// Builds Response/Informational events.
pub(crate) struct ResponseHeadBuilder(pub hip_core::h1::ResponseHead);

impl ResponseHeadBuilder {
    pub(crate) fn http10(mut self) -> Self {
        self.0.version = hip_core::h1::Version::Http10;
        self
    }
    pub(crate) fn response(self) -> Ev {
        Ev::Event(Event::Response(self.0))
    }
    pub(crate) fn informational(self) -> Ev {
        Ev::Event(Event::Informational(self.0))
    }
}

pub(crate) fn data(b: &[u8]) -> Ev {
    Ev::Event(Event::Data(Bytes::copy_from_slice(b)))
}

pub(crate) fn eom() -> Ev {
    Ev::Event(Event::EndOfMessage {
        trailers: HttpHeaderDict::new(),
    })
}

pub(crate) fn eom_with(trailers: &[(&str, &str)]) -> Ev {
    let mut dict = HttpHeaderDict::new();
    for (n, v) in trailers {
        dict.add(*n, *v);
    }
    Ev::Event(Event::EndOfMessage { trailers: dict })
}

pub(crate) fn paused() -> Ev {
    Ev::Event(Event::Paused)
}

pub(crate) fn closed() -> Ev {
    Ev::Event(Event::ConnectionClosed)
}

pub(crate) fn err(kind: ErrorKind, message: &str) -> Ev {
    Ev::Error(kind, message.to_owned())
}

/// Feeds `data` one byte at a time (after a `method` request) and returns the index of the
/// byte whose arrival made `next_event` fail, with the error; `None` if nothing failed.
/// Shows that a response is refused as soon as the offending byte is there, without
/// waiting for more data, a limit or EOF.
pub(crate) fn failing_byte(method: &str, data: &[u8]) -> Option<(usize, Ev)> {
    let mut conn = sent(method, BodyLength::None);
    let mut evs = Vec::new();
    for (i, &b) in data.iter().enumerate() {
        conn.receive_data(&[b]);
        if drain(&mut conn, &mut evs) {
            return match evs.pop() {
                Some(e @ Ev::Error(..)) => Some((i, e)),
                _ => None,
            };
        }
    }
    None
}
