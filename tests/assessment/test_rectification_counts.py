"""The weekly report's rectification section against a hand-counted fixture, the overdue problem it
adds to the briefing, the on-time rate per township, and the scheme setting that counts it in the
regular score (default off).

Week W = Monday 2 – Sunday 8 March 2026 (Asia/Shanghai). Township A:
  r1 made Mon 2 Mar 09:00, deadline 9 Mar, open                → assigned, open
  r2 made 23 Feb, deadline 1 Mar, open                          → open, overdue
  r3 made 23 Feb, deadline 6 Mar, reported 5 Mar, accepted 6 Mar → done on time
  r4 made 23 Feb, deadline 27 Feb, accepted 4 Mar, reported late → done late
  r5 made 2 Mar, deadline 9 Mar, returned on 4 Mar              → assigned, open, returned
  r6 made 16 Feb, accepted 25 Feb                                → not in W at all
  r7 made Sun 8 Mar 23:59                                        → assigned (last minute of W), open
  r8 made Mon 9 Mar 00:00                                        → next week: not counted
  r9 made 23 Feb, deadline 8 Mar, accepted Mon 9 Mar 00:30      → open at W's end, overdue
  A: assigned 3, on time 1, late 1, open 5, returned 1, overdue 2.
Township B: r10 made 23 Feb, deadline 4 Mar, open → open 1, overdue 1.
County: assigned 3, on time 1, late 1, open 6, returned 1, overdue 3.
"""
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assessment.models import AnnualScore, Rectification, RectificationStep, Scheme
from assessment.selectors.rectifications import rectification_on_time, week_counts
from assessment.services.scoring import scores_recompute
from assessment.services.weekly_figures import compute_week

from .factories import RegularCheckFactory, YearEndScoreFactory
from .rect_helpers import make_rect

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
D = datetime.date
W = D(2026, 3, 2)
S = Rectification.Status


def at(day, hour=9, minute=0):
    return datetime.datetime(2026, day[0], day[1], hour, minute, tzinfo=SH)


@pytest.fixture
def fixture(township_a, township_b, clerk_a, clerk_b, leader):
    def rect(township, clerk, made, deadline, *, reported=None, done=None, on_time=None, status=S.OPEN):
        r = make_rect(township=township, responsible=clerk, by=leader, deadline=deadline, created_at=made,
                      status=status, reported_at=reported, done_at=done, done_on_time=on_time)
        return r

    a, b = (township_a, clerk_a), (township_b, clerk_b)
    rect(*a, at((3, 2)), D(2026, 3, 9))
    rect(*a, at((2, 23)), D(2026, 3, 1))
    rect(*a, at((2, 23)), D(2026, 3, 6), reported=at((3, 5)), done=at((3, 6)), on_time=True, status=S.DONE)
    rect(*a, at((2, 23)), D(2026, 2, 27), reported=at((3, 3)), done=at((3, 4)), on_time=False, status=S.DONE)
    r5 = rect(*a, at((3, 2)), D(2026, 3, 9), status=S.RETURNED)
    RectificationStep.objects.create(rectification=r5, actor=leader, at=at((3, 4)), from_status=S.REPORTED,
                                     to_status=S.RETURNED, note="照片不清")
    rect(*a, at((2, 16)), D(2026, 2, 23), done=at((2, 25)), on_time=True, status=S.DONE)
    rect(*a, at((3, 8), 23, 59), D(2026, 3, 16))
    rect(*a, at((3, 9), 0, 0), D(2026, 3, 16))
    rect(*a, at((2, 23)), D(2026, 3, 8), reported=at((3, 8)), done=at((3, 9), 0, 30), on_time=True, status=S.DONE)
    rect(*b, at((2, 23)), D(2026, 3, 4))
    return township_a, township_b


def test_week_counts_match_the_hand_count(fixture):
    a, b = fixture
    per_township, county = week_counts(W, W + datetime.timedelta(days=7))
    assert per_township[a.pk] == {"assigned": 3, "on_time": 1, "late": 1, "open": 5, "returned": 1, "overdue": 2}
    assert per_township[b.pk] == {"assigned": 0, "on_time": 0, "late": 0, "open": 1, "returned": 0, "overdue": 1}
    assert county == {"assigned": 3, "on_time": 1, "late": 1, "open": 6, "returned": 1, "overdue": 3}


def test_the_briefing_stores_the_section_and_names_overdue_rectifications_as_problems(fixture):
    a, b = fixture
    week = compute_week(W)
    sections = {s["township_id"]: s for s in week.sections}
    assert sections[a.pk]["figures"]["rectifications"]["overdue"] == 2
    assert week.figures["rectifications"]["open"] == 6
    overdue = {t: [p for p in s["problems"] if p["rule"] == "rectifications_overdue"] for t, s in sections.items()}
    assert overdue[a.pk][0]["text"] == "整改逾期未完成：2 项" and overdue[b.pk][0]["params"] == {"n": 1}


def test_the_next_week_counts_a_late_acceptance_and_nothing_else_new(fixture):
    a, _b = fixture
    per_township, _county = week_counts(D(2026, 3, 9), D(2026, 3, 16))
    # r9 accepted Monday 00:30 (reported in time: on time); r8 made Monday 00:00.
    assert per_township[a.pk]["on_time"] == 1 and per_township[a.pk]["assigned"] == 1


def test_on_time_rate_per_township(fixture, township_a, township_b):
    got = rectification_on_time(townships=[township_a.pk, township_b.pk], year=2026, today=D(2026, 3, 10))
    # A, due (deadline in 2026, done or past due by 10 Mar): r1 (9 Mar), r2, r3, r4, r5 (9 Mar), r6, r9 → 7;
    # on time r3, r6, r9 → 3.  B: r10 → 0 of 1.
    assert got[township_a.pk] == {"due": 7, "on_time": 3, "rate": 42.9}
    assert got[township_b.pk] == {"due": 1, "on_time": 0, "rate": 0.0}


def test_the_scheme_counts_the_rate_in_the_regular_score_only_when_asked(township_a, clerk_a, leader):
    year = datetime.date.today().year
    today = datetime.date.today()
    Scheme.objects.create(year=year, publicity_share=0)
    RegularCheckFactory(township=township_a, check_date=D(year, 1, 2), score=Decimal(18), maximum=Decimal(20))
    YearEndScoreFactory(township=township_a, year=year)
    past = D(year, 1, 1) if today > D(year, 1, 1) else today
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=past, status=S.DONE,
              done_at=datetime.datetime.now(tz=SH), done_on_time=True)
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=past, status=S.DONE,
              done_at=datetime.datetime.now(tz=SH), done_on_time=False)
    scores_recompute(year=year)
    assert AnnualScore.objects.get(year=year, township=township_a).regular_part == Decimal("90.00")  # default off
    Scheme.objects.filter(year=year).update(rectification_points=10)
    scores_recompute(year=year)
    # (18 + 10 × 1/2) ÷ (20 + 10) × 100 = 76.67
    assert AnnualScore.objects.get(year=year, township=township_a).regular_part == Decimal("76.67")


def test_the_scorecard_indicator_agrees_with_the_rate_batched_or_not(fixture, township_a, township_b):
    from assessment.indicators import rectification_batch, rectifications_on_time, rectifications_on_time_county

    start, end = D(2026, 1, 1), D(2027, 1, 1)
    expected = rectification_on_time(townships=None, year=2026)
    plain = rectifications_on_time(start, end)
    assert plain == {t: v["rate"] for t, v in expected.items()}
    (values, county), = rectification_batch([(start, end)])["assessment.rectifications_on_time"]
    assert values == plain
    assert county == rectifications_on_time_county(start, end)


def test_supervision_counts_per_township_and_month_against_the_target(township_a, township_b, leader):
    from assessment.models import SupervisionVisit
    from assessment.selectors.rectifications import supervision_counts

    from .factories import LiaisonFactory
    from .rect_helpers import second_leader

    other = second_leader()
    LiaisonFactory(township=township_a, year=2025, leader=leader)
    LiaisonFactory(township=township_b, year=2025, leader=leader)
    Scheme.objects.create(year=2025, supervision_target=2)
    for day in (D(2025, 1, 5), D(2025, 1, 20), D(2025, 3, 3)):
        SupervisionVisit.objects.create(leader=leader, township=township_a, visit_date=day, participants="x", findings="y")
    SupervisionVisit.objects.create(leader=leader, township=township_b, visit_date=D(2025, 12, 31), participants="x",
                                    findings="y")
    SupervisionVisit.objects.create(leader=other, township=township_b, visit_date=D(2025, 6, 1), participants="x",
                                    findings="y")  # another leader's visit: not this leader's
    SupervisionVisit.objects.create(leader=leader, township=township_a, visit_date=D(2024, 12, 31), participants="x",
                                    findings="y")  # another year
    got = supervision_counts(leader=leader, year=2025, today=D(2026, 2, 1))
    rows = {r.township.pk: r for r in got["rows"]}
    assert rows[township_a.pk].months == [2, 0, 1] + [0] * 9 and rows[township_a.pk].total == 3
    assert rows[township_b.pk].months == [0] * 11 + [1]
    assert (got["visits"], got["target"], got["expected"], got["months_elapsed"]) == (4, 2, 48, 12)
    assert rows[township_a.pk].target == 24 and not rows[township_a.pk].met
    assert got["met_months"] == 1  # A in January
    # During the year: the target so far is months elapsed × target.
    assert supervision_counts(leader=leader, year=2025, today=D(2025, 3, 10))["expected"] == 2 * 3 * 2


def test_the_weekly_export_carries_the_rectification_section(fixture, client_for, leader, clerk_a):
    import io as _io

    from django.urls import reverse
    from openpyxl import load_workbook

    from assessment.services.weekly import weekly_report_build

    a, _b = fixture
    weekly_report_build(week_start=W)
    content = client_for(leader).get(reverse("assessment:weekly_export", args=[W])).content
    book = load_workbook(_io.BytesIO(content))
    county = [[c for c in row if c is not None] for row in book["全县"].iter_rows(values_only=True)]
    assert ["整改情况", "本周交办", "按时完成", "逾期完成", "未完成", "退回", "逾期"] in county
    assert [a.name, 3, 1, 1, 5, 1, 2] in county and ["全县", 3, 1, 1, 6, 1, 3] in county
    own = load_workbook(_io.BytesIO(client_for(clerk_a).get(reverse("assessment:weekly_export", args=[W])).content))
    assert [3, 1, 1, 5, 1, 2] in [[c for c in row if c not in (None, "")] for row in own[a.name].iter_rows(values_only=True)]


def test_the_bench_floors_give_the_same_rectification_figures(fixture):
    """bench's hand-written floors for the weekly section and the on-time rate agree with the product."""
    from django.db import connection

    from assessment.indicators import rectification_batch
    from bench.assessment.pages import RECTIFICATIONS_ON_TIME_FLOOR, WEEK_RECTIFICATIONS_FLOOR, floor_params

    end = W + datetime.timedelta(days=7)
    params = floor_params(W, end, W - datetime.timedelta(days=7))
    with connection.cursor() as cursor:
        cursor.execute(WEEK_RECTIFICATIONS_FLOOR, params)
        floor = {row[0]: dict(zip(("assigned", "on_time", "late", "open", "returned", "overdue"), row[1:],
                                  strict=True)) for row in cursor.fetchall()}
        per_township, _county = week_counts(W, end)
        assert floor == per_township
        start, stop, before = D(2026, 1, 1), D(2027, 1, 1), D(2025, 1, 1)
        cursor.execute(RECTIFICATIONS_ON_TIME_FLOOR, {"s": start, "e": stop, "ps": before, "today": D.today()})
        rows = cursor.fetchall()
    (values, county), (_v, _c) = rectification_batch([(start, stop), (before, start)])["assessment.rectifications_on_time"]
    floor_values = {t: round(on_time * 100 / due, 1) for k, t, due, on_time in rows if k == 0 and t is not None}
    floor_county = next(round(on_time * 100 / due, 1) for k, t, due, on_time in rows if k == 0 and t is None)
    assert (floor_values, floor_county) == (values, county)
