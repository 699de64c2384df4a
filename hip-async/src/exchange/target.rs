//! What goes on the request line and in `Host`: the request target a route needs (origin
//! form, or absolute form for a forwarding proxy), the proxy headers on a forwarding route,
//! and the resolution of a redirect's `Location` against the URL it came from.

use std::borrow::Cow;

use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use crate::pool::HttpConnectionPool;

/// The `Host` header for a request with `target` on `pool`: the pool's authority, except on
/// a forwarding pool with an absolute-form target, where it is the destination's.
pub(crate) fn request_authority<'a>(pool: &'a HttpConnectionPool, target: &str) -> Cow<'a, str> {
    if pool.route().is_forward() && !target.starts_with('/') {
        if let Ok(u) = parse_url(target) {
            if let Some(host) = u.host {
                let default = u
                    .scheme
                    .as_deref()
                    .map_or(80, |s| if s == "https" { 443 } else { 80 });
                return Cow::Owned(match u.port {
                    Some(p) if p != default => format!("{host}:{p}"),
                    _ => host,
                });
            }
        }
    }
    Cow::Borrowed(pool.authority())
}

/// On a forwarding pool: the request's headers as urllib3's `ProxyManager` sends them, that
/// is with `Accept: */*` first unless the request has an `Accept`, and the proxy headers set
/// on top (they replace same-named ones). `None` when nothing changes (not a forwarding
/// route, or nothing to add): send `headers` as they are.
pub(crate) fn forward_headers(
    pool: &HttpConnectionPool,
    headers: &HttpHeaderDict,
) -> Option<HttpHeaderDict> {
    let proxy_headers = pool.route().forward_headers()?;
    let add_accept = !headers.contains("accept");
    if proxy_headers.is_empty() && !add_accept {
        return None;
    }
    let mut merged = HttpHeaderDict::new();
    if add_accept {
        merged.add("Accept", "*/*");
    }
    for (name, value) in headers.iter() {
        if !proxy_headers.contains(name) {
            merged.add(name, value);
        }
    }
    for (name, value) in proxy_headers.iter() {
        merged.add(name, value);
    }
    Some(merged)
}

/// The absolute-form target a forwarding proxy needs: `http://host[:port]/path?query`
/// (no credentials, no fragment).
pub(crate) fn absolute_form(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme.as_deref().unwrap_or("http"),
        url.netloc().unwrap_or_default(),
        url.request_uri()
    )
}

/// Resolves a Location header against the URL it came from (RFC 3986 section 5.2, the
/// cases redirects use: absolute, scheme-relative, absolute-path, relative-path, query).
pub(crate) fn join_url(base: &Url, location: &str) -> Result<Url, Error> {
    let location = location.trim();
    let has_scheme = location
        .split_once(':')
        .map(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !location[s.len() + 1..].starts_with(|c: char| c.is_ascii_digit())
        })
        .unwrap_or(false);
    let scheme = base.scheme.as_deref().unwrap_or("http");
    let joined = if has_scheme {
        location.to_owned()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else {
        // A pool's relative URL ("/redirect/2") stays relative, as the spec's urljoin keeps
        // it, instead of becoming "http:///get".
        let origin = match base.host {
            None => String::new(),
            Some(_) => format!(
                "{scheme}://{}{}",
                base.auth
                    .as_deref()
                    .map(|a| format!("{a}@"))
                    .unwrap_or_default(),
                base.netloc().unwrap_or_default()
            ),
        };
        if location.starts_with('/') {
            format!("{origin}{location}")
        } else if location.starts_with('?') {
            format!("{origin}{}{location}", base.path.as_deref().unwrap_or("/"))
        } else if location.is_empty() {
            format!("{origin}{}", base.request_uri())
        } else {
            let path = base.path.as_deref().unwrap_or("/");
            let dir = &path[..path.rfind('/').map(|i| i + 1).unwrap_or(0)];
            let dir = if dir.is_empty() { "/" } else { dir };
            format!("{origin}{dir}{location}")
        }
    };
    parse_url(&joined).map_err(|e| {
        Error::new(
            ErrorKind::LocationParse,
            format!("invalid redirect Location {location:?}: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(base: &str, loc: &str) -> String {
        join_url(&parse_url(base).unwrap(), loc).unwrap().url()
    }

    #[test]
    fn joins_locations() {
        let b = "http://h:8080/a/b?q=1";
        assert_eq!(join(b, "http://x/y"), "http://x/y");
        assert_eq!(join(b, "//x/y"), "http://x/y");
        assert_eq!(join(b, "/y"), "http://h:8080/y");
        assert_eq!(join(b, "c"), "http://h:8080/a/c");
        assert_eq!(join(b, "?z=2"), "http://h:8080/a/b?z=2");
        assert_eq!(join("https://h/", "/get"), "https://h/get");
        assert_eq!(join("/redirect/2", "/get"), "/get");
        assert_eq!(join("/a/b?q=1", "c"), "/a/c");
    }

    #[test]
    fn absolute_form_drops_credentials_and_fragment() {
        let u = parse_url("http://a:b@Host:8080/p?q=1#frag").unwrap();
        assert_eq!(absolute_form(&u), "http://host:8080/p?q=1");
        let u = parse_url("http://h").unwrap();
        assert_eq!(absolute_form(&u), "http://h/");
    }
}
