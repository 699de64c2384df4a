//! The reading half: finding where heads and chunk lines end, parsing them with httparse,
//! and deciding how a response body is framed.
//!
//! Everything here is a pure function of the bytes it is given, so the same bytes give the
//! same answer (and the same error message) however they were split when they arrived.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use crate::error::{Error, ErrorKind};
use crate::headers::HttpHeaderDict;

use super::{Framing, Limits, MethodKind, ResponseHead, Version};

/// Header slots kept on the stack; a larger `max_headers` limit uses a heap slice instead.
const STACK_HEADERS: usize = 128;

/// Where a search for line ends stopped, so that bytes arriving one at a time are not
/// scanned again (which would make reading a head quadratic).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Scan {
    /// Start of the line being looked at.
    line_start: usize,
    /// Where the scan goes on: every byte before it was checked.
    from: usize,
    /// End (after its `\n`) of the first non-blank line, the status line; 0 if not seen.
    pub(super) first_line_end: usize,
}

/// The kind of block [`scan_lines`] reads: the rules for its bytes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    /// A response head: leading blank lines are skipped, the status line must start with
    /// `HTTP/` and is checked as soon as it ends, bare LF line ends are accepted.
    Head,
    /// The trailer section of a chunked body: lines end with CRLF only.
    Trailers,
}

impl Block {
    fn name(self) -> &'static str {
        match self {
            Block::Head => "response head",
            Block::Trailers => "chunked trailer section",
        }
    }
}

/// What [`scan_lines`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scanned {
    /// A blank line ending just before this index: the block ends here.
    Blank(usize),
    /// No further complete line yet.
    Incomplete,
}

/// The start every status line has.
const HTTP_NAME: &[u8; 5] = b"HTTP/";

/// Looks for the blank line that ends a head or trailer section in `buf`, resuming where
/// `scan` stopped, and refuses a block that can no longer become valid as soon as the
/// offending byte is there (each byte is looked at once):
///
/// - a NUL byte, or a CR not followed by LF;
/// - in a head: a status line that does not start with `HTTP/` (checked byte by byte), or
///   that breaks the status-line grammar (checked as soon as its line ends);
/// - in trailers: a bare LF.
///
/// In a head, blank lines before the status line are skipped (RFC 9112 section 2.2); the
/// first blank line after it ends the head.
pub(super) fn scan_lines(buf: &[u8], scan: &mut Scan, block: Block) -> Result<Scanned, Error> {
    let head = block == Block::Head;
    let mut i = scan.from;
    while let Some(&b) = buf.get(i) {
        // Until the status line is complete, its first five bytes must spell "HTTP/".
        let in_name = head && scan.first_line_end == 0 && i - scan.line_start < HTTP_NAME.len();
        if in_name {
            let pos = i - scan.line_start;
            let blank_line_byte = match b {
                b'\r' => pos == 0,
                b'\n' => pos == 0 || (pos == 1 && buf[scan.line_start] == b'\r'),
                _ => false,
            };
            if b != HTTP_NAME[pos] && !blank_line_byte && b != 0 {
                return Err(not_http(&buf[scan.line_start..=i]));
            }
        }
        match b {
            b'\n' => {
                let start = scan.line_start;
                let crlf = i > start && buf[i - 1] == b'\r';
                if !head && !crlf {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "bare LF (without CR) at offset {i} of the {}: {}",
                            block.name(),
                            show_tail(&buf[start..=i])
                        ),
                    ));
                }
                let blank = i == start || (crlf && i == start + 1);
                scan.line_start = i + 1;
                i += 1;
                scan.from = i;
                if blank {
                    if !head || scan.first_line_end != 0 {
                        return Ok(Scanned::Blank(i));
                    }
                    // A blank line before the status line: skipped.
                } else if head && scan.first_line_end == 0 {
                    scan.first_line_end = i;
                    check_status_line(&buf[..i])?;
                }
            }
            b'\r' => match buf.get(i + 1) {
                // Decided by the next byte: look at this CR again when it is there.
                None => break,
                Some(b'\n') => i += 1,
                Some(_) => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "CR not followed by LF at offset {i} of the {}: {}",
                            block.name(),
                            show_tail(&buf[scan.line_start..=i + 1])
                        ),
                    ))
                }
            },
            0 => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "NUL byte at offset {i} of the {}: {}",
                        block.name(),
                        show_tail(&buf[scan.line_start..=i])
                    ),
                ))
            }
            _ if in_name => i += 1,
            _ => i = skip_plain(buf, i + 1),
        }
    }
    scan.from = i;
    Ok(Scanned::Incomplete)
}

/// The index of the first CR, LF or NUL in `buf` at or after `i` (or `buf.len()`), eight
/// bytes at a time where it can.
pub(super) fn skip_plain(buf: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Nonzero exactly when some byte of `v` is zero.
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    if let Some(rest) = buf.get(i..) {
        for word in rest.chunks_exact(8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            let v = u64::from_ne_bytes(bytes);
            if zero_byte(v) | zero_byte(v ^ (ONES * 0x0A)) | zero_byte(v ^ (ONES * 0x0D)) != 0 {
                break;
            }
            i += 8;
        }
    }
    while let Some(&b) = buf.get(i) {
        if b == b'\n' || b == b'\r' || b == 0 {
            break;
        }
        i += 1;
    }
    i
}

/// The error for a status line whose first bytes (`start`, ending with the offending one)
/// are not `HTTP/`.
fn not_http(start: &[u8]) -> Error {
    let hint = if start.first() == Some(&0x16) {
        "; this looks like a TLS record: does the server speak HTTPS on this port?"
    } else {
        ""
    };
    Error::new(
        ErrorKind::Protocol,
        format!(
            "invalid status line starting {} (a response starts with \"HTTP/\"{hint})",
            show(start)
        ),
    )
}

/// Bytes for an error message that ends at the offending byte: quoted, escaped, only the
/// last 60 bytes.
fn show_tail(bytes: &[u8]) -> String {
    const MAX: usize = 60;
    let cut = bytes.len().saturating_sub(MAX);
    let more = if cut > 0 { "..." } else { "" };
    format!("{more}\"{}\"", bytes[cut..].escape_ascii())
}

/// End (after its `\n`) of the first line of `block` that is not blank.
fn first_line_end(block: &[u8]) -> Option<usize> {
    let start = block.iter().position(|&b| b != b'\r' && b != b'\n')?;
    let nl = block[start..].iter().position(|&b| b == b'\n')?;
    Some(start + nl + 1)
}

/// Finds the end (after `\n`) of the first line of `buf`, resuming where `scan` stopped.
pub(super) fn find_newline(buf: &[u8], scan: &mut Scan) -> Option<usize> {
    let rest = buf.get(scan.from..)?;
    match rest.iter().position(|&b| b == b'\n') {
        Some(i) => Some(scan.from + i + 1),
        None => {
            scan.from = buf.len();
            None
        }
    }
}

/// `min(available, remaining)` as a usize.
pub(super) fn take_len(available: usize, remaining: u64) -> usize {
    usize::try_from(remaining).map_or(available, |r| r.min(available))
}

/// Bytes for an error message: quoted, escaped, cut at 100 bytes.
pub(super) fn show(bytes: &[u8]) -> String {
    const MAX: usize = 100;
    let cut = &bytes[..bytes.len().min(MAX)];
    let more = if bytes.len() > MAX { "..." } else { "" };
    format!("\"{}\"{more}", cut.escape_ascii())
}

/// The first non-blank line of `buf`, without its line ending.
fn first_line(buf: &[u8]) -> &[u8] {
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len());
    let line = &buf[start..];
    let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
    let line = &line[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn response_config() -> httparse::ParserConfig {
    let mut config = httparse::ParserConfig::default();
    // Strict where leniency could change how a message is framed: no whitespace between a
    // field name and its colon (RFC 9112 section 5.1), exactly one space around the status
    // code (section 4), no whitespace before the first field (section 2.2). Lenient where
    // RFC 9112 asks a user agent to be: obs-fold is replaced by a space (section 5.2).
    config
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(false)
        .allow_multiple_spaces_in_response_status_delimiters(false)
        .allow_space_before_first_header_name(false)
        .ignore_invalid_headers_in_responses(false);
    config
}

/// The error for a bad status line (`line_block` ends with the status line).
fn status_line_error(line_block: &[u8], err: httparse::Error) -> Error {
    let line = first_line(line_block);
    if err == httparse::Error::Version {
        if let Some(rest) = line.strip_prefix(b"HTTP/") {
            let version = rest.split(|&b| b == b' ').next().unwrap_or_default();
            let looks_like_version = match version {
                [major] => major.is_ascii_digit(),
                [major, b'.', minor] => major.is_ascii_digit() && minor.is_ascii_digit(),
                _ => false,
            };
            if looks_like_version {
                return Error::new(
                    ErrorKind::BadVersion,
                    format!(
                        "unsupported HTTP version \"HTTP/{}\" in status line {} (only HTTP/1.0 \
                         and HTTP/1.1 are spoken)",
                        version.escape_ascii(),
                        show(line)
                    ),
                );
            }
        }
    }
    Error::new(
        ErrorKind::Protocol,
        format!("invalid status line {}", show(line)),
    )
}

fn status_code_error(code: u16, line_block: &[u8]) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "invalid status code {code:03} in status line {}",
            show(first_line(line_block))
        ),
    )
}

/// Checks the status line alone (`block` ends right after it), so a response in another
/// protocol or version is refused without waiting for a whole head.
pub(super) fn check_status_line(block: &[u8]) -> Result<(), Error> {
    let mut no_headers: [httparse::Header<'_>; 0] = [];
    let mut response = httparse::Response::new(&mut no_headers);
    match response_config().parse_response(&mut response, block) {
        Err(e) => Err(status_line_error(block, e)),
        Ok(_) => match response.code {
            Some(code) if code < 100 => Err(status_code_error(code, block)),
            _ => Ok(()),
        },
    }
}

/// Decodes ISO-8859-1 bytes into a String (every byte is the code point of the same value).
pub(super) fn latin1(bytes: &[u8]) -> String {
    let mut out = String::new();
    push_latin1(&mut out, bytes);
    out
}

/// Appends ISO-8859-1 bytes to `out`, decoded.
fn push_latin1(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) if bytes.is_ascii() => out.push_str(s),
        _ => out.extend(bytes.iter().map(|&b| char::from(b))),
    }
}

/// Appends a header value to `out` as text: ISO-8859-1, with each obs-fold (a line break
/// followed by spaces) replaced by one space as RFC 9112 section 5.2 asks of a user agent.
fn push_header_value(out: &mut String, bytes: &[u8]) {
    // httparse lets a CR into a value only as part of a line break, and every line break
    // has an LF: a value without one has no obs-fold.
    if !bytes.contains(&b'\n') {
        return push_latin1(out, bytes);
    }
    let start = out.len();
    let mut in_fold = false;
    for &b in bytes {
        match b {
            b'\r' | b'\n' => {
                if !in_fold {
                    while out.len() > start && out.ends_with([' ', '\t']) {
                        out.pop();
                    }
                    out.push(' ');
                    in_fold = true;
                }
            }
            b' ' | b'\t' if in_fold => {}
            _ => {
                in_fold = false;
                out.push(char::from(b));
            }
        }
    }
}

/// Parsed header fields as a dict: one string for all their text, its size known from
/// the block they were parsed from.
fn header_dict(fields: &[httparse::Header<'_>]) -> HttpHeaderDict {
    let text = fields.iter().map(|h| h.name.len() + h.value.len()).sum();
    let mut dict = HttpHeaderDict::with_room(fields.len(), text);
    for h in fields {
        dict.push(h.name, |out| push_header_value(out, h.value));
    }
    dict
}

fn too_many_headers(what: &str, limits: &Limits) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!(
            "{what} has more than the max_headers limit of {} header fields",
            limits.max_headers()
        ),
    )
}

/// True for the bytes of an HTTP token (RFC 9110 section 5.6.2).
pub(super) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The first header line of `lines` that httparse would refuse, for an error message, and
/// what is wrong with it when that is more specific than httparse's word for it.
/// `obs_fold` says whether continuation lines are allowed (in heads, not in trailers).
fn bad_header_line(lines: &[u8], obs_fold: bool) -> (&[u8], Option<&'static str>) {
    let value_ok = |v: &[u8]| v.iter().all(|&b| b == b'\t' || b >= 0x20 && b != 0x7F);
    let mut rest = lines;
    let mut first = true;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            break;
        }
        if text[0] == b' ' || text[0] == b'\t' {
            if !obs_fold || first {
                return (
                    text,
                    Some("a line starting with whitespace continues no field"),
                );
            }
            // An obs-fold continuation line.
            if value_ok(text) {
                continue;
            }
            return (text, None);
        }
        first = false;
        let Some(colon) = text.iter().position(|&b| b == b':') else {
            return (text, None);
        };
        let name = &text[..colon];
        let trimmed = name.trim_ascii_end();
        if trimmed.len() < name.len() && !trimmed.is_empty() && trimmed.iter().all(|&b| is_tchar(b))
        {
            return (
                text,
                Some("whitespace between a field name and its colon, RFC 9112 section 5.1"),
            );
        }
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) || !value_ok(&text[colon + 1..]) {
            return (text, None);
        }
    }
    (lines, None)
}

fn head_error(block: &[u8], err: httparse::Error, limits: &Limits) -> Error {
    // Blame the status line exactly as when it is checked on its own before the rest of
    // the head arrives, so the error does not depend on how the bytes were split.
    if let Some(end) = first_line_end(block) {
        if let Err(e) = check_status_line(&block[..end]) {
            return e;
        }
    }
    match err {
        httparse::Error::TooManyHeaders => too_many_headers("response head", limits),
        httparse::Error::Version | httparse::Error::Status => status_line_error(block, err),
        _ => {
            // The status line is fine, so the fault is in a header.
            let start = block
                .iter()
                .position(|&b| b != b'\r' && b != b'\n')
                .unwrap_or(block.len());
            let after_status = block[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(&block[block.len()..], |i| &block[start + i + 1..]);
            let (line, why) = bad_header_line(after_status, true);
            let why = why.map_or_else(|| err.to_string(), str::to_owned);
            Error::new(
                ErrorKind::Protocol,
                format!(
                    "invalid header line {} in response head ({why})",
                    show(line)
                ),
            )
        }
    }
}

/// Parses a complete head (`block` ends with its blank line). `Ok(None)` when the block
/// holds only blank lines (which precede a head and are skipped).
pub(super) fn parse_head(
    block: &[u8],
    limits: &Limits,
) -> Result<Option<(usize, ResponseHead)>, Error> {
    let n = limits.max_headers();
    if n <= STACK_HEADERS {
        let mut slots = [MaybeUninit::<httparse::Header<'_>>::uninit(); STACK_HEADERS];
        parse_head_into(block, limits, &mut slots[..n])
    } else {
        let mut slots = Vec::with_capacity(n);
        slots.resize_with(n, MaybeUninit::<httparse::Header<'_>>::uninit);
        parse_head_into(block, limits, &mut slots)
    }
}

fn parse_head_into<'b>(
    block: &'b [u8],
    limits: &Limits,
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<Option<(usize, ResponseHead)>, Error> {
    let mut response = httparse::Response::new(&mut []);
    let used =
        match response_config().parse_response_with_uninit_headers(&mut response, block, slots) {
            Ok(httparse::Status::Complete(used)) => used,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(head_error(block, e, limits)),
        };
    let version = match response.version {
        Some(0) => Version::Http10,
        _ => Version::Http11,
    };
    let status = response.code.unwrap_or_default();
    if status < 100 {
        return Err(status_code_error(status, block));
    }
    let reason = match response.reason {
        Some(r) if !r.is_empty() => match http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            Some(standard) if standard == r => Cow::Borrowed(standard),
            _ => Cow::Owned(r.to_owned()),
        },
        // httparse gives "" for a reason with obs-text; decode it ourselves.
        _ => Cow::Owned(reason_from_line(first_line(block))),
    };
    let headers = header_dict(response.headers);
    Ok(Some((
        used,
        ResponseHead {
            version,
            status,
            reason,
            headers,
        },
    )))
}

/// The reason phrase of a status line already known to be valid: everything after
/// `HTTP/1.x NNN ` (exactly one space on each side of the code), as it is.
fn reason_from_line(line: &[u8]) -> String {
    latin1(line.get(13..).unwrap_or_default())
}

/// Parses a complete trailer block (`block` ends with its blank line).
pub(super) fn parse_trailers(block: &[u8], limits: &Limits) -> Result<HttpHeaderDict, Error> {
    let n = limits.max_headers();
    if n <= STACK_HEADERS {
        let mut slots = [httparse::EMPTY_HEADER; STACK_HEADERS];
        parse_trailers_into(block, limits, &mut slots[..n])
    } else {
        let mut slots = vec![httparse::EMPTY_HEADER; n];
        parse_trailers_into(block, limits, &mut slots)
    }
}

fn parse_trailers_into<'b>(
    block: &'b [u8],
    limits: &Limits,
    slots: &mut [httparse::Header<'b>],
) -> Result<HttpHeaderDict, Error> {
    match httparse::parse_headers(block, slots) {
        Ok(httparse::Status::Complete((_, fields))) => Ok(header_dict(fields)),
        Err(httparse::Error::TooManyHeaders) => Err(too_many_headers("chunked trailer", limits)),
        Ok(httparse::Status::Partial) | Err(_) => {
            let (line, why) = bad_header_line(block, false);
            let why = why.map_or_else(String::new, |w| format!(" ({w})"));
            Err(Error::new(
                ErrorKind::Protocol,
                format!("invalid chunked trailer line {}{why}", show(line)),
            ))
        }
    }
}

/// Parses a chunk-size line (`line` ends after its `\n`) by the grammar of RFC 9112
/// section 7.1, and returns the chunk size:
///
/// ```text
/// chunk-size [ chunk-ext ] CRLF
/// chunk-size = 1*HEXDIG                (at most 16 significant digits: it must fit in u64)
/// chunk-ext  = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
/// ```
///
/// BWS (spaces and tabs) is allowed only where the grammar puts it: before a `;`, around
/// `;` and `=`; never at the end of the line. The line must end with CRLF. Extensions are
/// checked and ignored.
pub(super) fn parse_chunk_size(line: &[u8]) -> Result<u64, Error> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    let Some(text) = text.strip_suffix(b"\r") else {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!(
                "invalid chunk-size line {} (it must end with CRLF, not a bare LF)",
                show(line)
            ),
        ));
    };
    let invalid = || {
        Error::new(
            ErrorKind::Protocol,
            format!("invalid chunk-size line {}", show(text)),
        )
    };
    let digits = text.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(invalid());
    }
    let mut size: u64 = 0;
    for &b in &text[..digits] {
        let v = u64::from(match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b - b'A' + 10,
        });
        // More than 16 significant digits (leading zeros are not) overflow here.
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(v))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "chunk size {} does not fit in 64 bits",
                        show(&text[..digits])
                    ),
                )
            })?;
    }
    if chunk_ext_ok(&text[digits..]) {
        Ok(size)
    } else {
        Err(invalid())
    }
}

/// True if `ext` (what follows the chunk size, without CRLF) is a valid `chunk-ext`.
fn chunk_ext_ok(ext: &[u8]) -> bool {
    let bws = |at: usize| {
        at + ext[at..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
    };
    let token = |at: usize| at + ext[at..].iter().take_while(|&&b| is_tchar(b)).count();
    let mut at = 0;
    loop {
        // BWS ";" BWS, or the end of the line (with no whitespace before it).
        let semi = bws(at);
        if semi == ext.len() {
            return semi == at;
        }
        if ext[semi] != b';' {
            return false;
        }
        // chunk-ext-name
        let name = bws(semi + 1);
        at = token(name);
        if at == name {
            return false;
        }
        // [ BWS "=" BWS chunk-ext-val ]: the whitespace belongs to the next element
        // unless "=" follows it.
        let eq = bws(at);
        if ext.get(eq) != Some(&b'=') {
            continue;
        }
        let value = bws(eq + 1);
        at = match ext.get(value) {
            Some(b'"') => match quoted_string_end(&ext[value..]) {
                Some(len) => value + len,
                None => return false,
            },
            _ => token(value),
        };
        if at == value {
            return false;
        }
    }
}

/// The length of the quoted-string (RFC 9110 section 5.6.4) at the start of `s` (which
/// starts with `"`), or `None` if it is not one.
fn quoted_string_end(s: &[u8]) -> Option<usize> {
    // qdtext: HTAB, SP, VCHAR but '"' and '\', obs-text; quoted-pair: '\' then HTAB, SP,
    // VCHAR or obs-text.
    let text = |b: u8| b == b'\t' || (b >= 0x20 && b != 0x7F);
    let mut i = 1;
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' if text(*s.get(i + 1)?) => i += 2,
            b'\\' => return None,
            b if text(b) => i += 1,
            _ => return None,
        }
    }
}

/// The error for EOF before a complete response head.
pub(super) fn eof_in_head(buf: &[u8]) -> Error {
    let msg = if buf.is_empty() {
        "connection closed before a complete response head: the remote end closed the \
         connection without a response"
            .to_owned()
    } else {
        format!(
            "connection closed before a complete response head ({} bytes received: {})",
            buf.len(),
            show(buf)
        )
    };
    Error::new(ErrorKind::Protocol, msg)
}

/// The comma-separated elements of a list header, trimmed, empty ones skipped.
fn list_elements(value: &str) -> impl Iterator<Item = &str> {
    elements(value).filter(|e| !e.is_empty())
}

/// Every element of a comma-separated `value`, empty ones included, with the optional
/// whitespace (spaces and tabs) around it trimmed. Splits the bytes: a head's values are
/// short, and a general `str` split costs more to set up than to run on them.
fn elements(value: &str) -> impl Iterator<Item = &str> {
    let bytes = value.as_bytes();
    let ows = |b: &u8| matches!(b, b' ' | b'\t');
    let mut next = Some(0);
    std::iter::from_fn(move || {
        let start = next?;
        let rest = bytes.get(start..)?;
        let end = match rest.iter().position(|&b| b == b',') {
            Some(i) => {
                next = Some(start + i + 1);
                start + i
            }
            None => {
                next = None;
                bytes.len()
            }
        };
        let element = bytes.get(start..end)?;
        let lead = element.iter().take_while(|b| ows(b)).count();
        let trail = element[lead..].iter().rev().take_while(|b| ows(b)).count();
        value.get(start + lead..end - trail)
    })
}

/// True if the `Connection` headers of `headers` name `token`.
pub(super) fn connection_has(headers: &HttpHeaderDict, token: &str) -> bool {
    field_has(headers, "connection", token)
}

/// True if a `name` list header of `headers` has the element `token`.
fn field_has(headers: &HttpHeaderDict, name: &str, token: &str) -> bool {
    headers
        .values(name)
        .any(|value| list_elements(value).any(|t| t.eq_ignore_ascii_case(token)))
}

/// True if the response asks for the connection to be closed: `Connection: close`, or
/// `Proxy-Connection: close`, the pre-standard field of HTTP/1.0 proxies (RFC 9112 appendix
/// C.2.2) that some proxies still send. Reading it as a close costs at most a connection;
/// ignoring it could put a request on a connection the proxy is about to drop.
fn close_requested(headers: &HttpHeaderDict) -> bool {
    connection_has(headers, "close") || field_has(headers, "proxy-connection", "close")
}

/// The agreed value of every `Content-Length` in `headers` (repeated fields and comma
/// lists), `None` if there is none.
pub(super) fn content_length(
    headers: &HttpHeaderDict,
    kind: ErrorKind,
) -> Result<Option<u64>, Error> {
    let mut found: Option<u64> = None;
    for value in headers.values("content-length") {
        for element in elements(value) {
            if element.is_empty() || !element.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::new(
                    kind,
                    format!("invalid Content-Length value {value:?}"),
                ));
            }
            let n: u64 = element.parse().map_err(|_| {
                Error::new(
                    kind,
                    format!("Content-Length value {value:?} does not fit in 64 bits"),
                )
            })?;
            match found {
                Some(m) if m != n => {
                    let all = headers.getlist("content-length").join(", ");
                    return Err(Error::new(
                        kind,
                        format!("conflicting Content-Length values {all:?}"),
                    ));
                }
                _ => found = Some(n),
            }
        }
    }
    Ok(found)
}

/// Whether `Transfer-Encoding` is present, and whether its final coding is `chunked`.
pub(super) fn transfer_encoding(headers: &HttpHeaderDict) -> Option<bool> {
    let mut present = false;
    let mut last_chunked = false;
    for value in headers.values("transfer-encoding") {
        present = true;
        if let Some(last) = list_elements(value).last() {
            last_chunked = last.eq_ignore_ascii_case("chunked");
        }
    }
    present.then_some(last_chunked)
}

/// How the body of a final (non-1xx) response is framed, and whether the connection may be
/// kept alive afterwards (RFC 9112 sections 6.3 and 9.3).
pub(super) fn framing(head: &ResponseHead, method: MethodKind) -> Result<(Framing, bool), Error> {
    let headers = &head.headers;
    let mut keep_alive = !close_requested(headers)
        && (head.version == Version::Http11 || connection_has(headers, "keep-alive"));
    let status = head.status;
    if method == MethodKind::Connect && (200..300).contains(&status) {
        return Ok((Framing::Tunnel, false));
    }
    if method == MethodKind::Head || status == 204 || status == 304 || status < 200 {
        return Ok((Framing::NoBody, keep_alive));
    }
    if let Some(chunked_last) = transfer_encoding(headers) {
        // Transfer-Encoding wins over Content-Length, but the pair (or Transfer-Encoding in
        // HTTP/1.0) hints at smuggling: finish this message, then close (section 6.3).
        if head.version == Version::Http10 || headers.contains("content-length") {
            keep_alive = false;
        }
        if chunked_last {
            return Ok((Framing::Chunked, keep_alive));
        }
        return Ok((Framing::UntilClose, false));
    }
    match content_length(headers, ErrorKind::Protocol)? {
        Some(n) => Ok((Framing::Fixed(n), keep_alive)),
        None => Ok((Framing::UntilClose, false)),
    }
}
