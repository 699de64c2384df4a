//! Name resolution: the [`Resolve`] trait the default connector asks for a host's
//! addresses, the system resolver behind it by default, and the static overrides (curl's
//! `--resolve`) that answer before any resolver is asked.
//!
//! Resolution is part of connecting, so the connect timeout bounds it: a resolver that
//! never answers ends in `ConnectTimeoutError`, not in a hang.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use futures_util::future::BoxFuture;

use super::timing::{self, Phase};

/// Name resolution for hip's default connector ([`TcpConnector`](crate::TcpConnector)):
/// the addresses of `host` for connecting to `port`.
///
/// Set one with `PoolManagerBuilder::resolver`; the system's resolver ([`SystemResolver`])
/// is the default. It is asked only for names: IP literals are used as they are, and a
/// name with a static override (`PoolManagerBuilder::resolve`) gets the override's
/// addresses without asking. Through a proxy it resolves only the proxy's own name, and the
/// destination's for a `socks4://` or `socks5://` proxy (HTTP proxies, `socks4a://` and
/// `socks5h://` resolve the destination themselves).
///
/// The connector tries the addresses as RFC 8305 (Happy Eyeballs) says: the first IPv6
/// address, then the first IPv4 one, alternating, so the order within each family is the
/// resolver's. Its errors should name the host; an empty answer counts as "no addresses".
///
/// ```
/// use std::io;
/// use std::net::SocketAddr;
/// use futures_util::future::BoxFuture;
///
/// /// Every name is the local machine.
/// #[derive(Debug)]
/// struct Loopback;
///
/// impl hip_async::Resolve for Loopback {
///     fn resolve<'a>(
///         &'a self,
///         _host: &'a str,
///         port: u16,
///     ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
///         Box::pin(async move { Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]) })
///     }
/// }
///
/// let http = hip_async::PoolManager::builder().resolver(Loopback).build().unwrap();
/// ```
pub trait Resolve: fmt::Debug + Send + Sync + 'static {
    /// The addresses of `host` (a DNS name, never an IP literal), each with `port` unless
    /// the resolver knows better.
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>>;
}

/// The default [`Resolve`]: the system's `getaddrinfo`, run on tokio's blocking threads
/// (`tokio::net::lookup_host`) so that it never stalls the runtime.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, port)).await?.collect()) })
    }
}

/// The one default resolver: options made with the defaults share it, so they key alike.
pub(crate) fn default_resolver() -> Arc<dyn Resolve> {
    static DEFAULT: OnceLock<Arc<dyn Resolve>> = OnceLock::new();
    DEFAULT.get_or_init(|| Arc::new(SystemResolver)).clone()
}

/// Strips the brackets of an IPv6 literal (`[::1]` -> `::1`).
pub(crate) fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// The addresses of `host:port`: the IP literal itself, else the overrides for the name
/// (`(name, addr)` pairs; an address with port 0 stands for every port), else what
/// `resolver` answers. Errors name the host. An answer stamps the end of the DNS phase.
pub(crate) async fn lookup(
    resolver: &dyn Resolve,
    overrides: &[(String, SocketAddr)],
    host: &str,
    port: u16,
) -> io::Result<Vec<SocketAddr>> {
    let addrs = lookup_unstamped(resolver, overrides, host, port).await?;
    timing::stamp(Phase::Dns);
    Ok(addrs)
}

async fn lookup_unstamped(
    resolver: &dyn Resolve,
    overrides: &[(String, SocketAddr)],
    host: &str,
    port: u16,
) -> io::Result<Vec<SocketAddr>> {
    let bare = unbracket(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let overridden: Vec<SocketAddr> = overrides
        .iter()
        .filter(|(name, addr)| {
            unbracket(name).eq_ignore_ascii_case(bare) && (addr.port() == 0 || addr.port() == port)
        })
        .map(|(_, addr)| SocketAddr::new(addr.ip(), port))
        .collect();
    if !overridden.is_empty() {
        tracing::debug!(target: "hip::connect", host, ?overridden, "resolved by an override");
        return Ok(overridden);
    }
    // A name, or an IPv6 literal with a zone ("fe80::1%eth0"): the resolver decides.
    match resolver.resolve(bare, port).await {
        Ok(addrs) if addrs.is_empty() => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("failed to resolve {host:?}: no addresses"),
        )),
        Ok(addrs) => Ok(addrs),
        Err(e) => Err(io::Error::new(
            e.kind(),
            ResolveError {
                host: host.to_owned(),
                source: e,
            },
        )),
    }
}

/// A resolver's failure, naming the host, with the resolver's error as its source.
#[derive(Debug)]
struct ResolveError {
    host: String,
    source: io::Error,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failed to resolve {:?}: {}", self.host, self.source)
    }
}

impl std::error::Error for ResolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resolver that answers one fixed list, or fails naming what it was asked.
    #[derive(Debug)]
    struct Fixed(Vec<SocketAddr>);

    impl Resolve for Fixed {
        fn resolve<'a>(
            &'a self,
            host: &'a str,
            port: u16,
        ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
            Box::pin(async move {
                if self.0.is_empty() {
                    Err(io::Error::other(format!("asked for {host}:{port}")))
                } else {
                    Ok(self.0.clone())
                }
            })
        }
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn unbracket_strips_only_matching_brackets() {
        assert_eq!(unbracket("[::1]"), "::1");
        assert_eq!(unbracket("::1"), "::1");
        assert_eq!(unbracket("[::1"), "[::1");
        assert_eq!(unbracket("example.com"), "example.com");
    }

    #[tokio::test]
    async fn ip_literals_resolve_without_asking() {
        let never = Fixed(vec![]);
        assert_eq!(
            lookup(&never, &[], "[::1]", 80).await.unwrap(),
            vec![addr("[::1]:80")]
        );
        assert_eq!(
            lookup(&never, &[], "127.0.0.1", 8080).await.unwrap(),
            vec![addr("127.0.0.1:8080")]
        );
    }

    #[tokio::test]
    async fn overrides_answer_for_their_name_and_port_before_the_resolver() {
        let never = Fixed(vec![]);
        let overrides = vec![
            ("Example.org".to_owned(), addr("127.0.0.2:443")),
            ("example.org".to_owned(), addr("[::1]:443")),
            ("any-port.test".to_owned(), addr("127.0.0.3:0")),
        ];
        assert_eq!(
            lookup(&never, &overrides, "EXAMPLE.org", 443)
                .await
                .unwrap(),
            vec![addr("127.0.0.2:443"), addr("[::1]:443")]
        );
        assert_eq!(
            lookup(&never, &overrides, "any-port.test", 8080)
                .await
                .unwrap(),
            vec![addr("127.0.0.3:8080")]
        );
        // Another port of an overridden name goes to the resolver.
        let e = lookup(&never, &overrides, "example.org", 80)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to resolve \"example.org\": asked for example.org:80"
        );
    }

    #[tokio::test]
    async fn an_empty_answer_is_an_error_naming_the_host() {
        #[derive(Debug)]
        struct Empty;
        impl Resolve for Empty {
            fn resolve<'a>(
                &'a self,
                _: &'a str,
                _: u16,
            ) -> BoxFuture<'a, io::Result<Vec<SocketAddr>>> {
                Box::pin(async { Ok(Vec::new()) })
            }
        }
        let e = lookup(&Empty, &[], "nothing.test", 80).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            e.to_string(),
            "failed to resolve \"nothing.test\": no addresses"
        );
    }

    #[tokio::test]
    async fn the_resolver_answer_is_used_as_given() {
        let r = Fixed(vec![addr("127.0.0.1:1"), addr("[::1]:2")]);
        assert_eq!(
            lookup(&r, &[], "h.test", 80).await.unwrap(),
            vec![addr("127.0.0.1:1"), addr("[::1]:2")]
        );
    }
}
