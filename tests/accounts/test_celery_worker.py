"""A real Celery worker process, a real Redis broker and result backend: no eager mode here.

The rest of the suite runs tasks in-process (CELERY_TASK_ALWAYS_EAGER in config/settings/test.py);
this test proves the wiring that eager mode skips: task discovery in the worker, JSON
serialisation, the broker round trip, the result backend, and what /healthz/ reports.
"""
import os
import socket
import time

import pytest
from celery.result import EagerResult
from django.core.cache import cache

from accounts.health import HEARTBEAT_KEY, WORKER_KEY
from accounts.tasks import heartbeat, ping

from ..celery_worker import run_worker

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_name():
    return f"tr-test-{os.getpid()}@{socket.gethostname()}"


@pytest.fixture
def celery_worker(worker_name):
    with run_worker(worker_name):  # tests/celery_worker.py: started, pinged, eager mode off, stopped
        yield worker_name


def test_tasks_run_on_a_real_worker_and_healthz_sees_it(celery_worker, client, clerk_a, settings):
    # (a) A round trip through broker, worker and Redis result backend.
    result = ping.delay()
    assert not isinstance(result, EagerResult)  # it really went through Redis
    assert result.get(timeout=10) == "pong"
    assert result.status == "SUCCESS"

    # (b) Sending the beat task notes beat's heartbeat; the worker notes itself (on its own timer and
    # when it runs the task), both read by /healthz/.
    cache.delete_many([HEARTBEAT_KEY, WORKER_KEY])
    assert not isinstance(heartbeat.delay(), EagerResult)
    assert cache.get(HEARTBEAT_KEY) is not None  # noted by the sender, before any worker ran it
    deadline = time.monotonic() + 10
    while celery_worker not in (cache.get(WORKER_KEY) or {}):
        assert time.monotonic() < deadline, "worker did not note itself"
        time.sleep(0.1)

    settings.CELERY_TASK_ALWAYS_EAGER = False
    doc = client.get("/healthz/").json()

    assert doc["broker"] == {"status": "ok"}
    assert doc["worker"]["status"] == "ok"
    assert "workers" not in doc["worker"]  # anonymous: no host names
    assert 0 <= doc["beat"]["last_heartbeat_age_s"] < 10
    client.force_login(clerk_a)
    assert celery_worker in client.get("/healthz/").json()["worker"]["workers"]
