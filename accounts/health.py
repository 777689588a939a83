"""What /healthz/ reports: database, broker (Redis) and Celery worker/beat state, each on its own.

Anonymous probes must be cheap: nothing here waits on a worker. Two clocks, kept apart so that a dead
worker never reads as a dead beat or the other way round:
- beat: each time beat sends the heartbeat task (every ``HEALTH_HEARTBEAT_SECONDS``), the sending
  process notes the time (``note_beat``, connected to ``before_task_publish`` in config/celery.py);
  it needs no worker to consume the message.
- worker: every worker's main process notes its own name on a timer of its own (``WorkerHeartbeat``,
  a bootstep), whether or not beat runs and however busy its pool is.
Either is reported dead after ``STALE_BEATS`` missed heartbeats (45 s by default). A probe costs one
SELECT 1, one Redis PING and two cache reads.
"""
import logging
import time

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "celery-beat-heartbeat"
WORKER_KEY = "celery-workers-seen"
HEARTBEAT_TASK = "accounts.tasks.heartbeat"
# Missed heartbeats after which a worker or beat counts as dead.
STALE_BEATS = 3


def stale_after() -> float:
    return STALE_BEATS * settings.HEALTH_HEARTBEAT_SECONDS


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report, never raise, from a health check
        return {"status": "down", "error": exc.__class__.__name__}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {"status": "in-process", "detail": "no REDIS_URL: tasks run in the web process"}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "down", "error": exc.__class__.__name__}


def _cached(key):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001
        return None


def check_workers(broker_ok: bool, *, with_names: bool) -> dict:
    """Workers that ran the heartbeat lately. Names only for logged-in staff (``with_names``)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        doc = {"status": "in-process"}
    elif not broker_ok:
        doc = {"status": "unknown"}
    else:
        now = time.time()
        seen = _cached(WORKER_KEY) or {}
        live = sorted(name for name, at in seen.items() if now - at < stale_after())
        doc = {"status": "ok" if live else "none", "count": len(live)}
        if with_names:
            doc["workers"] = live
    if with_names:
        doc.setdefault("workers", [])
    return doc


def last_beat() -> float | None:
    value = _cached(HEARTBEAT_KEY)
    return float(value) if value is not None else None


def check_beat(broker_ok: bool) -> dict:
    """``ok`` while beat sent a heartbeat lately, ``late`` after it missed ``STALE_BEATS`` of them."""
    beat = last_beat()
    age = round(time.time() - beat, 1) if beat else None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        status = "in-process"
    elif not broker_ok and age is None:
        status = "unknown"
    else:
        status = "ok" if age is not None and age < stale_after() else "late"
    return {"status": status, "last_heartbeat_age_s": age}


def note_beat(sender=None, **kwargs) -> None:
    """``before_task_publish``: the process sending the heartbeat (beat) notes when it did."""
    if sender == HEARTBEAT_TASK:
        try:
            cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 3600)
        except Exception:  # noqa: BLE001 - a health note must never stop beat from sending
            log.warning("could not note beat's heartbeat", exc_info=True)


def note_worker(hostname: str) -> None:
    """A worker is alive: its name and the time, in the map /healthz/ reads."""
    now = time.time()
    try:
        seen = cache.get(WORKER_KEY) or {}
        seen = {name: at for name, at in seen.items() if now - at < 3600}
        seen[hostname] = now
        cache.set(WORKER_KEY, seen, timeout=24 * 3600)
    except Exception:  # noqa: BLE001 - Redis away: the worker carries on, healthz says unknown
        log.warning("could not note worker heartbeat", exc_info=True)


def report(*, with_names: bool = False) -> tuple[dict, bool]:
    """The health document and whether the app can serve (the database is up)."""
    database = check_database()
    broker = check_broker()
    broker_ok = broker["status"] == "ok"
    doc = {
        "database": database,
        "broker": broker,
        "worker": check_workers(broker_ok, with_names=with_names),
        "beat": check_beat(broker_ok),
    }
    return doc, database["status"] == "ok"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker bootstep: the worker's main process notes its name every HEALTH_HEARTBEAT_SECONDS on the
    worker's own timer. No message goes through the broker queue, so a worker is seen alive without beat,
    and seen dead within STALE_BEATS heartbeats of being killed (added in config/celery.py)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        note_worker(worker.hostname)
        self.tref = worker.timer.call_repeatedly(settings.HEALTH_HEARTBEAT_SECONDS, note_worker,
                                                 (worker.hostname,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
