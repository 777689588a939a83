"""What /healthz/ reports: database, broker (Redis) and Celery worker/beat state."""
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "celery-beat-heartbeat"


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


def check_workers(broker_ok: bool, *, timeout: float = 1.0) -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "in-process", "workers": []}
    if not broker_ok:
        return {"status": "unknown", "workers": []}
    from config.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:  # noqa: BLE001
        return {"status": "unknown", "error": exc.__class__.__name__, "workers": []}
    names = sorted(name for reply in replies for name in reply)
    return {"status": "ok" if names else "none", "workers": names}


def last_beat() -> float | None:
    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return None
    return float(value) if value is not None else None


def report() -> tuple[dict, bool]:
    """The health document and whether the app can serve (the database is up)."""
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker["status"] == "ok")
    beat = last_beat()
    doc = {
        "database": database,
        "broker": broker,
        "worker": workers,
        "beat": {"last_heartbeat_age_s": round(time.time() - beat, 1) if beat else None},
    }
    return doc, database["status"] == "ok"
