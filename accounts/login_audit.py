"""Failed and refused logins in the audit trail.

- **Every failed check** (a wrong password or code) is written at once, one row each, in the
  database (issue #23: failures counted in Redis until a flush were lost when Redis restarted).
  The throttle (``lockout``) bounds how many checks a script gets, so it bounds these rows too.
- Every counter that reaches its limit (delays start) is written at once, with the next time a
  try is checked.
- Attempts **refused unchecked** while a delay runs are no failed logins (no password was
  checked) and can come by the thousand from a script: they only bump a counter in Redis, and
  ``flush_pending`` (beat, every minute) writes one row per username/address with the count. A
  Redis restart can lose at most a minute of these counts, never a failed login.

Without Redis (``make run`` on SQLite) refusals are written as they happen.
"""
import datetime
import logging

from django.core.cache import cache
from django.utils import timezone

from core.cache import CacheUnavailable

from . import lockout
from .models import AuditEvent
from .services import audit_log

log = logging.getLogger(__name__)
PENDING = "login:failures:pending"
SEP = "\t"


def _pending_key() -> str:
    return cache.make_key(PENDING)


def _count_later(attempt: lockout.Attempt, what: str) -> bool:
    """Add one to the pending count; False if Redis is not there to hold it."""
    field = SEP.join((lockout.normalise(attempt.username)[:150], attempt.ip or "", what))
    try:
        done = lockout.redis_call(lambda client: client.hincrby(_pending_key(), field, 1), "login audit")
    except CacheUnavailable:  # the row is written now instead
        return False
    return done is not None


def failed(attempt: lockout.Attempt, request) -> None:
    """A wrong password (or TOTP code) for ``attempt``: one row, now."""
    audit_log(
        action=AuditEvent.Action.LOGIN_FAILED, request=request, user=None, username=attempt.username[:150],
        success=False,
    )


def refused(attempt: lockout.Attempt, request) -> None:
    """An attempt refused unchecked because a lock is in force."""
    if _count_later(attempt, "refused"):
        return
    audit_log(
        action=AuditEvent.Action.LOGIN_FAILED, request=request, user=None, username=attempt.username[:150],
        success=False, detail="refused while throttled",
    )


def throttled(attempt: lockout.Attempt, request, kinds: list[str], until: datetime.datetime) -> None:
    """This failure brought ``kinds`` (pair, user, ip, device) to their limit: from now on each
    attempt waits a growing delay. One row, with the first of them."""
    audit_log(
        action=AuditEvent.Action.LOCKED, request=request, user=None, username=attempt.username[:150],
        success=False,
        detail=f"throttled {'+'.join(kinds)}: next try after {timezone.localtime(until):%Y-%m-%d %H:%M:%S}, "
               f"delays doubling (failures: {', '.join(f'{k}={attempt.counts.get(k)}' for k in kinds)})",
    )


def flush_pending() -> int:
    """Write one row per username/address for the failures counted since the last flush.

    The pending hash is renamed away first, so counts arriving meanwhile start a fresh hash and
    nothing is counted twice. Returns the number of rows written.
    """
    key = _pending_key()
    taken = f"{key}:flushing:{timezone.now().timestamp()}"

    def take(client):
        if not client.exists(key):
            return {}
        client.rename(key, taken)
        counts = client.hgetall(taken)
        client.delete(taken)
        return counts

    try:
        counts = lockout.redis_call(take, "login audit flush") or {}
    except CacheUnavailable:  # try again next minute
        log.warning("login audit: could not flush pending refusals")
        return 0
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    for field, value in counts.items():
        username, ip, what = field.decode().split(SEP)
        grouped.setdefault((username, ip), {})[what] = int(value)
    for (username, ip), by_kind in sorted(grouped.items()):
        audit_log(
            username=username, action=AuditEvent.Action.LOGIN_FAILED, ip=ip or None, success=False,
            detail=f"aggregated: refused_while_throttled={by_kind.get('refused', 0)}",
        )
    return len(grouped)
