#!/usr/bin/env bash
# Soak test (issue #8): gunicorn on a database of its own, a mixed clerk/leader load at a fixed rate
# for SOAK_MINUTES (10) with locust headless; the verdict goes to bench/soak-result.md.
# Not part of `make test`. Usage: ./bench/soak.sh   (SOAK_MINUTES=2 for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${SOAK_PORT:-8155}
DB=${SOAK_DB:-township_soak}
MINUTES=${SOAK_MINUTES:-10}
USERS=${SOAK_USERS:-12}   # 0.5 requests/s each: 6 requests/s in all
OWNER_URL=postgres://township:township@127.0.0.1:5432/$DB
APP_URL=postgres://township_app:township_app@127.0.0.1:5432/$DB
$PY -m pip install --quiet -r bench/requirements.txt
./scripts/ensure-services.sh
if [ "$(psql -h 127.0.0.1 -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB OWNER township"
fi
export DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1 REDIS_URL=
DATABASE_URL=$OWNER_URL DATABASE_APP_ROLE=township_app $PY manage.py migrate --noinput -v0
DATABASE_URL=$OWNER_URL $PY manage.py seed_demo --scale small >/dev/null
couples=$(psql -h 127.0.0.1 -U township -d "$DB" -qtAc "SELECT string_agg(c.id::text, ',') FROM (SELECT c.id FROM
  households_couple c JOIN accounts_user u ON u.township_id = c.township_id WHERE u.username = 'clerk1'
  AND c.in_register AND NOT c.is_void ORDER BY c.id LIMIT 20) c")
clerks=$(psql -h 127.0.0.1 -U township -d "$DB" -qtAc "SELECT string_agg(username, ',') FROM accounts_user u
  WHERE role = 'clerk' AND township_id = (SELECT township_id FROM accounts_user WHERE username = 'clerk1')")

DATABASE_URL=$APP_URL $PY -m gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 30 \
  --log-level warning >artifacts/soak-gunicorn.log 2>&1 &
gunicorn_pid=$!
trap 'kill $gunicorn_pid 2>/dev/null; wait $gunicorn_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz/" && break; sleep 0.3; done

SOAK_USERS=$USERS SOAK_GUNICORN_PID=$gunicorn_pid SOAK_COUPLES=$couples SOAK_CLERKS=$clerks \
  .venv/bin/locust -f bench/soak.py --headless --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$USERS" \
  -t "${MINUTES}m" --only-summary --exit-code-on-error 0
