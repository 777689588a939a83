"""core.pagination: keyset pages walk the whole list both ways, the total is capped, old links work."""
import datetime
import re

import pytest
from django.test import RequestFactory

from accounts.models import AuditEvent
from core.pagination import paginate

pytestmark = pytest.mark.django_db
rf = RequestFactory()


@pytest.fixture
def events(clerk_a):
    AuditEvent.objects.bulk_create(
        AuditEvent(user=clerk_a, username="clerk_a", action="view", object_id=str(i)) for i in range(23))
    # Same timestamps for some rows: the primary key breaks the ties.
    return AuditEvent.objects.order_by("-at", "-id")


def page_for(queryset, query: str, per_page=5, **kwargs):
    return paginate(rf.get("/list/?" + query), queryset, per_page, **kwargs)


def ids(page):
    return [e.pk for e in page]


def test_next_links_walk_every_row_once_in_order(events):
    expected = list(events.values_list("pk", flat=True))
    seen, page = [], page_for(events, "")
    assert page.number == 1 and not page.has_previous() and page.count == 23
    while True:
        seen += ids(page)
        if not page.has_next():
            break
        page = page_for(events, page.next_query)
    assert seen == expected


def test_previous_links_walk_back_from_the_last_page(events):
    expected = list(events.values_list("pk", flat=True))
    page = page_for(events, "page=last")
    assert ids(page) == expected[-5:] and not page.has_next() and page.has_previous()
    seen = []
    while True:
        seen = ids(page) + seen
        if not page.has_previous():
            break
        page = page_for(events, page.previous_query)
    assert seen == expected


def test_links_keep_the_filters_and_drop_old_page_parameters(events):
    page = paginate(rf.get("/list/?user=clerk_a&page=1&after=zzz"), events, 5)
    assert page.next_query.startswith("user=clerk_a&after=")
    assert page.first_query == "user=clerk_a" and page.last_query == "user=clerk_a&page=last"


def test_a_damaged_cursor_gives_the_first_page(events):
    first = page_for(events, "")
    for junk in ("after=%%%", "after=W10", "before=eyJ4IjoxfQ", "after=WyJub3QgYSBkYXRlIiwxXQ"):
        assert ids(page_for(events, junk)) == ids(first)


def test_numbered_pages_still_work_for_old_links(events):
    expected = list(events.values_list("pk", flat=True))
    assert ids(page_for(events, "page=2")) == expected[5:10]
    # Past the end: the last page, the one the "last" link shows (read backwards, no count of the rows before).
    assert ids(page_for(events, "page=99")) == ids(page_for(events, "page=last")) == expected[-5:]


def test_total_is_capped_and_labelled(events, settings):
    page = page_for(events, "", count_cap=10)
    assert page.count == 10 and page.count_capped and page.count_label == "10+"
    assert page_for(events, "after=" + page_for(events, "").next_cursor, count_cap=10).count_label == "10+"
    assert page_for(events, "").count_label == "23"
    settings.PAGINATION_COUNT_CAP = 1000
    AuditEvent.objects.bulk_create(AuditEvent(username="x", action="login") for _ in range(1000))
    assert page_for(AuditEvent.objects.order_by("-at", "-id"), "").count_label == "1,000+"


def test_an_ordering_without_the_primary_key_pages_by_offset(events):
    queryset = AuditEvent.objects.order_by("object_id")  # no unique tail: keyset cannot page it
    page = page_for(queryset, "")
    assert page.next_query.endswith("page=2") and len(page) == 5
    assert ids(page_for(queryset, "page=2")) == list(queryset.values_list("pk", flat=True))[5:10]


def test_the_template_links_are_the_keyset_ones(client_for, clerk_a, village_a):
    from tests.factories import HouseholdFactory

    for _ in range(30):
        HouseholdFactory(village=village_a)
    html = client_for(clerk_a).get("/households/").content.decode()
    assert re.search(r'href="\?after=[\w-]+"[^>]*data-testid="page-next"', html)
    assert 'href="?page=last"' in html


def test_values_querysets_page_by_offset(events):
    page = page_for(events.values("pk", "object_id"), "")
    assert len(page) == 5 and page.next_query.endswith("page=2") and page.count == 23


def test_null_sort_values_page_through_every_row_both_ways(clerk_a, village_a):
    """A sort column with NULLs (couples without a due date): keyset links still visit every row
    once, forwards and backwards, in the database's own order."""
    from households.models import Couple
    from tests.factories import RegisterCoupleFactory

    for n in range(12):
        RegisterCoupleFactory(household__village=village_a,
                              next_visit_due=None if n % 3 == 0 else datetime.date(2026, 1, 1 + n % 5))
    queryset = Couple.objects.order_by("next_visit_due", "id")
    expected = list(queryset.values_list("pk", flat=True))
    seen, page = [], page_for(queryset, "", per_page=5)
    while True:
        seen += [c.pk for c in page]
        if not page.has_next():
            break
        page = page_for(queryset, page.next_query, per_page=5)
    assert seen == expected
    seen, page = [], page_for(queryset, "page=last", per_page=5)
    while True:
        seen = [c.pk for c in page] + seen
        if not page.has_previous():
            break
        page = page_for(queryset, page.previous_query, per_page=5)
    assert seen == expected
    descending = Couple.objects.order_by("-next_visit_due", "-id")
    seen, page = [], page_for(descending, "", per_page=5)
    while True:
        seen += [c.pk for c in page]
        if not page.has_next():
            break
        page = page_for(descending, page.next_query, per_page=5)
    assert seen == list(descending.values_list("pk", flat=True))


HOSTILE_PAGES = ["999999999999999999", "9" * 40, "99999", "0", "-1", "abc", "²", "١٢", "1e9", "1.5", "%00",
                 "\x00", "last", "LAST", "", " 2", "NaN"]


@pytest.mark.parametrize("value", HOSTILE_PAGES)
def test_no_page_value_is_an_error_keyset_or_offset(events, value):
    """Issue #22 finding 4: ``?page=999999999999999999`` was "bigint out of range" (a 500)."""
    expected = list(events.values_list("pk", flat=True))
    for queryset in (events, AuditEvent.objects.order_by("-at")):  # keyset, and OFFSET (no pk last)
        page = paginate(rf.get("/list/", {"page": value}), queryset, 5)
        assert len(page) in (3, 5)  # the OFFSET list's last page holds the last 3 of 23
        if value in ("999999999999999999", "9" * 40, "99999", "last"):
            assert not page.has_next()
            if queryset is events:
                assert ids(page) == expected[-5:]


def test_a_numbered_page_just_past_the_end_answers_the_last_page(events):
    expected = list(events.values_list("pk", flat=True))
    page = page_for(events, "page=6")
    assert ids(page) == expected[-5:] and not page.has_next() and page.has_previous()
    assert ids(page_for(events, page.previous_query)) == expected[-10:-5]
