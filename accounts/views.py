from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.pagination import paginate, query_without_page

from . import health
from .forms import AuditFilterForm
from .navigation import home_panels
from .permissions import capability_required
from .roles import Cap
from .selectors import audit_events


@require_GET
def home(request):
    """The role's work overview: each app contributes a panel (accounts.navigation.home_panels)."""
    panels, context = home_panels(request.user)
    return render(request, "accounts/home.html", {"role": request.user.role, "home_panels": panels, **context})


@require_GET
@capability_required(Cap.AUDIT_VIEW)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events(
        username=filters.get("user", ""), action=filters.get("action", ""),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    return render(request, "accounts/audit_list.html", {
        "form": form, "page": paginate(request, events, 50), "query": query_without_page(request),
    })


@login_not_required
@never_cache
@require_GET
def healthz(request):
    doc, serving = health.report(with_names=request.user.is_authenticated)
    return JsonResponse(doc, status=200 if serving else 503)
