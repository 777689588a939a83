"""/healthz/ tells a dead worker from a dead beat, each within a minute (three missed heartbeats).

A real worker and a real beat process on the suite's Redis, with the heartbeat every second (so
"three missed heartbeats" is three seconds here, 45 s with the default 15 s): kill the worker and
only the worker turns dead while beat stays ok; kill beat and only beat turns late.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.health import HEARTBEAT_KEY, WORKER_KEY
from config.celery import app
from tests.celery_worker import run_worker

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(__file__).resolve().parents[2]
FAST = {"HEALTH_HEARTBEAT_SECONDS": "1"}


def health(client) -> dict:
    return client.get("/healthz/").json()


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout}s")


def test_healthz_reports_a_dead_worker_and_a_dead_beat_each_on_its_own(client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTH_HEARTBEAT_SECONDS = 1
    cache.delete_many([HEARTBEAT_KEY, WORKER_KEY])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false", **FAST}
    beat_log = (tmp_path / "beat.log").open("w")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
         "--schedule", str(tmp_path / "beat-schedule")],
        cwd=BASE_DIR, env=env, stdout=beat_log, stderr=subprocess.STDOUT)
    try:
        with run_worker(f"health-{os.getpid()}@localhost", database=connection.settings_dict["NAME"],
                        extra_env=FAST) as worker:
            settings.CELERY_TASK_ALWAYS_EAGER = False  # run_worker's ping turned eager mode off in the app
            doc = wait_until(lambda: (d := health(client))["worker"]["status"] == "ok"
                             and d["beat"]["status"] == "ok" and d, 30, "worker and beat ok")
            assert doc["beat"]["last_heartbeat_age_s"] < 3

            worker.kill()  # SIGKILL: no goodbye, the cache keeps its last note
            worker.wait(timeout=10)
            killed = time.monotonic()
            doc = wait_until(lambda: (d := health(client))["worker"]["status"] == "none" and d, 15,
                             "a dead worker reported")
            assert time.monotonic() - killed < 10
            assert doc["beat"]["status"] == "ok", doc  # beat still sends: it is not the one that died
        beat.kill()
        beat.wait(timeout=10)
        killed = time.monotonic()
        doc = wait_until(lambda: (d := health(client))["beat"]["status"] == "late" and d, 15, "a dead beat reported")
        assert time.monotonic() - killed < 10
        assert doc["beat"]["last_heartbeat_age_s"] >= 3
    finally:
        if beat.poll() is None:
            beat.kill()
            beat.wait(timeout=10)
        beat_log.close()
        app.control.purge()  # the heartbeats beat sent after the worker died
