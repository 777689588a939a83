"""Reads of the Monday briefing for its pages, exports and the home panel.

A report page costs a fixed number of queries: the report, its sections in the user's scope, and
the county's earlier reports for the 12-week line — whatever the number of townships.
"""
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from accounts.roles import Cap
from core.indicators import all_indicators

from .. import charts
from ..models import WeeklyReport, WeeklyReportSection
from ..permissions import sees_county
from ..weekly_rules import problem_text
from ..weeks import WEEK
from .scorecard import band, drilldown_url, trend

HEADLINE = "households.visits_recorded"  # the county's line and the townships' bars, when published


@dataclass(frozen=True)
class StoredIndicator:
    """An indicator as a report stored it (what ``band`` and ``trend`` need), labelled in the
    current language when the app still publishes it."""

    key: str
    label: str
    kind: str
    higher_is_better: bool
    target: float | None
    drilldown: str | None


def indicators_of(report: WeeklyReport) -> list[StoredIndicator]:
    current = {i.key: i for i in all_indicators()}
    found = []
    for meta in report.figures.get("indicators", []):
        live = current.get(meta["key"])
        found.append(StoredIndicator(
            key=meta["key"], label=str(live.label) if live else meta["label"], kind=meta["kind"],
            higher_is_better=meta["higher_is_better"], target=meta.get("target"), drilldown=meta.get("drilldown")))
    return found


def change(value, previous):
    if value is None or previous is None:
        return None
    diff = value - previous
    return diff if isinstance(diff, int) else round(diff, 1)


@dataclass
class Line:
    indicator: StoredIndicator
    value: object
    previous: object
    change: object
    trend: dict
    band: str
    average: object = None
    url: str | None = None
    spark: str = ""
    note: str = ""  # the county figure is the townships' mean (an indicator without a county figure)


def lines(indicators, values: dict, previous: dict, *, average: dict | None = None, urls: dict | None = None,
          sparks: dict | None = None) -> list[Line]:
    return [
        Line(indicator=i, value=values.get(i.key), previous=previous.get(i.key),
             change=change(values.get(i.key), previous.get(i.key)),
             trend=trend(i, values.get(i.key), previous.get(i.key)), band=band(i, values.get(i.key)),
             average=(average or {}).get(i.key), url=(urls or {}).get(i.key), spark=(sparks or {}).get(i.key, ""))
        for i in indicators
    ]


# --- Lists -------------------------------------------------------------------------------------
def report_list(*, user):
    """Every week's report, newest first; a clerk's rows carry their own township's problem count."""
    qs = WeeklyReport.objects.order_by("-week_start").annotate(
        problem_total=Cast(KT("figures__problem_total"), IntegerField()))
    if not sees_county(user):
        own = WeeklyReportSection.objects.filter(report=OuterRef("pk"), township_id=user.township_id)
        qs = qs.annotate(own_problems=Subquery(own.values("problem_count")[:1]))
    return qs


def latest_built() -> WeeklyReport | None:
    return WeeklyReport.objects.filter(built_at__isnull=False).order_by("-week_start").first()


def home_summary() -> dict | None:
    """The latest built report for the leader's home panel: week, problems, the headline figure."""
    row = (WeeklyReport.objects.filter(built_at__isnull=False).order_by("-week_start")
           .values("week_start", "figures__county", "figures__county_previous", "figures__problem_total").first())
    if row is None:
        return None
    county, before = row["figures__county"] or {}, row["figures__county_previous"] or {}
    return {
        "week_start": row["week_start"], "week_end": row["week_start"] + datetime.timedelta(days=6),
        "problems": row["figures__problem_total"] or 0, "visits": county.get(HEADLINE),
        "visits_change": change(county.get(HEADLINE), before.get(HEADLINE)),
    }


# --- One report ----------------------------------------------------------------------------------
def sections_for(*, user, report: WeeklyReport, township_id: int | None = None):
    qs = WeeklyReportSection.objects.visible_to(user).filter(report=report).select_related("township")
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    return qs.order_by("position")


def county_series(report: WeeklyReport, weeks: int | None = None) -> list[tuple[datetime.date, dict | None]]:
    """[(monday, county figures or None)] for the ``weeks`` weeks up to this report's, one query."""
    weeks = weeks or settings.ASSESSMENT_WEEKLY_CHART_WEEKS
    first = report.week_start - WEEK * (weeks - 1)
    stored = dict(WeeklyReport.objects.filter(week_start__gte=first, week_start__lte=report.week_start,
                                              built_at__isnull=False).values_list("week_start", "figures__county"))
    stored[report.week_start] = report.figures.get("county", {})
    return [(first + WEEK * i, stored.get(first + WEEK * i)) for i in range(weeks)]


@dataclass
class SectionView:
    section: WeeklyReportSection
    lines: list[Line]
    problems: list[dict]
    chart: str = ""


@dataclass
class ReportView:
    report: WeeklyReport
    indicators: list[StoredIndicator]
    start: datetime.date
    end: datetime.date  # exclusive
    county: bool  # the county part is shown (leaders and assessors, no ?township=)
    sections: list[SectionView] = field(default_factory=list)
    county_lines: list[Line] = field(default_factory=list)
    county_problems: list[str] = field(default_factory=list)
    week_chart: str = ""
    week_chart_label: str = ""
    week_points: list = field(default_factory=list)
    township_chart: str = ""
    outreach: dict = field(default_factory=dict)
    ranking: dict = field(default_factory=dict)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


def report_view(*, user, report: WeeklyReport, township_id: int | None = None, charts_on: bool = True) -> ReportView:
    """What the report page, its print page and the export show to ``user``."""
    figures = report.figures
    indicators = indicators_of(report)
    start = report.week_start
    view = ReportView(report=report, indicators=indicators, start=start, end=start + WEEK,
                      county=sees_county(user) and township_id is None)
    drill = user.can(Cap.ASSESSMENT_BRIEFING)  # the lists behind the figures are the leaders'
    bases: dict = {}  # each indicator's list path, reversed once for all sections
    average = figures.get("average", {})
    for section in sections_for(user=user, report=report, township_id=township_id):
        urls = {i.key: drilldown_url(i, section.township_id, start, view.end, bases) for i in indicators} \
            if drill else {}
        section_lines = lines(indicators, section.figures.get("values", {}), section.figures.get("previous", {}),
                              average=average, urls=urls)
        problems = [{"text": problem_text(p), "url": urls.get(p.get("indicator"))} for p in section.problems]
        chart = ""
        if charts_on:
            chart = charts.bars_with_average(
                [(line.indicator.label, line.value, line.average) for line in section_lines
                 if line.indicator.kind == "count"],
                title=_("%(township)s本周各项数字与全县镇街平均") % {"township": section.township.name},
                desc=_("条形为本镇本周数字，竖线为全县各镇街平均。"), chart_id=f"bars-{section.township_id}",
                common_scale=False, average_label=_("全县平均"))
        view.sections.append(SectionView(section=section, lines=section_lines, problems=problems, chart=chart))
    if not view.county:
        return view

    series = county_series(report)
    sparks = {}
    for i in indicators:
        values = [(c or {}).get(i.key) for _d, c in series]
        sparks[i.key] = charts.sparkline(values, label=_("%(label)s近 %(n)s 周") % {"label": i.label, "n": len(series)},
                                         chart_id=f"spark-{i.key.replace('.', '-')}") if charts_on else ""
    view.county_lines = lines(indicators, figures.get("county", {}), figures.get("county_previous", {}), sparks=sparks)
    rules = figures.get("county_rule", {})
    for line in view.county_lines:
        if rules.get(line.indicator.key) == "mean":
            line.note = _("各镇街平均")
    view.county_problems = [problem_text(p) for p in figures.get("problems", [])]
    view.outreach = figures.get("outreach", {})
    view.ranking = figures.get("ranking", {})
    headline = next((i for i in indicators if i.key == HEADLINE), None) or next(
        (i for i in indicators if i.kind == "count"), None)
    if headline is not None:
        view.week_chart_label = headline.label
        view.week_points = [(d, (c or {}).get(headline.key)) for d, c in series]
        if charts_on:
            view.week_chart = charts.week_line(
                view.week_points, chart_id="week-line",
                title=_("全县%(label)s近 %(n)s 周") % {"label": headline.label, "n": len(series)},
                desc=_("每周一个点，没有通报的周留空。"))
            view.township_chart = charts.bars_with_average(
                [(s.section.township.name, s.section.figures.get("values", {}).get(headline.key),
                  average.get(headline.key)) for s in view.sections],
                title=_("各镇街本周%(label)s与平均") % {"label": headline.label},
                desc=_("条形为各镇街本周数字，竖线为各镇街平均。"), chart_id="township-bars", common_scale=True,
                average_label=_("镇街平均"))
    return view
