"""Rectifications (整改) and supervision visits (督导): lists, a rectification's page and its steps,
assigning from the Monday briefing or a visit, the township's report, acceptance and return.

Scope: a clerk sees their own township's rectifications (another township's → 404); leaders and
assessors every township's. Who may take each step: ``assessment.permissions`` (403 otherwise).
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AuditEvent, Township
from accounts.permissions import CapabilityDenied, OutOfScope, capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.pages import form_page
from core.pagination import paginate, query_without_page

from core.forms import apply_errors as apply_service_errors
from ..forms_rectifications import AcceptForm, AssignForm, ReportForm, ReturnForm, SupervisionForm, WeekAssignForm
from ..models import Rectification, RectificationFile, WeeklyReport, WeeklyReportSection
from ..permissions import (
    can_manage_rectifications,
    can_record_supervision,
    can_report_rectification,
    get_rectification_for_user,
    get_township_for_user,
    get_visit_for_user,
    require_rectification_manage,
    sees_county,
)
from ..selectors import rectifications as sel
from ..services import rectifications as svc
from ..weekly_rules import problem_text

Status = Rectification.Status
OPEN_STATES = (Status.OPEN, Status.REPORTED, Status.RETURNED)


# --- Lists and the rectification's page ------------------------------------------------------------
@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def rectification_list(request):
    today = timezone.localdate()
    township_id = request.GET.get("township") or None
    township = get_township_for_user(request.user, township_id) if township_id else None
    # "unfinished" (the default): every status but 已完成; "overdue"; "all"; or one status.
    show = request.GET.get("show", "unfinished")
    show = show if show in ("unfinished", "overdue", "all", *Status.values) else "unfinished"
    qs = sel.rectification_list(user=request.user, today=today, township_id=township.pk if township else None,
                                status=show if show in Status.values else "", overdue=show == "overdue")
    if show == "unfinished":
        qs = qs.filter(status__in=OPEN_STATES)
    qs = qs.order_by("deadline", "id")
    county = sees_county(request.user)
    return render(request, "assessment/rectification_list.html", {
        "page": paginate(request, qs), "query": query_without_page(request), "today": today, "show": show,
        "township": township, "statuses": Status.choices, "can_supervise": can_record_supervision(request.user),
        "townships": Township.objects.filter(is_active=True).order_by("sort_order", "code") if county else [],
    })


def _detail_context(request, rect) -> dict:
    user = request.user
    manage = can_manage_rectifications(user)
    report = can_report_rectification(user, rect) and rect.status in (Status.OPEN, Status.RETURNED)
    review = manage and rect.status == Status.REPORTED
    return {
        "rect": rect, "steps": sel.steps_of(rect), "today": timezone.localdate(),
        "overdue": rect.is_overdue(timezone.localdate()),
        "can_report": report, "can_review": review,
        "report_form": ReportForm() if report else None,
        "accept_form": AcceptForm() if review else None, "return_form": ReturnForm() if review else None,
        # The masked list behind a briefing's problem is the leaders' (like the report's links).
        "problem_url": rect.problem.get("url") if user.can(Cap.REGISTER_STATS) else "",
    }


@require_GET
def rectification_detail(request, pk):
    rect = get_rectification_for_user(request.user, pk)
    return render(request, "assessment/rectification_detail.html", _detail_context(request, rect))


@require_http_methods(["GET", "POST"])
def rectification_report(request, pk):
    rect = get_rectification_for_user(request.user, pk)
    if not can_report_rectification(request.user, rect):
        raise CapabilityDenied(Cap.RECTIFICATION_REPORT)
    form = ReportForm(request.POST or None, request.FILES or None)
    context = {**_detail_context(request, rect), "report_form": form}
    if request.method == "POST" and form.is_valid():
        try:
            svc.rectification_report(rectification=rect, by=request.user, text=form.cleaned_data["text"],
                                     files=form.uploads(), request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已上报整改情况，等待验收。"))
            return redirect(rect)
    if request.method == "GET":
        return redirect(rect)
    return render(request, "assessment/rectification_detail.html", context, status=400)


def _review(request, pk, form_class, apply, done):
    rect = get_rectification_for_user(request.user, pk)
    require_rectification_manage(request.user)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(rect, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(rect)
    context = _detail_context(request, rect)
    context["accept_form" if form_class is AcceptForm else "return_form"] = form
    return render(request, "assessment/rectification_detail.html", context, status=400)


@require_POST
def rectification_accept(request, pk):
    return _review(request, pk, AcceptForm, lambda rect, data: svc.rectification_accept(
        rectification=rect, by=request.user, note=data["note"], request=request), _("已验收：整改完成。"))


@require_POST
def rectification_return(request, pk):
    return _review(request, pk, ReturnForm, lambda rect, data: svc.rectification_return(
        rectification=rect, by=request.user, reason=data["reason"], request=request), _("已退回，镇街将重新整改上报。"))


@require_GET
def rectification_file(request, pk):
    """A report's photo or file, after the rectification's own scope check; audited."""
    try:
        stored = RectificationFile.objects.select_related("rectification").get(pk=pk)
    except (RectificationFile.DoesNotExist, ValueError):
        raise Http404("no file") from None
    get_rectification_for_user(request.user, stored.rectification_id)
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError):
        raise OutOfScope("assessment.rectificationfile", pk) from None
    audit_log(action=AuditEvent.Action.VIEW, request=request, obj=stored, township_id=stored.rectification.township_id,
              detail=f"rectification {stored.rectification_id} file")
    response = FileResponse(handle, content_type=stored.content_type, as_attachment=not stored.is_image,
                            filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Assigning from the Monday briefing ---------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@capability_required(Cap.RECTIFICATION_MANAGE)
def assign_problem(request, week, township, index):
    report = get_object_or_404(WeeklyReport, week_start=week, built_at__isnull=False)
    section = get_object_or_404(WeeklyReportSection.objects.select_related("township", "report"),
                                report=report, township_id=township)
    if not 0 <= index < len(section.problems):
        raise Http404("no such problem")
    text = problem_text(section.problems[index])
    form = AssignForm(request.POST or None, township=section.township,
                      initial={"task": svc.default_task({"text": text})})
    return form_page(
        request, form=form, template="assessment/rectification_assign.html", done=_("已交办整改。"),
        save=lambda data: svc.rectification_assign_problem(by=request.user, section=section, index=index,
                                                           request=request, **data),
        context={"section": section, "report": report, "problem_text": text,
                 "back": reverse("assessment:weekly_detail", args=[week]) + f"#township-{township}"})


@require_POST
@capability_required(Cap.RECTIFICATION_MANAGE)
def assign_week(request, week):
    report = get_object_or_404(WeeklyReport, week_start=week, built_at__isnull=False)
    form = WeekAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(report)
    try:
        made, skipped = svc.rectification_assign_week(by=request.user, report=report,
                                                      deadline=form.cleaned_data["deadline"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report)
    messages.success(request, _("已交办 %(n)s 项整改。") % {"n": len(made)})
    if skipped:
        messages.warning(request, _("以下镇街没有在岗专干，未能交办：%(names)s") % {"names": "、".join(skipped)})
    return redirect(reverse("assessment:rectification_list"))


# --- Supervision visits -----------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.ASSESSMENT_COUNTY)  # leaders and assessors; clerks 403
def supervision_list(request):
    mine = request.GET.get("mine") == "1"
    qs = sel.visit_list(user=request.user, leader=request.user if mine else None)
    return render(request, "assessment/supervision_list.html", {
        "page": paginate(request, qs), "query": query_without_page(request), "mine": mine,
        "can_record": can_record_supervision(request.user),
    })


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPERVISION_RECORD)
def supervision_create(request):
    form = SupervisionForm(request.POST or None, leader=request.user)
    return form_page(request, form=form, template="assessment/supervision_form.html", done=_("已保存督导记录。"),
                     save=lambda data: svc.supervision_record(by=request.user, request=request, **data))


@require_GET
def supervision_detail(request, pk):
    visit = get_visit_for_user(request.user, pk)
    return render(request, "assessment/supervision_detail.html", {
        "visit": visit, "rectifications": visit.rectifications.select_related("responsible").order_by("id"),
        "can_assign": can_manage_rectifications(request.user) and bool(visit.agreed),
    })


@require_http_methods(["GET", "POST"])
def supervision_assign(request, pk):
    visit = get_visit_for_user(request.user, pk)
    require_rectification_manage(request.user)
    form = AssignForm(request.POST or None, township=visit.township, initial={"task": visit.agreed})
    return form_page(request, form=form, template="assessment/rectification_assign.html",
                     done=_("已将议定事项转为整改任务。"), context={"visit": visit, "back": visit.get_absolute_url()},
                     save=lambda data: svc.rectification_from_visit(by=request.user, visit=visit, request=request,
                                                                    **data))
