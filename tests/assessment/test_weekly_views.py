"""The weekly report's pages: who sees what (a clerk only their own township), the rebuild a leader
asks for, the status JSON the page polls, the .xlsx and the print page, the home panel."""
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from assessment.models import WeeklyReport
from assessment.services.weekly import weekly_report_build

from ..factories import TownshipFactory
from ..households.querycount import REQUEST
from .weekly_world import SUNDAY, W, D

pytestmark = pytest.mark.django_db
DETAIL = reverse("assessment:weekly_detail", args=[W])
BUILD = reverse("assessment:weekly_build")
STATUS = reverse("assessment:weekly_status", args=[W])
EXPORT = reverse("assessment:weekly_export", args=[W])
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def built(week_world):
    weekly_report_build(week_start=W)
    return week_world


def sections_on(response):
    return [s.section.township.name for s in response.context["view"].sections]


# --- Reading ------------------------------------------------------------------------------------
def test_leader_sees_the_county_every_township_outreach_and_ranking(client_for, leader, built):
    response = client_for(leader).get(DETAIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert sections_on(response) == ["城关镇", "东关街道", "西关镇"]
    for part in ("weekly-county", "weekly-problem-summary", "weekly-matrix", "weekly-outreach", "weekly-ranking",
                 "weekly-week-line", "weekly-township-bars", "weekly-rebuild"):
        assert f'data-testid="{part}"' in html, part
    county = {line.indicator.key: (line.value, line.previous, line.change) for line in response.context["view"].county_lines}
    assert county["households.visits_recorded"] == (4, 1, 3)
    assert county["households.visits_on_time"] == (33.3, 100.0, -66.7)
    assert "随访逾期超过 14 天：1 对夫妇" in html and "工作组“第二工作组”本周没有走访记录" in html
    # From a figure to the masked list behind it (leaders only).
    drill = (reverse("households:indicator_list_visits_recorded")
             + f"?township={built['a'].pk}&amp;start={W}&amp;end={D(2026, 3, 9)}")
    assert drill in html
    assert "style=" not in html and "<script>" not in html


def test_clerk_sees_only_their_own_townships_section(client_for, clerk_a, built):
    response = client_for(clerk_a).get(DETAIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert sections_on(response) == ["城关镇"]
    assert "东关街道" not in html and "西关镇" not in html
    for county_part in ("weekly-county", "weekly-matrix", "weekly-outreach", "weekly-ranking", "weekly-rebuild"):
        assert f'data-testid="{county_part}"' not in html
    # Figures link only to lists the clerk may open: the township's own assessment checks.
    drills = [h for h in re.findall(r'href="([^"]+)"', html) if "start=" in h]
    assert all(h.startswith("/assessment/checks/") for h in drills), drills


def test_clerk_asking_for_another_townships_section_gets_404(client_for, clerk_a, built):
    client = client_for(clerk_a)
    assert client.get(DETAIL + f"?township={built['b'].pk}").status_code == 404
    assert client.get(EXPORT + f"?township={built['b'].pk}").status_code == 404
    assert client.get(reverse("assessment:weekly_print", args=[W]) + f"?township={built['b'].pk}").status_code == 404
    assert client.get(DETAIL + f"?township={built['a'].pk}").status_code == 200
    assert client.get(DETAIL + "?township=999999").status_code == 404


def test_leader_can_open_one_townships_section(client_for, leader, built):
    response = client_for(leader).get(DETAIL + f"?township={built['b'].pk}")
    assert sections_on(response) == ["东关街道"] and not response.context["view"].county


@pytest.mark.parametrize("who", ["bureau_staff", "clinician", "inspector", "auditor", "admin_user"])
def test_roles_without_assessment_get_403(request, client_for, built, who):
    client = client_for(request.getfixturevalue(who))
    for url in (DETAIL, STATUS, EXPORT, reverse("assessment:weekly_list")):
        assert client.get(url).status_code == 403


def test_unknown_or_unbuilt_weeks(client_for, leader, built):
    client = client_for(leader)
    assert client.get(reverse("assessment:weekly_detail", args=[D(2026, 3, 9)])).status_code == 404
    assert client.get("/assessment/weekly/2026-03-03/").status_code == 404  # not a Monday
    WeeklyReport.objects.create(week_start=D(2026, 3, 9), status="queued", task_id="t")
    response = client.get(reverse("assessment:weekly_detail", args=[D(2026, 3, 9)]))
    assert response.status_code == 200 and 'data-testid="weekly-not-built"' in response.content.decode()
    assert client.get(reverse("assessment:weekly_export", args=[D(2026, 3, 9)])).status_code == 404
    assert client.get(reverse("assessment:weekly_print", args=[D(2026, 3, 9)])).status_code == 404


def test_report_page_costs_the_same_queries_whatever_the_number_of_townships(client_for, leader, built,
                                                                              django_assert_num_queries):
    client = client_for(leader)
    client.get(DETAIL)
    # The report, its sections, the 12 weeks of county figures, the assessor grant (cached after
    # the first page), the liaison-free navigation, the problems already assigned as
    # rectifications (整改): a constant.
    with django_assert_num_queries(REQUEST + 4) as three:
        client.get(DETAIL)
    for _ in range(5):
        TownshipFactory()
    weekly_report_build(week_start=W)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(DETAIL)
    assert len(response.context["view"].sections) == 8


def test_list_of_weeks_and_latest(client_for, leader, clerk_a, built):
    weekly_report_build(week_start=D(2026, 2, 23))
    response = client_for(leader).get(reverse("assessment:weekly_list"))
    rows = list(response.context["page"])
    assert [r.week_start for r in rows] == [W, D(2026, 2, 23)] and rows[0].problem_total == 6
    latest = client_for(leader).get(reverse("assessment:weekly_latest"))
    assert latest.status_code == 302 and latest["Location"] == DETAIL
    rows = list(client_for(clerk_a).get(reverse("assessment:weekly_list")).context["page"])
    assert rows[0].own_problems == 3  # 城关镇's three, not the county's six


def test_latest_without_any_report_goes_to_the_list(client_for, leader):
    response = client_for(leader).get(reverse("assessment:weekly_latest"))
    assert response["Location"] == reverse("assessment:weekly_list")


def test_leader_home_shows_the_latest_report(client_for, leader, built):
    html = client_for(leader).get("/").content.decode()
    assert 'data-testid="home-weekly-summary"' in html
    assert "全县随访 4 次（+3）" in html and "6 个问题待研究" in html and DETAIL in html


# --- Status and rebuild ---------------------------------------------------------------------------
def test_status_json(client_for, clerk_a, built):
    doc = client_for(clerk_a).get(STATUS).json()
    assert doc["status"] == "done" and doc["label"] == "已完成" and doc["active"] is False
    assert doc["build_count"] == 1 and doc["built_at"]


def test_a_build_left_building_too_long_reads_as_failed(client_for, leader, built, settings):
    import datetime

    from django.utils import timezone

    old = timezone.now() - datetime.timedelta(seconds=settings.ASSESSMENT_WEEKLY_STALE_SECONDS + 5)
    WeeklyReport.objects.filter(week_start=W).update(status="building", task_id="dead", started_at=old)
    doc = client_for(leader).get(STATUS).json()
    assert doc["status"] == "failed" and "中断" in doc["error"] and not doc["active"]


def test_leader_rebuilds_a_week_and_it_is_built_after_commit(client_for, leader, built,
                                                             django_capture_on_commit_callbacks):
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(BUILD, {"week": "2026-03-04"}, **JSON)  # any day of the week
    assert response.status_code == 202 and response.json()["ok"]
    assert len(callbacks) == 1  # the task is enqueued after the commit, not before
    report = WeeklyReport.objects.get(week_start=W)
    assert report.status == "done" and report.build_count == 2 and report.requested_by == leader


def test_rebuild_without_javascript_redirects_to_the_report(client_for, leader, built,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(leader).post(BUILD, {"week": W.isoformat()})
    assert response.status_code == 302 and response["Location"] == DETAIL


def test_a_week_already_queued_is_not_queued_twice(client_for, leader, built):
    WeeklyReport.objects.filter(week_start=W).update(status="queued", task_id="t-1")
    response = client_for(leader).post(BUILD, {"week": W.isoformat()}, **JSON)
    assert response.status_code == 409 and "正在生成" in response.json()["message"]
    assert WeeklyReport.objects.get(week_start=W).task_id == "t-1"


@pytest.mark.parametrize("week, message", [("", "请选择一周"), ("2026-02-30", "有效的日期"),
                                           ("2099-01-05", "还没有开始")])
def test_bad_weeks_are_refused_with_a_message(client_for, leader, built, week, message):
    response = client_for(leader).post(BUILD, {"week": week}, **JSON)
    assert response.status_code == 400 and message in response.json()["message"]


def test_this_week_cannot_be_built_from_the_page_before_it_ends(client_for, leader, db):
    from django.utils import timezone

    from assessment.weeks import monday_of

    response = client_for(leader).post(BUILD, {"week": monday_of(timezone.localdate()).isoformat()}, **JSON)
    assert response.status_code == 400 and "还没有结束" in response.json()["message"]


@pytest.mark.parametrize("who", ["clerk_a", "bureau_staff", "inspector", "auditor"])
def test_only_leaders_rebuild(request, client_for, built, who):
    report = WeeklyReport.objects.get(week_start=W)
    response = client_for(request.getfixturevalue(who)).post(BUILD, {"week": W.isoformat()})
    assert response.status_code == 403
    before = (report.status, report.task_id, report.build_count)
    report.refresh_from_db()
    assert (report.status, report.task_id, report.build_count) == before


def test_build_refuses_get(client_for, leader, built):
    assert client_for(leader).get(BUILD).status_code == 405
    assert client_for(leader).post(DETAIL).status_code == 405
    assert client_for(leader).post(STATUS).status_code == 405


# --- Export and print -------------------------------------------------------------------------------
def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def rows_of(sheet):
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_leader_export_has_a_county_sheet_and_one_per_township(client_for, leader, built):
    book = workbook(client_for(leader).get(EXPORT))
    assert book.sheetnames == ["全县", "城关镇", "东关街道", "西关镇"]
    county = rows_of(book["全县"])
    assert county[0][0] == "每周通报（全县）" and "2026-03-02（周一）至 2026-03-08（周日）" in county[1][0]
    assert county[2][:5] == ("指标", "本周", "上周", "变化", "单位")
    by_label = {row[0]: row[1:5] for row in county[3:15]}
    assert by_label["随访次数"] == (4, 1, 3, None)
    assert by_label["按时随访率"] == (33.3, 100, -66.7, "%")
    assert ("城关镇", "东关街道", "西关镇") == tuple(next(r for r in county if r[0] == "各镇街本周数字")[1:4])
    assert any(r[0] == "第一工作组" and r[1] == "李家村" and r[3] == 2 for r in county)
    assert any(r[0] == 1 and r[1] == "城关镇" and r[2] == 90 and r[3] == "↑1" for r in county)
    town = rows_of(book["城关镇"])
    figures = {row[0]: row[1:5] for row in town[3:14]}
    assert figures["随访次数"] == (3, 1, 2, 1.33)
    assert "随访逾期超过 14 天：1 对夫妇" in [r[0] for r in town]
    event = AuditEvent.objects.get(action="export", object_type="assessment.weekly_report")
    assert event.user == leader and event.object_id == W.isoformat()


def test_clerk_export_has_only_their_own_township(client_for, clerk_a, built):
    book = workbook(client_for(clerk_a).get(EXPORT))
    assert book.sheetnames == ["城关镇"]
    assert "东关街道" not in json.dumps(rows_of(book["城关镇"]), ensure_ascii=False)


def test_print_page_is_a4_ready(client_for, leader, built):
    response = client_for(leader).get(reverse("assessment:weekly_print", args=[W]))
    html = response.content.decode()
    assert response.status_code == 200 and 'class="print-page weekly-print"' in html and "data-print" in html
    assert 'data-testid="weekly-rebuild"' not in html and "style=" not in html
    css = open("static/css/assessment.css", encoding="utf-8").read()
    assert "@page { size: A4" in css and "Noto Serif CJK SC" in css


def test_report_reads_the_same_after_the_records_change(client_for, leader, built):
    """A past week is a snapshot: a visit entered later does not change the built report."""
    from .weekly_world import visit

    visit(built["c1"], SUNDAY)
    response = client_for(leader).get(DETAIL)
    county = {line.indicator.key: line.value for line in response.context["view"].county_lines}
    assert county["households.visits_recorded"] == 4


@pytest.fixture
def restore_language():
    # The locale middleware activates English in this thread for the request and nothing
    # deactivates it: later tests that call services directly would get English messages.
    from django.utils import translation

    yield
    translation.activate("zh-hans")


def test_report_in_english_renders_labels_and_problems_in_english(client_for, leader, built, restore_language):
    client = client_for(leader)
    client.cookies["django_language"] = "en"
    html = client.get(DETAIL).content.decode()
    assert "Weekly report 2026-03-02 to 2026-03-08" in html
    assert "Follow-ups overdue by more than 14 days: 1 couples" in html  # stored in Chinese, shown in English
    assert "Visits on time" in html and "Problems to assign" in html
