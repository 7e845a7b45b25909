#!/usr/bin/env bash
# What the browser journeys need: Debian's Chromium at /usr/bin/chromium (apt) and axe-core (npm registry) under
# tests/e2e/.cache/. Quiet and idempotent: does nothing when both are there; exits non-zero when either fails.
#   AXE_VERSION overrides the pinned axe-core release.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION="${AXE_VERSION:-4.14.1}"
CACHE=tests/e2e/.cache
AXE_FILE="$CACHE/axe-core-$AXE_VERSION/axe.min.js"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "browser.sh: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
  fi
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "browser.sh: installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  if ! { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "browser.sh: apt-get install chromium failed" >&2
    exit 1
  fi
  rm -f "$log"
  [ -x /usr/bin/chromium ] || { echo "browser.sh: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
fi

if [ ! -s "$AXE_FILE" ]; then
  command -v npm >/dev/null 2>&1 || { echo "browser.sh: npm is needed to fetch axe-core" >&2; exit 1; }
  echo "browser.sh: fetching axe-core $AXE_VERSION" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  tarball="$(cd "$work" && npm pack --silent --loglevel=error "axe-core@$AXE_VERSION" 2>/dev/null | tail -n 1)"
  tar -xzf "$work/$tarball" -C "$work" package/axe.min.js
  mkdir -p "$(dirname "$AXE_FILE")"
  mv "$work/package/axe.min.js" "$AXE_FILE"
fi
