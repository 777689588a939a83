"""List pages cost the same number of queries at any size (pinned)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import RegisterCoupleFactory
from ..households.querycount import CLERK_REQUEST, REQUEST
from .helpers import assessed, start

pytestmark = pytest.mark.django_db


def grow(village, clinician, n):
    for i in range(n):
        couple = RegisterCoupleFactory(household__village=village)
        if i % 3 == 0:
            assessed(couple, clinician, high=i % 2 == 0)
        elif i % 3 == 1:
            start(couple, clinician)


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The page's own queries on top of the request's: the stored next steps a date made stale (none
# here: services.pathway_state), the page's keys with the capped total in the same read (keyset
# paging, core.pagination) and the page's couples; a clinician's page adds the township filter's
# choices (count and rows).
QUEUE = 3
TOWNSHIP_FILTER = 2
SCREENING_LIST = 2 + TOWNSHIP_FILTER


@pytest.mark.parametrize("who,base", [("clerk_a", CLERK_REQUEST), ("clinician", REQUEST + TOWNSHIP_FILTER)])
def test_queue_is_constant(client_for, cast, village_a, clinician, who, base, django_assert_num_queries):
    client = client_for(cast[who])
    grow(village_a, clinician, 3)
    with django_assert_num_queries(base + QUEUE):
        client.get(reverse("screening:queue"))
    grow(village_a, clinician, 9)
    with django_assert_num_queries(base + QUEUE):
        client.get(reverse("screening:queue"))
    # The last page reads the order backwards: the same queries, no COUNT(*) and no OFFSET.
    with django_assert_num_queries(base + QUEUE):
        client.get(reverse("screening:queue") + "?page=last")


def test_queue_pages_by_keyset_in_the_queue_order(client_for, clinician, village_a, settings):
    """Every couple with a next step once, in the queue's order, walking the pages forwards and
    backwards (the order's rank and due date are computed values: the cursor carries them)."""
    from django.utils import timezone

    from screening.selectors.queue import pathway_queue

    settings.HOUSEHOLDS_PAGE_SIZE = 4
    grow(village_a, clinician, 14)
    expected = list(pathway_queue(user=clinician, today=timezone.localdate()).values_list("pk", flat=True))
    assert len(expected) > 8
    client = client_for(clinician)
    seen, url = [], reverse("screening:queue")
    while url:
        page = client.get(url).context["page"]
        seen += [row.pk for row in page]
        url = reverse("screening:queue") + "?" + page.next_query if page.has_next() else None
    assert seen == expected
    last = client.get(reverse("screening:queue") + "?page=last").context["page"]
    assert [row.pk for row in last] == expected[-4:]
    back = client.get(reverse("screening:queue") + "?" + last.previous_query).context["page"]
    assert [row.pk for row in back] + [row.pk for row in last] == expected[-(len(back) + len(last)):]


def test_screening_list_is_constant(client_for, clinician, village_a, django_assert_num_queries):
    client = client_for(clinician)
    grow(village_a, clinician, 3)
    small = count(client, reverse("screening:screening_list"))
    grow(village_a, clinician, 9)
    with django_assert_num_queries(small):
        client.get(reverse("screening:screening_list"))
    assert small == REQUEST + SCREENING_LIST


def test_find_is_constant(client_for, clinician, village_a):
    client = client_for(clinician)
    grow(village_a, clinician, 3)
    small = count(client, reverse("screening:find") + "?q=成员")
    grow(village_a, clinician, 9)
    assert count(client, reverse("screening:find") + "?q=成员") == small


def test_rate_list_is_constant(client_for, leader, village_a, clinician):
    client = client_for(leader)
    url = reverse("screening:rate_list_screened") + "?start=2020-01-01&end=2029-12-31"
    grow(village_a, clinician, 3)
    client.get(url)  # warm-up: per-user lookups cached for later requests (the assessor grant) are not the list's
    small = count(client, url)
    grow(village_a, clinician, 9)
    assert count(client, url) == small


def test_results_entry_and_assessment_pages_are_constant(client_for, couple_a, clinician, django_assert_num_queries):
    """The results page reads the catalogue and the screening's results once, however many are
    entered; the assessment reads the results and the rules once for proposals and notes."""
    from screening.services.screenings import results_save

    from .helpers import full_values

    client = client_for(clinician)
    screening = start(couple_a, clinician)
    url = reverse("screening:results", args=[screening.pk])
    client.get(url)  # warm-up: per-user lookups cached for later requests
    empty = count(client, url)
    results_save(screening=screening, by=clinician, expected_version=screening.version,
                 values=full_values(screening, female__hb="90", female__alt="3", male__u_ket="1+"), finish=True)
    with django_assert_num_queries(empty):
        client.get(url)
    assess = reverse("screening:assess", args=[screening.pk])
    client.get(assess)
    few = count(client, assess)
    other = start(RegisterCoupleFactory(household__village=couple_a.household.village), clinician)
    results_save(screening=other, by=clinician, expected_version=other.version,
                 values=full_values(other, female__vag_clue="pos", female__vag_amine="pos", male__dbp="95",
                                    female__plt="40"), finish=True)
    with django_assert_num_queries(few):
        client.get(reverse("screening:assess", args=[other.pk]))
