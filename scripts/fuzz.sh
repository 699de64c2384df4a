#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (cargo-fuzz, libFuzzer) for SECONDS each, on the stable
# toolchain, starting from the committed seed corpus in fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh SECONDS
#
# Installs cargo-fuzz when it is missing. Builds in the fuzz crate's own target dir
# (fuzz/target), with AddressSanitizer and debug assertions (overflow checks) on. New
# corpus entries go to fuzz/target/fuzz-corpus/<target>/ (not into the committed seeds),
# full logs to fuzz/target/fuzz-logs/<target>.log, crash inputs to fuzz/artifacts/<target>/.
# Prints the number of executions per target and exits non-zero when any target crashed,
# hung (a 20 s timeout per input), ran out of memory, or did not build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [[ $# -ne 1 || ! $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash scripts/fuzz.sh SECONDS   (seconds per target, e.g. 30)" >&2
  exit 2
fi
secs=$1

# cargo-fuzz drives the sanitizer and coverage flags that are unstable rustc options; the
# stable toolchain accepts them with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

target_dir=$root/fuzz/target
flags=(--debug-assertions --target-dir "$target_dir")
mapfile -t targets < <(cargo fuzz list)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "no fuzz targets found" >&2
  exit 1
fi

echo "== building ${#targets[@]} fuzz targets: ${targets[*]}"
cargo fuzz build "${flags[@]}"

mkdir -p "$target_dir/fuzz-logs"
declare -A execs result
failed=0
for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${secs}s"
  scratch=$target_dir/fuzz-corpus/$t
  seeds=$root/fuzz/corpus/$t
  mkdir -p "$scratch" "$seeds"
  log=$target_dir/fuzz-logs/$t.log
  set +e
  cargo fuzz run "${flags[@]}" "$t" "$scratch" "$seeds" -- \
    -max_total_time="$secs" -print_final_stats=1 -timeout=20 -max_len=4096 \
    >"$log" 2>&1
  rc=$?
  set -e
  execs[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [[ $rc -eq 0 ]]; then
    result[$t]=ok
  else
    result[$t]="FAILED (exit $rc)"
    failed=1
    echo "-- $t failed (exit $rc); the end of $log:"
    tail -n 60 "$log"
    ls -l "$root/fuzz/artifacts/$t" 2>/dev/null || true
  fi
  echo "$t: ${execs[$t]:-?} executions, ${result[$t]}"
done

echo
echo "== fuzz summary (${secs}s per target)"
printf '%-16s %14s  %s\n' target executions result
for t in "${targets[@]}"; do
  printf '%-16s %14s  %s\n' "$t" "${execs[$t]:-?}" "${result[$t]}"
done
if [[ $failed -ne 0 ]]; then
  echo "fuzzing found a failure: crash inputs are in fuzz/artifacts/<target>/" >&2
  exit 1
fi
