"""Inspections of designated facilities; an inspection that found a problem can open a case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap

from ..forms.cases import CaseForm
from ..forms.common import apply_errors
from ..forms.filters import InspectionFilterForm
from ..forms.records import InspectionForm
from ..models import CaseSource
from ..permissions import get_facility_for_user, get_inspection_for_user
from ..selectors.lists import inspection_list as select_inspections
from ..services.cases import case_open
from ..services.facilities import inspection_record
from .common import audit_view, list_page

GET_POST = require_http_methods(["GET", "POST"])


def inspection_filters(request):
    form = InspectionFilterForm(request.GET or None)
    f = form.values()
    qs = select_inspections(
        user=request.user,
        q=f.get("q", ""),
        township=f.get("township"),
        year=f.get("year"),
        problems=f.get("problems", ""),
        start=f.get("start"),
        end=f.get("end"),
    )
    return form, qs


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
    form = InspectionForm(request.POST or None, user=request.user, facility=facility)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = inspection_record(
                by=request.user,
                request=request,
                facility=data["facility"],
                inspected_on=data["inspected_on"],
                inspectors=list(data["inspectors"]),
                findings=data["findings"],
                problems_found=data["problems_found"],
                checked_ultrasound_register=data["checked_ultrasound_register"],
                checked_termination_register=data["checked_termination_register"],
                checked_drug_ledger=data["checked_drug_ledger"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已记录对 %(f)s 的检查。") % {"f": inspection.facility})
            return redirect(inspection)
    return render(request, "enforcement/inspection_form.html", {"form": form, "facility": facility})


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
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(by=request.user, inspection=inspection, request=request, **form.service_data())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已由检查登记案件 %(n)s，被检查机构已列为当事人。") % {"n": case.number})
            return redirect(case)
    return render(request, "enforcement/case_form.html", {"form": form, "inspection": inspection, "creating": True})
