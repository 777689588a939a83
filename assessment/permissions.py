"""Who may see and enter township assessment (docs/domain.md, "Roles and what they may see"),
through the capability map (accounts/roles.py).

- ``Cap.ASSESSMENT_VIEW``: leaders (by role), township clerks (by role: their own township) and
  assessors (by grant). ``Cap.ASSESSMENT_COUNTY``: leaders and assessors see every township.
  Which townships: ``scoping.ASSESSMENT``.
- A clerk sees the whole ranking only once the year is closed (published).
- Entering checks, year-end scores and publicity sites needs ``Cap.ASSESSMENT_ENTER``, which no
  role holds: an *active* ``Assessor`` grant gives it, to a role that holds
  ``Cap.ASSESSMENT_CHANGE`` (bureau staff and leaders). The grant is registered with accounts
  (``register_assessor_grant``, called by ``AssessmentConfig.ready``).
- Leaders' own pages: ``Cap.ASSESSMENT_LIAISON`` (their liaison townships) and
  ``Cap.ASSESSMENT_BRIEFING`` (the weekly briefing's lists and its rebuild).

Views check with ``@capability_required``/``require_capability``. Outside scope → 404
(``OutOfScope``); a user who may not do this → 403.
"""
from accounts.permissions import CapabilityDenied, OutOfScope, get_object_for_user, require_capability
from accounts.roles import Cap, register_grant

from .scoping import township_filter

_GRANT_ATTR = "_assessment_grant_active"
GRANT_CACHE_SECONDS = 300
GRANTED = (Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_COUNTY, Cap.ASSESSMENT_ENTER)


def grant_cache_key(user_id) -> str:
    return f"assessment:grant:{user_id}"


def holds_assessor_grant(user) -> bool:
    """An active user whose role may hold the grant and who holds an active one.

    The navigation asks on every page of every leader and bureau staff member, so the answer is
    cached (Redis, five minutes; ``signals.py`` drops the key whenever a grant row is saved) and
    kept on the user object for the rest of the request.
    """
    if not getattr(user, "is_authenticated", False) or not user.can(Cap.ASSESSMENT_CHANGE):
        return False
    if not hasattr(user, _GRANT_ATTR):
        from django.core.cache import cache

        from .models import Assessor

        key = grant_cache_key(user.pk)
        granted = cache.get(key)
        if granted is None:
            granted = Assessor.objects.filter(user_id=user.pk, is_active=True).exists()
            cache.set(key, granted, GRANT_CACHE_SECONDS)
        setattr(user, _GRANT_ATTR, granted)
    return getattr(user, _GRANT_ATTR)


def register_assessor_grant() -> None:
    register_grant(name="assessment.assessor", capabilities=GRANTED, holds=holds_assessor_grant)


def _can(user, capability: str) -> bool:
    return getattr(user, "is_authenticated", False) and user.can(capability)


def is_assessor(user) -> bool:
    """Granted assessment entry (``Cap.ASSESSMENT_ENTER``)."""
    return _can(user, Cap.ASSESSMENT_ENTER)


def sees_county(user) -> bool:
    """Leaders and assessors: every township's assessment, open years included."""
    return _can(user, Cap.ASSESSMENT_COUNTY)


def can_view_assessment(user) -> bool:
    return _can(user, Cap.ASSESSMENT_VIEW)


def require_assessor(user) -> None:
    require_capability(user, Cap.ASSESSMENT_ENTER)


def can_rebuild_weekly(user) -> bool:
    """Leaders ask for a weekly report to be (re)built (issue #10: "a leader can ask for a rebuild")."""
    return _can(user, Cap.ASSESSMENT_BRIEFING)


def sees_township(user, township_id) -> bool:
    return sees_county(user) or (can_view_assessment(user) and user.township_id == township_id)


def sees_full_ranking(user, *, closed: bool) -> bool:
    """The ranking of every township: leaders and assessors always, clerks once it is published."""
    return sees_county(user) or (closed and can_view_assessment(user))


def get_township_for_user(user, pk):
    from accounts.models import Township

    require_capability(user, Cap.ASSESSMENT_VIEW)
    try:
        township = Township.objects.get(pk=pk)
    except (Township.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("accounts.township", pk) from None
    if not sees_township(user, township.pk):
        raise OutOfScope("accounts.township", pk, township_id=township.pk)
    return township


def get_check_for_user(user, pk, *, write: bool = False):
    from .models import RegularCheck

    require_capability(user, Cap.ASSESSMENT_VIEW)
    qs = RegularCheck.objects.select_related("township", "created_by", "voided_by")
    return _writable(qs, user, pk) if write else get_object_for_user(qs, user, pk)


def get_site_for_user(user, pk, *, write: bool = False):
    from .models import PublicitySite

    require_capability(user, Cap.ASSESSMENT_VIEW)
    qs = PublicitySite.objects.select_related("township")
    return get_object_for_user(qs, user, pk) if not write else _writable(qs, user, pk)


def _writable(queryset, user, pk):
    obj = get_object_for_user(queryset, user, pk)  # 404 first: existence is not revealed
    require_assessor(user)
    return obj


__all__ = [
    "CapabilityDenied", "OutOfScope", "can_rebuild_weekly", "can_view_assessment", "get_check_for_user",
    "get_site_for_user", "get_township_for_user", "holds_assessor_grant", "is_assessor", "register_assessor_grant",
    "require_assessor", "sees_county", "sees_full_ranking", "sees_township", "township_filter",
]
