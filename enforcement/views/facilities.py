"""Designated facilities (六定点), their licences, ultrasound devices (B超机备案)."""

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import capability_required
from accounts.roles import Cap
from core.pages import audit_view, filtered, form_page, without_version

from ..forms.filters import DeviceFilterForm, FacilityFilterForm
from ..forms.records import DeviceForm, FacilityForm
from ..models import Case, CaseParty, Designation, Inspection
from ..permissions import get_device_for_user, get_facility_for_user
from ..selectors.lists import device_list as select_devices
from ..selectors.lists import facility_list as select_facilities
from ..services import facilities as services
from .common import list_page, reason_page

GET_POST = require_http_methods(["GET", "POST"])


def facility_filters(request):
    return filtered(request, FacilityFilterForm, select_facilities, dated=True)


def device_filters(request):
    return filtered(request, DeviceFilterForm, select_devices)


@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def facility_list(request):
    form, qs = facility_filters(request)
    return list_page(
        request,
        template="enforcement/facility_list.html",
        form=form,
        queryset=qs,
        extra={"licence": form.values().get("licence", "")},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def facility_create(request):
    return form_page(
        request,
        form=FacilityForm(request.POST or None),
        template="enforcement/facility_form.html",
        context={"creating": True},
        save=lambda data: services.facility_create(by=request.user, data=without_version(data), request=request),
        done=lambda facility: _("已登记定点机构：%(name)s。") % {"name": facility.name},
    )


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
    return form_page(
        request,
        form=FacilityForm(request.POST or None, instance=facility),
        template="enforcement/facility_form.html",
        context={"facility": facility},
        done=_("已保存。"),
        save=lambda data: services.facility_update(
            facility=facility,
            by=request.user,
            expected_version=data["version"] or 0,
            data=without_version(data),
            request=request,
        ),
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def facility_deactivate_view(request, pk):
    facility = get_facility_for_user(request.user, pk, write=True)
    return reason_page(
        request,
        subject=facility,
        back=facility.get_absolute_url(),
        title=_("停用定点机构"),
        hint=_("机构停业或撤销定点资质时停用；记录、设备和检查历史都会保留。"),
        done=_("已停用该机构，记录保留。"),
        apply=lambda reason: services.facility_deactivate(
            facility=facility, by=request.user, reason=reason, request=request
        ),
    )


# --- B超机备案 ---------------------------------------------------------------------------------
@require_GET
@capability_required(Cap.ENFORCEMENT_VIEW)
def device_list(request):
    form, qs = device_filters(request)
    return list_page(request, template="enforcement/device_list.html", form=form, queryset=qs)


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_create(request, pk):
    facility = get_facility_for_user(request.user, pk, write=True)

    def save(data):
        device = services.device_file(facility=facility, by=request.user, data=without_version(data), request=request)
        if not facility.des_ultrasound:
            messages.warning(request, _("已备案。注意：该机构没有“B超机使用”定点资质，设备已标记待查。"))
        return device

    return form_page(
        request,
        form=DeviceForm(request.POST or None),
        template="enforcement/device_form.html",
        context={"facility": facility},
        save=save,
        redirect_to=facility.get_absolute_url(),
        done=lambda device: _("已备案：%(device)s。") % {"device": device},
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_edit(request, pk):
    device = get_device_for_user(request.user, pk, write=True)
    return form_page(
        request,
        form=DeviceForm(request.POST or None, instance=device),
        template="enforcement/device_form.html",
        context={"facility": device.facility, "device": device},
        done=_("已保存。"),
        redirect_to=device.facility.get_absolute_url(),
        save=lambda data: services.device_update(
            device=device,
            by=request.user,
            expected_version=data["version"] or 0,
            data=without_version(data),
            request=request,
        ),
    )


@GET_POST
@capability_required(Cap.ENFORCEMENT_CHANGE)
def device_retire_view(request, pk):
    device = get_device_for_user(request.user, pk, write=True)
    return reason_page(
        request,
        subject=device,
        back=device.facility.get_absolute_url(),
        title=_("停用 B超机"),
        hint=_("设备报废、转让或封存时停用。"),
        done=_("设备已停用，备案记录保留。"),
        apply=lambda reason: services.device_retire(device=device, by=request.user, reason=reason, request=request),
    )
