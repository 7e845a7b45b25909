#!/usr/bin/env bash
# The test suite: lint, then pytest. Installs the system packages the suite needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

"$BIN/ruff" check .
"$BIN/ruff" format --check .
"$BIN/python" -m pytest "$@"
