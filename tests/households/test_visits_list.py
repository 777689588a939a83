"""The follow-up visit list (households:visit_list): scope, search, filters, masking, queries."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from households.services.visits import visit_record

from .querycount import CLERK_REQUEST
from ..factories import RegisterCoupleFactory, UserFactory, VillageFactory

URL = reverse("households:visit_list")
DAY = datetime.timedelta(days=1)


def rows(response):
    return [v.pk for v in response.context["page"].object_list]


def visit(couple, by, days_ago=0, status="not_pregnant"):
    day = timezone.localdate() - days_ago * DAY
    lmp = day - 40 * DAY if status == "pregnant" else None
    return visit_record(couple=couple, by=by, visit_date=day, pregnancy_status=status, last_menstrual_period=lmp)


@pytest.fixture
def couple(village_a, clerk_a):
    return RegisterCoupleFactory(household__village=village_a, household__phone="13912345678", responsible=clerk_a)


def test_clerk_sees_own_township_visits_newest_first_without_void(client_for, clerk_a, clerk_b, couple, village_b):
    older = visit(couple, clerk_a, days_ago=10)
    newer = visit(couple, clerk_a, days_ago=1)
    voided = visit(couple, clerk_a, days_ago=2)
    voided.is_void = True
    voided.save()
    visit(RegisterCoupleFactory(household__village=village_b), clerk_b)

    response = client_for(clerk_a).get(URL)

    assert response.status_code == 200
    assert rows(response) == [newer.pk, older.pk]


def test_visit_list_masks_id_numbers(client_for, clerk_a, couple):
    visit(couple, clerk_a)
    html = client_for(clerk_a).get(URL).content.decode()
    assert couple.wife.id_number not in html
    assert couple.wife.masked_id_number in html


@pytest.mark.parametrize("term", ["wife", "husband", "tail", "full", "13912345678"])
def test_search_visits_by_name_id_and_phone(client_for, clerk_a, village_a, couple, term):
    mine = visit(couple, clerk_a)
    other = visit(RegisterCoupleFactory(household__village=village_a, household__phone="13700000000"), clerk_a)
    q = {"wife": couple.wife.name, "husband": couple.husband.name, "tail": couple.wife.id_number[-4:],
         "full": couple.wife.id_number}.get(term, term)

    found = rows(client_for(clerk_a).get(URL, {"q": q}))

    assert mine.pk in found
    assert other.pk not in found


def test_filters_village_status_visitor_and_dates(client_for, clerk_a, township_a, village_a, couple):
    colleague = UserFactory(role=Role.CLERK, township=township_a)
    village_2 = VillageFactory(township=township_a)
    c2 = RegisterCoupleFactory(household__village=village_2)
    a = visit(couple, clerk_a, days_ago=20)
    b = visit(c2, colleague, days_ago=3, status="pregnant")
    today = timezone.localdate()
    client = client_for(clerk_a)

    assert rows(client.get(URL, {"village": village_2.pk})) == [b.pk]
    assert rows(client.get(URL, {"pregnancy_status": "pregnant"})) == [b.pk]
    assert rows(client.get(URL, {"visitor": clerk_a.pk})) == [a.pk]
    assert rows(client.get(URL, {"date_from": (today - 5 * DAY).isoformat()})) == [b.pk]
    assert rows(client.get(URL, {"date_to": (today - 5 * DAY).isoformat()})) == [a.pk]


def test_reversed_date_range_is_an_error_not_a_500(client_for, clerk_a, couple):
    visit(couple, clerk_a)
    response = client_for(clerk_a).get(URL, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_other_township_village_or_visitor_in_filter_is_404(client_for, clerk_a, clerk_b, village_b):
    client = client_for(clerk_a)
    assert client.get(URL, {"village": village_b.pk}).status_code == 404
    assert client.get(URL, {"visitor": clerk_b.pk}).status_code == 404


@pytest.mark.parametrize("who", ["bureau_staff", "leader", "clinician", "inspector", "auditor", "admin_user"])
def test_visit_list_is_for_clerks_only(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_visit_list_refuses_post_and_needs_login(client, client_for, clerk_a):
    assert client.get(URL).status_code == 302
    assert client_for(clerk_a).post(URL).status_code == 405


def test_visit_list_query_count_does_not_grow_with_rows(client_for, clerk_a, village_a,
                                                        django_assert_num_queries, settings):
    settings.HOUSEHOLDS_PAGE_SIZE = 50
    client = client_for(clerk_a)
    for _ in range(5):
        visit(RegisterCoupleFactory(household__village=village_a), clerk_a)
    client.get(URL)
    with django_assert_num_queries(CLERK_REQUEST + 4):  # village and visitor choices, keys with the capped total, rows
        assert len(rows(client.get(URL))) == 5
    for _ in range(25):
        visit(RegisterCoupleFactory(household__village=village_a), clerk_a)
    with django_assert_num_queries(CLERK_REQUEST + 4):
        assert len(rows(client.get(URL))) == 30


def test_a_wrong_date_is_reported_and_the_other_filters_still_apply(client_for, clerk_a, village_a, couple):
    pregnant = visit(couple, clerk_a, days_ago=3, status="pregnant")
    visit(RegisterCoupleFactory(household__village=village_a), clerk_a, days_ago=3)
    client = client_for(clerk_a)

    response = client.get(URL, {"pregnancy_status": "pregnant", "date_from": "2024-13-45"})

    # It used to drop every filter and show the whole list.
    assert response.status_code == 200
    assert rows(response) == [pregnant.pk]
    error = response.context["form"].errors["date_from"][0]
    assert error in response.content.decode()  # shown next to the field
    # The export of the same filters still refuses rather than guess.
    export = client.get(reverse("households:export_visits"), {"pregnancy_status": "pregnant", "date_from": "2024-13-45"})
    assert export.status_code == 400


def test_filter_by_a_deactivated_colleague_is_a_form_error_not_a_404(client_for, clerk_a, township_a, couple):
    colleague = UserFactory(role=Role.CLERK, township=township_a)
    visit(couple, colleague)
    colleague.is_active = False
    colleague.save()

    response = client_for(clerk_a).get(URL, {"visitor": colleague.pk})

    assert response.status_code == 200
    assert "visitor" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_filter_by_a_visitor_of_another_township_is_404(client_for, clerk_a, clerk_b):
    assert client_for(clerk_a).get(URL, {"visitor": clerk_b.pk}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=clerk_a).exists()
