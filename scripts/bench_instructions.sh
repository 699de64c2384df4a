#!/usr/bin/env bash
# User-space instructions per operation for every client of benches/compare.rs (hip async and
# blocking, reqwest, reqwest::blocking, hyper-util, ureq, and the raw floors), counted by
# valgrind's callgrind: unlike wall-clock time, the counts do not depend on the machine's load.
#
# Each client runs in its own process under callgrind, once with N operations and once with
# 2N (after the same construction and one warm-up operation); per operation is
# (I(2N) - I(N)) / N, which cancels the process start and the client's setup. Only the client
# process is counted: the server is a native child process. Async clients run on a
# current-thread runtime. Workloads: seq (small keep-alive GET), post (1 MiB), tls (new
# connection, full handshake); not the download, whose count per MiB for an async client
# depends on timing (how much each read finds in the socket). About 30 s after the build.
#
# Usage: bash scripts/bench_instructions.sh
#   HIP_BENCH_WORKLOADS=seq bash scripts/bench_instructions.sh        only the small GETs
#   HIP_BENCH_CLIENTS=hip-async,reqwest bash scripts/bench_instructions.sh
#                                           only these clients (the raw floors always run)
# Needs valgrind (Debian: apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
  echo "bench_instructions.sh needs valgrind (apt-get install valgrind)" >&2
  exit 1
fi
HIP_BENCH_CALLGRIND=1 exec cargo bench --bench compare --locked
