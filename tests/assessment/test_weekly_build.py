"""Building a week: idempotent, one report whatever runs at once, claims that survive a dead
worker, failures and retries recorded on the row, the ``weekly_report`` command."""
import datetime
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from assessment.models import WeeklyReport, WeeklyReportSection
from assessment.services import weekly as service
from assessment.services.weekly import weekly_report_build
from assessment.selectors.weekly import home_summary, latest_built
from assessment.tasks import backoff, build_weekly_report
from assessment.views.weekly import status_doc
from assessment.weeks import monday_of

from .weekly_world import EXPECTED_A, W, D

Status = WeeklyReport.Status


def test_building_a_week_twice_leaves_one_report_with_the_same_figures(week_world):
    first = weekly_report_build(week_start=W)
    figures = first.report.figures
    sections = list(WeeklyReportSection.objects.order_by("position").values_list("township_id", "figures", "problems"))
    second = weekly_report_build(week_start=W)
    assert first.outcome == second.outcome == "built"
    assert WeeklyReport.objects.count() == 1 and second.report.pk == first.report.pk
    assert second.report.figures == figures and second.report.build_count == 2
    assert list(WeeklyReportSection.objects.order_by("position").values_list(
        "township_id", "figures", "problems")) == sections
    assert WeeklyReportSection.objects.count() == 3
    values = WeeklyReportSection.objects.get(township=week_world["a"]).figures["values"]
    assert values["households.visits_recorded"] == EXPECTED_A["households.visits_recorded"][0]


@pytest.mark.django_db(transaction=True)
def test_two_builds_of_the_same_week_at_once_leave_one_report(week_world, monkeypatch):
    """Two threads, each with its own database connection, start the same week's build at the same
    moment (no row yet: both try to create it). The figures take half a second, so the second
    build arrives while the first holds the claim."""
    real = service.compute_week

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute_week", slow)
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def build():
        try:
            start.wait()
            outcomes.append(weekly_report_build(week_start=W).outcome)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == ["built", "busy"]
    report = WeeklyReport.objects.get()
    assert report.status == Status.DONE and report.build_count == 1
    assert WeeklyReportSection.objects.filter(report=report).count() == 3
    # And the figures are what a build on its own writes.
    alone = weekly_report_build(week_start=W).report
    assert alone.figures == report.figures


def test_a_week_another_build_holds_is_left_alone(week_world):
    WeeklyReport.objects.create(week_start=W, status=Status.BUILDING, task_id="other", started_at=timezone.now())
    result = weekly_report_build(week_start=W, claim="mine")
    assert result.outcome == "busy"
    assert result.report.task_id == "other" and result.report.built_at is None
    assert not WeeklyReportSection.objects.exists()


def test_a_dead_build_is_taken_over_once_stale(week_world, settings):
    dead = timezone.now() - datetime.timedelta(seconds=settings.ASSESSMENT_WEEKLY_STALE_SECONDS + 1)
    WeeklyReport.objects.create(week_start=W, status=Status.BUILDING, task_id="dead", started_at=dead)
    result = weekly_report_build(week_start=W, claim="mine")
    assert result.outcome == "built" and result.report.task_id == "mine"


def test_a_redelivered_task_takes_its_own_claim_over_and_skips_once_done(week_world):
    # The worker died mid-build: the message comes back with the same task id.
    WeeklyReport.objects.create(week_start=W, status=Status.BUILDING, task_id="t-1", started_at=timezone.now())
    assert weekly_report_build(week_start=W, claim="t-1").outcome == "built"
    # Redelivered again after it had finished (killed between the commit and the ack): nothing to do.
    assert weekly_report_build(week_start=W, claim="t-1").outcome == "already_built"
    assert WeeklyReport.objects.get().build_count == 1


def test_a_build_whose_claim_was_taken_over_does_not_write(week_world, monkeypatch):
    real = service.compute_week

    def taken_over(*args, **kwargs):
        figures = real(*args, **kwargs)
        WeeklyReport.objects.filter(week_start=W).update(task_id="newer")  # our claim went stale meanwhile
        return figures

    monkeypatch.setattr(service, "compute_week", taken_over)
    result = weekly_report_build(week_start=W, claim="slow")
    assert result.outcome == "lost_claim"
    assert result.report.built_at is None and not WeeklyReportSection.objects.exists()


def test_weeks_that_are_not_mondays_or_not_begun_are_refused(db):
    with pytest.raises(service.WeekRefused, match="不是周一"):
        weekly_report_build(week_start=D(2026, 3, 3))
    next_monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    with pytest.raises(service.WeekRefused, match="还没有开始"):
        weekly_report_build(week_start=next_monday)
    assert not WeeklyReport.objects.exists()


# --- The task (in-process here; tests/assessment/test_weekly_worker.py runs a real worker) ----
def test_task_records_why_a_build_failed(week_world, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("indicator exploded")

    monkeypatch.setattr(service, "compute_week", broken)
    with pytest.raises(ValueError):
        build_weekly_report.apply(args=[W.isoformat()], task_id="t-broken")
    report = WeeklyReport.objects.get()
    assert report.status == Status.FAILED and "indicator exploded" in report.error
    assert report.finished_at is not None


def test_task_retries_a_database_error_and_then_builds(week_world, monkeypatch):
    real, calls = service.compute_week, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute_week", flaky)
    # In-process, a retry runs again at once (a worker waits for the countdown).
    build_weekly_report.apply(args=[W.isoformat()], task_id="t-flaky", throw=False)
    report = WeeklyReport.objects.get()
    assert len(calls) == 2 and report.status == Status.DONE and report.task_id == "t-flaky"
    assert [backoff(n) for n in range(5)] == [30, 60, 120, 240, 480]


def test_task_gives_up_after_its_retries_and_says_why(week_world, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(service, "compute_week", down)
    # The last attempt (three retries spent already): no more retries, the reason on the row.
    result = build_weekly_report.apply(args=[W.isoformat()], task_id="t-down", retries=3, throw=False)
    assert isinstance(result.result, OperationalError)
    report = WeeklyReport.objects.get()
    assert report.status == Status.FAILED and "重试 3 次后仍然失败" in report.error


def test_task_is_reliable_by_configuration(settings):
    assert build_weekly_report.acks_late and build_weekly_report.reject_on_worker_lost
    assert build_weekly_report.max_retries == 3
    # The broker must not hand an unacknowledged build to a second worker while the first may
    # still run: time limit + the longest backoff countdown, with room to spare.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > build_weekly_report.time_limit + backoff(build_weekly_report.max_retries) + 600
    assert settings.ASSESSMENT_WEEKLY_STALE_SECONDS > build_weekly_report.time_limit


# --- The command -------------------------------------------------------------------------------
def test_command_builds_the_week_of_any_day_given(week_world):
    out = StringIO()
    call_command("weekly_report", "--week", "2026-03-04", stdout=out)
    assert "2026-03-04 is not a Monday: building the week starting 2026-03-02" in out.getvalue()
    assert "2026-03-02: built" in out.getvalue() and "6 problems" in out.getvalue()
    assert WeeklyReport.objects.get().week_start == W


def test_command_dry_run_writes_nothing_and_prints_the_county(week_world):
    out = StringIO()
    call_command("weekly_report", "--week", "2026-03-02", "--dry-run", stdout=out)
    assert not WeeklyReport.objects.exists()
    assert "随访次数: 4 (last week 1)" in out.getvalue()


def test_command_backfills_several_weeks_and_a_rebuild_is_idempotent(week_world):
    call_command("weekly_report", "--week", "2026-03-02", "--weeks", "3", stdout=StringIO())
    call_command("weekly_report", "--week", "2026-03-02", stdout=StringIO())
    assert list(WeeklyReport.objects.order_by("week_start").values_list("week_start", "build_count")) == [
        (D(2026, 2, 16), 1), (D(2026, 2, 23), 1), (W, 2)]


def test_command_refuses_a_week_not_begun(db):
    with pytest.raises(CommandError, match="还没有开始"):
        call_command("weekly_report", "--week", (timezone.localdate() + datetime.timedelta(days=8)).isoformat(),
                     stdout=StringIO())


def test_command_refuses_the_unfinished_week_unless_asked_for_a_partial_one(week_world):
    """--week on this week built it and the leader's home showed it as 上周通报 (issue #18)."""
    this_week = monday_of(timezone.localdate())
    with pytest.raises(CommandError, match="has not ended.*--partial"):
        call_command("weekly_report", "--week", timezone.localdate().isoformat(), stdout=StringIO())
    with pytest.raises(CommandError, match="--partial"):
        call_command("weekly_report", "--week", this_week.isoformat(), "--queue", stdout=StringIO())
    assert not WeeklyReport.objects.exists()

    call_command("weekly_report", "--week", W.isoformat(), stdout=StringIO())  # a whole week
    out = StringIO()
    call_command("weekly_report", "--week", this_week.isoformat(), "--partial", stdout=out)
    assert f"{this_week}: built" in out.getvalue()
    partial = WeeklyReport.objects.get(week_start=this_week)
    assert partial.is_partial and not WeeklyReport.objects.get(week_start=W).is_partial
    # Never last week's briefing: the home panel and "latest" show the whole week before it.
    assert home_summary()["week_start"] == W
    assert latest_built().week_start == W
    doc = status_doc(partial)
    assert doc["partial"] is True and doc["label"].startswith("部分周：生成时本周尚未结束，数据截至 ")


def test_a_week_built_after_its_sunday_is_whole_again(week_world):
    weekly_report_build(week_start=W)
    report = WeeklyReport.objects.get()
    sunday_night = timezone.make_aware(datetime.datetime.combine(report.week_end, datetime.time(23, 59)))
    WeeklyReport.objects.filter(pk=report.pk).update(built_at=sunday_night)
    report.refresh_from_db()
    assert report.is_partial and home_summary() is None and latest_built() is None
    monday = sunday_night + datetime.timedelta(minutes=1)
    WeeklyReport.objects.filter(pk=report.pk).update(built_at=monday)
    report.refresh_from_db()
    assert not report.is_partial and home_summary()["week_start"] == W and latest_built() == report


@pytest.mark.django_db(transaction=True)
def test_command_can_hand_the_build_to_the_worker(week_world):
    # In-process here (eager): queued after commit, then built by the task under its own id.
    out = StringIO()
    call_command("weekly_report", "--week", W.isoformat(), "--queue", stdout=out)
    assert f"{W}: queued" in out.getvalue()
    report = WeeklyReport.objects.get()
    assert report.status == Status.DONE and report.task_id and not report.task_id.startswith(("cmd-", "run-"))
