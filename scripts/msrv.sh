#!/usr/bin/env bash
# The MSRV check (issue 11): no package in Cargo.lock may declare a higher `rust-version` than
# the workspace's (`[workspace.package] rust-version`, which every member inherits).
#
# It reads the resolve from `cargo metadata` (all features, every platform, dev-dependencies
# included), so both `cargo build --locked` and `cargo test --locked` are covered as far as the
# dependencies' own declarations go. Packages that declare no rust-version are counted but
# cannot be checked this way. hip's own code is held to rust-version by clippy's
# `incompatible_msrv` lint (in scripts/check.sh). The workspace uses resolver 3, so
# `cargo update` prefers versions that fit rust-version.
#
# Usage: bash scripts/msrv.sh   (exits 1 and lists the offenders when the check fails)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo metadata --format-version 1 --locked --all-features | python3 scripts/msrv.py
