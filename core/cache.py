"""A Redis cache that degrades instead of failing the request when Redis is down.

Redis holds nothing the register cannot do without: cached values, lockout counters, the beat
heartbeat, cached sessions' copies (the database keeps the sessions). So when Redis stops, a
clerk saving a visit must not get a 500 (issue #8): reads miss, writes are dropped, counters
raise ``ValueError`` as for a missing key, and each failure is logged. After a failure the cache
is skipped for ``COOLDOWN`` seconds, so a Redis that hangs costs one socket timeout per process and
cooldown, not one per cache call.
"""
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    COOLDOWN = 5.0
    _down_until: dict[str, float] = {}  # per process and Redis location: shared by every thread

    def _call(self, name, default, *args, **kwargs):
        location = str(self._servers)
        if time.monotonic() < self._down_until.get(location, 0.0):
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - redis-py raises ConnectionError, TimeoutError, …
            if isinstance(exc, ValueError):
                raise  # incr() of a missing key: the caller's business, Redis is fine
            self._down_until[location] = time.monotonic() + self.COOLDOWN
            log.warning("cache unavailable (%s: %s): %s degraded for %.0f s", type(exc).__name__, exc, name,
                        self.COOLDOWN)
            return default

    # Reads miss.
    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    # Writes are dropped. add() answers False: nobody "claims" a key while the cache is down.
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", None)

    # Counters: unavailable reads like a missing key.
    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", missing, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return value
