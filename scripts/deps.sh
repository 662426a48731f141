#!/usr/bin/env bash
# Install the Debian 12 packages crawl needs to build and test, if missing.
# Uses sudo when not run as root. Sourced by demo.sh and test.sh.
set -euo pipefail
CRAWL_PACKAGES=(build-essential cmake pkg-config libcurl4-openssl-dev libxml2-dev
                libidn2-dev uthash-dev zlib1g-dev libsqlite3-dev python3 clang-format valgrind
                graphviz sqlite3 python3-networkx libxml2-utils clang libclang-rt-14-dev strace openssl
                libhiredis-dev redis-server nginx)
missing=()
# The WARC test reads archives back with warcio.js: Node >= 18 and npm.
# Another Node install (e.g. NodeSource, which bundles npm) is fine as is.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
for p in "${CRAWL_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
