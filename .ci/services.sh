#!/usr/bin/env bash
# Start what the tests need on this machine and write the environment they read to the file given as $1.
# PostgreSQL (Debian's package) for the monitoring database's tests; Chromium for browser tests.
# Without root or apt-get, it only writes what it can; tests needing a missing service skip, or fail under
# TOCSIN_TEST_STRICT=1 (as .ci/run sets it).
set -uo pipefail
out="${1:-.ci/services.env}"
: > "$out"
here="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$here/postgres.sh" ] || [ -f "$here/postgres.sh" ]; then
  bash "$here/postgres.sh" | grep '^export ' >> "$out" || echo "postgres.sh failed; PostgreSQL tests will skip (fail under TOCSIN_TEST_STRICT=1)" >&2
fi
if [ -f "$here/chromium.sh" ]; then
  bash "$here/chromium.sh" | grep '^export ' >> "$out" || echo "chromium.sh failed; browser tests will skip (fail under TOCSIN_TEST_STRICT=1)" >&2
fi
cat "$out" >&2
