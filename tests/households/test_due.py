"""Due and overdue (households:due_mine, households:due_township) and their selectors."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from households.selectors.visits import couples_due_for_visit, due_counts, township_due_list, week_end

from .querycount import CLERK_REQUEST
from ..factories import RegisterCoupleFactory, UserFactory

MINE = reverse("households:due_mine")
TOWNSHIP = reverse("households:due_township")
DAY = datetime.timedelta(days=1)


def rows(response):
    return [c.pk for c in response.context["page"].object_list]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def colleague(township_a):
    return UserFactory(role=Role.CLERK, township=township_a, name="赵敏")


@pytest.fixture
def cast_of_couples(village_a, village_b, clerk_a, clerk_b, colleague, today):
    def due(days, staff=clerk_a, village=village_a, **kw):
        return RegisterCoupleFactory(household__village=village, responsible=staff, next_visit_due=today + days * DAY, **kw)

    return {
        "overdue_40": due(-40),
        "overdue_3": due(-3),
        "today": due(0),
        "sunday": RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=week_end(today)),
        "next_monday": RegisterCoupleFactory(household__village=village_a, responsible=clerk_a,
                                             next_visit_due=week_end(today) + DAY),
        "colleague_overdue": due(-10, staff=colleague),
        "void": due(-50, is_void=True),
        "left_register": due(-60, in_register=False),
        "other_township": due(-30, staff=clerk_b, village=village_b),
    }


def test_week_end_is_the_coming_sunday():
    assert week_end(datetime.date(2025, 6, 2)) == datetime.date(2025, 6, 8)  # Monday
    assert week_end(datetime.date(2025, 6, 8)) == datetime.date(2025, 6, 8)  # Sunday itself


def test_due_mine_selector_most_overdue_first_through_sunday(clerk_a, cast_of_couples, today):
    c = cast_of_couples
    found = [x.pk for x in couples_due_for_visit(user=clerk_a, on=today)]
    # On a Sunday "today" and "sunday" fall on one date and the id breaks the tie: same order.
    assert found == [c["overdue_40"].pk, c["overdue_3"].pk, c["today"].pk, c["sunday"].pk]


def test_township_selector_includes_colleagues_and_filters_by_staff(clerk_a, colleague, cast_of_couples, today):
    c = cast_of_couples
    everyone = [x.pk for x in township_due_list(user=clerk_a, on=today)]
    assert everyone[:3] == [c["overdue_40"].pk, c["colleague_overdue"].pk, c["overdue_3"].pk]
    assert c["next_monday"].pk not in everyone and c["other_township"].pk not in everyone
    assert [x.pk for x in township_due_list(user=clerk_a, on=today, staff=colleague)] == [c["colleague_overdue"].pk]


def test_due_counts_for_the_home_page(clerk_a, cast_of_couples, today, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = due_counts(user=clerk_a, on=today)
    assert counts == {"overdue": 2, "due_this_week": 2}


def test_clerk_due_list_shows_own_couples_most_overdue_first(client_for, clerk_a, cast_of_couples, today):
    c = cast_of_couples
    response = client_for(clerk_a).get(MINE)

    assert response.status_code == 200
    found = rows(response)
    assert found[:2] == [c["overdue_40"].pk, c["overdue_3"].pk]
    assert set(found) == {c["overdue_40"].pk, c["overdue_3"].pk, c["today"].pk, c["sunday"].pk}
    html = response.content.decode()
    assert 'data-days="40"' in html and 'data-days="3"' in html
    # one tap from each row to the visit form, coming back to this list afterwards
    assert f'{reverse("households:visit_create", args=[c["overdue_40"].pk])}?next=/households/due/' in html


def test_due_list_masks_id_numbers(client_for, clerk_a, cast_of_couples):
    html = client_for(clerk_a).get(MINE).content.decode()
    wife = cast_of_couples["overdue_40"].wife
    assert wife.id_number not in html
    assert wife.masked_id_number in html


def test_township_due_list_has_colleagues_and_the_staff_column(client_for, clerk_a, colleague, cast_of_couples):
    c = cast_of_couples
    client = client_for(clerk_a)
    response = client.get(TOWNSHIP)

    assert response.status_code == 200
    assert c["colleague_overdue"].pk in rows(response)
    assert c["other_township"].pk not in rows(response)
    assert "赵敏" in response.content.decode()
    assert rows(client.get(TOWNSHIP, {"staff": colleague.pk})) == [c["colleague_overdue"].pk]


def test_township_due_filter_by_other_township_staff_is_404(client_for, clerk_a, clerk_b):
    assert client_for(clerk_a).get(TOWNSHIP, {"staff": clerk_b.pk}).status_code == 404


def test_other_clerk_sees_none_of_clerk_a_couples(client_for, clerk_b, cast_of_couples):
    found = rows(client_for(clerk_b).get(MINE))
    assert found == [cast_of_couples["other_township"].pk]


@pytest.mark.parametrize("url", [MINE, TOWNSHIP])
@pytest.mark.parametrize("who", ["bureau_staff", "leader", "clinician", "auditor"])
def test_due_lists_are_for_clerks_only(request, client_for, who, url):
    assert client_for(request.getfixturevalue(who)).get(url).status_code == 403


@pytest.mark.parametrize("url", [MINE, TOWNSHIP])
def test_due_lists_refuse_post_and_need_login(client, client_for, clerk_a, url):
    assert client.get(url).status_code == 302
    assert client_for(clerk_a).post(url).status_code == 405


@pytest.mark.parametrize("url", [MINE, TOWNSHIP])
def test_due_lists_query_count_does_not_grow_with_rows(client_for, clerk_a, village_a, today, url,
                                                       django_assert_num_queries, settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 50
    client = client_for(clerk_a)
    for n in range(5):
        RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=today - n * DAY)
    client.get(url)
    expected = CLERK_REQUEST + (2 if url == MINE else 3)  # keys with the capped total, rows (+ staff choices)
    with django_assert_num_queries(expected):
        assert len(rows(client.get(url))) == 5
    for n in range(25):
        RegisterCoupleFactory(household__village=village_a, responsible=clerk_a, next_visit_due=today - n * DAY)
    with django_assert_num_queries(expected):
        assert len(rows(client.get(url))) == 30


def test_township_due_filter_by_deactivated_colleague_is_a_form_error_not_404(client_for, clerk_a, colleague,
                                                                              cast_of_couples):
    colleague.is_active = False
    colleague.save()

    response = client_for(clerk_a).get(TOWNSHIP, {"staff": colleague.pk})

    assert response.status_code == 200
    assert "staff" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_township_due_list_flags_couples_whose_staff_left(client_for, clerk_a, colleague, township_b, village_a,
                                                          cast_of_couples, today):
    moved = UserFactory(role=Role.CLERK, township=township_b)
    with_moved = RegisterCoupleFactory(household__village=village_a, responsible=moved, next_visit_due=today - DAY)
    colleague.is_active = False
    colleague.save()

    response = client_for(clerk_a).get(TOWNSHIP)

    html = response.content.decode()
    flagged = {int(m) for m in re.findall(
        r'data-couple="(\d+)"(?:(?!data-testid="due-row").)*?data-testid="responsible-gone"', html, re.S)}
    assert flagged == {cast_of_couples["colleague_overdue"].pk, with_moved.pk}
    assert "责任人已离岗" in html
    assert f'href="/households/couples/{with_moved.pk}/assign/"' in html


def test_my_due_list_shows_no_staff_badge(client_for, clerk_a, cast_of_couples):
    assert 'data-testid="responsible-gone"' not in client_for(clerk_a).get(MINE).content.decode()
