"""Rewards and penalties of a closed year (奖优罚劣): the year's outcomes, approval, issue,
corrections, the notice (通报, A4) and its .xlsx.

Access: leaders and granted assessors see every year's outcomes (proposals included); a clerk sees
their own township's issued outcomes of every year; approving, issuing and correcting need a leader
granted approval (``Cap.OUTCOME_APPROVE`` + ``OutcomeApprover``). Out of scope → 404, role → 403.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.excel import build_workbook
from core.http import xlsx_response

from core.forms import apply_errors

from ..forms import OutcomeCorrectForm, OutcomeDecideForm, OutcomeIssueForm, YearForm
from ..permissions import can_approve_outcomes, get_outcome_for_user, require_outcome_approver, sees_county
from ..selectors import outcomes as sel
from ..selectors.ranking import scheme_for, years_available
from ..services.outcomes import outcome_correct, outcome_decide, outcomes_issue, outcomes_propose
from .ranking import _year


def _outcomes_url(year: int) -> str:
    return reverse("assessment:outcomes") + f"?year={year}"


def _page(request, year: int, issue_form=None, status=200):
    user = request.user
    county = sees_county(user)
    rows = sel.year_outcomes(year=year, user=user) if county else []
    return render(request, "assessment/outcomes.html", {
        "year": year, "years": getattr(request, "assessment_years", None) or years_available(),
        "scheme": scheme_for(year), "rows": rows, "counts": sel.status_counts(rows), "county": county,
        "history": [] if county else sel.township_history(user=user, township_id=user.township_id),
        "can_approve": can_approve_outcomes(user),
        "issue_form": issue_form or OutcomeIssueForm(),
    }, status=status)


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def outcomes(request):
    return _page(request, _year(request))


def _posted_year(request) -> int:
    form = YearForm(request.POST, years=years_available())
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    return _year(request)


@require_POST
@capability_required(Cap.OUTCOME_APPROVE)
def outcomes_propose_view(request):
    year = _posted_year(request)
    try:
        written = outcomes_propose(year=year, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已按奖惩档次生成或更新 %(n)s 条建议结果。") % {"n": written})
    return redirect(_outcomes_url(year))


@require_POST
@capability_required(Cap.OUTCOME_APPROVE)
def outcomes_issue_view(request):
    year = _posted_year(request)
    form = OutcomeIssueForm(request.POST)
    if form.is_valid():
        try:
            decision = outcomes_issue(year=year, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已按 %(number)s 下达奖惩结果。") % {"number": decision.number})
            return redirect(_outcomes_url(year))
    return _page(request, year, issue_form=form, status=400)


@require_http_methods(["GET", "POST"])
def outcome_decide_view(request, pk):
    outcome = get_outcome_for_user(request.user, pk)
    require_outcome_approver(request.user)
    initial = {"label": outcome.label or outcome.proposed_label,
               "measures": outcome.measures if outcome.label else outcome.proposed_measures, "reason": outcome.reason}
    form = OutcomeDecideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_decide(outcome=outcome, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已审定 %(name)s 的奖惩结果。") % {"name": outcome.subject_name})
            return redirect(_outcomes_url(outcome.year))
    return render(request, "assessment/outcome_form.html", {"outcome": outcome, "form": form, "correct": False})


@require_http_methods(["GET", "POST"])
def outcome_correct_view(request, pk):
    outcome = get_outcome_for_user(request.user, pk)
    require_outcome_approver(request.user)
    form = OutcomeCorrectForm(request.POST or None, initial={"label": outcome.label, "measures": outcome.measures})
    if request.method == "POST" and form.is_valid():
        try:
            outcome_correct(outcome=outcome, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已更正 %(name)s 的奖惩结果，原结果保留备查。") % {"name": outcome.subject_name})
            return redirect(_outcomes_url(outcome.year))
    return render(request, "assessment/outcome_form.html", {"outcome": outcome, "form": form, "correct": True})


@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)
def outcomes_notice(request):
    """The year's notice (通报) on A4: ranking and issued outcomes, the decisions."""
    year = _year(request)
    return render(request, "assessment/outcomes_notice.html", {"year": year, **sel.notice_rows(year=year)})


@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)
def outcomes_export(request):
    year = _year(request)
    notice = sel.notice_rows(year=year)
    rows = [[_("镇/街道") if r.subject == "township" else _("联系领导"), r.subject_name, r.rank or _("待评定"), r.total,
             r.label, r.measures, r.reason, r.decision.number, r.decision.decided_on]
            for r in notice["townships"] + notice["leaders"]]
    content = build_workbook(
        title=_("%(year)s 年度奖优罚劣结果") % {"year": year},
        notes=[_("仅列现行、已下达的结果；联系领导的成绩为其联系镇街年度成绩的平均值。")],
        headers=[_("对象"), _("名称"), _("名次"), _("年度成绩"), _("奖惩结果"), _("奖惩措施"), _("调整或更正理由"),
                 _("决定文号"), _("决定日期")],
        rows=rows, widths=[10, 14, 8, 10, 12, 30, 30, 22, 12], sheet_title=_("奖优罚劣"),
    )
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="assessment.outcome", object_id=year,
              detail=f"{len(rows)} rows")
    return xlsx_response(f"outcomes-{year}.xlsx", content)
