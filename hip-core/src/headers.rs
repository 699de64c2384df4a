//! [`HttpHeaderDict`]: the spec's `HTTPHeaderDict` (`hip._collections.HTTPHeaderDict`).
//!
//! A header collection that is case-insensitive on names, keeps the order headers were added
//! in, keeps the case each name was first given in, and keeps repeated values apart (so
//! `Set-Cookie` survives). Reading a name gives every value joined with `", "`, as RFC 9110
//! section 5.3 allows for list-valued fields.
//!
//! Storage is a plain `Vec` of `(name, value)` pairs: requests and responses carry a few dozen
//! headers at most, and for that size a linear scan with `eq_ignore_ascii_case` beats hashing
//! and keeps insertion order for free.
//!
//! Values are text. Bytes from the wire are decoded as ISO-8859-1 (each byte becomes the
//! character with the same number), as Python's `http.client` does, so no byte is lost and
//! [`http::HeaderMap`] conversions round-trip exactly.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, ErrorKind};

/// The spec's `HTTPHeaderDict`: case-insensitive names, insertion order and original case kept,
/// repeated values kept. Values are text; bytes from the wire are decoded as ISO-8859-1, as
/// Python's `http.client` does, so no byte is lost.
///
/// ```
/// use hip_core::HttpHeaderDict;
///
/// let mut h = HttpHeaderDict::from([("Content-Length", "33"), ("X-A", "b")]);
/// h.add("x-a", "c");
/// assert_eq!(h.get("content-length").as_deref(), Some("33"));
/// assert_eq!(h.get("X-A").as_deref(), Some("b, c"));
/// assert_eq!(h.getlist("x-a"), ["b", "c"]);
/// assert_eq!(
///     format!("{h:?}"),
///     "HTTPHeaderDict({'Content-Length': '33', 'X-A': 'b, c'})"
/// );
/// ```
///
/// Equality follows the spec: names compare case-insensitively, the order of different names
/// does not matter, and each name's values compare joined, in order. A dict also compares
/// equal to a plain map or array of pairs with the same content (see [`HttpHeaderDict::eq_map`]).
#[derive(Clone, Default, Eq)]
pub struct HttpHeaderDict {
    entries: Vec<(String, String)>,
}

impl HttpHeaderDict {
    /// An empty dict.
    pub fn new() -> Self {
        HttpHeaderDict {
            entries: Vec::new(),
        }
    }

    /// An empty dict with room for `capacity` pairs.
    pub fn with_capacity(capacity: usize) -> Self {
        HttpHeaderDict {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The spec's `add`: appends a value, keeping earlier values of the same name.
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The spec's `__setitem__`: replaces every value of `name` with `value`.
    ///
    /// Like assigning to an existing key of a Python dict, the header keeps the position of its
    /// first occurrence (and takes the case of `name`); a new name goes at the end.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.position(&name) {
            None => self.entries.push((name, value)),
            Some(first) => {
                let mut index = 0;
                self.entries.retain(|(n, _)| {
                    let keep = index <= first || !n.eq_ignore_ascii_case(&name);
                    index += 1;
                    keep
                });
                if let Some(slot) = self.entries.get_mut(first) {
                    *slot = (name, value);
                }
            }
        }
    }

    /// The spec's `__getitem__`/`get`: all values of `name` joined with `", "`.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut it = self.values_of(name);
        let first = it.next()?;
        match it.next() {
            None => Some(Cow::Borrowed(first)),
            Some(second) => {
                let mut s = format!("{first}, {second}");
                for v in it {
                    s.push_str(", ");
                    s.push_str(v);
                }
                Some(Cow::Owned(s))
            }
        }
    }

    /// The first value of `name`, unjoined (useful for headers that must not repeat, such as
    /// `Location`). No spec counterpart.
    pub fn get_first(&self, name: &str) -> Option<&str> {
        self.values_of(name).next()
    }

    /// The spec's `getlist` (alias `getheaders`, `get_all`): every value of `name`, in order.
    pub fn getlist(&self, name: &str) -> Vec<&str> {
        self.values_of(name).collect()
    }

    /// The spec's `__contains__`.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The spec's `discard`/`pop`: removes every value of `name`; true if there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before != self.entries.len()
    }

    /// The spec's `setdefault`: if `name` is absent, adds it with `default`; returns the
    /// (joined) value `name` has afterwards.
    pub fn set_default(&mut self, name: &str, default: impl Into<String>) -> Cow<'_, str> {
        if !self.contains(name) {
            self.entries.push((name.to_owned(), default.into()));
        }
        self.get(name).unwrap_or(Cow::Borrowed(""))
    }

    /// The spec's `extend`: adds every pair of `other` (another dict, a map, a list of
    /// pairs), keeping values already present and repeated values of `other`.
    ///
    /// ```
    /// use hip_core::HttpHeaderDict;
    ///
    /// let mut h = HttpHeaderDict::from([("Accept", "a")]);
    /// let other = HttpHeaderDict::from([("accept", "b"), ("Accept", "c")]);
    /// h.extend(&other);
    /// h.extend([("X-Y", "z")]);
    /// assert_eq!(h.getlist("ACCEPT"), ["a", "b", "c"]);
    /// assert_eq!(h.len(), 4);
    /// ```
    pub fn extend<I, K, V>(&mut self, other: I)
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let iter = other.into_iter();
        self.entries.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.add(k, v);
        }
    }

    /// The spec's `copy`: the same as [`Clone::clone`].
    pub fn copy(&self) -> Self {
        self.clone()
    }

    /// Every `(name, value)` pair in insertion order, names in their original case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The spec's `itermerged`: each distinct name once, in the order names first appeared
    /// and in the case they first appeared in, with all its values joined by `", "`.
    pub fn itermerged(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.first_occurrences()
            .map(move |name| (name, self.get(name).unwrap_or(Cow::Borrowed(""))))
    }

    /// The spec's `keys`: each distinct name once, in first-appearance order and case.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.first_occurrences()
    }

    /// Number of `(name, value)` pairs (a name added twice counts twice; the spec's `len`
    /// counts distinct names, which is `self.keys().count()`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The spec's comparison of an `HTTPHeaderDict` with a plain mapping: true when `other`,
    /// read as a header dict (pairs added in order), is equal to `self`.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use hip_core::HttpHeaderDict;
    ///
    /// let h = HttpHeaderDict::from([("Connection", "keep-alive"), ("user-agent", "x")]);
    /// assert!(h.eq_map([("User-Agent", "x"), ("connection", "keep-alive")]));
    /// let m: HashMap<&str, &str> = [("connection", "keep-alive"), ("user-agent", "x")].into();
    /// assert!(h.eq_map(&m));
    /// assert_eq!(h, m);
    /// ```
    pub fn eq_map<I, K, V>(&self, other: I) -> bool
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let other: HttpHeaderDict = other
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        *self == other
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn values_of<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.entries
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Names whose entry is the first of its name.
    fn first_occurrences(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(move |(i, (n, _))| {
                let earlier = self.entries[..i]
                    .iter()
                    .any(|(m, _)| m.eq_ignore_ascii_case(n));
                (!earlier).then_some(n.as_str())
            })
    }
}

impl PartialEq for HttpHeaderDict {
    /// The spec's `__eq__`: compares the merged value of each lowercased name.
    fn eq(&self, other: &Self) -> bool {
        self.keys().count() == other.keys().count()
            && self
                .itermerged()
                .all(|(name, value)| other.get(name).as_deref() == Some(&*value))
    }
}

impl std::hash::Hash for HttpHeaderDict {
    /// Consistent with `==`: each lowercased name with its merged value, in name order (the
    /// order of different names does not matter to equality, so it must not to the hash).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut merged: Vec<(String, Cow<'_, str>)> = self
            .itermerged()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        merged.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        merged.hash(state);
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> PartialEq<HashMap<K, V, S>> for HttpHeaderDict {
    fn eq(&self, other: &HashMap<K, V, S>) -> bool {
        self.eq_map(other)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> PartialEq<BTreeMap<K, V>> for HttpHeaderDict {
    fn eq(&self, other: &BTreeMap<K, V>) -> bool {
        self.eq_map(other)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> PartialEq<[(K, V); N]> for HttpHeaderDict {
    fn eq(&self, other: &[(K, V); N]) -> bool {
        self.eq_map(other.iter().map(|(k, v)| (k, v)))
    }
}

impl<K: AsRef<str>, V: AsRef<str>> PartialEq<Vec<(K, V)>> for HttpHeaderDict {
    fn eq(&self, other: &Vec<(K, V)>) -> bool {
        self.eq_map(other.iter().map(|(k, v)| (k, v)))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for HttpHeaderDict {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut h = HttpHeaderDict::new();
        h.extend(iter);
        h
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for HttpHeaderDict {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        HttpHeaderDict::extend(self, iter);
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for HttpHeaderDict {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<String>> From<Vec<(K, V)>> for HttpHeaderDict {
    fn from(pairs: Vec<(K, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<String>, S> From<HashMap<K, V, S>> for HttpHeaderDict {
    fn from(map: HashMap<K, V, S>) -> Self {
        map.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<String>> From<BTreeMap<K, V>> for HttpHeaderDict {
    fn from(map: BTreeMap<K, V>) -> Self {
        map.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a HttpHeaderDict {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        fn as_strs(pair: &(String, String)) -> (&str, &str) {
            (pair.0.as_str(), pair.1.as_str())
        }
        self.entries.iter().map(as_strs)
    }
}

impl IntoIterator for HttpHeaderDict {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl fmt::Debug for HttpHeaderDict {
    /// The spec's `repr`: `HTTPHeaderDict({'Content-Length': '33', 'X-A': 'b, c'})`, the
    /// merged view written the way Python writes a dict of strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("HTTPHeaderDict({");
        for (i, (name, value)) in self.itermerged().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_py_repr(&mut out, name);
            out.push_str(": ");
            push_py_repr(&mut out, &value);
        }
        out.push_str("})");
        f.write_str(&out)
    }
}

/// Writes `s` as Python's `repr(str)` does: single quotes unless the text has a single quote
/// and no double quote, backslash escapes for the quote, `\\`, `\t`, `\n`, `\r` and for
/// characters Python does not print (control characters, unusual spaces, format characters).
fn push_py_repr(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => {
                let n = u32::from(c);
                // Writing to a String cannot fail.
                let _ = if n <= 0xFF {
                    write!(out, "\\x{n:02x}")
                } else if n <= 0xFFFF {
                    write!(out, "\\u{n:04x}")
                } else {
                    write!(out, "\\U{n:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// An approximation of Python's `str.isprintable` that is exact for ISO-8859-1 (the range
/// wire bytes decode into): control characters, separators other than the space, and the
/// common format characters are not printable.
fn py_printable(c: char) -> bool {
    !(c.is_control()
        || matches!(
            c,
            '\u{a0}'
                | '\u{ad}'
                | '\u{1680}'
                | '\u{2000}'..='\u{200f}'
                | '\u{2028}'..='\u{202f}'
                | '\u{205f}'..='\u{2064}'
                | '\u{3000}'
                | '\u{feff}'
        ))
}

/// Decodes bytes as ISO-8859-1: each byte becomes the character with the same code point.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Encodes text as ISO-8859-1, or gives the first character that does not fit in one byte.
pub fn encode_latin1(text: &str) -> Result<Vec<u8>, char> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| c))
        .collect()
}

impl TryFrom<&HttpHeaderDict> for HeaderMap {
    type Error = Error;

    /// Converts to an [`http::HeaderMap`] (names lowercased by `http`, repeated values kept),
    /// encoding values back to ISO-8859-1 bytes. A name that is not an HTTP token, or a value
    /// with a character above U+00FF or a forbidden byte (CR, LF, NUL, other controls), is an
    /// [`ErrorKind::InvalidHeader`] naming the header.
    fn try_from(dict: &HttpHeaderDict) -> Result<Self, Error> {
        let mut map = HeaderMap::with_capacity(dict.len());
        for (name, value) in dict.iter() {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidHeader,
                    format!("invalid header name {name:?}"),
                )
                .with_source(e)
            })?;
            let bytes = encode_latin1(value).map_err(|c| {
                Error::new(
                    ErrorKind::InvalidHeader,
                    format!(
                        "value of header {name:?} has the character {c:?} that ISO-8859-1 \
                         cannot encode: {value:?}"
                    ),
                )
            })?;
            let header_value = HeaderValue::from_bytes(&bytes).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidHeader,
                    format!("invalid value for header {name:?}: {value:?}"),
                )
                .with_source(e)
            })?;
            map.append(header_name, header_value);
        }
        Ok(map)
    }
}

impl TryFrom<HttpHeaderDict> for HeaderMap {
    type Error = Error;

    /// As `TryFrom<&HttpHeaderDict>`.
    fn try_from(dict: HttpHeaderDict) -> Result<Self, Error> {
        HeaderMap::try_from(&dict)
    }
}

impl From<&HeaderMap> for HttpHeaderDict {
    /// Converts from an [`http::HeaderMap`], decoding values as ISO-8859-1. The map's order is
    /// kept (all values of one name come together, as `HeaderMap` stores them).
    fn from(map: &HeaderMap) -> Self {
        let mut dict = HttpHeaderDict::with_capacity(map.len());
        for (name, value) in map.iter() {
            dict.add(name.as_str(), decode_latin1(value.as_bytes()));
        }
        dict
    }
}

impl From<HeaderMap> for HttpHeaderDict {
    /// As `From<&HeaderMap>`.
    fn from(map: HeaderMap) -> Self {
        HttpHeaderDict::from(&map)
    }
}
