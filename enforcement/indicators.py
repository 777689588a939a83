"""The enforcement figures the scorecard and the weekly report read (core.indicators protocol).

Each ``compute(start, end)`` is ONE grouped SQL query over all townships for ``[start, end)``;
the record sets are the figures page's own (``selectors.figures``), so the two always agree.
Drilldowns are the read-only, audited lists with the matching date basis.
"""

from django.conf import settings
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from core.indicators import Indicator

from .selectors.figures import DAYS_TO_CLOSE, as_days, cases_by, closure_rate_expr, tips_overdue, tips_received


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
    ),
]
