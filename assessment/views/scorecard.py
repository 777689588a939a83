"""The scorecard of live indicators (leaders and assessors) and its .xlsx export."""
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.excel import build_workbook
from core.http import xlsx_response

from ..selectors.scorecard import PERIODS, period_for, scorecard


def _period(request):
    return period_for(request.GET.get("period", ""))


@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)
def scorecard_view(request):
    period = _period(request)
    return render(request, "assessment/scorecard.html", {
        **scorecard(period=period), "periods": [(k, label) for k, (_days, label) in PERIODS.items()],
    })


def _cell_text(cell) -> object:
    return "" if cell.value is None else cell.value


@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)
def scorecard_export(request):
    period = _period(request)
    data = scorecard(period=period)
    headers = [_("镇/街道")]
    for indicator in data["indicators"]:
        headers += [str(indicator.label), _("%(label)s（上期）") % {"label": indicator.label}]
    rows = [[row.township.name, *[v for cell in row.cells for v in (_cell_text(cell), "" if cell.previous is None
                                                                     else cell.previous)]]
            for row in data["rows"]]
    content = build_workbook(
        title=_("镇街指标看板"),
        notes=[_("本期 %(s)s 至 %(e)s；上期 %(ps)s 至 %(pe)s。率为百分比。") % {
            "s": period.start, "e": period.last_day, "ps": period.prev_start, "pe": period.prev_last_day}],
        headers=headers, rows=rows, widths=[14] + [12] * (len(headers) - 1), sheet_title=_("指标看板"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="assessment.scorecard",
              detail=f"{period.start}..{period.end}")
    return xlsx_response(f"scorecard-{period.last_day}.xlsx", content)
