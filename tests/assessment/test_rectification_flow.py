"""Rectifications (整改): every legal and illegal step, who may take it, the step rows, the audit,
files checked by content, and overdue by date without anyone touching it."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from accounts.permissions import CapabilityDenied
from assessment.models import Rectification, RectificationFile, RectificationStep
from assessment.selectors.rectifications import rectification_list
from assessment.services.rectifications import (
    next_briefing,
    rectification_accept,
    rectification_assign_problem,
    rectification_assign_week,
    rectification_report,
    rectification_return,
)
from tests.factories import UserFactory

from accounts.roles import Role

from .rect_helpers import PROBLEMS, built_week, jpeg, second_leader

S = Rectification.Status
D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def report(township_a, township_b):
    return built_week(D(2026, 3, 2), (township_a, PROBLEMS), (township_b, PROBLEMS[1:]))


@pytest.fixture
def rect(report, leader, clerk_a):
    section = report.sections.get(township__code=clerk_a.township.code)
    return rectification_assign_problem(by=leader, section=section, index=0, deadline=next_briefing(),
                                        responsible=clerk_a)


def steps(rect):
    return list(RectificationStep.objects.filter(rectification=rect).values_list("from_status", "to_status"))


def test_assign_keeps_the_problem_and_writes_the_first_step(rect, leader, clerk_a):
    assert rect.status == S.OPEN and rect.source == "weekly" and rect.rule == "overdue_long"
    assert rect.problem["text"] == "随访逾期超过 14 天：3 对夫妇" and rect.problem["week"] == "2026-03-02"
    assert rect.problem["url"].startswith("/") and f"township={rect.township_id}" in rect.problem["url"]
    assert rect.deadline == next_briefing() and rect.deadline.weekday() == 0 and rect.deadline > TODAY
    assert steps(rect) == [("", S.OPEN)]
    assert AuditEvent.objects.filter(object_type="assessment.rectification", object_id=str(rect.pk),
                                     action=AuditEvent.Action.CREATE, user=leader).count() == 1


def test_a_problem_is_assigned_once(rect, report, leader, clerk_a):
    section = report.sections.get(township=rect.township)
    with pytest.raises(ValidationError, match="已经交办"):
        rectification_assign_problem(by=leader, section=section, index=0, deadline=next_briefing(),
                                     responsible=clerk_a)
    assert Rectification.objects.count() == 1


def test_assign_refuses_a_clerk_of_another_township_and_a_past_deadline(report, leader, clerk_b, clerk_a):
    section = report.sections.get(township=clerk_a.township)
    with pytest.raises(ValidationError) as refused:
        rectification_assign_problem(by=leader, section=section, index=0, deadline=TODAY - datetime.timedelta(days=1),
                                     responsible=clerk_b)
    assert set(refused.value.message_dict) == {"deadline", "responsible"}
    assert Rectification.objects.count() == 0


def test_clerks_and_bureau_staff_without_a_grant_cannot_assign(report, clerk_a, bureau_staff):
    section = report.sections.get(township=clerk_a.township)
    for user in (clerk_a, bureau_staff):
        with pytest.raises(CapabilityDenied):
            rectification_assign_problem(by=user, section=section, index=0, deadline=next_briefing(),
                                         responsible=clerk_a)
    assert Rectification.objects.count() == 0


def test_a_granted_assessor_assigns(report, assessor, clerk_a):
    section = report.sections.get(township=clerk_a.township)
    rect = rectification_assign_problem(by=assessor, section=section, index=1, deadline=next_briefing(),
                                        responsible=clerk_a)
    assert rect.created_by == assessor


def test_all_problems_of_the_week_at_once_skip_what_is_assigned(rect, report, leader, clerk_a, clerk_b):
    made, skipped = rectification_assign_week(by=leader, report=report)
    # A: problem 0 was assigned already, problem 1 is new; B: its one problem.
    assert sorted((r.township_id, r.rule) for r in made) == sorted(
        [(clerk_a.township_id, "no_visits"), (clerk_b.township_id, "no_visits")])
    assert skipped == []
    assert {r.responsible for r in made} == {clerk_a, clerk_b}
    again, _skipped = rectification_assign_week(by=leader, report=report)
    assert again == [] and Rectification.objects.count() == 3


def test_a_township_without_a_clerk_is_skipped_and_named(report, leader, clerk_a, township_b):
    made, skipped = rectification_assign_week(by=leader, report=report)
    assert [r.township for r in made] == [clerk_a.township, clerk_a.township] and skipped == [township_b.name]


def test_report_accept_the_whole_way_with_a_photo(rect, clerk_a, leader, media):
    rectification_report(rectification=rect, by=clerk_a, text="已全部上门随访", files=[jpeg()])
    rect.refresh_from_db()
    assert rect.status == S.REPORTED and rect.reported_at is not None
    stored = RectificationFile.objects.get()
    assert stored.kind == "jpeg" and stored.uploaded_by == clerk_a and len(stored.sha256) == 64
    assert (media / stored.file.name).exists()
    rectification_accept(rectification=rect, by=leader)
    rect.refresh_from_db()
    assert rect.status == S.DONE and rect.done_on_time is True and rect.done_at is not None
    assert steps(rect) == [("", S.OPEN), (S.OPEN, S.REPORTED), (S.REPORTED, S.DONE)]
    actions = list(AuditEvent.objects.filter(object_type="assessment.rectification", object_id=str(rect.pk))
                   .order_by("id").values_list("action", "user__username"))
    assert actions == [("create", leader.username), ("update", clerk_a.username), ("update", leader.username)]


def test_return_with_a_reason_then_report_again(rect, clerk_a, leader):
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    with pytest.raises(ValidationError) as refused:
        rectification_return(rectification=rect, by=leader, reason="  ")
    assert "reason" in refused.value.message_dict
    rectification_return(rectification=rect, by=leader, reason="照片不清楚，请补充")
    rect.refresh_from_db()
    assert rect.status == S.RETURNED
    assert RectificationStep.objects.filter(rectification=rect).last().note == "照片不清楚，请补充"
    rectification_report(rectification=rect, by=clerk_a, text="已补充照片")
    rect.refresh_from_db()
    assert rect.status == S.REPORTED
    assert steps(rect)[-2:] == [(S.REPORTED, S.RETURNED), (S.RETURNED, S.REPORTED)]


@pytest.mark.parametrize("status, action", [
    (S.OPEN, "accept"), (S.OPEN, "return"), (S.RETURNED, "accept"), (S.RETURNED, "return"),
    (S.REPORTED, "report"), (S.DONE, "report"), (S.DONE, "accept"), (S.DONE, "return"),
])
def test_illegal_transitions_are_refused_and_change_nothing(rect, clerk_a, leader, status, action):
    Rectification.objects.filter(pk=rect.pk).update(status=status, done_at=rect.created_at)
    rect.refresh_from_db()
    before = RectificationStep.objects.count()
    with pytest.raises(ValidationError, match="不能"):
        if action == "report":
            rectification_report(rectification=rect, by=clerk_a, text="x")
        elif action == "accept":
            rectification_accept(rectification=rect, by=leader)
        else:
            rectification_return(rectification=rect, by=leader, reason="x")
    rect.refresh_from_db()
    assert rect.status == status and RectificationStep.objects.count() == before


def test_only_a_clerk_of_the_township_reports(rect, clerk_b, leader, bureau_staff):
    for user in (clerk_b, leader, bureau_staff):
        with pytest.raises(CapabilityDenied):
            rectification_report(rectification=rect, by=user, text="x")
    rect.refresh_from_db()
    assert rect.status == S.OPEN


def test_another_clerk_of_the_same_township_may_report(rect, clerk_a):
    colleague = UserFactory(username="clerk_a2", role=Role.CLERK, township=clerk_a.township)
    rectification_report(rectification=rect, by=colleague, text="已整改")
    rect.refresh_from_db()
    assert rect.status == S.REPORTED


def test_clerks_cannot_accept_or_return(rect, clerk_a):
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    with pytest.raises(CapabilityDenied):
        rectification_accept(rectification=rect, by=clerk_a)
    with pytest.raises(CapabilityDenied):
        rectification_return(rectification=rect, by=clerk_a, reason="x")
    rect.refresh_from_db()
    assert rect.status == S.REPORTED


def test_nobody_reports_and_accepts_the_same_rectification(rect, clerk_a):
    """A user who reported it (here a clerk who became a leader) cannot accept or return it."""
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    clerk_a.role, clerk_a.township = Role.LEADER, None
    clerk_a.save()
    for apply in (lambda: rectification_accept(rectification=rect, by=clerk_a),
                  lambda: rectification_return(rectification=rect, by=clerk_a, reason="x")):
        with pytest.raises(ValidationError, match="同一个人"):
            apply()
    rect.refresh_from_db()
    assert rect.status == S.REPORTED
    rectification_accept(rectification=rect, by=second_leader())
    rect.refresh_from_db()
    assert rect.status == S.DONE


def test_a_disguised_file_is_refused_and_nothing_is_written(rect, clerk_a, media):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        rectification_report(rectification=rect, by=clerk_a, text="已整改", files=[jpeg("ok.jpg"), fake])
    assert "files" in refused.value.message_dict and "photo.jpg" in refused.value.message_dict["files"][0]
    rect.refresh_from_db()
    assert rect.status == S.OPEN and RectificationFile.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*.jpg"))


def test_late_report_is_done_late(rect, clerk_a, leader):
    Rectification.objects.filter(pk=rect.pk).update(deadline=TODAY - datetime.timedelta(days=2))
    rect.refresh_from_db()
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    rectification_accept(rectification=rect, by=leader)
    rect.refresh_from_db()
    assert rect.done_on_time is False


def test_overdue_by_date_without_anyone_touching_it(rect, clerk_a, leader):
    """The clock moves past the deadline: the list marks it overdue; nothing was written."""
    deadline = rect.deadline
    updated = rect.updated_at
    on_deadline = rectification_list(user=leader, today=deadline, overdue=True)
    day_after = rectification_list(user=leader, today=deadline + datetime.timedelta(days=1), overdue=True)
    assert list(on_deadline) == [] and list(day_after) == [rect]
    assert not rect.is_overdue(deadline) and rect.is_overdue(deadline + datetime.timedelta(days=1))
    rect.refresh_from_db()
    assert rect.updated_at == updated and rect.status == S.OPEN
    # Accepted: never overdue again, whatever the date.
    rectification_report(rectification=rect, by=clerk_a, text="已整改")
    rectification_accept(rectification=rect, by=leader)
    assert list(rectification_list(user=leader, today=deadline + datetime.timedelta(days=30), overdue=True)) == []


def test_a_clerk_lists_only_their_own_township(rect, report, leader, clerk_a, clerk_b):
    made, _skipped = rectification_assign_week(by=leader, report=report)
    assert set(rectification_list(user=clerk_b, today=TODAY)) == {r for r in made if r.township == clerk_b.township}
    assert rect not in set(rectification_list(user=clerk_b, today=TODAY))
    assert rect in set(rectification_list(user=clerk_a, today=TODAY))


def test_a_reported_photo_is_stored_without_its_gps_metadata_and_a_pixel_bomb_is_refused(rect, clerk_a, media):
    """Rectification photos go through the same image check as evidence (core.images): size from the
    header before decoding, then re-encoded; the record keeps the upload's own SHA-256."""
    import hashlib

    from tests.enforcement.files import gps_exif, jpeg as exif_jpeg, png_bomb

    bomb = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        rectification_report(rectification=rect, by=clerk_a, text="已整改", files=[bomb])
    assert "bomb.png" in refused.value.message_dict["files"][0]
    assert RectificationFile.objects.count() == 0
    raw = exif_jpeg(exif=gps_exif())
    rectification_report(rectification=rect, by=clerk_a, text="已整改",
                         files=[SimpleUploadedFile("site.jpg", raw, content_type="image/jpeg")])
    stored = RectificationFile.objects.get()
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    kept = stored.file.read()
    assert kept != raw and b"PhoneMaker" not in kept and b"Exif" not in kept
