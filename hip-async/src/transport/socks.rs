//! SOCKS proxies (feature `socks`), the route behind the spec's
//! `hip.contrib.socks.SOCKSProxyManager`, over tokio-socks.
//!
//! Every pool (one per destination, as without a proxy) opens its connections by
//! connecting to the SOCKS proxy through the pool's connector, negotiating SOCKS4 or SOCKS5
//! (with username/password when given) and then, for `https://`, running TLS to the
//! destination, verified as without a proxy. The whole handshake runs inside the connect
//! timeout.
//!
//! | scheme | protocol | names resolved by | credentials |
//! | --- | --- | --- | --- |
//! | `socks4://` | SOCKS4 | hip (an IPv4 address is sent) | the username is the SOCKS4 user id |
//! | `socks4a://` | SOCKS4a | the proxy (the host name is sent) | the username is the user id |
//! | `socks5://` | SOCKS5 | hip (an IP address is sent) | RFC 1929 username/password |
//! | `socks5h://` | SOCKS5 | the proxy (the host name is sent) | RFC 1929 username/password |
//!
//! Errors: a proxy that cannot be reached, that breaks off the handshake or refuses the
//! credentials is [`ErrorKind::Proxy`]; a proxy that answers it could not reach the
//! destination (host unreachable, connection refused, command not supported, ...) is
//! [`ErrorKind::NewConnection`] naming that reply, as the spec's `SOCKSConnection` raises it.

use std::net::{IpAddr, SocketAddr};

use hip_core::{Error, ErrorKind};
use tokio_socks::tcp::{Socks4Stream, Socks5Stream};
use tokio_socks::TargetAddr;

use super::endpoint::{Dialer, Endpoint, ProxyUrl};
use super::tcp::{BoxIo, ConnectOptions};

/// The SOCKS flavour a proxy URL's scheme selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocksVersion {
    /// `socks4://`: SOCKS4, names resolved locally (IPv4 only).
    Socks4,
    /// `socks4a://`: SOCKS4a, names resolved by the proxy.
    Socks4a,
    /// `socks5://`: SOCKS5, names resolved locally.
    Socks5,
    /// `socks5h://`: SOCKS5, names resolved by the proxy.
    Socks5h,
}

impl SocksVersion {
    /// Parses a proxy URL scheme (`socks4`, `socks4a`, `socks5`, `socks5h`; lowercase).
    pub fn from_scheme(scheme: &str) -> Option<SocksVersion> {
        match scheme {
            "socks4" => Some(SocksVersion::Socks4),
            "socks4a" => Some(SocksVersion::Socks4a),
            "socks5" => Some(SocksVersion::Socks5),
            "socks5h" => Some(SocksVersion::Socks5h),
            _ => None,
        }
    }

    /// The URL scheme, e.g. `"socks5h"`.
    pub fn scheme(self) -> &'static str {
        match self {
            SocksVersion::Socks4 => "socks4",
            SocksVersion::Socks4a => "socks4a",
            SocksVersion::Socks5 => "socks5",
            SocksVersion::Socks5h => "socks5h",
        }
    }

    /// True when the proxy resolves host names (`socks4a`, `socks5h`): the name is sent.
    pub fn remote_dns(self) -> bool {
        matches!(self, SocksVersion::Socks4a | SocksVersion::Socks5h)
    }

    fn is_v4(self) -> bool {
        matches!(self, SocksVersion::Socks4 | SocksVersion::Socks4a)
    }

    fn protocol(self) -> &'static str {
        if self.is_v4() {
            "SOCKS4"
        } else {
            "SOCKS5"
        }
    }
}

/// The longest host name sent to a SOCKS proxy (SOCKS5's one-byte length; SOCKS4a and DNS
/// names are no longer).
const MAX_SOCKS_NAME: usize = 255;

/// The first (at most) `max` bytes of `s`, cut at a char boundary: for messages.
fn prefix(s: &str, max: usize) -> &str {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

const SOCKS_SCHEMES: &[&str] = &["socks4", "socks4a", "socks5", "socks5h"];

/// A SOCKS proxy: where it is, which protocol, and the credentials.
pub(crate) struct SocksProxy {
    pub(crate) endpoint: Endpoint,
    pub(crate) version: SocksVersion,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl SocksProxy {
    /// Parses `proxy_url`; `username`/`password` given here win over the URL's `user:pass@`.
    pub(crate) fn from_url(
        proxy_url: &str,
        username: Option<&str>,
        password: Option<&str>,
    ) -> Result<SocksProxy, Error> {
        let url = ProxyUrl::parse(proxy_url, SOCKS_SCHEMES, |_| 1080)?;
        let version = SocksVersion::from_scheme(&url.scheme).ok_or_else(|| {
            Error::new(
                ErrorKind::ProxySchemeUnknown,
                format!("unsupported SOCKS scheme {:?}", url.scheme),
            )
        })?;
        let (username, password) = if username.is_some() || password.is_some() {
            (username.map(str::to_owned), password.map(str::to_owned))
        } else {
            (url.username.clone(), url.password.clone())
        };
        Ok(SocksProxy {
            endpoint: Endpoint::new(&url, None)?,
            version,
            username,
            password,
        })
    }
}

/// Opens a stream to `host:port` through the SOCKS proxy (TCP to the proxy, then the
/// negotiation); the pool adds TLS for https.
pub(crate) async fn connect(
    dialer: &Dialer<'_>,
    proxy: &SocksProxy,
    host: &str,
    port: u16,
) -> Result<BoxIo, Error> {
    let target = target_addr(proxy, dialer.connect, host, port).await?;
    let io = proxy.endpoint.connect(dialer).await?;
    tracing::debug!(
        target: "hip",
        "{} to {host}:{port} via proxy {}",
        proxy.version.protocol(),
        proxy.endpoint
    );
    let result = match (proxy.version.is_v4(), proxy.username.as_deref()) {
        (true, None) => Socks4Stream::connect_with_socket(io, target)
            .await
            .map(Socks4Stream::into_inner),
        (true, Some(user)) => Socks4Stream::connect_with_userid_and_socket(io, target, user)
            .await
            .map(Socks4Stream::into_inner),
        (false, None) => Socks5Stream::connect_with_socket(io, target)
            .await
            .map(Socks5Stream::into_inner),
        (false, Some(user)) => Socks5Stream::connect_with_password_and_socket(
            io,
            target,
            user,
            proxy.password.as_deref().unwrap_or(""),
        )
        .await
        .map(Socks5Stream::into_inner),
    };
    result.map_err(|e| socks_error(proxy, host, port, e))
}

/// What to ask the proxy to connect to: the name itself when the proxy resolves names,
/// else an address resolved here, with the pool's resolver and overrides (IPv4 for SOCKS4).
async fn target_addr(
    proxy: &SocksProxy,
    connect: &ConnectOptions,
    host: &str,
    port: u16,
) -> Result<TargetAddr<'static>, Error> {
    let version = proxy.version;
    let failed = |why: String| {
        Error::new(
            ErrorKind::NewConnection,
            format!("Failed to establish a new connection: {why}"),
        )
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        if version.is_v4() && ip.is_ipv6() {
            return Err(failed(format!(
                "{} cannot connect to the IPv6 address {host}; use a socks5:// proxy",
                version.protocol()
            )));
        }
        return Ok(TargetAddr::Ip(SocketAddr::new(ip, port)));
    }
    if version.remote_dns() {
        // SOCKS5 sends a name with a one-byte length; SOCKS4a NUL-terminates it, and no DNS
        // name is longer either. A longer name must not go out truncated (the proxy would be
        // asked for another host, with the rest of the name following in the stream).
        if host.len() > MAX_SOCKS_NAME {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "the host name {}... is {} bytes long; a {} proxy takes names of at most \
                     {MAX_SOCKS_NAME} bytes",
                    prefix(host, 40),
                    host.len(),
                    version.protocol()
                ),
            ));
        }
        return Ok(TargetAddr::Domain(host.to_owned().into(), port));
    }
    let addrs: Vec<SocketAddr> = connect.lookup(host, port).await.map_err(|e| {
        failed(format!(
            "failed to resolve {host:?} for the {} proxy (use {}:// to let the proxy \
                 resolve it)",
            version.scheme(),
            if version.is_v4() {
                "socks4a"
            } else {
                "socks5h"
            }
        ))
        .with_source(e)
    })?;
    let chosen = if version.is_v4() {
        addrs.iter().find(|a| a.is_ipv4())
    } else {
        addrs.first()
    };
    match chosen {
        Some(addr) => Ok(TargetAddr::Ip(*addr)),
        None => Err(failed(format!(
            "{host:?} has no {}address for the {} proxy",
            if version.is_v4() { "IPv4 " } else { "" },
            version.scheme()
        ))),
    }
}

/// Turns a failed SOCKS negotiation into the spec's errors (see the module docs).
fn socks_error(proxy: &SocksProxy, host: &str, port: u16, e: tokio_socks::Error) -> Error {
    use tokio_socks::Error as S;
    let protocol = proxy.version.protocol();
    let ep = &proxy.endpoint;
    let dest = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let refused_auth = |what: String| {
        Error::new(
            ErrorKind::Proxy,
            format!("{protocol} proxy {ep} refused the authentication: {what}"),
        )
    };
    match e {
        S::Io(io) => ep.unable(Error::io(
            ErrorKind::Protocol,
            format!("connection broken during the {protocol} handshake for {dest}"),
            io,
        )),
        S::NoAcceptableAuthMethods => refused_auth(format!(
            "it accepts none of the offered methods ({})",
            if proxy.username.is_some() {
                "no authentication, username/password"
            } else {
                "no authentication; give a username and password"
            }
        ))
        .with_source(e),
        S::PasswordAuthFailure(code) => refused_auth(format!(
            "username/password rejected (status {code}) for user {:?}",
            proxy.username.as_deref().unwrap_or("")
        ))
        .with_source(e),
        S::AuthorizationRequired | S::IdentdAuthFailure | S::InvalidUserIdAuthFailure => {
            refused_auth(e.to_string())
        }
        S::InvalidAuthValues(_) | S::InvalidTargetAddress(_) => Error::new(
            ErrorKind::InvalidValue,
            format!("cannot ask the {protocol} proxy {ep} for {dest}: {e}"),
        ),
        S::GeneralSocksServerFailure
        | S::ConnectionNotAllowedByRuleset
        | S::NetworkUnreachable
        | S::HostUnreachable
        | S::ConnectionRefused
        | S::TtlExpired
        | S::CommandNotSupported
        | S::AddressTypeNotSupported => {
            let reply = match e {
                // SOCKS4 has one code (91) for every refusal.
                S::GeneralSocksServerFailure if proxy.version.is_v4() => {
                    "request rejected or failed".to_owned()
                }
                ref other => other.to_string(),
            };
            Error::new(
                ErrorKind::NewConnection,
                format!(
                    "Failed to establish a new connection: {protocol} proxy {ep} could not \
                     connect to {dest}: {reply}"
                ),
            )
        }
        other => ep.unable(Error::new(
            ErrorKind::Protocol,
            format!("invalid {protocol} reply while asking for {dest}: {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socks_urls_select_the_version_and_credentials() {
        let p = SocksProxy::from_url("socks5h://u%3A1:p%40ss@127.0.0.1", None, None).unwrap();
        assert_eq!(p.version, SocksVersion::Socks5h);
        assert_eq!(p.endpoint.to_string(), "socks5h://127.0.0.1:1080");
        assert_eq!(p.username.as_deref(), Some("u:1"));
        assert_eq!(p.password.as_deref(), Some("p@ss"));
        let p = SocksProxy::from_url("socks4a://id@h:9", Some("other"), None).unwrap();
        assert_eq!(p.version, SocksVersion::Socks4a);
        assert_eq!(
            (p.username.as_deref(), p.password.as_deref()),
            (Some("other"), None)
        );
        let e = SocksProxy::from_url("http://h:1", None, None)
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
        assert_eq!(
            e.message(),
            "Proxy URL \"http://h:1\" had unsupported scheme \"http\", should use one of \
             socks4://, socks4a://, socks5://, socks5h://"
        );
    }

    #[tokio::test]
    async fn names_are_sent_or_resolved_by_version() {
        let proxy = |url: &str| SocksProxy::from_url(url, None, None).unwrap();
        let t = target_addr(
            &proxy("socks5h://p"),
            &ConnectOptions::default(),
            "example.invalid",
            80,
        )
        .await
        .unwrap();
        assert_eq!(t, TargetAddr::Domain("example.invalid".into(), 80));
        let t = target_addr(
            &proxy("socks4a://p"),
            &ConnectOptions::default(),
            "example.invalid",
            81,
        )
        .await
        .unwrap();
        assert_eq!(t, TargetAddr::Domain("example.invalid".into(), 81));
        let t = target_addr(
            &proxy("socks5://p"),
            &ConnectOptions::default(),
            "127.0.0.1",
            82,
        )
        .await
        .unwrap();
        assert_eq!(t, TargetAddr::Ip("127.0.0.1:82".parse().unwrap()));
        let e = target_addr(&proxy("socks4://p"), &ConnectOptions::default(), "::1", 83)
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::NewConnection);
        assert!(e.message().contains("IPv6 address ::1"), "{}", e.message());
    }
}
