"""Assessment's own indicators (``core.indicators`` protocol) for the scorecard and the Monday
report: the regular checks (经常性考核) recorded in a period, by their check date, and (scorecard
only) the on-time rate of rectifications (整改) due in the period. One query each.

The drill-down is the checks list (``assessment:check_list``), which takes the protocol's
``?township=&start=&end=`` (end exclusive).
"""
from django.conf import settings
from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.indicators import Indicator

from .models import Rectification, RegularCheck


def checks_qs(start, end):
    return RegularCheck.objects.filter(is_void=False, check_date__gte=start, check_date__lt=end)


def checks_recorded(start, end):
    rows = checks_qs(start, end).order_by().values("township_id").annotate(n=Count("id"))
    return {r["township_id"]: r["n"] for r in rows}


def _rate():
    return ExpressionWrapper(Sum("score") * 100 / Sum("maximum"), output_field=DecimalField())


def check_score_rate(start, end):
    """Σ score ÷ Σ maximum × 100 of the period's checks, per township (as the annual 'ratio' part)."""
    rows = checks_qs(start, end).order_by().values("township_id").annotate(rate=_rate())
    return {r["township_id"]: round(float(r["rate"]), 1) for r in rows if r["rate"] is not None}


def check_score_rate_county(start, end):
    row = checks_qs(start, end).aggregate(score=Sum("score"), maximum=Sum("maximum"))
    return round(float(row["score"] * 100 / row["maximum"]), 1) if row["maximum"] else None


# Both figures for several periods, per township and for the county, in one statement.
BATCH_SQL = """
WITH periods(k, s, e) AS (SELECT * FROM unnest(%(k)s::int[], %(s)s::date[], %(e)s::date[]))
SELECT periods.k, r.township_id, COUNT(*), SUM(r.score) * 100 / SUM(r.maximum)
FROM assessment_regularcheck r JOIN periods ON r.check_date >= periods.s AND r.check_date < periods.e
WHERE NOT r.is_void AND r.check_date >= %(first)s AND r.check_date < %(last)s
GROUP BY GROUPING SETS ((periods.k, r.township_id), (periods.k))
"""


def batch(periods) -> dict[str, list]:
    counts = [({}, None) for _p in periods]
    rates = [({}, None) for _p in periods]
    if periods:
        with connection.cursor() as cursor:
            cursor.execute(BATCH_SQL, {"k": list(range(len(periods))), "s": [s for s, _e in periods],
                                       "e": [e for _s, e in periods], "first": min(s for s, _e in periods),
                                       "last": max(e for _s, e in periods)})
            for k, township, n, rate in cursor.fetchall():
                rate = round(float(rate), 1) if rate is not None else None
                if township is None:
                    rates[k] = (rates[k][0], rate)
                else:
                    counts[k][0][township] = n
                    if rate is not None:
                        rates[k][0][township] = rate
    return {"assessment.checks_recorded": counts, "assessment.check_score_rate": rates}


# --- Rectifications (整改): the on-time rate of those due in a period ---------------------------------
# Due: the deadline is in the period and the rectification is accepted, or its deadline has passed
# by today. On time: accepted with its report in by the deadline. Scorecard only (weekly=False):
# the Monday report has its own rectification section.
def _due(start, end):
    return Rectification.objects.filter(deadline__gte=start, deadline__lt=end).filter(
        Q(status=Rectification.Status.DONE) | Q(deadline__lt=timezone.localdate()))


def _percent(on_time, due):
    return round(on_time * 100 / due, 1) if due else None


def rectifications_on_time(start, end):
    rows = _due(start, end).order_by().values("township_id").annotate(
        due=Count("id"), on_time=Count("id", filter=Q(done_on_time=True)))
    return {r["township_id"]: _percent(r["on_time"], r["due"]) for r in rows}


def rectifications_on_time_county(start, end):
    row = _due(start, end).aggregate(due=Count("id"), on_time=Count("id", filter=Q(done_on_time=True)))
    return _percent(row["on_time"], row["due"])


RECTIFICATION_SQL = """
WITH periods(k, s, e) AS (SELECT * FROM unnest(%(k)s::int[], %(s)s::date[], %(e)s::date[]))
SELECT periods.k, r.township_id, COUNT(*), SUM(CASE WHEN r.done_on_time THEN 1 ELSE 0 END)
FROM assessment_rectification r JOIN periods ON r.deadline >= periods.s AND r.deadline < periods.e
WHERE (r.status = 'done' OR r.deadline < %(today)s) AND r.deadline >= %(first)s AND r.deadline < %(last)s
GROUP BY GROUPING SETS ((periods.k, r.township_id), (periods.k))
"""


def rectification_batch(periods) -> dict[str, list]:
    rates = [({}, None) for _p in periods]
    if periods:
        with connection.cursor() as cursor:
            cursor.execute(RECTIFICATION_SQL, {
                "k": list(range(len(periods))), "s": [s for s, _e in periods], "e": [e for _s, e in periods],
                "first": min(s for s, _e in periods), "last": max(e for _s, e in periods),
                "today": timezone.localdate()})
            for k, township, due, on_time in cursor.fetchall():
                if township is None:
                    rates[k] = (rates[k][0], _percent(on_time, due))
                else:
                    rates[k][0][township] = _percent(on_time, due)
    return {"assessment.rectifications_on_time": rates}


INDICATORS = [
    Indicator(key="assessment.checks_recorded", label=_("经常性考核次数"), compute=checks_recorded,
              drilldown="assessment:check_list", batch=batch),
    Indicator(key="assessment.check_score_rate", label=_("经常性考核得分率"), compute=check_score_rate,
              kind="rate", drilldown="assessment:check_list", county=check_score_rate_county, batch=batch),
    Indicator(key="assessment.rectifications_on_time", label=_("整改按时完成率"), compute=rectifications_on_time,
              kind="rate", target=settings.ASSESSMENT_RECTIFICATION_TARGET, county=rectifications_on_time_county,
              batch=rectification_batch, weekly=False),
]
__all__ = ["INDICATORS"]
