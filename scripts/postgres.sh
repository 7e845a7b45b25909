#!/usr/bin/env bash
# A PostgreSQL server for the tests: installs it with apt when missing, runs a cluster of its own on 127.0.0.1,
# creates a role and a database, and prints their DATABASE_URL (postgresql+psycopg://...) on standard output.
# Idempotent and quick once the cluster runs. Needs root (or the postgres user) to install and to create the cluster.
#
#   TEST_PG_PORT      port of a new cluster (default 55432; the next free port when that one is taken)
#   TEST_PG_CLUSTER   cluster name (default objections_test)
#   postgres.sh stop  stops the cluster (the data stays; the next run starts it again)
set -euo pipefail
# Only the URL goes to standard output: everything the PostgreSQL tools print is sent to standard error.

CLUSTER="${TEST_PG_CLUSTER:-objections_test}"
PORT="${TEST_PG_PORT:-55432}"
ROLE=objections
PASSWORD=objections
DATABASE=objections

say() { echo "postgres.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}

server_version() {
  # The newest installed server (the directory holds bin/postgres for each version).
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V); do
    basename "$(dirname "$(dirname "$dir")")"
  done | tail -n 1
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd /tmp && runuser -u postgres -- "$@")
  elif [ "$(id -un)" = postgres ]; then
    (cd /tmp && "$@")
  else
    die "run as root or as the postgres user to manage the test cluster"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

VERSION="$(server_version)"
if [ -z "$VERSION" ] || ! command -v pg_createcluster >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
  say "installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq postgresql >/dev/null || die "apt-get install postgresql failed"
  VERSION="$(server_version)"
  [ -n "$VERSION" ] || die "PostgreSQL was installed but no server binary was found under /usr/lib/postgresql"
fi

if [ "${1:-}" = stop ]; then
  if pg_lsclusters -h 2>/dev/null | awk -v c="$CLUSTER" '$2 == c' | grep -q online; then
    pg_ctlcluster "$VERSION" "$CLUSTER" stop >&2
  fi
  exit 0
fi

existing="$(pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $3}')"
if [ -z "$existing" ]; then
  while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
  say "creating cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
  pg_createcluster --port "$PORT" --start-conf manual "$VERSION" "$CLUSTER" \
    -- --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2 ||
    die "pg_createcluster failed"
else
  PORT="$existing"
fi

# Local test settings, rewritten on every run (a change restarts the server): loopback only, no TLS, no fsync (a
# crash of the machine may lose the test data; a killed process loses nothing), no autovacuum (test databases live
# for one test), and connections enough for several gunicorn workers and the tests.
settings="/etc/postgresql/$VERSION/$CLUSTER/conf.d/objections-test.conf"
wanted="listen_addresses = '127.0.0.1'
ssl = off
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_connections = 300
shared_buffers = 128MB"
changed=0
if [ "$(cat "$settings" 2>/dev/null)" != "$wanted" ]; then
  printf '%s\n' "$wanted" >"$settings"
  changed=1
fi

if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c' | grep -q online; then
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 ||
    die "could not start cluster $VERSION/$CLUSTER; see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log"
elif [ "$changed" = 1 ]; then
  say "settings changed: restarting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2 || die "could not restart cluster $VERSION/$CLUSTER"
fi
for _ in $(seq 1 100); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || die "the server on 127.0.0.1:$PORT does not answer"

as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$PORT" -d postgres >/dev/null <<SQL ||
SELECT 'CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD ''$PASSWORD'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DATABASE') \gexec
SELECT 'GRANT pg_signal_backend TO $ROLE'
WHERE NOT pg_has_role('$ROLE', 'pg_signal_backend', 'MEMBER') \gexec
SQL
  die "could not create the role or the database"

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
