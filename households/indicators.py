"""The register's per-township indicators for the assessment scorecard and the weekly report
(``core.indicators`` protocol): each ``compute(start, end)`` is ONE query over all townships for
the half-open period ``[start, end)`` and returns ``{township_id: value}``.

Period figures (couples added, visits, pregnancies found, outreach) count rows dated in the
period. State figures (register size, follow-ups due and overdue) are read from the couples'
current columns as they stand at the end of the period (or today, if earlier): the register keeps
no history of a couple's past due dates, so a past period's overdue count is today's records
judged at that date — good enough for a trend, and stated on the scorecard.

Every indicator has a drill-down: ``households:indicator_list`` with the indicator's key, the
masked, read-only, audited list of the couples, visits or outreach visits behind the figure.
"""
import datetime

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.indicators import Indicator

from .models import Couple, FollowUpVisit, OutreachVisit, PregnancyStatus

OVERDUE_LONG_DAYS = 14


def _as_of(end: datetime.date) -> datetime.date:
    """The day a state figure is judged on: the period's last day, never after today."""
    return min(end - datetime.timedelta(days=1), timezone.localdate())


def _per_township(qs, **aggregate) -> dict[int, object]:
    rows = qs.order_by().values("township_id").annotate(**aggregate)
    (name,) = aggregate
    return {row["township_id"]: row[name] for row in rows}


# --- The querysets behind each figure (shared by compute() and the drill-down list) ----------
def register_qs(start, end):
    return Couple.objects.filter(is_void=False, in_register=True, created_at__date__lt=end)


def couples_added_qs(start, end):
    return Couple.objects.filter(is_void=False, created_at__date__gte=start, created_at__date__lt=end)


def visits_qs(start, end):
    return FollowUpVisit.objects.filter(is_void=False, visit_date__gte=start, visit_date__lt=end)


def previous_visit(field: str):
    """The couple's active visit before this one (by date, then id): its ``field``."""
    earlier = FollowUpVisit.objects.filter(couple_id=OuterRef("couple_id"), is_void=False).filter(
        Q(visit_date__lt=OuterRef("visit_date")) | Q(visit_date=OuterRef("visit_date"), id__lt=OuterRef("id")))
    return Subquery(earlier.order_by("-visit_date", "-id").values(field)[:1])


def visits_with_due_qs(start, end):
    """Visits in the period that had a due date set by an earlier visit (first visits have none)."""
    return visits_qs(start, end).annotate(due=previous_visit("next_due")).filter(due__isnull=False)


def due_qs(start, end):
    """Couples in the register whose next visit falls due within the period."""
    return Couple.objects.filter(is_void=False, in_register=True, next_visit_due__gte=start, next_visit_due__lt=end)


def overdue_qs(start, end, *, days: int = 0):
    as_of = _as_of(end) - datetime.timedelta(days=days)
    return Couple.objects.filter(is_void=False, in_register=True, next_visit_due__lt=as_of)


def pregnancies_qs(start, end):
    """Visits in the period that found a pregnancy the couple's previous visit had not."""
    return visits_qs(start, end).filter(pregnancy_status=PregnancyStatus.PREGNANT).annotate(
        before=previous_visit("pregnancy_status")).filter(
        Q(before__isnull=True) | ~Q(before=PregnancyStatus.PREGNANT))


def outreach_qs(start, end):
    return OutreachVisit.objects.filter(visit_date__gte=start, visit_date__lt=end)


# --- compute(): one query each -----------------------------------------------------------------
def register_size(start, end):
    return _per_township(register_qs(start, end), n=Count("id"))


def couples_added(start, end):
    return _per_township(couples_added_qs(start, end), n=Count("id"))


def visits_recorded(start, end):
    return _per_township(visits_qs(start, end), n=Count("id"))


def on_time_qs(start, end):
    """Visits in the period made on or before the due date the couple's previous visit set."""
    return visits_with_due_qs(start, end).filter(visit_date__lte=F("due"))


def visits_on_time(start, end):
    """Share (%) of the period's visits made on or before the due date the previous visit set."""
    rows = visits_with_due_qs(start, end).order_by().values("township_id").annotate(
        total=Count("id"), on_time=Count("id", filter=Q(visit_date__lte=F("due"))))
    return {r["township_id"]: round(r["on_time"] * 100 / r["total"], 1) for r in rows if r["total"]}


def visits_on_time_county(start, end):
    """The county's share: all on-time visits over all visits with a due date (not the mean of
    the townships' rates, whose denominators differ)."""
    row = visits_with_due_qs(start, end).order_by().aggregate(
        total=Count("id"), on_time=Count("id", filter=Q(visit_date__lte=F("due"))))
    return round(row["on_time"] * 100 / row["total"], 1) if row["total"] else None


def followups_done_on_time(start, end):
    return _per_township(on_time_qs(start, end), n=Count("id"))


def followups_due(start, end):
    return _per_township(due_qs(start, end), n=Count("id"))


def followups_overdue(start, end):
    return _per_township(overdue_qs(start, end), n=Count("id"))


def followups_overdue_long(start, end):
    return _per_township(overdue_qs(start, end, days=OVERDUE_LONG_DAYS), n=Count("id"))


def pregnancies_found(start, end):
    return _per_township(pregnancies_qs(start, end), n=Count("id"))


def outreach_visits(start, end):
    return _per_township(outreach_qs(start, end), n=Count("id"))


DRILLDOWN = "households:indicator_list"


def _indicator(key, label, compute, **kwargs):
    return Indicator(key=f"households.{key}", label=label, compute=compute, drilldown=f"{DRILLDOWN}_{key}", **kwargs)


INDICATORS = [
    _indicator("register_size", _("在册夫妇"), register_size, weekly=False),
    _indicator("couples_added", _("新增育龄夫妇"), couples_added),
    _indicator("visits_recorded", _("随访次数"), visits_recorded),
    _indicator("visits_on_time", _("按时随访率"), visits_on_time, kind="rate",
               target=settings.HOUSEHOLDS_VISITS_ON_TIME_TARGET, county=visits_on_time_county),
    _indicator("followups_done_on_time", _("按时随访次数"), followups_done_on_time),
    _indicator("followups_due", _("到期随访"), followups_due),
    _indicator("followups_overdue", _("逾期未访"), followups_overdue, higher_is_better=False),
    _indicator("followups_overdue_long", _("逾期超14天"), followups_overdue_long, higher_is_better=False, target=0),
    _indicator("pregnancies_found", _("发现怀孕"), pregnancies_found),
    _indicator("outreach_visits", _("大走访户次"), outreach_visits),
]
# The drill-down list of each indicator: (queryset builder, what the rows are).
DRILLDOWN_SOURCES = {
    "register_size": (register_qs, "couple"),
    "couples_added": (couples_added_qs, "couple"),
    "visits_recorded": (visits_qs, "visit"),
    "visits_on_time": (visits_with_due_qs, "visit"),
    "followups_done_on_time": (on_time_qs, "visit"),
    "followups_due": (due_qs, "couple"),
    "followups_overdue": (overdue_qs, "couple"),
    "followups_overdue_long": (lambda s, e: overdue_qs(s, e, days=OVERDUE_LONG_DAYS), "couple"),
    "pregnancies_found": (pregnancies_qs, "visit"),
    "outreach_visits": (outreach_qs, "outreach"),
}
