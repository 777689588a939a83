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
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast

from accounts.models import Township

from ..models import Case, Tip
from .lists import tips_overdue_q

DAYS_TO_CLOSE = ExpressionWrapper(F("closed_on") - F("filed_on"), output_field=DurationField())


def tip_received_q(start, end) -> Q:
    return Q(received_on__gte=start, received_on__lt=end)


def case_period_q(field: str, start, end) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def tips_received(start, end):
    return Tip.objects.filter(tip_received_q(start, end))


def tips_overdue(start, end):
    return Tip.objects.filter(tips_overdue_q(start, end))


def cases_by(field: str, start, end):
    return Case.objects.filter(case_period_q(field, start, end))


def closure_rate_expr(end):
    closed = Cast(Count("id", filter=Q(closed_on__lt=end)), FloatField())
    return closed * Value(100.0) / Cast(Count("id"), FloatField())


def _duration(value) -> datetime.timedelta | None:
    """A raw query's interval: PostgreSQL gives a timedelta, SQLite (``make run``) microseconds."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=int(value))


def _money(value) -> Decimal:
    """A raw query's sum of amounts: Decimal from PostgreSQL, a number from SQLite."""
    if value is None:
        return Decimal("0.00")  # shown like the other amounts: 0.00, not 0
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


def as_days(value) -> float | None:
    """An interval from SQL (timedelta) as days."""
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


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


def _grouped_sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def township_figures(*, start: datetime.date, end: datetime.date) -> tuple[list[FiguresRow], FiguresRow]:
    """One row per active township and the county row, for ``[start, end)``. ONE query.

    One grouped pass over the tips and one over the cases (every column a ``FILTER`` of the record
    set it counts), joined to the townships: joining tips and cases row by row would multiply the
    rows and inflate every count, and a correlated subquery per column and township (16 × 14 of
    them) cost several times the pass (bench/results-enforcement.md). The county row adds up the
    township rows' numerators and denominators (already aggregated in SQL), so its rates are true
    county rates.
    """
    filed = case_period_q("filed_on", start, end)
    closed = case_period_q("closed_on", start, end)
    decided = case_period_q("decided_on", start, end)
    money = DecimalField(max_digits=14, decimal_places=2)
    tips = (
        Tip.objects.order_by()
        .values("township")
        .annotate(
            tips_received=Count("id", filter=tip_received_q(start, end)),
            tips_overdue=Count("id", filter=tips_overdue_q(start, end)),
        )
    )
    cases = (
        Case.objects.order_by()
        .values("township")
        .annotate(
            cases_opened=Count("id", filter=case_period_q("registered_on", start, end)),
            cases_filed=Count("id", filter=filed),
            filed_closed=Count("id", filter=filed & Q(closed_on__lt=end)),
            cases_closed=Count("id", filter=closed),
            days_sum=Sum(DAYS_TO_CLOSE, filter=closed, output_field=DurationField()),
            warnings=Count("id", filter=decided & Q(outcome_warning=True)),
            confiscations=Count("id", filter=decided & Q(confiscated_amount__gt=0)),
            confiscated_sum=Sum("confiscated_amount", filter=decided, output_field=money),
            fines=Count("id", filter=decided & Q(fine_amount__gt=0)),
            fine_sum=Sum("fine_amount", filter=decided, output_field=money),
            revocations=Count("id", filter=decided & Q(licence_revoked=True)),
            referrals=Count("id", filter=case_period_q("referred_on", start, end)),
        )
    )
    tips_sql, tips_params = _grouped_sql(tips)
    cases_sql, cases_params = _grouped_sql(cases)
    columns = ", ".join(f"x.{c}" for c in ("tips_received", "tips_overdue")) + ", " + ", ".join(
        f"y.{c}" for c in COUNT_COLUMNS[2:] + MONEY_COLUMNS + ["days_sum"])
    townships = Township.objects.raw(
        f"SELECT t.*, {columns} FROM accounts_township t "  # nosec B608: column names are constants above
        f"LEFT JOIN ({tips_sql}) x ON x.township = t.id LEFT JOIN ({cases_sql}) y ON y.township = t.id "
        "WHERE t.is_active ORDER BY t.sort_order, t.code",
        tips_params + cases_params,
    )
    rows = []
    for t in townships:
        values = {c: getattr(t, c) or 0 for c in COUNT_COLUMNS}
        values.update({c: _money(getattr(t, c)) for c in MONEY_COLUMNS})
        values["days_sum"] = _duration(t.days_sum)
        rows.append(FiguresRow(township=t, values=values))
    total = {c: sum((r.values[c] for r in rows), 0) for c in COUNT_COLUMNS + MONEY_COLUMNS}
    sums = [r.values["days_sum"] for r in rows if r.values["days_sum"] is not None]
    total["days_sum"] = sum(sums, datetime.timedelta()) if sums else None
    return rows, FiguresRow(township=None, values=total)
