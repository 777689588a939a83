"""A real Celery worker process for tests that need one (tests marked ``worker``; no eager mode).

``run_worker(name, database=...)`` starts ``celery -A config worker`` with the test settings, waits
until it answers a ping, turns eager mode off in the test process, and stops the worker after.
Pass ``database`` (the test database's name, ``connection.settings_dict["NAME"]``) when the worker
must read and write the rows the test committed (``transactional_db`` / ``live_server``): the
worker then connects to the test database instead of the one ``TEST_DATABASE_URL`` names.
Pass ``log`` (an open text file) to read the worker's output in the test; otherwise it goes to a
temporary file, printed when ``SHOW_WORKER_LOG`` is set.
"""
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlunsplit

from config.celery import app

BASE_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT = 20


def _database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    netloc = f"{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return urlunsplit(("postgres", netloc, f"/{name}", "", ""))


@contextlib.contextmanager
def run_worker(name: str, *, database: str | None = None, extra_env: dict | None = None, log=None,
               timeout: float = START_TIMEOUT):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false",
           **(extra_env or {})}
    if database:
        env["TEST_DATABASE_URL"] = _database_url(database)
    own_log = log is None
    if own_log:
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
         "--hostname", name, "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"worker did not answer ping (exit {process.poll()}):\n{log.read()[-3000:]}")
        yield process
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if own_log:
            log.seek(0)
            output = log.read()
            log.close()
            os.unlink(log.name)
            if os.environ.get("SHOW_WORKER_LOG"):
                print(output)
