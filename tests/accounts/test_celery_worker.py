"""A real Celery worker process, a real Redis broker and result backend: no eager mode here.

The rest of the suite runs tasks in-process (CELERY_TASK_ALWAYS_EAGER in config/settings/test.py);
this test proves the wiring that eager mode skips: task discovery in the worker, JSON
serialisation, the broker round trip, the result backend, and what /healthz/ reports.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import EagerResult
from django.core.cache import cache

from accounts.health import HEARTBEAT_KEY
from accounts.tasks import heartbeat, ping
from config.celery import app

pytestmark = pytest.mark.worker
BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 15


@pytest.fixture
def worker_name():
    return f"tr-test-{os.getpid()}@{socket.gethostname()}"


@pytest.fixture
def celery_worker(worker_name, tmp_path):
    env = {
        **os.environ,  # keeps TEST_REDIS_URL / TEST_DATABASE_URL if the run overrides them
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = (tmp_path / "worker.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
         "--hostname", worker_name, "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not app.control.ping(destination=[worker_name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"worker did not answer ping (exit {process.poll()}):\n{log.read()[-3000:]}")
        yield worker_name
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_tasks_run_on_a_real_worker_and_healthz_sees_it(celery_worker, client, clerk_a, settings):
    # (a) A round trip through broker, worker and Redis result backend.
    result = ping.delay()
    assert not isinstance(result, EagerResult)  # it really went through Redis
    assert result.get(timeout=10) == "pong"
    assert result.status == "SUCCESS"

    # (b) The beat task, run by the worker, writes the heartbeat that /healthz/ reads.
    cache.delete(HEARTBEAT_KEY)
    assert not isinstance(heartbeat.delay(), EagerResult)
    deadline = time.monotonic() + 10
    while cache.get(HEARTBEAT_KEY) is None:
        assert time.monotonic() < deadline, "worker did not run the heartbeat task"
        time.sleep(0.1)

    settings.CELERY_TASK_ALWAYS_EAGER = False
    doc = client.get("/healthz/").json()

    assert doc["broker"] == {"status": "ok"}
    assert doc["worker"]["status"] == "ok"
    assert "workers" not in doc["worker"]  # anonymous: no host names
    assert 0 <= doc["beat"]["last_heartbeat_age_s"] < 10
    client.force_login(clerk_a)
    assert celery_worker in client.get("/healthz/").json()["worker"]["workers"]
