"""The ranking, its export and print page, a township's scorecard and the checks behind a figure.

Access: leaders and granted assessors see every township; a clerk sees their own township and
the whole ranking once the year is closed (permissions.py). Out of scope → 404, role → 403.
"""
import datetime
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.excel import build_workbook
from core.http import xlsx_response
from core.pagination import paginate, query_without_page

from .. import charts
from ..forms import YearForm
from ..models import Category, Liaison
from ..permissions import (
    get_check_for_user,
    get_township_for_user,
    is_assessor,
    sees_county,
    sees_full_ranking,
)
from ..selectors import ranking as sel
from ..services.scoring import scores_recompute



def _year(request) -> int:
    """The year asked for (?year=, one of the years with a scheme), else this year."""
    years = sel.years_available()
    request.assessment_years = years  # the page's year picker lists the same years
    form = YearForm(request.GET or None, years=years)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    return sel.current_year()


def valid_year(year: int) -> int:
    """A year in a URL: outside the range a scheme can have, the page does not exist."""
    if not 2000 <= year <= 2100:
        raise Http404("no such year")
    return year


def _my_liaison_townships(user, year) -> set[int]:
    if not user.can(Cap.ASSESSMENT_LIAISON):
        return set()
    return set(Liaison.objects.filter(leader=user, year=year).values_list("township_id", flat=True))


def ranking_context(request, year: int) -> dict:
    scheme = sel.scheme_for(year)
    rows = sel.ranking(year=year, user=request.user)
    full = sees_full_ranking(request.user, closed=scheme.is_closed)
    mine = _my_liaison_townships(request.user, year)
    context = {
        "year": year, "scheme": scheme, "rows": rows, "full": full, "mine": mine,
        "years": getattr(request, "assessment_years", None) or sel.years_available(),
        "average": sel.county_average(rows) if full else None,
        "can_enter": is_assessor(request.user), "county": sees_county(request.user),
        "has_liaison": request.user.can(Cap.ASSESSMENT_LIAISON),
    }
    if full:
        years = sorted(y for y in context["years"] if y <= year)[-sel.HISTORY_YEARS:]
        history = sel.rank_history(year=year)
        names = {r.township_id: r.township.name for r in rows}
        context.update(
            bars=charts.bar_chart(rows, highlight=mine),
            lines=charts.rank_lines(history, names, years, highlight=mine),
            history_years=years,
            history_rows=[(names.get(t, ""), [ranks.get(y) for y in years]) for t, ranks in
                          sorted(history.items(), key=lambda kv: names.get(kv[0], "")) if t in names],
        )
    return context


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def ranking(request):
    return render(request, "assessment/ranking.html", ranking_context(request, _year(request)))


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def ranking_print(request):
    return render(request, "assessment/ranking_print.html", ranking_context(request, _year(request)))


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def ranking_export(request):
    year = _year(request)
    context = ranking_context(request, year)
    rows = [
        [r.rank or _("待评定"), sel.rank_change_label(r.change), r.township.name, r.regular_part, r.year_end_part,
         r.total, r.regular_rank, r.check_count, r.publicity_done, r.liaison_name or ""]
        for r in context["rows"]
    ]
    scheme = context["scheme"]
    notes = [
        _("年度成绩 = 经常性考核 × %(r)s%% + 年终考核 × %(y)s%%（各部分折算为百分制，保留两位小数）。") % {
            "r": scheme.regular_weight.normalize(), "y": scheme.year_end_weight.normalize()},
        _("已关闭，成绩已公布。") if scheme.is_closed else _("年度未关闭，成绩随录入实时更新。"),
    ]
    content = build_workbook(
        title=_("%(year)s 年度镇街考核排名") % {"year": year}, notes=notes,
        headers=[_("名次"), _("名次变化"), _("镇/街道"), _("经常性考核"), _("年终考核"), _("年度成绩"),
                 _("经常性考核名次"), _("考核次数"), _("建成宣传阵地"), _("联系领导")],
        rows=rows, widths=[8, 10, 14, 12, 12, 12, 14, 10, 12, 12], sheet_title=_("考核排名"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="assessment.ranking",
              object_id=year, detail=f"{len(rows)} rows")
    return xlsx_response(f"ranking-{year}.xlsx", content)


@require_GET
def township_detail(request, pk, year):
    """One township's scorecard for a year: each part, each category, the checks behind them."""
    township = get_township_for_user(request.user, pk)
    year = valid_year(year)
    scheme = sel.scheme_for(year)
    annual = sel.township_annual(township=township, year=year)
    lines = sel.township_breakdown(township=township, year=year)
    done_sites = list(sel.sites_done_in(township=township, year=year))
    points, points_max = sel.publicity_points(scheme=scheme, done=len(done_sites))
    full = sees_full_ranking(request.user, closed=scheme.is_closed)
    return render(request, "assessment/township_detail.html", {
        "township": township, "year": year, "scheme": scheme, "annual": annual, "lines": lines,
        "done_sites": done_sites, "points": points, "points_max": points_max, "show_rank": full,
        "year_end": sel.year_end_of(township=township, year=year),
        "liaison": sel.liaison_of(township=township, year=year),
        "history": sel.rank_history(year=year, township_ids=[township.pk]).get(township.pk, {}) if full else {},
        "can_enter": is_assessor(request.user), "county": sees_county(request.user),
    })


def _period(request) -> tuple | None:
    """?start=&end= (end exclusive) of an indicator's drill-down, or None if absent or unusable."""
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return None
    return (start, end) if start < end else None


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def check_list(request):
    """The checks behind a figure: ?year=&township=&category=&batch= or ?start=&end= (in the user's
    scope)."""
    township_id = request.GET.get("township") or None
    township = get_township_for_user(request.user, township_id) if township_id else None
    year = _year(request)
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    try:
        batch = uuid.UUID(request.GET["batch"]) if request.GET.get("batch") else None
    except ValueError:
        batch = None
    period = _period(request)
    checks = sel.checks_behind(user=request.user, year=year, township_id=township.pk if township else None,
                               category=category, batch=batch, include_void=request.GET.get("void") == "1",
                               period=period)
    return render(request, "assessment/check_list.html", {
        "period_start": period[0] if period else None,
        "period_last": period[1] - datetime.timedelta(days=1) if period else None,
        "page": paginate(request, checks), "query": query_without_page(request), "township": township,
        "year": year, "category": category, "category_label": Category(category).label if category else "",
        "can_enter": is_assessor(request.user),
    })


@require_GET
def check_detail(request, pk):
    check = get_check_for_user(request.user, pk)
    return render(request, "assessment/check_detail.html", {
        "check": check, "scheme": sel.scheme_for(check.year), "can_enter": is_assessor(request.user),
    })


@require_POST
@capability_required(Cap.ASSESSMENT_ENTER)
def recompute(request):
    """Recompute a year's scores by hand (after a township was (de)activated, say)."""
    form = YearForm(request.POST, years=sel.years_available())
    year = form.cleaned_data["year"] if form.is_valid() and form.cleaned_data.get("year") else sel.current_year()
    written = scores_recompute(year=year)
    if written:
        messages.success(request, _("已重新计算 %(year)s 年度成绩。") % {"year": year})
    else:
        messages.info(request, _("%(year)s 年度已关闭，成绩保持公布时的结果。") % {"year": year})
    return redirect(reverse("assessment:ranking") + f"?year={year}")
