"""Login throttling that holds under parallel requests and cannot be turned into a lockout.

Every attempt *reserves* a slot before the password (or two-factor code) is checked, in one atomic
step in Redis (a Lua script): 31 parallel POSTs against one account get at most the slots the
rules below allow; checking first and counting afterwards let all 31 through. A correct password
gives its slot back; the failures before it still count.

**Growing delays, not a lock** (issue #22). A hard lock after N failures let anyone lock a named
account (4 addresses × 5 wrong passwords) or everyone behind one address. Now each counter allows
its first ``limit`` failures freely; after that each further attempt must wait a delay that
doubles with every failure (``LOGIN_THROTTLE_BASE_SECONDS`` × 2^k, at most
``LOGIN_THROTTLE_MAX_SECONDS``): a guesser gets a handful of tries an hour, while the owner waits
seconds to minutes, never a fixed lockout. A counter is forgotten after ``LOGIN_LOCKOUT_SECONDS``
without failures. Three counters:

- ``pair``: one username from one address (``LOGIN_FAILURE_LIMIT``, 5): a clerk's own typos.
- ``user``: one username from anywhere (``LOGIN_USERNAME_FAILURE_LIMIT``, 20): a guesser moving
  between addresses.
- ``ip``: one address, any usernames (``LOGIN_IP_FAILURE_LIMIT``, 30): a password sprayer.

**Known devices** (OWASP's device cookies, ``accounts/devices.py``): a browser that completed a
login to this account before (past two-factor login, for those who use it) carries a signed
cookie. Its attempts are counted on that device's own counter only, so whatever an attacker
does to the account's or the office's counters, the owner gets in from their own phone or PC.
A device that fails ``LOGIN_FAILURE_LIMIT`` times in a window loses that standing (a stolen
cookie buys no more guesses than anyone else).

Redis goes through ``core.cache``'s cooldown like every other use: a stopped or hung Redis costs
one socket timeout per process and cooldown. Then we fail open and log it (locking the county out
because Redis restarted would be worse); every failed password is in the audit trail regardless
(``login_audit``).
"""
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from core.cache import CacheUnavailable, ResilientRedisCache

log = logging.getLogger(__name__)

KINDS = ("pair", "user", "ip")

# KEYS: the counters (hashes {n, next}). ARGV: their limits, then now (ms), base delay (ms), max
# delay (ms), window (s). Returns {1, n1, n2, ...} (slot reserved; the counts after this attempt)
# or {0, index of the counter that holds it back, milliseconds to wait}.
_RESERVE = """
local k = #KEYS
local now, base, cap, window = tonumber(ARGV[k + 1]), tonumber(ARGV[k + 2]), tonumber(ARGV[k + 3]), ARGV[k + 4]
for i = 1, k do
  local n = tonumber(redis.call('HGET', KEYS[i], 'n') or '0')
  local nxt = tonumber(redis.call('HGET', KEYS[i], 'next') or '0')
  if n >= tonumber(ARGV[i]) and now < nxt then
    return {0, i, nxt - now}
  end
end
local counts = {1}
for i = 1, k do
  local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
  local limit = tonumber(ARGV[i])
  if n >= limit then
    local delay = math.min(base * math.pow(2, n - limit), cap)
    redis.call('HSET', KEYS[i], 'next', now + delay)
  end
  redis.call('EXPIRE', KEYS[i], window)
  counts[i + 1] = n
end
return counts
"""
# A correct password gives back the slot it reserved. It does not wipe the earlier failures: with
# parallel guesses in flight, a reset would hand them fresh slots.
_RELEASE = """
for i = 1, #KEYS do
  if redis.call('HINCRBY', KEYS[i], 'n', -1) <= 0 then redis.call('DEL', KEYS[i]) end
end
return 1
"""


@dataclass(frozen=True)
class Attempt:
    """The outcome of ``reserve``: allowed (with the counts it reached) or refused until ``until``."""

    username: str
    ip: str
    allowed: bool
    counts: dict  # kind → count after this attempt (allowed) — empty when refused or not counted
    blocked_by: str = ""  # the counter that holds it back (refused)
    until: float = 0.0  # epoch seconds when it may try again (refused)
    device: str = ""  # the known device's nonce, when the attempt was counted on it alone

    @property
    def keys(self):
        return _keys(self.username, self.ip, self.device)

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("device",) if self.device else KINDS


def normalise(username: str) -> str:
    return (username or "").strip().lower()


def limits(device: str = "") -> tuple[int, ...]:
    if device:
        return (settings.LOGIN_FAILURE_LIMIT,)
    return (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_USERNAME_FAILURE_LIMIT, settings.LOGIN_IP_FAILURE_LIMIT)


def _keys(username: str, ip: str, device: str = "") -> list[str]:
    user = normalise(username)
    if device:
        return [cache.make_key(f"login:device:{user}|{device}")]
    ip = ip or "unknown"
    return [cache.make_key(k) for k in (f"login:pair:{user}|{ip}", f"login:user:{user}", f"login:ip:{ip}")]


def redis_call(use, name: str):
    """``use(client)`` on the raw Redis client behind the cache, under its cooldown; None when the
    cache is not Redis (``make run`` on SQLite). Raises CacheUnavailable when Redis is down."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy and no RedisCache instance
    if isinstance(backend, ResilientRedisCache):
        return backend.raw(use, name)
    if isinstance(backend, RedisCache):
        try:
            return use(backend._cache.get_client(write=True))
        except Exception as exc:  # noqa: BLE001 - redis-py's errors, as CacheUnavailable
            raise CacheUnavailable(name) from exc
    return None


# Without Redis (`make run` on SQLite) the cache is per-process memory: one lock makes the same
# check-and-increment atomic for runserver's threads.
_local_lock = threading.Lock()
_local: dict[str, dict] = {}


def _local_reserve(keys, lims, now_ms, base_ms, cap_ms, window):
    with _local_lock:
        for key in [k for k, v in _local.items() if v["expires"] <= now_ms]:
            del _local[key]
        for i, key in enumerate(keys):
            entry = _local.get(key, {"n": 0, "next": 0})
            if entry["n"] >= lims[i] and now_ms < entry["next"]:
                return [0, i + 1, entry["next"] - now_ms]
        counts = [1]
        for i, key in enumerate(keys):
            entry = _local.setdefault(key, {"n": 0, "next": 0, "expires": 0})
            entry["n"] += 1
            if entry["n"] >= lims[i]:
                entry["next"] = now_ms + min(base_ms * 2 ** (entry["n"] - lims[i]), cap_ms)
            entry["expires"] = now_ms + window * 1000
            counts.append(entry["n"])
        return counts


def _local_release(keys):
    with _local_lock:
        for key in keys:
            entry = _local.get(key)
            if entry is not None:
                entry["n"] -= 1
                if entry["n"] <= 0:
                    _local.pop(key, None)


def _reserve_on(keys, lims) -> list[int] | None:
    now_ms = int(time.time() * 1000)
    base_ms = int(settings.LOGIN_THROTTLE_BASE_SECONDS * 1000)
    cap_ms = int(settings.LOGIN_THROTTLE_MAX_SECONDS * 1000)
    window = max(settings.LOGIN_LOCKOUT_SECONDS, settings.LOGIN_THROTTLE_MAX_SECONDS)
    args = [*lims, now_ms, base_ms, cap_ms, window]
    result = redis_call(lambda client: client.eval(_RESERVE, len(keys), *keys, *args), "login throttle")
    if result is None:  # no Redis at all
        result = _local_reserve(keys, lims, now_ms, base_ms, cap_ms, window)
    return [int(v) for v in result]


def reserve(username: str, ip: str, *, device: str = "") -> Attempt:
    """Count this attempt before the password is checked; refuse it while a delay runs.

    ``device``: the nonce of a known-device cookie for this username (``devices.nonce_for``). Its
    attempts are counted on the device alone while it has failures to spare."""
    try:
        if device:
            result = _reserve_on(_keys(username, ip, device), limits(device))
            if result[0] == 1:
                return Attempt(username=username, ip=ip, allowed=True, counts={"device": result[1]}, device=device)
            # The device used up its failures: it is treated like any other browser now.
        keys, lims = _keys(username, ip), limits()
        result = _reserve_on(keys, lims)
    except CacheUnavailable:  # fail open, see module docstring
        log.warning("login throttle: cache unavailable, not counting %s", username)
        return Attempt(username=username, ip=ip, allowed=True, counts={})
    if result[0] == 1:
        return Attempt(username=username, ip=ip, allowed=True, counts=dict(zip(KINDS, result[1:], strict=True)))
    return Attempt(username=username, ip=ip, allowed=False, counts={}, blocked_by=KINDS[result[1] - 1],
                   until=time.time() + max(result[2], 1) / 1000)


def release(attempt: Attempt) -> None:
    """The password was right: give back the slot this attempt reserved."""
    if not attempt.counts:
        return  # failed open: nothing was counted
    keys = attempt.keys
    try:
        if redis_call(lambda client: client.eval(_RELEASE, len(keys), *keys), "login throttle") is None:
            _local_release(keys)
    except CacheUnavailable:
        log.warning("login throttle: cache unavailable, could not give the slot back")


def throttles_started(attempt: Attempt) -> list[str]:
    """After a *failed* check: the counters this failure brought to their limit (delays start now)."""
    return [kind for kind, limit in zip(attempt.kinds, limits(attempt.device), strict=True)
            if attempt.counts.get(kind) == limit]


def next_try(attempt: Attempt) -> float | None:
    """After a failed check: epoch seconds from which the next attempt is checked (None: at once,
    no counter is past its limit)."""
    waits = [min(settings.LOGIN_THROTTLE_BASE_SECONDS * 2 ** (attempt.counts[kind] - limit),
                 settings.LOGIN_THROTTLE_MAX_SECONDS)
             for kind, limit in zip(attempt.kinds, limits(attempt.device), strict=True)
             if attempt.counts.get(kind, 0) >= limit]
    return time.time() + max(waits) if waits else None
