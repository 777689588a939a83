#!/usr/bin/env bash
# `make backup`: a compressed, timestamped pg_dump (custom format) of the register's database.
#   DATABASE_URL   what to dump (default: the local township_register, as the owner role)
#   BACKUP_DIR     where to write it (default: backups/, git-ignored)
# Prints the file's path. Copy it off the server (docs/operations.md, "Backups").
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
URL=${BACKUP_DATABASE_URL:-${DATABASE_OWNER_URL:-${DATABASE_URL:-postgres://township:township@127.0.0.1:5432/township_register}}}
case "$URL" in postgres://*|postgresql://*) ;; *) echo "backup: DATABASE_URL is not PostgreSQL ($URL)" >&2; exit 2;; esac
DIR=${BACKUP_DIR:-backups}
mkdir -p "$DIR"
name=$(.venv/bin/python -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).path.lstrip("/"))' "$URL")
file="$DIR/$name-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Custom format: compressed (-Z 6), restorable table by table, triggers created after the data so
# the audit trail's rows keep their own chain hashes. Written under a temporary name first: a
# half-written dump never looks like a backup.
pg_dump --format=custom --compress=6 --no-password --file="$file.partial" "$URL"
mv "$file.partial" "$file"
sha256sum "$file" >"$file.sha256"
echo "$file"
