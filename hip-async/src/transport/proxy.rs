//! Proxies as routes: how a pool's connections reach its host through a proxy.
//!
//! A [`ProxyConfig`] is a proxy a manager was built with (an HTTP or HTTPS proxy with its
//! headers, or a SOCKS proxy with its credentials). For each request the manager asks
//! [`ProxyConfig::route_for`] which [`Route`] the URL's scheme takes; the route decides the
//! pool key and the request target, and nothing else:
//!
//! | route | the pool is keyed to | a new connection | request target |
//! | --- | --- | --- | --- |
//! | [`Route::Direct`] | the destination | TCP (and TLS for https) to the destination | origin form |
//! | [`Route::Forward`]: `http://` through an HTTP proxy | the proxy | TCP to the proxy (TLS for an `https://` proxy) | absolute form, with the proxy headers |
//! | [`Route::Tunnel`]: `https://` through an HTTP proxy | the destination | TCP (and TLS) to the proxy, `CONNECT host:port` with the proxy headers, then TLS to the destination | origin form |
//! | `Route::Socks` (feature `socks`) | the destination | TCP to the SOCKS proxy, the SOCKS4/5 negotiation, then TLS for https | origin form |
//!
//! The whole handshake runs inside the pool's connect timeout. A proxy that cannot be reached
//! is [`ErrorKind::Proxy`] ("Unable to connect to proxy ...", with the cause as source, so a
//! refused TCP connection is still retried as a connect error); a refused CONNECT is
//! [`ErrorKind::FailedTunnel`] carrying the proxy's status, headers and (up to 64 KiB of) body.
//!
//! Proxy headers (such as `Proxy-Authorization`) are added when a request goes out on a
//! forwarding route and written on the CONNECT request for a tunnel; they are never part of
//! the request's own headers, so no redirect can carry them to an origin.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use hip_core::h1::{BodyLength, Request};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use super::endpoint::{
    headers_with_url_auth, http_port, Dialer, Endpoint, HttpProxy, ProxyUrl, HTTP_SCHEMES,
};
use super::tcp::{self, BoxIo};
use super::timing::{self, Phase};
use super::tls::TlsOptions;

/// A proxy a [`PoolManager`](crate::PoolManager) sends its requests through: the spec's
/// `proxy_url` with `proxy_headers` (`ProxyManager`), or a SOCKS proxy URL with credentials
/// (`SOCKSProxyManager`). Built by the manager's builder, which checks the URL and, for an
/// `https://` proxy, loads the TLS options that verify the proxy itself.
///
/// Cheap to clone. Two configurations are equal (and hash alike) when their scheme, host,
/// port, headers, credentials and proxy TLS options are; its `Debug` output hides
/// credentials.
#[derive(Clone)]
pub struct ProxyConfig {
    inner: Arc<Kind>,
}

enum Kind {
    /// An HTTP or HTTPS proxy: forwarding for `http://`, CONNECT tunnels for `https://`.
    Http(HttpProxy),
    /// A SOCKS4/4a/5/5h proxy.
    #[cfg(feature = "socks")]
    Socks(super::socks::SocksProxy),
}

/// How the connections of one pool reach its host. Part of the [`PoolKey`](crate::PoolKey):
/// pools on different routes never share a connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// Straight to the host.
    Direct,
    /// To an HTTP proxy that forwards each request (`http://` URLs): requests carry the
    /// absolute URL as their target, the destination's `Host` and the proxy headers.
    Forward(ProxyConfig),
    /// A `CONNECT` tunnel through an HTTP proxy (`https://` URLs), then TLS to the host.
    Tunnel(ProxyConfig),
    /// Through a SOCKS proxy (feature `socks`).
    #[cfg(feature = "socks")]
    Socks(ProxyConfig),
}

impl Route {
    /// The proxy this route goes through, if any.
    pub fn proxy(&self) -> Option<&ProxyConfig> {
        match self {
            Route::Direct => None,
            Route::Forward(p) | Route::Tunnel(p) => Some(p),
            #[cfg(feature = "socks")]
            Route::Socks(p) => Some(p),
        }
    }

    /// The headers to add to each request sent on this route: the proxy headers on a
    /// forwarding route, none otherwise.
    pub(crate) fn forward_headers(&self) -> Option<&HttpHeaderDict> {
        match self {
            Route::Forward(p) => p.http_proxy().map(|h| &h.headers),
            _ => None,
        }
    }

    /// True when requests on this route carry absolute-form targets.
    pub(crate) fn is_forward(&self) -> bool {
        matches!(self, Route::Forward(_))
    }

    /// Opens a byte stream to `host:port` along this route (the whole proxy handshake,
    /// whose end is stamped as the proxy phase); the pool adds TLS to the destination
    /// afterwards.
    pub(crate) async fn open(
        &self,
        dialer: &Dialer<'_>,
        host: &str,
        port: u16,
    ) -> Result<BoxIo, Error> {
        match self {
            Route::Direct => tcp::open(dialer.connector, host, port, dialer.connect, None).await,
            Route::Forward(p) => match &*p.inner {
                Kind::Http(h) => h.endpoint.connect(dialer).await,
                #[cfg(feature = "socks")]
                Kind::Socks(_) => Err(p.wrong_route()),
            },
            Route::Tunnel(p) => match &*p.inner {
                Kind::Http(h) => {
                    let io = h.endpoint.connect(dialer).await?;
                    let io = super::tunnel::connect(io, h, host, port, dialer.limits).await?;
                    timing::stamp(Phase::Proxy);
                    Ok(io)
                }
                #[cfg(feature = "socks")]
                Kind::Socks(_) => Err(p.wrong_route()),
            },
            #[cfg(feature = "socks")]
            Route::Socks(p) => match &*p.inner {
                Kind::Socks(s) => {
                    let io = super::socks::connect(dialer, s, host, port).await?;
                    timing::stamp(Phase::Proxy);
                    Ok(io)
                }
                Kind::Http(_) => Err(p.wrong_route()),
            },
        }
    }
}

impl ProxyConfig {
    /// The HTTP (or HTTPS) proxy at `proxy_url`, with an optional `user:pass@` for Basic
    /// proxy auth (percent-decoded; it becomes `Proxy-Authorization` unless `proxy_headers`
    /// has one). `proxy_headers` are sent with every forwarded request and on each CONNECT.
    /// `tls` (CA and client-certificate options) verifies an `https://` proxy by its own
    /// name.
    ///
    /// Errors: [`ErrorKind::ProxySchemeUnknown`] for a scheme other than `http`/`https`,
    /// [`ErrorKind::LocationValue`] for a URL without a host, [`ErrorKind::InvalidHeader`]
    /// for a proxy header that cannot be sent.
    pub fn http(
        proxy_url: &str,
        proxy_headers: HttpHeaderDict,
        tls: &TlsOptions,
    ) -> Result<ProxyConfig, Error> {
        let url = ProxyUrl::parse(proxy_url, HTTP_SCHEMES, http_port)?;
        let endpoint = Endpoint::new(&url, (url.scheme == "https").then_some(tls))?;
        Self::from_endpoint(&url, endpoint, proxy_headers)
    }

    fn from_endpoint(
        url: &ProxyUrl,
        endpoint: Endpoint,
        proxy_headers: HttpHeaderDict,
    ) -> Result<ProxyConfig, Error> {
        let headers = headers_with_url_auth(proxy_headers, url);
        // Proxy headers go out on every request: refuse one that cannot be sent now.
        Request {
            method: "CONNECT",
            target: "proxy:1",
            host: "proxy:1",
            headers: &headers,
            body: BodyLength::None,
        }
        .prepare()?;
        Ok(ProxyConfig {
            inner: Arc::new(Kind::Http(HttpProxy { endpoint, headers })),
        })
    }

    /// An HTTP proxy whose `https://` connection is verified with `proxy_tls` alone, whatever
    /// a pool's TLS options say: urllib3's `ProxyManager(proxy_ssl_context=...)`. Otherwise
    /// as [`ProxyConfig::http`].
    ///
    /// Errors: as [`ProxyConfig::http`], and [`ErrorKind::Ssl`] for unreadable CA or key
    /// files in `proxy_tls`.
    pub fn http_with_tls(
        proxy_url: &str,
        proxy_headers: HttpHeaderDict,
        proxy_tls: &TlsOptions,
    ) -> Result<ProxyConfig, Error> {
        let url = ProxyUrl::parse(proxy_url, HTTP_SCHEMES, http_port)?;
        let endpoint = if url.scheme == "https" {
            Endpoint::new_pinned(&url, proxy_tls)?
        } else {
            Endpoint::new(&url, None)?
        };
        Self::from_endpoint(&url, endpoint, proxy_headers)
    }

    /// This proxy as a pool with TLS options `pool_tls` reaches it: an `https://` proxy not
    /// pinned by [`ProxyConfig::http_with_tls`] is verified with the pool's CA options, as
    /// urllib3 1.26 verifies it with the connection's (so `pool_kwargs` with another CA
    /// reach the proxy too). The same proxy when nothing changes.
    pub(crate) fn for_pool_tls(&self, pool_tls: &TlsOptions) -> Result<ProxyConfig, Error> {
        let Some(h) = self.http_proxy() else {
            return Ok(self.clone());
        };
        match h.endpoint.for_pool_tls(pool_tls)? {
            None => Ok(self.clone()),
            Some(endpoint) => Ok(ProxyConfig {
                inner: Arc::new(Kind::Http(HttpProxy {
                    endpoint,
                    headers: h.headers.clone(),
                })),
            }),
        }
    }

    /// The proxy at `proxy_url`, HTTP or SOCKS by its scheme: [`ProxyConfig::http`] for
    /// `http://` and `https://` (with `proxy_headers` and `tls`), `ProxyConfig::socks` for
    /// `socks4://`, `socks4a://`, `socks5://` and `socks5h://` (feature `socks`; with
    /// `username` and `password`). Any other scheme is [`ErrorKind::ProxySchemeUnknown`]
    /// naming the schemes this build supports.
    pub fn from_url(
        proxy_url: &str,
        proxy_headers: HttpHeaderDict,
        username: Option<&str>,
        password: Option<&str>,
        tls: &TlsOptions,
    ) -> Result<ProxyConfig, Error> {
        let scheme = proxy_url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("http" | "https") => ProxyConfig::http(proxy_url, proxy_headers, tls),
            #[cfg(feature = "socks")]
            Some(s) if super::socks::SocksVersion::from_scheme(s).is_some() => {
                ProxyConfig::socks(proxy_url, username, password)
            }
            _ => {
                let _ = (username, password);
                // Parsing against every supported scheme gives the error that names them.
                ProxyUrl::parse(proxy_url, SUPPORTED_SCHEMES, |_| 0)?;
                Err(Error::new(
                    ErrorKind::ProxySchemeUnknown,
                    format!("unsupported proxy URL {proxy_url:?}"),
                ))
            }
        }
    }

    /// The SOCKS version of a SOCKS proxy (feature `socks`); None for an HTTP proxy.
    #[cfg(feature = "socks")]
    pub fn socks_version(&self) -> Option<super::socks::SocksVersion> {
        match &*self.inner {
            Kind::Socks(s) => Some(s.version),
            Kind::Http(_) => None,
        }
    }

    #[cfg(feature = "socks")]
    pub(crate) fn from_socks(proxy: super::socks::SocksProxy) -> ProxyConfig {
        ProxyConfig {
            inner: Arc::new(Kind::Socks(proxy)),
        }
    }

    fn http_proxy(&self) -> Option<&HttpProxy> {
        match &*self.inner {
            Kind::Http(h) => Some(h),
            #[cfg(feature = "socks")]
            Kind::Socks(_) => None,
        }
    }

    #[cfg(feature = "socks")]
    fn wrong_route(&self) -> Error {
        Error::new(
            ErrorKind::ProxySchemeUnknown,
            format!("proxy {} cannot be used on this route", self.proxy_url()),
        )
    }

    fn endpoint(&self) -> &Endpoint {
        match &*self.inner {
            Kind::Http(h) => &h.endpoint,
            #[cfg(feature = "socks")]
            Kind::Socks(s) => &s.endpoint,
        }
    }

    /// Which route a request to a URL with `scheme` takes through this proxy: HTTP proxies
    /// forward `http` and tunnel `https`; SOCKS proxies carry both.
    pub fn route_for(&self, scheme: super::Scheme) -> Route {
        match &*self.inner {
            Kind::Http(_) => match scheme {
                super::Scheme::Http => Route::Forward(self.clone()),
                super::Scheme::Https => Route::Tunnel(self.clone()),
            },
            #[cfg(feature = "socks")]
            Kind::Socks(_) => Route::Socks(self.clone()),
        }
    }

    /// The spec's `proxy`: the proxy's URL without credentials, e.g.
    /// `http://127.0.0.1:3128`.
    pub fn proxy_url(&self) -> String {
        self.endpoint().to_string()
    }

    /// The host and port of the proxy (a forwarding pool is keyed to them).
    pub fn host_port(&self) -> (&str, u16) {
        let e = self.endpoint();
        (&e.host, e.port)
    }

    /// The spec's `proxy_headers`: sent to an HTTP proxy (with each forwarded request, or on
    /// the CONNECT), with the `Proxy-Authorization` made from the URL's credentials; `None`
    /// for a SOCKS proxy.
    pub fn proxy_headers(&self) -> Option<&HttpHeaderDict> {
        self.http_proxy().map(|h| &h.headers)
    }

    /// True for a SOCKS proxy.
    pub fn is_socks(&self) -> bool {
        self.http_proxy().is_none()
    }

    /// Everything that makes two proxies different, as one comparable value (never the
    /// built TLS configuration, which follows from the options).
    fn identity(&self) -> impl PartialEq + Hash + '_ {
        let e = self.endpoint();
        let (version, username, password): (Option<&str>, Option<&str>, Option<&str>) =
            match &*self.inner {
                Kind::Http(_) => (None, None, None),
                #[cfg(feature = "socks")]
                Kind::Socks(s) => (
                    Some(s.version.scheme()),
                    s.username.as_deref(),
                    s.password.as_deref(),
                ),
            };
        (
            (&e.scheme, &e.host, e.port, e.tls_options()),
            self.proxy_headers(),
            (version, username, password),
        )
    }
}

#[cfg(feature = "socks")]
impl ProxyConfig {
    /// Connections through the SOCKS proxy at `proxy_url` (`socks4://`, `socks4a://`,
    /// `socks5://`, `socks5h://`; default port 1080), for a pool keyed to the destination.
    /// `username` and `password`, when given, replace the URL's `user:pass@`. Feature `socks`.
    pub fn socks(
        proxy_url: &str,
        username: Option<&str>,
        password: Option<&str>,
    ) -> Result<ProxyConfig, Error> {
        Ok(ProxyConfig::from_socks(super::socks::SocksProxy::from_url(
            proxy_url, username, password,
        )?))
    }
}

impl PartialEq for ProxyConfig {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.identity() == other.identity()
    }
}

impl Eq for ProxyConfig {}

impl Hash for ProxyConfig {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self
            .proxy_headers()
            .map(|h| h.iter().map(|(n, _)| n).collect())
            .unwrap_or_default();
        f.debug_struct("ProxyConfig")
            .field("proxy", &self.proxy_url())
            .field("proxy_header_names", &header_names)
            .finish_non_exhaustive()
    }
}

/// Every proxy scheme this build speaks.
#[cfg(feature = "socks")]
const SUPPORTED_SCHEMES: &[&str] = &["http", "https", "socks4", "socks4a", "socks5", "socks5h"];
#[cfg(not(feature = "socks"))]
const SUPPORTED_SCHEMES: &[&str] = &["http", "https"];

#[cfg(test)]
mod tests {
    use super::super::tls::CertReqs;
    use super::*;

    fn parse_http(url: &str) -> Result<ProxyUrl, Error> {
        ProxyUrl::parse(url, HTTP_SCHEMES, http_port)
    }

    #[test]
    fn proxy_urls_parse_with_default_ports_and_decoded_credentials() {
        let u = parse_http("http://localhost:3128/").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port),
            ("http", "localhost", 3128)
        );
        assert_eq!((u.username, u.password), (None, None));
        let u = parse_http("https://Proxy.Example").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port),
            ("https", "proxy.example", 443)
        );
        let u = parse_http("http://us%40er:p%3Ass@[::1]").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 80));
        assert_eq!(u.username.as_deref(), Some("us@er"));
        assert_eq!(u.password.as_deref(), Some("p:ss"));
    }

    #[test]
    fn unknown_schemes_are_named_and_passwords_hidden() {
        let e = parse_http("socks5://user:secret@h:1080").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
        assert_eq!(
            e.message(),
            "Proxy URL \"socks5://user:***@h:1080\" had unsupported scheme \"socks5\", should \
             use one of http://, https://"
        );
        let e = parse_http("ftp://h").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::ProxySchemeUnknown);
        assert!(e.message().contains("\"ftp\""), "{}", e.message());
        let e = parse_http("http://").err().unwrap();
        assert!(e.is_location_value_error(), "{e}");
    }

    #[test]
    fn url_credentials_become_basic_auth_unless_given() {
        let u = parse_http("http://user:p%20w@h:1").unwrap();
        let h = headers_with_url_auth(HttpHeaderDict::new(), &u);
        assert_eq!(
            h.get("proxy-authorization").as_deref(),
            Some("Basic dXNlcjpwIHc=")
        );
        let mut given = HttpHeaderDict::new();
        given.add("Proxy-Authorization", "Bearer t");
        let h = headers_with_url_auth(given, &u);
        assert_eq!(h.getlist("proxy-authorization"), vec!["Bearer t"]);
    }

    #[test]
    fn proxies_compare_by_value_and_debug_hides_credentials() {
        let make = |url: &str| {
            ProxyConfig::http(url, HttpHeaderDict::new(), &TlsOptions::default()).unwrap()
        };
        let cfg = make("http://user:secret@127.0.0.1:3128");
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("dXNlcjpzZWNyZXQ="), "{shown}");
        assert!(shown.contains("http://127.0.0.1:3128"), "{shown}");
        assert_eq!(cfg, make("http://user:secret@127.0.0.1:3128"));
        assert_ne!(cfg, make("http://user:other@127.0.0.1:3128"));
        assert_ne!(cfg, make("http://user:secret@127.0.0.1:3129"));
    }

    #[test]
    fn unverified_proxy_tls_is_allowed() {
        let url = parse_http("https://proxy:8443").unwrap();
        let tls = TlsOptions {
            cert_reqs: CertReqs::None,
            ..TlsOptions::default()
        };
        let ep = Endpoint::new(&url, Some(&tls)).unwrap();
        assert_eq!(ep.to_string(), "https://proxy:8443");
        assert!(ep.tls_options().is_some());
    }
}
