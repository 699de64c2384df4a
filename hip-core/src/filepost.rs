//! Encoding request fields into a body or a query string: the spec's `hip.filepost` module,
//! plus the form-urlencoding that the spec's `request_encode_url` / `request_encode_body` use.
//!
//! [`Fields`] is the ordered list of [`RequestField`]s that request builders accept as
//! `fields(...)`; it converts from arrays, vectors and slices of `(name, value)` pairs, from
//! maps, and from lists of `RequestField`s, so the spec's examples read the same:
//!
//! ```
//! use hip_core::filepost::encode_multipart_formdata;
//!
//! let (body, content_type) = encode_multipart_formdata(
//!     [("foo", "bar")],
//!     Some("b0undary"),
//! );
//! assert_eq!(content_type, "multipart/form-data; boundary=b0undary");
//! assert_eq!(
//!     body,
//!     b"--b0undary\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n--b0undary--\r\n"
//! );
//! ```

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, ErrorKind, Result};
use crate::fields::{format_header_param_html5, FieldValue, RequestField};

/// The spec's `choose_boundary()`: a fresh random multipart boundary, 32 lowercase hex digits
/// (128 random bits).
///
/// The bits come from the operating system (`getrandom`): the one call in hip-core that asks
/// the OS for anything, kept here so that [`encode_multipart_formdata`] without a boundary
/// works as the spec's does. A caller that wants hip-core free of it passes its own boundary,
/// or makes one from its own random bytes with [`boundary_from_bytes`]. Should the OS have no
/// randomness to give, the bits come from std's per-process random hash keys instead.
pub fn choose_boundary() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        bytes = std_random_bytes();
    }
    boundary_from_bytes(bytes)
}

/// 128 bits from std's `RandomState` (seeded by the OS once per thread, then distinct per
/// call): the fallback of [`choose_boundary`].
fn std_random_bytes() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 16];
    for half in out.chunks_mut(8) {
        let bits = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        half.copy_from_slice(&bits.to_le_bytes());
    }
    out
}

/// A multipart boundary made from 16 random bytes: their 32 lowercase hex digits, as
/// [`choose_boundary`] makes them. For a driver that draws its own random bytes.
///
/// ```
/// use hip_core::filepost::boundary_from_bytes;
///
/// assert_eq!(boundary_from_bytes([0xab; 16]), "ab".repeat(16));
/// ```
pub fn boundary_from_bytes(bytes: [u8; 16]) -> String {
    let mut s = String::with_capacity(32);
    for b in bytes {
        s.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        s.push(char::from(HEX_LOWER[usize::from(b & 0x0f)]));
    }
    s
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The `Content-Type` of a urlencoded body, `application/x-www-form-urlencoded`.
pub const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";

/// An ordered list of request fields: what the spec's `fields` arguments (a dict, a list of
/// `(key, value)` tuples, or a list of `RequestField`s) become.
///
/// Pairs become fields through [`RequestField::from_tuples`] with the HTML5 formatter. A
/// `HashMap` has no order, so its fields come in an arbitrary order; use an array, a `Vec`
/// or a `BTreeMap` when the order matters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    fields: Vec<RequestField>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Fields::default()
    }

    /// Appends a field made from a name and a value (plain or file tuple).
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<FieldValue>) {
        self.fields.push(RequestField::from_tuples(
            name,
            value,
            format_header_param_html5,
        ));
    }

    /// Appends a ready-made field.
    pub fn push(&mut self, field: RequestField) {
        self.fields.push(field);
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there is no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, RequestField> {
        self.fields.iter()
    }

    /// The fields as a slice.
    pub fn as_slice(&self) -> &[RequestField] {
        &self.fields
    }

    /// [`encode_multipart_formdata`] without giving the fields away.
    pub fn encode_multipart(&self, boundary: Option<&str>) -> (Vec<u8>, String) {
        encode_multipart_slice(&self.fields, boundary)
    }

    /// [`urlencode`] without giving the fields away.
    pub fn urlencode(&self) -> Result<String> {
        urlencode_slice(&self.fields)
    }
}

impl IntoIterator for Fields {
    type Item = RequestField;
    type IntoIter = std::vec::IntoIter<RequestField>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.into_iter()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = &'a RequestField;
    type IntoIter = std::slice::Iter<'a, RequestField>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

impl<K: Into<String>, V: Into<FieldValue>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut fields = Fields::new();
        for (k, v) in iter {
            fields.add(k, v);
        }
        fields
    }
}

impl FromIterator<RequestField> for Fields {
    fn from_iter<I: IntoIterator<Item = RequestField>>(iter: I) -> Self {
        Fields {
            fields: iter.into_iter().collect(),
        }
    }
}

impl<K: Into<String>, V: Into<FieldValue>, const N: usize> From<[(K, V); N]> for Fields {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<FieldValue>> From<Vec<(K, V)>> for Fields {
    fn from(pairs: Vec<(K, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K, V> From<&[(K, V)]> for Fields
where
    K: Into<String> + Clone,
    V: Into<FieldValue> + Clone,
{
    fn from(pairs: &[(K, V)]) -> Self {
        pairs.iter().cloned().collect()
    }
}

impl<K, V> From<&Vec<(K, V)>> for Fields
where
    K: Into<String> + Clone,
    V: Into<FieldValue> + Clone,
{
    fn from(pairs: &Vec<(K, V)>) -> Self {
        Fields::from(pairs.as_slice())
    }
}

impl<K: Into<String>, V: Into<FieldValue>> From<BTreeMap<K, V>> for Fields {
    fn from(map: BTreeMap<K, V>) -> Self {
        map.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<FieldValue>, S> From<HashMap<K, V, S>> for Fields {
    fn from(map: HashMap<K, V, S>) -> Self {
        map.into_iter().collect()
    }
}

impl From<Vec<RequestField>> for Fields {
    fn from(fields: Vec<RequestField>) -> Self {
        Fields { fields }
    }
}

impl<const N: usize> From<[RequestField; N]> for Fields {
    fn from(fields: [RequestField; N]) -> Self {
        fields.into_iter().collect()
    }
}

impl From<&Fields> for Fields {
    fn from(fields: &Fields) -> Self {
        fields.clone()
    }
}

/// The spec's `iter_field_objects(fields)`: the fields as [`RequestField`]s, in order (pairs
/// are turned into fields by [`RequestField::from_tuples`]; fields are passed through).
pub fn iter_field_objects(fields: impl Into<Fields>) -> impl Iterator<Item = RequestField> {
    fields.into().into_iter()
}

/// The spec's `encode_multipart_formdata(fields, boundary=None)`: the fields as a
/// `multipart/form-data` body, and the matching `Content-Type` value
/// (`multipart/form-data; boundary=...`). Without a boundary, [`choose_boundary`] picks one.
///
/// Each field is written as `--boundary\r\n`, its [`RequestField::render_headers`], its data
/// and `\r\n`; the body ends with `--boundary--\r\n`. A caller-given boundary is used as is:
/// it must not occur in any field's data, nor contain CR or LF.
pub fn encode_multipart_formdata(
    fields: impl Into<Fields>,
    boundary: Option<&str>,
) -> (Vec<u8>, String) {
    encode_multipart_slice(fields.into().as_slice(), boundary)
}

fn encode_multipart_slice(fields: &[RequestField], boundary: Option<&str>) -> (Vec<u8>, String) {
    let chosen;
    let boundary = match boundary {
        Some(b) => b,
        None => {
            chosen = choose_boundary();
            chosen.as_str()
        }
    };
    let mut rendered = Vec::with_capacity(fields.len());
    let mut size = boundary.len() + 6;
    for field in fields {
        let headers = field.render_headers();
        size += boundary.len() + 4 + headers.len() + field.data.len() + 2;
        rendered.push(headers);
    }
    let mut body = Vec::with_capacity(size);
    for (field, headers) in fields.iter().zip(&rendered) {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(headers.as_bytes());
        body.extend_from_slice(&field.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// Form-urlencodes the fields as Python's `urllib.parse.urlencode` does (what the spec's
/// `request_encode_url` puts in the query and `request_encode_body` sends when
/// `encode_multipart=False`): `name=value` pairs joined with `&`, each side encoded like
/// `quote_plus`: space becomes `+`, letters, digits and `_.-~` are kept, every other byte of
/// the UTF-8 text (or of a bytes value) becomes `%XX` with uppercase hex.
///
/// A file field (one with a filename or a `Content-Type` of its own, as file tuples get)
/// cannot be urlencoded: that is an [`ErrorKind::InvalidBody`] error naming the field (Python
/// would send the tuple's `repr`, which no server wants).
///
/// ```
/// use hip_core::filepost::urlencode;
///
/// assert_eq!(urlencode([("q", "a b&c"), ("x", "é")]).unwrap(), "q=a+b%26c&x=%C3%A9");
/// ```
pub fn urlencode(fields: impl Into<Fields>) -> Result<String> {
    urlencode_slice(fields.into().as_slice())
}

fn urlencode_slice(fields: &[RequestField]) -> Result<String> {
    let mut out = String::new();
    for (i, field) in fields.iter().enumerate() {
        if field.filename.is_some() || field.headers.contains("Content-Type") {
            return Err(Error::new(
                ErrorKind::InvalidBody,
                format!(
                    "field {:?} is a file (filename {:?}) and cannot be form-urlencoded; \
                     use multipart encoding",
                    field.name, field.filename
                ),
            ));
        }
        if i > 0 {
            out.push('&');
        }
        quote_plus_into(&mut out, field.name.as_bytes());
        out.push('=');
        quote_plus_into(&mut out, &field.data);
    }
    Ok(out)
}

/// Python's `quote_plus(bytes, safe='')`.
fn quote_plus_into(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b))
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
                out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// The encoding half of the spec's `request_encode_url`: `url` with the fields appended as a
/// urlencoded query (no change when there are no fields).
///
/// The spec appends `"?" + urlencode(fields)` blindly; hip appends with `&` when `url`
/// already has a query, and keeps a `#fragment` at the end.
///
/// ```
/// use hip_core::filepost::{encode_url_fields, Fields};
///
/// let f = Fields::from([("arg", "value")]);
/// assert_eq!(encode_url_fields("http://h/get", &f).unwrap(), "http://h/get?arg=value");
/// assert_eq!(encode_url_fields("http://h/get?a=1", &f).unwrap(), "http://h/get?a=1&arg=value");
/// ```
pub fn encode_url_fields(url: &str, fields: &Fields) -> Result<String> {
    if fields.is_empty() {
        return Ok(url.to_owned());
    }
    let query = fields.urlencode()?;
    let (base, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let sep = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    Ok(format!("{base}{sep}{query}{fragment}"))
}

/// The encoding half of the spec's `request_encode_body`: the body and its `Content-Type`.
/// With `encode_multipart` (the spec's default) that is [`encode_multipart_formdata`] with
/// `boundary` (the spec's `multipart_boundary`); otherwise [`urlencode`] and
/// `application/x-www-form-urlencoded`.
pub fn encode_body_fields(
    fields: &Fields,
    encode_multipart: bool,
    boundary: Option<&str>,
) -> Result<(Vec<u8>, String)> {
    if encode_multipart {
        Ok(fields.encode_multipart(boundary))
    } else {
        Ok((fields.urlencode()?.into_bytes(), FORM_URLENCODED.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_bits_differ_per_call() {
        let a = std_random_bytes();
        let b = std_random_bytes();
        assert_ne!(a, b);
        assert_ne!(a[..8], a[8..]);
        assert_eq!(boundary_from_bytes(a).len(), 32);
    }
}
