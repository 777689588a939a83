"""Reads of the ranking, the scorecard of one township and the checks behind each figure.

Every list is a fixed number of queries whatever the number of townships and checks: the ranking
is one query over ``AnnualScore`` (the previous year's rank and the liaison leader joined in as
scalar subqueries), the rank history one more, a township's breakdown one GROUP BY.
"""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from accounts.models import Township
from core.selectors import filter_given

from ..models import AnnualScore, Category, Liaison, PublicitySite, RegularCheck, Scheme, YearEndScore
from ..permissions import sees_full_ranking, township_filter

HISTORY_YEARS = 5


def current_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def years_available() -> list[int]:
    """Years that have a scheme (created on first use), newest first, always with this year."""
    years = set(Scheme.objects.values_list("year", flat=True))
    years.add(current_year())
    return sorted(years, reverse=True)


def scheme_for(year: int) -> Scheme:
    """The year's scheme, or an unsaved default one (60/40) for a year nobody has used yet."""
    return Scheme.objects.filter(year=year).select_related("closed_by").first() or Scheme(year=year)


def rank_change(rank: int | None, previous: int | None) -> dict:
    """↑2 / ↓1 / 新 / — for the templates and exports."""
    if rank is None:
        return {"kind": "none", "delta": None}
    if previous is None:
        return {"kind": "new", "delta": None}
    delta = previous - rank
    return {"kind": "up" if delta > 0 else "down" if delta < 0 else "same", "delta": abs(delta)}


def rank_change_label(change: dict) -> str:
    from django.utils.translation import gettext as _

    return {
        "up": f"↑{change['delta']}", "down": f"↓{change['delta']}", "same": "—", "new": _("新"), "none": "",
    }[change["kind"]]


def ranking(*, year: int, user) -> list[AnnualScore]:
    """The year's annual scores in rank order (unranked 待评定 last), one query.

    Each row carries ``previous_rank`` (last year's), ``change`` (see ``rank_change``) and
    ``liaison_name``. A clerk gets only their own township's row while the year is open.
    """
    previous = AnnualScore.objects.filter(year=year - 1, township=OuterRef("township")).values("rank")[:1]
    liaison = Liaison.objects.filter(year=year, township=OuterRef("township")).values("leader__name")[:1]
    liaison_id = Liaison.objects.filter(year=year, township=OuterRef("township")).values("leader_id")[:1]
    closed = Scheme.objects.filter(year=year, is_closed=True).exists() if not _county(user) else False
    qs = AnnualScore.objects.filter(year=year)
    if not sees_full_ranking(user, closed=closed):
        qs = qs.filter(**township_filter(user))
    rows = list(
        qs.select_related("township")
        .annotate(previous_rank=Subquery(previous), liaison_name=Subquery(liaison), liaison_id=Subquery(liaison_id))
        .order_by(F("rank").asc(nulls_last=True), F("regular_rank").asc(nulls_last=True), "township__sort_order")
    )
    for row in rows:
        row.change = rank_change(row.rank, row.previous_rank)
    return rows


def _county(user) -> bool:
    from ..permissions import sees_county

    return sees_county(user)


def rank_history(*, year: int, township_ids: list[int] | None = None, years: int = HISTORY_YEARS) -> dict:
    """``{township_id: {year: rank}}`` for the ``years`` years up to ``year``, one query."""
    qs = AnnualScore.objects.filter(year__gt=year - years, year__lte=year, rank__isnull=False)
    if township_ids is not None:
        qs = qs.filter(township_id__in=township_ids)
    history: dict[int, dict[int, int]] = {}
    for township_id, y, rank in qs.values_list("township_id", "year", "rank"):
        history.setdefault(township_id, {})[y] = rank
    return history


@dataclass
class CategoryLine:
    category: str
    label: str
    checks: int
    score: Decimal
    maximum: Decimal

    @property
    def rate(self) -> Decimal | None:
        return (self.score / self.maximum * 100).quantize(Decimal("0.01")) if self.maximum else None


def township_breakdown(*, township: Township, year: int) -> list[CategoryLine]:
    """Per category: number of active checks, sum of scores and of maxima (one GROUP BY)."""
    sums = {
        row["category"]: row
        for row in RegularCheck.objects.filter(township=township, year=year, is_void=False)
        .values("category").annotate(n=Count("id"), score=Sum("score"), maximum=Sum("maximum")).order_by()
    }
    return [
        CategoryLine(category=c.value, label=c.label, checks=sums.get(c.value, {}).get("n", 0),
                     score=sums.get(c.value, {}).get("score") or Decimal(0),
                     maximum=sums.get(c.value, {}).get("maximum") or Decimal(0))
        for c in Category
    ]


def publicity_points(*, scheme: Scheme, done: int) -> tuple[Decimal, Decimal]:
    """The publicity part of regular work as (score, maximum): the same rule as the SQL."""
    points = scheme.publicity_points or Decimal(0)
    if points <= 0:
        return Decimal(0), Decimal(0)
    return points * min(done, scheme.publicity_target) / scheme.publicity_target, points


def township_annual(*, township: Township, year: int) -> AnnualScore | None:
    previous = AnnualScore.objects.filter(year=year - 1, township=OuterRef("township")).values("rank")[:1]
    row = (
        AnnualScore.objects.filter(year=year, township=township)
        .annotate(previous_rank=Subquery(previous), township_count=Subquery(
            AnnualScore.objects.filter(year=year).order_by().values("year").annotate(n=Count("id")).values("n")[:1]))
        .first()
    )
    if row is not None:
        row.change = rank_change(row.rank, row.previous_rank)
    return row


def year_end_of(*, township: Township, year: int) -> YearEndScore | None:
    return YearEndScore.objects.filter(township=township, year=year).select_related("updated_by").first()


def liaison_of(*, township: Township, year: int) -> Liaison | None:
    return Liaison.objects.filter(township=township, year=year).select_related("leader").first()


def checks_behind(*, user, year: int | None = None, township_id: int | None = None, category: str = "",
                  batch=None, include_void: bool = False, period: tuple | None = None):
    """The checks behind a figure, in the user's scope, newest first. ``period`` = (start, end),
    end exclusive, by check date (the drill-down of ``assessment.indicators``) replaces ``year``."""
    qs = RegularCheck.objects.visible_to(user)
    if not include_void:
        qs = qs.filter(is_void=False)
    if period:
        qs = qs.filter(check_date__gte=period[0], check_date__lt=period[1])
    elif year:
        qs = qs.filter(year=year)
    qs = filter_given(qs, township_id=township_id, category=category, batch=batch)
    return qs.select_related("township", "created_by").order_by("-check_date", "-id")


def sites_of(*, user, township_id: int | None = None, status: str = ""):
    qs = PublicitySite.objects.visible_to(user)
    qs = filter_given(qs, township_id=township_id, status=status)
    return qs.select_related("township").annotate(photo_count=Count("photos")).order_by(
        "township__sort_order", F("completion_date").desc(nulls_last=True), "name")


def sites_done_in(*, township: Township, year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    return PublicitySite.objects.filter(
        township=township, status=PublicitySite.Status.DONE, completion_date__gte=start, completion_date__lt=end,
    ).order_by("completion_date", "id")


def site_counts(*, year: int) -> dict[int, dict]:
    """Per township: sites planned / building (any year) and done in ``year``, one query."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    rows = PublicitySite.objects.order_by().values("township_id").annotate(
        planned=Count("id", filter=Q(status=PublicitySite.Status.PLANNED)),
        building=Count("id", filter=Q(status=PublicitySite.Status.BUILDING)),
        done=Count("id", filter=Q(status=PublicitySite.Status.DONE, completion_date__gte=start,
                                  completion_date__lt=end)),
    )
    return {row["township_id"]: row for row in rows}


def county_average(rows: list[AnnualScore]) -> Decimal | None:
    totals = [r.total for r in rows if r.total is not None]
    return (sum(totals) / len(totals)).quantize(Decimal("0.01")) if totals else None
