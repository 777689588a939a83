"""One access helper per entity (docs/architecture.md, "The path of a request").

Outside the user's scope → 404; in scope but the role may not change it → 403. Voided records
are still found (their detail page says they are void), merged households too.
"""
from accounts.permissions import OutOfScope, get_object_for_user
from accounts.roles import Cap

from .models import Couple, FollowUpVisit, Household, ImportBatch, Person


def get_household_for_user(user, pk, *, write: bool = False) -> Household:
    return get_object_for_user(
        Household.objects.select_related("village", "township"), user, pk,
        capability=Cap.REGISTER_CHANGE if write else None,
    )


def get_person_for_user(user, pk, *, write: bool = False) -> Person:
    return get_object_for_user(
        Person.objects.select_related("household__village", "household__township"), user, pk,
        capability=Cap.REGISTER_CHANGE if write else None,
    )


def get_couple_for_user(user, pk, *, write: bool = False, visit: bool = False) -> Couple:
    """``write``: change the couple, its surveys or 专人; ``visit``: record a follow-up visit."""
    capability = Cap.REGISTER_CHANGE if write else Cap.VISIT_RECORD if visit else None
    return get_object_for_user(
        Couple.objects.select_related("household__village", "township", "wife", "husband", "responsible"),
        user, pk, capability=capability,
    )


def get_visit_for_user(user, pk, *, write: bool = False) -> FollowUpVisit:
    return get_object_for_user(
        FollowUpVisit.objects.select_related("couple__wife", "couple__husband", "visitor"), user, pk,
        capability=Cap.VISIT_RECORD if write else None,
    )


def get_import_for_user(user, pk) -> ImportBatch:
    return get_object_for_user(ImportBatch.objects.all(), user, pk, capability=Cap.REGISTER_IMPORT)



__all__ = [
    "OutOfScope", "get_household_for_user", "get_person_for_user", "get_couple_for_user",
    "get_visit_for_user", "get_import_for_user",
]
