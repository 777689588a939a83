"""Start a real Celery worker process for a test (tests marked ``worker``); no eager mode."""
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.celery import app

BASE_DIR = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def running_worker(name: str, log, *, env: dict | None = None, timeout: float = 20):
    """A solo-pool worker called ``name`` logging to ``log`` (an open file), answering ping before
    this yields; the test process stops running tasks eagerly meanwhile. ``env`` is added to
    this process's environment (keeps TEST_REDIS_URL / TEST_DATABASE_URL)."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false",
                   **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
         "--hostname", name, "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"worker did not answer ping (exit {process.poll()}):\n{log.read()[-3000:]}")
        yield process
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
