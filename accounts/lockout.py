"""Login throttling that holds under parallel requests (GB/T 22239: lock after repeated failures).

Every attempt *reserves* a slot before the password is checked, in one atomic step in Redis (a
Lua script): if any counter is at its limit the attempt is refused unchecked, otherwise all three
counters go up by one. So 31 parallel POSTs against one account get at most ``limit`` password
checks; checking first and counting afterwards let all 31 through. A correct password gives the
slot back; the failures before it still count until the window ends.

Three counters, each with its own limit (settings), all for ``LOGIN_LOCKOUT_SECONDS``:

- ``pair``: one username from one address (``LOGIN_FAILURE_LIMIT``, 5). The everyday lock: a
  clerk who mistypes five times is locked at that office, and only that clerk.
- ``user``: one username from anywhere (``LOGIN_USERNAME_FAILURE_LIMIT``, 20). A guesser who
  moves between addresses is still stopped; one outsider cannot reach it alone, because the pair
  limit stops them at 5, so they cannot lock a clerk out of their own office.
- ``ip``: one address, any usernames (``LOGIN_IP_FAILURE_LIMIT``, 30). A password sprayer is
  stopped, while a township office behind one NAT address is not locked by one person's typos.

If Redis is down we fail open and log it: locking the whole county out of the register because
Redis restarted would be worse (the failures are still audited row by row then).
"""
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

KINDS = ("pair", "user", "ip")

# KEYS: pair, user, ip counters. ARGV: their limits, then the window in seconds.
# Returns {1, pair, user, ip} (slot reserved; the counts after this attempt) or
# {0, index of the counter at its limit, its remaining milliseconds}.
_RESERVE = """
for i = 1, 3 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[i]) then
    return {0, i, redis.call('PTTL', KEYS[i])}
  end
end
local counts = {1}
for i = 1, 3 do
  local n = redis.call('INCR', KEYS[i])
  -- The window starts at the first failure; reaching the limit restarts it, so a lock always
  -- lasts the full LOGIN_LOCKOUT_SECONDS from the attempt that caused it.
  if n == 1 or n == tonumber(ARGV[i]) then redis.call('EXPIRE', KEYS[i], ARGV[4]) end
  counts[i + 1] = n
end
return counts
"""
# A correct password gives back the slot it reserved on all three counters. It does not wipe the
# earlier failures (django-axes' default too): with parallel guesses in flight, a reset would hand
# them fresh slots, so 31 parallel POSTs could get more than ``limit`` checks.
_RELEASE = """
for i = 1, 3 do
  if redis.call('DECR', KEYS[i]) <= 0 then redis.call('DEL', KEYS[i]) end
end
return 1
"""


@dataclass(frozen=True)
class Attempt:
    """The outcome of ``reserve``: allowed (with the counts it reached) or refused until ``until``."""

    username: str
    ip: str
    allowed: bool
    counts: dict  # kind → count after this attempt (allowed) — empty when refused
    blocked_by: str = ""  # the counter at its limit (refused)
    until: float = 0.0  # epoch seconds when the refusal ends (refused)

    @property
    def keys(self):
        return _keys(self.username, self.ip)

    @property
    def first_failure(self) -> bool:
        return self.counts.get("pair") == 1


def normalise(username: str) -> str:
    return (username or "").strip().lower()


def limits() -> tuple[int, int, int]:
    return (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_USERNAME_FAILURE_LIMIT, settings.LOGIN_IP_FAILURE_LIMIT)


def _keys(username: str, ip: str) -> list[str]:
    user = normalise(username)
    ip = ip or "unknown"
    return [cache.make_key(k) for k in (f"login:pair:{user}|{ip}", f"login:user:{user}", f"login:ip:{ip}")]


def _redis():
    """The raw redis-py client behind Django's cache, or None when the cache is not Redis."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy and no RedisCache instance
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)  # Django's own client: same pool, same database
    return None


# Without Redis (`make run` on SQLite) the cache is per-process memory: one lock makes the same
# check-and-increment atomic for runserver's threads.
_local_lock = threading.Lock()
_local: dict[str, tuple[int, float]] = {}


def _local_reserve(keys, lims, window):
    now = time.time()
    with _local_lock:
        for key in list(_local):
            if _local[key][1] <= now:
                del _local[key]
        for i, key in enumerate(keys):
            n, expires = _local.get(key, (0, 0))
            if n >= lims[i]:
                return [0, i + 1, int((expires - now) * 1000)]
        counts = [1]
        for i, key in enumerate(keys):
            n, expires = _local.get(key, (0, now + window))
            n += 1
            if n == 1 or n == lims[i]:
                expires = now + window
            _local[key] = (n, expires)
            counts.append(n)
        return counts


def _local_release(keys):
    with _local_lock:
        for key in keys:
            n, expires = _local.get(key, (0, 0))
            if n <= 1:
                _local.pop(key, None)
            else:
                _local[key] = (n - 1, expires)


def reserve(username: str, ip: str) -> Attempt:
    """Count this attempt before the password is checked; refuse it if a limit is reached."""
    keys = _keys(username, ip)
    lims = limits()
    window = settings.LOGIN_LOCKOUT_SECONDS
    try:
        client = _redis()
        if client is not None:
            result = client.eval(_RESERVE, 3, *keys, *lims, window)
        else:
            result = _local_reserve(keys, lims, window)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, see module docstring
        log.warning("login lockout: cache unavailable, not counting %s", username, exc_info=True)
        return Attempt(username=username, ip=ip, allowed=True, counts={})
    result = [int(v) for v in result]
    if result[0] == 1:
        return Attempt(username=username, ip=ip, allowed=True, counts=dict(zip(KINDS, result[1:], strict=True)))
    # PTTL is -1/-2 only if the key lost its expiry or vanished meanwhile: say "the whole window".
    remaining_ms = result[2] if result[2] > 0 else window * 1000
    return Attempt(
        username=username, ip=ip, allowed=False, counts={}, blocked_by=KINDS[result[1] - 1],
        until=time.time() + remaining_ms / 1000,
    )


def release(attempt: Attempt) -> None:
    """The password was right: give back the slot this attempt reserved."""
    if not attempt.counts:
        return  # failed open: nothing was counted
    try:
        client = _redis()
        if client is not None:
            client.eval(_RELEASE, 3, *attempt.keys)
        else:
            _local_release(attempt.keys)
    except Exception:  # noqa: BLE001
        log.warning("login lockout: cache unavailable, could not clear", exc_info=True)


def locks_reached(attempt: Attempt) -> list[str]:
    """After a *failed* check: the counters this failure brought to their limit (new locks)."""
    return [kind for kind, limit in zip(KINDS, limits(), strict=True) if attempt.counts.get(kind) == limit]

