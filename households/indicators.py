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
from django.db import connection
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


# --- batch(): every figure above for several periods in ONE statement --------------------------
# The same rules as the querysets above, per township and (GROUPING SETS) for the county.
# * Visits: the periods' active visits are one range of ``households_visit_date`` (index only).
#   Each one's previous active visit of the couple is the one before it in that range (a window),
#   or, for the couple's first visit in the range, one backward probe of ``households_visit_previous``
#   (couple, date, id; index only) — never a scan of the couple's whole history.
# * Couples: one pass, with every period's counts as FILTERed columns (``_couple_columns``), the
#   local dates compared as instants (midnight in Asia/Shanghai), not converted row by row.
BATCH_SQL = """
WITH periods(k, s, e) AS (
    SELECT * FROM unnest(%(k)s::int[], %(s)s::date[], %(e)s::date[])
), span AS (
    SELECT x.id, x.couple_id, x.township_id, x.visit_date, x.pregnancy_status,
           LAG(x.next_due) OVER w AS due, LAG(x.pregnancy_status) OVER w AS before, ROW_NUMBER() OVER w AS n
    FROM households_followupvisit x
    WHERE NOT x.is_void AND x.visit_date >= %(first)s AND x.visit_date < %(last)s
    WINDOW w AS (PARTITION BY x.couple_id ORDER BY x.visit_date, x.id)
), visits AS (
    SELECT v.township_id, v.visit_date, v.pregnancy_status,
           CASE WHEN v.n > 1 THEN v.due ELSE prev.next_due END AS due,
           CASE WHEN v.n > 1 THEN v.before ELSE prev.pregnancy_status END AS before
    FROM span v LEFT JOIN LATERAL (
        SELECT p.next_due, p.pregnancy_status FROM households_followupvisit p
        WHERE v.n = 1 AND p.couple_id = v.couple_id AND NOT p.is_void AND (p.visit_date, p.id) < (v.visit_date, v.id)
        ORDER BY p.visit_date DESC, p.id DESC LIMIT 1
    ) prev ON true
), couples AS (
    SELECT township_id, {couple_columns} FROM households_couple WHERE NOT is_void GROUP BY township_id
)
SELECT 'v', periods.k, v.township_id, COUNT(*), COUNT(v.due), COUNT(*) FILTER (WHERE v.visit_date <= v.due),
       COUNT(*) FILTER (WHERE v.pregnancy_status = 'pregnant' AND (v.before IS NULL OR v.before <> 'pregnant')), 0
FROM visits v JOIN periods ON v.visit_date >= periods.s AND v.visit_date < periods.e
GROUP BY GROUPING SETS ((periods.k, v.township_id), (periods.k))
UNION ALL
SELECT 'c', u.* FROM couples c CROSS JOIN LATERAL (VALUES {couple_values}) AS u(k, township_id, a, b, c, d, e)
UNION ALL
SELECT 'o', periods.k, o.township_id, COUNT(*), 0, 0, 0, 0
FROM households_outreachvisit o JOIN periods ON o.visit_date >= periods.s AND o.visit_date < periods.e
WHERE o.visit_date >= %(first)s AND o.visit_date < %(last)s
GROUP BY periods.k, o.township_id
"""
# Per period k: in the register by its end, added in it, due in it, overdue and overdue > 14 days
# as of its last day (or today).
_COUPLE_COUNTS = [
    "in_register AND created_at < %(e_at{k})s",
    "created_at >= %(s_at{k})s AND created_at < %(e_at{k})s",
    "in_register AND next_visit_due >= %(s{k})s AND next_visit_due < %(e{k})s",
    "in_register AND next_visit_due < %(as_of{k})s",
    "in_register AND next_visit_due < %(long{k})s",
]


def _couple_sql(n: int) -> tuple[str, str]:
    """The couples' FILTERed columns for ``n`` periods and the VALUES turning them into rows."""
    columns = ", ".join(f"COUNT(*) FILTER (WHERE {rule.format(k=k)}) AS c{k}_{i}"
                        for k in range(n) for i, rule in enumerate(_COUPLE_COUNTS))
    values = ", ".join(f"({k}, c.township_id, " + ", ".join(f"c.c{k}_{i}" for i in range(len(_COUPLE_COUNTS))) + ")"
                       for k in range(n))
    return columns, values


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _rate(part, whole):
    return round(part * 100 / whole, 1) if whole else None


def batch(periods: list[tuple[datetime.date, datetime.date]]) -> dict[str, list]:
    """Every indicator of the register for every period: ``{key: [(values, county), …]}``."""
    keys = [key for key, *_rest in _SPECS]
    out = {f"households.{key}": [({}, None) for _p in periods] for key in keys}
    if not periods:
        return out
    params = {"k": list(range(len(periods))), "s": [s for s, _e in periods], "e": [e for _s, e in periods],
              "first": min(s for s, _e in periods), "last": max(e for _s, e in periods)}
    for k, (start, end) in enumerate(periods):
        as_of = _as_of(end)
        params.update({f"s{k}": start, f"e{k}": end, f"s_at{k}": _midnight(start), f"e_at{k}": _midnight(end),
                       f"as_of{k}": as_of, f"long{k}": as_of - datetime.timedelta(days=OVERDUE_LONG_DAYS)})
    columns, values = _couple_sql(len(periods))
    with connection.cursor() as cursor:
        cursor.execute(BATCH_SQL.format(couple_columns=columns, couple_values=values), params)
        rows = cursor.fetchall()

    def put(key, k, township, value):
        values, county = out[f"households.{key}"][k]
        if township is None:
            out[f"households.{key}"][k] = (values, value)
        elif value is not None:
            values[township] = value

    for kind, k, township, a, b, c, d, e in rows:
        if kind == "v":
            if township is not None:
                put("visits_recorded", k, township, a)
                put("followups_done_on_time", k, township, c)
                put("pregnancies_found", k, township, d)
            put("visits_on_time", k, township, _rate(c, b))  # the county's own share on the county row
        elif kind == "c":
            put("register_size", k, township, a)
            put("couples_added", k, township, b)
            put("followups_due", k, township, c)
            put("followups_overdue", k, township, d)
            put("followups_overdue_long", k, township, e)
        else:
            put("outreach_visits", k, township, a)
    # Zero counts are left out, as the per-indicator queries leave them out (GROUP BY gives none).
    for key in keys:
        for values, _county in out[f"households.{key}"]:
            for township in [t for t, v in values.items() if v == 0 and key != "visits_on_time"]:
                del values[township]
    return out


DRILLDOWN = "households:indicator_list"


def _indicator(key, label, compute, **kwargs):
    return Indicator(key=f"households.{key}", label=label, compute=compute, drilldown=f"{DRILLDOWN}_{key}",
                     batch=batch, **kwargs)


_SPECS = [
    ("register_size", _("在册夫妇"), register_size, dict(weekly=False)),
    ("couples_added", _("新增育龄夫妇"), couples_added, {}),
    ("visits_recorded", _("随访次数"), visits_recorded, {}),
    ("visits_on_time", _("按时随访率"), visits_on_time, dict(
        kind="rate", target=settings.HOUSEHOLDS_VISITS_ON_TIME_TARGET, county=visits_on_time_county)),
    ("followups_done_on_time", _("按时随访次数"), followups_done_on_time, {}),
    ("followups_due", _("到期随访"), followups_due, {}),
    ("followups_overdue", _("逾期未访"), followups_overdue, dict(higher_is_better=False)),
    ("followups_overdue_long", _("逾期超14天"), followups_overdue_long, dict(higher_is_better=False, target=0)),
    ("pregnancies_found", _("发现怀孕"), pregnancies_found, {}),
    ("outreach_visits", _("大走访户次"), outreach_visits, {}),
]
INDICATORS = [_indicator(key, label, compute, **kwargs) for key, label, compute, kwargs in _SPECS]
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
