"""The liaison leader's page (班子成员联系镇街).

The figure that counts in the leader's own assessment (defined here, documented in
docs/assessment.md): **联系镇街平均成绩** — the mean annual total of the townships the leader is
liaison for in that year, over those that have a total, to two decimals — shown with the **net
rank change** of those townships (sum of last year's rank minus this year's, ↑ positive).
Both are computed in SQL with the rows (two queries for the page, whatever the number of townships).
"""
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast

from ..models import AnnualScore, Liaison, Scheme
from .ranking import rank_change


def leader_summary(*, leader, year: int) -> dict:
    previous = AnnualScore.objects.filter(year=year - 1, township=OuterRef("township")).values("rank")[:1]
    townships = Liaison.objects.filter(leader=leader, year=year).values("township_id")
    qs = AnnualScore.objects.filter(year=year, township_id__in=townships).annotate(previous_rank=Subquery(previous))
    rows = list(qs.select_related("township").order_by(F("rank").asc(nulls_last=True), "township__sort_order"))
    for row in rows:
        row.change = rank_change(row.rank, row.previous_rank)
    figure = qs.aggregate(
        average=Avg("total"), ranked=Count("total"),
        net_change=Sum(Cast(F("previous_rank") - F("rank"), IntegerField())),
    )
    average = figure["average"]
    return {
        "rows": rows,
        "average": average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if average is not None else None,
        "ranked": figure["ranked"], "net_change": figure["net_change"],
        "net_change_abs": abs(figure["net_change"]) if figure["net_change"] is not None else None,
        "township_total": AnnualScore.objects.filter(year=year, rank__isnull=False).count(),
        "closed": Scheme.objects.filter(year=year, is_closed=True).exists(),
    }
