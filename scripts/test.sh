#!/usr/bin/env bash
# Build crawl and run the whole test suite: formatting check, then the
# suite under AddressSanitizer+UndefinedBehaviorSanitizer, then the suite on
# the normal build (warnings are errors in both). ctest's summary of the
# normal build is the last line printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "== clang-format check"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

echo "== ASan+UBSan build and suite"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCRAWL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" >build-asan/ctest.log 2>&1 ||
  { cat build-asan/ctest.log; echo "ASan suite failed"; exit 1; }
tail -n 3 build-asan/ctest.log

if [ -x scripts/fuzz.sh ]; then
  echo "== fuzz targets, a short bounded run each"
  scripts/fuzz.sh
fi

echo "== release build and suite"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build --output-on-failure -j"$jobs"
