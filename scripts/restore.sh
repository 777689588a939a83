#!/usr/bin/env bash
# `make restore FILE=backups/….dump`: restore a backup into a fresh database, then prove it.
#   FILE               the .dump written by `make backup`
#   RESTORE_DB         the new database's name (default: <original>_restore_<UTC time>); must not exist
#   RESTORE_ADMIN_URL  a role that may CREATE DATABASE (default: the owner role on the local server)
# Refuses to write into an existing database. Afterwards it migrates (a no-op unless the code is
# newer), grants the app role its privileges, verifies the audit chain and prints row counts.
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${FILE:-${1:-}}
[ -n "$FILE" ] && [ -f "$FILE" ] || { echo "usage: make restore FILE=backups/<name>.dump" >&2; exit 2; }
if [ -f "$FILE.sha256" ]; then sha256sum --check --quiet "$FILE.sha256"; fi
ADMIN_URL=${RESTORE_ADMIN_URL:-postgres://township:township@127.0.0.1:5432/postgres}
original=$(basename "$FILE" | sed -E 's/-[0-9]{8}T[0-9]{6}Z\.dump$//')
DB=${RESTORE_DB:-${original}_restore_$(date -u +%Y%m%d%H%M%S)}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "restore: bad database name $DB" >&2; exit 2; }
URL=$(.venv/bin/python -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(u.urlunparse(p._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$DB")
if [ "$(psql "$ADMIN_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = "1" ]; then
  echo "restore: database $DB exists; restoring only ever goes into a fresh one" >&2; exit 1
fi
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
# One transaction: a restore that fails half-way leaves an empty database, not a partial one.
pg_restore --dbname="$URL" --no-owner --single-transaction --exit-on-error "$FILE"
# Local settings are enough to migrate and verify (no secrets needed); RESTORE_SETTINGS to change.
export DATABASE_URL=$URL DJANGO_SETTINGS_MODULE=${RESTORE_SETTINGS:-config.settings.local} DJANGO_DEBUG=false REDIS_URL=
export DATABASE_APP_ROLE=${DATABASE_APP_ROLE:-township_app}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py verify_audit_chain
psql "$URL" -qtAc "SELECT 'households ' || (SELECT count(*) FROM households_household) || ', people ' ||
  (SELECT count(*) FROM households_person) || ', couples ' || (SELECT count(*) FROM households_couple) ||
  ', visits ' || (SELECT count(*) FROM households_followupvisit) || ', audit rows ' ||
  (SELECT count(*) FROM accounts_auditevent)"
echo "restored into $DB ($URL)"
