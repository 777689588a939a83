"""Failed and refused logins in the audit trail, aggregated so a password sprayer cannot flood it.

Anonymous failures wrote one row each (~40 rows a second from one script). Now, per username and
address:

- the first failure of a lockout window is written at once (the auditor sees it straight away);
- every later failure, and every attempt refused while locked, only bumps a counter in Redis;
  ``flush_pending`` (beat, every minute) writes one row per username/address with the counts;
- every lock is written at once, with what was locked and until when.

Without Redis (``make run`` on SQLite) every failure is written as it happens.
"""
import datetime
import logging

from django.core.cache import cache
from django.utils import timezone

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
    client = lockout._redis()
    if client is None:
        return False
    field = SEP.join((lockout.normalise(attempt.username)[:150], attempt.ip or "", what))
    try:
        client.hincrby(_pending_key(), field, 1)
    except Exception:  # noqa: BLE001 - the row is written now instead
        log.warning("login audit: cache unavailable, writing the row now", exc_info=True)
        return False
    return True


def failed(attempt: lockout.Attempt, request) -> None:
    """A wrong password (or TOTP code) for ``attempt``."""
    if attempt.counts and not attempt.first_failure and _count_later(attempt, "failed"):
        return
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
        success=False, detail="locked",
    )


def locked(attempt: lockout.Attempt, request, kinds: list[str], until: datetime.datetime) -> None:
    """This failure brought ``kinds`` (pair, user, ip) to their limit: one row for the lock."""
    audit_log(
        action=AuditEvent.Action.LOCKED, request=request, user=None, username=attempt.username[:150],
        success=False,
        detail=f"locked {'+'.join(kinds)} until {timezone.localtime(until):%Y-%m-%d %H:%M:%S} "
               f"(failures: {', '.join(f'{k}={attempt.counts.get(k)}' for k in kinds)})",
    )


def flush_pending() -> int:
    """Write one row per username/address for the failures counted since the last flush.

    The pending hash is renamed away first, so counts arriving meanwhile start a fresh hash and
    nothing is counted twice. Returns the number of rows written.
    """
    client = lockout._redis()
    if client is None:
        return 0
    key = _pending_key()
    taken = f"{key}:flushing:{timezone.now().timestamp()}"
    try:
        if not client.exists(key):
            return 0
        client.rename(key, taken)
        counts = client.hgetall(taken)
        client.delete(taken)
    except Exception:  # noqa: BLE001 - try again next minute
        log.warning("login audit: could not flush pending failures", exc_info=True)
        return 0
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    for field, value in counts.items():
        username, ip, what = field.decode().split(SEP)
        grouped.setdefault((username, ip), {})[what] = int(value)
    for (username, ip), by_kind in sorted(grouped.items()):
        audit_log(
            username=username, action=AuditEvent.Action.LOGIN_FAILED, ip=ip or None, success=False,
            detail=f"aggregated: failed={by_kind.get('failed', 0)} refused_while_locked={by_kind.get('refused', 0)}",
        )
    return len(grouped)
