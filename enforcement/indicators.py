"""The enforcement figures the scorecard and the weekly report read (core.indicators protocol).

Each ``compute(start, end)`` is ONE grouped SQL query over all townships for ``[start, end)``;
the record sets are the figures page's own (``selectors.figures``), so the two always agree.
Drilldowns are the read-only, audited lists with the matching date basis.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Avg, Count, FloatField, Q, Value
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext_lazy as _

from core.indicators import Indicator

from .models import Case, Tip
from .selectors.figures import DAYS_TO_CLOSE, as_days, cases_by, closure_rate_expr, tips_overdue, tips_received
from .selectors.lists import tips_overdue_q


def _per_township(qs, expression) -> dict:
    return dict(qs.order_by().values("township").annotate(v=expression).values_list("township", "v"))


def tips_received_count(start, end):
    return _per_township(tips_received(start, end), Count("*"))


def tips_overdue_count(start, end):
    return _per_township(tips_overdue(start, end), Count("*"))


def cases_opened_count(start, end):
    return _per_township(cases_by("registered_on", start, end), Count("*"))


def cases_filed_count(start, end):
    return _per_township(cases_by("filed_on", start, end), Count("*"))


def cases_closed_count(start, end):
    return _per_township(cases_by("closed_on", start, end), Count("*"))


def closure_rate(start, end):
    return {t: round(v, 1) for t, v in _per_township(cases_by("filed_on", start, end), closure_rate_expr(end)).items()}


def avg_days_to_close(start, end):
    return {t: as_days(v) for t, v in _per_township(cases_by("closed_on", start, end), Avg(DAYS_TO_CLOSE)).items()}


# The county's figures from the county's totals (all its cases), never the townships' mean.
def closure_rate_county(start, end):
    totals = cases_by("filed_on", start, end).aggregate(filed=Count("id"), closed=Count("id", filter=Q(closed_on__lt=end)))
    return round(totals["closed"] * 100.0 / totals["filed"], 1) if totals["filed"] else None


def avg_days_to_close_county(start, end):
    return as_days(cases_by("closed_on", start, end).aggregate(v=Avg(DAYS_TO_CLOSE))["v"])


def _in(field, start, end) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def batch(periods) -> dict[str, list]:
    """Every figure for every period (core.indicators ``batch``): two statements (tips, cases),
    each period's figures as FILTERed columns; the same rules as the functions above (zero counts
    and empty averages left out, as their GROUP BY leaves them out)."""
    tips, cases = {}, {}
    for k, (start, end) in enumerate(periods):
        tips[f"received{k}"] = Count("id", filter=_in("received_on", start, end))
        tips[f"overdue{k}"] = Count("id", filter=tips_overdue_q(start, end))
        filed = _in("filed_on", start, end)
        cases[f"opened{k}"] = Count("id", filter=_in("registered_on", start, end))
        cases[f"filed{k}"] = Count("id", filter=filed)
        cases[f"closed{k}"] = Count("id", filter=_in("closed_on", start, end))
        cases[f"rate{k}"] = Cast(Count("id", filter=filed & Q(closed_on__lt=end)), FloatField()) * Value(100.0) / \
            NullIf(Cast(Count("id", filter=filed), FloatField()), Value(0.0))
        cases[f"days{k}"] = Avg(DAYS_TO_CLOSE, filter=_in("closed_on", start, end))
        # For the county's figures from its totals: the rate's numerator, the average's weight.
        cases[f"closedof{k}"] = Count("id", filter=filed & Q(closed_on__lt=end))
        cases[f"daysn{k}"] = Count(DAYS_TO_CLOSE, filter=_in("closed_on", start, end))
    names = {"tips_received": ("t", "received", None), "tips_overdue": ("t", "overdue", None),
             "cases_opened": ("c", "opened", None), "cases_filed": ("c", "filed", None),
             "cases_closed": ("c", "closed", None), "closure_rate": ("c", "rate", lambda v: round(v, 1)),
             "avg_days_to_close": ("c", "days", as_days)}
    out = {f"enforcement.{name}": [({}, None) for _p in periods] for name in names}
    if not periods:
        return out
    rows = {"t": list(Tip.objects.order_by().values("township").annotate(**tips)),
            "c": list(Case.objects.order_by().values("township").annotate(**cases))}
    for name, (table, column, convert) in names.items():
        for k in range(len(periods)):
            values = out[f"enforcement.{name}"][k][0]
            for row in rows[table]:
                value = row[f"{column}{k}"]
                if value is None or (convert is None and value == 0):
                    continue
                values[row["township"]] = convert(value) if convert else value
    for k in range(len(periods)):
        filed = sum(row[f"filed{k}"] for row in rows["c"])
        closed = sum(row[f"closedof{k}"] for row in rows["c"])
        rate = out["enforcement.closure_rate"][k][0]
        out["enforcement.closure_rate"][k] = (rate, round(closed * 100.0 / filed, 1) if filed else None)
        weight = sum(row[f"daysn{k}"] for row in rows["c"])
        total = sum((row[f"days{k}"] * row[f"daysn{k}"] for row in rows["c"] if row[f"days{k}"] is not None),
                    datetime.timedelta())
        days = out["enforcement.avg_days_to_close"][k][0]
        out["enforcement.avg_days_to_close"][k] = (days, as_days(total / weight) if weight else None)
    return out


INDICATORS = [
    Indicator(
        "enforcement.tips_received", _("受理举报"), tips_received_count, drilldown="enforcement:drill_tips_received"
    ),
    Indicator(
        "enforcement.cases_opened", _("登记案件"), cases_opened_count, drilldown="enforcement:drill_cases_opened"
    ),
    Indicator("enforcement.cases_filed", _("立案"), cases_filed_count, drilldown="enforcement:drill_cases_filed"),
    Indicator("enforcement.cases_closed", _("结案"), cases_closed_count, drilldown="enforcement:drill_cases_closed"),
    Indicator(
        "enforcement.closure_rate",
        _("结案率"),
        closure_rate,
        kind="rate",
        target=settings.ENFORCEMENT_CLOSURE_TARGET,
        drilldown="enforcement:drill_cases_filed",
        county=closure_rate_county,
    ),
    Indicator(
        "enforcement.tips_overdue",
        _("举报逾期未处理"),
        tips_overdue_count,
        higher_is_better=False,
        drilldown="enforcement:drill_tips_overdue",
    ),
    Indicator(
        "enforcement.avg_days_to_close",
        _("平均结案天数"),
        avg_days_to_close,
        kind="days",
        higher_is_better=False,
        drilldown="enforcement:drill_cases_closed",
        weekly=False,
        county=avg_days_to_close_county,
    ),
]
# The scorecard and the weekly report read them all through one batch (two statements). Counts of
# tips and cases can signal an investigation the township should not know about: the clerk's
# section of the Monday report carries none of them (leaders and assessors keep them).
INDICATORS = [dataclasses.replace(indicator, batch=batch, township_readers=False) for indicator in INDICATORS]
