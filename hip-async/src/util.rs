//! The spec's `hip.util` connection helpers: `is_connection_dropped`, `create_connection`,
//! `ssl_wrap_socket`, `set_file_position`, `rewind_body`, `allowed_gai_family`, and the TLS
//! argument resolvers.
//!
//! The connection helpers are async (they run on the caller's tokio runtime, as hip's own
//! connections do); the body and address-family helpers are plain functions that both
//! APIs share. Python-only helpers have no counterpart: `wait_for_read`/`wait_for_write`
//! (an async read or write is the wait) and the `SSLWantReadError`/`SSLWantWriteError`
//! types (rustls over tokio never surfaces them).

use std::io::{Seek, SeekFrom};
use std::sync::OnceLock;
use std::time::Duration;

use hip_core::{Error, ErrorKind};

pub use crate::transport::tcp::is_dropped as is_connection_dropped;
use crate::transport::tcp::{open, BoxIo, ConnectOptions, TcpConnector};
pub use crate::transport::tls::{assert_fingerprint, resolve_cert_reqs, resolve_ssl_version};
use crate::transport::tls::{build_client_config, handshake, TlsOptions};

/// The spec's `create_connection(address, timeout, source_address, socket_options)`: a
/// TCP connection to `host:port` made as hip makes its own (every resolved address tried,
/// `opts.source_address` and `opts.socket_options` applied, `TCP_NODELAY` set).
///
/// # Errors
///
/// [`ErrorKind::ConnectTimeout`] when `timeout` runs out first (name resolution included);
/// [`ErrorKind::NewConnection`] when no address accepts, with the I/O error as source.
pub async fn create_connection(
    host: &str,
    port: u16,
    timeout: Option<Duration>,
    opts: &ConnectOptions,
) -> Result<BoxIo, Error> {
    open(&TcpConnector, host, port, opts, timeout).await
}

/// The spec's `ssl_wrap_socket(sock, keyfile, certfile, cert_reqs, ca_certs,
/// server_hostname, ssl_version, ...)`: a TLS handshake over `io` with `tls`'s settings
/// (the same ones a pool's `TlsOptions` take), verifying `host` unless
/// `tls.server_hostname` names another.
///
/// # Errors
///
/// [`ErrorKind::Ssl`] naming the host and the reason when the handshake or the
/// verification fails, or when `tls`'s files cannot be read.
pub async fn ssl_wrap_socket(io: BoxIo, host: &str, tls: &TlsOptions) -> Result<BoxIo, Error> {
    let config = build_client_config(tls)?;
    handshake(io, host, tls, &config).await
}

/// The spec's `set_file_position(body, pos)`: moves `body` to `pos` when given, and returns
/// where the body now starts (`body.tell()`), which [`rewind_body`] goes back to before a
/// retry. hip's requests do this themselves for seekable bodies (`body_pos`); this is for
/// callers who manage their own.
///
/// # Errors
///
/// [`ErrorKind::UnrewindableBody`] when the body cannot seek.
pub fn set_file_position<S: Seek + ?Sized>(body: &mut S, pos: Option<u64>) -> Result<u64, Error> {
    let result = match pos {
        Some(p) => body.seek(SeekFrom::Start(p)),
        None => body.stream_position(),
    };
    result.map_err(|e| {
        Error::io(
            ErrorKind::UnrewindableBody,
            "An error occurred when recording the position of the request body",
            e,
        )
    })
}

/// The spec's `rewind_body(body, body_pos)`: moves `body` back to `body_pos` so it can be
/// sent again.
///
/// # Errors
///
/// [`ErrorKind::UnrewindableBody`] ("An error occurred when rewinding request body for
/// redirect/retry.") when the body cannot seek.
pub fn rewind_body<S: Seek + ?Sized>(body: &mut S, body_pos: u64) -> Result<(), Error> {
    body.seek(SeekFrom::Start(body_pos))
        .map(|_| ())
        .map_err(|e| {
            Error::io(
                ErrorKind::UnrewindableBody,
                "An error occurred when rewinding request body for redirect/retry.",
                e,
            )
        })
}

/// The address families name resolution may return: the spec's `allowed_gai_family()`
/// result (`socket.AF_UNSPEC` or `socket.AF_INET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GaiFamily {
    /// `AF_UNSPEC`: IPv4 and IPv6 addresses.
    Unspec,
    /// `AF_INET`: IPv4 only, because this host cannot use IPv6.
    Inet,
}

/// The spec's `allowed_gai_family()`: [`GaiFamily::Unspec`] when this host can use IPv6
/// (the spec's `HAS_IPV6`: a socket can be bound to `::1`), else [`GaiFamily::Inet`].
/// Checked once per process.
pub fn allowed_gai_family() -> GaiFamily {
    if has_ipv6() {
        GaiFamily::Unspec
    } else {
        GaiFamily::Inet
    }
}

/// The spec's `HAS_IPV6`: whether a socket can be bound to `::1` (checked once).
pub fn has_ipv6() -> bool {
    static HAS_IPV6: OnceLock<bool> = OnceLock::new();
    *HAS_IPV6
        .get_or_init(|| std::net::TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, 0)).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn set_file_position_then_rewind_body_sends_the_same_bytes_again() {
        let mut body = Cursor::new(b"skip:payload".to_vec());
        assert_eq!(set_file_position(&mut body, Some(5)).unwrap(), 5);
        let mut first = String::new();
        body.read_to_string(&mut first).unwrap();
        rewind_body(&mut body, 5).unwrap();
        let mut again = String::new();
        body.read_to_string(&mut again).unwrap();
        assert_eq!((first.as_str(), again.as_str()), ("payload", "payload"));
        assert_eq!(set_file_position(&mut body, None).unwrap(), 12);
    }

    /// A body that cannot seek.
    struct NoSeek;
    impl Seek for NoSeek {
        fn seek(&mut self, _: SeekFrom) -> std::io::Result<u64> {
            Err(std::io::Error::other("not seekable"))
        }
    }

    #[test]
    fn rewind_body_of_an_unseekable_body_is_unrewindable_body() {
        let err = rewind_body(&mut NoSeek, 0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnrewindableBody);
        let err = set_file_position(&mut NoSeek, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnrewindableBody);
    }

    #[test]
    fn allowed_gai_family_follows_has_ipv6() {
        let expected = if has_ipv6() {
            GaiFamily::Unspec
        } else {
            GaiFamily::Inet
        };
        assert_eq!(allowed_gai_family(), expected);
    }
}
