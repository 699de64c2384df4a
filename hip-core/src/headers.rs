//! [`HttpHeaderDict`]: the spec's `HTTPHeaderDict` (`hip._collections.HTTPHeaderDict`).
//!
//! A header collection that is case-insensitive on names, keeps the order headers were added
//! in, keeps the case each name was first given in, and keeps repeated values apart (so
//! `Set-Cookie` survives). Reading a name gives every value joined with `", "`, as RFC 9110
//! section 5.3 allows for list-valued fields.
//!
//! Storage is one string holding every name and value back to back, and a `Vec` of where
//! each `(name, value)` pair is in it: requests and responses carry a few dozen headers at
//! most, and for that size a linear scan with `eq_ignore_ascii_case` beats hashing and keeps
//! insertion order for free, and two allocations hold a whole head.
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
    /// Every name and value, back to back: one allocation holds them all, so a response
    /// head costs two (this and `fields`) however many headers it has.
    text: String,
    /// Where each pair is in `text`, in insertion order.
    fields: Vec<Field>,
    /// Bytes of `text` that no field points at any more (pairs removed or replaced); the
    /// text is compacted when they are more than half of it.
    dead: usize,
}

/// One `(name, value)` pair: the name is `text[start..split]`, the value `text[split..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Field {
    start: usize,
    split: usize,
    end: usize,
}

impl Field {
    fn name(self, text: &str) -> &str {
        &text[self.start..self.split]
    }

    fn value(self, text: &str) -> &str {
        &text[self.split..self.end]
    }
}

/// Dead text below this many bytes is never compacted away.
const COMPACT_MIN: usize = 1024;

impl HttpHeaderDict {
    /// An empty dict.
    pub fn new() -> Self {
        HttpHeaderDict::default()
    }

    /// An empty dict with room for `capacity` pairs.
    pub fn with_capacity(capacity: usize) -> Self {
        HttpHeaderDict {
            text: String::new(),
            fields: Vec::with_capacity(capacity),
            dead: 0,
        }
    }

    /// An empty dict with room for `pairs` pairs of `text` bytes in all: what a parser
    /// that knows the size of a head asks for.
    pub(crate) fn with_room(pairs: usize, text: usize) -> Self {
        HttpHeaderDict {
            text: String::with_capacity(text),
            fields: Vec::with_capacity(pairs),
            dead: 0,
        }
    }

    /// The spec's `add`: appends a value, keeping earlier values of the same name.
    pub fn add(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        self.push(name.as_ref(), |text| text.push_str(value.as_ref()));
    }

    /// Appends a pair whose value `write_value` writes at the end of the text (a parser
    /// decodes a value straight into it).
    pub(crate) fn push(&mut self, name: &str, write_value: impl FnOnce(&mut String)) {
        let start = self.text.len();
        self.text.push_str(name);
        let split = self.text.len();
        write_value(&mut self.text);
        let end = self.text.len();
        self.fields.push(Field { start, split, end });
    }

    /// The spec's `__setitem__`: replaces every value of `name` with `value`.
    ///
    /// Like assigning to an existing key of a Python dict, the header keeps the position of its
    /// first occurrence (and takes the case of `name`); a new name goes at the end.
    pub fn insert(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let Some(first) = self.position(name) else {
            self.add(name, value);
            return;
        };
        self.retain_fields(|i, n| i <= first || !same_name(n.as_bytes(), name.as_bytes()));
        self.push(name, |text| text.push_str(value));
        // The new pair takes the first one's place.
        if let Some(new) = self.fields.pop() {
            let old = std::mem::replace(&mut self.fields[first], new);
            self.dead += old.end - old.start;
        }
        self.compact_if_wasteful();
    }

    /// The spec's `__getitem__`/`get`: all values of `name` joined with `", "`.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut it = self.values(name);
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
        self.values(name).next()
    }

    /// The spec's `getlist` (alias `getheaders`, `get_all`): every value of `name`, in order.
    pub fn getlist(&self, name: &str) -> Vec<&str> {
        self.values(name).collect()
    }

    /// Every value of `name`, in order, without collecting them: [`Self::getlist`] as an
    /// iterator.
    ///
    /// ```
    /// use hip_core::HttpHeaderDict;
    ///
    /// let h = HttpHeaderDict::from([("Vary", "a"), ("X", "y"), ("vary", "b")]);
    /// assert_eq!(h.values("VARY").collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.fields
            .iter()
            .filter(move |f| self.is_named(f, name))
            .map(|f| f.value(&self.text))
    }

    /// The spec's `__contains__`.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The spec's `discard`/`pop`: removes every value of `name`; true if there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.fields.len();
        self.retain_fields(|_, n| !same_name(n.as_bytes(), name.as_bytes()));
        let removed = before != self.fields.len();
        if removed {
            self.compact_if_wasteful();
        }
        removed
    }

    /// The spec's `setdefault`: if `name` is absent, adds it with `default`; returns the
    /// (joined) value `name` has afterwards.
    pub fn set_default(&mut self, name: &str, default: impl AsRef<str>) -> Cow<'_, str> {
        if !self.contains(name) {
            self.add(name, default);
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
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let iter = other.into_iter();
        self.fields.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.add(k, v);
        }
    }

    /// The spec's `copy`: the same as [`Clone::clone`].
    pub fn copy(&self) -> Self {
        self.clone()
    }

    /// Every `(name, value)` pair in insertion order, names in their original case.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            fields: self.fields.iter(),
        }
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
        self.fields.len()
    }

    /// True when there is no header.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.dead = 0;
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
        let other: HttpHeaderDict = other.into_iter().collect();
        *self == other
    }

    /// Whether `f`'s name is `name`, ignoring ASCII case. Compares bytes: a lookup that
    /// misses (most do) makes no `str` slice and so checks no character boundary.
    #[inline]
    fn is_named(&self, f: &Field, name: &str) -> bool {
        f.split - f.start == name.len()
            && self
                .text
                .as_bytes()
                .get(f.start..f.split)
                .is_some_and(|n| same_name(n, name.as_bytes()))
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| self.is_named(f, name))
    }

    /// Names whose entry is the first of its name.
    fn first_occurrences(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().enumerate().filter_map(move |(i, f)| {
            let n = f.name(&self.text);
            let earlier = self.fields[..i].iter().any(|e| self.is_named(e, n));
            (!earlier).then_some(n)
        })
    }

    /// Keeps the pairs for which `keep(index, name)` is true, counting the text of the others
    /// as dead.
    fn retain_fields(&mut self, mut keep: impl FnMut(usize, &str) -> bool) {
        let text = &self.text;
        let dead = &mut self.dead;
        let mut index = 0;
        self.fields.retain(|f| {
            let kept = keep(index, f.name(text));
            index += 1;
            if !kept {
                *dead += f.end - f.start;
            }
            kept
        });
    }

    /// Rewrites the text without its dead bytes once they are more than half of it (and
    /// more than [`COMPACT_MIN`]), so that a dict changed over and over stays bounded.
    fn compact_if_wasteful(&mut self) {
        if self.dead < COMPACT_MIN || self.dead * 2 < self.text.len() {
            return;
        }
        let mut text = String::with_capacity(self.text.len() - self.dead);
        for f in &mut self.fields {
            let start = text.len();
            text.push_str(&self.text[f.start..f.end]);
            *f = Field {
                start,
                split: start + (f.split - f.start),
                end: text.len(),
            };
        }
        self.text = text;
        self.dead = 0;
    }
}

/// The pairs of an [`HttpHeaderDict`] in insertion order: what [`HttpHeaderDict::iter`]
/// returns.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    text: &'a str,
    fields: std::slice::Iter<'a, Field>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let f = self.fields.next()?;
        Some((f.name(self.text), f.value(self.text)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.fields.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let f = self.fields.next_back()?;
        Some((f.name(self.text), f.value(self.text)))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The pairs of an [`HttpHeaderDict`] as owned strings: what its `into_iter()` returns.
#[derive(Debug)]
pub struct IntoIter {
    text: String,
    fields: std::vec::IntoIter<Field>,
}

impl Iterator for IntoIter {
    type Item = (String, String);

    fn next(&mut self) -> Option<Self::Item> {
        let f = self.fields.next()?;
        Some((
            f.name(&self.text).to_owned(),
            f.value(&self.text).to_owned(),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.fields.size_hint()
    }
}

impl ExactSizeIterator for IntoIter {}

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

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for HttpHeaderDict {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut h = HttpHeaderDict::new();
        h.extend(iter);
        h
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for HttpHeaderDict {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        HttpHeaderDict::extend(self, iter);
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for HttpHeaderDict {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> From<Vec<(K, V)>> for HttpHeaderDict {
    fn from(pairs: Vec<(K, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S> From<HashMap<K, V, S>> for HttpHeaderDict {
    fn from(map: HashMap<K, V, S>) -> Self {
        map.into_iter().collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> From<BTreeMap<K, V>> for HttpHeaderDict {
    fn from(map: BTreeMap<K, V>) -> Self {
        map.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a HttpHeaderDict {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for HttpHeaderDict {
    type Item = (String, String);
    type IntoIter = IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        IntoIter {
            text: self.text,
            fields: self.fields.into_iter(),
        }
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

/// Whether two header names are equal without regard to ASCII case. Names usually arrive
/// in the case they are looked up in (lowercase from most servers, and hip looks up
/// lowercase names), so a byte comparison answers first; the case-folding loop, several
/// times slower per byte, runs only when that fails.
fn same_name(a: &[u8], b: &[u8]) -> bool {
    a == b || a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of the pairs a dict holds, as it would be rebuilt from scratch.
    fn live_text(h: &HttpHeaderDict) -> usize {
        h.iter().map(|(n, v)| n.len() + v.len()).sum()
    }

    #[test]
    fn a_dict_changed_over_and_over_keeps_its_text_bounded() {
        let mut h = HttpHeaderDict::from([("Keep", "me"), ("X-Counter", "0")]);
        for i in 0..10_000 {
            h.insert("x-counter", format!("{i:>40}"));
            h.add("X-Temp", "t".repeat(100));
            assert!(h.remove("x-temp"));
            assert!(
                h.text.len() <= 2 * live_text(&h) + 2 * COMPACT_MIN,
                "text grew to {} bytes for {} live",
                h.text.len(),
                live_text(&h)
            );
        }
        assert_eq!(h.getlist("KEEP"), ["me"]);
        assert_eq!(
            h.get("x-counter").as_deref(),
            Some(&*format!("{:>40}", 9_999))
        );
        assert_eq!(h.keys().collect::<Vec<_>>(), ["Keep", "x-counter"]);
    }

    #[test]
    fn compaction_keeps_order_case_and_repeated_values() {
        let mut h = HttpHeaderDict::new();
        h.add("A", "1");
        h.add("Big", "x".repeat(4000));
        h.add("a", "2");
        h.add("C", "3");
        assert!(h.remove("big"));
        // More than half of the text is dead now, and more than COMPACT_MIN.
        assert_eq!(h.dead, 0, "removal compacted the text");
        assert_eq!(h.text, "A1a2C3");
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("A", "1"), ("a", "2"), ("C", "3")]
        );
        h.insert("A", "9");
        assert_eq!(h.iter().collect::<Vec<_>>(), [("A", "9"), ("C", "3")]);
    }
}
