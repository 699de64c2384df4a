//! Where a proxy listens and how to reach it: its parsed URL, its endpoint (TCP, and TLS
//! for an `https://` proxy, checked by the proxy's own name), the headers an HTTP proxy gets,
//! and what opening a connection needs from the pool. Shared by the routes
//! (`proxy.rs`), the CONNECT tunnel and SOCKS.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hip_core::h1::Limits;
use hip_core::request::basic_auth_value;
use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict, Warning};

use super::tcp::{self, BoxIo, ConnectOptions, Connector};
use super::timing::{self, Phase};
use super::tls::{self, AssertHostname, TlsOptions};
use crate::warnings;

/// What opening a TCP connection needs from the pool: the connector, its socket options and
/// the parser limits (for a proxy's CONNECT answer).
pub(crate) struct Dialer<'a> {
    pub(crate) connector: &'a dyn Connector,
    pub(crate) connect: &'a ConnectOptions,
    pub(crate) limits: Limits,
}

/// An HTTP (or HTTPS) proxy: where it is, and the headers it gets.
pub(crate) struct HttpProxy {
    pub(crate) endpoint: Endpoint,
    pub(crate) headers: HttpHeaderDict,
}

pub(crate) const HTTP_SCHEMES: &[&str] = &["http", "https"];

pub(crate) fn http_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// Where a proxy listens, and how to speak TLS to it.
pub(crate) struct Endpoint {
    /// The proxy URL's scheme, lowercase (`http`, `https`, `socks5h`, ...).
    pub(crate) scheme: String,
    /// The host, lowercase, IPv6 literals without brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    tls: Option<ProxyTls>,
}

/// The options that verify a proxy, from `base`: the proxy is checked by its own name, so
/// options that pin the destination's identity do not apply to it.
fn proxy_view(base: &TlsOptions) -> TlsOptions {
    TlsOptions {
        assert_hostname: AssertHostname::Default,
        assert_fingerprint: None,
        server_hostname: None,
        ..base.clone()
    }
}

/// TLS to an `https://` proxy: the manager's CA and client-certificate options, checked
/// against the proxy's own name.
struct ProxyTls {
    opts: TlsOptions,
    config: Arc<rustls::ClientConfig>,
    warned: AtomicBool,
    /// Set on the builder for the proxy alone (`proxy_tls`, urllib3's
    /// `proxy_ssl_context`): a pool's own TLS options never replace it.
    pinned: bool,
}

impl Endpoint {
    /// A plain-TCP endpoint, for tests of the handshakes that follow the connect.
    #[cfg(test)]
    pub(crate) fn plain(scheme: &str, host: &str, port: u16) -> Endpoint {
        Endpoint {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            port,
            tls: None,
        }
    }
}

impl Endpoint {
    /// The TLS options that verify an `https://` proxy (None for a plain one).
    pub(crate) fn tls_options(&self) -> Option<&TlsOptions> {
        self.tls.as_ref().map(|t| &t.opts)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]:{}", self.scheme, self.host, self.port)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

impl Endpoint {
    pub(crate) fn new(url: &ProxyUrl, tls: Option<&TlsOptions>) -> Result<Endpoint, Error> {
        Self::with_tls(url.scheme.clone(), url.host.clone(), url.port, tls, false)
    }

    /// An `https://` proxy verified with `tls` whatever the pool's options say (`pinned`),
    /// or following them.
    pub(crate) fn new_pinned(url: &ProxyUrl, tls: &TlsOptions) -> Result<Endpoint, Error> {
        Self::with_tls(
            url.scheme.clone(),
            url.host.clone(),
            url.port,
            Some(tls),
            true,
        )
    }

    /// This endpoint verified with a pool's TLS options `pool_tls`, as urllib3 1.26 verifies
    /// an HTTPS proxy with the connection's CA options: `None` when nothing changes (a plain
    /// proxy, TLS pinned on the builder, or the same options).
    pub(crate) fn for_pool_tls(&self, pool_tls: &TlsOptions) -> Result<Option<Endpoint>, Error> {
        match &self.tls {
            Some(t) if !t.pinned && t.opts != proxy_view(pool_tls) => Self::with_tls(
                self.scheme.clone(),
                self.host.clone(),
                self.port,
                Some(pool_tls),
                false,
            )
            .map(Some),
            _ => Ok(None),
        }
    }

    fn with_tls(
        scheme: String,
        host: String,
        port: u16,
        tls: Option<&TlsOptions>,
        pinned: bool,
    ) -> Result<Endpoint, Error> {
        let tls = match tls {
            None => None,
            Some(base) => {
                // The proxy is checked by its own name: options that pin the destination's
                // identity do not apply to it.
                let opts = proxy_view(base);
                let config = match &opts.ssl_context {
                    Some(c) => c.clone(),
                    None => tls::build_client_config(&opts)?,
                };
                Some(ProxyTls {
                    opts,
                    config,
                    warned: AtomicBool::new(false),
                    pinned,
                })
            }
        };
        Ok(Endpoint {
            scheme,
            host,
            port,
            tls,
        })
    }

    /// The spec's `ProxyError('Unable to connect to proxy', cause)`.
    pub(crate) fn unable(&self, cause: Error) -> Error {
        Error::new(
            ErrorKind::Proxy,
            format!("Unable to connect to proxy {self}"),
        )
        .with_source(cause)
    }

    /// TCP to the proxy through the pool's connector (and TLS for an `https://` proxy,
    /// which ends the proxy phase of the timings).
    pub(crate) async fn connect(&self, dialer: &Dialer<'_>) -> Result<BoxIo, Error> {
        let io = tcp::open(
            dialer.connector,
            &self.host,
            self.port,
            dialer.connect,
            None,
        )
        .await
        .map_err(|e| self.unable(e))?;
        let Some(t) = &self.tls else {
            return Ok(io);
        };
        if !t.opts.is_verified() && !t.warned.swap(true, Ordering::Relaxed) {
            warnings::warn(
                Warning::InsecureRequest,
                &format!(
                    "Unverified HTTPS connection to proxy '{}'. Adding certificate verification \
                     is strongly advised.",
                    self.host
                ),
            );
        }
        let io = tls::handshake(io, &self.host, &t.opts, &t.config)
            .await
            .map_err(|e| self.unable(e))?;
        timing::stamp(Phase::Proxy);
        Ok(io)
    }
}

/// A proxy URL taken apart: scheme, host, port and the percent-decoded credentials.
pub(crate) struct ProxyUrl {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl ProxyUrl {
    /// Parses `url`, whose scheme must be one of `schemes` (else `ProxySchemeUnknown`,
    /// naming it). `default_port` gives the port when the URL has none.
    pub(crate) fn parse(
        url: &str,
        schemes: &[&str],
        default_port: impl Fn(&str) -> u16,
    ) -> Result<ProxyUrl, Error> {
        let expected = schemes
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ");
        let u = parse_url(url)
            .map_err(|e| Error::new(e.kind(), format!("invalid proxy URL: {}", e.message())))?;
        let shown = redacted(&u);
        let scheme = match u.scheme.as_deref() {
            Some(s) if schemes.contains(&s) => s.to_owned(),
            Some(s) => {
                return Err(Error::new(
                    ErrorKind::ProxySchemeUnknown,
                    format!(
                        "Proxy URL {shown:?} had unsupported scheme {s:?}, should use one of \
                         {expected}"
                    ),
                ))
            }
            None => {
                return Err(Error::new(
                    ErrorKind::ProxySchemeUnknown,
                    format!("Proxy URL {shown:?} has no scheme, should use one of {expected}"),
                ))
            }
        };
        let host = match u.host.as_deref() {
            Some(h) if !h.is_empty() => h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
            _ => {
                return Err(Error::new(
                    ErrorKind::LocationValue,
                    format!("No host specified in proxy URL {shown:?}"),
                ))
            }
        };
        let (username, password) = match u.auth.as_deref() {
            None => (None, None),
            Some(auth) => match auth.split_once(':') {
                Some((user, pass)) => (Some(decode(user)), Some(decode(pass))),
                None => (Some(decode(auth)), None),
            },
        };
        Ok(ProxyUrl {
            port: u.port.unwrap_or_else(|| default_port(&scheme)),
            scheme,
            host,
            username,
            password,
        })
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The URL with its password replaced by `***`, for messages.
fn redacted(u: &Url) -> String {
    let mut shown = u.clone();
    if let Some(auth) = &u.auth {
        shown.auth = Some(match auth.split_once(':') {
            Some((user, _)) => format!("{user}:***"),
            None => auth.clone(),
        });
    }
    shown.url()
}

/// `proxy_headers` plus `Proxy-Authorization: Basic ...` from the URL's `user:pass@`, unless
/// the headers already have a `Proxy-Authorization`.
pub(crate) fn headers_with_url_auth(mut headers: HttpHeaderDict, url: &ProxyUrl) -> HttpHeaderDict {
    if let Some(user) = &url.username {
        if !headers.contains("proxy-authorization") {
            let pass = url.password.as_deref().unwrap_or("");
            headers.insert(
                "Proxy-Authorization",
                basic_auth_value(&format!("{user}:{pass}")),
            );
        }
    }
    headers
}
