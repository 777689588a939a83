"""Leader statistics (households:stats): numbers checked against a small hand-built dataset, one query."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import FollowUpVisit
from households.selectors.visits import stats_total, township_stats

from .querycount import REQUEST
from ..factories import HouseholdFactory, RegisterCoupleFactory, TownshipFactory, VillageFactory

URL = reverse("households:stats")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def dataset(village_a, village_b, clerk_a, clerk_b):
    """Township A: 6 active households (+1 void); in register: timing 1 ×2 (one overdue), 3 ×1,
    plus one void and one not in register; 2 visits this month (+1 void, +1 last month).
    Township B: 1 household, one couple timing 4, overdue, no visits. Township C: nothing."""
    today = timezone.localdate()
    a1 = RegisterCoupleFactory(household__village=village_a, planned_timing="1", next_visit_due=today - 5 * DAY)
    a2 = RegisterCoupleFactory(household__village=village_a, planned_timing="1", next_visit_due=today)
    RegisterCoupleFactory(household__village=village_a, planned_timing="3", next_visit_due=today + 10 * DAY)
    RegisterCoupleFactory(household__village=village_a, in_register=False, planned_timing="5",
                          next_visit_due=today - 20 * DAY)  # not in register: neither counted nor overdue
    HouseholdFactory(village=village_a)
    HouseholdFactory(village=village_a, is_void=True)
    void_couple = RegisterCoupleFactory(household__village=village_a, planned_timing="2", is_void=True,
                                        next_visit_due=today - 9 * DAY)
    # …whose household still counts (the void is on the couple): 5 couples' + 1 = 6 active households.
    first = today.replace(day=1)
    for couple, day, void in ((a1, first, False), (a2, today, False), (a2, today, True)):
        FollowUpVisit.objects.create(couple=couple, visitor=clerk_a, visit_date=day, pregnancy_status="not_pregnant",
                                     next_due=day + 90 * DAY, is_void=void)
    FollowUpVisit.objects.create(couple=a1, visitor=clerk_a, visit_date=first - DAY, pregnancy_status="not_pregnant",
                                 next_due=first + 89 * DAY)  # last month
    RegisterCoupleFactory(household__village=village_b, planned_timing="4", next_visit_due=today - DAY)
    township_c = TownshipFactory(code="411099003", name="西关镇")
    VillageFactory(township=township_c)
    TownshipFactory(code="411099009", name="旧镇", is_active=False)
    return {"void_couple": void_couple}


EXPECTED = {
    "城关镇": dict(household_count=6, register_count=3, timing_1=2, timing_2=0, timing_3=1, timing_4=0, visits_month=2, overdue=1),
    "东关街道": dict(household_count=1, register_count=1, timing_1=0, timing_2=0, timing_3=0, timing_4=1, visits_month=0, overdue=1),
    "西关镇": dict(household_count=0, register_count=0, timing_1=0, timing_2=0, timing_3=0, timing_4=0, visits_month=0, overdue=0),
}


def as_table(rows):
    return {r.name: {col: getattr(r, col) for col in EXPECTED["城关镇"]} for r in rows}


def test_stats_numbers_match_the_hand_built_dataset_in_one_query(dataset, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(township_stats(on=timezone.localdate()))
    assert as_table(rows) == EXPECTED  # the inactive township is not listed
    assert stats_total(rows) == dict(household_count=7, register_count=4, timing_1=2, timing_2=0, timing_3=1, timing_4=1,
                                     visits_month=2, overdue=2)


def test_leader_sees_the_table_with_county_total(client_for, leader, dataset, django_assert_num_queries):
    client = client_for(leader)
    client.get(URL)
    with django_assert_num_queries(REQUEST + 1):  # the whole table is one query
        response = client.get(URL)
    assert response.status_code == 200
    assert as_table(response.context["rows"]) == EXPECTED
    html = response.content.decode()
    assert 'data-testid="stats-total"' in html
    assert "全县合计" in html and "西关镇" in html and "旧镇" not in html


def test_stats_show_no_personal_data(client_for, leader, dataset):
    html = client_for(leader).get(URL).content.decode()
    assert dataset["void_couple"].wife.name not in html


@pytest.mark.parametrize("who", ["clerk_a", "bureau_staff", "clinician", "inspector", "auditor", "admin_user"])
def test_stats_are_for_leaders_only(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_stats_refuse_post_and_need_login(client, client_for, leader):
    assert client.get(URL).status_code == 302
    assert client_for(leader).post(URL).status_code == 405
