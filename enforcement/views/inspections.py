"""Inspections of designated facilities; an inspection that found a problem can open a case."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.pages import audit_view, filtered, form_page

from ..forms.cases import CaseForm
from ..forms.filters import InspectionFilterForm
from ..forms.records import InspectionForm
from ..models import CaseSource
from ..permissions import get_facility_for_user, get_inspection_for_user
from ..selectors.lists import inspection_list as select_inspections
from ..services.cases import case_open
from ..services.facilities import inspection_record
from .common import list_page

GET_POST = require_http_methods(["GET", "POST"])


def inspection_filters(request):
    return filtered(request, InspectionFilterForm, select_inspections)


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def inspection_list(request):
    form, qs = inspection_filters(request)
    return list_page(request, template="enforcement/inspection_list.html", form=form, queryset=qs)


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def inspection_create(request):
    facility = None
    if request.GET.get("facility"):
        facility = get_facility_for_user(request.user, request.GET["facility"], write=True)
    return form_page(
        request,
        form=InspectionForm(request.POST or None, user=request.user, facility=facility),
        template="enforcement/inspection_form.html",
        context={"facility": facility},
        save=lambda data: inspection_record(
            by=request.user, request=request, **{**data, "inspectors": list(data["inspectors"])}
        ),
        done=lambda inspection: _("已记录对 %(f)s 的检查。") % {"f": inspection.facility},
    )


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def inspection_detail(request, pk):
    inspection = get_inspection_for_user(request.user, pk)
    audit_view(request, inspection)
    return render(
        request,
        "enforcement/inspection_detail.html",
        {
            "inspection": inspection,
            "inspectors": list(inspection.inspectors.order_by("name", "id")),
            "cases": list(inspection.cases.order_by("-year", "-seq")),
            "can_change": request.user.can(Cap.ENFORCEMENT_CHANGE),
        },
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def inspection_open_case(request, pk):
    inspection = get_inspection_for_user(request.user, pk, write=True)
    checked_source = (
        CaseSource.ULTRASOUND_REGISTER
        if inspection.checked_ultrasound_register
        else CaseSource.TERMINATION_REGISTER
        if inspection.checked_termination_register
        else CaseSource.DRUG_LEDGER
    )
    form = CaseForm(
        request.POST or None,
        from_inspection=True,
        initial={
            "township": inspection.township_id,
            "source": checked_source,
            "title": _("%(f)s 检查发现的问题") % {"f": inspection.facility.name},
            "description": inspection.findings,
        },
    )
    return form_page(
        request,
        form=form,
        template="enforcement/case_form.html",
        context={"inspection": inspection, "creating": True},
        save=lambda data: case_open(by=request.user, inspection=inspection, request=request, **data),
        done=lambda case: _("已由检查登记案件 %(n)s，被检查机构已列为当事人。") % {"n": case.number},
    )
