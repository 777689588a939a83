"""A liaison leader's annual record (班子成员联系镇街 · 年度记录).

The figure that counts in the leader's own assessment (docs/assessment.md "联系镇街成绩"):
**联系镇街平均成绩** — the mean annual total of the townships the leader is liaison for in that
year, over those that have a total, to two decimals — shown with the **net rank change** of those
townships: Σ (last year's rank − this year's rank), up positive. A township that had a rank last
year and has none this year (lost its rank: no year-end score) counts as falling below the last
ranked place: this year's rank is taken as (townships ranked this year + 1). A township without a
rank last year does not count (新). The record also holds supervision visits against the target
and rectifications done on time (``liaison_duties``) and the outcome decided for the year.
"""
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Subquery

from ..models import AnnualScore, Liaison, Outcome, Scheme, Subject
from .ranking import rank_change
from .rectifications import rectification_on_time, supervision_counts


def net_rank_change(pairs, *, ranked: int) -> int | None:
    """Σ (previous − current) over ``(current, previous)`` pairs that had a previous rank; a lost
    rank (current None) counts as ``ranked + 1``. None when no township had a previous rank."""
    changes = [previous - (current if current is not None else ranked + 1)
               for current, previous in pairs if previous is not None]
    return sum(changes) if changes else None


def liaison_duties(*, leader, year: int) -> dict:
    """Supervision visits against the target (``Scheme.supervision_target`` a month per liaison township,
    over the months of the year gone by) and the liaison townships' rectifications done on time, as one
    rate over all of them (on time ÷ due; None with nothing due)."""
    visits = supervision_counts(leader=leader, year=year)
    towns = [row.township.pk for row in visits["rows"]]
    rates = rectification_on_time(townships=towns, year=year).values() if towns else []
    due = sum(r["due"] for r in rates)
    on_time = sum(r["on_time"] for r in rates)
    return {"supervision": visits, "supervision_visits": visits["visits"], "supervision_target": visits["expected"],
            "rectifications_on_time": round(on_time * 100 / due, 1) if due else None, "duties_wired": True}


def leader_summary(*, leader, year: int) -> dict:
    previous = AnnualScore.objects.filter(year=year - 1, township=OuterRef("township")).values("rank")[:1]
    townships = Liaison.objects.filter(leader=leader, year=year).values("township_id")
    qs = AnnualScore.objects.filter(year=year, township_id__in=townships).annotate(previous_rank=Subquery(previous))
    rows = list(qs.select_related("township").order_by(F("rank").asc(nulls_last=True), "township__sort_order"))
    township_total = AnnualScore.objects.filter(year=year, rank__isnull=False).count()
    for row in rows:
        row.change = rank_change(row.rank, row.previous_rank)
        if row.rank is None and row.previous_rank is not None:
            row.change = {"kind": "lost", "delta": township_total + 1 - row.previous_rank}
    totals = [row.total for row in rows if row.total is not None]
    average = sum(totals) / len(totals) if totals else None
    net_change = net_rank_change(((row.rank, row.previous_rank) for row in rows), ranked=township_total)
    outcome = (Outcome.objects.filter(year=year, subject=Subject.LEADER, leader=leader, is_current=True)
               .select_related("decision").first())
    return {
        "rows": rows,
        "average": average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if average is not None else None,
        "ranked": len(totals), "net_change": net_change,
        "net_change_abs": abs(net_change) if net_change is not None else None,
        "township_total": township_total,
        "closed": Scheme.objects.filter(year=year, is_closed=True).exists(),
        "outcome": outcome,
        **liaison_duties(leader=leader, year=year),
    }
