#!/usr/bin/env bash
# `make bench`: the full county in its own PostgreSQL database (loaded once, reloaded when the
# generator or the migrations change), a check of every rule over it, then every page timed against
# its SQL floor and gunicorn's throughput, into bench/results.md. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB_NAME=${BENCH_DB_NAME:-township_bench}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://township:township@127.0.0.1:5432/$DB_NAME}
# The bench's own Redis database (cache and sessions, as in production); not the suite's 15.
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/3}
export DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false CONN_MAX_AGE=600
export CACHE_KEY_PREFIX=bench

./scripts/ensure-services.sh  # PostgreSQL, Redis and the `township` role, as for `make test`
if ! command -v ab >/dev/null 2>&1; then  # the load generator for the throughput figures
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq apache2-utils >/dev/null
fi

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
wanted=$($PY -c 'import django; django.setup(); from bench.fullscale import fingerprint; print(fingerprint())')
loaded=$(psql_admin -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB_NAME'")
if [ "$loaded" != "full-county $wanted" ]; then
  echo "== loading the full county into $DB_NAME (generator fingerprint $wanted, was '${loaded:-none}')"
  psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME"
  psql_admin -c "CREATE DATABASE $DB_NAME OWNER township"
  $PY manage.py migrate --noinput -v0
  $PY manage.py seed_demo --scale full
  echo "== checking the county's rules"
  $PY bench/check_data.py
  psql_admin -c "COMMENT ON DATABASE $DB_NAME IS 'full-county $wanted'"
else
  echo "== reusing the full county in $DB_NAME (fingerprint $wanted)"
fi
$PY bench/run.py "$@"
$PY bench/bench_weekly.py
