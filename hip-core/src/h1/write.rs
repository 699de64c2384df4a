//! The writing half: checking a request head completely, then serializing it.

use crate::error::{Error, ErrorKind};

use super::read::{connection_has, content_length, is_tchar, transfer_encoding};
use super::{BodyLength, Outgoing, Request, SKIPPABLE_HEADERS, SKIP_HEADER};

/// The framing header we add after the caller's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddFraming {
    Nothing,
    ContentLength(u64),
    Chunked,
}

/// What validation decided about a request, for writing it and for the state machine.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    add_host: bool,
    add_framing: AddFraming,
    /// The caller's headers name an `Accept-Encoding` (or skip it with `SKIP_HEADER`).
    has_accept_encoding: bool,
    /// The caller's headers name a `User-Agent` (or skip it with `SKIP_HEADER`).
    has_user_agent: bool,
    /// Some header is `SKIP_HEADER`: the writer leaves such headers out.
    skips: bool,
    /// Write `Accept-Encoding: identity` (see [`super::Prepared::with_default_headers`]).
    pub(super) add_accept_encoding: bool,
    /// Write this `User-Agent` (see [`super::Prepared::with_default_headers`]).
    pub(super) add_user_agent: Option<&'static str>,
    /// The request said `Connection: close`.
    pub(super) close: bool,
    /// The request carries `Upgrade`, so a 101 is acceptable.
    pub(super) upgrade: bool,
    pub(super) outgoing: Outgoing,
}

/// The header line [`Plan::add_accept_encoding`] writes.
const IDENTITY_LINE: &[u8] = b"Accept-Encoding: identity\r\n";

impl Plan {
    /// Adds the default headers the caller's do not name (see
    /// [`super::Prepared::with_default_headers`]).
    pub(super) fn with_defaults(mut self, user_agent: &'static str) -> Plan {
        self.add_accept_encoding = !self.has_accept_encoding;
        self.add_user_agent = (!self.has_user_agent).then_some(user_agent);
        self
    }
}

fn local(message: String) -> Error {
    Error::new(ErrorKind::LocalProtocol, message)
}

fn invalid_header(message: String) -> Error {
    Error::new(ErrorKind::InvalidHeader, message)
}

/// A readable name for a forbidden character.
fn describe(c: char) -> String {
    match c {
        '\r' => "CR (\\r)".to_owned(),
        '\n' => "LF (\\n)".to_owned(),
        '\0' => "NUL (\\0)".to_owned(),
        ' ' => "a space".to_owned(),
        c => format!("{c:?}"),
    }
}

fn check_method(method: &str) -> Result<(), Error> {
    if method.is_empty() {
        return Err(local(
            "invalid HTTP method \"\": the method is empty".to_owned(),
        ));
    }
    if let Some(c) = method
        .chars()
        .find(|&c| !c.is_ascii() || !is_tchar(c as u8))
    {
        return Err(local(format!(
            "invalid HTTP method {method:?}: {} is not allowed in a method (it must be a token)",
            describe(c)
        )));
    }
    Ok(())
}

fn check_target(target: &str) -> Result<(), Error> {
    if target.is_empty() {
        return Err(local(
            "invalid request target \"\": the target is empty".to_owned(),
        ));
    }
    // Python's http.client refuses [\x00-\x20\x7f] in the path, and the line must be ASCII.
    // The common case in one pass over bytes; the character only to name it.
    if target.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    if let Some(c) = target.chars().find(|&c| !c.is_ascii_graphic()) {
        return Err(local(format!(
            "invalid request target {target:?}: {} is not allowed in a request target",
            describe(c)
        )));
    }
    Ok(())
}

fn check_header_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(invalid_header(format!(
            "invalid header name {name:?}: a header name must be a non-empty token"
        )));
    }
    Ok(())
}

fn check_header_value(name: &str, value: &str) -> Result<(), Error> {
    // ASCII without CR, LF and NUL (nearly every value): one pass over bytes.
    if value
        .bytes()
        .all(|b| b.is_ascii() && !matches!(b, b'\r' | b'\n' | b'\0'))
    {
        return Ok(());
    }
    for c in value.chars() {
        if matches!(c, '\r' | '\n' | '\0') {
            return Err(invalid_header(format!(
                "invalid value {value:?} for header {name:?}: {} is not allowed in a header value",
                describe(c)
            )));
        }
        if u32::from(c) > 0xFF {
            return Err(invalid_header(format!(
                "invalid value {value:?} for header {name:?}: {c:?} cannot be encoded as \
                 ISO-8859-1"
            )));
        }
    }
    Ok(())
}

fn check_host(host: &str) -> Result<(), Error> {
    if host.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    if let Some(c) = host.chars().find(|&c| !c.is_ascii_graphic()) {
        return Err(invalid_header(format!(
            "invalid Host value {host:?}: {} is not allowed in a host",
            describe(c)
        )));
    }
    Ok(())
}

/// Checks everything about `req` and decides the framing; writes nothing.
pub(super) fn validate(req: &Request<'_>) -> Result<Plan, Error> {
    check_method(req.method)?;
    check_target(req.target)?;
    let mut has_host = false;
    let mut has_accept_encoding = false;
    let mut has_user_agent = false;
    let mut skips = false;
    let mut upgrade = false;
    for (name, value) in req.headers.iter() {
        check_header_name(name)?;
        if value == SKIP_HEADER {
            if !SKIPPABLE_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "SKIP_HEADER given for header {name:?}, but it only supports \
                         'Accept-Encoding', 'Host', 'User-Agent'"
                    ),
                ));
            }
            skips = true;
        } else {
            check_header_value(name, value)?;
        }
        has_host |= name.eq_ignore_ascii_case("host");
        has_accept_encoding |= name.eq_ignore_ascii_case("accept-encoding");
        has_user_agent |= name.eq_ignore_ascii_case("user-agent");
        upgrade |= name.eq_ignore_ascii_case("upgrade");
    }
    if !has_host {
        check_host(req.host)?;
    }

    let caller_length = content_length(req.headers, ErrorKind::LocalProtocol)?;
    let caller_te = transfer_encoding(req.headers);
    let te_value = || req.headers.getlist("transfer-encoding").join(", ");
    let cl_value = || req.headers.getlist("content-length").join(", ");
    let (add_framing, outgoing) = match req.body {
        BodyLength::Fixed(n) => {
            if caller_te.is_some() {
                return Err(local(format!(
                    "Transfer-Encoding header {:?} conflicts with a body of fixed length {n}",
                    te_value()
                )));
            }
            let add = match caller_length {
                Some(m) if m != n => {
                    return Err(local(format!(
                        "Content-Length header {:?} does not match the body length {n}",
                        cl_value()
                    )))
                }
                Some(_) => AddFraming::Nothing,
                None => AddFraming::ContentLength(n),
            };
            let outgoing = if n == 0 {
                Outgoing::Empty
            } else {
                Outgoing::Fixed {
                    total: n,
                    remaining: n,
                }
            };
            (add, outgoing)
        }
        BodyLength::Chunked => {
            if caller_length.is_some() {
                return Err(local(format!(
                    "Content-Length header {:?} conflicts with a chunked body",
                    cl_value()
                )));
            }
            let add = match caller_te {
                Some(true) => AddFraming::Nothing,
                Some(false) => {
                    return Err(local(format!(
                        "Transfer-Encoding header {:?} does not end with \"chunked\" but the \
                         body is sent chunked",
                        te_value()
                    )))
                }
                None => AddFraming::Chunked,
            };
            (add, Outgoing::Chunked)
        }
        BodyLength::None => {
            if caller_te.is_some() {
                return Err(local(format!(
                    "Transfer-Encoding header {:?} given for a request without a body",
                    te_value()
                )));
            }
            let add = match caller_length {
                Some(0) => AddFraming::Nothing,
                Some(_) => {
                    return Err(local(format!(
                        "Content-Length header {:?} given for a request without a body",
                        cl_value()
                    )))
                }
                None if ["POST", "PUT", "PATCH"]
                    .iter()
                    .any(|m| req.method.eq_ignore_ascii_case(m)) =>
                {
                    AddFraming::ContentLength(0)
                }
                None => AddFraming::Nothing,
            };
            (add, Outgoing::Empty)
        }
    };
    Ok(Plan {
        add_host: !has_host,
        add_framing,
        has_accept_encoding,
        has_user_agent,
        skips,
        add_accept_encoding: false,
        add_user_agent: None,
        close: connection_has(req.headers, "close"),
        upgrade,
        outgoing,
    })
}

/// The checks that depend on the target and the `Host` value, for a request whose method,
/// headers and framing were planned already (see [`validate`]).
pub(super) fn check_target_and_host(req: &Request<'_>, plan: &Plan) -> Result<(), Error> {
    check_target(req.target)?;
    if plan.add_host {
        check_host(req.host)?;
    }
    Ok(())
}

/// Appends `value` encoded as ISO-8859-1 (already checked to be encodable).
fn push_latin1(out: &mut Vec<u8>, value: &str) {
    if value.is_ascii() {
        out.extend_from_slice(value.as_bytes());
    } else {
        out.extend(
            value
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
        );
    }
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Writes the head of a request that [`validate`] accepted.
pub(super) fn write_head(req: &Request<'_>, plan: &Plan, out: &mut Vec<u8>) {
    let mut size = req.method.len() + req.target.len() + 16 + 40;
    if plan.add_host {
        size += req.host.len() + 8;
    }
    if plan.add_accept_encoding {
        size += IDENTITY_LINE.len();
    }
    if let Some(ua) = plan.add_user_agent {
        size += ua.len() + 14;
    }
    for (name, value) in req.headers.iter() {
        size += name.len() + value.len() + 4;
    }
    out.reserve(size);

    out.extend_from_slice(req.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if plan.add_host {
        out.extend_from_slice(b"Host: ");
        out.extend_from_slice(req.host.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if plan.add_accept_encoding {
        out.extend_from_slice(IDENTITY_LINE);
    }
    for (name, value) in req.headers.iter() {
        if plan.skips && value == SKIP_HEADER {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        push_latin1(out, value);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(ua) = plan.add_user_agent {
        out.extend_from_slice(b"User-Agent: ");
        out.extend_from_slice(ua.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    match plan.add_framing {
        AddFraming::Nothing => {}
        AddFraming::ContentLength(n) => {
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, n);
            out.extend_from_slice(b"\r\n");
        }
        AddFraming::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
    }
    out.extend_from_slice(b"\r\n");
}
