#!/usr/bin/env bash
# System packages the tests need: a PostgreSQL server for tests/test_audit.py (the audit store
# must work on PostgreSQL as well as SQLite). Idempotent and quiet; safe to run on every CI run.
set -euo pipefail

have_postgres() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_postgres; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: PostgreSQL is missing; run as root (apt-get) to install it" >&2
    exit 0  # the PostgreSQL tests skip with a clear reason
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian starts a cluster on install; the tests run their own server on a free port instead.
if command -v pg_ctlcluster >/dev/null; then
    for v in /usr/lib/postgresql/*; do
        pg_ctlcluster "$(basename "$v")" main stop >/dev/null 2>&1 || true
    done
fi
have_postgres
