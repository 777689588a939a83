"""Telling a clerk that an ID number is registered in *another* township is itself information
about a person they may not see (is this woman in the county's register?). Every such answer is
audited, and a user gets at most HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR distinct ones an hour —
enough for a township's real sheets, too few to probe the county's register through the import
or the registration form.
"""
from django.conf import settings

from accounts.models import AuditEvent, User
from accounts.services import audit_log
from core.ratelimit import take

WINDOW_SECONDS = 3600


def foreign_ids_answer(*, by: User, persons: list, request=None, where: str) -> bool:
    """May ``by`` be told that each of ``persons`` (holders of an ID number in another township)
    is registered elsewhere? True: one audit row per person is written. False: the hourly
    allowance is used up (or the cache is down); the caller withholds the answer."""
    if not persons:
        return True
    allowed = take(f"foreign-id:{by.pk}", items=[str(p.pk) for p in persons],
                   limit=settings.HOUSEHOLDS_FOREIGN_ID_ANSWERS_PER_HOUR, window=WINDOW_SECONDS)
    if not allowed:
        audit_log(action=AuditEvent.Action.VIEW, request=request, user=by, object_type="households.person",
                  success=False, detail=f"ID registered elsewhere: answer withheld, hourly limit reached ({where})")
        return False
    for person in persons:
        audit_log(action=AuditEvent.Action.VIEW, request=request, user=by, object_type="households.person",
                  object_id=person.pk, township_id=person.household.township_id,
                  detail=f"told the ID is registered in another township ({where})")
    return True
