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
- Approving and issuing a closed year's outcomes (奖优罚劣) needs ``Cap.OUTCOME_APPROVE``, which no
  role holds: an active ``OutcomeApprover`` row gives it to a leader
  (``register_outcome_approver_grant``).

Views check with ``@capability_required``/``require_capability``. Outside scope → 404
(``OutOfScope``); a user who may not do this → 403.
"""
from accounts.permissions import CapabilityDenied, OutOfScope, get_object_for_user, require_capability
from accounts.roles import Cap, register_grant

from .scoping import township_filter

_GRANT_ATTR = "_assessment_grant_active"
GRANT_CACHE_SECONDS = 300
# The assessor grant also lets its holder assign, accept and return rectifications (整改), as leaders do.
GRANTED = (Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_COUNTY, Cap.ASSESSMENT_ENTER, Cap.RECTIFICATION_MANAGE)


def grant_cache_key(user_id) -> str:
    return f"assessment:grant:{user_id}"


def _holds(user, *, may: str, attr: str, key: str, model_name: str) -> bool:
    """Whether ``user`` (whose role grants capability ``may``) has an active row of the grant model
    ``model_name``. The navigation asks on every page, so the answer is cached (Redis, five minutes;
    ``signals.py`` drops the key whenever a grant row is saved) and kept on the user object for the
    rest of the request."""
    if not getattr(user, "is_authenticated", False) or not user.can(may):
        return False
    if not hasattr(user, attr):
        from django.apps import apps
        from django.core.cache import cache

        held = cache.get(key)
        if held is None:
            held = apps.get_model("assessment", model_name).objects.filter(user_id=user.pk, is_active=True).exists()
            cache.set(key, held, GRANT_CACHE_SECONDS)
        setattr(user, attr, held)
    return getattr(user, attr)


def holds_assessor_grant(user) -> bool:
    """An active ``Assessor`` grant, held by a role that may hold it (``Cap.ASSESSMENT_CHANGE``:
    bureau staff and leaders)."""
    return _holds(user, may=Cap.ASSESSMENT_CHANGE, attr=_GRANT_ATTR, key=grant_cache_key(getattr(user, "pk", None)),
                  model_name="Assessor")


def register_assessor_grant() -> None:
    register_grant(name="assessment.assessor", capabilities=GRANTED, holds=holds_assessor_grant)


_APPROVER_ATTR = "_outcome_approver_active"


def approver_cache_key(user_id) -> str:
    return f"assessment:approver:{user_id}"


def holds_outcome_approver(user) -> bool:
    """A leader (``Cap.ASSESSMENT_LIAISON``, by role) with an active ``OutcomeApprover`` row."""
    return _holds(user, may=Cap.ASSESSMENT_LIAISON, attr=_APPROVER_ATTR,
                  key=approver_cache_key(getattr(user, "pk", None)), model_name="OutcomeApprover")


def register_outcome_approver_grant() -> None:
    register_grant(name="assessment.outcome_approver", capabilities=(Cap.OUTCOME_APPROVE,),
                   holds=holds_outcome_approver)


def can_approve_outcomes(user) -> bool:
    return _can(user, Cap.OUTCOME_APPROVE)


def require_outcome_approver(user) -> None:
    require_capability(user, Cap.OUTCOME_APPROVE)


def get_outcome_for_user(user, pk):
    """One outcome in the user's scope (clerks: their township's issued rows) → 404 otherwise."""
    from .models import Outcome

    require_capability(user, Cap.ASSESSMENT_VIEW)
    qs = Outcome.objects.select_related("township", "leader", "decision", "decided_by")
    if not sees_county(user):
        qs = qs.filter(status=Outcome.Status.ISSUED)
    return get_object_for_user(qs, user, pk)


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


# --- Rectifications (整改) and supervision visits (督导) --------------------------------------------
def can_manage_rectifications(user) -> bool:
    """Assign, accept and return rectifications: ``Cap.RECTIFICATION_MANAGE`` (leaders by role,
    assessors by grant)."""
    return _can(user, Cap.RECTIFICATION_MANAGE)


def require_rectification_manage(user) -> None:
    require_capability(user, Cap.RECTIFICATION_MANAGE)


def can_report_rectification(user, rectification) -> bool:
    """A clerk of the rectification's own township (``Cap.RECTIFICATION_REPORT``)."""
    return _can(user, Cap.RECTIFICATION_REPORT) and user.township_id == rectification.township_id


def can_record_supervision(user) -> bool:
    return _can(user, Cap.SUPERVISION_RECORD)


def require_supervision_record(user) -> None:
    require_capability(user, Cap.SUPERVISION_RECORD)


def get_rectification_for_user(user, pk):
    """A rectification in ``user``'s scope (a clerk: their own township's), else 404."""
    from .models import Rectification

    require_capability(user, Cap.ASSESSMENT_VIEW)
    qs = Rectification.objects.select_related("township", "responsible", "created_by", "report", "visit")
    return get_object_for_user(qs, user, pk)


def get_visit_for_user(user, pk):
    """Supervision visits are the leaders' and assessors' (clerks: 403)."""
    from .models import SupervisionVisit

    require_capability(user, Cap.ASSESSMENT_COUNTY)
    qs = SupervisionVisit.objects.select_related("township", "leader", "created_by")
    return get_object_for_user(qs, user, pk)


def _writable(queryset, user, pk):
    obj = get_object_for_user(queryset, user, pk)  # 404 first: existence is not revealed
    require_assessor(user)
    return obj


__all__ = [
    "CapabilityDenied", "OutOfScope", "can_approve_outcomes", "can_manage_rectifications", "can_rebuild_weekly",
    "can_record_supervision", "can_report_rectification", "can_view_assessment", "get_check_for_user",
    "get_outcome_for_user", "get_rectification_for_user", "get_visit_for_user", "holds_outcome_approver",
    "register_outcome_approver_grant", "require_outcome_approver", "require_rectification_manage",
    "require_supervision_record",
    "get_site_for_user", "get_township_for_user", "holds_assessor_grant", "is_assessor", "register_assessor_grant",
    "require_assessor", "sees_county", "sees_full_ranking", "sees_township", "township_filter",
]
