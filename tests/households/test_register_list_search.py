"""One search rule for every list (households, register, visits, outreach households): a name
(contains), an ID number whole or exactly its last 4 characters, or 4+ digits of a phone.

The masked ID number every list shows keeps the area code and the last 4 characters; a search
that took 5 to 17 trailing characters would let anyone recover the hidden birth date one digit
at a time, without opening a detail page and so without an audit row.
"""
import datetime

import pytest
from django.urls import reverse

from households.models import Household
from households.selectors.register import household_search

from ..factories import (
    FollowUpVisitFactory, HouseholdFactory, PersonFactory, RegisterCoupleFactory, WorkGroupFactory, id_number,
)

LISTS = {
    # list → (url name, who looks)
    "households": ("households:household_list", "clerk_a"),
    "register": ("households:register_list", "clerk_a"),
    "visits": ("households:visit_list", "clerk_a"),
    "outreach": ("households:outreach_households", "bureau_staff"),
}


@pytest.fixture
def target(village_a, bureau_staff):
    """A couple in the register with a visit; its wife's ID has a birth date no factory uses."""
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    couple = RegisterCoupleFactory(household__village=village_a, household__phone="13912345678")
    birth = datetime.date(1987, 12, 29)
    couple.wife.name, couple.wife.birth_date = "孙丽华", birth
    couple.wife.id_number = id_number(733, sex="2", birth=birth)
    couple.wife.save()
    FollowUpVisitFactory(couple=couple)
    noise = RegisterCoupleFactory(household__village=village_a, household__phone="13700000000")
    FollowUpVisitFactory(couple=noise)
    return couple


def found(request, which: str, q: str) -> bool:
    """Whether the list ``which`` shows the target couple (or its household) for ``q``."""
    couple = request.getfixturevalue("target")
    url_name, who = LISTS[which]
    client = request.getfixturevalue("client_for")(request.getfixturevalue(who))
    response = client.get(reverse(url_name), {"q": q})
    assert response.status_code == 200
    objects = list(response.context["page"].object_list)
    if which in ("households", "outreach"):
        return couple.household_id in [h.pk for h in objects]
    if which == "register":
        return couple.pk in [c.pk for c in objects]
    return couple.pk in [v.couple_id for v in objects]


@pytest.mark.parametrize("which", LISTS)
@pytest.mark.parametrize("length", [5, 6, 8, 10, 14, 17])
def test_no_list_finds_a_person_by_an_id_tail_longer_than_four(request, target, which, length):
    assert not found(request, which, target.wife.id_number[-length:])


@pytest.mark.parametrize("which", LISTS)
def test_every_list_finds_by_the_whole_id_number_or_its_last_four(request, target, which):
    number = target.wife.id_number
    assert found(request, which, number)
    assert found(request, which, number[-4:])
    assert found(request, which, f" {number.lower()} ")  # blanks and a lower-case x are forgiven


@pytest.mark.parametrize("which", LISTS)
def test_every_list_finds_by_four_digits_of_the_phone(request, target, which):
    # The register and visit lists used to want 5+ digits where the household list took 4.
    assert found(request, which, "5678")
    assert not found(request, which, "567")


@pytest.mark.parametrize("which", LISTS)
def test_every_list_finds_by_name(request, target, which):
    assert found(request, which, "丽华")


def test_household_search_looks_at_members_in_the_users_scope_only(clerk_a, bureau_staff, village_a, village_b):
    WorkGroupFactory(villages=[village_a], members=[bureau_staff])
    here = HouseholdFactory(village=village_a)
    there = HouseholdFactory(village=village_b)
    PersonFactory(household=here, name="周同名")
    PersonFactory(household=there, name="周同名")

    # Without the list's own scoping, the member subquery alone must not reach another township.
    for user in (clerk_a, bureau_staff):
        matched = set(Household.objects.filter(household_search("周同名", user=user)).values_list("pk", flat=True))
        assert matched == {here.pk}, user
