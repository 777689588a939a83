"""View pieces the enforcement views share: list pages, exports, audit rows."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Cap
from accounts.services import audit_log
from core.pagination import paginate, query_without_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audit_view(request, obj, detail: str = "") -> None:
    audit_log(action=AuditEvent.Action.VIEW, request=request, obj=obj, detail=detail)


def audit_list(request, object_type: str, page, form) -> None:
    """Tip and case lists are audited like their detail pages (who looked at which page, how filtered)."""
    audit_log(
        action=AuditEvent.Action.VIEW,
        request=request,
        object_type=object_type,
        detail=f"list page {page.number} ({page.paginator.count}); {form.describe()}"[:255],
    )


def list_page(request, *, template: str, form, queryset, extra=None, audit_type: str = ""):
    page = paginate(request, queryset)
    if audit_type:
        audit_list(request, audit_type, page, form)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "can_change": request.user.can(Cap.ENFORCEMENT_CHANGE),
            **(extra or {}),
        },
    )


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
