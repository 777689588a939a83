"""Excel import (upload → preview → confirm/cancel), the import template and .xlsx exports.

Thin views: access through the helpers (a batch of another township is a 404), the rules and
every write in services/exchange.py.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
import re

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.validators import mask_id_number

from .. import sheets
from ..forms import HouseholdFilterForm
from ..forms_exchange import ImportUploadForm
from ..forms_visits import RegisterFilterForm, VisitFilterForm
from ..models import ImportBatch, PlannedTiming
from ..permissions import get_import_for_user
from ..selectors import heads_prefetch, household_list
from ..selectors_visits import register_couples, visits_in_scope
from ..services import exchange, export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_PAGE_SIZE = 100
# A search term that is (or nearly is) a whole ID number: masked in the sheet note and audit row.
LONG_ID = re.compile(r"^\d{14,17}[\dX]$")


def _xlsx_response(file_name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response["Cache-Control"] = "no-store"  # personal data: not for shared caches or the back button
    return response


# --- Import ---------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@capability_required(Cap.REGISTER_IMPORT)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = exchange.import_batch_create(by=request.user, upload=upload, file_name=upload.name, request=request)
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            messages.info(request, _("文件已读取：请核对下面的预览，确认无误后点击“确认导入”。在确认之前不会写入任何数据。"))
            return redirect(batch)
    batches = (
        ImportBatch.objects.visible_to(request.user).defer("rows").select_related("created_by")
        .order_by("-created_at")[:10]
    )
    return render(request, "households/import_upload.html", {"form": form, "batches": batches})


@require_GET
@capability_required(Cap.REGISTER_IMPORT)
def import_template(request):
    return _xlsx_response(_("摸底登记导入模板.xlsx"), sheets.template_workbook())


@require_GET
@capability_required(Cap.REGISTER_IMPORT)
def import_preview(request, pk):
    batch = get_import_for_user(request.user, pk)
    rows = batch.rows
    only_errors = request.GET.get("show") == "errors"
    shown = [r for r in rows if r["status"] in ("error", "skipped")] if only_errors else rows
    page = Paginator(shown, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    timings = dict(PlannedTiming.choices)
    for row in page:  # display only; the stored rows keep the code
        row["timing_label"] = timings.get(row["data"].get("planned_timing"), "")
    return render(request, "households/import_preview.html", {
        "batch": batch, "summary": exchange.import_summary(rows), "page": page, "only_errors": only_errors,
        "query": "show=errors" if only_errors else "",
    })


@require_POST
@capability_required(Cap.REGISTER_IMPORT)
def import_confirm(request, pk):
    batch = get_import_for_user(request.user, pk)
    try:
        batch = exchange.import_confirm(batch=batch, by=request.user, request=request)
    except exchange.ImportNotPending as exc:
        messages.warning(request, " ".join(exc.messages))
    except exchange.ImportFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, batch.message)
    return redirect(batch)


@require_POST
@capability_required(Cap.REGISTER_IMPORT)
def import_cancel(request, pk):
    batch = get_import_for_user(request.user, pk)
    try:
        exchange.import_cancel(batch=batch, by=request.user, request=request)
    except exchange.ImportNotPending as exc:
        messages.warning(request, " ".join(exc.messages))
        return redirect(batch)
    messages.success(request, _("已取消导入，未写入任何数据。"))
    return redirect("households:import_upload")


# --- Export ---------------------------------------------------------------------------------
def _describe(form) -> str:
    """The filters in force, for the sheet's note and the audit row (an ID typed into the
    search box is masked there too)."""
    parts = []
    for name, value in form.values().items():
        if name == "sort" or value in (None, ""):
            continue
        if name == "q" and LONG_ID.match(str(value).upper().replace(" ", "")):
            value = mask_id_number(str(value).upper().replace(" ", ""))
        choices = dict(getattr(form.fields[name], "choices", None) or ())
        if not hasattr(value, "pk") and str(value) in choices:
            value = choices[str(value)]  # the label the list page shows, not the code
        parts.append(f"{form.fields[name].label}={value}")
    return "；".join(parts)


def _export(request, *, kind: str, form, queryset):
    file_name, content = export.export_sheet(
        user=request.user, kind=kind, queryset=queryset, filters=_describe(form), request=request)
    return _xlsx_response(file_name, content)


def _bad_filters(request, form):
    # A wrong filter must not silently widen the export to everything in scope.
    errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
    return render(request, "households/import_export_error.html", {"errors": errors}, status=400)


@require_GET
@capability_required(Cap.REGISTER_VIEW)
def export_households(request):
    """Households the user may see (clerks: the township; bureau staff: linked villages), with
    the household list's filters and sort. The couple count is the township's: only users who
    may see couples get that column (bureau staff do not)."""
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _bad_filters(request, form)
    counts = {"member_count": Count("members", filter=Q(members__is_void=False), distinct=True)}
    if request.user.can(Cap.COUPLE_VIEW):
        counts["couple_count"] = Count("couples", filter=Q(couples__is_void=False), distinct=True)
    queryset = household_list(user=request.user, **form.values()).prefetch_related(heads_prefetch()).annotate(**counts)
    return _export(request, kind="households", form=form, queryset=queryset)


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def export_register(request):
    """The couple register (摸底造册) with the register list's filters and sort."""
    form = RegisterFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_filters(request, form)
    return _export(request, kind="register", form=form, queryset=register_couples(user=request.user, **form.values()))


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def export_visits(request):
    """Follow-up visits with the visit list's filters."""
    form = VisitFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _bad_filters(request, form)
    return _export(request, kind="visits", form=form, queryset=visits_in_scope(user=request.user, **form.values()))

