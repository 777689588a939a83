"""Enforcement figures per township and for the county, for any period ``[start, end)``, in SQL.

The record sets behind each figure are defined once here; the figures page
(``township_figures``: one query, one row per township) and the published indicators
(``enforcement/indicators.py``: one grouped query each) both use them, so they cannot disagree.

Definitions (periods are half-open, dates in Asia/Shanghai):
- tips received: tips whose 受理日期 falls in the period;
- tips overdue: tips not handled within ENFORCEMENT_TIP_HANDLE_DAYS that were open in the period
  (``lists.tips_overdue_in``);
- cases opened: cases registered (线索登记) in the period; filed: 立案 in the period;
  closed: 结案 in the period;
- closure rate: of the cases filed in the period, the share closed (结案) before the period ended;
- average days to close: over the cases closed in the period, 结案日期 − 立案日期;
- outcomes: from the 处理决定 made in the period (warnings, confiscations and their sum, fines and
  their sum, licence revocations); referrals: 移送公安/纪检 made in the period.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from accounts.models import Township

from ..models import Case, Tip
from .lists import tips_overdue_in

DAYS_TO_CLOSE = ExpressionWrapper(F("closed_on") - F("filed_on"), output_field=DurationField())


def tips_received(start, end):
    return Tip.objects.filter(received_on__gte=start, received_on__lt=end)


def tips_overdue(start, end):
    return tips_overdue_in(Tip.objects.all(), start, end)


def cases_by(field: str, start, end):
    return Case.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def closure_rate_expr(end):
    closed = Cast(Count("id", filter=Q(closed_on__lt=end)), FloatField())
    return closed * Value(100.0) / Cast(Count("id"), FloatField())


def as_days(value) -> float | None:
    """An interval from SQL (timedelta) as days."""
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def _sub(qs, expression, output_field):
    """A per-township aggregate of ``qs`` as a correlated scalar subquery on Township."""
    grouped = qs.filter(township=OuterRef("pk")).order_by().values("township").annotate(v=expression).values("v")
    return Subquery(grouped, output_field=output_field)


def _count(qs):
    return Coalesce(_sub(qs, Count("*"), IntegerField()), Value(0))


def _money(qs, field):
    return Coalesce(
        _sub(qs, Sum(field), DecimalField(max_digits=14, decimal_places=2)),
        Value(0),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


COUNT_COLUMNS = [
    "tips_received",
    "tips_overdue",
    "cases_opened",
    "cases_filed",
    "filed_closed",
    "cases_closed",
    "warnings",
    "confiscations",
    "fines",
    "revocations",
    "referrals",
]
MONEY_COLUMNS = ["confiscated_sum", "fine_sum"]


@dataclass
class FiguresRow:
    township: Township | None
    values: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def closure_rate(self) -> float | None:
        filed = self.values["cases_filed"]
        return round(100.0 * self.values["filed_closed"] / filed, 1) if filed else None

    @property
    def avg_days_to_close(self) -> float | None:
        n = self.values["cases_closed"]
        return as_days(self.values["days_sum"] / n) if n and self.values["days_sum"] is not None else None


def township_figures(*, start: datetime.date, end: datetime.date) -> tuple[list[FiguresRow], FiguresRow]:
    """One row per active township and the county row, for ``[start, end)``. ONE query.

    Each column is a correlated subquery rather than a JOIN + GROUP BY: joining tips and cases
    would multiply the rows and inflate every count. The county row adds up the township rows'
    numerators and denominators (already aggregated in SQL), so its rates are true county rates.
    """
    filed = cases_by("filed_on", start, end)
    closed = cases_by("closed_on", start, end)
    decided = cases_by("decided_on", start, end)
    townships = (
        Township.objects.filter(is_active=True)
        .annotate(
            tips_received=_count(tips_received(start, end)),
            tips_overdue=_count(tips_overdue(start, end)),
            cases_opened=_count(cases_by("registered_on", start, end)),
            cases_filed=_count(filed),
            filed_closed=_count(filed.filter(closed_on__lt=end)),
            cases_closed=_count(closed),
            days_sum=_sub(closed, Sum(DAYS_TO_CLOSE), DurationField()),
            warnings=_count(decided.filter(outcome_warning=True)),
            confiscations=_count(decided.filter(confiscated_amount__gt=0)),
            confiscated_sum=_money(decided, "confiscated_amount"),
            fines=_count(decided.filter(fine_amount__gt=0)),
            fine_sum=_money(decided, "fine_amount"),
            revocations=_count(decided.filter(licence_revoked=True)),
            referrals=_count(cases_by("referred_on", start, end)),
        )
        .order_by("sort_order", "code")
    )
    rows = []
    for t in townships:
        values = {c: getattr(t, c) for c in COUNT_COLUMNS + MONEY_COLUMNS}
        values["days_sum"] = t.days_sum
        rows.append(FiguresRow(township=t, values=values))
    total = {c: sum((r.values[c] for r in rows), 0) for c in COUNT_COLUMNS + MONEY_COLUMNS}
    sums = [r.values["days_sum"] for r in rows if r.values["days_sum"] is not None]
    total["days_sum"] = sum(sums, datetime.timedelta()) if sums else None
    return rows, FiguresRow(township=None, values=total)
