#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, starting them if they are down, and that the
# application's database role exists. Safe to run any number of times.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
DB_ROLE=${DB_ROLE:-township}          # owns the tables: migrations, tests, backups
APP_DB_ROLE=${APP_DB_ROLE:-township_app}  # what the app runs as: owns nothing (docs/operations.md)

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql redis-server
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  $SUDO mkdir -p /var/lib/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p 6379 ping
fi

# A non-superuser role, as in production: the audit trigger must hold for it (tests prove that).
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'")" != "1" ]; then
  echo "creating database role $DB_ROLE"
  psql_admin -c "CREATE ROLE $DB_ROLE LOGIN CREATEDB PASSWORD '$DB_ROLE'"
fi
# The application's role owns nothing: it cannot TRUNCATE or DISABLE TRIGGER on the audit trail.
# Its privileges are granted after every migrate (accounts.db_roles).
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$APP_DB_ROLE'")" != "1" ]; then
  echo "creating database role $APP_DB_ROLE"
  psql_admin -c "CREATE ROLE $APP_DB_ROLE LOGIN NOCREATEDB NOCREATEROLE PASSWORD '$APP_DB_ROLE'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'township_register'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE township_register OWNER $DB_ROLE"
fi
