"""A task written the way docs/architecture.md asks (idempotent, acks_late), for the worker-crash fault test.

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
