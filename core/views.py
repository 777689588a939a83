"""Exports: starting one (the helper app views call), its progress page and JSON, the download.

A job belongs to its owner: anyone else gets a 404 (existence not revealed), whatever their role.
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports
from .access import require_capability
from .http import XLSX, xlsx_response
from .models import ExportJob

def export_start(request, kind: str):
    """What an app's export URL answers: the file itself when small, else a queued job's progress
    page. Bad filters: 400 with the reason (a wrong filter must never widen the export)."""
    spec = exports.get_spec(kind)
    require_capability(request.user, spec.capability)
    try:
        query = spec.build(request.user, request.GET)
    except ValidationError as error:
        return render(request, "core/export_error.html", {"errors": "；".join(error.messages), "spec": spec},
                      status=400)
    total = query.queryset.prefetch_related(None).order_by().count()
    if total <= settings.EXPORTS_DIRECT_MAX_ROWS:
        file_name, content = exports.export_direct(spec=spec, query=query, user=request.user, request=request)
        return xlsx_response(file_name, content)
    try:
        job = exports.export_job_create(spec=spec, user=request.user, params=request.GET, total=total, request=request)
    except ValidationError as error:
        return render(request, "core/export_error.html", {"errors": "；".join(error.messages), "spec": spec},
                      status=429)
    return redirect(job)


def _own_job(request, pk) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


def _job_state(job: ExportJob) -> dict:
    done, total = exports.job_progress(job)
    percent = 100 if job.status == ExportJob.Status.DONE else (min(99, done * 100 // total) if total else 0)
    return {
        "status": job.status, "status_label": str(job.get_status_display()), "progress": done, "total": total,
        "percent": percent, "row_count": job.row_count, "message": job.message,
        "download_url": reverse("core:export_download", args=[job.pk]) if job.status == ExportJob.Status.DONE else "",
    }


@require_GET
def export_status(request, pk):
    job = _own_job(request, pk)
    spec = exports._REGISTRY.get(job.kind)
    return render(request, "core/export_status.html", {
        "job": job, "state": _job_state(job), "label": spec.label if spec else job.kind,
        "poll_url": reverse("core:export_status_json", args=[job.pk]), "keep_hours": settings.EXPORTS_KEEP_HOURS,
    })


@require_GET
def export_status_json(request, pk):
    response = JsonResponse(_job_state(_own_job(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_download(request, pk):
    job = _own_job(request, pk)
    spec = exports._REGISTRY.get(job.kind)
    if spec is not None:
        require_capability(request.user, spec.capability)  # access withdrawn since: no file
    if job.status != ExportJob.Status.DONE or not job.file:
        messages.warning(request, _("该导出文件已过期或尚未生成，请重新导出。") if job.status != ExportJob.Status.RUNNING
                         else _("导出尚未完成，请稍候。"))
        return redirect(job)
    exports.export_job_download(job=job, request=request)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
