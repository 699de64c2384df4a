//! The spec's `hip.util.url` module: [`Url`], [`parse_url`], [`get_host`], [`split_first`].
//!
//! This is urllib3's lenient parser (the RFC 3986 based one of urllib3 1.25), not the WHATWG
//! URL Standard. It accepts incomplete input: the scheme is optional (`google.com:80` is a
//! host and a port), so is the authority (`/foo?bar` is a path and a query), and every part
//! that is absent stays `None`.
//!
//! # Theory of operation
//!
//! 1. **Split.** If the input does not start with `scheme:` (a letter, then letters, digits,
//!    `+` or `-`) or with `/`, it is read as if `//` came first, so that it starts with an
//!    authority. Then the pieces are cut at the RFC 3986 delimiters: the authority runs from
//!    `//` to the first `/`, `\`, `?` or `#`; the path to the first `?` or `#`; the query to
//!    the first `#`; the fragment is the rest. The userinfo is everything before the *last*
//!    `@` of the authority.
//! 2. **Host and port.** The host is an IPv6 literal in brackets (RFC 3986 grammar, with an
//!    RFC 6874 zone ID) or a registered name (no `[`, `]`, `:`; `%` only as `%XX`). The port
//!    is ASCII digits after a `:`; leading zeros are dropped, an empty port is no port, and a
//!    value above 65535 is an error.
//! 3. **Normalise**, only for `http`, `https` and no scheme (the schemes urllib3 treats as
//!    HTTP): the scheme is lowercased always; the host is lowercased, and each label with
//!    non-ASCII characters is IDNA-encoded (`Königsgäßchen.de` becomes
//!    `xn--knigsgchen-b4a3dun.de`); the `%25` that introduces an IPv6 zone ID becomes `%`;
//!    dot segments are removed from the path (RFC 3986 section 5.2.4); characters not allowed
//!    in the userinfo, path, query and fragment are percent-encoded, valid `%XX` escapes
//!    are kept and uppercased. A `%` that does not start a valid escape makes *every* `%` of
//!    that part get encoded, since the part then cannot have been encoded before.
//!
//! # Where hip is stricter than urllib3
//!
//! * Control characters and whitespace in the host are an error (urllib3 accepts
//!   `http://exa mple.com/`, and even `example.com\n` as `example.com`). So are control
//!   characters and whitespace in the parts of a non-HTTP URL, which are kept verbatim
//!   rather than encoded. In HTTP URLs they are percent-encoded, as urllib3 does.
//! * IDNA: urllib3 uses the `idna` package (IDNA 2008, no mapping). hip uses UTS 46 from the
//!   `idna` crate with the STD3 rules and hyphen checks, and rejects a label that UTS 46
//!   would have to map (other than lowercasing) or that holds symbols or emoji, which is
//!   close to IDNA 2008's rules.
//! * A path that climbs above the root and ends in `/` (`/../`) becomes `/`, as RFC 3986
//!   says; urllib3 turns it into no path at all.

use std::fmt;
use std::str::FromStr;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use crate::error::{Error, ErrorKind};

/// The spec's `hip.util.url.Url` namedtuple: a URL split into its seven parts.
///
/// Both the scheme and the host are normalised by [`parse_url`], as both are case-insensitive
/// according to RFC 3986. An empty string and `None` are different: `http://host/?` has the
/// query `Some("")`, `http://host/` has `None`, and [`Url::url`] writes them back that way.
///
/// ```
/// use hip_core::url::{parse_url, Url};
///
/// let u = parse_url("http://google.com/mail/").unwrap();
/// assert_eq!(u.url(), "http://google.com/mail/");
/// let u = Url::new(
///     Some("http"),
///     Some("username:password"),
///     Some("host.com"),
///     Some(80),
///     Some("/path"),
///     Some("query"),
///     Some("fragment"),
/// );
/// assert_eq!(u.url(), "http://username:password@host.com:80/path?query#fragment");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Url {
    /// `scheme`: e.g. `"http"`, lowercase.
    pub scheme: Option<String>,
    /// `auth`: the userinfo before the `@`, e.g. `"user:password"`.
    pub auth: Option<String>,
    /// `host`: a name, an IPv4 address, or an IPv6 literal in brackets (`"[::1]"`).
    pub host: Option<String>,
    /// `port`: the port given in the URL; `None` when there was none (or it was empty).
    pub port: Option<u16>,
    /// `path`: starts with `/` when not empty.
    pub path: Option<String>,
    /// `query`: what follows `?`, without it.
    pub query: Option<String>,
    /// `fragment`: what follows `#`, without it.
    pub fragment: Option<String>,
}

impl Url {
    /// `Url(scheme, auth, host, port, path, query, fragment)`: builds a `Url` from its parts,
    /// as the namedtuple's constructor does: the scheme is lowercased and a non-empty path
    /// that does not start with `/` gets one. Nothing else is checked or normalised; use
    /// [`parse_url`] for that.
    pub fn new(
        scheme: Option<&str>,
        auth: Option<&str>,
        host: Option<&str>,
        port: Option<u16>,
        path: Option<&str>,
        query: Option<&str>,
        fragment: Option<&str>,
    ) -> Url {
        Url {
            scheme: scheme.map(str::to_ascii_lowercase),
            auth: auth.map(str::to_owned),
            host: host.map(str::to_owned),
            port,
            path: path.map(|p| absolute_path(p.to_owned())),
            query: query.map(str::to_owned),
            fragment: fragment.map(str::to_owned),
        }
    }

    /// `Url.hostname`: the host, for backwards compatibility with `urlparse`.
    pub fn hostname(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// `Url.request_uri`: the absolute path including the query string, e.g. `/foo?bar=baz`.
    /// An absent or empty path is `/`; the query is appended whenever it is `Some`, even
    /// empty (`/?`).
    pub fn request_uri(&self) -> String {
        let mut uri = match self.path.as_deref() {
            Some(path) if !path.is_empty() => path.to_owned(),
            _ => "/".to_owned(),
        };
        if let Some(query) = &self.query {
            uri.push('?');
            uri.push_str(query);
        }
        uri
    }

    /// `Url.netloc`: the network location, the host with `:port` when there is a port.
    ///
    /// As in the spec, port 0 counts as no port here (Python tests the port for truth). A
    /// port without a host gives `":port"`.
    pub fn netloc(&self) -> Option<String> {
        match self.port {
            Some(port) if port != 0 => {
                Some(format!("{}:{}", self.host.as_deref().unwrap_or(""), port))
            }
            _ => self.host.clone(),
        }
    }

    /// `Url.authority` (urllib3 2.x): the authority component of RFC 3986 section 3.2, the
    /// userinfo, host and port written `auth@host:port` with the parts that are present.
    ///
    /// That is [`Url::netloc`] with `auth@` in front when there is an auth (an empty auth
    /// included: `@host`). As in urllib3 2.x, a URL without a host has no authority, even
    /// with an auth or a port (where `netloc` gives `":port"`, as urllib3 1.26's does), and
    /// port 0 counts as no port.
    ///
    /// ```
    /// use hip_core::url::parse_url;
    ///
    /// let u = parse_url("http://user:pw@example.com:8080/path").unwrap();
    /// assert_eq!(u.authority().as_deref(), Some("user:pw@example.com:8080"));
    /// assert_eq!(u.netloc().as_deref(), Some("example.com:8080"));
    /// assert_eq!(parse_url("/path").unwrap().authority(), None);
    /// ```
    pub fn authority(&self) -> Option<String> {
        self.host.as_ref()?;
        let netloc = self.netloc()?;
        Some(match &self.auth {
            Some(auth) => format!("{auth}@{netloc}"),
            None => netloc,
        })
    }

    /// `Url.url`: the URL as a string.
    ///
    /// This more or less round-trips with [`parse_url`]: the result may differ from the
    /// string that was parsed but is equivalent by the RFC (a blank port loses its `:`).
    /// Every part that is `Some` is written, even when empty (`http://host/?` keeps its `?`).
    /// A URL without a scheme is written without `//` (`google.com:80`), as in the spec.
    pub fn url(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Url {
    /// Same as [`Url::url`] (the spec's `Url.__str__`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(scheme) = &self.scheme {
            write!(f, "{scheme}://")?;
        }
        if let Some(auth) = &self.auth {
            write!(f, "{auth}@")?;
        }
        if let Some(host) = &self.host {
            f.write_str(host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(path) = &self.path {
            f.write_str(path)?;
        }
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        if let Some(fragment) = &self.fragment {
            write!(f, "#{fragment}")?;
        }
        Ok(())
    }
}

impl FromStr for Url {
    type Err = Error;

    /// Same as [`parse_url`].
    fn from_str(s: &str) -> Result<Url, Error> {
        parse_url(s)
    }
}

/// What a request's URL may be given as: `&str`, `String` (and `&String`, `Cow<str>`,
/// `Box<str>`), a [`Url`] (or `&Url`), or an [`http::Uri`] (or `&http::Uri`). The request
/// builders (`PoolManager::request`, a pool's `request`) take any of them; the text is then
/// parsed as [`parse_url`] does, so every form means the same request.
///
/// Not sealed: implement it for a URL type of your own by returning its text.
///
/// ```
/// use hip_core::url::{parse_url, IntoUrl};
///
/// let uri: http::Uri = "http://127.0.0.1:8080/get?a=b".parse().unwrap();
/// assert_eq!(uri.into_url_string(), "http://127.0.0.1:8080/get?a=b");
/// let url = parse_url("http://127.0.0.1:8080/get").unwrap();
/// assert_eq!((&url).into_url_string(), "http://127.0.0.1:8080/get");
/// ```
pub trait IntoUrl {
    /// The URL as text.
    fn into_url_string(self) -> String;
}

impl IntoUrl for &str {
    fn into_url_string(self) -> String {
        self.to_owned()
    }
}

impl IntoUrl for String {
    fn into_url_string(self) -> String {
        self
    }
}

impl IntoUrl for &String {
    fn into_url_string(self) -> String {
        self.clone()
    }
}

impl IntoUrl for std::borrow::Cow<'_, str> {
    fn into_url_string(self) -> String {
        self.into_owned()
    }
}

impl IntoUrl for Box<str> {
    fn into_url_string(self) -> String {
        self.into()
    }
}

impl IntoUrl for Url {
    /// [`Url::url`].
    fn into_url_string(self) -> String {
        self.url()
    }
}

impl IntoUrl for &Url {
    /// [`Url::url`].
    fn into_url_string(self) -> String {
        self.url()
    }
}

impl IntoUrl for http::Uri {
    /// The URI as `http` writes it (`scheme://authority/path?query`).
    fn into_url_string(self) -> String {
        self.to_string()
    }
}

impl IntoUrl for &http::Uri {
    /// The URI as `http` writes it (`scheme://authority/path?query`).
    fn into_url_string(self) -> String {
        self.to_string()
    }
}

/// The spec's `port_by_scheme` table: the default port of `http` (80) and `https` (443),
/// `None` for any other scheme. The scheme is compared ignoring ASCII case.
pub fn port_by_scheme(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("http") {
        Some(80)
    } else if scheme.eq_ignore_ascii_case("https") {
        Some(443)
    } else {
        None
    }
}

/// `hip.util.url.split_first(s, delims)` (deprecated in the spec since 1.25): splits `s` at
/// the first occurrence of any of the characters of `delims`, and returns the part before,
/// the part after, and the delimiter found. When none is found, the first part is all of `s`.
///
/// ```
/// use hip_core::url::split_first;
///
/// assert_eq!(split_first("foo/bar?baz", "?/="), ("foo", "bar?baz", Some('/')));
/// assert_eq!(split_first("foo/bar?baz", "123"), ("foo/bar?baz", "", None));
/// ```
///
/// Scales linearly with the number of delimiters.
pub fn split_first<'a>(s: &'a str, delims: &str) -> (&'a str, &'a str, Option<char>) {
    let mut first: Option<(usize, char)> = None;
    for delim in delims.chars() {
        if let Some(idx) = s.find(delim) {
            if first.is_none_or(|(best, _)| idx < best) {
                first = Some((idx, delim));
            }
        }
    }
    match first {
        Some((idx, delim)) => (&s[..idx], &s[idx + delim.len_utf8()..], Some(delim)),
        None => (s, "", None),
    }
}

/// `hip.util.url.get_host(url)` (deprecated in the spec; use [`parse_url`]): the scheme
/// (`"http"` when the URL has none), the host and the port of `url`.
///
/// ```
/// use hip_core::url::get_host;
///
/// assert_eq!(
///     get_host("google.com:8000/mail").unwrap(),
///     ("http".to_owned(), Some("google.com".to_owned()), Some(8000))
/// );
/// ```
///
/// # Errors
///
/// [`ErrorKind::LocationParse`] when [`parse_url`] fails.
pub fn get_host(url: &str) -> Result<(String, Option<String>, Option<u16>), Error> {
    let parsed = parse_url(url)?;
    let scheme = match parsed.scheme {
        Some(scheme) if !scheme.is_empty() => scheme,
        _ => "http".to_owned(),
    };
    Ok((scheme, parsed.host, parsed.port))
}

/// `hip.util.url.parse_url(url)`: parses `url` into a [`Url`], making a best effort with
/// incomplete URLs. Parts that are not given are `None`. See the [module docs](self) for the
/// rules and the normalisation applied.
///
/// ```
/// use hip_core::url::{parse_url, Url};
///
/// let u = parse_url("http://google.com/mail/").unwrap();
/// assert_eq!(u.scheme.as_deref(), Some("http"));
/// assert_eq!(u.host.as_deref(), Some("google.com"));
/// assert_eq!(u.path.as_deref(), Some("/mail/"));
///
/// let u = parse_url("google.com:80").unwrap();
/// assert_eq!((u.scheme, u.host.as_deref(), u.port, u.path), (None, Some("google.com"), Some(80), None));
///
/// let u = parse_url("/foo?bar").unwrap();
/// assert_eq!(u, Url::new(None, None, None, None, Some("/foo"), Some("bar"), None));
/// ```
///
/// # Errors
///
/// [`ErrorKind::LocationParse`] (the spec's `LocationParseError`), naming the input, when the
/// host or port cannot be parsed: an unclosed or invalid IPv6 literal (`http://[::1`,
/// `http://::1/`), a port that is not ASCII digits or is above 65535 (`http://host:-80`,
/// `http://host:65536`), an invalid IDNA label, or a control character or whitespace in the
/// host (or anywhere in a URL whose scheme is not HTTP).
pub fn parse_url(url: &str) -> Result<Url, Error> {
    if url.is_empty() {
        return Ok(Url::default());
    }
    let fail = |reason: String| parse_error(url, &reason);

    // Step 1: split into scheme, authority, path, query and fragment.
    let scheme_len = leading_scheme_len(url);
    let (scheme, rest, authority_first) = match scheme_len {
        Some(len) => (
            Some(url[..len].to_ascii_lowercase()),
            &url[len + 1..],
            false,
        ),
        // No scheme and not a path: the input starts with an authority (as if `//` led it).
        None if !url.starts_with('/') => (None, url, true),
        None => (None, url, false),
    };
    let (authority, rest) = match (authority_first, rest.strip_prefix("//")) {
        (true, _) => split_at_any(rest, b"/\\?#"),
        (false, Some(after)) => split_at_any(after, b"/\\?#"),
        (false, None) => ("", rest),
    };
    let (path, rest) = split_at_any(rest, b"?#");
    let (query, fragment) = match rest.strip_prefix('?') {
        Some(after) => {
            let (query, rest) = split_at_any(after, b"#");
            (Some(query), rest.strip_prefix('#'))
        }
        None => (None, rest.strip_prefix('#')),
    };

    let normalize = matches!(scheme.as_deref(), None | Some("http") | Some("https"));

    // Step 2: userinfo, host and port. An empty authority is no authority.
    let (auth, host, port) = if authority.is_empty() {
        (None, None, None)
    } else {
        let (auth, host_port) = match authority.rfind('@') {
            Some(at) => (
                Some(&authority[..at]).filter(|a| !a.is_empty()),
                &authority[at + 1..],
            ),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port).map_err(fail)?;
        (auth, Some(host), port)
    };

    if !normalize {
        // Kept verbatim, so they must not smuggle line breaks or spaces into a request.
        for (name, part) in [
            ("userinfo", auth),
            ("path", Some(path)),
            ("query", query),
            ("fragment", fragment),
        ] {
            if let Some(c) = part.and_then(|p| p.chars().find(|c| is_forbidden_char(*c))) {
                return Err(fail(format!("the {name} contains the character {c:?}")));
            }
        }
    }

    // Step 3: normalise.
    let host = match host {
        Some(host) if normalize => Some(normalize_host(host).map_err(fail)?),
        other => other.map(str::to_owned),
    };
    let auth = auth.map(|a| {
        if normalize {
            encode_invalid_chars(a, is_userinfo_char)
        } else {
            a.to_owned()
        }
    });
    let path = if normalize && !path.is_empty() {
        encode_invalid_chars(&remove_path_dot_segments(path), is_path_char)
    } else {
        path.to_owned()
    };
    let encode_query = |part: &str| {
        if normalize && !part.is_empty() {
            encode_invalid_chars(part, is_query_char)
        } else {
            part.to_owned()
        }
    };
    let query = query.map(encode_query);
    let fragment = fragment.map(encode_query);

    // For backwards compatibility (as in the spec) the path is "" rather than None when
    // anything follows it.
    let path = if !path.is_empty() {
        Some(absolute_path(path))
    } else if query.is_some() || fragment.is_some() {
        Some(String::new())
    } else {
        None
    };

    Ok(Url {
        scheme,
        auth,
        host,
        port,
        path,
        query,
        fragment,
    })
}

/// The `LocationParseError` for `input`, which is quoted (shortened if huge).
fn parse_error(input: &str, reason: &str) -> Error {
    const MAX_SHOWN: usize = 512;
    let message = if input.len() > MAX_SHOWN {
        let mut end = MAX_SHOWN;
        while !input.is_char_boundary(end) {
            end -= 1;
        }
        format!(
            "Failed to parse: {:?}... ({} bytes in all): {reason}",
            &input[..end],
            input.len()
        )
    } else {
        format!("Failed to parse: {input:?}: {reason}")
    };
    Error::new(ErrorKind::LocationParse, message).with_url(input)
}

/// A path that is not empty gets a leading `/` (the namedtuple constructor's rule).
fn absolute_path(path: String) -> String {
    if path.is_empty() || path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

/// The length of a leading `scheme` followed by `:` (the spec's `SCHEME_RE`: a letter, then
/// letters, digits, `+` or `-`), not counting the colon.
fn leading_scheme_len(url: &str) -> Option<usize> {
    let bytes = url.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let len = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'+' || *b == b'-'))?;
    (bytes[len] == b':').then_some(len)
}

/// Splits `s` before the first of the ASCII `delims` (all of `s` and `""` when there is
/// none).
fn split_at_any<'a>(s: &'a str, delims: &[u8]) -> (&'a str, &'a str) {
    // ASCII delimiters never match inside a multi-byte character: a byte split is a char split.
    match s.bytes().position(|b| delims.contains(&b)) {
        Some(idx) => s.split_at(idx),
        None => (s, ""),
    }
}

/// A character that may not appear where nothing would encode it.
fn is_forbidden_char(c: char) -> bool {
    c.is_control() || c.is_whitespace()
}

/// Splits `host[:port]` and checks both. Errors are the reason, for the message.
fn split_host_port(host_port: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if host_port.starts_with('[') {
        let end = host_port
            .find(']')
            .ok_or_else(|| "the IPv6 literal in the host has no closing ']'".to_owned())?;
        let (host, after) = host_port.split_at(end + 1);
        if !is_ipv6_literal(host) {
            return Err(format!("{host:?} is not a valid IPv6 literal"));
        }
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(format!("unexpected {after:?} after the IPv6 literal")),
            },
        }
    } else {
        let (host, port) = match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        };
        check_reg_name(host)?;
        (host, port)
    };
    if let Some(c) = host.chars().find(|c| is_forbidden_char(*c)) {
        return Err(format!("the host {host:?} contains the character {c:?}"));
    }
    let port = match port {
        None => None,
        Some(port) => parse_port(port)?,
    };
    Ok((host, port))
}

/// A registered name: no `[`, `]` or `:`, and `%` only as the start of `%XX`.
fn check_reg_name(host: &str) -> Result<(), String> {
    let bytes = host.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'[' | b']' => return Err(format!("the host {host:?} contains {:?}", *b as char)),
            b'%' if !is_escape_at(bytes, i) => {
                return Err(format!(
                    "the host {host:?} contains a '%' that is not a %XX escape"
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `bytes[i..]` starts with a `%XX` escape.
fn is_escape_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i) == Some(&b'%')
        && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// The port after the `:`: ASCII digits, leading zeros ignored, at most 65535; empty is none.
fn parse_port(port: &str) -> Result<Option<u16>, String> {
    if port.is_empty() {
        return Ok(None);
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the port {port:?} is not a number"));
    }
    let digits = port.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(Some(0));
    }
    match digits.parse::<u32>() {
        Ok(n) if digits.len() <= 5 => u16::try_from(n)
            .map(Some)
            .map_err(|_| format!("the port {port:?} is above 65535")),
        _ => Err(format!("the port {port:?} is above 65535")),
    }
}

/// `[IPv6address]` or `[IPv6address%zone]` (RFC 3986 and RFC 6874, where the zone may be
/// introduced by `%25` or, leniently, by `%`).
fn is_ipv6_literal(host: &str) -> bool {
    let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
        return false;
    };
    match inner.split_once('%') {
        Some((address, zone)) => is_ipv6_address(address) && is_zone_id(zone),
        None => is_ipv6_address(inner),
    }
}

/// A zone ID after its `%`: one or more unreserved characters or `%XX` escapes (a leading
/// `25` is just two unreserved characters here).
fn is_zone_id(zone: &str) -> bool {
    let bytes = zone.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_unreserved(bytes[i]) {
            i += 1;
        } else if is_escape_at(bytes, i) {
            i += 3;
        } else {
            return false;
        }
    }
    !bytes.is_empty()
}

/// An IPv6 address in the RFC 3986 grammar: eight groups of 1 to 4 hex digits, the last two
/// of which may be a dotted IPv4 address (whose numbers are not range-checked, as in the
/// spec's pattern), with at most one `::` standing for one or more groups.
fn is_ipv6_address(address: &str) -> bool {
    match address.split_once("::") {
        Some((left, right)) => {
            let left = if left.is_empty() {
                Some(0)
            } else {
                count_groups(left, false)
            };
            let right = if right.is_empty() {
                Some(0)
            } else {
                count_groups(right, true)
            };
            matches!((left, right), (Some(l), Some(r)) if l + r <= 7)
        }
        None => count_groups(address, true) == Some(8),
    }
}

/// Counts the 16-bit groups of `h16 *(":" h16)` (IPv4 allowed last when `ipv4_last`, counting
/// two); `None` when malformed.
fn count_groups(groups: &str, ipv4_last: bool) -> Option<usize> {
    let parts: Vec<&str> = groups.split(':').collect();
    let mut count = 0;
    for (i, part) in parts.iter().enumerate() {
        if is_h16(part) {
            count += 1;
        } else if ipv4_last && i + 1 == parts.len() && is_ipv4_pattern(part) {
            count += 2;
        } else {
            return None;
        }
    }
    Some(count)
}

fn is_h16(s: &str) -> bool {
    (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Four dot-separated numbers of 1 to 3 ASCII digits.
fn is_ipv4_pattern(s: &str) -> bool {
    let mut n = 0;
    for part in s.split('.') {
        n += 1;
        if !(1..=3).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    n == 4
}

/// Normalises the host of an HTTP URL: lowercase; IPv6 zone IDs unquoted and encoded; each
/// non-ASCII label IDNA-encoded.
fn normalize_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        // Already checked by `is_ipv6_literal`: the zone, if any, starts at the first '%'.
        return Ok(match host.find('%') {
            Some(start) => {
                let address = host[..start].to_ascii_lowercase();
                let zone = &host[start..host.len() - 1];
                let zone = match zone.strip_prefix("%25") {
                    Some(after) if !after.is_empty() => after,
                    _ => &zone[1..],
                };
                format!("{address}%{}]", encode_invalid_chars(zone, is_unreserved))
            }
            None => host.to_ascii_lowercase(),
        });
    }
    if host.is_ascii() {
        // Every label is ASCII: lowercasing is all that normalising does to it.
        return Ok(host.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(host.len());
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(&label.to_ascii_lowercase());
        } else {
            out.push_str(&idna_encode(label)?);
        }
    }
    Ok(out)
}

/// IDNA-encodes one label with non-ASCII characters (lowercased first), strictly.
fn idna_encode(label: &str) -> Result<String, String> {
    let invalid = || format!("the name {label:?} is not a valid IDNA label");
    let lower = label.to_lowercase();
    if lower.chars().any(is_symbol) {
        return Err(invalid());
    }
    let uts46 = Uts46::new();
    // A label that UTS 46 would have to map (width variants, ignored characters, other
    // dots, compatibility forms, non-NFC input) is not valid under IDNA 2008.
    let (unicode, result) = uts46.to_unicode(lower.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
    if result.is_err() || unicode != lower {
        return Err(invalid());
    }
    let ascii = uts46
        .to_ascii(
            lower.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .map_err(|_| invalid())?;
    if ascii.is_empty() || ascii.len() > 63 || ascii.contains('.') {
        return Err(invalid());
    }
    Ok(ascii.into_owned())
}

/// Symbols, punctuation and emoji, which UTS 46 allows but IDNA 2008 does not. Letters and
/// digits of these blocks (e.g. U+3007) are let through to the UTS 46 checks.
fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric()
        && matches!(
            u32::from(c),
            0x00A0..=0x00B6
                | 0x00B8..=0x00BF
                | 0x00D7
                | 0x00F7
                | 0x2010..=0x20CF
                | 0x2100..=0x2BFF
                | 0x2E00..=0x2E7F
                | 0x3000..=0x3004
                | 0x3008..=0x3020
                | 0x1F000..=0x1FAFF
        )
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~')
}

fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

fn is_userinfo_char(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || b == b':'
}

fn is_path_char(b: u8) -> bool {
    is_userinfo_char(b) || b == b'@' || b == b'/'
}

/// Query and fragment allow the same characters.
fn is_query_char(b: u8) -> bool {
    is_path_char(b) || b == b'?'
}

/// Percent-encodes the bytes of `component` that `allowed` rejects, without encoding it
/// twice: valid `%XX` escapes are uppercased, and their `%` is kept if every `%` of the
/// component starts one (otherwise the component was not encoded, and each `%` becomes `%25`).
fn encode_invalid_chars(component: &str, allowed: fn(u8) -> bool) -> String {
    // Nothing to encode and no escape to upper-case: the component as it is.
    if component
        .bytes()
        .all(|b| b != b'%' && b.is_ascii() && allowed(b))
    {
        return component.to_owned();
    }
    let mut bytes = component.as_bytes().to_vec();
    let (mut escapes, mut percents) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            percents += 1;
            if is_escape_at(&bytes, i) {
                escapes += 1;
                bytes[i + 1].make_ascii_uppercase();
                bytes[i + 2].make_ascii_uppercase();
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    let keep_percent = escapes == percents;
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if (keep_percent && b == b'%') || (b.is_ascii() && allowed(b)) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// Removes `.` and `..` segments (RFC 3986 section 5.2.4), keeping a leading `/` and turning
/// a trailing `/.` or `/..` into a trailing `/`.
fn remove_path_dot_segments(path: &str) -> std::borrow::Cow<'_, str> {
    // Without a `.` or `..` segment the path comes out as it went in.
    if !path.split('/').any(|s| s == "." || s == "..") {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut output: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." => {}
            ".." => {
                output.pop();
            }
            _ => output.push(segment),
        }
    }
    if path.starts_with('/') && output.first().is_none_or(|first| !first.is_empty()) {
        output.insert(0, "");
    }
    if path.ends_with("/.") || path.ends_with("/..") {
        output.push("");
    }
    let out = output.join("/");
    // urllib3 gives "" for "/../" (its '..' pops the root); RFC 3986 says "/".
    if out.is_empty() && path.starts_with('/') {
        return std::borrow::Cow::Borrowed("/");
    }
    std::borrow::Cow::Owned(out)
}
