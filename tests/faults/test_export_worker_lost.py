"""An export whose worker dies, or whose message is lost, still ends with exactly one file, with no
user action: the lease lapses, reconcile (beat, every minute) sends it again, another worker writes it.

Real worker processes (killed with SIGKILL, their whole process group), a private Redis as broker
that is flushed to lose the message as a restart with nothing on disk would, the suite's PostgreSQL.
"""
import datetime
import time

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_log
from core import exports
from core.models import ExportJob
from tests.support.tasks import RESULT_TYPE, SLOW_EXPORT

from .test_worker_killed import Worker

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
LEASE = 2


@pytest.fixture
def slow_job(clerk_a, settings):
    settings.EXPORTS_LEASE_SECONDS = LEASE
    settings.EXPORTS_REQUEUE_SECONDS = LEASE
    for n in range(20):  # 20 rows × 0.2 s: four seconds of writing to kill the worker in
        audit_log(action=AuditEvent.Action.CREATE, username="worker", object_type=RESULT_TYPE, object_id=f"row{n}")
    return clerk_a


def wait_status(job, statuses, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job #{job.pk} still {job.status} after {timeout}s")


def reconcile_until_done(job, worker_log, timeout=60):
    """What beat does every minute, here every second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exports.exports_reconcile()
        job.refresh_from_db()
        if job.status not in ("queued", "running"):
            return job
        time.sleep(1)
    raise AssertionError(f"job #{job.pk} still {job.status}:\n{worker_log.read_text()[-3000:]}")


def export_rows(job) -> int:
    return AuditEvent.objects.filter(action="export", detail__contains=f"(job #{job.pk})").count()


@pytest.mark.parametrize("message", ["redelivered", "lost with the broker's data"])
def test_a_job_whose_worker_is_killed_mid_file_is_taken_over_and_finishes_once(broker, slow_job, tmp_path, message):
    env = {"EXPORTS_LEASE_SECONDS": str(LEASE), "EXPORTS_REQUEUE_SECONDS": str(LEASE)}
    log = tmp_path / "worker.log"
    job = ExportJob.objects.create(owner=slow_job, kind=SLOW_EXPORT.kind, alive_at=timezone.now())
    first = Worker(broker.url, log, pool="prefork", extra_env=env)
    try:
        exports._enqueue(job)
        wait_status(job, {"running"}, 30)
        time.sleep(1)  # well inside the file
        first.kill_all()
    finally:
        first.stop()
    job.refresh_from_db()
    assert job.status == "running" and not job.file  # what the user saw before: 正在生成, for a day
    if message != "redelivered":
        broker.stop()  # a restart of a Redis that keeps nothing: the message is gone
        broker.start()
    second = Worker(broker.url, log, pool="prefork", extra_env=env)
    try:
        job = reconcile_until_done(job, log)
    finally:
        second.stop()
    assert job.status == "done" and job.row_count == 20, log.read_text()[-3000:]
    assert export_rows(job) == 1
    # The first worker's message, if it comes back later, finds the job done: nothing happens again.
    assert exports.export_job_run(job_id=job.pk) is None
    assert exports.exports_reconcile() == 0
    assert job.alive_at > timezone.now() - datetime.timedelta(minutes=5)
