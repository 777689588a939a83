"""Screening's one scoping rule (screening/scoping.py ``SCREENING``): clinicians the county, a
township's clerks their own, nobody else anything — the same answer for its screenings, the
couples it reaches in households, the couple search and the pathway queue, for every role."""
import pytest

from accounts.scoping import Scope
from screening.models import Screening
from screening.scoping import SCREENING, queue_township, search_township, serves_county
from screening.selectors.queue import pathway_queue
from screening.selectors.screenings import couples_visible, find_couples

from .helpers import assessed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["clerk_a", "clerk_b", "bureau_staff", "clinician", "inspector", "leader", "auditor",
                                 "admin"])
def test_one_rule_answers_every_way_in(cast, couple_a, couple_b, clinician, who):
    for couple in (couple_a, couple_b):
        assessed(couple, clinician)
    user = cast[who]
    expected = {"clinician": {couple_a.pk, couple_b.pk}, "clerk_a": {couple_a.pk}, "clerk_b": {couple_b.pk}}.get(
        who, set())
    assert set(couples_visible(user).values_list("pk", flat=True)) == expected
    assert set(Screening.objects.visible_to(user).values_list("couple_id", flat=True)) == expected
    assert {c.pk for c in pathway_queue(user=user)} == expected
    found = {c.pk for c in find_couples(user=user, q=couple_a.wife.name)} | {
        c.pk for c in find_couples(user=user, q=couple_b.wife.name)}
    assert found == expected
    assert queue_township(user)[0] == bool(expected)
    assert serves_county(user) == (who == "clinician") == (SCREENING.scope_for(user) is Scope.ALL)
    assert search_township(user) == (user.township_id if who.startswith("clerk") else None)
