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
from collections.abc import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """Redis is down, or was a moment ago (``ResilientRedisCache.raw`` during the cooldown)."""


class ResilientRedisCache(RedisCache):
    COOLDOWN = 5.0
    _down_until: dict[str, float] = {}  # per process and Redis location: shared by every thread

    def _guarded(self, call: Callable, name: str):
        """``call()``, or CacheUnavailable during the cooldown or when it fails (starting one)."""
        location = str(self._servers)
        if time.monotonic() < self._down_until.get(location, 0.0):
            raise CacheUnavailable(name)
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - redis-py raises ConnectionError, TimeoutError, …
            if isinstance(exc, ValueError):
                raise  # incr() of a missing key: the caller's business, Redis is fine
            self._down_until[location] = time.monotonic() + self.COOLDOWN
            log.warning("cache unavailable (%s: %s): %s degraded for %.0f s", type(exc).__name__, exc, name,
                        self.COOLDOWN)
            raise CacheUnavailable(name) from exc

    def _call(self, name, default, *args, **kwargs):
        try:
            return self._guarded(lambda: getattr(super(ResilientRedisCache, self), name)(*args, **kwargs), name)
        except CacheUnavailable:
            return default

    def raw(self, use: Callable, name: str = "raw"):
        """``use(client)`` with the raw redis-py client (a Lua script, a hash), under the same
        cooldown as every cached value: a hung Redis costs one socket timeout per process and
        cooldown, whoever asks. Raises CacheUnavailable instead of a Redis error."""
        return self._guarded(lambda: use(self._cache.get_client(write=True)), name)

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
