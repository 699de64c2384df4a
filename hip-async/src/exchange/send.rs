//! Writing a request on a connection and reading the response head: the wire half of one
//! attempt. The head and a small body go out in one write; a larger body follows in
//! vectored writes without being copied.

use std::future::{poll_fn, Future};
use std::io::IoSlice;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use hip_core::h1::{Event, Prepared, Request, ResponseHead};
use hip_core::{Error, ErrorKind};
use tokio::io::AsyncWriteExt;

use super::body::{Body, BodyChunks};
use crate::pool::{Connection, ReadDeadline};
use crate::transport::{sync_io, BoxIo};

/// Most interim (1xx) responses accepted before the final one.
const MAX_INTERIM_RESPONSES: usize = 32;

/// Bodies up to this size are copied behind the head so both go out in one write.
const COALESCE_LIMIT: usize = 16 * 1024;

/// Writes the request head and the whole body. The urlopen loop prepared the method and
/// headers before it took the connection (`Request::prepare`), so they are not checked again.
///
/// A small in-memory body goes out in the same write as the head. If the server closes
/// or resets while we are still sending (an early 413, say), the error is returned as a
/// `SendError` that tells the caller to look for a response anyway.
///
/// `limit` bounds each wait for the socket to take bytes (the spec's timeout is a socket
/// timeout: it bounds sends as it bounds reads; hip uses the read timeout). A send that runs
/// into it fails with an `io::ErrorKind::TimedOut` error.
pub(crate) async fn send_request(
    conn: &mut Connection,
    req: &Request<'_>,
    prepared: &Prepared,
    body: &mut Body,
    limit: Option<Duration>,
) -> Result<(), SendError> {
    conn.requests += 1;
    conn.response_started = None;
    conn.write_buf.clear();
    conn.h1
        .send_prepared_request(req, prepared, &mut conn.write_buf)
        .map_err(SendError::Local)?;
    let result = write_request_body(conn, body, limit).await;
    if let Err(e) = &result {
        if matches!(e, SendError::Io(_)) {
            conn.h1.send_failed();
        }
    }
    result
}

async fn write_request_body(
    conn: &mut Connection,
    body: &mut Body,
    limit: Option<Duration>,
) -> Result<(), SendError> {
    match body.chunks() {
        BodyChunks::Empty => {
            conn.h1
                .send_end(&mut conn.write_buf)
                .map_err(SendError::Local)?;
            flush_write_buf(conn, limit).await
        }
        BodyChunks::Whole(data) => {
            if data.len() <= COALESCE_LIMIT {
                conn.h1
                    .send_data(&data, &mut conn.write_buf)
                    .map_err(SendError::Local)?;
                conn.h1
                    .send_end(&mut conn.write_buf)
                    .map_err(SendError::Local)?;
                flush_write_buf(conn, limit).await
            } else {
                write_frame(conn, &data, limit).await?;
                conn.h1
                    .send_end(&mut conn.write_buf)
                    .map_err(SendError::Local)?;
                flush_write_buf(conn, limit).await
            }
        }
        BodyChunks::Stream(mut stream) => {
            while let Some(chunk) = stream.next_chunk().await.map_err(SendError::Local)? {
                if chunk.is_empty() {
                    continue;
                }
                write_frame(conn, &chunk, limit).await?;
            }
            conn.h1
                .send_end(&mut conn.write_buf)
                .map_err(SendError::Local)?;
            flush_write_buf(conn, limit).await
        }
    }
}

/// Writes pending head bytes and one body frame together (one vectored write when the
/// socket takes it all), without copying the data.
async fn write_frame(
    conn: &mut Connection,
    data: &[u8],
    limit: Option<Duration>,
) -> Result<(), SendError> {
    let frame = conn.h1.frame_data(data.len()).map_err(SendError::Local)?;
    conn.write_buf.extend_from_slice(frame.prefix());
    let mut parts: [&[u8]; 3] = [&conn.write_buf, data, frame.suffix()];
    write_all_vectored(conn.io.get_mut(), &mut parts, limit)
        .await
        .map_err(SendError::Io)?;
    conn.write_buf.clear();
    Ok(())
}

async fn flush_write_buf(conn: &mut Connection, limit: Option<Duration>) -> Result<(), SendError> {
    let mut written = 0;
    while written < conn.write_buf.len() {
        let n = bounded(limit, conn.io.get_mut().write(&conn.write_buf[written..]))
            .await
            .map_err(SendError::Io)?;
        if n == 0 {
            return Err(SendError::Io(std::io::ErrorKind::WriteZero.into()));
        }
        written += n;
    }
    conn.write_buf.clear();
    bounded(limit, Pin::new(conn.io.get_mut()).flush())
        .await
        .map_err(SendError::Io)
}

/// One write (or flush) bounded by `limit`: a peer that stops reading cannot hold a request
/// forever. Each wait gets the whole limit, so a large body that keeps moving is never cut.
async fn bounded<T>(
    limit: Option<Duration>,
    op: impl Future<Output = std::io::Result<T>>,
) -> std::io::Result<T> {
    let mut op = std::pin::pin!(op);
    if sync_io::is_blocking() {
        // A blocking caller's socket waits itself, as long as the limit (or the request's
        // deadline) allows.
        let until = limit.map(|t| std::time::Instant::now() + t);
        let polled = poll_fn(|cx| Poll::Ready(sync_io::within(until, || op.as_mut().poll(cx))));
        if let Poll::Ready(done) = polled.await {
            return done.map_err(|e| match sync_io::is_timeout(&e) {
                true => took_no_bytes(limit),
                false => e,
            });
        }
    }
    let Some(t) = limit else {
        return op.await;
    };
    // Most writes complete at once: they need no timer.
    if let Poll::Ready(done) = poll_fn(|cx| Poll::Ready(op.as_mut().poll(cx))).await {
        return done;
    }
    tokio::time::timeout(t, op)
        .await
        .unwrap_or_else(|_elapsed| Err(took_no_bytes(limit)))
}

/// The error of a write that `limit` (or, without one, the request's deadline) cut short.
fn took_no_bytes(limit: Option<Duration>) -> std::io::Error {
    let message = match limit {
        Some(t) => format!("the server took no bytes for {}s", t.as_secs_f64()),
        None => "the server took no bytes before the request's deadline".to_owned(),
    };
    std::io::Error::new(std::io::ErrorKind::TimedOut, message)
}

/// Reads until the response head, skipping (and logging) 1xx informational responses.
pub(crate) async fn read_head(
    conn: &mut Connection,
    deadline: &mut ReadDeadline,
) -> Result<ResponseHead, Error> {
    let mut interim = 0;
    loop {
        // Interim (1xx) responses do not restart the read timeout, and there may be only
        // so many: a server cannot hold a request open by sending `100 Continue` forever.
        match poll_fn(|cx| conn.poll_event_deadline(cx, deadline, false)).await? {
            Event::Informational(head) => {
                interim += 1;
                if interim > MAX_INTERIM_RESPONSES {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "more than {MAX_INTERIM_RESPONSES} interim (1xx) responses before the \
                             final response"
                        ),
                    ));
                }
                tracing::debug!(target: "hip", status = head.status, "informational response");
            }
            Event::Response(head) => {
                deadline.reset();
                return Ok(head);
            }
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

/// Writes every byte of `parts`, in order, with as few `writev` calls as the socket allows.
async fn write_all_vectored(
    io: &mut BoxIo,
    parts: &mut [&[u8]],
    limit: Option<Duration>,
) -> std::io::Result<()> {
    let mut first = 0;
    while first < parts.len() {
        if parts[first].is_empty() {
            first += 1;
            continue;
        }
        // At most three parts (head, data, frame suffix): no allocation per write.
        let mut slices = [IoSlice::new(&[]); 3];
        let count = (parts.len() - first).min(slices.len());
        for (slot, part) in slices.iter_mut().zip(&parts[first..first + count]) {
            *slot = IoSlice::new(part);
        }
        let mut n = bounded(limit, io.write_vectored(&slices[..count])).await?;
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
