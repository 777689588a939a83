"""One access helper per entity (docs/architecture.md, "The path of a request"): outside scope → 404, wrong role → 403.

Clinicians reach every couple and screening of the county; a clerk those of their township, and
only with ``Cap.SCREENING_VIEW`` (status), never ``Cap.SCREENING_RESULTS`` (lab values).
"""
from accounts.permissions import OutOfScope, get_object_for_user, require_capability
from accounts.roles import Cap

from .models import EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening, Screening
from .selectors.screenings import couples_visible


def get_couple_for_user(user, pk, *, write: bool = False):
    """A couple as screening sees it; ``write``: start a screening for it (clinicians)."""
    require_capability(user, Cap.SCREENING_VIEW)
    try:
        couple = couples_visible(user).get(pk=pk)
    except (couples_visible(user).model.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("households.couple", pk) from None
    if write:
        require_capability(user, Cap.SCREENING_CHANGE, obj=couple)
    return couple


def get_screening_for_user(user, pk, *, results: bool = False, write: bool = False) -> Screening:
    """``results``: read lab values and risk factors; ``write``: change the screening."""
    capability = Cap.SCREENING_CHANGE if write else Cap.SCREENING_RESULTS if results else Cap.SCREENING_VIEW
    return get_object_for_user(
        Screening.objects.select_related("couple__wife", "couple__husband", "couple__household__village",
                                         "township", "doctor"),
        user, pk, capability=capability)


def get_follow_up_for_user(user, model, pk, *, write: bool = False):
    assert model in (EarlyPregnancyFollowUp, OutcomeFollowUp, PrenatalScreening)
    return get_object_for_user(model.objects.select_related("screening"), user, pk,
                               capability=Cap.SCREENING_CHANGE if write else Cap.SCREENING_RESULTS)
