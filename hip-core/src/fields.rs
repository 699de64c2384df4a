//! Request fields: the spec's `hip.fields` module.
//!
//! A [`RequestField`] is one part of a `multipart/form-data` body (or one `name=value` pair of
//! a urlencoded one): a name, the data, an optional filename and the part's own headers.
//! [`FieldValue`] is what callers write for a field's value: text, bytes, or a file tuple
//! `(filename, data)` / `(filename, data, mime_type)` as in the spec's examples.
//!
//! Header parameters (`name="..."`, `filename="..."`) are written by a formatter: the HTML5
//! one by default ([`format_header_param_html5`], what browsers and curl send), or the RFC 2231
//! one ([`format_header_param_rfc2231`]) for servers that want `filename*=utf-8''...`.
//! [`format_multipart_header_param`] is urllib3 2.x's successor to the HTML5 one, which
//! escapes only `"`, CR and LF.

use std::fmt;
use std::fmt::Write as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::headers::HttpHeaderDict;

/// The type of a header-parameter formatter, like the spec's `header_formatter` callables:
/// takes a parameter name and value, returns the formatted `name="value"` text.
pub type HeaderFormatter = fn(&str, &str) -> String;

/// The spec's `guess_content_type(filename, default='application/octet-stream')`: the MIME
/// type for `filename`'s extension, or `default` when there is no filename or the extension
/// is unknown.
///
/// The table is `mime_guess`'s, not Python's `mimetypes` (they agree on common types; for
/// `x.tar.gz` Python answers `application/x-tar`, hip `application/gzip`).
///
/// ```
/// use hip_core::fields::guess_content_type;
///
/// assert_eq!(guess_content_type(Some("example.txt"), "application/octet-stream"), "text/plain");
/// assert_eq!(guess_content_type(None, "application/octet-stream"), "application/octet-stream");
/// ```
pub fn guess_content_type(filename: Option<&str>, default: &str) -> String {
    filename
        .filter(|f| !f.is_empty())
        .and_then(|f| mime_guess::from_path(f).first_raw())
        .unwrap_or(default)
        .to_owned()
}

/// The default of [`guess_content_type`]: `"application/octet-stream"`.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// Characters Python's `urllib.parse.quote(value, safe='')` leaves alone: letters, digits and
/// `_ . - ~`. Everything else is percent-encoded.
const RFC2231_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

/// The spec's `format_header_param_rfc2231(name, value)`: formats one header parameter the
/// RFC 2231 way (as RFC 2388 section 4.4 once advised for non-ASCII file names).
///
/// A value that is ASCII and has no `"`, `\`, CR or LF is written `name="value"`; any other
/// value is written `name*=utf-8''` followed by its UTF-8 bytes percent-encoded (letters,
/// digits and `_.-~` kept).
///
/// ```
/// use hip_core::fields::format_header_param_rfc2231;
///
/// assert_eq!(format_header_param_rfc2231("filename", "a.txt"), r#"filename="a.txt""#);
/// assert_eq!(
///     format_header_param_rfc2231("filename", "n\u{e4}me.txt"),
///     "filename*=utf-8''n%C3%A4me.txt"
/// );
/// ```
pub fn format_header_param_rfc2231(name: &str, value: &str) -> String {
    let plain = value.is_ascii() && !value.contains(['"', '\\', '\r', '\n']);
    if plain {
        format!("{name}=\"{value}\"")
    } else {
        format!(
            "{name}*=utf-8''{}",
            utf8_percent_encode(value, RFC2231_ENCODE)
        )
    }
}

/// The spec's `format_header_param_html5(name, value)`: formats one header parameter the way
/// the HTML standard's multipart/form-data encoding (and so browsers and curl) does.
///
/// The value is kept as UTF-8 text inside double quotes; `"` becomes `%22`, `\` becomes `\\`,
/// and the control characters U+0000 to U+001F (except ESC, U+001B, as the spec's table has
/// it) become `%XX`, so CR is `%0D` and LF is `%0A`.
///
/// ```
/// use hip_core::fields::format_header_param_html5;
///
/// assert_eq!(format_header_param_html5("filename", "n\u{e4}me.txt"), "filename=\"n\u{e4}me.txt\"");
/// assert_eq!(format_header_param_html5("name", "a\"b\r\n"), r#"name="a%22b%0D%0A""#);
/// ```
pub fn format_header_param_html5(name: &str, value: &str) -> String {
    quoted_param(name, value, |out, c| match c {
        '"' => out.push_str("%22"),
        '\\' => out.push_str("\\\\"),
        '\u{1b}' => out.push(c),
        c if u32::from(c) < 0x20 => {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{:02X}", u32::from(c));
        }
        c => out.push(c),
    })
}

/// `name="value"`, each character of the value written by `escape`.
fn quoted_param(name: &str, value: &str, escape: impl Fn(&mut String, char)) -> String {
    let mut out = String::with_capacity(name.len() + value.len() + 3);
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        escape(&mut out, c);
    }
    out.push('"');
    out
}

/// `format_multipart_header_param(name, value)` (urllib3 2.x): formats one header parameter
/// of a `multipart/form-data` part the way the HTML standard does today.
///
/// The value is kept as UTF-8 text inside double quotes, and only `"`, CR and LF are
/// escaped, as `%22`, `%0D` and `%0A`. That is urllib3 2.x's escaping, which replaced
/// urllib3 1.26's [`format_header_param_html5`] (which also doubles `\` and escapes the
/// other control characters; it stays the default formatter here, as in the spec).
///
/// ```
/// use hip_core::fields::format_multipart_header_param;
///
/// assert_eq!(format_multipart_header_param("filename", "n\u{e4}me.txt"), "filename=\"n\u{e4}me.txt\"");
/// assert_eq!(format_multipart_header_param("name", "a\"b\r\n"), r#"name="a%22b%0D%0A""#);
/// assert_eq!(format_multipart_header_param("name", "a\\b\t"), "name=\"a\\b\t\"");
/// ```
pub fn format_multipart_header_param(name: &str, value: &str) -> String {
    quoted_param(name, value, |out, c| match c {
        '"' => out.push_str("%22"),
        '\r' => out.push_str("%0D"),
        '\n' => out.push_str("%0A"),
        c => out.push(c),
    })
}

/// The spec's `format_header_param(name, value)`: the same as [`format_header_param_html5`].
pub fn format_header_param(name: &str, value: &str) -> String {
    format_header_param_html5(name, value)
}

/// A field's value as callers write it: the spec's "key/value strings AND key/filetuple".
///
/// Conversions make the spec's examples read the same in Rust:
///
/// | Python                                   | Rust                                       |
/// |------------------------------------------|--------------------------------------------|
/// | `'bar'`                                  | `"bar"` or `String` → [`FieldValue::Text`] |
/// | `b'\x00\x01'`                            | `Vec<u8>`, `&[u8]`, `b"..."` → [`FieldValue::Bytes`] |
/// | `('foofile.txt', data)`                  | `("foofile.txt", data)` → [`FieldValue::File`], type guessed |
/// | `('bazfile.bin', data, 'image/jpeg')`    | `("bazfile.bin", data, "image/jpeg")` → [`FieldValue::File`] |
///
/// In a tuple, the data may be anything that converts into `Vec<u8>` (`&str`, `String`,
/// `&[u8]`, `Vec<u8>`, byte-string literals). A file without a filename is
/// [`FieldValue::file`]`(None, data, None)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue {
    /// A plain text value (no filename, no `Content-Type` in a multipart body).
    Text(String),
    /// A plain binary value (no filename, no `Content-Type` in a multipart body).
    Bytes(Vec<u8>),
    /// A file tuple `(filename, data, MIME type)`. Without a MIME type, it is guessed from the
    /// filename ([`guess_content_type`]).
    File {
        /// The filename sent in `Content-Disposition`, if any.
        filename: Option<String>,
        /// The file's content.
        data: Vec<u8>,
        /// The part's `Content-Type`; `None` means guessed from the filename.
        content_type: Option<String>,
    },
}

impl FieldValue {
    /// A file value from its parts.
    pub fn file(
        filename: Option<&str>,
        data: impl Into<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Self {
        FieldValue::File {
            filename: filename.map(str::to_owned),
            data: data.into(),
            content_type: content_type.map(str::to_owned),
        }
    }

    /// True for [`FieldValue::File`].
    pub fn is_file(&self) -> bool {
        matches!(self, FieldValue::File { .. })
    }
}

impl From<&str> for FieldValue {
    fn from(s: &str) -> Self {
        FieldValue::Text(s.to_owned())
    }
}

impl From<String> for FieldValue {
    fn from(s: String) -> Self {
        FieldValue::Text(s)
    }
}

impl From<&String> for FieldValue {
    fn from(s: &String) -> Self {
        FieldValue::Text(s.clone())
    }
}

impl From<Vec<u8>> for FieldValue {
    fn from(b: Vec<u8>) -> Self {
        FieldValue::Bytes(b)
    }
}

impl From<&[u8]> for FieldValue {
    fn from(b: &[u8]) -> Self {
        FieldValue::Bytes(b.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for FieldValue {
    fn from(b: &[u8; N]) -> Self {
        FieldValue::Bytes(b.to_vec())
    }
}

impl<F: Into<String>, D: Into<Vec<u8>>> From<(F, D)> for FieldValue {
    /// A `(filename, data)` file tuple; the MIME type is guessed from the filename.
    fn from((filename, data): (F, D)) -> Self {
        FieldValue::File {
            filename: Some(filename.into()),
            data: data.into(),
            content_type: None,
        }
    }
}

impl<F: Into<String>, D: Into<Vec<u8>>, M: Into<String>> From<(F, D, M)> for FieldValue {
    /// A `(filename, data, MIME type)` file tuple.
    fn from((filename, data, content_type): (F, D, M)) -> Self {
        FieldValue::File {
            filename: Some(filename.into()),
            data: data.into(),
            content_type: Some(content_type.into()),
        }
    }
}

/// The spec's `RequestField(name, data, filename=None, headers=None,
/// header_formatter=format_header_param_html5)`: one field of a request body.
///
/// ```
/// use hip_core::fields::RequestField;
///
/// let mut field = RequestField::new("upload", "hello").with_filename("hi.txt");
/// field.make_multipart(None, Some("text/plain"), None);
/// assert_eq!(
///     field.render_headers(),
///     "Content-Disposition: form-data; name=\"upload\"; filename=\"hi.txt\"\r\n\
///      Content-Type: text/plain\r\n\r\n"
/// );
/// ```
#[derive(Clone)]
pub struct RequestField {
    /// The field's name (the spec's `_name`).
    pub name: String,
    /// The field's data (the spec's `data`); text is stored as UTF-8.
    pub data: Vec<u8>,
    /// The filename (the spec's `_filename`), sent in `Content-Disposition` when present.
    pub filename: Option<String>,
    /// The part's headers (the spec's `headers`), usually set by [`RequestField::make_multipart`].
    pub headers: HttpHeaderDict,
    /// Formats the `name` and `filename` parameters (the spec's `header_formatter`).
    pub header_formatter: HeaderFormatter,
}

impl RequestField {
    /// A field with no filename, no headers and the HTML5 formatter.
    pub fn new(name: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        RequestField {
            name: name.into(),
            data: data.into(),
            filename: None,
            headers: HttpHeaderDict::new(),
            header_formatter: format_header_param_html5,
        }
    }

    /// Sets the filename.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the part's headers (the spec's `headers` argument).
    pub fn with_headers(mut self, headers: impl Into<HttpHeaderDict>) -> Self {
        self.headers = headers.into();
        self
    }

    /// Sets the header-parameter formatter (the spec's `header_formatter` argument).
    pub fn with_header_formatter(mut self, header_formatter: HeaderFormatter) -> Self {
        self.header_formatter = header_formatter;
        self
    }

    /// The spec's `RequestField.from_tuples(fieldname, value, header_formatter)`: a field from a
    /// plain value or a file tuple, made multipart: plain values get no `Content-Type`; files
    /// get the tuple's MIME type or one guessed from the filename.
    ///
    /// ```
    /// use hip_core::fields::{format_header_param_html5, RequestField};
    ///
    /// let f = RequestField::from_tuples("fakefile", ("foofile.txt", "contents"), format_header_param_html5);
    /// assert_eq!(f.headers.get("Content-Type").as_deref(), Some("text/plain"));
    /// assert_eq!(f.filename.as_deref(), Some("foofile.txt"));
    /// ```
    pub fn from_tuples(
        fieldname: impl Into<String>,
        value: impl Into<FieldValue>,
        header_formatter: HeaderFormatter,
    ) -> Self {
        let (data, filename, content_type) = match value.into() {
            FieldValue::Text(s) => (s.into_bytes(), None, None),
            FieldValue::Bytes(b) => (b, None, None),
            FieldValue::File {
                filename,
                data,
                content_type,
            } => {
                let content_type = content_type.unwrap_or_else(|| {
                    guess_content_type(filename.as_deref(), DEFAULT_CONTENT_TYPE)
                });
                (data, filename, Some(content_type))
            }
        };
        let mut field = RequestField {
            name: fieldname.into(),
            data,
            filename,
            headers: HttpHeaderDict::new(),
            header_formatter,
        };
        field.make_multipart(None, content_type.as_deref(), None);
        field
    }

    /// Formats one header parameter with this field's formatter (the spec's `_render_part`).
    pub fn render_part(&self, name: &str, value: &str) -> String {
        (self.header_formatter)(name, value)
    }

    /// The spec's `render_headers`: the part's header block. `Content-Disposition`,
    /// `Content-Type` and `Content-Location` come first, in that order, then the other headers
    /// in their order; each is `Name: value\r\n` (headers with an empty value are left out), and
    /// a blank line (`\r\n`) ends the block.
    pub fn render_headers(&self) -> String {
        const FIRST: [&str; 3] = ["Content-Disposition", "Content-Type", "Content-Location"];
        let mut out = String::new();
        for name in FIRST {
            if let Some(value) = self.headers.get(name).filter(|v| !v.is_empty()) {
                out.push_str(name);
                out.push_str(": ");
                out.push_str(&value);
                out.push_str("\r\n");
            }
        }
        for (name, value) in self.headers.itermerged() {
            if value.is_empty() || FIRST.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                continue;
            }
            out.push_str(name);
            out.push_str(": ");
            out.push_str(&value);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        out
    }

    /// The spec's `make_multipart(content_disposition=None, content_type=None,
    /// content_location=None)`: sets the part's `Content-Disposition` (`content_disposition`,
    /// `"form-data"` by default, followed by `; name="..."` and, with a filename,
    /// `; filename="..."`), and sets or clears `Content-Type` and `Content-Location`.
    pub fn make_multipart(
        &mut self,
        content_disposition: Option<&str>,
        content_type: Option<&str>,
        content_location: Option<&str>,
    ) {
        let mut disposition = content_disposition
            .filter(|d| !d.is_empty())
            .unwrap_or("form-data")
            .to_owned();
        disposition.push_str("; ");
        disposition.push_str(&self.render_part("name", &self.name));
        if let Some(filename) = &self.filename {
            disposition.push_str("; ");
            disposition.push_str(&self.render_part("filename", filename));
        }
        self.headers.insert("Content-Disposition", disposition);
        for (name, value) in [
            ("Content-Type", content_type),
            ("Content-Location", content_location),
        ] {
            match value {
                Some(v) => self.headers.insert(name, v),
                None => {
                    self.headers.remove(name);
                }
            }
        }
    }
}

impl fmt::Debug for RequestField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestField")
            .field("name", &self.name)
            .field("data", &String::from_utf8_lossy(&self.data))
            .field("filename", &self.filename)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RequestField {
    /// Compares name, data, filename and headers (formatters are functions and are not
    /// compared; their effect is already in the headers once the field is multipart).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.data == other.data
            && self.filename == other.filename
            && self.headers == other.headers
    }
}
