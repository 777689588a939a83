import time

from celery import shared_task
from django.core.cache import cache

from . import login_audit
from .health import HEARTBEAT_KEY, note_worker


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> float:
    """Sent by beat every HEALTH_HEARTBEAT_SECONDS. Beat's own note is written when it sends this
    (accounts.health.note_beat), so a dead worker does not make beat look dead; a worker that runs it
    notes itself too (its own timer does as well: accounts.health.WorkerHeartbeat). In-process
    (``make run`` without Redis) it writes beat's note itself: nothing is published there."""
    now = time.time()
    if self.request.is_eager:
        cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    elif self.request.hostname:
        note_worker(self.request.hostname)
    return now


@shared_task(ignore_result=True)
def flush_login_failures() -> int:
    """Beat, every minute: one audit row per username/address for failed logins counted in Redis."""
    return login_audit.flush_pending()


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
