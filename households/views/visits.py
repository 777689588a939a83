"""Follow-up visits (跟踪随访), the register list (摸底造册), the visit list and due/overdue lists.

All of it is the township clerks' work (Cap.COUPLE_VIEW); bureau staff do not see couples at all
(``CoupleQuerySet`` scopes clerks only), so a couple's URL answers them 404.
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.http import safe_next_url
from core.forms import apply_errors
from core.pages import audit_view, list_page
from core.pagination import paginate, query_without_page
from accounts.permissions import capability_required
from accounts.roles import Cap, Role

from ..forms.visits import (
    DueStaffFilterForm, RegisterFilterForm, VisitFilterForm, VisitForm,
)
from .common import void_page
from ..permissions import get_couple_for_user, get_visit_for_user
from ..selectors.visits import (
    couples_due_for_visit, register_couples, township_due_list, visits_in_scope, week_end,
)
from ..services.visits import visit_record, visit_void


# --- 记录随访 --------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@capability_required(Cap.VISIT_RECORD)  # township clerks; bureau staff record outreach instead (403)
def visit_create(request, pk):
    couple = get_couple_for_user(request.user, pk, visit=True)
    if request.method == "POST":
        form = VisitForm(request.POST, couple=couple)
        if form.is_valid():
            try:
                visit = visit_record(couple=couple, by=request.user, request=request, **form.service_kwargs())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已记录 %(name)s 的随访，下次随访日期 %(due)s。") % {
                    "name": couple.wife.name, "due": visit.next_due.isoformat()})
                return redirect(safe_next_url(request, couple.get_absolute_url()))
    else:
        form = VisitForm(couple=couple)
    # The form shows the couple's pregnancy status, address and phone: reading them is audited
    # like the couple's own page.
    audit_view(request, couple, detail="visit form")
    return render(request, "households/visit_form.html", {
        "couple": couple, "form": form, "next": safe_next_url(request, ""),
        "intervals": settings.HOUSEHOLDS_VISIT_INTERVAL_DAYS,
    })


@require_http_methods(["GET", "POST"])
@capability_required(Cap.VISIT_RECORD)
def visit_void_view(request, pk):
    visit = get_visit_for_user(request.user, pk, write=True)
    return void_page(
        request, obj=visit, void=visit_void, template="households/visit_void.html", context_name="visit",
        done_message=_("随访记录已作废。"), done_url=visit.couple.get_absolute_url(),
    )


# --- 摸底造册 --------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.COUPLE_VIEW)
def register_list(request):
    form = RegisterFilterForm(request.GET or None, user=request.user)
    f = form.values()
    couples = register_couples(
        user=request.user, q=f.get("q", ""), village=f.get("village"), planned_timing=f.get("planned_timing", ""),
        pregnancy_status=f.get("pregnancy_status", ""), responsible=f.get("responsible"), sort=f.get("sort", "due"),
    )
    page = paginate(request, couples)
    today = timezone.localdate()
    for couple in page.object_list:
        couple.overdue_days = couple.days_overdue(today)
    return render(request, "households/register_list.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": today,
    })


# --- 随访记录 --------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.COUPLE_VIEW)
def visit_list(request):
    form = VisitFilterForm(request.GET or None, user=request.user)
    return list_page(request, template="households/visit_list.html", form=form,
                     queryset=visits_in_scope(user=request.user, **form.values()))


# --- 到期与逾期 ------------------------------------------------------------------------------
def _responsible_gone(couple) -> bool:
    """The couple's 专人 can no longer serve it (deactivated, moved to another township or no
    longer a clerk): the couple needs a new one (the same rule as ``assignable_staff``)."""
    staff = couple.responsible
    return staff is not None and (
        not staff.is_active or staff.township_id != couple.township_id or staff.role != Role.CLERK)


def _due_page(request, couples, today):
    page = paginate(request, couples)
    for couple in page.object_list:
        couple.overdue_days = couple.days_overdue(today)
        couple.responsible_gone = _responsible_gone(couple)
    return page


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def due_mine(request):
    today = timezone.localdate()
    page = _due_page(request, couples_due_for_visit(user=request.user, on=today), today)
    return render(request, "households/due_mine.html", {
        "page": page, "today": today, "week_end": week_end(today), "query": query_without_page(request),
    })


@require_GET
@capability_required(Cap.COUPLE_VIEW)
def due_township(request):
    today = timezone.localdate()
    form = DueStaffFilterForm(request.GET or None, user=request.user)
    f = form.values()
    page = _due_page(request, township_due_list(user=request.user, on=today, staff=f.get("staff")), today)
    return render(request, "households/due_township.html", {
        "form": form, "page": page, "today": today, "week_end": week_end(today),
        "query": query_without_page(request),
    })
