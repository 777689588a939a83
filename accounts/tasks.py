import time

from celery import shared_task
from django.core.cache import cache

from . import login_audit
from .health import HEARTBEAT_KEY, WORKER_KEY


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> float:
    """Scheduled every minute by beat and run by a worker: /healthz/ reads both facts from here
    (beat is alive; this worker took a task), so a probe never waits on a worker ping."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    if self.request.hostname:  # None when run in-process (eager): no worker to report
        seen = cache.get(WORKER_KEY) or {}
        seen = {name: at for name, at in seen.items() if now - at < 3600}
        seen[self.request.hostname] = now
        cache.set(WORKER_KEY, seen, timeout=24 * 3600)
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
