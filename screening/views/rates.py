"""The programme's rates per township and for the county (any period), and the masked list
behind each figure — read-only, no lab values, every opening audited."""
import datetime

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.pagination import paginate, query_without_page
from core.views import export_start

from ..exports import rate_period, rate_township
from ..forms.pathway import PeriodForm
from ..selectors.rates import RATE_BY_KEY, RATES, rate_rows, rate_table


@require_GET
@capability_required(Cap.SCREENING_RATES)
def rates(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    table = rate_table(start, end)
    _link_cells(table, start, end)
    return render(request, "screening/rates.html", {
        "form": form, "start": start, "end": end, "last_day": end - datetime.timedelta(days=1), **table,
    })


def _link_cells(table: dict, start: datetime.date, end: datetime.date) -> None:
    """Each cell's label and the link to the list behind it, written once here: 16 townships and
    the county × 7 rates × 2 layouts rendered an include, ``{% url %}`` and two date filters per
    cell, which cost a fifth of the page."""
    bases = {r.key: reverse(f"screening:rate_list_{r.key}") for r in RATES}
    labels = {r.key: r.label for r in RATES}
    period = f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    band_labels = {"ok": _("达标"), "near": _("接近目标"), "below": _("未达标")}
    for township, cells in [(row["township"], row["cells"]) for row in table["rows"]] + [(None, table["county"])]:
        where = f"township={township.pk}&" if township is not None else ""
        for cell in cells:
            cell["href"] = f"{bases[cell['key']]}?{where}{period}"
            cell["label"] = labels[cell["key"]]
            cell["band_label"] = band_labels.get(cell["band"], "")
            # As strings: the template's number localisation (1,000 calls) was a third of its time.
            cell["value_s"] = "" if cell["value"] is None else str(cell["value"])
            cell["num_s"], cell["den_s"] = str(cell["num"]), str(cell["den"])
            cell["card"], cell["td"] = _card_html(cell), _td_html(cell)


# A cell of the phone's cards and of the desktop's table, written here rather than in the template:
# 16 townships and the county × 7 rates × 2 layouts were 2,000 template nodes, half the page's
# Python time. Same HTML as the template wrote (pages compared before and after; pinned in
# tests/screening/test_rates.py).
_LINK = {  # the card's and the table's link (attribute order as the template had it)
    "card": '<a class="rate-link" data-testid="rate-link-card" href="{}">{}{}</a>',
    "table": '<a class="rate-link" href="{}" data-testid="rate-link">{}{}</a>',
}


def _value_html(cell, layout: str):
    if cell["value"] is None:
        return "—"
    return format_html(_LINK[layout], cell["href"], cell["value_s"], "%" if cell["kind"] == "rate" else "")


def _hidden_band(cell):
    return format_html('<span class="visually-hidden">{}</span>', cell["band_label"]) if cell["band"] else ""


def _band_class(cell) -> str:
    return f"band-{cell['band']}" if cell["band"] else ""


def _card_html(cell):
    target = format_html(' <span class="text-nowrap">（≥{}%）</span>', localize(cell["target"])) \
        if cell["target"] is not None else ""
    numbers = format_html(' <span class="text-nowrap">{}/{}</span>', cell["num_s"], cell["den_s"]) \
        if cell["value"] is not None and cell["kind"] == "rate" else ""
    return format_html('<dt class="col-7 fw-normal">{}{}</dt>\n<dd class="col-5 text-end mb-1 {}">{}{}\n{}</dd>',
                       cell["label"], target, _band_class(cell), _value_html(cell, "card"), numbers,
                       _hidden_band(cell))


def _td_html(cell):
    numbers = format_html('<div class="small">{}/{}</div>', cell["num_s"], cell["den_s"]) \
        if cell["kind"] == "rate" else ""
    return format_html('<td class="text-end {}" data-rate="{}" data-value="{}" data-num="{}" data-den="{}">\n'
                       '{}\n{}\n{}\n</td>', _band_class(cell), cell["key"], cell["value_s"], cell["num_s"],
                       cell["den_s"], _value_html(cell, "table"), _hidden_band(cell), numbers)


@require_GET
@capability_required(Cap.SCREENING_RATES)
def rate_list(request, key):
    rate = RATE_BY_KEY.get(key)
    if rate is None:
        raise Http404("no such rate")
    start, end = rate_period(request.GET)
    township = rate_township(request.GET)
    rows = rate_rows(key, start, end, township_id=township.pk if township else None)
    audit_log(action=AuditEvent.Action.VIEW, request=request, object_type=f"screening.rate.{key}",
              township_id=township.pk if township else None,
              detail=f"masked list {start}..{end}" + (" export" if request.GET.get("format") == "xlsx" else ""))
    if request.GET.get("format") == "xlsx":
        return export_start(request, f"screening.rate.{key}")  # screening/exports.py
    page = paginate(request, rows)
    for row in page:  # the couple each row shows (rendered inline: an include per row cost more)
        row.c = row if rate.base == "couple" else row.couple
    return render(request, "screening/rate_list.html", {
        "rate": rate, "page": page, "query": query_without_page(request), "township": township,
        "start": start, "end": end, "last_day": end - datetime.timedelta(days=1), "couple_base": rate.base == "couple",
    })
