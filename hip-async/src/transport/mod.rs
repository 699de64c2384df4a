//! Opening a connection: the lowest layer of hip-async.
//!
//! - [`resolve`]: the [`Resolve`] trait (name resolution, pluggable), the system resolver
//!   and the static overrides (curl's `--resolve`).
//! - [`tcp`]: the [`Connector`] (the spec's `backend`: name resolution and TCP connect, with
//!   `source_address` and `socket_options`), and the liveness check of idle connections;
//!   [`eyeballs`] races a host's addresses (Happy Eyeballs v2, RFC 8305).
//! - [`tls`]: rustls with the spec's `cert_reqs`, `ca_certs`, client certificates,
//!   `assert_hostname`, `assert_fingerprint`, and the translation of TLS failures into
//!   `SSLError`s that say why.
//! - [`proxy`], [`tunnel`] and `socks`: the routes that sit between the client and the host
//!   (forwarding HTTP proxy, CONNECT tunnel, SOCKS 4/4a/5/5h).
//! - [`timing`]: when each phase of opening a connection ended (DNS, TCP connect, proxy,
//!   TLS), for the per-request timings.
//!
//! Nothing here knows about pools, requests or responses: the pool layer calls
//! [`connect`] with a [`Route`] and gets a byte stream back.

mod endpoint;
mod eyeballs;
pub(crate) mod proxy;
mod proxy_env;
mod resolve;
mod scheme;
pub(crate) mod sync_io;
pub(crate) mod tcp;
pub(crate) mod timing;
pub(crate) mod tls;
pub(crate) mod tunnel;

#[cfg(feature = "socks")]
pub(crate) mod socks;

use std::sync::Arc;

use hip_core::Error;

pub(crate) use endpoint::Dialer;
pub use proxy::{ProxyConfig, Route};
pub use proxy_env::NoProxy;
pub(crate) use proxy_env::{EnvProxies, ProxyRules};
pub use resolve::{Resolve, SystemResolver};
pub use scheme::Scheme;
#[cfg(feature = "socks")]
pub use socks::SocksVersion;
pub use sync_io::blocking_io;
pub use tcp::{AsyncIo, BoxIo, ConnectOptions, Connector, SocketOption, TcpConnector};
pub use tls::{AssertHostname, CertReqs, TlsOptions, TlsVersion};

/// TLS to the destination: the options and the rustls configuration built from them.
pub(crate) struct DestinationTls<'a> {
    pub(crate) opts: &'a TlsOptions,
    pub(crate) config: &'a Arc<rustls::ClientConfig>,
}

/// Opens a connection to `host:port` along `route` (the whole proxy handshake) and, for an
/// HTTPS pool, runs TLS to the destination. The caller bounds it with the connect timeout.
pub(crate) async fn connect(
    route: &Route,
    dialer: &Dialer<'_>,
    host: &str,
    port: u16,
    tls: Option<DestinationTls<'_>>,
) -> Result<BoxIo, Error> {
    let io = route.open(dialer, host, port).await?;
    match tls {
        None => Ok(io),
        Some(t) => {
            let io = tls::handshake(io, host, t.opts, t.config).await?;
            timing::stamp(timing::Phase::Tls);
            Ok(io)
        }
    }
}

#[cfg(test)]
mod tests {
    //! The transport against real sockets on 127.0.0.1: TCP (socket options, source
    //! addresses, refusals, timeouts, liveness) and TLS (a rustls server with the shared test
    //! PKI).
    mod tcp;
    mod tls;
}
