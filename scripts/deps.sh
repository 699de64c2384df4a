#!/usr/bin/env bash
# The dependency-count check (issue 11): the default build of `hip` may pull at most LIMIT
# (60) external crates. Counted as the unique crate names in
#   cargo tree -p hip -e normal --prefix none --no-dedupe
# with the default features, the workspace's own crates (hip, hip-core, hip-async,
# hip-blocking) left out; build-dependencies and dev-dependencies are not counted.
#
# Usage: bash scripts/deps.sh [--list] [extra cargo tree arguments, e.g. --all-features]
#   --list   also print the names, one a line
# Exits 1 when the count is above the limit (only for the default features, which is what
# the limit is about; with extra arguments it just reports).
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT=60
list=false
if [[ "${1:-}" == "--list" ]]; then
  list=true
  shift
fi

names=$(cargo tree -p hip -e normal --prefix none --no-dedupe --locked "$@" |
  awk 'NF { print $1 }' |
  grep -v -x -E 'hip|hip-core|hip-async|hip-blocking' |
  sort -u)
count=$(printf '%s\n' "$names" | grep -c .)

if $list; then
  printf '%s\n' "$names"
fi
if [[ $# -gt 0 ]]; then
  echo "external crates in hip ($*): $count"
  exit 0
fi
echo "external crates in hip's default build: $count (limit $LIMIT)"
if ((count > LIMIT)); then
  echo "FAIL: the default build pulls $count crates, more than $LIMIT." >&2
  echo "See which with: bash scripts/deps.sh --list; and why one is there with:" >&2
  echo "  cargo tree -p hip -e normal -i <crate>" >&2
  exit 1
fi
