//! Small, strict parsers for what clients send in request bodies and query strings:
//! `application/x-www-form-urlencoded` and `multipart/form-data`.
//!
//! They are public so that a test can check a recorded request body part by part. They reject
//! malformed input with a message instead of guessing, so a client bug shows as a 400 from
//! [`HttpBin`](crate::HttpBin) or an `Err` here.

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The `name` parameter of the part's `Content-Disposition`.
    pub name: String,
    /// The `filename` parameter, present for file fields.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if it sent one.
    pub content_type: Option<String>,
    /// Every header of the part, in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The part's content.
    pub data: Vec<u8>,
}

/// Decodes `%XX` escapes and `+` (as space) in one component of a query string or form body.
/// Invalid escapes are kept as they are; the result is decoded as UTF-8, lossily.
pub fn percent_decode(s: &str) -> String {
    fn hex_value(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex_value(*hi).zip(hex_value(*lo)),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some((hi, lo)), _) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits `a=1&b=2&a=3` into decoded `(name, value)` pairs, in order. A component without `=`
/// gives an empty value; empty components are skipped.
pub fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(part), String::new()),
        })
        .collect()
}

/// The value of parameter `param` in a header value such as
/// `multipart/form-data; boundary="abc"` (name matched case-insensitively, quotes removed).
pub fn header_param(value: &str, param: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|item| {
        let (k, v) = item.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case(param) {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some(v.to_string())
    })
}

/// Parses a `multipart/form-data` body whose `Content-Type` header value is `content_type`.
///
/// Requires the boundary parameter, `--boundary\r\n` before the first part, CRLF line endings,
/// a `Content-Disposition: form-data` header with a `name` in each part, and the closing
/// `--boundary--` delimiter. A preamble before the first delimiter and an epilogue after the
/// last are allowed (RFC 2046 §5.1.1).
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary = header_param(content_type, "boundary")
        .ok_or_else(|| format!("no boundary parameter in Content-Type {content_type:?}"))?;
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(format!(
            "boundary {boundary:?} must have 1 to 70 characters"
        ));
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let start = if body.starts_with(&delimiter) {
        0
    } else {
        let mut crlf_delim = b"\r\n".to_vec();
        crlf_delim.extend_from_slice(&delimiter);
        find(body, &crlf_delim)
            .map(|p| p + 2)
            .ok_or_else(|| format!("no opening delimiter {:?} in the body", lossy(&delimiter)))?
    };
    let mut next_delim = b"\r\n".to_vec();
    next_delim.extend_from_slice(&delimiter);

    let mut parts = Vec::new();
    let mut pos = start + delimiter.len();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest.strip_prefix(b"\r\n").ok_or_else(|| {
            format!(
                "delimiter not followed by CRLF or \"--\" at byte {pos}: {:?}",
                lossy(&rest[..rest.len().min(20)])
            )
        })?;
        pos += 2;
        let end = find(rest, &next_delim).ok_or_else(|| {
            format!(
                "part {} is not closed by {:?}",
                parts.len(),
                lossy(&next_delim[2..])
            )
        })?;
        parts.push(parse_part(&rest[..end], parts.len())?);
        pos += end + next_delim.len();
    }
}

fn parse_part(raw: &[u8], index: usize) -> Result<Part, String> {
    let (head, data) = match find(raw, b"\r\n\r\n") {
        Some(p) => (&raw[..p], &raw[p + 4..]),
        // A part with no headers at all starts with the blank line.
        None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
        None => return Err(format!("part {index} has no blank line after its headers")),
    };
    let head = std::str::from_utf8(head)
        .map_err(|_| format!("part {index} has headers that are not UTF-8"))?;
    let mut headers = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("part {index} has a header line without ':': {line:?}"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let find_header = |wanted: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.clone())
    };
    let disposition = find_header("Content-Disposition")
        .ok_or_else(|| format!("part {index} has no Content-Disposition header"))?;
    if !disposition
        .split(';')
        .next()
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("form-data"))
    {
        return Err(format!(
            "part {index} Content-Disposition {disposition:?} is not form-data"
        ));
    }
    let name = header_param(&disposition, "name")
        .ok_or_else(|| format!("part {index} Content-Disposition {disposition:?} has no name"))?;
    Ok(Part {
        name,
        filename: header_param(&disposition, "filename"),
        content_type: find_header("Content-Type"),
        headers,
        data: data.to_vec(),
    })
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
