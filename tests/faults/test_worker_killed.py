"""A Celery worker killed with SIGKILL in the middle of a task leaves exactly one result after restart.

acks_late keeps the message until the task finished; reject_on_worker_lost puts it back when the
pool's child dies; Redis redelivers a dead worker's unacknowledged message after the visibility
timeout; the task is idempotent, so running it again writes nothing twice. Real worker processes,
a private Redis broker, the suite's PostgreSQL database.
"""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import AuditEvent
from tests.support.tasks import RESULT_TYPE, write_result_once

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3


def database_url() -> str:
    params = connection.settings_dict
    return (f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST'] or '127.0.0.1'}:"
            f"{params['PORT'] or 5432}/{params['NAME']}")


class Worker:
    def __init__(self, broker_url: str, log: Path, pool: str, extra_env: dict | None = None):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false",
               "TEST_DATABASE_URL": database_url(), "TEST_REDIS_URL": broker_url,
               "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "CELERY_UNACKED_RESTORE_SECONDS": "1",
               **(extra_env or {})}
        self.log = log.open("a")
        # A new session: the worker and its pool children form one process group to kill at once.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--include", "tests.support.tasks",
             "--pool", pool, "--concurrency", "1", "--hostname", f"fault-{uuid.uuid4().hex[:6]}@localhost",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill_all(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def wait_for(path: Path, prefix: str, count: int = 1, timeout: float = 40.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(path.glob(f"{prefix}-*"))
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {count} '{prefix}' markers within {timeout}s")


def results(key: str) -> int:
    return AuditEvent.objects.filter(object_type=RESULT_TYPE, object_id=key).count()


@pytest.mark.parametrize("moment", ["before the result is written", "after the result is written"])
def test_whole_worker_killed_mid_task_is_redelivered_and_leaves_one_result(broker, tmp_path, moment):
    key = uuid.uuid4().hex
    before, after = (5, 0) if moment.startswith("before") else (0, 5)
    first = Worker(broker.url, tmp_path / "worker.log", pool="solo")
    try:
        write_result_once.delay(key, str(tmp_path), before, after)
        wait_for(tmp_path, "written" if after else "started")
        first.kill_all()  # SIGKILL to every process of the worker, mid-task
        assert results(key) == (1 if after else 0)
    finally:
        first.stop()

    second = Worker(broker.url, tmp_path / "worker.log", pool="solo")  # "after restart"
    try:
        wait_for(tmp_path, "written", count=2 if after else 1, timeout=VISIBILITY_TIMEOUT + 40)
        time.sleep(0.5)
    finally:
        second.stop()
    assert results(key) == 1, (tmp_path / "worker.log").read_text()[-3000:]


def test_pool_child_killed_mid_task_is_requeued_and_leaves_one_result(broker, tmp_path):
    key = uuid.uuid4().hex
    worker = Worker(broker.url, tmp_path / "worker.log", pool="prefork")
    try:
        write_result_once.delay(key, str(tmp_path), 0, 5)
        child = int(wait_for(tmp_path, "written")[0].name.split("-")[1])
        os.kill(child, signal.SIGKILL)  # the pool's child dies; the main process sees WorkerLostError
        wait_for(tmp_path, "written", count=2, timeout=40)  # requeued at once and run again
        time.sleep(0.5)
    finally:
        worker.stop()
    assert results(key) == 1, (tmp_path / "worker.log").read_text()[-3000:]
