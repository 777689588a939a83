"""The scorecard of live indicators: every app's ``core.indicators`` rows, per township.

One query per app that gives its indicators a ``batch`` (both periods at once: households,
assessment), two per other indicator (this period and the one before), one for the townships: the
count depends on how many indicators the apps publish, never on the number of townships or records.
Colour bands compare a value with the indicator's target; the arrow compares it with the
previous period of the same length.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from core.indicators import Indicator, all_indicators, compute_periods

PERIODS = {
    "7": (7, _("近 7 天")),
    "30": (30, _("近 30 天")),
    "90": (90, _("近 90 天")),
}
DEFAULT_PERIOD = "30"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # exclusive
    prev_start: datetime.date
    key: str = DEFAULT_PERIOD

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def prev_last_day(self) -> datetime.date:
        return self.start - datetime.timedelta(days=1)


def period_for(key: str, today: datetime.date | None = None) -> Period:
    """The ``key`` days up to and including today, and the same number of days before them."""
    key = key if key in PERIODS else DEFAULT_PERIOD
    days = PERIODS[key][0]
    end = (today or timezone.localdate()) + datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=days)
    return Period(start=start, end=end, prev_start=start - datetime.timedelta(days=days), key=key)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def band(indicator: Indicator, value) -> str:
    """good / warn / bad against the target, "" without a target or a value.

    Rates within ``ASSESSMENT_BAND_MARGIN`` points of the target are "warn"; counts have no
    margin (a target of 0 overdue is met or missed).
    """
    if indicator.target is None or value is None:
        return ""
    diff = _number(value) - indicator.target if indicator.higher_is_better else indicator.target - _number(value)
    if diff >= 0:
        return "good"
    margin = settings.ASSESSMENT_BAND_MARGIN if indicator.kind == "rate" else 0
    return "warn" if diff >= -margin else "bad"


def trend(indicator: Indicator, value, previous) -> dict:
    """Arrow and whether the move is for the better."""
    if value is None or previous is None or _number(value) == _number(previous):
        return {"arrow": "→" if value is not None and previous is not None else "", "kind": "flat"}
    up = _number(value) > _number(previous)
    better = up == indicator.higher_is_better
    return {"arrow": "↑" if up else "↓", "kind": "better" if better else "worse"}


def _default(indicator: Indicator):
    return None if indicator.kind in ("rate", "score") else 0


@dataclass
class Cell:
    indicator: Indicator
    value: object
    previous: object
    band: str
    trend: dict
    url: str | None


@dataclass
class Row:
    township: Township
    cells: list[Cell] = field(default_factory=list)


def drilldown_url(indicator: Indicator, township_id: int, start: datetime.date, end: datetime.date,
                  bases: dict | None = None) -> str | None:
    """The list behind a figure; ``bases`` caches each indicator's reversed path across a table."""
    if not indicator.drilldown:
        return None
    if bases is not None and indicator.key in bases:
        base = bases[indicator.key]
    else:
        try:
            base = reverse(indicator.drilldown)
        except NoReverseMatch:
            base = None
        if bases is not None:
            bases[indicator.key] = base
    if base is None:
        return None
    return f"{base}?{urlencode({'township': township_id, 'start': start.isoformat(), 'end': end.isoformat()})}"


def compute_both(indicators: list[Indicator], period: Period) -> tuple[list[dict], list[dict]]:
    """Every indicator's values for the period and for the one before: (current, previous)."""
    answers = compute_periods(indicators, [(period.start, period.end), (period.prev_start, period.start)])
    return [a[0][0] for a in answers], [a[1][0] for a in answers]


def scorecard(*, period: Period, indicators: list[Indicator] | None = None) -> dict:
    """``{"indicators": [...], "rows": [Row]}`` for the active townships, in township order."""
    indicators = all_indicators() if indicators is None else indicators
    townships = list(Township.objects.active())
    current, previous = compute_both(indicators, period)
    rows, bases = [], {}
    for township in townships:
        row = Row(township=township)
        for indicator, now_values, before_values in zip(indicators, current, previous, strict=True):
            value = now_values.get(township.pk, _default(indicator))
            before = before_values.get(township.pk, _default(indicator))
            row.cells.append(Cell(
                indicator=indicator, value=value, previous=before, band=band(indicator, value),
                trend=trend(indicator, value, before),
                url=drilldown_url(indicator, township.pk, period.start, period.end, bases),
            ))
        rows.append(row)
    return {"indicators": indicators, "rows": rows, "period": period}


MOVERS_CACHE_SECONDS = 600


def biggest_moves(*, today: datetime.date | None = None, limit: int = 5) -> list[dict]:
    """The indicator values that moved most between the last 7 days and the 7 before, across
    all townships (relative change, ties by size): the leader's "what moved since last week".

    Cached for ten minutes per day: the home page must stay fast and these are whole-county
    aggregates, identical for every leader.
    """
    today = today or timezone.localdate()
    # The labels are translated strings: one entry per language.
    key = f"assessment:moves:{get_language()}:{today.isoformat()}:{limit}"
    moves = cache.get(key)
    if moves is None:
        moves = _biggest_moves(period_for("7", today), limit)
        cache.set(key, moves, MOVERS_CACHE_SECONDS)
    return moves


def _biggest_moves(period: Period, limit: int) -> list[dict]:
    indicators = all_indicators()
    names = dict(Township.objects.active().values_list("pk", "name"))
    current, previous = compute_both(indicators, period)
    moves = []
    for indicator, now_values, before_values in zip(indicators, current, previous, strict=True):
        for township_id, name in names.items():
            value = now_values.get(township_id, _default(indicator))
            before = before_values.get(township_id, _default(indicator))
            if value is None or before is None or _number(value) == _number(before):
                continue
            change = _number(value) - _number(before)
            relative = abs(change) / max(abs(_number(before)), 1)
            moves.append({
                "indicator": str(indicator.label), "kind": indicator.kind, "township": name,
                "value": _number(value), "previous": _number(before), "change": round(change, 1),
                "trend": trend(indicator, value, before), "relative": relative,
                "url": drilldown_url(indicator, township_id, period.start, period.end),
            })
    moves.sort(key=lambda m: (-m["relative"], -abs(m["change"]), m["township"]))
    return moves[:limit]
