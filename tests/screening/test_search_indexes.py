"""The screening searches find couples by index, county-wide for a clinician and inside the
township for a clerk: ``couples_matching`` is ``id IN (wife UNION husband UNION household phone)``,
each part answered from its own index (not an OR across joins, which read every screening or
couple of the county: 500 ms for the screening list's search and 1.3 s for "find a couple" at
full-county scale). Plans, not timings, as in tests/households/test_search_indexes.py."""
import pytest

from households.models import Couple, Person
from households.selectors.register import person_match
from screening.selectors.queue import pathway_queue
from screening.selectors.screenings import couples_matching, find_couples, screening_list

from ..households.test_search_indexes import people, plan  # noqa: F401 - the shared fixture and helper

pytestmark = pytest.mark.django_db
TERM = "秀英"


def test_name_search_is_a_union_of_indexed_parts(people, clinician, clerk_a):  # noqa: F811
    found = set(Couple.objects.filter(pk__in=couples_matching(TERM)).values_list("pk", flat=True))
    assert found and found == set(Couple.objects.filter(wife__name__contains=TERM).values_list("pk", flat=True)) | set(
        Couple.objects.filter(husband__name__contains=TERM).values_list("pk", flat=True))
    # Each part's people come from the characters' GIN index…
    assert "households_person_name_chars" in plan(Person.objects.filter(person_match(TERM)).order_by())
    # …and every page's search is that union (no OR across the joins), reading no table whole.
    for queryset in (find_couples(user=clinician, q=TERM), screening_list(user=clinician, q=TERM),
                     pathway_queue(user=clerk_a, q=TERM)):
        sql = str(queryset.query)
        assert "UNION" in sql and sql.count("LIKE") == 2, sql
        text = plan(queryset)
        for table in ("households_person", "households_couple"):
            assert f"Seq Scan on {table}" not in text, text


def test_phone_search_adds_the_households_phone_and_nothing_else(people, clinician):  # noqa: F811
    sql = str(couples_matching(people[30].phone[3:10]).query)
    assert sql.count("UNION") == 2 and "name" not in sql
    sql = str(couples_matching(people[10].id_number).query)  # a whole ID number: the unique index only
    assert sql.count("UNION") == 1 and "phone" not in sql and "name" not in sql


def test_clerk_search_stays_in_the_township(people, clerk_a):  # noqa: F811
    found = Couple.objects.filter(pk__in=couples_matching(TERM, township_id=clerk_a.township_id))
    assert found.exists()
    assert set(found.values_list("township_id", flat=True)) == {clerk_a.township_id}
