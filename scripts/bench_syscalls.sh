#!/usr/bin/env bash
# System calls and user-space copies per MiB of the streamed download and per small GET, for
# every client of benches/compare.rs: `strace -f -c` counts the system calls,
# benches/copycount.c (loaded with LD_PRELOAD) the bytes copied by memcpy/memmove. Each client
# runs in its own process, once with no operation and once with 3 downloads (or 2,000 GETs);
# the difference cancels start-up and warm-up.
#
# Usage: bash scripts/bench_syscalls.sh
#   HIP_BENCH_CLIENTS=hip-async,hip-blocking bash scripts/bench_syscalls.sh
#   HIP_BENCH_DOWNLOAD_MIB=128 bash scripts/bench_syscalls.sh     (default 64)
#   HIP_BENCH_WORKLOADS=download bash scripts/bench_syscalls.sh    (download, seq, post, tls)
# Needs strace and a C compiler (Debian: apt-get install strace gcc).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in strace cc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench_syscalls.sh needs $tool (apt-get install strace gcc)" >&2
    exit 1
  fi
done
HIP_BENCH_SYSCALLS=1 exec cargo bench --bench compare --locked
