"""Assessment's own indicators (``core.indicators`` protocol) for the scorecard and the Monday
report: the regular checks (经常性考核) recorded in a period, by their check date. One query each.

The drill-down is the checks list (``assessment:check_list``), which takes the protocol's
``?township=&start=&end=`` (end exclusive).
"""
from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, Sum
from django.utils.translation import gettext_lazy as _

from core.indicators import Indicator

from .models import RegularCheck


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


INDICATORS = [
    Indicator(key="assessment.checks_recorded", label=_("经常性考核次数"), compute=checks_recorded,
              drilldown="assessment:check_list", batch=batch),
    Indicator(key="assessment.check_score_rate", label=_("经常性考核得分率"), compute=check_score_rate,
              kind="rate", drilldown="assessment:check_list", county=check_score_rate_county, batch=batch),
]
__all__ = ["INDICATORS"]
