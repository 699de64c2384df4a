//! HTTP CONNECT tunnels: `CONNECT host:port` through an HTTP proxy, for `https://` URLs on
//! a [`Route::Tunnel`](super::Route::Tunnel). A 2xx answer gives the tunnel (with any bytes
//! that arrived behind the answer kept for the first read); anything else is
//! `FailedTunnelError` with the proxy's status, headers and up to 64 KiB of body.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use hip_core::h1::{BodyLength, ClientConnection, Event, Limits, Request, ResponseHead};
use hip_core::{Error, ErrorKind, TunnelResponse};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::endpoint::HttpProxy;
use super::tcp::BoxIo;

/// How much of a refused CONNECT's body is kept in the [`TunnelResponse`].
const TUNNEL_BODY_LIMIT: usize = 64 * 1024;

/// `host:port` as a CONNECT target and Host value (IPv6 literals in brackets).
fn authority_form(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Reads more from `io` into the state machine's buffer (EOF included).
async fn fill(io: &mut BoxIo, h1: &mut ClientConnection) -> io::Result<()> {
    let buf = h1.read_buf();
    if buf.capacity() - buf.len() < 1024 {
        buf.reserve(8 * 1024);
    }
    if io.read_buf(buf).await? == 0 {
        h1.receive_eof();
    }
    Ok(())
}

/// Sends `CONNECT host:port` over `io` (a connection to the proxy) and reads the answer: a
/// 2xx gives the tunnel, anything else `FailedTunnelError` with the proxy's response.
pub(crate) async fn connect(
    mut io: BoxIo,
    proxy: &HttpProxy,
    host: &str,
    port: u16,
    limits: Limits,
) -> Result<BoxIo, Error> {
    let ep = &proxy.endpoint;
    let authority = authority_form(host, port);
    let mut h1 = ClientConnection::with_limits(limits);
    let mut out = Vec::with_capacity(128);
    h1.send_request(
        &Request {
            method: "CONNECT",
            target: &authority,
            host: &authority,
            headers: &proxy.headers,
            body: BodyLength::None,
        },
        &mut out,
    )?;
    tracing::debug!(target: "hip", "CONNECT {authority} via proxy {ep}");
    let broken = |e: io::Error| {
        ep.unable(Error::io(
            ErrorKind::Protocol,
            format!("connection broken during CONNECT {authority}"),
            e,
        ))
    };
    io.write_all(&out).await.map_err(broken)?;
    io.flush().await.map_err(broken)?;
    let head = loop {
        match h1.next_event() {
            Ok(Event::NeedData) => fill(&mut io, &mut h1).await.map_err(broken)?,
            Ok(Event::Informational(_)) => {}
            Ok(Event::Response(head)) => break head,
            Ok(Event::ConnectionClosed) => {
                return Err(ep.unable(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "the proxy closed the connection without answering CONNECT {authority}"
                    ),
                )))
            }
            Ok(other) => {
                return Err(ep.unable(Error::new(
                    ErrorKind::Protocol,
                    format!("unexpected {other:?} before the answer to CONNECT {authority}"),
                )))
            }
            Err(e) => {
                return Err(ep.unable(
                    Error::new(e.kind(), format!("no valid answer to CONNECT {authority}"))
                        .with_source(e),
                ))
            }
        }
    };
    tracing::debug!(
        target: "hip",
        "proxy {ep} answered CONNECT {authority}: {} {}",
        head.status,
        head.reason
    );
    if (200..300).contains(&head.status) {
        let early = h1.take_tunnel_bytes();
        return Ok(if early.is_empty() {
            io
        } else {
            Box::new(Prefixed { prefix: early, io })
        });
    }
    let body = refusal_body(&mut io, &mut h1, &head).await;
    Err(Error::new(
        ErrorKind::FailedTunnel,
        format!(
            "Tunnel connection failed: {} {} (CONNECT {authority} via proxy {ep})",
            head.status, head.reason
        ),
    )
    .with_tunnel_response(TunnelResponse {
        status: head.status,
        reason: head.reason.into_owned(),
        headers: head.headers,
        body,
    }))
}

/// The body of a refused CONNECT, when its length is framed (Content-Length or chunked),
/// up to [`TUNNEL_BODY_LIMIT`] bytes. A body that runs to EOF is not waited for.
async fn refusal_body(io: &mut BoxIo, h1: &mut ClientConnection, head: &ResponseHead) -> Bytes {
    if !head.headers.contains("content-length") && !head.headers.contains("transfer-encoding") {
        return Bytes::new();
    }
    let mut body = BytesMut::new();
    loop {
        match h1.next_event() {
            Ok(Event::NeedData) => {
                if fill(io, h1).await.is_err() {
                    break;
                }
            }
            Ok(Event::Data(d)) => {
                let room = TUNNEL_BODY_LIMIT - body.len();
                body.extend_from_slice(&d[..d.len().min(room)]);
                if body.len() >= TUNNEL_BODY_LIMIT {
                    break;
                }
            }
            _ => break,
        }
    }
    body.freeze()
}

/// A tunnel whose first bytes arrived with the proxy's answer.
struct Prefixed {
    prefix: Bytes,
    io: BoxIo,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::endpoint::Endpoint;
    use hip_core::HttpHeaderDict;

    #[tokio::test]
    async fn connect_tunnel_keeps_bytes_that_arrived_with_the_answer() {
        let (client, mut server) = tokio::io::duplex(4096);
        let proxy = HttpProxy {
            endpoint: Endpoint::plain("http", "proxy", 3128),
            headers: HttpHeaderDict::new(),
        };
        let server_side = tokio::spawn(async move {
            let mut buf = vec![0u8; 1024];
            let mut got = Vec::new();
            while !got.ends_with(b"\r\n\r\n") {
                let n = server.read(&mut buf).await.unwrap();
                assert!(n > 0);
                got.extend_from_slice(&buf[..n]);
            }
            server
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\nearly")
                .await
                .unwrap();
            server.write_all(b" bytes").await.unwrap();
            got
        });
        let mut io = connect(Box::new(client), &proxy, "::1", 8443, Limits::default())
            .await
            .unwrap();
        let mut got = vec![0u8; 11];
        io.read_exact(&mut got).await.unwrap();
        assert_eq!(got, b"early bytes");
        let request = server_side.await.unwrap();
        assert_eq!(
            request,
            b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n".to_vec()
        );
    }
}
