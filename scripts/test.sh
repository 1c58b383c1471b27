#!/usr/bin/env bash
# Runs every test of the workspace, on SQLite and on PostgreSQL.
#
# PostgreSQL is expected at 127.0.0.1:5432 with trust authentication and a database `test`
# (override with GROUPCART_TEST_POSTGRES_URL). If a local Debian cluster is installed but
# stopped, it is started first.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${GROUPCART_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export GROUPCART_TEST_POSTGRES_URL="$pg_url"

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$pg_url"
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}

if ! pg_ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting the local PostgreSQL cluster"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
fi
if ! pg_ready; then
  echo "PostgreSQL is not reachable at $pg_url; the tests need it." >&2
  exit 1
fi

# The API fuzz test (crates/groupcart/tests/api_fuzz.rs) drives schemathesis, a Python tool,
# installed once into a virtual environment under target/.
schemathesis_version="4.32.5"
tools="target/tools/schemathesis-$schemathesis_version"
if [ ! -x "$tools/bin/schemathesis" ]; then
  echo "installing schemathesis $schemathesis_version into $tools"
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
export SCHEMATHESIS_BIN="$PWD/$tools/bin/schemathesis"

exec cargo test --workspace "$@"
