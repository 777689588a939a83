"""The programme's rates per township and for the county, for any period, in SQL.

Each rate is a denominator and a numerator, both written once as a condition (``RATES``): the
aggregate counts rows meeting them (one GROUP BY township statement per base table) and the
masked list behind a figure filters by the very same conditions, so the list a leader opens has
exactly the figure's rows. Periods are half-open ``[start, end)``.

Definitions (documented on the rates page):
- coverage: couples with a screening (results entered) in the period ÷ couples in the register
  planning within a year and not screened before the period, plus any couple screened in it;
- high-risk share: assessed screenings in the period that are 高风险人群 ÷ assessed screenings;
- early follow-up rate: screenings whose first early follow-up fell due in the period (exam date
  + SCREENING_WINDOWS["early_first"]) with an early follow-up (已孕/未孕) recorded before the end;
- outcome follow-up rate: pregnancies whose outcome follow-up fell due in the period (LMP + 280 +
  "outcome_after_edd" days) with an outcome follow-up (已分娩/未分娩) recorded before the end;
- prenatal screening rate: pregnancies whose serum-screening window closed in the period (LMP +
  "serum_to") with a prenatal screening recorded before the end.
"""
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from households.api import couples_county

from ..models import (
    EarlyPregnancyFollowUp, EarlyResult, OutcomeFollowUp, OutcomeResult, PrenatalScreening, RiskLevel, Screening,
)
from ..pathway_rules import GESTATION_DAYS

DONE = [Screening.Status.COMPLETE, Screening.Status.ASSESSED]
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    kind: str  # "rate" (percent) or "count"
    base: str  # "couple" or "screening": what the list behind the figure shows
    target_key: str | None = None


RATES = [
    Rate("coverage", _("检查覆盖率"), "rate", "couple", "coverage"),
    Rate("high_risk_share", _("高风险人群比例"), "rate", "screening", "high_risk_share"),
    Rate("early_follow_up", _("早孕随访率"), "rate", "screening", "early_follow_up"),
    Rate("outcome_follow_up", _("妊娠结局随访率"), "rate", "screening", "outcome_follow_up"),
    Rate("prenatal", _("产前筛查率"), "rate", "screening", "prenatal"),
    Rate("screened", _("完成检查人次"), "count", "screening"),
    Rate("high_found", _("检出高风险人群"), "count", "screening"),
]
RATE_BY_KEY = {r.key: r for r in RATES}


def _shift(start: datetime.date, end: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    delta = datetime.timedelta(days=days)
    return start - delta, end - delta


def screening_base(end: datetime.date):
    """Active screenings; the "recorded before the end" facts are conditions (``_recorded``)."""
    return Screening.objects.filter(is_void=False)


def couple_base(start: datetime.date, end: datetime.date):
    return couples_county().filter(is_void=False)


# Facts of a row as ``id IN (SELECT …)``: PostgreSQL hashes the subquery's ids once per statement
# (a hashed SubPlan) where a correlated EXISTS inside each aggregate's FILTER ran once per row and
# per FILTER (≈ 500,000 index probes for the county's couples: the rates page took 780 ms).
def _screened(*, start=None, end) -> Q:
    done = Screening.objects.filter(is_void=False, status__in=DONE, exam_date__lt=end)
    if start is not None:
        done = done.filter(exam_date__gte=start)
    return Q(pk__in=done.values("couple_id"))


def _recorded(model, end: datetime.date, **conditions) -> Q:
    return Q(pk__in=model.objects.filter(is_void=False, **conditions).filter(
        **{("tested_on__lt" if model is PrenatalScreening else "followed_on__lt"): end}).values("screening_id"))


def conditions(key: str, start: datetime.date, end: datetime.date) -> tuple[Q, Q]:
    """(denominator, numerator) of a rate; for a count, (the counted rows, the same)."""
    w = settings.SCREENING_WINDOWS
    in_period = Q(exam_date__gte=start, exam_date__lt=end)
    if key == "coverage":
        screened_in = _screened(start=start, end=end)
        return (Q(in_register=True, planned_timing="1") & ~_screened(end=start) | screened_in, screened_in)
    if key == "high_risk_share":
        assessed = in_period & Q(status=Screening.Status.ASSESSED)
        return assessed, assessed & Q(risk_level=RiskLevel.HIGH)
    if key == "early_follow_up":
        s, e = _shift(start, end, w["early_first"])
        due = Q(status=Screening.Status.ASSESSED, exam_date__gte=s, exam_date__lt=e)
        return due, due & _recorded(EarlyPregnancyFollowUp, end,
                                    result__in=[EarlyResult.PREGNANT, EarlyResult.NOT_PREGNANT])
    if key == "outcome_follow_up":
        s, e = _shift(start, end, GESTATION_DAYS + w["outcome_after_edd"])
        due = Q(pregnancy_lmp__gte=s, pregnancy_lmp__lt=e)
        return due, due & _recorded(OutcomeFollowUp, end,
                                    result__in=[OutcomeResult.DELIVERED, OutcomeResult.NOT_DELIVERED])
    if key == "prenatal":
        s, e = _shift(start, end, w["serum_to"])
        due = Q(pregnancy_lmp__gte=s, pregnancy_lmp__lt=e)
        return due, due & _recorded(PrenatalScreening, end)
    if key == "screened":
        done = in_period & Q(status__in=DONE)
        return done, done
    if key == "high_found":
        found = in_period & Q(status=Screening.Status.ASSESSED, risk_level=RiskLevel.HIGH)
        return found, found
    raise KeyError(key)


def _base(rate: Rate, start, end):
    return couple_base(start, end) if rate.base == "couple" else screening_base(end)


def counts_by_township(keys: list[str], start: datetime.date, end: datetime.date, *,
                       only_counted: bool = False) -> dict[int, dict]:
    """``{township_id: {"<key>_den": n, "<key>_num": n, …}}`` for rates on one base table, in ONE
    statement (GROUP BY township). All ``keys`` must share a base. ``only_counted``: leave out the
    townships with no row in any denominator (the rates table shows them as 0 anyway)."""
    bases = {RATE_BY_KEY[k].base for k in keys}
    assert len(bases) == 1, "one statement per base table"
    aggregates, counted = {}, Q(pk__in=[])
    for key in keys:
        den, num = conditions(key, start, end)
        # A row in no denominator counts nowhere (a numerator is part of its denominator): with
        # ``only_counted`` only the rows of some denominator are aggregated, and with one rate (the
        # couples' coverage) that condition is the denominator itself: 53 → 45 ms for the county.
        single = only_counted and len(keys) == 1
        aggregates[f"{key}_den"] = Count("pk") if single else Count("pk", filter=den)
        aggregates[f"{key}_num"] = Count("pk", filter=num)
        counted |= den
    rows = _base(RATE_BY_KEY[keys[0]], start, end)
    if only_counted:
        rows = rows.filter(counted)
    rows = rows.order_by().values("township_id").annotate(**aggregates)
    return {row.pop("township_id"): row for row in rows}


def percent(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def band(key: str, value) -> str:
    """``ok`` / ``near`` / ``below`` against the target from settings; ``""`` without one."""
    target = settings.SCREENING_TARGETS.get(RATE_BY_KEY[key].target_key or "")
    if target is None or value is None:
        return ""
    if value >= Decimal(str(target)):
        return "ok"
    if value >= Decimal(str(target)) - Decimal(str(settings.SCREENING_TARGET_AMBER_POINTS)):
        return "near"
    return "below"


def _cell(key: str, num: int, den: int) -> dict:
    rate = RATE_BY_KEY[key]
    value = percent(num, den) if rate.kind == "rate" else num
    return {"key": key, "kind": rate.kind, "num": num, "den": den, "value": value,
            "band": band(key, value) if rate.kind == "rate" else "",
            "target": settings.SCREENING_TARGETS.get(rate.target_key or "")}


def rate_table(start: datetime.date, end: datetime.date, *, township_ids=None) -> dict:
    """Every rate per active township and for the county: two statements (couples, screenings),
    plus the townships. The county row adds the townships' numerators and denominators."""
    couple_keys = [r.key for r in RATES if r.base == "couple"]
    screening_keys = [r.key for r in RATES if r.base == "screening"]
    counts: dict[int, dict] = {}
    for keys in (couple_keys, screening_keys):
        for township_id, row in counts_by_township(keys, start, end, only_counted=True).items():
            counts.setdefault(township_id, {}).update(row)
    townships = Township.objects.active()
    if township_ids is not None:
        townships = townships.filter(pk__in=township_ids)
    rows, totals = [], {}
    for township in townships:
        c = counts.get(township.pk, {})
        cells = []
        for rate in RATES:
            num, den = c.get(f"{rate.key}_num", 0), c.get(f"{rate.key}_den", 0)
            totals[rate.key] = (totals.get(rate.key, (0, 0))[0] + num, totals.get(rate.key, (0, 0))[1] + den)
            cells.append(_cell(rate.key, num, den))
        rows.append({"township": township, "cells": cells})
    county = [_cell(r.key, *totals.get(r.key, (0, 0))) for r in RATES]
    return {"rates": RATES, "rows": rows, "county": county}


def counts_for_periods(keys: list[str], periods: list[tuple[datetime.date, datetime.date]]) -> list[dict[int, dict]]:
    """``counts_by_township`` for several periods in ONE statement (one pass over the base table,
    each period's counts as their own FILTERed columns): ``[{township_id: {…}}, …]`` in order."""
    bases = {RATE_BY_KEY[k].base for k in keys}
    assert len(bases) == 1, "one statement per base table"
    aggregates = {}
    for k, (start, end) in enumerate(periods):
        for key in keys:
            den, num = conditions(key, start, end)
            aggregates[f"p{k}_{key}_den"] = Count("pk", filter=den)
            aggregates[f"p{k}_{key}_num"] = Count("pk", filter=num)
    first, last = periods[0]
    rows = _base(RATE_BY_KEY[keys[0]], first, last).order_by().values("township_id").annotate(**aggregates)
    out = [{} for _p in periods]
    for row in rows:
        for k in range(len(periods)):
            out[k][row["township_id"]] = {f"{key}_{part}": row[f"p{k}_{key}_{part}"]
                                          for key in keys for part in ("den", "num")}
    return out


def batch(periods) -> dict[str, list]:
    """Every rate for every period (core.indicators ``batch``): two statements, one per base table,
    the same figures as ``rate_values``."""
    out = {f"screening.{r.key}": [({}, None) for _p in periods] for r in RATES}
    for base in ("couple", "screening"):
        keys = [r.key for r in RATES if r.base == base]
        for k, counts in enumerate(counts_for_periods(keys, periods) if periods else []):
            for township_id, row in counts.items():
                for key in keys:
                    num, den = row[f"{key}_num"], row[f"{key}_den"]
                    out[f"screening.{key}"][k][0][township_id] = \
                        percent(num, den) if RATE_BY_KEY[key].kind == "rate" else num
    return out


def rate_values(key: str, start: datetime.date, end: datetime.date) -> dict[int, object]:
    """One indicator for all townships in one statement: ``{township_id: value}`` (core.indicators)."""
    rate = RATE_BY_KEY[key]
    out = {}
    for township_id, row in counts_by_township([key], start, end).items():
        num, den = row[f"{key}_num"], row[f"{key}_den"]
        out[township_id] = percent(num, den) if rate.kind == "rate" else num
    return out


def rate_rows(key: str, start: datetime.date, end: datetime.date, *, township_id=None):
    """The rows behind a figure (its denominator), each with ``counted`` (in the numerator).

    Read-only and masked where shown; the view audits the opening of the list."""
    from django.db.models import BooleanField, Case, Value, When

    rate = RATE_BY_KEY[key]
    den, num = conditions(key, start, end)
    qs = _base(rate, start, end).filter(den).annotate(
        counted=Case(When(num, then=Value(True)), default=Value(False), output_field=BooleanField()))
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    if rate.base == "couple":
        return qs.order_by("household__village__code", "id")
    return qs.select_related("couple__wife", "couple__husband", "couple__household__village", "township") \
        .order_by("-exam_date", "-id")
