"""The Monday briefing (每周通报): the list of weeks, one week's report (county and townships),
its print page and .xlsx, its build status as JSON, and the rebuild a leader asks for.

Leaders and assessors see the county part and every township; a clerk sees only their own
township's section (another township's ``?township=`` is 404). Only leaders rebuild (403).
"""
import datetime

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditEvent
from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.services import audit_log
from core.http import xlsx_response
from core.pagination import paginate, query_without_page

from ..exports import report_workbook
from ..forms import WeekForm
from ..models import WeeklyReport
from ..permissions import can_rebuild_weekly, get_township_for_user, sees_county
from ..selectors import weekly as sel
from ..services.weekly import WeekRefused, is_stale, progress_key, weekly_report_request
from ..weeks import last_complete_week

ACTIVE = (WeeklyReport.Status.QUEUED, WeeklyReport.Status.BUILDING)


def _report(week) -> WeeklyReport:
    return get_object_or_404(WeeklyReport, week_start=week)


def _township_id(request) -> int | None:
    """``?township=<id>``: one township's section; out of the user's scope → 404."""
    value = request.GET.get("township")
    return get_township_for_user(request.user, value).pk if value else None


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_list(request):
    page = paginate(request, sel.report_list(user=request.user))
    return render(request, "assessment/weekly_list.html", {
        "page": page, "query": query_without_page(request), "county": sees_county(request.user),
        "can_rebuild": can_rebuild_weekly(request.user),
        "form": WeekForm(initial={"week": last_complete_week()}),
    })


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_latest(request):
    report = sel.latest_built()
    if report is None:
        return redirect("assessment:weekly_list")
    return redirect(report.get_absolute_url())


def _context(request, week, *, charts_on=True) -> dict:
    township_id = _township_id(request)
    report = _report(week)
    view = sel.report_view(user=request.user, report=report, township_id=township_id, charts_on=charts_on)
    return {
        "view": view, "report": report, "township_id": township_id, "county": sees_county(request.user),
        "can_rebuild": can_rebuild_weekly(request.user), "status": status_doc(report),
        "active": report.status in ACTIVE and not is_stale(report),
        "previous_week": report.week_start - datetime.timedelta(days=7),
        "next_week": report.week_start + datetime.timedelta(days=7),
    }


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_detail(request, week):
    return render(request, "assessment/weekly_detail.html", _context(request, week))


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_print(request, week):
    context = _context(request, week)
    if context["report"].built_at is None:
        raise Http404("not built yet")
    return render(request, "assessment/weekly_print.html", context)


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_export(request, week):
    township_id = _township_id(request)
    report = _report(week)
    if report.built_at is None:
        raise Http404("not built yet")
    view = sel.report_view(user=request.user, report=report, township_id=township_id, charts_on=False)
    if not view.county and not view.sections:
        raise Http404("nothing of this report is the user's")
    content = report_workbook(view)
    audit_log(action=AuditEvent.Action.EXPORT, request=request, object_type="assessment.weekly_report",
              object_id=report.week_start.isoformat(), township_id=township_id,
              detail=f"{len(view.sections)} townships" + (", county" if view.county else ""))
    suffix = f"-{township_id}" if township_id else ""
    return xlsx_response(f"weekly-{report.week_start.isoformat()}{suffix}.xlsx", content)


def status_doc(report: WeeklyReport) -> dict:
    """The build state the page polls: queued, building (with progress), done, failed (reason)."""
    status = report.status
    error = report.error
    if status in ACTIVE and is_stale(report):
        status, error = WeeklyReport.Status.FAILED, _("生成中断（工作进程长时间没有回应），请重新生成。")
    progress = None
    if status == WeeklyReport.Status.BUILDING:
        from django.core.cache import cache

        try:
            progress = cache.get(progress_key(report.week_start))
        except Exception:  # noqa: BLE001 - Redis down: the status still answers from the database
            progress = None
    return {
        "week": report.week_start.isoformat(), "status": status, "label": str(WeeklyReport.Status(status).label),
        "error": error, "progress": progress, "active": status in ACTIVE,
        "built_at": report.built_at.isoformat() if report.built_at else None, "build_count": report.build_count,
    }


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def weekly_status(request, week):
    return JsonResponse(status_doc(_report(week)))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@capability_required(Cap.ASSESSMENT_BRIEFING)
def weekly_build(request):
    """Queue a (re)build of a week; the page then follows it through the status JSON."""
    form = WeekForm(request.POST)
    message, level, code, report = "", messages.ERROR, 400, None
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            result = weekly_report_request(week_start=form.cleaned_data["week"], requested_by=request.user)
        except WeekRefused as refused:
            message = str(refused)
        else:
            report = result.report
            if result.outcome == "broker_down":
                message, code = report.error, 503
            elif result.outcome == "busy":
                message, level, code = _("这一周的通报正在生成，请稍候。"), messages.INFO, 409
            else:
                message, level, code = _("已提交重新生成，完成后本页自动更新。"), messages.SUCCESS, 202
    if _wants_json(request):
        return JsonResponse({"ok": code == 202, "message": message,
                             "status": status_doc(report) if report else None}, status=code)
    messages.add_message(request, level, message)
    if report is not None:
        return redirect(report.get_absolute_url())
    return redirect(reverse("assessment:weekly_list"))
