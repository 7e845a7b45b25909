#!/usr/bin/env bash
# The test suite: lint, then pytest on SQLite (everything), then the database-touching tests again on PostgreSQL.
# CI=true: scripts/postgres.sh installs PostgreSQL (apt) and starts it on 127.0.0.1, and any failure there fails
# the run. Locally the PostgreSQL run happens when PostgreSQL is installed and is skipped, with a note, when it is not.
#   TEST_ENGINES="sqlite postgres" (default) | sqlite | postgres     which runs to make
#   extra arguments go to both pytest runs, e.g. `bash scripts/test.sh -x -k filing`
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# The tests that touch the database, run a second time on PostgreSQL (docs/DEPLOYMENT.md lists them too).
POSTGRES_TESTS=(tests/services tests/web tests/jobs tests/cli tests/reliability tests/test_migrations.py tests/test_seed.py)
ENGINES=" ${TEST_ENGINES:-sqlite postgres} "

in_ci() {
  case "${CI:-}" in "" | 0 | false | no) return 1 ;; *) return 0 ;; esac
}
postgres_installed() {
  command -v pg_createcluster >/dev/null 2>&1 && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

"$BIN/ruff" check . || exit 1
"$BIN/ruff" format --check . || exit 1

# Chromium (Debian) and axe-core (npm) for the browser journeys in tests/e2e; CI must have them.
if ! bash scripts/browser.sh; then
  if in_ci; then
    echo "test.sh: CI is set and Chromium or axe-core could not be installed (see above); failing." >&2
    exit 1
  fi
  echo "test.sh: Chromium or axe-core is missing; the browser journeys will skip." >&2
fi

postgres_url=""
if [[ "$ENGINES" == *" postgres "* ]]; then
  if in_ci || postgres_installed; then
    if ! postgres_url="$(bash scripts/postgres.sh)"; then
      if in_ci; then
        echo "test.sh: CI is set and PostgreSQL could not be installed or started (see above); failing." >&2
        exit 1
      fi
      echo "test.sh: PostgreSQL could not be started here; the PostgreSQL run is skipped." >&2
      postgres_url=""
    fi
    # The URL is the last line; anything else a PostgreSQL tool let slip to standard output is shown, not used.
    postgres_url="$(printf '%s\n' "$postgres_url" | tail -n 1)"
    if [ -n "$postgres_url" ] && [[ "$postgres_url" != postgresql+psycopg://* ]]; then
      echo "test.sh: scripts/postgres.sh printed no database URL (got: $postgres_url)." >&2
      in_ci && exit 1
      postgres_url=""
    fi
  else
    echo "test.sh: PostgreSQL is not installed; the PostgreSQL run is skipped (CI=true installs it)." >&2
  fi
fi

status=0
if [[ "$ENGINES" == *" sqlite "* ]]; then
  echo "== SQLite: the whole suite"
  started=$SECONDS
  # TEST_POSTGRES_URL lets the tests that always need PostgreSQL (the `postgres_url` fixture) run here too.
  TEST_POSTGRES_URL="$postgres_url" "$BIN/python" -m pytest "$@" || status=1
  echo "== SQLite run: $((SECONDS - started)) s"
fi

if [ -n "$postgres_url" ]; then
  paths=()
  for path in "${POSTGRES_TESTS[@]}"; do
    [ -e "$path" ] && paths+=("$path")
  done
  echo "== PostgreSQL: ${paths[*]}"
  started=$SECONDS
  TEST_DATABASE_URL="$postgres_url" "$BIN/python" -m pytest "${paths[@]}" "$@" || status=1
  echo "== PostgreSQL run: $((SECONDS - started)) s"
fi

exit "$status"
