"""A weekly rebuild whose message is lost (Redis restarted with nothing on disk) is queued again by
itself, and a leader may rebuild it at once: the week never sits at 排队中 for 15 or 60 minutes.

A private Redis as broker (restarted by the test), real worker processes, the suite's PostgreSQL.
"""
import time

import pytest

from assessment.models import WeeklyReport
from assessment.services.weekly import weekly_report_request, weekly_reports_reconcile
from assessment.weeks import last_complete_week
from core.broker import task_ids_in_broker

from .test_worker_killed import Worker

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def queue_then_lose(broker, week) -> WeeklyReport:
    result = weekly_report_request(week_start=week)
    assert result.outcome == "queued"
    report = WeeklyReport.objects.get(week_start=week)
    assert report.status == "queued" and report.task_id in task_ids_in_broker()  # the broker is read
    broker.stop()  # Redis restarts and keeps nothing: the message is gone, the row says 排队中
    broker.start()
    assert task_ids_in_broker() == set()
    return report


def test_a_leader_may_rebuild_a_week_whose_task_the_broker_lost(broker, settings):
    settings.ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS = 0
    week = last_complete_week()
    lost = queue_then_lose(broker, week)
    # Not "busy" for 15 minutes: the task is provably gone, so asking again queues a new one.
    again = weekly_report_request(week_start=week)
    assert again.outcome == "queued" and again.report.task_id != lost.task_id
    assert again.report.task_id in task_ids_in_broker()


def test_a_lost_week_is_queued_again_and_built_once_with_no_user_action(broker, settings, tmp_path):
    settings.ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS = 0
    week = last_complete_week()
    lost = queue_then_lose(broker, week)
    assert weekly_reports_reconcile(dry_run=True) == [week]
    # A worker starting after the restart looks for lost work at once (beat would, within a minute).
    worker = Worker(broker.url, tmp_path / "worker.log", pool="prefork",
                    extra_env={"RECONCILE_ON_WORKER_START": "true", "ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS": "0"})
    try:
        deadline = time.monotonic() + 60
        while (report := WeeklyReport.objects.get(week_start=week)).status != "done":
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.3)
    finally:
        worker.stop()
    assert report.build_count == 1 and report.task_id != lost.task_id
    assert WeeklyReport.objects.count() == 1
    assert weekly_reports_reconcile(dry_run=True) == []  # nothing left to do, nothing doubled


def test_without_a_readable_broker_nothing_is_queued_again(broker, settings):
    """Cannot tell is not gone: with the broker down, a week that may still be in it is left alone."""
    settings.ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS = 0
    week = last_complete_week()
    assert weekly_report_request(week_start=week).outcome == "queued"
    broker.stop()
    try:
        assert task_ids_in_broker() is None
        assert weekly_reports_reconcile() == []
        assert WeeklyReport.objects.get(week_start=week).status == "queued"
    finally:
        broker.start()
