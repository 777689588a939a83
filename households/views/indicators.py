"""The records behind a scorecard indicator (households/indicators.py), for leaders.

Read-only and masked: names, village, dates and the masked ID number, never notes or the whole
number; only the township and period asked for. Opening a list writes one ``view`` row to the
audit trail naming the indicator, township and period (docs/domain.md, Roles: "from a figure,
the masked records behind it (read-only, … audited)").
"""
import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent, Township
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.http import query_period
from core.pagination import paginate, query_without_page

from ..indicators import DRILLDOWN_SOURCES, INDICATORS

MAX_PERIOD_DAYS = 400
SELECT = {
    "couple": ("household__village", "wife", "husband"),
    "visit": ("couple__household__village", "couple__wife", "couple__husband", "visitor"),
    "outreach": ("household__village", "visitor"),
}
ORDER = {"couple": ("next_visit_due", "id"), "visit": ("-visit_date", "-id"), "outreach": ("-visit_date", "-id")}


@require_GET
@capability_required(Cap.REGISTER_STATS)  # leaders: aggregates and the records behind them
def indicator_list(request, key):
    build, kind = DRILLDOWN_SOURCES[key]
    indicator = next(i for i in INDICATORS if i.key == f"households.{key}")
    try:
        township = Township.objects.get(pk=request.GET.get("township"))
    except (Township.DoesNotExist, ValueError, TypeError):
        raise Http404("no such township") from None
    start, end = query_period(request, max_days=MAX_PERIOD_DAYS)
    rows = build(start, end).filter(township_id=township.pk).select_related(*SELECT[kind]).order_by(*ORDER[kind])
    page = paginate(request, rows)
    audit_log(action=AuditEvent.Action.VIEW, request=request, object_type=f"households.indicator.{key}",
              township_id=township.pk, detail=f"{start}..{end} page {page.number} ({len(page.object_list)} rows)")
    return render(request, "households/indicator_list.html", {
        "indicator": indicator, "kind": kind, "township": township, "start": start,
        "last_day": end - datetime.timedelta(days=1), "page": page, "query": query_without_page(request),
        "title": _("%(label)s明细") % {"label": indicator.label},
    })
