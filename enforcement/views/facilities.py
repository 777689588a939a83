"""Designated facilities (六定点), their licences, ultrasound devices (B超机备案)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.records import ConcurrentEdit

from ..forms.common import ReasonForm, apply_errors
from ..forms.filters import DeviceFilterForm, FacilityFilterForm
from ..forms.records import DeviceForm, FacilityForm
from ..models import Case, CaseParty, Designation, Inspection, LicenceState
from ..permissions import get_device_for_user, get_facility_for_user
from ..selectors.lists import device_list as select_devices
from ..selectors.lists import facility_list as select_facilities
from ..services import facilities as services
from .common import audit_view, list_page

GET_POST = require_http_methods(["GET", "POST"])


def facility_filters(request):
    form = FacilityFilterForm(request.GET or None)
    f = form.values()
    qs = select_facilities(
        user=request.user,
        today=timezone.localdate(),
        q=f.get("q", ""),
        township=f.get("township"),
        designation=f.get("designation", ""),
        licence=f.get("licence", ""),
        status=f.get("status", "active"),
    )
    return form, qs


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def facility_list(request):
    form, qs = facility_filters(request)
    return list_page(
        request,
        template="enforcement/facility_list.html",
        form=form,
        queryset=qs,
        extra={"licence": form.values().get("licence", ""), "LicenceState": LicenceState},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def facility_create(request):
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(by=request.user, data=form.service_data(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记定点机构：%(name)s。") % {"name": facility.name})
            return redirect(facility)
    return render(request, "enforcement/facility_form.html", {"form": form, "creating": True})


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def facility_detail(request, pk):
    facility = get_facility_for_user(request.user, pk)
    audit_view(request, facility)
    case_ids = CaseParty.objects.filter(facility=facility).values("case_id")
    return render(
        request,
        "enforcement/facility_detail.html",
        {
            "facility": facility,
            "today": timezone.localdate(),
            "designations": [(d, getattr(facility, f"des_{d.value}")) for d in Designation],
            "devices": list(facility.devices.order_by("-is_active", "filed_on", "id")),
            "inspections": list(Inspection.objects.filter(facility=facility).order_by("-inspected_on", "-id")[:20]),
            "cases": list(
                Case.objects.filter(id__in=case_ids).select_related("township").order_by("-year", "-seq")[:20]
            ),
            "can_change": request.user.can(Cap.ENFORCEMENT_CHANGE),
        },
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def facility_edit(request, pk):
    facility = get_facility_for_user(request.user, pk, write=True)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(
                facility=facility,
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
                request=request,
            )
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(facility)
    return render(request, "enforcement/facility_form.html", {"form": form, "facility": facility})


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def facility_deactivate_view(request, pk):
    facility = get_facility_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.facility_deactivate(
            facility=facility, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("已停用该机构，记录保留。"))
        return redirect(facility)
    return render(
        request,
        "enforcement/reason_form.html",
        {
            "form": form,
            "title": _("停用定点机构"),
            "subject": facility,
            "back": facility.get_absolute_url(),
            "hint": _("机构停业或撤销定点资质时停用；记录、设备和检查历史都会保留。"),
        },
    )


# --- B超机备案 ---------------------------------------------------------------------------------
def device_filters(request):
    form = DeviceFilterForm(request.GET or None)
    f = form.values()
    qs = select_devices(
        user=request.user,
        q=f.get("q", ""),
        township=f.get("township"),
        flagged=f.get("flagged", False),
        status=f.get("status", "active"),
    )
    return form, qs


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def device_list(request):
    form, qs = device_filters(request)
    return list_page(request, template="enforcement/device_list.html", form=form, queryset=qs)


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_create(request, pk):
    facility = get_facility_for_user(request.user, pk, write=True)
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_file(facility=facility, by=request.user, data=form.service_data(), request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not facility.des_ultrasound:
                messages.warning(request, _("已备案。注意：该机构没有“B超机使用”定点资质，设备已标记待查。"))
            else:
                messages.success(request, _("已备案：%(device)s。") % {"device": device})
            return redirect(facility)
    return render(request, "enforcement/device_form.html", {"form": form, "facility": facility})


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_edit(request, pk):
    device = get_device_for_user(request.user, pk, write=True)
    form = DeviceForm(request.POST or None, instance=device)
    if request.method == "POST" and form.is_valid():
        try:
            services.device_update(
                device=device,
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.service_data(),
                request=request,
            )
        except ConcurrentEdit as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(device.facility)
    return render(
        request, "enforcement/device_form.html", {"form": form, "facility": device.facility, "device": device}
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_retire_view(request, pk):
    device = get_device_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.device_retire(device=device, by=request.user, reason=form.cleaned_data["reason"], request=request)
        messages.success(request, _("设备已停用，备案记录保留。"))
        return redirect(device.facility)
    return render(
        request,
        "enforcement/reason_form.html",
        {
            "form": form,
            "title": _("停用 B超机"),
            "subject": device,
            "back": device.facility.get_absolute_url(),
            "hint": _("设备报废、转让或封存时停用。"),
        },
    )
