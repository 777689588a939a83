"""Entry by granted assessors: one regular check across all townships, voiding a check, and the
year-end scores of a year. All-or-nothing: a page with one bad row writes nothing and comes back
with every row as typed and the bad ones marked."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.models import Township
from accounts.permissions import capability_required
from accounts.roles import Cap
from core.forms import ReasonForm, apply_errors
from core.pages import reason_page

from ..forms import BulkCheckForm, YearEndForm
from ..models import YearEndScore
from ..permissions import get_check_for_user
from ..selectors import ranking as sel
from ..services.checks import CheckRow, YearEndRow, check_void, checks_record, year_end_record
from .ranking import valid_year


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_ENTER)
def check_bulk(request):
    townships = Township.objects.active()
    form = BulkCheckForm(request.POST or None, townships=townships)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checks = checks_record(
                by=request.user, category=data["category"], title=data["title"], check_date=data["check_date"],
                maximum=data["maximum"], request=request,
                rows=[CheckRow(township=t, score=score, findings=note) for t, score, note in form.row_values()],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, ngettext(
                "已录入 %(n)d 个镇街的“%(title)s”，排名已更新。", "已录入 %(n)d 个镇街的“%(title)s”，排名已更新。",
                len(checks)) % {"n": len(checks), "title": data["title"]})
            return redirect(reverse("assessment:ranking") + f"?year={data['check_date'].year}")
    return render(request, "assessment/check_bulk.html", {"form": form})


@require_http_methods(["GET", "POST"])
def check_void_view(request, pk):
    check = get_check_for_user(request.user, pk, write=True)
    return reason_page(
        request, template="assessment/check_void.html", context={"check": check},
        form=ReasonForm(request.POST or None, label=_("作废原因"), widget=forms.TextInput(attrs={"class": "form-control"})),
        apply=lambda reason: check_void(check=check, by=request.user, reason=reason, request=request),
        done=_("考核记录已作废，排名已更新。"), back=check.get_absolute_url())


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_ENTER)
def year_end_entry(request, year):
    year = valid_year(year)
    townships = Township.objects.active()
    scheme = sel.scheme_for(year)
    stored = {s.township_id: (s.score, s.notes) for s in YearEndScore.objects.filter(year=year)}
    form = YearEndForm(request.POST or None, townships=townships, initial_rows=stored)
    if request.method == "POST" and form.is_valid():
        try:
            changed = year_end_record(
                year=year, by=request.user, request=request,
                rows=[YearEndRow(township=t, score=score, notes=note) for t, score, note in form.row_values()],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, ngettext(
                "已保存 %(n)d 个镇街的年终考核成绩。", "已保存 %(n)d 个镇街的年终考核成绩。", changed) % {"n": changed})
            return redirect(reverse("assessment:ranking") + f"?year={year}")
    return render(request, "assessment/year_end_form.html", {"form": form, "year": year, "scheme": scheme})
