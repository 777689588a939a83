"""Enqueue a Celery task from a request without letting a broker outage become a 500.

``enqueue(task, *args)`` publishes after the surrounding transaction commits (the worker must
see the rows) and returns whether the broker took it. When Redis is down the publish gives up
after about a second (CELERY_TASK_PUBLISH_RETRY_POLICY), the error is logged, and the caller
decides what the user sees (the work is still in the database: a beat task or a retry picks it
up). Tasks stay idempotent: acks_late + reject_on_worker_lost may run one twice (STYLE.md).
"""
import logging

from django.db import transaction

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
