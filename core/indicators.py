"""Per-township indicators that apps publish and the assessment scorecard and weekly report read.

An app lists its indicators on its ``AppConfig`` (``indicators``, like ``nav_items``), so the
scorecard and the Monday report gain rows as apps land and never read another app's tables:

    class ScreeningConfig(AppConfig):
        @property
        def indicators(self):
            from .indicators import INDICATORS
            return INDICATORS

Each ``compute(start, end)`` answers for the half-open period ``[start, end)`` (dates in
Asia/Shanghai) with **one SQL query** over all townships: ``{township_id: value}``; a township
with nothing may be missing (read as 0 for counts, None for rates). Rates are percentages 0–100.

An app may also give several of its indicators one ``batch``: ``batch(periods)`` answers every
indicator of the batch for every period at once, in ONE statement — ``{key: [(values, county),
…]}`` in the periods' order, ``values`` as ``compute`` returns them and ``county`` the figure
``county`` would return (None for an indicator without one). The scorecard and the Monday report
read indicators through ``compute_periods``, so an app with a batch costs one query however many
indicators and periods it has; ``compute`` and ``county`` stay, and must give the same figures
(the drill-down lists and the tests use them).
"""
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection

Value = int | float | Decimal | None


@dataclass(frozen=True)
class Indicator:
    key: str  # "<app>.<name>", stable: stored in weekly reports and used in URLs
    label: str  # lazy Chinese label
    compute: Callable[[datetime.date, datetime.date], dict[int, Value]]
    kind: str = "count"  # "count" | "rate" (percent) | "days" | "score"
    target: float | None = None  # for rates: the target from settings, for colour bands
    higher_is_better: bool = True
    # URL name of the app's own read-only, masked, audited list behind the figure; it takes the
    # query parameters ?township=<id>&start=<YYYY-MM-DD>&end=<YYYY-MM-DD> (end exclusive).
    drilldown: str | None = None
    weekly: bool = True  # shown in the Monday report as well as on the scorecard
    # Whether a township's own staff (a clerk's section of the Monday report) may read the figure
    # for their township. False for figures that could tell a township it is being investigated
    # (two-non tips and cases): county readers (leaders, assessors) only.
    township_readers: bool = True
    # Optional ``county(start, end) -> value``: the whole county's figure, ONE query. A rate of
    # the county is not the mean of the townships' rates (their denominators differ); without
    # this the weekly report shows counts summed and other kinds as the townships' mean.
    county: Callable[[datetime.date, datetime.date], Value] | None = None
    # Optional ``batch(periods) -> {key: [(values, county), ...]}`` shared by several indicators of
    # one app: every figure of each of them for every period in one statement (see above).
    batch: Callable[[list[tuple[datetime.date, datetime.date]]], dict] | None = None


def all_indicators() -> list[Indicator]:
    """Every project app's indicators, in PROJECT_APPS order."""
    found = []
    for label in settings.PROJECT_APPS:
        found += list(getattr(apps.get_app_config(label), "indicators", ()))
    return found


Period = tuple[datetime.date, datetime.date]


def compute_periods(indicators: list[Indicator], periods: list[Period], *, county: bool = False,
                    batches: bool | None = None) -> list[list[tuple[dict[int, Value], Value]]]:
    """``[indicator][period] -> (values per township, county figure)`` for ``periods`` (half-open).

    Indicators sharing a ``batch`` cost one query together for all periods; any other costs one
    query per period (``compute``) plus, with ``county=True``, one per period for its ``county``.
    The county figure is None for an indicator without ``county``.

    Batches are written in PostgreSQL's SQL (unnest, LATERAL, GROUPING SETS): on another database
    (`make run` on SQLite) and with ``batches=False`` every indicator is computed on its own —
    the same answers, as each app's tests check, at one query per figure and period.
    """
    if batches is None:
        batches = connection.vendor == "postgresql"
    answers: dict[str, list] = {}
    done_batches = set()
    for indicator in indicators:
        if not batches or indicator.batch is None or indicator.batch in done_batches:
            continue
        done_batches.add(indicator.batch)
        answers.update(indicator.batch(periods))
    results = []
    for indicator in indicators:
        if batches and indicator.batch is not None:
            results.append(answers[indicator.key])
            continue
        results.append([
            (indicator.compute(start, end),
             indicator.county(start, end) if county and indicator.county is not None else None)
            for start, end in periods])
    return results
