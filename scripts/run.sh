#!/usr/bin/env bash
# `make run`: migrate, load demo data, serve on 127.0.0.1:8000.
# Without DATABASE_URL: SQLite (db.sqlite3) and tasks in-process. With DATABASE_URL and REDIS_URL:
# PostgreSQL and Redis, plus a Celery worker and beat, stopped again on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
[ -f .env ] && set -a && . ./.env && set +a

$PY manage.py compilemessages --ignore=.venv -v0 2>/dev/null || true  # .mo files are committed too
# With DATABASE_OWNER_URL, migrations run as the owner role and the app (server, worker, beat) as
# DATABASE_URL's role, which then owns nothing and cannot erase the audit trail (docs/operations.md).
if [ -n "${DATABASE_OWNER_URL:-}" ]; then
  app_role=$($PY -c 'import os, urllib.parse; print(urllib.parse.urlparse(os.environ["DATABASE_URL"]).username or "")')
  DATABASE_URL=$DATABASE_OWNER_URL DATABASE_APP_ROLE=${DATABASE_APP_ROLE:-$app_role} $PY manage.py migrate --noinput
else
  $PY manage.py migrate --noinput
fi
$PY manage.py seed_demo --scale small

pids=()
stop() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  echo "starting Celery worker and beat (broker $REDIS_URL)"
  .venv/bin/celery -A config worker --loglevel INFO --concurrency 2 & pids+=($!)
  .venv/bin/celery -A config beat --loglevel INFO --schedule "${TMPDIR:-/tmp}/township-register-beat" & pids+=($!)
else
  echo "no REDIS_URL: tasks run in-process"
fi
echo "demo logins are listed in README.md (password Demo@2026)"
$PY manage.py runserver "127.0.0.1:${PORT:-8000}"
