//! One HTTP/1.1 connection: a socket (plain or TLS) driven by hip-core's sans-IO
//! [`ClientConnection`](hip_core::h1::ClientConnection). The spec's `HTTP1Connection`.
//!
//! Everything that touches the socket lives here: writing a request head and body with as few
//! syscalls as possible, and pulling events out of the state machine, reading from the socket
//! only when it says it needs data. Reading is poll-based so that a response body can be an
//! `AsyncRead` and so that dropping any future at any point leaves a connection whose state
//! machine tells the truth about it (a half-read exchange is never reusable).

use std::future::{poll_fn, Future};
use std::io::IoSlice;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hip_core::h1::{ClientConnection, Event, Request, ResponseHead};
use hip_core::{Error, ErrorKind};
use tokio::io::AsyncWriteExt;
use tokio::time::{Instant, Sleep};

use crate::body::{Body, BodyChunks};
use crate::connect::BoxIo;

/// How much spare room a read asks the socket to fill at once.
const READ_CHUNK: usize = 64 * 1024;
/// Bodies up to this size are copied behind the head so both go out in one write.
const COALESCE_LIMIT: usize = 16 * 1024;

/// A read deadline that restarts whenever data arrives: the spec's read timeout bounds each
/// wait for the server, not the whole response.
pub(crate) struct ReadDeadline {
    timeout: Option<Duration>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl ReadDeadline {
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        ReadDeadline {
            timeout,
            sleep: None,
        }
    }

    /// Data arrived: the next wait gets the whole timeout again.
    fn reset(&mut self) {
        if let (Some(sleep), Some(t)) = (self.sleep.as_mut(), self.timeout) {
            sleep.as_mut().reset(Instant::now() + t);
        }
    }

    /// Ready when the wait has lasted longer than the timeout.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(t) = self.timeout else {
            return Poll::Pending;
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(t)));
        sleep.as_mut().poll(cx)
    }
}

/// A connection to one origin (or proxy): socket + HTTP/1.1 state machine.
pub(crate) struct Connection {
    io: BoxIo,
    h1: ClientConnection,
    /// Number of requests started on this connection (more than one means it was reused).
    requests: u64,
    /// Whether any byte of the current response has arrived (for the stale-connection retry).
    response_started: bool,
    write_buf: Vec<u8>,
}

impl Connection {
    pub(crate) fn new(io: BoxIo, h1: ClientConnection) -> Self {
        Connection {
            io,
            h1,
            requests: 0,
            response_started: false,
            write_buf: Vec::with_capacity(1024),
        }
    }

    /// True when this connection already carried a request before the current one.
    pub(crate) fn is_reused(&self) -> bool {
        self.requests > 1
    }

    /// True once any byte of the current response has been received.
    pub(crate) fn response_started(&self) -> bool {
        self.response_started
    }

    /// Gets the connection ready for the next exchange; false if it cannot be reused.
    pub(crate) fn prepare_reuse(&mut self) -> bool {
        self.h1.is_reusable() && self.h1.start_next_cycle().is_ok()
    }

    /// True when an idle connection has been closed by the server or has unexpected bytes.
    pub(crate) fn is_dropped(&mut self) -> bool {
        crate::connect::is_dropped(&mut self.io)
    }

    /// Writes the request head and the whole body.
    ///
    /// A small in-memory body goes out in the same write as the head. If the server closes
    /// or resets while we are still sending (an early 413, say), the error is returned as a
    /// `SendError` that tells the caller to look for a response anyway.
    pub(crate) async fn send_request(
        &mut self,
        req: &Request<'_>,
        body: &mut Body,
    ) -> Result<(), SendError> {
        self.requests += 1;
        self.response_started = false;
        self.write_buf.clear();
        self.h1
            .send_request(req, &mut self.write_buf)
            .map_err(SendError::Local)?;
        let result = self.write_request_body(body).await;
        if let Err(e) = &result {
            if matches!(e, SendError::Io(_)) {
                self.h1.send_failed();
            }
        }
        result
    }

    async fn write_request_body(&mut self, body: &mut Body) -> Result<(), SendError> {
        match body.chunks() {
            BodyChunks::Empty => {
                self.h1
                    .send_end(&mut self.write_buf)
                    .map_err(SendError::Local)?;
                self.flush_write_buf().await
            }
            BodyChunks::Whole(data) => {
                if data.len() <= COALESCE_LIMIT {
                    self.h1
                        .send_data(&data, &mut self.write_buf)
                        .map_err(SendError::Local)?;
                    self.h1
                        .send_end(&mut self.write_buf)
                        .map_err(SendError::Local)?;
                    self.flush_write_buf().await
                } else {
                    self.write_frame(&data).await?;
                    self.h1
                        .send_end(&mut self.write_buf)
                        .map_err(SendError::Local)?;
                    self.flush_write_buf().await
                }
            }
            BodyChunks::Stream(mut stream) => {
                while let Some(chunk) = stream.next_chunk().await.map_err(SendError::Local)? {
                    if chunk.is_empty() {
                        continue;
                    }
                    self.write_frame(&chunk).await?;
                }
                self.h1
                    .send_end(&mut self.write_buf)
                    .map_err(SendError::Local)?;
                self.flush_write_buf().await
            }
        }
    }

    /// Writes pending head bytes and one body frame together (one vectored write when the
    /// socket takes it all), without copying the data.
    async fn write_frame(&mut self, data: &[u8]) -> Result<(), SendError> {
        let frame = self.h1.frame_data(data.len()).map_err(SendError::Local)?;
        self.write_buf.extend_from_slice(frame.prefix());
        let mut parts: [&[u8]; 3] = [&self.write_buf, data, frame.suffix()];
        write_all_vectored(&mut self.io, &mut parts)
            .await
            .map_err(SendError::Io)?;
        self.write_buf.clear();
        Ok(())
    }

    async fn flush_write_buf(&mut self) -> Result<(), SendError> {
        if !self.write_buf.is_empty() {
            self.io
                .write_all(&self.write_buf)
                .await
                .map_err(SendError::Io)?;
            self.write_buf.clear();
        }
        Pin::new(&mut self.io)
            .as_mut()
            .flush()
            .await
            .map_err(SendError::Io)
    }

    /// Pulls the next event, reading from the socket when the state machine needs data.
    /// Returns `Pending` only while waiting on the socket (the deadline is the caller's).
    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Event, Error>> {
        loop {
            match self.h1.next_event()? {
                Event::NeedData => {
                    let buf = self.h1.read_buf();
                    if buf.capacity() - buf.len() < READ_CHUNK / 4 {
                        buf.reserve(READ_CHUNK);
                    }
                    match ready!(tokio_util::io::poll_read_buf(
                        Pin::new(&mut self.io),
                        cx,
                        buf
                    )) {
                        Ok(0) => self.h1.receive_eof(),
                        Ok(_) => self.response_started = true,
                        Err(e) => {
                            return Poll::Ready(Err(Error::io(
                                ErrorKind::Protocol,
                                "Connection broken",
                                e,
                            )))
                        }
                    }
                }
                event => return Poll::Ready(Ok(event)),
            }
        }
    }

    /// Like [`Connection::poll_event`], but gives up with a ReadTimeoutError when the server
    /// is silent for longer than the deadline's timeout.
    pub(crate) fn poll_event_deadline(
        &mut self,
        cx: &mut Context<'_>,
        deadline: &mut ReadDeadline,
    ) -> Poll<Result<Event, Error>> {
        match self.poll_event(cx) {
            Poll::Ready(r) => {
                deadline.reset();
                Poll::Ready(r)
            }
            Poll::Pending => {
                ready!(deadline.poll_expired(cx));
                let secs = deadline.timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0);
                Poll::Ready(Err(Error::new(
                    ErrorKind::ReadTimeout,
                    format!("Read timed out. (read timeout={secs})"),
                )))
            }
        }
    }

    /// Reads until the response head, skipping (and logging) 1xx informational responses.
    pub(crate) async fn read_head(
        &mut self,
        deadline: &mut ReadDeadline,
    ) -> Result<ResponseHead, Error> {
        loop {
            match poll_fn(|cx| self.poll_event_deadline(cx, deadline)).await? {
                Event::Informational(head) => {
                    tracing::debug!(target: "hip", status = head.status, "informational response");
                }
                Event::Response(head) => return Ok(head),
                Event::ConnectionClosed => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        "Remote end closed connection without response",
                    ))
                }
                other => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!("unexpected event {other:?} before the response head"),
                    ))
                }
            }
        }
    }
}

/// Writes every byte of `parts`, in order, with as few `writev` calls as the socket allows.
async fn write_all_vectored(io: &mut BoxIo, parts: &mut [&[u8]]) -> std::io::Result<()> {
    let mut first = 0;
    while first < parts.len() {
        if parts[first].is_empty() {
            first += 1;
            continue;
        }
        let slices: Vec<IoSlice<'_>> = parts[first..].iter().map(|p| IoSlice::new(p)).collect();
        let mut n = io.write_vectored(&slices).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while n > 0 && first < parts.len() {
            let len = parts[first].len();
            if n >= len {
                n -= len;
                first += 1;
            } else {
                parts[first] = &parts[first][n..];
                n = 0;
            }
        }
    }
    Ok(())
}

/// Why sending a request failed.
pub(crate) enum SendError {
    /// The request itself was refused by the state machine or the body source failed:
    /// nothing (or nothing more) was written; never retried.
    Local(Error),
    /// The socket failed while writing; a response may still be readable.
    Io(std::io::Error),
}
