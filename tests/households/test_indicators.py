"""The register's scorecard indicators (households/indicators.py) against a hand-built fixture, one
query each, and their drill-down: masked, read-only, audited, leaders only."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.indicators import compute_periods
from households import indicators as ind
from households.models import FollowUpVisit

from ..factories import OutreachVisitFactory, RegisterCoupleFactory

D = datetime.date
START, END = D(2026, 3, 1), D(2026, 3, 8)  # the week 1–7 March


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def visit(couple, day, status="not_pregnant", next_due=None, **kw):
    return FollowUpVisit.objects.create(
        couple=couple, visitor=couple.responsible or couple.created_by, visit_date=day, pregnancy_status=status,
        last_menstrual_period=day - datetime.timedelta(days=40) if status == "pregnant" else None,
        next_due=next_due or day + datetime.timedelta(days=30), **kw)


@pytest.fixture
def fixture(village_a, village_b, clerk_a, clerk_b):
    """Township A: c1 (registered in Feb, due 3-03), c2 (added 3-02, due 2-10: overdue > 14 days),
    c3 added 3-03 not in the register, c4 void. Visits: c1 on 1 Jan (due 3-01), on 3-01 finds a
    pregnancy (on time), on 3-05 still pregnant (on time, not a new pregnancy); c2's first visit on
    3-04 (no due date yet: not in the on-time share) and a void one. One outreach visit in the week,
    one before. Township B: b1 with a visit on 3-06 after a due date of 3-01 (late)."""
    kw = dict(created_by=clerk_a, responsible=clerk_a)
    c1 = RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 2, 1)),
                               next_visit_due=D(2026, 3, 3), **kw)
    c2 = RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 3, 2)),
                               next_visit_due=D(2026, 2, 10), **kw)
    RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 3, 3)), in_register=False, **kw)
    RegisterCoupleFactory(household__village=village_a, created_at=at(D(2026, 3, 3)), is_void=True,
                          next_visit_due=D(2026, 1, 1), **kw)
    visit(c1, D(2026, 1, 1), next_due=D(2026, 3, 1))
    visit(c1, D(2026, 3, 1), "pregnant")
    visit(c1, D(2026, 3, 5), "pregnant")
    visit(c2, D(2026, 3, 4))
    visit(c2, D(2026, 3, 4), is_void=True)
    OutreachVisitFactory(household=c1.household, visit_date=D(2026, 3, 2))
    OutreachVisitFactory(household=c1.household, visit_date=D(2026, 2, 28))
    b1 = RegisterCoupleFactory(household__village=village_b, created_at=at(D(2026, 1, 1)), next_visit_due=D(2026, 4, 1),
                               created_by=clerk_b, responsible=clerk_b)
    visit(b1, D(2026, 2, 1), next_due=D(2026, 3, 1))
    visit(b1, D(2026, 3, 6))
    return {"a": village_a.township_id, "b": village_b.township_id, "c1": c1}


EXPECTED = {
    "register_size": {"a": 2, "b": 1},
    "couples_added": {"a": 2},
    "visits_recorded": {"a": 3, "b": 1},
    "visits_on_time": {"a": 100.0, "b": 0.0},
    "followups_done_on_time": {"a": 2},
    "followups_due": {"a": 1},
    "followups_overdue": {"a": 2},
    "followups_overdue_long": {"a": 1},
    "pregnancies_found": {"a": 1},
    "outreach_visits": {"a": 1},
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_indicator_matches_the_hand_built_fixture_in_one_query(fixture, key, django_assert_num_queries):
    indicator = next(i for i in ind.INDICATORS if i.key == f"households.{key}")
    with django_assert_num_queries(1):
        values = indicator.compute(START, END)
    assert values == {fixture[t]: v for t, v in EXPECTED[key].items()}


def test_county_on_time_share_is_all_on_time_visits_over_all_due_visits(fixture, django_assert_num_queries):
    # A: 2 of 2 visits on time, B: 0 of 1 -> the county 2/3 = 66.7 %, not the mean (50 %).
    with django_assert_num_queries(1):
        assert ind.visits_on_time_county(START, END) == 66.7
    assert ind.visits_on_time_county(D(2020, 1, 1), D(2020, 1, 8)) is None


def test_households_publish_their_indicators_on_the_app_config():
    from core.indicators import all_indicators

    keys = [i.key for i in all_indicators()]
    assert {f"households.{k}" for k in EXPECTED} <= set(keys)
    assert all(i.drilldown for i in all_indicators() if i.key.startswith("households."))


def drill(key, township_id, start=START, end=END):
    return reverse(f"households:indicator_list_{key}") + f"?township={township_id}&start={start}&end={end}"


def test_leader_opens_the_masked_list_behind_a_figure_and_it_is_audited(client_for, leader, fixture):
    response = client_for(leader).get(drill("pregnancies_found", fixture["a"]))
    assert response.status_code == 200
    html = response.content.decode()
    wife = fixture["c1"].wife
    assert wife.name in html and wife.masked_id_number in html and wife.id_number not in html
    assert [v.visit_date for v in response.context["page"]] == [D(2026, 3, 1)]
    event = AuditEvent.objects.get(action="view", object_type="households.indicator.pregnancies_found")
    assert event.user == leader and event.township_id == fixture["a"]


def test_drilldown_lists_only_the_township_asked_for(client_for, leader, fixture):
    response = client_for(leader).get(drill("visits_recorded", fixture["b"]))
    assert len(response.context["page"]) == 1


@pytest.mark.parametrize("who", ["clerk_a", "bureau_staff", "clinician", "inspector", "auditor", "admin_user"])
def test_drilldown_is_for_leaders_only(request, client_for, fixture, who):
    response = client_for(request.getfixturevalue(who)).get(drill("register_size", fixture["a"]))
    assert response.status_code == 403


def test_drilldown_of_an_unknown_township_answers_404(client_for, leader, fixture):
    url = reverse("households:indicator_list_register_size") + "?township=999999&start=2026-03-01&end=2026-03-08"
    assert client_for(leader).get(url).status_code == 404


@pytest.mark.parametrize(("query", "message"), [("?township=1&start=bad&end=2026-03-08", "开始日期"),
                                                ("?township=1&start=2026-03-08&end=2026-03-01", "结束日期应晚于开始日期"),
                                                ("?township=1&start=2020-01-01&end=2026-03-08", "统计期间最长")])
def test_drilldown_bad_periods_answer_400_saying_what_is_wrong(client_for, leader, fixture, query, message):
    """One parser for every date in a query string (core.http.query_period): a clear message, never a 500."""
    url = reverse("households:indicator_list_register_size") + query.replace("township=1", f"township={fixture['a']}")
    response = client_for(leader).get(url)
    assert response.status_code == 400 and message in response.content.decode()


def test_drilldown_refuses_post(client_for, leader, fixture):
    assert client_for(leader).post(drill("register_size", fixture["a"])).status_code == 405


def test_batch_gives_every_figure_of_every_period_in_one_query(fixture, django_assert_num_queries):
    """``batch`` (what the scorecard and the weekly report use) = each indicator's own ``compute`` and
    ``county``, for overlapping and empty periods too, in ONE statement."""
    periods = [(START, END), (D(2026, 2, 22), START), (D(2026, 1, 1), D(2026, 4, 1)), (D(2020, 1, 1), D(2020, 1, 8))]
    with django_assert_num_queries(1):
        answers = ind.batch(periods)
    assert set(answers) == {i.key for i in ind.INDICATORS}
    for indicator in ind.INDICATORS:
        for (start, end), (values, county) in zip(periods, answers[indicator.key], strict=True):
            assert values == indicator.compute(start, end), (indicator.key, start, end)
            assert county == (indicator.county(start, end) if indicator.county else None), (indicator.key, start)
    assert answers["households.visits_on_time"][0][1] == 66.7
    # What other databases get (`make run` on SQLite: no batch statement) is the same.
    one_by_one = compute_periods(ind.INDICATORS, periods, county=True, batches=False)
    assert one_by_one == [answers[indicator.key] for indicator in ind.INDICATORS]
