"""The weekly report's figures against the hand-built week (weekly_world.py), the problem rules,
the week boundaries in Asia/Shanghai, the fixed number of queries, and agreement with the lists
the households app shows for the same week."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.services.weekly import weekly_report_build
from assessment.services.weekly_figures import compute_week
from assessment.weekly_rules import Figures, problems_of
from assessment.weeks import WeekConverter, is_complete, last_complete_week, monday_of
from core.indicators import all_indicators
from households.selectors.visits import outreach_visits_in_scope, township_due_list, visits_in_scope

from ..factories import RegisterCoupleFactory, TownshipFactory, VillageFactory
from .weekly_world import EXPECTED_A, EXPECTED_B, EXPECTED_C, EXPECTED_COUNTY, SUNDAY, W, D

pytestmark = pytest.mark.django_db


def section(week, township):
    return next(s for s in week.sections if s["township_id"] == township.pk)


def test_every_township_figure_matches_the_hand_count(week_world):
    week = compute_week(W)
    for township, expected in ((week_world["a"], EXPECTED_A), (week_world["b"], EXPECTED_B),
                               (week_world["c"], EXPECTED_C)):
        figures = section(week, township)["figures"]
        got = {key: (figures["values"][key], figures["previous"][key]) for key in expected}
        assert got == expected, township.name


def test_county_figures_add_counts_and_compute_rates_for_the_whole_county(week_world):
    figures = compute_week(W).figures
    got = {key: (figures["county"][key], figures["county_previous"][key]) for key in EXPECTED_COUNTY}
    assert got == EXPECTED_COUNTY
    assert figures["county_rule"]["households.visits_on_time"] == "county"
    assert figures["county_rule"]["households.visits_recorded"] == "sum"
    assert figures["average"]["households.visits_recorded"] == 1.33  # (3 + 1 + 0) / 3 townships


def test_only_weekly_indicators_are_in_the_report_in_published_order(week_world):
    keys = [i["key"] for i in compute_week(W).figures["indicators"]]
    assert "households.register_size" not in keys  # weekly=False: scorecard only
    assert keys == [i.key for i in all_indicators() if i.weekly]  # every app's, in PROJECT_APPS order
    assert [k for k in keys if k in EXPECTED_COUNTY] == list(EXPECTED_COUNTY)


def test_problem_rules_per_township(week_world):
    week = compute_week(W)
    rules = {name: [p["rule"] for p in section(week, week_world[name])["problems"]] for name in "abc"}
    assert rules == {"a": ["overdue_long", "on_time_low", "overdue_rising"], "b": ["on_time_low"], "c": ["no_visits"]}
    texts = [p["text"] for p in section(week, week_world["a"])["problems"]]
    assert texts == ["随访逾期超过 14 天：1 对夫妇", "按时随访率 50%，低于目标 90%", "逾期未访比上周增加 1 对（1 → 2）"]
    # The bureau's work group that visited nobody this week is a county problem.
    county = week.figures["problems"]
    assert [(p["rule"], p["params"]) for p in county] == [("group_no_outreach", {"group": "第二工作组", "villages": 1})]
    assert week.figures["problem_total"] == 6


def test_a_rule_whose_indicator_no_app_publishes_is_skipped():
    meta = {"households.visits_recorded": {}}
    # Tips overdue would be a problem, but enforcement publishes nothing here: no such rule runs.
    found = problems_of(Figures({"households.visits_recorded": 2, "enforcement.tips_overdue": 3}, {}, meta))
    assert found == []
    meta["enforcement.tips_overdue"] = {}
    found = problems_of(Figures({"households.visits_recorded": 2, "enforcement.tips_overdue": 3}, {}, meta))
    assert [(p["rule"], p["text"]) for p in found] == [("tips_overdue", "举报超过办理期限未处理：3 件")]


def test_on_time_rule_needs_a_value_and_a_target():
    meta = {"households.visits_on_time": {"target": 90.0}, "households.visits_recorded": {}}
    values = {"households.visits_recorded": 1}
    assert problems_of(Figures({**values, "households.visits_on_time": None}, {}, meta)) == []
    assert problems_of(Figures({**values, "households.visits_on_time": 90.0}, {}, meta)) == []
    assert [p["rule"] for p in problems_of(Figures({**values, "households.visits_on_time": 89.9}, {}, meta))] == [
        "on_time_low"]


def test_outreach_by_work_group_and_village(week_world):
    outreach = compute_week(W).figures["outreach"]
    rows = [(r["group"], r["village"], r["visits"], r["previous"]) for r in outreach["rows"]]
    assert rows == [("第一工作组", "李家村", 2, 0), ("第一工作组", "王庄社区", 0, 1), ("第二工作组", "张湾村", 0, 0)]
    assert outreach["groups"] == [
        {"group": "第一工作组", "visits": 2, "previous": 1, "villages": 2, "unvisited": 1},
        {"group": "第二工作组", "visits": 0, "previous": 0, "villages": 1, "unvisited": 1},
    ]


def test_ranking_of_the_weeks_year_with_rank_changes(week_world):
    ranking = compute_week(W).figures["ranking"]
    assert ranking["year"] == 2026
    assert [(r["township"], r["rank"], r["total"], r["change"]) for r in ranking["rows"]] == [
        ("城关镇", 1, 90.0, {"kind": "up", "delta": 1}), ("东关街道", 2, 80.0, {"kind": "down", "delta": 1})]


# --- Week boundaries (Asia/Shanghai) ------------------------------------------------------------
def test_sunday_2359_shanghai_is_in_the_week_and_monday_0000_is_the_next(week_world):
    # c2 was registered on Sunday 8 March 23:59 and c3 on Monday 9 March 00:00, Shanghai time:
    # in UTC both are on Sunday (15:59 and 16:00), so a UTC week would count both.
    assert week_world["c2"].created_at.astimezone(datetime.UTC).date() == SUNDAY
    assert week_world["c3"].created_at.astimezone(datetime.UTC).date() == SUNDAY
    a = week_world["a"].pk
    this_week = section(compute_week(W), week_world["a"])["figures"]["values"]["households.couples_added"]
    next_week = compute_week(D(2026, 3, 9)).sections
    assert this_week == 1
    assert next(s for s in next_week if s["township_id"] == a)["figures"]["values"]["households.couples_added"] == 1


def test_week_helpers():
    assert monday_of(SUNDAY) == W and monday_of(W) == W
    assert last_complete_week(D(2026, 3, 9)) == W  # on Monday: the week that ended last night
    assert last_complete_week(SUNDAY) == D(2026, 2, 23)  # on Sunday the week is not over
    assert is_complete(W, D(2026, 3, 9)) and not is_complete(W, SUNDAY)
    converter = WeekConverter()
    assert converter.to_python("2026-03-02") == W
    for bad in ("2026-03-03", "2026-02-30"):
        with pytest.raises(ValueError):
            converter.to_python(bad)


# --- Cost ----------------------------------------------------------------------------------------
def test_a_build_costs_the_same_number_of_queries_for_three_townships_or_nine(week_world):
    weekly_report_build(week_start=W)  # the first build also creates the row
    with CaptureQueriesContext(connection) as three:
        weekly_report_build(week_start=W)
    for n in range(6):
        village = VillageFactory(township=TownshipFactory(), code=f"4110991{n:02d}001")
        RegisterCoupleFactory(household__village=village)
    with CaptureQueriesContext(connection) as nine:
        result = weekly_report_build(week_start=W)
    assert result.report.sections.count() == 9
    assert len(nine.captured_queries) == len(three.captured_queries)
    # The apps' batches (both weeks, townships and county), two per
    # other indicator (this week, last week) + the county's own figure of the other rates (both
    # weeks), townships, outreach and the ranking; then read, claim, write (savepoint, update,
    # delete and insert the sections), read back.
    weekly = [i for i in all_indicators() if i.weekly]
    batches = {i.batch for i in weekly if i.batch is not None}
    assert len(batches) == 4
    batch_statements = 6  # households 1, screening 2 (couples, screenings), enforcement 2 (tips, cases), assessment 1
    others = [i for i in weekly if i.batch is None]
    computing = batch_statements + 2 * len(others) + 2 * sum(i.county is not None for i in others) + 1 + 1 + 1
    assert len(three.captured_queries) == computing + 8


# --- The same figures as the lists of the app ---------------------------------------------------
def test_figures_match_what_the_households_lists_show_for_the_same_week(week_world, clerk_a, clerk_b, client_for,
                                                                        leader):
    week = compute_week(W)
    a = section(week, week_world["a"])["figures"]["values"]
    b = section(week, week_world["b"])["figures"]["values"]
    # The clerk's visit list filtered to Monday–Sunday.
    assert visits_in_scope(user=clerk_a, date_from=W, date_to=SUNDAY).count() == a["households.visits_recorded"]
    assert visits_in_scope(user=clerk_b, date_from=W, date_to=SUNDAY).count() == b["households.visits_recorded"]
    # The township's due list on Sunday: overdue ones (due before Sunday) and those due this week.
    due = township_due_list(user=clerk_a, on=SUNDAY)
    assert due.filter(next_visit_due__lt=SUNDAY).count() == a["households.followups_overdue"]
    assert due.filter(next_visit_due__gte=W).count() == a["households.followups_due"]
    # The township's outreach list for the week.
    assert outreach_visits_in_scope(user=clerk_a, date_from=W, date_to=SUNDAY).count() == a["households.outreach_visits"]
    # The leader's list behind each figure shows as many rows as the figure says.
    client = client_for(leader)
    for key in ("visits_recorded", "pregnancies_found", "followups_overdue_long", "couples_added",
                "followups_done_on_time"):
        url = reverse(f"households:indicator_list_{key}") + f"?township={week_world['a'].pk}&start={W}&end={W + datetime.timedelta(days=7)}"
        response = client.get(url)
        assert response.context["page"].paginator.count == a[f"households.{key}"], key


def test_a_new_apps_indicator_gains_a_row_without_a_change_here(week_world, monkeypatch, client_for, leader):
    """Screening and enforcement publish their indicators as they land: the report takes whatever
    exists. A rate without a county figure is shown as the townships' mean, and says so."""
    from django.apps import apps

    from core.indicators import Indicator

    a, b = week_world["a"].pk, week_world["b"].pk
    fake = [
        Indicator(key="enforcement.tips_overdue", label="举报逾期未处理", higher_is_better=False,
                  compute=lambda s, e: {a: 2} if s == W else {}),
        Indicator(key="screening.coverage", label="检查覆盖率", kind="rate", target=90.0,
                  compute=lambda s, e: {a: 80.0, b: 60.0}),
    ]
    config = apps.get_app_config("assessment")
    real = type(config).indicators.fget(config)
    monkeypatch.setattr(type(config), "indicators", property(lambda self: [*real, *fake]))
    report = weekly_report_build(week_start=W).report
    assert report.figures["county"]["enforcement.tips_overdue"] == 2
    assert report.figures["county"]["screening.coverage"] == 70.0
    assert report.figures["county_rule"]["screening.coverage"] == "mean"
    problems = report.sections.get(township=week_world["a"]).problems
    assert "举报超过办理期限未处理：2 件" in [p["text"] for p in problems]
    html = client_for(leader).get(reverse("assessment:weekly_detail", args=[W])).content.decode()
    assert "检查覆盖率" in html and "（各镇街平均）" in html
