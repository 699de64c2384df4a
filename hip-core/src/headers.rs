//! `HttpHeaderDict`: the spec's `HTTPHeaderDict` (skeleton; completed by the headers work).

use std::borrow::Cow;

/// The spec's `HTTPHeaderDict`: case-insensitive names, insertion order and original case kept,
/// repeated values kept. Values are text; bytes from the wire are decoded as ISO-8859-1, as
/// Python's `http.client` does, so no byte is lost.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpHeaderDict {
    entries: Vec<(String, String)>,
}

impl HttpHeaderDict {
    /// An empty dict.
    pub fn new() -> Self {
        HttpHeaderDict { entries: Vec::new() }
    }

    /// The spec's `add`: appends a value, keeping earlier values of the same name.
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The spec's `__setitem__`: replaces every value of `name` with `value`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.entries.push((name, value.into()));
    }

    /// The spec's `__getitem__`/`get`: all values of `name` joined with `", "`.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut it = self.entries.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = it.next()?;
        match it.next() {
            None => Some(Cow::Borrowed(first.1.as_str())),
            Some(second) => {
                let mut s = format!("{}, {}", first.1, second.1);
                for (_, v) in it {
                    s.push_str(", ");
                    s.push_str(v);
                }
                Some(Cow::Owned(s))
            }
        }
    }

    /// The spec's `getlist`: every value of `name`, in order.
    pub fn getlist(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The spec's `__contains__`.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The spec's `discard`/`pop`: removes every value of `name`; true if there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before != self.entries.len()
    }

    /// Every `(name, value)` pair in insertion order, names in their original case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of `(name, value)` pairs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for HttpHeaderDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTPHeaderDict({:?})", self.entries)
    }
}
