"""Reads owned by accounts: the audit trail as the auditor filters and pages it.

The trail grows by millions of rows, so the page never counts or skips them: it pages by keyset
on (at, id), newest first, and every filter has an index that starts with it (AuditEvent.Meta).
"""
import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone

from .models import AuditEvent, User

PAGE_SIZE = 50
# The page says "1,000+" beyond this instead of counting millions of rows.
COUNT_CAP = 1000


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def audit_events(*, user: str = "", action: str = "", object_type: str = "", object_id: str = "", township=None,
                 date_from=None, date_to=None, **_ignored):
    """The audit trail, newest first, filtered as the auditor asked. Dates are Asia/Shanghai days.

    ``user`` is a username: the account's rows by ``user_id`` (index accounts_audit_user_at_id), plus
    the failed logins typed with that name while nobody was logged in (accounts_audit_anon_username).
    """
    qs = AuditEvent.objects.select_related("user", "township")
    if user:
        typed = user.strip()
        anonymous = Q(user__isnull=True) & Q(Exact(Upper("username"), typed.upper()))
        account = User.objects.filter(username__iexact=typed).values_list("pk", flat=True).first()
        qs = qs.filter(Q(user_id=account) | anonymous if account else anonymous)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
        if object_id:
            qs = qs.filter(object_id=object_id)
    if township is not None:
        qs = qs.filter(township=township)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-id")


@dataclass
class KeysetPage:
    events: list
    newer: str | None  # cursor for the page of newer rows, None on the first page
    older: str | None  # cursor for the page of older rows, None on the last page
    count: int  # rows matching, up to COUNT_CAP + 1
    capped: bool


def cursor_of(event: AuditEvent) -> str:
    return f"{event.at.timestamp():.6f}_{event.pk}"


def parse_cursor(raw: str | None) -> tuple[datetime.datetime, int] | None:
    """``"<unix seconds>_<id>"`` → (at, id); anything else (junk, out of range) → None: the first page."""
    match = re.fullmatch(r"(\d{1,11}(?:\.\d{1,6})?)_(\d{1,18})", raw or "", re.ASCII)
    if match is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(float(match[1]), tz=datetime.UTC), int(match[2])
    except (ValueError, OverflowError, OSError):
        return None


def _before(at, pk) -> Q:
    # (at, id) < (at0, id0), with the redundant at <= at0 so the index scan starts there.
    return Q(at__lte=at) & (Q(at__lt=at) | Q(at=at, pk__lt=pk))


def _after(at, pk) -> Q:
    return Q(at__gte=at) & (Q(at__gt=at) | Q(at=at, pk__gt=pk))


def audit_page(queryset, *, older_than: str | None = None, newer_than: str | None = None, last: bool = False,
               size: int = PAGE_SIZE) -> KeysetPage:
    """One page of ``queryset`` (newest first): the first, the one before/after a cursor, or the last.

    Two queries whatever the depth: the capped count and ``size + 1`` rows read from an index.
    """
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    older, newer = parse_cursor(older_than), parse_cursor(newer_than)
    if newer or last:
        # Read upwards from the cursor (or from the oldest row), then show newest first.
        rows = queryset.filter(_after(*newer)) if newer else queryset
        rows = list(rows.order_by("at", "id")[: size + 1])
        more_newer = len(rows) > size
        events = rows[:size][::-1]
        has_newer, has_older = more_newer, bool(events) and (newer is not None)
    else:
        rows = queryset.filter(_before(*older)) if older else queryset
        rows = list(rows[: size + 1])
        events = rows[:size]
        has_newer, has_older = older is not None and bool(events), len(rows) > size
    return KeysetPage(
        events=events,
        newer=cursor_of(events[0]) if has_newer and events else None,
        older=cursor_of(events[-1]) if has_older and events else None,
        count=min(count, COUNT_CAP), capped=count > COUNT_CAP,
    )


@dataclass
class ChainStatus:
    supported: bool
    last_check: object = None  # AuditChainCheck | None
    stale: bool = False  # no check for longer than CHECK_STALE_AFTER: is beat running?
    forged: bool = False  # the newest check row's signature does not verify: not written by the check
    head_gone: bool = False  # the trail's row at the checked head no longer carries its hash

    @property
    def broken(self) -> bool:
        return self.forged or self.head_gone or (self.last_check is not None and not self.last_check.ok)


# Beat verifies daily; a check older than two days means it stopped.
CHECK_STALE_AFTER = datetime.timedelta(days=2)


def chain_status() -> ChainStatus:
    """What the auditor's page says about the hash chain: the last verification's result, believed
    only if its signature verifies and the head it saw is still there. Two queries."""
    from .audit_chain import chain_supported, check_is_authentic, head_still_there
    from .models import AuditChainCheck

    if not chain_supported():
        return ChainStatus(supported=False)
    last = AuditChainCheck.objects.order_by("-id").first()
    stale = last is None or timezone.now() - last.checked_at > CHECK_STALE_AFTER
    if last is None:
        return ChainStatus(supported=True, stale=True)
    forged = not check_is_authentic(last)
    head_gone = not forged and last.ok and not head_still_there(last)
    return ChainStatus(supported=True, last_check=last, stale=stale, forged=forged, head_gone=head_gone)
