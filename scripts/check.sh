#!/usr/bin/env bash
# The project's test command (README "Run the tests"): formatting, lints, every test, docs,
# and the dependency checks (crate count, cargo deny, MSRV). Exits non-zero on the first
# failure. Installs cargo-deny when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== dependency count (scripts/deps.sh)"
bash scripts/deps.sh

echo "== cargo deny check bans licenses sources (deny.toml, offline)"
if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "== installing cargo-deny"
  cargo install --locked cargo-deny
fi
cargo deny --offline --locked check bans licenses sources

echo "== MSRV: no locked package needs a newer Rust than rust-version (scripts/msrv.sh)"
bash scripts/msrv.sh

echo "== each library crate alone (features are not unified with tests or other crates)"
for crate in hip-core hip-async hip-blocking; do
  cargo check -p "$crate" --lib --locked
  cargo check -p "$crate" --lib --all-features --locked
done

echo "== cargo clippy (all targets, all features, -D warnings)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

echo "== cargo test (all features)"
cargo test --workspace --all-features --locked

echo "== cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --all-features --no-deps --locked

# Each API alone: every spec item must be reachable in a build with either API, and the
# dual tests run through the one API each build has.
DUAL_TESTS=(--test user_guide --test conformance --test pipeline --test hardening --test pooling
  --test proxy --test faults --test tls --test socks --test connecting --test http_interop
  --test idioms --test timings --test timings_tracing)
EXTRAS=gzip,deflate,brotli,zstd,json,socks,native-roots
echo "== blocking API only: build, clippy, dual tests"
cargo clippy -p hip --no-default-features --features "blocking,$EXTRAS" --locked -- -D warnings
cargo test --no-default-features --features "blocking,$EXTRAS" --locked "${DUAL_TESTS[@]}"
echo "== async API only: build, clippy, dual tests"
cargo clippy -p hip --no-default-features --features "async,$EXTRAS" --locked -- -D warnings
cargo test --no-default-features --features "async,$EXTRAS" --locked "${DUAL_TESTS[@]}"
