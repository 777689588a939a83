"""Reads of rectifications (整改) and supervision visits (督导): lists, the clerk's home page, the
weekly report's section, the scorecard's on-time rate and the leader's figures.

Public for other parts of assessment (the leader's annual record reads these two):

- ``supervision_counts(*, leader, year)``: the leader's visits of a year per township and month,
  against the year's target (``Scheme.supervision_target`` a month per township, default 1).
- ``rectification_on_time(*, townships, year)``: per township, rectifications due in the year
  (deadline in the year, and either accepted or past their deadline today), how many were done on
  time, and the rate.
"""
import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from accounts.models import Township

from ..models import Liaison, Rectification, RectificationStep, Scheme, SupervisionVisit, WeeklyReport
from ..permissions import sees_county

Status = Rectification.Status
KEYS = ("assigned", "on_time", "late", "open", "returned", "overdue")


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# --- Lists -------------------------------------------------------------------------------------------
def rectification_list(*, user, today: datetime.date, township_id=None, status: str = "", overdue: bool = False,
                       source: str = ""):
    """The rectifications ``user`` sees (a clerk: their own township's), open ones first by deadline."""
    qs = Rectification.objects.visible_to(user).select_related("township", "responsible")
    if township_id:
        qs = qs.filter(township_id=township_id)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.overdue(today)
    return qs.order_by("done_at", "deadline", "id")


def open_for_township(*, township_id, limit: int = 10) -> list[Rectification]:
    """A clerk's home page: their township's rectifications not accepted yet, earliest deadline first."""
    return list(Rectification.objects.filter(township_id=township_id).exclude(status=Status.DONE)
                .select_related("responsible").order_by("deadline", "id")[:limit])


def rectification_summary(today: datetime.date) -> dict:
    """The county's rectifications waiting for acceptance and overdue (a leader's home panel, one query)."""
    return Rectification.objects.aggregate(
        waiting=Count("id", filter=Q(status=Status.REPORTED)),
        overdue=Count("id", filter=~Q(status=Status.DONE) & Q(deadline__lt=today)))


def steps_of(rect: Rectification):
    return rect.steps.select_related("actor").prefetch_related("files").order_by("at", "id")


def assigned_in(report: WeeklyReport) -> dict[tuple[int, str], int]:
    """{(township id, rule): rectification id} of a report's problems already assigned (one query)."""
    return {(t, r): pk for t, r, pk in Rectification.objects.filter(report=report)
            .values_list("township_id", "rule", "pk")}


# --- The weekly report's section ------------------------------------------------------------------------
def week_counts(start: datetime.date, end: datetime.date) -> tuple[dict[int, dict], dict]:
    """Per township and for the county, over the week ``[start, end)`` (one statement):

    assigned (made in the week), on_time / late (accepted in the week), open (not accepted at the
    week's end), returned (returned at least once in the week), overdue (not accepted at the week's
    end and its deadline before ``end``).
    """
    since, until = _midnight(start), _midnight(end)
    returned = RectificationStep.objects.filter(rectification=OuterRef("pk"), to_status=Status.RETURNED,
                                                at__gte=since, at__lt=until)
    not_done = Q(done_at__isnull=True) | Q(done_at__gte=until)
    rows = (Rectification.objects.filter(created_at__lt=until).filter(Q(done_at__isnull=True) | Q(done_at__gte=since))
            .order_by().values("township_id").annotate(
                assigned=Count("id", filter=Q(created_at__gte=since)),
                on_time=Count("id", filter=Q(done_at__gte=since, done_at__lt=until, done_on_time=True)),
                late=Count("id", filter=Q(done_at__gte=since, done_at__lt=until, done_on_time=False)),
                open=Count("id", filter=not_done),
                returned=Count("id", filter=Q(Exists(returned))),
                overdue=Count("id", filter=not_done & Q(deadline__lt=end)),
            ))
    per_township = {r["township_id"]: {k: r[k] for k in KEYS} for r in rows}
    county = {k: sum(r[k] for r in per_township.values()) for k in KEYS}
    return per_township, county


# --- The scorecard, the leader's record -------------------------------------------------------------------
def rectification_on_time(*, townships=None, year: int, today: datetime.date | None = None) -> dict[int, dict]:
    """{township id: {"due", "on_time", "rate"}} for ``year`` (one query). ``townships``: ids or None (all).

    Due: the deadline is in the year and the rectification is accepted, or its deadline has passed
    by ``today``. On time: accepted with its report in by the deadline. Rate: on time ÷ due × 100,
    one decimal; None without anything due.
    """
    today = today or timezone.localdate()
    qs = Rectification.objects.filter(deadline__year=year).filter(Q(status=Status.DONE) | Q(deadline__lt=today))
    if townships is not None:
        qs = qs.filter(township_id__in=list(townships))
    rows = qs.order_by().values("township_id").annotate(due=Count("id"), on_time=Count("id", filter=Q(done_on_time=True)))
    return {r["township_id"]: {"due": r["due"], "on_time": r["on_time"],
                               "rate": round(r["on_time"] * 100 / r["due"], 1) if r["due"] else None} for r in rows}


def supervision_target(year: int) -> int:
    value = Scheme.objects.filter(year=year).values_list("supervision_target", flat=True).first()
    return value or Scheme._meta.get_field("supervision_target").default


@dataclass
class TownshipMonths:
    township: Township
    months: list[int]  # visits in January … December
    total: int
    target: int  # visits expected so far this year (target × months elapsed)

    @property
    def met(self) -> bool:
        return self.total >= self.target


def supervision_counts(*, leader, year: int, today: datetime.date | None = None) -> dict:
    """A leader's supervision visits of ``year`` to each of their liaison townships, per month, against
    the target (three queries: target, townships, counts)."""
    today = today or timezone.localdate()
    target = supervision_target(year)
    months_elapsed = 12 if year < today.year else (today.month if year == today.year else 0)
    liaison = Liaison.objects.filter(leader=leader, year=year).select_related("township").order_by(
        "township__sort_order", "township__code")
    towns = [row.township for row in liaison]
    counts = (SupervisionVisit.objects.filter(leader=leader, visit_date__year=year)
              .order_by().values("township_id").annotate(month=ExtractMonth("visit_date")).values("township_id", "month")
              .annotate(n=Count("id")))
    grid = {t.pk: [0] * 12 for t in towns}
    for row in counts:
        grid.setdefault(row["township_id"], [0] * 12)[row["month"] - 1] = row["n"]
    rows = [TownshipMonths(township=t, months=grid[t.pk], total=sum(grid[t.pk]), target=target * months_elapsed)
            for t in towns]
    visits = sum(sum(v) for v in grid.values())
    return {"year": year, "target": target, "expected": target * months_elapsed * len(towns), "visits": visits,
            "rows": rows, "months_elapsed": months_elapsed,
            "met_months": sum(1 for r in rows for n in r.months[:months_elapsed] if n >= target)}


def visit_list(*, user, leader=None, township_id=None):
    qs = SupervisionVisit.objects.visible_to(user).select_related("township", "leader")
    if not sees_county(user):
        return qs.none()
    if leader is not None:
        qs = qs.filter(leader=leader)
    if township_id:
        qs = qs.filter(township_id=township_id)
    return qs.annotate(rectification_count=Count("rectifications")).order_by("-visit_date", "-id")
