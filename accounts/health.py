"""What /healthz/ reports: database, broker (Redis) and Celery worker/beat state.

Anonymous probes must be cheap: nothing here waits on a worker. The worker state comes from the
heartbeat task (beat schedules it every minute, a worker runs it and notes its own name in the
cache), so a probe costs one SELECT 1, one Redis PING and one cache read.
"""
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "celery-beat-heartbeat"
WORKER_KEY = "celery-workers-seen"
# Beat runs the heartbeat every minute: a worker not seen for this long is not taking tasks.
WORKER_STALE_SECONDS = 150


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
        live = sorted(name for name, at in seen.items() if now - at < WORKER_STALE_SECONDS)
        doc = {"status": "ok" if live else "none", "count": len(live)}
        if with_names:
            doc["workers"] = live
    if with_names:
        doc.setdefault("workers", [])
    return doc


def last_beat() -> float | None:
    value = _cached(HEARTBEAT_KEY)
    return float(value) if value is not None else None


def report(*, with_names: bool = False) -> tuple[dict, bool]:
    """The health document and whether the app can serve (the database is up)."""
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker["status"] == "ok", with_names=with_names)
    beat = last_beat()
    doc = {
        "database": database,
        "broker": broker,
        "worker": workers,
        "beat": {"last_heartbeat_age_s": round(time.time() - beat, 1) if beat else None},
    }
    return doc, database["status"] == "ok"
