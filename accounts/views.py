from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.http import xlsx_response

from . import health
from .audit_export import audit_export_workbook
from .forms import AuditFilterForm
from .ledger import describe_events
from .navigation import home_panels
from .permissions import capability_required
from .roles import Cap
from .selectors import audit_events, audit_page, chain_status


@require_GET
def home(request):
    """The role's work overview: each app contributes a panel (accounts.navigation.home_panels)."""
    panels, context = home_panels(request.user)
    return render(request, "accounts/home.html", {"role": request.user.role, "home_panels": panels, **context})


def _audit_filters(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@require_GET
@capability_required(Cap.AUDIT_VIEW)
def audit_list(request):
    """The audit trail as a ledger: who did what to which record, newest first, paged by keyset."""
    form, filters = _audit_filters(request)
    page = audit_page(
        audit_events(**filters), older_than=request.GET.get("older"), newer_than=request.GET.get("newer"),
        last=request.GET.get("last") == "1",
    )
    query = request.GET.copy()
    for key in ("older", "newer", "last"):
        query.pop(key, None)
    return render(request, "accounts/audit_list.html", {
        "form": form, "page": page, "rows": describe_events(page.events), "query": query.urlencode(),
        "chain": chain_status(),
        # Translated once, not once per row.
        "ok_text": _("成功"), "failed_text": _("失败"), "history_text": _("该记录的全部操作"),
    })


@require_GET
@capability_required(Cap.AUDIT_VIEW)
def audit_export(request):
    """The filtered trail as .xlsx for an inspection (core.excel); the export itself is audited."""
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('accounts:audit')}?{request.GET.urlencode()}")
    name, content = audit_export_workbook(user=request.user, filters=filters, request=request)
    return xlsx_response(name, content)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    doc, serving = health.report(with_names=request.user.is_authenticated)
    return JsonResponse(doc, status=200 if serving else 503)
