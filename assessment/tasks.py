"""Celery tasks of the Monday briefing. Beat's schedule lives in settings (CELERY_BEAT_SCHEDULE).

Reliability (issue #10): ``acks_late`` with ``reject_on_worker_lost`` — a worker killed mid-build
leaves the message in Redis to be delivered again, and the redelivered task (same id) may take its
own dead claim over; the broker's visibility timeout (settings) is longer than the longest build
plus the longest retry countdown. Database errors are retried with exponential backoff; the page
shows "queued, retrying" meanwhile and the reason once the retries are spent.
"""
import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .services.weekly import (weekly_report_build, weekly_report_failed, weekly_report_request,
                              weekly_reports_reconcile)
from .weeks import last_complete_week

log = logging.getLogger(__name__)
RETRYABLE = (OperationalError, InterfaceError)
MAX_RETRIES = 3
BACKOFF_SECONDS = 30  # 30, 60, 120 s
BACKOFF_MAX_SECONDS = 600
SOFT_TIME_LIMIT = 240
TIME_LIMIT = 300


def backoff(retries: int) -> int:
    return min(BACKOFF_SECONDS * 2 ** retries, BACKOFF_MAX_SECONDS)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=MAX_RETRIES,
             soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def build_weekly_report(self, week_start: str) -> str:
    """Build the report of the week starting ``week_start`` (YYYY-MM-DD, a Monday). Ids and dates
    only, never model instances: the task loads what it needs."""
    week = datetime.date.fromisoformat(week_start)
    claim = self.request.id or None
    try:
        result = weekly_report_build(week_start=week, claim=claim)
    except RETRYABLE as error:
        if not connection.in_atomic_block:  # drop a broken connection; the retry opens a new one
            close_old_connections()
        if self.request.retries < self.max_retries:
            countdown = backoff(self.request.retries)
            _note(week, claim, _("数据库暂时不可用，%(s)s 秒后第 %(n)s 次重试。") % {
                "s": countdown, "n": self.request.retries + 1}, retrying=True)
            raise self.retry(exc=error, countdown=countdown) from error
        _note(week, claim, _("数据库不可用，重试 %(n)s 次后仍然失败：%(e)s") % {"n": MAX_RETRIES, "e": error})
        raise
    except SoftTimeLimitExceeded:
        _note(week, claim, _("生成超过 %(s)s 秒的时限，已停止。") % {"s": SOFT_TIME_LIMIT})
        raise
    except Exception as error:
        _note(week, claim, _("生成失败：%(e)s") % {"e": error})
        raise
    log.info("weekly report %s: %s", week_start, result.outcome)
    return result.outcome


def _note(week, claim, reason, *, retrying=False):
    if not claim:
        return
    try:
        weekly_report_failed(week_start=week, claim=claim, reason=str(reason), retrying=retrying)
    except RETRYABLE:  # the database is the problem: the row shows "building" until it goes stale
        log.exception("weekly report %s: could not record the failure", week)


@shared_task(ignore_result=True)
def weekly_report_scheduled() -> str:
    """Beat, Mondays 06:00 Asia/Shanghai: queue the report of the week (Monday–Sunday) just ended.

    The week is worked out when the task runs, in Shanghai time, so a worker that was down until
    Tuesday still builds last week's report, not this week's.
    """
    week = last_complete_week(timezone.localdate())
    result = weekly_report_request(week_start=week)
    log.info("weekly report %s requested by schedule: %s", week, result.outcome)
    return week.isoformat()


@shared_task(ignore_result=True)
def reconcile_weekly_reports() -> list[str]:
    """Beat, every minute, and once when a worker starts: queue again the weeks whose task the broker
    lost (a Redis restart, a worker killed with its message). See services.weekly."""
    return [week.isoformat() for week in weekly_reports_reconcile()]
