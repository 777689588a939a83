"""Excel import (upload → preview → confirm/cancel), the import template and .xlsx exports.

Thin views: access through the helpers (a batch of another township is a 404), the rules and
every write in services/exchange.py.
"""
import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import capability_required
from accounts.roles import Cap
from accounts.validators import mask_id_number
from core.models import ExportJob
from core.http import xlsx_response
from core.views import export_start

from .. import exports, sheets
from ..forms.exchange import ImportMappingForm, ImportUploadForm
from ..models import ImportBatch, PlannedTiming
from ..permissions import get_import_for_user
from ..services import exchange

PREVIEW_PAGE_SIZE = 100
ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


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
            if sheets.mapping_problems({int(c): f for c, f in batch.mapping.items()}):
                messages.warning(request, _("文件已读取，但有些列系统没能识别：请在“列对应关系”中为它们选择导入项。在确认之前不会写入任何数据。"))
            else:
                messages.info(request, _("文件已读取：请核对下面的预览，确认无误后点击“确认导入”。在确认之前不会写入任何数据。"))
            return redirect(batch)
    batches = (
        ImportBatch.objects.visible_to(request.user).defer("rows", "source_rows", "headers", "mapping")
        .select_related("created_by")
        .order_by("-created_at")[:10]
    )
    # The user's recent background exports: a job page left behind is found again here.
    exports_recent = ExportJob.objects.filter(owner=request.user).order_by("-created_at")[:5]
    return render(request, "households/import_upload.html", {
        "form": form, "batches": batches, "export_jobs": exports_recent})


@require_GET
@capability_required(Cap.REGISTER_IMPORT)
def import_template(request):
    return xlsx_response(_("摸底登记导入模板.xlsx"), sheets.template_workbook())


@require_GET
@capability_required(Cap.REGISTER_IMPORT)
def import_preview(request, pk):
    batch = get_import_for_user(request.user, pk)
    return _render_preview(request, batch)


def _sheet_columns(batch: ImportBatch) -> list[dict]:
    """Every column of the sheet (a header or a value), with up to three sample values."""
    sheet = exchange.batch_sheet(batch)
    width = max([len(sheet.headers), *(len(cells) for _n, cells in sheet.rows)], default=0)
    columns = []
    for col in range(width):
        label = sheet.headers[col] if col < len(sheet.headers) else None
        samples = [_sample(cells[col]) for _n, cells in sheet.rows[:20] if col < len(cells) and cells[col] not in (None, "")]
        if label is None and not samples:
            continue
        columns.append({"col": col, "letter": sheets.column_letter(col), "label": label or "", "samples": samples[:3]})
    return columns


def _sample(value) -> str:
    """A cell shown to help map its column: an ID number masked like everywhere else."""
    text = str(value).strip()
    return mask_id_number(text.upper()) if ID_LIKE.match(text) else text[:20]


def _render_preview(request, batch: ImportBatch, *, mapping_form=None, status=200):
    rows = batch.rows
    mapping = {int(col): name for col, name in batch.mapping.items()}
    columns = _sheet_columns(batch) if batch.status == ImportBatch.Status.PREVIEW else []
    if mapping_form is None and columns:
        mapping_form = ImportMappingForm(columns=columns, mapping=mapping)
    labels = {c.field: c.label for c in sheets.COLUMNS}
    mapped = [{"letter": sheets.column_letter(col), "header": (batch.headers[col] if col < len(batch.headers) else "") or "",
               "field": labels.get(name, name)} for col, name in sorted(mapping.items())]
    unmapped = exchange.batch_sheet(batch).unmapped_columns()
    only_errors = request.GET.get("show") == "errors"
    shown = [r for r in rows if r["status"] in ("error", "skipped")] if only_errors else rows
    page = Paginator(shown, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    timings = dict(PlannedTiming.choices)
    for row in page:  # display only; the stored rows keep the code
        row["timing_label"] = timings.get(row["data"].get("planned_timing"), "")
    return render(request, "households/import_preview.html", {
        "batch": batch, "summary": exchange.import_summary(rows), "page": page, "only_errors": only_errors,
        "query": "show=errors" if only_errors else "", "mapping_form": mapping_form, "mapped": mapped,
        "unmapped": unmapped, "mapping_problems": sheets.mapping_problems(mapping),
    }, status=status)


@require_POST
@capability_required(Cap.REGISTER_IMPORT)
def import_mapping(request, pk):
    """The clerk's column mapping: applied, remembered for the township, rows checked again."""
    batch = get_import_for_user(request.user, pk)
    columns = _sheet_columns(batch) if batch.status == ImportBatch.Status.PREVIEW else []
    form = ImportMappingForm(request.POST, columns=columns, mapping={})
    if not columns:
        messages.warning(request, _("该批次已处理（已导入、已取消或导入失败），不能再修改列对应关系。"))
        return redirect(batch)
    if form.is_valid():
        try:
            batch = exchange.import_remap(batch=batch, by=request.user, mapping=form.mapping(), request=request)
        except exchange.ImportNotPending as exc:
            messages.warning(request, " ".join(exc.messages))
            return redirect(batch)
        except ValidationError as exc:
            for message in exc.message_dict.get("mapping", exc.messages):
                form.add_error(None, message)
            return _render_preview(request, batch, mapping_form=form, status=400)
        messages.success(request, _("已按新的列对应关系重新核对，并记住了本镇/街道的选择，下次导入自动套用。"))
        return redirect(batch)
    return _render_preview(request, batch, mapping_form=form, status=400)


@require_POST
@capability_required(Cap.REGISTER_IMPORT)
def import_confirm(request, pk):
    batch = get_import_for_user(request.user, pk)
    large = sum(r["status"] == "ok" for r in batch.rows) > settings.HOUSEHOLDS_IMPORT_SYNC_MAX_ROWS
    try:
        if large:  # a worker writes it; the page follows (static/js/import-progress.js)
            batch = exchange.import_confirm_queue(batch=batch, by=request.user, request=request)
        else:
            batch = exchange.import_confirm(batch=batch, by=request.user, request=request)
    except exchange.ImportNotPending as exc:
        messages.warning(request, " ".join(exc.messages))
    except exchange.ImportFailed as exc:
        messages.error(request, str(exc))
    else:
        if batch.status == ImportBatch.Status.IMPORTED:
            messages.success(request, batch.message)
    return redirect(batch)


@require_GET
@capability_required(Cap.REGISTER_IMPORT)
def import_status(request, pk):
    """The batch's status as JSON, for the page of a batch being written by a worker."""
    batch = get_import_for_user(request.user, pk)
    response = JsonResponse({"status": batch.status, "message": batch.message})
    response["Cache-Control"] = "no-store"
    return response


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


# --- Export (households/exports.py registers them; core.views.export_start runs them) ----------
@require_GET
@capability_required(Cap.REGISTER_VIEW)
def export_households(request):
    return export_start(request, exports.HOUSEHOLDS.kind)


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def export_register(request):
    return export_start(request, exports.REGISTER.kind)


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def export_visits(request):
    return export_start(request, exports.VISITS.kind)
