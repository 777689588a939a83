"""Rectification (整改) and supervision (督导) pages: assigning from the Monday report, the clerk's
report with a photo, acceptance and return, scope (another township → 404, wrong role → 403,
nothing changed), forms that keep what was typed, constant query counts, the weekly section."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessment.models import Rectification, RectificationFile, SupervisionVisit
from assessment.services.rectifications import next_briefing, rectification_report
from tests.factories import TownshipFactory, UserFactory

from accounts.roles import Role

from ..households.querycount import REQUEST
from .factories import LiaisonFactory
from .rect_helpers import PROBLEMS, built_week, jpeg, make_rect

pytestmark = pytest.mark.django_db
S = Rectification.Status
TODAY = datetime.date.today()
WEEK = datetime.date(2026, 3, 2)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def report(township_a, township_b):
    return built_week(WEEK, (township_a, PROBLEMS), (township_b, PROBLEMS[1:]))


@pytest.fixture
def rect(township_a, clerk_a, leader):
    return make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=next_briefing())


def assign_url(township, index=0):
    return reverse("assessment:assign_problem", args=[WEEK, township.pk, index])


# --- Assigning from the Monday report -----------------------------------------------------------------
def test_the_report_offers_each_problem_to_assign_and_then_links_it(client_for, leader, report, township_a, clerk_a):
    client = client_for(leader)
    html = client.get(report.get_absolute_url()).content.decode()
    assert html.count('data-testid="weekly-problem-assign"') == 3 and 'data-testid="assign-week-form"' in html
    page = client.get(assign_url(township_a))
    assert page.status_code == 200 and "随访逾期超过 14 天：3 对夫妇" in page.content.decode()
    assert page.context["form"].initial["deadline"] == next_briefing()
    response = client.post(assign_url(township_a), {"task": "逐户上门随访", "deadline": next_briefing().isoformat(),
                                                    "responsible": clerk_a.pk})
    rect = Rectification.objects.get()
    assert response.status_code == 302 and response["Location"] == rect.get_absolute_url()
    assert (rect.task, rect.rule, rect.responsible, rect.created_by) == ("逐户上门随访", "overdue_long", clerk_a, leader)
    html = client.get(report.get_absolute_url()).content.decode()
    assert html.count('data-testid="weekly-problem-assign"') == 2
    assert html.count('data-testid="weekly-problem-rectification"') == 1


def test_a_bad_assignment_keeps_what_was_typed_and_writes_nothing(client_for, leader, report, township_a, clerk_b):
    response = client_for(leader).post(assign_url(township_a), {
        "task": "逐户上门随访", "deadline": (TODAY - datetime.timedelta(days=3)).isoformat(), "responsible": clerk_b.pk})
    assert response.status_code == 200 and response.context["form"].errors
    html = response.content.decode()
    assert "逐户上门随访" in html and "所选的责任人不在可选范围内" in html
    response = client_for(leader).post(assign_url(township_a), {"task": "x", "deadline": "2026-13-40"})
    assert "整改期限不是有效的日期" in response.content.decode()
    assert Rectification.objects.count() == 0


def test_clerks_cannot_open_the_assign_pages(client_for, clerk_a, report, township_a):
    client = client_for(clerk_a)
    assert client.get(assign_url(township_a)).status_code == 403
    assert client.post(reverse("assessment:assign_week", args=[WEEK]),
                       {"deadline": next_briefing().isoformat()}).status_code == 403
    assert Rectification.objects.count() == 0


def test_a_problem_that_does_not_exist_is_404(client_for, leader, report, township_a):
    assert client_for(leader).get(assign_url(township_a, 5)).status_code == 404


def test_assign_every_problem_of_the_week(client_for, leader, report, clerk_a, clerk_b):
    response = client_for(leader).post(reverse("assessment:assign_week", args=[WEEK]),
                                       {"deadline": next_briefing().isoformat()})
    assert response.status_code == 302
    assert Rectification.objects.count() == 3
    assert set(Rectification.objects.values_list("responsible__username", flat=True)) == {"clerk_a", "clerk_b"}


# --- The clerk reports, the leader accepts or returns -------------------------------------------------
def report_url(rect):
    return reverse("assessment:rectification_report", args=[rect.pk])


def test_clerk_reports_with_a_photo_and_leader_accepts(client_for, clerk_a, leader, rect, media):
    clerk = client_for(clerk_a)
    home = clerk.get("/").content.decode()
    assert 'data-testid="home-rect-row"' in home and rect.task in home
    detail = clerk.get(rect.get_absolute_url()).content.decode()
    assert 'data-testid="rect-report-form"' in detail and 'capture="environment"' in detail
    response = clerk.post(report_url(rect), {"text": "已逐户随访", "photos": [jpeg()]})
    assert response.status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.REPORTED
    stored = RectificationFile.objects.get()
    picture = clerk.get(stored.get_absolute_url())
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert picture["X-Content-Type-Options"] == "nosniff"
    boss = client_for(leader)
    assert 'data-testid="rect-accept-form"' in boss.get(rect.get_absolute_url()).content.decode()
    assert boss.post(reverse("assessment:rectification_accept", args=[rect.pk]), {"note": "好"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.DONE and rect.done_on_time
    assert AuditEvent.objects.filter(object_type="assessment.rectificationfile", action="view").count() == 1


def test_another_township_clerk_gets_404_and_nothing_changes(client_for, clerk_a, clerk_b, rect, media):
    client = client_for(clerk_b)
    assert client.get(rect.get_absolute_url()).status_code == 404
    assert client.post(report_url(rect), {"text": "冒名上报"}).status_code == 404
    rectification_report(rectification=rect, by=clerk_a, text="已整改", files=[jpeg()])
    assert client.get(RectificationFile.objects.get().get_absolute_url()).status_code == 404
    assert client.post(reverse("assessment:rectification_accept", args=[rect.pk])).status_code == 404
    rect.refresh_from_db()
    assert rect.status == S.REPORTED and rect.steps.count() == 2


def test_wrong_roles_get_403_and_nothing_changes(client_for, clerk_a, leader, bureau_staff, rect):
    assert client_for(leader).post(report_url(rect), {"text": "领导代报"}).status_code == 403
    assert client_for(bureau_staff).get(rect.get_absolute_url()).status_code == 403
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    assert client_for(clerk_a).post(reverse("assessment:rectification_accept", args=[rect.pk])).status_code == 403
    assert client_for(clerk_a).post(reverse("assessment:rectification_return", args=[rect.pk]),
                                    {"reason": "x"}).status_code == 403
    rect.refresh_from_db()
    assert rect.status == S.REPORTED


def test_return_needs_a_reason_and_keeps_the_page(client_for, clerk_a, leader, rect):
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    url = reverse("assessment:rectification_return", args=[rect.pk])
    response = client_for(leader).post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    rect.refresh_from_db()
    assert rect.status == S.REPORTED
    assert client_for(leader).post(url, {"reason": "照片看不清"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.RETURNED
    detail = client_for(clerk_a).get(rect.get_absolute_url()).content.decode()
    assert "照片看不清" in detail and 'data-testid="rect-report-form"' in detail


def test_a_disguised_file_is_refused_on_the_page_keeping_the_text(client_for, clerk_a, rect, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    response = client_for(clerk_a).post(report_url(rect), {"text": "已整改完毕", "files": [fake]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "已整改完毕" in html and "不支持的文件类型" in html
    rect.refresh_from_db()
    assert rect.status == S.OPEN and not RectificationFile.objects.exists()


# --- Lists ------------------------------------------------------------------------------------------------
def test_list_is_scoped_and_its_queries_do_not_grow(client_for, clerk_a, clerk_b, leader, township_a, township_b,
                                                   django_assert_num_queries):
    for n in range(3):
        make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY + datetime.timedelta(days=n))
    make_rect(township=township_b, responsible=clerk_b, by=leader, deadline=TODAY - datetime.timedelta(days=1))
    url = reverse("assessment:rectification_list")
    assert len(client_for(clerk_a).get(url).context["page"].object_list) == 3
    mine_b = client_for(clerk_b).get(url + "?show=overdue")
    assert [r.township for r in mine_b.context["page"].object_list] == [township_b]
    assert 'data-testid="rect-overdue"' in mine_b.content.decode()
    assert client_for(clerk_b).get(url + f"?township={township_a.pk}").status_code == 404
    client = client_for(leader)
    client.get(url)
    with django_assert_num_queries(REQUEST + 3) as few:  # the count, the page, the townships
        client.get(url)
    for _ in range(6):
        town = TownshipFactory()
        make_rect(township=town, responsible=UserFactory(role=Role.CLERK, township=town), by=leader, deadline=TODAY)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 10


# --- Supervision visits -----------------------------------------------------------------------------------
def test_a_liaison_leader_records_a_visit_and_turns_what_was_agreed_into_a_rectification(
        client_for, leader, township_a, township_b, clerk_a):
    LiaisonFactory(township=township_a, year=TODAY.year, leader=leader)
    client = client_for(leader)
    data = {"township": township_a.pk, "visit_date": TODAY.isoformat(), "participants": "张三、李四",
            "findings": "台账不全", "agreed": "一周内补齐台账"}
    # Not the leader's township (and not offered in the list): refused, what was typed kept.
    response = client.post(reverse("assessment:supervision_create"), {**data, "township": township_b.pk})
    assert response.status_code == 200 and "台账不全" in response.content.decode()
    assert response.context["form"].errors
    assert not SupervisionVisit.objects.exists()
    response = client.post(reverse("assessment:supervision_create"), data)
    visit = SupervisionVisit.objects.get()
    assert response.status_code == 302 and (visit.leader, visit.township) == (leader, township_a)
    assign = reverse("assessment:supervision_assign", args=[visit.pk])
    assert client.get(assign).context["form"].initial["task"] == "一周内补齐台账"
    response = client.post(assign, {"task": "一周内补齐台账", "deadline": next_briefing().isoformat(),
                                    "responsible": clerk_a.pk})
    rect = Rectification.objects.get()
    assert (rect.source, rect.visit, rect.township) == ("supervision", visit, township_a)
    page = client.get(reverse("assessment:leader", args=[leader.pk])).content.decode()
    assert 'data-testid="leader-supervision-row"' in page


def test_clerks_do_not_see_supervision(client_for, clerk_a, leader, township_a):
    visit = SupervisionVisit.objects.create(leader=leader, township=township_a, visit_date=TODAY, participants="x",
                                            findings="y")
    assert client_for(clerk_a).get(visit.get_absolute_url()).status_code == 403
    assert client_for(clerk_a).post(reverse("assessment:supervision_assign", args=[visit.pk]), {}).status_code == 403


def test_the_default_list_holds_every_status_but_done(client_for, leader, clerk_a, township_a):
    """未完成 (the default) is 待整改, 待验收 and 已退回 — not only the status called "open"."""
    rows = {status: make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY, status=status,
                              **({"done_at": timezone.now()} if status == S.DONE else {}))
            for status in (S.OPEN, S.REPORTED, S.RETURNED, S.DONE)}
    url = reverse("assessment:rectification_list")
    listed = {r.pk for r in client_for(leader).get(url).context["page"].object_list}
    assert listed == {rows[S.OPEN].pk, rows[S.REPORTED].pk, rows[S.RETURNED].pk}
    only_reported = client_for(leader).get(url + "?show=reported").context["page"].object_list
    assert [r.pk for r in only_reported] == [rows[S.REPORTED].pk]
    everything = client_for(leader).get(url + "?show=all").context["page"].object_list
    assert len(everything) == 4


def test_the_leaders_home_counts_what_waits_for_acceptance_and_what_is_overdue(client_for, leader, clerk_a,
                                                                                township_a):
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY, status=S.REPORTED)
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY - datetime.timedelta(days=1))
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY - datetime.timedelta(days=9),
              status=S.DONE, done_at=timezone.now())
    response = client_for(leader).get("/")
    assert response.context["assessment_panel"]["rectifications"] == {"waiting": 1, "overdue": 1}
    assert 'data-testid="home-rectifications-summary"' in response.content.decode()
    assert 'data-testid="home-rectifications-summary"' not in client_for(clerk_a).get("/").content.decode()


def test_the_leaders_record_counts_their_supervision_visits_and_townships_rectifications_on_time(
        client_for, leader, township_a, township_b, clerk_a, clerk_b):
    """The annual record's two duties: visits against the target (one a month per liaison township over the
    months gone by) and the liaison townships' rectifications done on time (one rate over all of them)."""
    LiaisonFactory(township=township_a, year=TODAY.year, leader=leader)
    SupervisionVisit.objects.create(leader=leader, township=township_a, visit_date=TODAY, participants="x",
                                    findings="y")
    other = UserFactory(role=Role.LEADER)
    SupervisionVisit.objects.create(leader=other, township=township_a, visit_date=TODAY, participants="x",
                                    findings="another leader's visit")
    on_time = make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY,
                        status=S.DONE, done_at=timezone.now(), done_on_time=True)
    make_rect(township=township_a, responsible=clerk_a, by=leader, deadline=TODAY - datetime.timedelta(days=1))
    make_rect(township=township_b, responsible=clerk_b, by=leader, deadline=TODAY - datetime.timedelta(days=1))
    page = client_for(leader).get(reverse("assessment:leader", args=[leader.pk]))
    assert page.context["supervision_visits"] == 1  # not the other leader's
    assert page.context["supervision_target"] == TODAY.month  # one a month, one township
    assert page.context["rectifications_on_time"] == 50.0  # 1 of township_a's 2 due; township_b not theirs
    html = page.content.decode()
    assert f"1 次 / 目标 {TODAY.month} 次" in html and "50.0%" in html
    assert on_time.done_on_time
