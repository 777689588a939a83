"""Figures per township and county against a hand-computed fixture; indicators; drilldowns.

The fixture (March 2025, period [2025-03-01, 2025-04-01), tip deadline 15 days):

township A  tips received 03-03 (handled 03-10), 03-20 (pending)            → received 2
            tips 02-10 (handled late 03-05), 01-01 (still pending)         → overdue 2
                 (01-05 handled 01-10 in time; 04-02 outside the period)
            c1 reg 03-02 filed 03-05 decided 03-20 (confiscate 5,000; revoke) closed 03-25 (20 days)
            c2 reg 02-20 filed 03-10 referred 03-12 closed 04-10 (after the period)
            c3 reg 01-10 filed 01-15 decided 03-01 (warning; fine 20,000) closed 03-15 (59 days)
            c4 reg 03-28 not filed
            → opened 2 (c1, c4); filed 2 (c1, c2); closed 2 (c1, c3); closure rate 1/2 = 50.0;
              average days (20 + 59) / 2 = 39.5; warnings 1; fines 1 (20,000); confiscations 1 (5,000);
              revocations 1; referrals 1
township B  tip 03-15 pending (deadline 03-30 passed)                       → received 1, overdue 1
            c5 reg 03-05 filed 03-06 decided 03-10 (warning; fine 30,000) closed 03-16 (10 days)
            → opened 1; filed 1; closed 1; rate 100.0; average 10.0
township C  nothing → zeros, no rate
county      received 3, overdue 3, opened 3, filed 3, closed 3, rate 2/3 = 66.7,
            average (20 + 59 + 10) / 3 = 29.7, warnings 2, fines 2 (50,000), confiscations 1 (5,000)
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.indicators import all_indicators
from enforcement import indicators
from enforcement.models import Case, Tip
from enforcement.selectors.figures import township_figures

from ..factories import TownshipFactory

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2025, 3, 1), D(2025, 4, 1)
seq = iter(range(1, 1000))


def tip(township, received, handled=None):
    return Tip.objects.create(
        year=received.year,
        seq=next(seq),
        township=township,
        channel="phone",
        received_on=received,
        content="举报",
        status="dismissed" if handled else "pending",
        handled_on=handled,
        dismissal_reason="已核查" if handled else "",
    )


def case(township, registered, *, filed=None, closed=None, dismissed=None, decided=None, referred=None, **outcome):
    status = "closed" if closed else "not_filed" if dismissed else "filed" if filed else "received"
    return Case.objects.create(
        year=registered.year,
        seq=next(seq),
        township=township,
        source="referral",
        title="x",
        status=status,
        registered_on=registered,
        filed_on=filed,
        closed_on=closed,
        dismissed_on=dismissed,
        decided_on=decided,
        referred_on=referred,
        **outcome,
    )


@pytest.fixture
def fixture(township_a, township_b):
    c = TownshipFactory(code="411099003", name="西河镇", sort_order=99)
    a, b = township_a, township_b
    tip(a, D(2025, 3, 3), D(2025, 3, 10)), tip(a, D(2025, 3, 20))
    tip(a, D(2025, 2, 10), D(2025, 3, 5)), tip(a, D(2025, 1, 1)), tip(a, D(2025, 1, 5), D(2025, 1, 10))
    tip(a, D(2025, 4, 2))
    tip(b, D(2025, 3, 15))
    cases = {
        "c1": case(
            a,
            D(2025, 3, 2),
            filed=D(2025, 3, 5),
            decided=D(2025, 3, 20),
            closed=D(2025, 3, 25),
            confiscated_amount=Decimal("5000"),
            licence_revoked=True,
        ),
        "c2": case(
            a,
            D(2025, 2, 20),
            filed=D(2025, 3, 10),
            referred=D(2025, 3, 12),
            closed=D(2025, 4, 10),
            referred_to_police=True,
        ),
        "c3": case(
            a,
            D(2025, 1, 10),
            filed=D(2025, 1, 15),
            decided=D(2025, 3, 1),
            closed=D(2025, 3, 15),
            outcome_warning=True,
            fine_amount=Decimal("20000"),
        ),
        "c4": case(a, D(2025, 3, 28), dismissed=D(2025, 3, 29)),
        "c5": case(
            b,
            D(2025, 3, 5),
            filed=D(2025, 3, 6),
            decided=D(2025, 3, 10),
            closed=D(2025, 3, 16),
            outcome_warning=True,
            fine_amount=Decimal("30000"),
        ),
    }
    return {"a": a, "b": b, "c": c, **cases}


EXPECTED = {
    "a": dict(
        tips_received=2,
        tips_overdue=2,
        cases_opened=2,
        cases_filed=2,
        cases_closed=2,
        warnings=1,
        fines=1,
        fine_sum=Decimal("20000"),
        confiscations=1,
        confiscated_sum=Decimal("5000"),
        revocations=1,
        referrals=1,
        closure_rate=50.0,
        avg_days_to_close=39.5,
    ),
    "b": dict(
        tips_received=1,
        tips_overdue=1,
        cases_opened=1,
        cases_filed=1,
        cases_closed=1,
        warnings=1,
        fines=1,
        fine_sum=Decimal("30000"),
        confiscations=0,
        confiscated_sum=Decimal("0"),
        revocations=0,
        referrals=0,
        closure_rate=100.0,
        avg_days_to_close=10.0,
    ),
    "c": dict(
        tips_received=0,
        tips_overdue=0,
        cases_opened=0,
        cases_filed=0,
        cases_closed=0,
        warnings=0,
        fines=0,
        fine_sum=Decimal("0"),
        confiscations=0,
        confiscated_sum=Decimal("0"),
        revocations=0,
        referrals=0,
        closure_rate=None,
        avg_days_to_close=None,
    ),
    "county": dict(
        tips_received=3,
        tips_overdue=3,
        cases_opened=3,
        cases_filed=3,
        cases_closed=3,
        warnings=2,
        fines=2,
        fine_sum=Decimal("50000"),
        confiscations=1,
        confiscated_sum=Decimal("5000"),
        revocations=1,
        referrals=1,
        closure_rate=66.7,
        avg_days_to_close=29.7,
    ),
}


def as_dict(row):
    return {k: getattr(row, k) for k in EXPECTED["a"]}


def test_figures_per_township_and_county_match_the_hand_computed_fixture(fixture, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows, total = township_figures(start=START, end=END)
    by_township = {row.township.pk: row for row in rows}
    for key in ("a", "b", "c"):
        assert as_dict(by_township[fixture[key].pk]) == EXPECTED[key], key
    assert as_dict(total) == EXPECTED["county"]


@pytest.mark.parametrize(
    ("function", "column"),
    [
        (indicators.tips_received_count, "tips_received"),
        (indicators.tips_overdue_count, "tips_overdue"),
        (indicators.cases_opened_count, "cases_opened"),
        (indicators.cases_filed_count, "cases_filed"),
        (indicators.cases_closed_count, "cases_closed"),
        (indicators.closure_rate, "closure_rate"),
        (indicators.avg_days_to_close, "avg_days_to_close"),
    ],
)
def test_each_indicator_is_one_query_and_agrees_with_the_figures(fixture, django_assert_num_queries, function, column):
    with django_assert_num_queries(1):
        values = function(START, END)
    expected = {fixture[k].pk: EXPECTED[k][column] for k in ("a", "b", "c")}
    # A township with nothing may be missing (core.indicators: read as 0 / None).
    assert {t: values.get(t, 0 if expected[t] == 0 else None) for t in expected} == expected


def test_batch_gives_every_figure_of_every_period_in_two_queries(fixture, django_assert_num_queries):
    """What the scorecard and the weekly report read: each indicator's own figures, for several
    (overlapping, empty) periods, in one statement per table."""
    periods = [(START, END), (START - datetime.timedelta(days=90), START),
               (START - datetime.timedelta(days=400), END + datetime.timedelta(days=30)),
               (datetime.date(2001, 1, 1), datetime.date(2001, 2, 1))]
    with django_assert_num_queries(2):
        answers = indicators.batch(periods)
    assert set(answers) == {i.key for i in indicators.INDICATORS}
    for indicator in indicators.INDICATORS:
        assert indicator.batch is indicators.batch
        for (first, end), (values, county) in zip(periods, answers[indicator.key], strict=True):
            assert values == indicator.compute(first, end), (indicator.key, first, end)
            # Rates and averages: the county's own figure from its totals (issue #18); counts add up.
            expected = indicator.county(first, end) if indicator.county else None
            assert county == expected, (indicator.key, first, end)


def test_the_county_rate_and_average_come_from_county_totals_as_on_the_figures_page(fixture):
    """The figures page's county row says 66.7% and 29.7 days for March 2025 (below); the weekly
    report and the scorecard read the same, not the townships' mean."""
    march = (D(2025, 3, 1), D(2025, 4, 1))
    answers = indicators.batch([march])
    assert answers["enforcement.closure_rate"][0][1] == 66.7
    assert answers["enforcement.avg_days_to_close"][0][1] == 29.7
    assert indicators.closure_rate_county(*march) == 66.7 and indicators.avg_days_to_close_county(*march) == 29.7


def test_indicators_are_published_with_drilldowns():
    published = {i.key: i for i in all_indicators() if i.key.startswith("enforcement.")}
    assert set(published) >= {
        "enforcement.tips_received",
        "enforcement.cases_opened",
        "enforcement.cases_closed",
        "enforcement.closure_rate",
        "enforcement.tips_overdue",
        "enforcement.avg_days_to_close",
    }
    assert published["enforcement.closure_rate"].kind == "rate"
    assert published["enforcement.tips_overdue"].higher_is_better is False
    for indicator in published.values():
        assert reverse(indicator.drilldown)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("drill_cases_closed", {"c1", "c3"}),
        ("drill_cases_filed", {"c1", "c2"}),
        ("drill_cases_opened", {"c1", "c4"}),
    ],
)
def test_case_drilldowns_list_the_records_behind_the_figure(client_for, leader, fixture, name, expected):
    response = client_for(leader).get(
        reverse(f"enforcement:{name}"),
        {"township": fixture["a"].pk, "start": START.isoformat(), "end": END.isoformat()},
    )
    assert {c.pk for c in response.context["page"].object_list} == {fixture[k].pk for k in expected}
    assert response.status_code == 200


def test_tip_drilldowns_list_the_records_behind_the_figure(client_for, leader, fixture):
    params = {"township": fixture["a"].pk, "start": START.isoformat(), "end": END.isoformat()}
    client = client_for(leader)
    received = client.get(reverse("enforcement:drill_tips_received"), params).context["page"].object_list
    overdue = client.get(reverse("enforcement:drill_tips_overdue"), params).context["page"].object_list
    assert sorted(t.received_on for t in received) == [D(2025, 3, 3), D(2025, 3, 20)]
    assert sorted(t.received_on for t in overdue) == [D(2025, 1, 1), D(2025, 2, 10)]


def test_figures_page_shows_the_table_and_the_county_row(client_for, leader, fixture, django_assert_max_num_queries):
    client = client_for(leader)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("enforcement:figures"), {"start": "2025-03-01", "end": "2025-03-31"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="county-rate">66.7%' in html
    assert 'data-testid="county-days">29.7' in html
    assert 'data-testid="county-fines">50,000.00' in html


def test_figures_default_period_is_this_year(client_for, inspector, fixture):
    response = client_for(inspector).get(reverse("enforcement:figures"))
    assert response.context["start"].month == 1 and response.context["start"].day == 1
