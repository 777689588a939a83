"""Login-failure lockout (GB/T 22239 practice: lock after N failures; N and the window are settings).

Counted per username in the cache (Redis in production). If the cache is down we fail open and
log it: locking every user out of the register because Redis restarted would be worse.
"""
import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


def is_locked(username: str) -> bool:
    try:
        return (cache.get(_key(username)) or 0) >= settings.LOGIN_FAILURE_LIMIT
    except Exception:  # noqa: BLE001 - any cache failure: fail open, see module docstring
        log.warning("login lockout: cache unavailable, not checking %s", username, exc_info=True)
        return False


def record_failure(username: str) -> None:
    key = _key(username)
    try:
        # add() starts the window only on the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            cache.incr(key)
    except Exception:  # noqa: BLE001
        log.warning("login lockout: cache unavailable, failure not counted", exc_info=True)


def clear(username: str) -> None:
    try:
        cache.delete(_key(username))
    except Exception:  # noqa: BLE001
        log.warning("login lockout: cache unavailable, could not clear", exc_info=True)
