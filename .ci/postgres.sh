#!/usr/bin/env bash
# Install (Debian apt) and start a PostgreSQL 15 cluster on localhost for the @pytest.mark.postgres tests.
# Prints the `export TOCSIN_TEST_POSTGRES_URL=...` line on stdout; everything else goes to stderr.
# Usage: eval "$(bash .ci/postgres.sh)"
set -euo pipefail

PGVER="${PGVER:-15}"
PGPORT="${PGPORT:-5432}"
DB="${TOCSIN_PG_DB:-tocsin_test}"
PGUSER_NAME="${TOCSIN_PG_USER:-tocsin}"
PGPASS="${TOCSIN_PG_PASSWORD:-tocsin-test}"

log() { echo "postgres.sh: $*" >&2; }

if [ ! -x "/usr/lib/postgresql/${PGVER}/bin/pg_ctl" ]; then
  log "installing postgresql-${PGVER}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "postgresql-${PGVER}" >&2
fi

# Debian's installer creates cluster "main"; create it if a minimal image skipped that.
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^${PGVER} main$"; then
  log "creating cluster ${PGVER}/main"
  pg_createcluster "${PGVER}" main --port "${PGPORT}" >&2
fi
if ! pg_lsclusters -h | awk -v v="${PGVER}" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting cluster ${PGVER}/main"
  pg_ctlcluster "${PGVER}" main start >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="${PGVER}" '$1==v && $2=="main" {print $3}')"

# Wait for the server to accept connections (a cold start can take a few seconds).
for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q -h localhost -p ${PORT}"; then break; fi
  sleep 1
done

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -q -p ${PORT} -d postgres -tAc \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='${PGUSER_NAME}'")" != "1" ]; then
  psql_admin "CREATE ROLE ${PGUSER_NAME} LOGIN PASSWORD '${PGPASS}'" >&2
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='${DB}'")" != "1" ]; then
  psql_admin "CREATE DATABASE ${DB} OWNER ${PGUSER_NAME}" >&2
fi

echo "export TOCSIN_TEST_POSTGRES_URL=postgresql+psycopg://${PGUSER_NAME}:${PGPASS}@localhost:${PORT}/${DB}"
# The prevention tracker's test restarts the server to show its figures survive (same cluster, same data).
echo "export TOCSIN_TEST_POSTGRES_RESTART='pg_ctlcluster ${PGVER} main restart'"
