//! Fuzz target for `hip_core::url::parse_url`, which reads URLs from the user and from
//! `Location` headers.
//!
//! Input: any bytes, read as UTF-8 (invalid sequences become U+FFFD).
//!
//! Properties checked (the law of `hip-core/tests/url_props.rs`, `parse_url_never_panics`):
//! * no panic, in `parse_url` nor in the accessors of what it returns (`url`,
//!   `request_uri`, `netloc`, `hostname`);
//! * round trip: when the text parses, `url()` parses again to an equal `Url`, unless the
//!   host is empty (`http://@` is written back without a host). Without a scheme, `url()`
//!   writes no `//`, so the text is read again with `//` in front (as the property tests do).
#![no_main]

use hip_core::url::parse_url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(first) = parse_url(&text) else {
        return;
    };
    let written = first.url();
    let _ = (first.request_uri(), first.netloc(), first.hostname());
    if first.host.as_deref() == Some("") {
        return;
    }
    let again = match first.scheme {
        Some(_) => parse_url(&written),
        None => parse_url(&format!("//{written}")),
    };
    match again {
        Ok(again) => assert_eq!(again, first, "{text:?} -> {written:?}"),
        Err(e) => panic!("{text:?} parsed to {first:?}, but its url() {written:?} does not: {e:?}"),
    }
});
