#!/usr/bin/env bash
# `make restore FILE=backups/….dump`: restore a backup into a fresh database, then prove it.
#   FILE               the .dump written by `make backup`
#   RESTORE_DB         the new database's name (default: <original>_restore_<UTC time>); must not exist
#   RESTORE_ADMIN_URL  a role that may CREATE DATABASE (default: the owner role on the local server)
#   RESTORE_WITHOUT_CHECKSUM=yes  restore a dump that has no FILE.sha256 beside it (a dump copied
#                      off-site alone): refused otherwise, since nothing would prove it is whole
# Refuses to write into an existing database. Afterwards it migrates (a no-op unless the code is
# newer), grants the app role its privileges, verifies the audit chain and prints row counts.
# Any failure after the database was created drops it again: nothing named like a restore is left.
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${FILE:-${1:-}}
[ -n "$FILE" ] && [ -f "$FILE" ] || { echo "usage: make restore FILE=backups/<name>.dump" >&2; exit 2; }
if [ -f "$FILE.sha256" ]; then
  sha256sum --check --quiet "$FILE.sha256" || { echo "restore: $FILE does not match $FILE.sha256" >&2; exit 1; }
elif [ "${RESTORE_WITHOUT_CHECKSUM:-}" = "yes" ]; then
  echo "restore: no $FILE.sha256; restoring unchecked because RESTORE_WITHOUT_CHECKSUM=yes" >&2
else
  echo "restore: no checksum file $FILE.sha256 beside the dump; copy it too, or set RESTORE_WITHOUT_CHECKSUM=yes" >&2
  exit 1
fi
ADMIN_URL=${RESTORE_ADMIN_URL:-postgres://township:township@127.0.0.1:5432/postgres}
original=$(basename "$FILE" | sed -E 's/-[0-9]{8}T[0-9]{6}Z\.dump$//')
DB=${RESTORE_DB:-${original}_restore_$(date -u +%Y%m%d%H%M%S)}
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "restore: bad database name $DB" >&2; exit 2; }
URL=$(.venv/bin/python -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(u.urlunparse(p._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$DB")
if [ "$(psql "$ADMIN_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = "1" ]; then
  echo "restore: database $DB exists; restoring only ever goes into a fresh one" >&2; exit 1
fi
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
# From here on a failure (a bad dump, a failed migrate, a broken audit chain) drops the new database:
# an empty or half-checked database named like a restore would be mistaken for a good one.
drop_on_failure() {
  rc=$?
  [ $rc -eq 0 ] && return
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  echo "restore: failed (exit $rc); dropped $DB" >&2
}
trap drop_on_failure EXIT
# One transaction: a restore that fails half-way writes nothing (and the trap drops the database).
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
