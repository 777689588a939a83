#!/usr/bin/env bash
# `make test`: every check CI runs, in order. Extra arguments go to pytest (e.g. -k login).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

./scripts/system-deps.sh
./scripts/ensure-services.sh

echo "== ruff check (pyproject.toml: pyflakes, pycodestyle errors, bugbear)"
$PY -m ruff check .

echo "== lint-imports (pyproject.toml [tool.importlinter]: the layers, and apps only through <app>.api)"
.venv/bin/lint-imports --no-cache

echo "== bandit -ll (medium and high findings; accepted ones carry # nosec and a reason)"
$PY -m bandit -c pyproject.toml -ll -r . -q

echo "== compile translations"
DJANGO_SETTINGS_MODULE=config.settings.test $PY manage.py compilemessages --ignore=.venv -v0

echo "== manage.py check --deploy (production settings, throwaway values)"
DJANGO_SETTINGS_MODULE=config.settings.production \
DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
DJANGO_ALLOWED_HOSTS=register.example.org \
DATABASE_URL=postgres://township:township@127.0.0.1:5432/township_register \
  $PY manage.py check --deploy --fail-level WARNING

echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=config.settings.test $PY manage.py makemigrations --check --dry-run

echo "== pytest"
set +e
$PY -m pytest --create-db "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here, not a pass" >&2
fi
exit $rc
