"""A task written the way STYLE.md asks (idempotent, acks_late), for the worker-crash fault test.

It does what a report or export task does: claims its work under a lock, writes one result row
unless it exists, then goes on working (a notification, a file). The worker is started with
``--include tests.support.tasks`` so it knows this task; no product code depends on it.
"""
import os
import time
from pathlib import Path

from celery import shared_task
from django.db import connection, transaction

from accounts.models import AuditEvent
from accounts.services import audit_log

RESULT_TYPE = "tests.fault_result"


@shared_task(acks_late=True)
def write_result_once(key: str, marker_dir: str, pause_before: float, pause_after: float) -> str:
    # Tell the test which process runs it, and when, so it can kill it at the right moment.
    Path(marker_dir, f"started-{os.getpid()}-{time.monotonic_ns()}").write_text(str(os.getpid()))
    time.sleep(pause_before)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        if not AuditEvent.objects.filter(object_type=RESULT_TYPE, object_id=key).exists():
            audit_log(action=AuditEvent.Action.CREATE, username="worker", object_type=RESULT_TYPE, object_id=key)
    Path(marker_dir, f"written-{os.getpid()}-{time.monotonic_ns()}").write_text(key)
    time.sleep(pause_after)
    return key


# A slow export for the fault tests: a worker can be killed while it is writing. Each row's cell takes
# SLOW_EXPORT_SECONDS to format, so a few rows last long enough to kill the worker mid-file.
SLOW_EXPORT_SECONDS = float(os.environ.get("SLOW_EXPORT_SECONDS", "0.2"))


def _slow_build(user, params):
    from core.exports import Column, ExportQuery

    def slow(value):
        time.sleep(SLOW_EXPORT_SECONDS)
        return value

    return ExportQuery(queryset=AuditEvent.objects.filter(object_type=RESULT_TYPE).order_by("seq"),
                       columns=[Column("key", "object_id", format=slow)])


def _register_slow_export():
    from accounts.roles import Cap
    from core.exports import ExportSpec, register

    return register(ExportSpec(kind="tests.slow", label="slow", capability=Cap.COUPLE_VIEW,
                               object_type=RESULT_TYPE, build=_slow_build))


SLOW_EXPORT = _register_slow_export()
