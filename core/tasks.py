"""core's Celery tasks (export jobs) and the safe way to enqueue any task from a request.

``enqueue(task, *args)`` publishes after the surrounding transaction commits (the worker must
see the rows). When Redis is down the publish gives up after about a second
(CELERY_TASK_PUBLISH_RETRY_POLICY), the error is logged, and the caller decides what the user
sees (the work is still in the database: a beat task or a retry picks it up). Tasks stay
idempotent: acks_late + reject_on_worker_lost may run one twice (STYLE.md).
"""
import logging

from celery import shared_task
from django.db import transaction

from .exports import export_job_run, exports_expire, exports_reconcile

log = logging.getLogger(__name__)


def publish(task, *args, **kwargs) -> bool:
    """Send ``task`` now; False (logged) if the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as exc:  # noqa: BLE001 - kombu's OperationalError, redis' ConnectionError, …
        log.error("could not enqueue %s (%s: %s): broker unavailable", task.name, type(exc).__name__, exc)
        return False
    return True


def enqueue(task, *args, **kwargs) -> None:
    """Publish ``task`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


# acks_late (settings) + the conditional claim in export_job_run: a job redelivered after a worker
# died is not run twice; one killed mid-run is sent again by reconcile_exports once its lease lapses.
@shared_task(ignore_result=True, soft_time_limit=25 * 60, time_limit=30 * 60)
def run_export_job(job_id: int) -> None:
    """Write one queued export's file (core.exports.export_job_run)."""
    export_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def expire_exports() -> int:
    """Beat, daily: delete export files past their expiry."""
    return exports_expire()


@shared_task(ignore_result=True)
def reconcile_exports() -> int:
    """Beat, every minute: send again the export jobs whose worker died or whose message was lost."""
    return exports_reconcile()
