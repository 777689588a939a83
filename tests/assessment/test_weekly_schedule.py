"""Beat's Monday run: due at 06:00 Asia/Shanghai on Mondays (Sunday 22:00 UTC), and what it queues."""
import copy
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from assessment.models import WeeklyReport
from assessment.tasks import weekly_report_scheduled
from assessment.weeks import last_complete_week
from config.celery import app

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def schedule_at(now: datetime.datetime):
    """The settings' crontab bound to the project's Celery app (its time zone), clock at ``now``."""
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report"]
    assert entry["task"] == "assessment.tasks.weekly_report_scheduled"
    schedule = copy.copy(entry["schedule"])
    schedule.app, schedule.nowfun = app, lambda: now
    return schedule


LAST_RUN = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=SHANGHAI)  # the Monday before


def test_due_on_monday_0600_shanghai_which_is_sunday_2200_utc():
    monday_six = datetime.datetime(2026, 3, 8, 22, 0, tzinfo=UTC)  # = Monday 9 March 06:00 Shanghai
    assert monday_six.astimezone(SHANGHAI).strftime("%a %H:%M") == "Mon 06:00"
    due, _next = schedule_at(monday_six).is_due(LAST_RUN)
    assert due
    not_yet = datetime.datetime(2026, 3, 8, 21, 59, tzinfo=UTC)  # Monday 05:59 in Shanghai
    assert not schedule_at(not_yet).is_due(LAST_RUN)[0]


def test_not_due_on_sunday_or_at_monday_0600_utc_before_shanghai_monday():
    # Sunday 06:00 UTC is Sunday 14:00 in Shanghai: the week is not over.
    assert not schedule_at(datetime.datetime(2026, 3, 8, 6, 0, tzinfo=UTC)).is_due(LAST_RUN)[0]
    # The next run after last Monday is exactly Monday 06:00 Shanghai, not Monday 06:00 UTC.
    schedule = schedule_at(LAST_RUN)
    next_run = LAST_RUN + schedule.remaining_estimate(LAST_RUN)
    assert next_run.astimezone(SHANGHAI) == datetime.datetime(2026, 3, 9, 6, 0, tzinfo=SHANGHAI)
    assert next_run.astimezone(UTC) == datetime.datetime(2026, 3, 8, 22, 0, tzinfo=UTC)


def test_celery_runs_on_shanghai_time():
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai" == str(app.timezone)


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_queues_and_builds_the_week_just_ended(township_a):
    # In-process here (eager): the request is committed, the build task runs after the commit.
    assert weekly_report_scheduled.delay().get() == last_complete_week().isoformat()
    report = WeeklyReport.objects.get()
    assert report.week_start == last_complete_week() and report.status == WeeklyReport.Status.DONE
    assert report.requested_by is None and report.sections.count() == 1


def test_lost_weekly_work_is_reconciled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-weekly-reports"]
    assert entry["task"] == "assessment.tasks.reconcile_weekly_reports"
    assert str(entry["schedule"]._orig_minute) == "*"
