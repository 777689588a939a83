"""Building the Monday briefing (每周通报), idempotently, by the worker, the command or the demo.

- ``weekly_report_request`` (a leader's rebuild, beat's Monday 06:00 run): marks the week queued
  and enqueues ``tasks.build_weekly_report`` *after commit*, with a task id chosen here and kept on
  the row. A week already queued or building is not queued twice. A broker that cannot be reached
  is answered at once (short connect timeout, one quick retry): the row goes back to what it was
  and the caller is told, so a Redis outage costs the leader two seconds at most and nothing else.
- ``weekly_report_build`` (the task, the command, ``seed_demo``): claims the week with a
  conditional UPDATE (nobody else building it, or their claim is stale), computes every figure in
  one REPEATABLE READ snapshot (``weekly_figures``), then writes the report's figures and replaces
  its township sections in one transaction — again conditional on still holding the claim. Two
  builds of the same week at once: one claims, the other returns "busy"; one row per week
  (unique ``week_start``) whatever happens. Building twice gives the same figures.
- ``weekly_reports_reconcile`` (beat every minute, and once when a worker starts): a week queued or
  building whose task the broker provably no longer holds (core.broker: not in a queue, not
  unacknowledged — its message was lost in a Redis restart, or its worker died with it) is queued
  again with a new task id; the last complete week is requested if its Monday run never arrived. A
  leader may rebuild such a week at once instead of waiting for it to go stale.
"""
import datetime
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.broker import task_ids_in_broker

from ..models import WeeklyReport, WeeklyReportSection
from ..weeks import is_complete, last_complete_week
from .weekly_figures import WeekFigures, compute_week

log = logging.getLogger(__name__)
Status = WeeklyReport.Status

BROKER_DOWN = _("任务队列（Redis）暂时无法连接，未能提交重新生成。已有的通报不受影响，请稍后再试或联系系统管理员。")
# Enqueueing from a web request: give up within about a second (closed port: at once).
ENQUEUE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
ENQUEUE_CONNECT_TIMEOUT = 1


class WeekRefused(ValueError):
    """A week that cannot be built: not a Monday, or not over yet (for a request from the page)."""


def progress_key(week_start: datetime.date) -> str:
    return f"assessment:weekly:progress:{week_start.isoformat()}"


def stale_before() -> datetime.datetime:
    """A build started before this is dead (worker killed past its time limit): it may be taken over."""
    return timezone.now() - datetime.timedelta(seconds=settings.ASSESSMENT_WEEKLY_STALE_SECONDS)


def is_stale(report: WeeklyReport) -> bool:
    started = report.started_at if report.status == Status.BUILDING else report.requested_at
    return started is not None and started < stale_before()


def task_gone(report: WeeklyReport, held: set[str] | None) -> bool:
    """The week's task is provably gone: the broker was read (``held``, from core.broker), it holds no
    message of this task, and the row is older than the grace a publish after commit may take."""
    if held is None or report.status not in (Status.QUEUED, Status.BUILDING) or report.task_id in held:
        return False
    since = report.started_at if report.status == Status.BUILDING else report.requested_at
    grace = datetime.timedelta(seconds=settings.ASSESSMENT_WEEKLY_RECONCILE_GRACE_SECONDS)
    return since is None or since < timezone.now() - grace


def _check_week(week_start: datetime.date, *, complete: bool = False) -> None:
    if week_start.weekday() != 0:
        raise WeekRefused(_("%(day)s 不是周一：每周通报按周一至周日生成。") % {"day": week_start})
    if week_start > timezone.localdate():
        raise WeekRefused(_("%(day)s 这一周还没有开始。") % {"day": week_start})
    if complete and not is_complete(week_start):
        raise WeekRefused(_("%(day)s 这一周还没有结束，周一以后才能生成。") % {"day": week_start})


def _report(week_start: datetime.date) -> WeeklyReport:
    # get_or_create catches the IntegrityError of a second creator racing us and reads its row.
    return WeeklyReport.objects.get_or_create(week_start=week_start)[0]


# --- Queue a build ------------------------------------------------------------------------------
@dataclass
class RequestResult:
    report: WeeklyReport
    outcome: str  # "queued" | "busy" | "broker_down" | "pending" (the caller's transaction is still open)

    @property
    def queued(self) -> bool:
        return self.outcome in ("queued", "pending")


def weekly_report_request(*, week_start: datetime.date, requested_by=None, complete: bool = True) -> RequestResult:
    """Queue a (re)build of the week for the worker; returns what happened.

    The existing figures stay readable until the new ones replace them. A week queued or being
    built (and not stale) is left alone ("busy").
    """
    _check_week(week_start, complete=complete)
    with transaction.atomic():
        _report(week_start)
        report = WeeklyReport.objects.select_for_update().get(week_start=week_start)
        # A row just created has no task yet: not busy. Nor is a week whose task the broker lost.
        if report.status in (Status.QUEUED, Status.BUILDING) and report.task_id and not is_stale(report) \
                and not task_gone(report, task_ids_in_broker()):
            return RequestResult(report, "busy")
        before = report.status
        report.status, report.error = Status.QUEUED, ""
        report.task_id = uuid.uuid4().hex
        report.requested_by, report.requested_at = requested_by, timezone.now()
        report.save(update_fields=["status", "error", "task_id", "requested_by", "requested_at"])
        result = RequestResult(report, "pending")
        transaction.on_commit(lambda: _enqueue(result, before))
    return result


def _enqueue(result: RequestResult, before: str) -> None:
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerError

    from ..tasks import build_weekly_report

    report = result.report
    try:
        # A connection of our own, read from the settings now, with a short timeout (not the pool's).
        with current_app.connection_for_write(connect_timeout=ENQUEUE_CONNECT_TIMEOUT, transport_options={
                "socket_connect_timeout": ENQUEUE_CONNECT_TIMEOUT, "socket_timeout": 2}) as conn:
            build_weekly_report.apply_async(args=[report.week_start.isoformat()], task_id=report.task_id,
                                            connection=conn, retry=True, retry_policy=ENQUEUE_RETRY)
    except (BrokerError, ConnectionError, OSError) as error:
        log.warning("weekly report %s not queued, broker unreachable: %s", report.week_start, error)
        # Back to what it was (a built report stays "done"), with the reason shown on the page.
        back = before if before in (Status.DONE, Status.FAILED) else Status.FAILED
        WeeklyReport.objects.filter(pk=report.pk, task_id=report.task_id, status=Status.QUEUED).update(
            status=back, error=str(BROKER_DOWN), finished_at=timezone.now())
        report.status, report.error = back, str(BROKER_DOWN)
        result.outcome = "broker_down"
        return
    result.outcome = "queued"
    report.refresh_from_db()


# --- Build ----------------------------------------------------------------------------------------
@dataclass
class BuildResult:
    report: WeeklyReport
    outcome: str  # "built" | "busy" | "already_built" | "lost_claim" | "dry_run"
    figures: WeekFigures | None = None

    @property
    def built(self) -> bool:
        return self.outcome == "built"


def _set_progress(week_start):
    def report(done: int, total: int) -> None:
        try:
            cache.set(progress_key(week_start), {"done": done, "total": total}, timeout=3600)
        except Exception:  # noqa: BLE001 - progress is a nicety; the build must not fail for it
            log.debug("weekly progress not stored", exc_info=True)
    return report


def _compute_in_one_snapshot(week_start, progress) -> WeekFigures:
    """All queries of the week see one snapshot of the database (REPEATABLE READ, read only)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return compute_week(week_start, progress=progress)
    return compute_week(week_start, progress=progress)  # already inside a transaction (demo, tests)


def weekly_report_build(*, week_start: datetime.date, claim: str | None = None, dry_run: bool = False) -> BuildResult:
    """Build (or rebuild) the week's report and return it with the outcome.

    ``claim`` is the Celery task id (a redelivered or retried task keeps its id and may take its
    own dead build over); the command and the demo pass none and get a one-off id. Not wrapped in
    one transaction on purpose: the claim commits first so the page shows "building" while the
    figures are computed.
    """
    _check_week(week_start)
    if dry_run:
        return BuildResult(WeeklyReport(week_start=week_start), "dry_run", _compute_in_one_snapshot(week_start, None))
    claim = claim or f"run-{uuid.uuid4().hex}"
    report = _report(week_start)
    if report.status == Status.DONE and report.task_id == claim:
        return BuildResult(report, "already_built")  # a redelivery of a task that had finished
    taken = WeeklyReport.objects.filter(pk=report.pk).filter(
        ~Q(status=Status.BUILDING) | Q(task_id=claim) | Q(started_at__isnull=True) | Q(started_at__lt=stale_before())
    ).update(status=Status.BUILDING, task_id=claim, started_at=timezone.now(), error="")
    if not taken:
        report.refresh_from_db()
        return BuildResult(report, "busy")

    started = time.monotonic()
    week = _compute_in_one_snapshot(week_start, _set_progress(week_start))
    now = timezone.now()
    with transaction.atomic():
        written = WeeklyReport.objects.filter(pk=report.pk, task_id=claim, status=Status.BUILDING).update(
            figures=week.figures, status=Status.DONE, error="", finished_at=now, built_at=now,
            build_count=F("build_count") + 1, build_ms=round((time.monotonic() - started) * 1000),
        )
        if not written:  # our claim went stale and someone else took the week over: theirs wins
            report.refresh_from_db()
            return BuildResult(report, "lost_claim")
        WeeklyReportSection.objects.filter(report_id=report.pk).delete()
        WeeklyReportSection.objects.bulk_create([
            WeeklyReportSection(report_id=report.pk, township_id=s["township_id"], position=s["position"],
                                figures=s["figures"], problems=s["problems"], problem_count=len(s["problems"]))
            for s in week.sections
        ])
    try:
        cache.delete(progress_key(week_start))
    except Exception:  # noqa: BLE001
        pass
    report.refresh_from_db()
    return BuildResult(report, "built", week)


def weekly_report_failed(*, week_start: datetime.date, claim: str, reason: str, retrying: bool = False) -> None:
    """Record why a build stopped (kept figures stay readable). ``retrying``: back to queued."""
    status = Status.QUEUED if retrying else Status.FAILED
    WeeklyReport.objects.filter(week_start=week_start, task_id=claim).exclude(status=Status.DONE).update(
        status=status, error=reason[:500], finished_at=None if retrying else timezone.now())


def weekly_reports_reconcile(*, dry_run: bool = False) -> list[datetime.date]:
    """Queue again every week whose task is provably gone (``task_gone``), and the last complete week
    if it has no report at all (beat's Monday run was lost). Returns the weeks (to be) queued.
    Without a readable broker nothing is touched: a task that may still run is never doubled."""
    held = task_ids_in_broker()
    if held is None:
        return []
    lost = [report.week_start for report in WeeklyReport.objects.filter(status__in=[Status.QUEUED, Status.BUILDING])
            if task_gone(report, held)]
    # Beat queues the week just ended on Mondays at 06:00: from 07:00 on, a week with no row at all
    # means that message was lost.
    now = timezone.localtime()
    week = last_complete_week(now.date())
    if (now.weekday() > 0 or now.hour >= 7) and week not in lost \
            and not WeeklyReport.objects.filter(week_start=week).exists():
        lost.append(week)
    if dry_run:
        return lost
    queued = []
    for week_start in lost:
        log.warning("weekly report %s: its task is not in the broker any more; queued again", week_start)
        result = weekly_report_request(week_start=week_start, complete=False)
        if result.queued:
            queued.append(week_start)
    return queued
