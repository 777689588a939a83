"""Writes for the designated-facility registry, ultrasound device filings and inspections."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent

from ..models import Facility, Inspection, UltrasoundDevice
from .common import audit_change, require_reason, save_fields

FACILITY_FIELDS = (
    "township",
    "name",
    "kind",
    "address",
    "contact_person",
    "phone",
    "licence_number",
    "licence_valid_from",
    "licence_valid_until",
    "des_pregnancy_check",
    "des_termination_surgery",
    "des_delivery",
    "des_ultrasound",
    "des_termination_drugs",
    "des_contraceptive_surgery",
    "notes",
)
DEVICE_FIELDS = ("model_name", "serial_number", "room", "operators", "purchased_on", "filed_on")


def _check_licence(data: dict, *, exclude_pk=None) -> None:
    errors = {}
    start, end = data.get("licence_valid_from"), data.get("licence_valid_until")
    if start and end and start > end:
        errors["licence_valid_until"] = _("有效期至不能早于有效期起。")
    number = (data.get("licence_number") or "").strip()
    if number and Facility.objects.filter(licence_number=number).exclude(pk=exclude_pk).exists():
        errors["licence_number"] = _("该执业许可证号已登记在其他机构名下。")
    if errors:
        raise ValidationError(errors)


def _unique_or_error(save, field: str, message) -> None:
    # The unique index decides a race the pre-check could not see: a form error, never a 500.
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        raise ValidationError({field: message}) from None


@transaction.atomic
def facility_create(*, by, data: dict, request=None) -> Facility:
    data = {k: v for k, v in data.items() if k in FACILITY_FIELDS}
    _check_licence(data)
    facility = Facility(**data, created_by=by)
    _unique_or_error(facility.save, "licence_number", _("该执业许可证号已登记在其他机构名下。"))
    audit_change(action=AuditEvent.Action.CREATE, obj=facility, by=by, request=request, detail="facility registered")
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, by, expected_version: int, data: dict, request=None) -> Facility:
    data = {k: v for k, v in data.items() if k in FACILITY_FIELDS}
    _check_licence(data, exclude_pk=facility.pk)
    moved = "township" in data and data["township"].pk != facility.township_id
    _unique_or_error(
        lambda: save_fields(
            facility, data=data, expected_version=expected_version, by=by, request=request, detail="facility edited"
        ),
        "licence_number",
        _("该执业许可证号已登记在其他机构名下。"),
    )
    if moved:
        # Devices and inspections are listed by their facility's township (a copied column).
        UltrasoundDevice.objects.filter(facility=facility).update(township=facility.township)
        Inspection.objects.filter(facility=facility).update(township=facility.township)
    return facility


@transaction.atomic
def facility_deactivate(*, facility: Facility, by, reason: str, request=None) -> Facility:
    """停用: the facility closed or lost its designations. Nothing is deleted."""
    reason = require_reason(reason)
    facility.is_active = False
    facility.closed_reason = reason
    facility.version += 1
    facility.save(update_fields=["is_active", "closed_reason", "version", "updated_at"])
    audit_change(
        action=AuditEvent.Action.UPDATE, obj=facility, by=by, request=request, detail=f"facility deactivated: {reason}"
    )
    return facility


def _check_device(data: dict, *, exclude_pk=None) -> None:
    errors = {}
    if data.get("filed_on") and data["filed_on"] > timezone.localdate():
        errors["filed_on"] = _("备案日期不能晚于今天。")
    if data.get("purchased_on") and data.get("filed_on") and data["purchased_on"] > data["filed_on"]:
        errors["purchased_on"] = _("购置日期不能晚于备案日期。")
    if (
        UltrasoundDevice.objects.active()
        .filter(model_name=data.get("model_name"), serial_number=data.get("serial_number"))
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["serial_number"] = _("该型号、编号的设备已在册备案。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def device_file(*, facility: Facility, by, data: dict, request=None) -> UltrasoundDevice:
    """File (备案) an ultrasound device for a facility. A facility without the ultrasound
    designation may still have one filed — that is exactly what the flag is for."""
    data = {k: v for k, v in data.items() if k in DEVICE_FIELDS}
    _check_device(data)
    device = UltrasoundDevice(facility=facility, created_by=by, **data)
    _unique_or_error(device.save, "serial_number", _("该型号、编号的设备已在册备案。"))
    audit_change(action=AuditEvent.Action.CREATE, obj=device, by=by, request=request, detail="device filed")
    return device


@transaction.atomic
def device_update(*, device: UltrasoundDevice, by, expected_version: int, data: dict, request=None):
    data = {k: v for k, v in data.items() if k in DEVICE_FIELDS}
    _check_device(data, exclude_pk=device.pk)
    _unique_or_error(
        lambda: save_fields(
            device, data=data, expected_version=expected_version, by=by, request=request, detail="device edited"
        ),
        "serial_number",
        _("该型号、编号的设备已在册备案。"),
    )
    return device


@transaction.atomic
def device_retire(*, device: UltrasoundDevice, by, reason: str, request=None) -> UltrasoundDevice:
    reason = require_reason(reason)
    device.is_active = False
    device.retired_reason = reason
    device.version += 1
    device.save(update_fields=["is_active", "retired_reason", "version", "updated_at"])
    audit_change(
        action=AuditEvent.Action.UPDATE, obj=device, by=by, request=request, detail=f"device retired: {reason}"
    )
    return device


@transaction.atomic
def inspection_record(
    *,
    by,
    facility: Facility,
    inspected_on,
    inspectors,
    findings: str,
    checked_ultrasound_register: bool = False,
    checked_termination_register: bool = False,
    checked_drug_ledger: bool = False,
    problems_found: bool = False,
    request=None,
) -> Inspection:
    """Record an inspection of a facility. The recording inspector is always among the inspectors."""
    errors = {}
    if inspected_on > timezone.localdate():
        errors["inspected_on"] = _("检查日期不能晚于今天。")
    if not (checked_ultrasound_register or checked_termination_register or checked_drug_ledger):
        errors["checked"] = _("请至少勾选一项检查内容。")
    if not (findings or "").strip():
        errors["findings"] = _("请填写检查情况。")
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        facility=facility,
        inspected_on=inspected_on,
        findings=findings.strip(),
        problems_found=problems_found,
        checked_ultrasound_register=checked_ultrasound_register,
        checked_termination_register=checked_termination_register,
        checked_drug_ledger=checked_drug_ledger,
        created_by=by,
    )
    inspection.inspectors.set({by, *inspectors})
    audit_change(action=AuditEvent.Action.CREATE, obj=inspection, by=by, request=request, detail="inspection recorded")
    return inspection
