"""Who may see and enter township assessment (docs/domain.md, "Roles and what they may see").

- Leaders (``Cap.ASSESSMENT_VIEW``, no township) and granted assessors see every township.
- A township clerk (``Cap.ASSESSMENT_VIEW`` with a township) sees their own township's checks and
  score, and the whole ranking only once the year is closed (published).
- Entering checks, year-end scores and publicity sites needs an *active* ``Assessor`` grant on
  top of ``Cap.ASSESSMENT_CHANGE`` (which only bureau staff and leaders hold).

Outside scope → 404 (``OutOfScope``); a role that may not do this → 403.
"""
from accounts.permissions import CapabilityDenied, OutOfScope, get_object_for_user
from accounts.roles import Cap, Role

_GRANT_ATTR = "_assessment_grant_active"
GRANT_CACHE_SECONDS = 300


def grant_cache_key(user_id) -> str:
    return f"assessment:grant:{user_id}"


def is_assessor(user) -> bool:
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


def sees_county(user) -> bool:
    """Leaders and assessors: every township's assessment, open years included."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (user.can(Cap.ASSESSMENT_VIEW) and user.role != Role.CLERK) or is_assessor(user)


def can_view_assessment(user) -> bool:
    return sees_county(user) or (
        getattr(user, "is_authenticated", False) and user.can(Cap.ASSESSMENT_VIEW) and bool(user.township_id)
    )


def require_view(user) -> None:
    if not can_view_assessment(user):
        raise CapabilityDenied(Cap.ASSESSMENT_VIEW)


def require_county(user) -> None:
    """Pages about all townships at once that only leaders and assessors open (scorecard)."""
    if not sees_county(user):
        raise CapabilityDenied(Cap.ASSESSMENT_VIEW)


def require_assessor(user) -> None:
    if not is_assessor(user):
        raise CapabilityDenied(Cap.ASSESSMENT_CHANGE)


def can_rebuild_weekly(user) -> bool:
    """Leaders ask for a weekly report to be (re)built (issue #10: "a leader can ask for a rebuild")."""
    return getattr(user, "is_authenticated", False) and user.role == Role.LEADER


def require_weekly_rebuild(user) -> None:
    if not can_rebuild_weekly(user):
        raise CapabilityDenied(Cap.ASSESSMENT_VIEW)


def township_filter(user, path: str = "township") -> dict:
    """ORM filter of the townships ``user`` sees: nothing, their own, or all ({})."""
    if sees_county(user):
        return {}
    if can_view_assessment(user):
        return {f"{path}_id": user.township_id}
    return {"pk__in": []}


def sees_township(user, township_id) -> bool:
    return sees_county(user) or (can_view_assessment(user) and user.township_id == township_id)


def sees_full_ranking(user, *, closed: bool) -> bool:
    """The ranking of every township: leaders and assessors always, clerks once it is published."""
    return sees_county(user) or (closed and can_view_assessment(user))


def get_township_for_user(user, pk):
    from accounts.models import Township

    require_view(user)
    try:
        township = Township.objects.get(pk=pk)
    except (Township.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("accounts.township", pk) from None
    if not sees_township(user, township.pk):
        raise OutOfScope("accounts.township", pk, township_id=township.pk)
    return township


def get_check_for_user(user, pk, *, write: bool = False):
    from .models import RegularCheck

    require_view(user)
    qs = RegularCheck.objects.select_related("township", "created_by", "voided_by")
    return _writable(qs, user, pk) if write else get_object_for_user(qs, user, pk)


def get_site_for_user(user, pk, *, write: bool = False):
    from .models import PublicitySite

    require_view(user)
    qs = PublicitySite.objects.select_related("township")
    return get_object_for_user(qs, user, pk) if not write else _writable(qs, user, pk)


def _writable(queryset, user, pk):
    obj = get_object_for_user(queryset, user, pk)  # 404 first: existence is not revealed
    require_assessor(user)
    return obj


__all__ = [
    "CapabilityDenied", "OutOfScope", "can_rebuild_weekly", "can_view_assessment", "require_weekly_rebuild", "get_check_for_user", "get_site_for_user",
    "get_township_for_user", "is_assessor", "require_assessor", "require_county", "require_view",
    "sees_county", "sees_full_ranking", "sees_township", "township_filter",
]
