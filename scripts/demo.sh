#!/usr/bin/env bash
# Build crawl and crawl the bundled blog sample site offline, depth 2.
# Usage: scripts/demo.sh [extra crawl options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/cli/crawl --depth 2 "$@" sample_sites/blog/
