//! `http` or `https`: whether a connection speaks TLS to its host.

use hip_core::{Error, ErrorKind};

/// `http` or `https`: the spec's `ConnectionPool.scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Plain HTTP (`HTTPConnectionPool.scheme = 'http'`).
    Http,
    /// HTTP over TLS (`HTTPSConnectionPool.scheme = 'https'`).
    Https,
}

impl Scheme {
    /// Parses `"http"` / `"https"` (case-insensitive).
    pub fn parse(s: &str) -> Option<Scheme> {
        if s.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else if s.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }

    /// The checks of the spec's `connection_from_host`: a host is required and the scheme
    /// must be one hip speaks (LocationValueError otherwise).
    pub(crate) fn for_pool(host: &str, scheme: &str) -> Result<Scheme, Error> {
        Scheme::check_host(host)?;
        Scheme::parse(scheme).ok_or_else(|| {
            Error::new(
                ErrorKind::LocationValue,
                format!("unsupported scheme {scheme:?}: hip speaks http and https"),
            )
        })
    }

    /// The spec's "No host specified." (LocationValueError) for an empty host.
    pub(crate) fn check_host(host: &str) -> Result<(), Error> {
        if host.is_empty() {
            return Err(Error::new(ErrorKind::LocationValue, "No host specified."));
        }
        Ok(())
    }

    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The spec's `port_by_scheme`: 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}
