"""A per-key allowance in the shared cache (Redis): "at most N of these per window".

Used where an answer itself is information (does this ID number exist anywhere in the county?):
each answer costs one unit; repeats of the same answer within the window are free, so a clerk
re-checking the same sheet does not run out, while someone probing many numbers does.
"""
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def take(key: str, *, items: list[str], limit: int, window: int) -> bool:
    """Charge ``key`` one unit for each of ``items`` not already charged in the window.

    Returns False (and charges nothing more) when that would exceed ``limit``; True otherwise.
    Fails closed: if the cache is unreachable the answer is False, never an exception — the
    caller then withholds the answer instead of failing the request.
    """
    try:
        fresh = [item for item in items if cache.get(f"{key}:seen:{item}") is None]
        if not fresh:
            return True
        counter = f"{key}:count"
        cache.add(counter, 0, timeout=window)
        # incr is atomic in Redis: two requests racing each get their own count.
        if cache.incr(counter, len(fresh)) > limit:
            cache.decr(counter, len(fresh))
            return False
        cache.set_many({f"{key}:seen:{item}": 1 for item in fresh}, timeout=window)
        return True
    except Exception:  # Redis down or evicted: withhold the answer rather than fail the request
        logger.warning("rate limit %s: cache unavailable, withholding", key, exc_info=True)
        return False
