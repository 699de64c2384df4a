//! Proxies from the environment (`proxy_from_env(true)` on the builder): `http_proxy`,
//! `https_proxy`, `all_proxy` and `no_proxy`, in either case, as curl, Python's `urllib` and
//! reqwest read them, and the rules that pick a proxy per URL.
//!
//! - Lower case wins over upper case when both are set (Python's `getproxies_environment`);
//!   an empty value counts as unset.
//! - `all_proxy` serves a scheme that has no proxy of its own; it may be a SOCKS URL
//!   (`socks5h://...`, feature `socks`).
//! - A proxy given without a scheme (`proxy.example:3128`) is `http://`.
//! - When `REQUEST_METHOD` is set the process is a CGI script, where `HTTP_PROXY` can come
//!   from a request's `Proxy:` header ("httpoxy"): no proxy for `http://` is taken from the
//!   environment then, as curl and reqwest do.
//! - `no_proxy` ([`NoProxy`]) lists hosts reached directly.

use std::net::IpAddr;

use hip_core::Error;

use super::proxy::ProxyConfig;
use super::Scheme;

/// The spec-less `no_proxy` list: hosts that are reached without the proxy. Entries are
/// separated by commas (or spaces) and compared without regard to case:
///
/// - `*` alone: every host;
/// - a name, with or without a leading dot (`example.com`, `.example.com`): that host and
///   every host under it (`api.example.com`), not `badexample.com`;
/// - an IP address (`127.0.0.1`, `::1`, `[::1]`): that address, given as an IP literal;
/// - a CIDR block (`10.0.0.0/8`, `fd00::/8`): IP literals inside it;
/// - any of these with `:port` (`example.com:8080`, `[::1]:8080`): only on that port.
///
/// ```
/// use hip_async::NoProxy;
///
/// let np = NoProxy::parse("localhost, .internal.example, 10.0.0.0/8, example.org:8080");
/// assert!(np.matches("LOCALHOST", 80));
/// assert!(np.matches("db.internal.example", 5432));
/// assert!(np.matches("10.1.2.3", 443));
/// assert!(np.matches("example.org", 8080));
/// assert!(!np.matches("example.org", 443));
/// assert!(!np.matches("notinternal.example", 80));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NoProxy {
    all: bool,
    entries: Vec<(Target, Option<u16>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// A lowercase name without a leading dot.
    Name(String),
    Ip(IpAddr),
    Cidr(IpAddr, u8),
}

impl NoProxy {
    /// Parses a `no_proxy` value. Entries that are none of the forms above (an empty one, a
    /// CIDR with a bad prefix) are skipped, as curl skips them.
    pub fn parse(value: &str) -> NoProxy {
        let mut np = NoProxy::default();
        for raw in value.split([',', ' ', '\t']).map(str::trim) {
            if raw.is_empty() {
                continue;
            }
            if raw == "*" {
                np.all = true;
                continue;
            }
            if let Some(entry) = parse_entry(raw) {
                np.entries.push(entry);
            }
        }
        np
    }

    /// True when `host` (a name or an IP literal, brackets allowed) on `port` is to be
    /// reached without the proxy.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let host = host.strip_suffix('.').unwrap_or(host);
        let ip: Option<IpAddr> = host.parse().ok();
        self.entries.iter().any(|(target, p)| {
            if p.is_some_and(|p| p != port) {
                return false;
            }
            match (target, ip) {
                (Target::Ip(a), Some(b)) => *a == b,
                (Target::Cidr(net, bits), Some(b)) => in_cidr(*net, *bits, b),
                (Target::Name(name), None) => {
                    host.eq_ignore_ascii_case(name)
                        || (host.len() > name.len()
                            && host.as_bytes()[host.len() - name.len() - 1] == b'.'
                            && host[host.len() - name.len()..].eq_ignore_ascii_case(name))
                }
                _ => false,
            }
        })
    }

    /// True when the list is empty (nothing bypasses the proxy).
    pub fn is_empty(&self) -> bool {
        !self.all && self.entries.is_empty()
    }
}

/// One entry: a target with an optional port.
fn parse_entry(raw: &str) -> Option<(Target, Option<u16>)> {
    // `[v6]` or `[v6]:port`.
    if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse().ok()?),
        };
        return target(inside).map(|t| (t, port));
    }
    // A bare IPv6 address or CIDR has several colons: no port.
    if raw.matches(':').count() > 1 {
        return target(raw).map(|t| (t, None));
    }
    match raw.rsplit_once(':') {
        Some((host, port)) => Some((target(host)?, Some(port.parse().ok()?))),
        None => target(raw).map(|t| (t, None)),
    }
}

fn target(s: &str) -> Option<Target> {
    if let Some((net, bits)) = s.split_once('/') {
        let net: IpAddr = net.parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(Target::Cidr(net, bits));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(Target::Ip(ip));
    }
    let name = s.trim_start_matches('.').trim_end_matches('.');
    (!name.is_empty()).then(|| Target::Name(name.to_ascii_lowercase()))
}

fn in_cidr(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// The proxy URLs the environment names, per scheme, and its `no_proxy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EnvProxies {
    pub(crate) http: Option<String>,
    pub(crate) https: Option<String>,
    pub(crate) no_proxy: NoProxy,
}

impl EnvProxies {
    /// Reads the variables through `get` (`std::env::var` in use; a map in tests).
    pub(crate) fn read(get: impl Fn(&str) -> Option<String>) -> EnvProxies {
        let var = |lower: &str| {
            let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
            set(get(lower)).or_else(|| set(get(&lower.to_ascii_uppercase())))
        };
        let all = var("all_proxy");
        let cgi = get("REQUEST_METHOD").is_some();
        let http = if cgi {
            if var("http_proxy").is_some() {
                tracing::warn!(
                    target: "hip",
                    "HTTP_PROXY ignored: REQUEST_METHOD is set, so this is a CGI script, where \
                     the variable can come from a request (httpoxy)"
                );
            }
            None
        } else {
            var("http_proxy")
        };
        EnvProxies {
            http: http.or_else(|| all.clone()).map(with_scheme),
            https: var("https_proxy").or(all).map(with_scheme),
            no_proxy: var("no_proxy").map_or_else(NoProxy::default, |v| NoProxy::parse(&v)),
        }
    }
}

/// `proxy:3128` is `http://proxy:3128`.
fn with_scheme(url: String) -> String {
    let url = url.trim().to_owned();
    if url.contains("://") {
        url
    } else {
        format!("http://{url}")
    }
}

/// Which proxy each request takes: one proxy for every URL (`proxy_url`), or, from the
/// environment, one per scheme with the `no_proxy` hosts reached directly.
#[derive(Debug, Clone)]
pub(crate) struct ProxyRules {
    http: Option<ProxyConfig>,
    https: Option<ProxyConfig>,
    no_proxy: NoProxy,
}

impl ProxyRules {
    /// Every URL through `proxy`.
    pub(crate) fn single(proxy: ProxyConfig) -> ProxyRules {
        ProxyRules {
            http: Some(proxy.clone()),
            https: Some(proxy),
            no_proxy: NoProxy::default(),
        }
    }

    /// The environment's proxies, each built with `build` (which gives them the manager's
    /// TLS options, headers and credentials). `None` when the environment names none.
    pub(crate) fn from_env(
        env: EnvProxies,
        build: impl Fn(&str) -> Result<ProxyConfig, Error>,
    ) -> Result<Option<ProxyRules>, Error> {
        let http = env.http.as_deref().map(&build).transpose()?;
        let https = match (&env.https, &env.http, &http) {
            // The same URL: one proxy (and so one set of pools).
            (Some(s), Some(h), Some(p)) if s == h => Some(p.clone()),
            (Some(s), _, _) => Some(build(s)?),
            (None, _, _) => None,
        };
        if http.is_none() && https.is_none() {
            return Ok(None);
        }
        Ok(Some(ProxyRules {
            http,
            https,
            no_proxy: env.no_proxy,
        }))
    }

    /// The proxy for a request to `scheme://host:port`, or None to go direct.
    pub(crate) fn for_url(&self, scheme: Scheme, host: &str, port: u16) -> Option<&ProxyConfig> {
        let proxy = match scheme {
            Scheme::Http => self.http.as_ref(),
            Scheme::Https => self.https.as_ref(),
        }?;
        (!self.no_proxy.matches(host, port)).then_some(proxy)
    }

    /// The proxy the manager reports (`ProxyManager.proxy`): the one for `http://` URLs,
    /// else the one for `https://`.
    pub(crate) fn primary(&self) -> Option<&ProxyConfig> {
        self.http.as_ref().or(self.https.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> EnvProxies {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvProxies::read(|k| map.get(k).cloned())
    }

    #[test]
    fn lower_case_wins_and_empty_values_are_unset() {
        let e = env(&[
            ("HTTP_PROXY", "http://upper:1"),
            ("http_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("https_proxy", ""),
        ]);
        assert_eq!(e.http.as_deref(), Some("http://lower:1"));
        assert_eq!(e.https.as_deref(), Some("http://upper:2"));
    }

    #[test]
    fn all_proxy_serves_schemes_without_their_own_and_a_bare_host_is_http() {
        let e = env(&[("ALL_PROXY", "socks5h://s:1080"), ("http_proxy", "p:3128")]);
        assert_eq!(e.http.as_deref(), Some("http://p:3128"));
        assert_eq!(e.https.as_deref(), Some("socks5h://s:1080"));
    }

    #[test]
    fn cgi_scripts_take_no_http_proxy_from_the_environment_httpoxy() {
        let e = env(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://evil:1"),
            ("https_proxy", "http://p:2"),
        ]);
        assert_eq!(e.http, None);
        assert_eq!(e.https.as_deref(), Some("http://p:2"));
    }

    #[test]
    fn no_proxy_names_match_the_host_and_hosts_under_it_only() {
        let np = NoProxy::parse(".example.com,Internal");
        assert!(np.matches("example.com", 80));
        assert!(np.matches("a.b.EXAMPLE.com", 80));
        assert!(np.matches("internal", 1));
        assert!(
            np.matches("internal.", 1),
            "a trailing dot is the same host"
        );
        assert!(!np.matches("badexample.com", 80));
        assert!(!np.matches("example.com.evil", 80));
        assert!(!np.matches("xinternal", 80));
    }

    #[test]
    fn no_proxy_ips_cidrs_ports_and_star() {
        let np = NoProxy::parse("127.0.0.1, 10.0.0.0/8 ,[::1]:8080, fd00::/8, host:99");
        assert!(np.matches("127.0.0.1", 1));
        assert!(np.matches("10.255.0.1", 1));
        assert!(!np.matches("11.0.0.1", 1));
        assert!(np.matches("[::1]", 8080));
        assert!(!np.matches("::1", 80));
        assert!(np.matches("fd12::1", 443));
        assert!(np.matches("host", 99));
        assert!(!np.matches("host", 98));
        assert!(!np.matches("localhost", 80), "names never match IP entries");
        assert!(NoProxy::parse(" * ").matches("anything", 1));
        assert!(NoProxy::parse("").is_empty());
        // Entries that are none of the forms are skipped, not fatal.
        let np = NoProxy::parse("10.0.0.0/99,host:notaport,ok");
        assert!(np.matches("ok", 1));
        assert!(!np.matches("10.0.0.1", 1));
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8", 1));
    }
}
