"""The figures of one week's Monday briefing, computed in SQL (``weekly.weekly_report_build`` stores them).

Queries: one for the townships, one per app whose indicators share a ``batch`` (every figure of
this week and last week, townships and county, in one statement: households, assessment), two
per other indicator (this week and last week, all townships at once, by the indicator's own
``compute``), two more per such indicator that has a ``county`` figure, one for the outreach table, one or two for the ranking. The count depends on how many indicators
the apps publish, never on the number of townships or records. Nothing here writes.
"""
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import translation

from accounts.models import Township
from core.indicators import Indicator, all_indicators, compute_periods
from households.api import outreach_by_work_group

from ..models import AnnualScore
from ..selectors.ranking import rank_change
from ..weekly_rules import GROUP_RULE, Figures, problem, problems_of
from ..weeks import WEEK

SCHEMA = 1


@dataclass
class WeekFigures:
    """What a build writes: the report's county ``figures`` and one dict per township section."""

    figures: dict
    sections: list[dict]  # {"township_id", "position", "figures", "problems"}


def _number(value):
    """A JSON-safe number: ints stay ints, Decimals and floats become floats (2 decimals)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float)):
        return round(float(value), 2)
    return value


def _default(indicator: Indicator):
    return 0 if indicator.kind == "count" else None


def _meta(indicator: Indicator) -> dict:
    return {
        "key": indicator.key, "label": str(indicator.label), "kind": indicator.kind,
        "higher_is_better": indicator.higher_is_better, "target": indicator.target,
        "drilldown": indicator.drilldown,
    }


def _county(indicator: Indicator, values: dict[int, object], county):
    """Counts add up; a kind with its own county figure has it (``county``); others: the townships' mean."""
    if indicator.kind == "count":
        return sum(v or 0 for v in values.values()), "sum"
    if indicator.county is not None:
        return _number(county), "county"
    present = [float(v) for v in values.values() if v is not None]
    return (round(sum(present) / len(present), 2) if present else None), "mean"


def _average(values: dict[int, object]):
    present = [float(v) for v in values.values() if v is not None]
    return round(sum(present) / len(present), 2) if present else None


def ranking_snapshot(year: int) -> dict:
    """The year's ranking as published now (last year's when nothing is ranked yet this year)."""
    for y in (year, year - 1):
        previous = AnnualScore.objects.filter(year=y - 1, township=OuterRef("township")).values("rank")[:1]
        rows = list(
            AnnualScore.objects.filter(year=y).annotate(previous_rank=Subquery(previous))
            .order_by("rank", "regular_rank", "township__sort_order")
            .values("township_id", "township__name", "rank", "total", "regular_part", "year_end_part",
                    "previous_rank")
        )
        if any(r["rank"] for r in rows):
            return {"year": y, "rows": [{
                "township_id": r["township_id"], "township": r["township__name"], "rank": r["rank"],
                "total": _number(r["total"]), "regular_part": _number(r["regular_part"]),
                "year_end_part": _number(r["year_end_part"]), "change": rank_change(r["rank"], r["previous_rank"]),
            } for r in rows]}
    return {"year": year, "rows": []}


def _outreach(start, end) -> dict:
    rows = outreach_by_work_group(start=start, end=end, prev_start=start - WEEK)
    groups: dict[int, dict] = {}
    for row in rows:  # a handful of aggregate rows (groups × linked villages), not records
        group = groups.setdefault(row["group_id"], {"group": row["group"], "visits": 0, "previous": 0,
                                                    "villages": 0, "unvisited": 0})
        group["visits"] += row["visits"]
        group["previous"] += row["previous"]
        group["villages"] += 1
        group["unvisited"] += 0 if row["visits"] else 1
    return {"rows": rows, "groups": list(groups.values())}


def compute_week(week_start: datetime.date, *, progress: Callable[[int, int], None] | None = None) -> WeekFigures:
    """Every figure of the week starting ``week_start`` (a Monday), for the county and each active
    township, with last week's for comparison, the problems, outreach and the ranking."""
    start, end, prev = week_start, week_start + WEEK, week_start - WEEK
    # Labels and problem texts are stored in the product's first language, whoever asked.
    with translation.override("zh-hans"):
        indicators = [i for i in all_indicators() if i.weekly]
        townships = list(Township.objects.active().values("id", "name"))
        meta = {i.key: _meta(i) for i in indicators}
        per_township = {t["id"]: {"values": {}, "previous": {}} for t in townships}
        county, county_previous, average, county_rule = {}, {}, {}, {}
        total = len(indicators) + 2
        answers = compute_periods(indicators, [(start, end), (prev, start)], county=True)
        for n, (indicator, ((now, now_county), (before, before_county))) in enumerate(
                zip(indicators, answers, strict=True), start=1):
            now_active, before_active = {}, {}
            for t in townships:
                now_active[t["id"]] = _number(now.get(t["id"], _default(indicator)))
                before_active[t["id"]] = _number(before.get(t["id"], _default(indicator)))
                per_township[t["id"]]["values"][indicator.key] = now_active[t["id"]]
                per_township[t["id"]]["previous"][indicator.key] = before_active[t["id"]]
            county[indicator.key], county_rule[indicator.key] = _county(indicator, now_active, now_county)
            county_previous[indicator.key], _rule = _county(indicator, before_active, before_county)
            average[indicator.key] = _average(now_active)
            if progress:
                progress(n, total)
        outreach = _outreach(start, end)
        ranking = ranking_snapshot((end - datetime.timedelta(days=1)).year)
        if progress:
            progress(total - 1, total)

        sections = []
        for position, t in enumerate(townships):
            part = per_township[t["id"]]
            found = problems_of(Figures(part["values"], part["previous"], meta))
            sections.append({"township_id": t["id"], "position": position, "figures": part, "problems": found})
        county_problems = [
            problem(GROUP_RULE, {"group": g["group"], "villages": g["villages"]})
            for g in outreach["groups"] if g["visits"] == 0
        ]
        figures = {
            "schema": SCHEMA, "start": start.isoformat(), "end": end.isoformat(),
            "indicators": [meta[i.key] for i in indicators],
            "townships": [{"id": t["id"], "name": t["name"]} for t in townships],
            "county": county, "county_previous": county_previous, "average": average, "county_rule": county_rule,
            "outreach": outreach, "ranking": ranking, "problems": county_problems,
            "problem_total": len(county_problems) + sum(len(s["problems"]) for s in sections),
        }
    return WeekFigures(figures=figures, sections=sections)
