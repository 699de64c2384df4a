#!/usr/bin/env bash
# Client CPU per operation with every client in a fresh process of its own (see the
# HIP_BENCH_ISOLATED entry in benches/compare.rs): less noisy than the wall-clock mode on a
# shared machine. Ratios are medians of per-round ratios to the raw floor of the same runtime.
#
# Usage: bash scripts/bench_isolated.sh
#   HIP_BENCH_CLIENTS=hip-blocking,ureq HIP_BENCH_WORKLOADS=seq,tls bash scripts/bench_isolated.sh
#   HIP_BENCH_ROUNDS=9 bash scripts/bench_isolated.sh                (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
HIP_BENCH_ISOLATED=1 exec cargo bench --bench compare --locked
