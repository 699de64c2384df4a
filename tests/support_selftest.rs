//! Proves the test servers in `tests/support/` with plain clients, before hip exists.

mod support;

#[test]
fn placeholder() {
    let _ = support::HttpBin::start();
}
