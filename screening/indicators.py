"""Indicators published for the assessment scorecard and the Monday report (core.indicators).

Each ``compute(start, end)`` is one GROUP BY township statement (selectors.rates.rate_values);
the scorecard and the weekly report read them all through ``batch`` (two statements for any
number of periods: one per base table);
the drill-down is the masked list behind the figure (``screening:rate_list``), which takes
``?indicator=<name>&township=<id>&start=&end=`` as core.indicators asks.
"""
from functools import partial

from django.conf import settings

from core.indicators import Indicator

from .selectors.rates import RATES, batch, rate_county, rate_values


def _indicator(rate) -> Indicator:
    target = settings.SCREENING_TARGETS.get(rate.target_key or "") if rate.kind == "rate" else None
    return Indicator(
        key=f"screening.{rate.key}", label=rate.label, compute=partial(rate_values, rate.key),
        kind=rate.kind, target=target, county=partial(rate_county, rate.key),  # from county totals
        # A lower high-risk share is not "better": it is what the screening finds. No direction.
        higher_is_better=rate.key != "high_risk_share",
        drilldown=f"screening:rate_list_{rate.key}",
        batch=batch,  # every rate for every period in two statements (couples, screenings)
    )


INDICATORS = [_indicator(rate) for rate in RATES]
__all__ = ["INDICATORS"]
