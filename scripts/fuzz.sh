#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang in build-fuzz
# and run each for a short bounded time on a COPY of its committed corpus
# (the committed corpus never grows here). Exits nonzero if any target
# crashes, leaks, times out or breaks an invariant, and says where the
# reproducer is.
#
#   scripts/fuzz.sh [TARGET...]        default: every tests/fuzz/fuzz_*.c
#   FUZZ_SECONDS=N                     seconds per target [20]
#   FUZZ_JOBS=N                        parallel fuzzer processes per target [1]
#   FUZZ_BUILD=DIR                     build directory [build-fuzz]
#
# Needs the Debian packages clang and libclang-rt-14-dev (installed here,
# through sudo when not root, if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD:-build-fuzz}

missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in tests/fuzz/fuzz_*.c; do
    n=${f##*/fuzz_}
    targets+=("${n%.c}")
  done
fi

echo "== fuzz: building ${targets[*]} in $build"
# Warnings are errors here too: clang checks what gcc does not.
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRAWL_FUZZ=ON >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$build" -j"$(nproc)" "${build_targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { cat "$build/fuzz-build.log"; echo "fuzz: build failed"; exit 1; }
grep -A3 "warning:" "$build/fuzz-build.log" || true

build_abs=$(cd "$build" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  bin="$build_abs/tests/fuzz/fuzz_$t"
  work="$build_abs/fuzz-run/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -R "tests/fuzz/corpus/$t/." "$work/corpus/" 2>/dev/null || true
  log="$work/fuzz.log"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="$(pwd)/tests/fuzz/$t.dict")
  echo "== fuzz: $t for ${seconds}s (corpus copy: $work/corpus)"
  rc=0
  # -jobs runs the workers in the background writing fuzz-N.log files
  (cd "$work" && timeout -k 10 $((seconds + 120)) "$bin" \
     -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$work/artifacts/" "${dict[@]}" \
     $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") \
     corpus >"$log" 2>&1) || rc=$?
  [ "$jobs" -gt 1 ] && cat "$work"/fuzz-*.log >>"$log" 2>/dev/null
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^#[0-9]+.*DONE" "$log" |
    tail -n 3 | sed 's/^/   /' || true
  repro=$(ls "$work/artifacts" 2>/dev/null | head -n 5)
  if [ "$rc" -ne 0 ] || [ -n "$repro" ]; then
    failed+=("$t")
    echo "FUZZ FAILURE in $t (exit $rc); log: $log"
    pat="ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|fuzz invariant"
    grep -E "$pat|^    #[0-9]+ " "$log" | head -n 30 | sed 's/^/   /' || true
    for r in $repro; do
      echo "   reproducer: $work/artifacts/$r"
      echo "   replay it:  $bin $work/artifacts/$r"
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
