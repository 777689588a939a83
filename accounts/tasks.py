import time

from celery import shared_task
from django.core.cache import cache

from .health import HEARTBEAT_KEY


@shared_task(ignore_result=True)
def heartbeat() -> float:
    """Scheduled every minute by beat; /healthz/ shows how long ago it last ran."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    return now


@shared_task
def ping() -> str:
    """A round trip through broker, worker and result backend (used by tests and operators)."""
    return "pong"


# Reading every row takes minutes at millions of rows (bench/README.md): its own time limits, under
# the broker's visibility timeout so a running check is not handed to a second worker.
@shared_task(ignore_result=True, acks_late=True, time_limit=50 * 60, soft_time_limit=45 * 60)
def verify_audit_chain() -> bool:
    """Daily (beat): recompute the audit trail's hash chain; a break is stored and shown to the auditor."""
    from .audit_chain import verify_chain

    return verify_chain().ok
