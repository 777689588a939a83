#!/usr/bin/env bash
# Soak test of the deployed configuration: gunicorn (2 sync workers) as the app's own database role,
# CONN_MAX_AGE=60, Redis for cache, sessions, lockout and the Celery broker, a Celery worker and beat,
# a mixed load of every role's pages at a fixed rate for SOAK_MINUTES (10) with locust headless, and
# every visit save answered with a redirect counted against the rows in PostgreSQL afterwards.
# The verdict goes to bench/soak-result.md. Not part of `make test`.
# Usage: ./bench/soak.sh   (SOAK_MINUTES=2 for a quick run)
#
# Settings: config.settings.local with DEBUG off and REDIS_URL, i.e. production's code paths and
# services; production.py adds only HTTPS-only cookies and redirects, which plain HTTP on loopback
# cannot carry.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${SOAK_PORT:-8155}
DB=${SOAK_DB:-township_soak}
MINUTES=${SOAK_MINUTES:-10}
USERS=${SOAK_USERS:-14}   # 0.5 requests/s each: 7 requests/s in all
OWNER_URL=postgres://township:township@127.0.0.1:5432/$DB
APP_URL=postgres://township_app:township_app@127.0.0.1:5432/$DB
export REDIS_URL=${SOAK_REDIS_URL:-redis://127.0.0.1:6379/12}  # the soak's own Redis database
$PY -m pip install --quiet -r bench/requirements.txt
./scripts/ensure-services.sh
mkdir -p artifacts
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB OWNER township"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
export DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1 \
  CONN_MAX_AGE=60 CACHE_KEY_PREFIX=soak
DATABASE_URL=$OWNER_URL DATABASE_APP_ROLE=township_app $PY manage.py migrate --noinput -v0
DATABASE_URL=$OWNER_URL $PY manage.py seed_demo --scale small >/dev/null
q() { psql -h 127.0.0.1 -U township -d "$DB" -qtAc "$1"; }
couples=$(q "SELECT string_agg(c.id::text, ',') FROM (SELECT c.id FROM households_couple c JOIN accounts_user u
  ON u.township_id = c.township_id WHERE u.username = 'clerk1' AND c.in_register AND NOT c.is_void ORDER BY c.id
  LIMIT 20) c")
clerks=$(q "SELECT string_agg(username, ',') FROM accounts_user u
  WHERE role = 'clerk' AND township_id = (SELECT township_id FROM accounts_user WHERE username = 'clerk1')")
visits_before=$(q "SELECT count(*) FROM households_followupvisit")

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
DATABASE_URL=$APP_URL $PY -m gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 30 \
  --log-level warning >artifacts/soak-gunicorn.log 2>&1 &
gunicorn_pid=$!; pids+=($gunicorn_pid)
DATABASE_URL=$APP_URL .venv/bin/celery -A config worker --concurrency 2 --loglevel WARNING \
  >artifacts/soak-worker.log 2>&1 & pids+=($!)
DATABASE_URL=$APP_URL .venv/bin/celery -A config beat --loglevel WARNING \
  --schedule "artifacts/soak-beat-schedule" >artifacts/soak-beat.log 2>&1 & pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz/" | grep -q '"worker": {"status": "ok"' && break; sleep 0.3
done

set +e
SOAK_USERS=$USERS SOAK_GUNICORN_PID=$gunicorn_pid SOAK_COUPLES=$couples SOAK_CLERKS=$clerks \
  SOAK_DB=$DB SOAK_VISITS_BEFORE=$visits_before \
  .venv/bin/locust -f bench/soak.py --headless --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$USERS" \
  -t "${MINUTES}m" --only-summary --exit-code-on-error 0
rc=$?
exit $rc
