"""One access helper per entity (docs/architecture.md, "The path of a request").

Enforcement is county-wide: inspectors and leaders see every record (``Scope.ALL``), other roles
are refused with 403 by ``Cap.ENFORCEMENT_VIEW`` before these run. ``write=True`` needs
``Cap.ENFORCEMENT_CHANGE``: leaders read, inspectors change.
"""

from accounts.permissions import OutOfScope, get_object_for_user, require_capability
from accounts.roles import Cap

from .models import Case, Evidence, Facility, Inspection, Tip, UltrasoundDevice


def _cap(write: bool):
    return Cap.ENFORCEMENT_CHANGE if write else Cap.ENFORCEMENT_VIEW


def get_facility_for_user(user, pk, *, write: bool = False) -> Facility:
    return get_object_for_user(Facility.objects.select_related("township"), user, pk, capability=_cap(write))


def get_device_for_user(user, pk, *, write: bool = False) -> UltrasoundDevice:
    return get_object_for_user(
        UltrasoundDevice.objects.select_related("facility", "township"), user, pk, capability=_cap(write)
    )


def get_tip_for_user(user, pk, *, write: bool = False, reporter: bool = False) -> Tip:
    """``reporter=True`` loads the reporter's identity: only for an inspector's own detail page."""
    qs = Tip.objects.select_related("township", "handled_by")
    if not (reporter and user.can(Cap.ENFORCEMENT_CHANGE)):
        qs = qs.without_reporter()
    return get_object_for_user(qs, user, pk, capability=_cap(write))


def get_case_for_user(user, pk, *, write: bool = False) -> Case:
    return get_object_for_user(
        Case.objects.select_related("township", "tip", "inspection__facility"), user, pk, capability=_cap(write)
    )


def get_inspection_for_user(user, pk, *, write: bool = False) -> Inspection:
    return get_object_for_user(
        Inspection.objects.select_related("facility", "township"), user, pk, capability=_cap(write)
    )


def get_evidence_for_user(user, pk) -> Evidence:
    """Evidence reaches its township through its case: visible when its case is."""
    require_capability(user, Cap.ENFORCEMENT_VIEW)
    case_ids = Case.objects.visible_to(user).values("id")
    try:
        return Evidence.objects.select_related("case__township").get(pk=pk, case_id__in=case_ids)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("enforcement.evidence", pk) from None
