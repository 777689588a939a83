#!/usr/bin/env bash
# `make bench`: county-scale demo data in its own PostgreSQL database, then time the list pages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://township:township@127.0.0.1:5432/township_bench}
export DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false
if [ "$(psql -h 127.0.0.1 -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = 'township_bench'")" != "1" ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE township_bench OWNER township"
fi
$PY manage.py migrate --noinput -v0
time $PY manage.py seed_demo --scale county
$PY bench/bench_pages.py "$@"
$PY bench/bench_weekly.py
