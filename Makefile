# The two commands a newcomer types: `make run` and `make test`. Both work on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# The stamp changes with the requirements, so editing them reinstalls on the next make.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: run test install services system-deps messages bench fuzz backup restore clean

## run: venv, install, migrate, demo data, serve on 127.0.0.1:8000 (worker and beat too with REDIS_URL)
run: install
	./scripts/run.sh

## test: install (Python packages, Chromium, CJK fonts), start PostgreSQL/Redis if down, run every check
test: install
	./scripts/test.sh $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

services:
	./scripts/ensure-services.sh

system-deps:
	./scripts/system-deps.sh

## messages: refresh the English catalogue after changing user-facing strings, then compile it
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=artifacts --ignore=staticfiles
	$(PY) manage.py compilemessages -l en --ignore=.venv

## fuzz: every form and filter of every role with all 38 hostile values per field (make test samples 4)
fuzz: install
	./scripts/ensure-services.sh
	FUZZ_HOSTILE=all $(PY) -m pytest tests/fuzz -m fuzz -q -s -p no:randomly $(PYTEST_ARGS)

bench: install
	./scripts/bench.sh $(BENCH_ARGS)

## backup: a compressed, timestamped pg_dump into backups/ (DATABASE_URL; docs/operations.md)
backup: install
	./scripts/backup.sh

## restore: FILE=backups/<name>.dump into a fresh database, then verify the audit chain
restore: install
	./scripts/restore.sh "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles artifacts db.sqlite3
