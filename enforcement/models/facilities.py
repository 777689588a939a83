"""六定点 designated facilities and their filed ultrasound devices (B超机备案).

The six designations are six boolean columns rather than a list: the checks that matter
("a device at a facility without the ultrasound designation", "who may terminate pregnancies")
are then plain indexed column tests in SQL.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from core.models import Timestamped, Versioned

from .common import EnforcementQuerySet


class Designation(models.TextChoices):
    PREGNANCY_CHECK = "pregnancy_check", _("环孕情服务")
    TERMINATION_SURGERY = "termination_surgery", _("终止妊娠手术")
    DELIVERY = "delivery", _("分娩接生")
    ULTRASOUND = "ultrasound", _("B超机使用")
    TERMINATION_DRUGS = "termination_drugs", _("终止妊娠药品使用")
    CONTRACEPTIVE_SURGERY = "contraceptive_surgery", _("节育手术")


def designation_field(code: str) -> str:
    return f"des_{code}"


class FacilityKind(models.TextChoices):
    HOSPITAL = "hospital", _("综合医院")
    MCH = "mch", _("妇幼保健机构")
    TOWNSHIP_HC = "township_hc", _("乡镇卫生院")
    COMMUNITY_HC = "community_hc", _("社区卫生服务中心")
    PRIVATE = "private", _("民营医院")
    CLINIC = "clinic", _("诊所/门诊部")
    OTHER = "other", _("其他")


class LicenceState(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")


def licence_warning_days() -> int:
    return settings.ENFORCEMENT_LICENCE_WARNING_DAYS


class FacilityQuerySet(EnforcementQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def licence_expiring(self, today: datetime.date):
        """Active facilities whose licence runs out within the warning window (default 30 days)."""
        end = today + datetime.timedelta(days=licence_warning_days())
        return self.active().filter(licence_valid_until__gte=today, licence_valid_until__lte=end)

    def licence_expired(self, today: datetime.date):
        return self.active().filter(licence_valid_until__lt=today)


class Facility(Versioned, Timestamped):
    """定点机构: a facility approved for some of the six designations (六定点)."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在镇/街道"))
    name = models.CharField(_("机构名称"), max_length=100)
    kind = models.CharField(_("机构类型"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.CLINIC)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_person = models.CharField(_("负责人"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    licence_number = models.CharField(_("执业许可证号"), max_length=50, help_text=_("《医疗机构执业许可证》登记号。"))
    licence_valid_from = models.DateField(_("许可证有效期起"), null=True, blank=True)
    licence_valid_until = models.DateField(
        _("许可证有效期至"), help_text=_("到期前 30 天（本县设置）列入“即将到期”名单，过期后列入“已过期”名单。")
    )
    des_pregnancy_check = models.BooleanField(_("环孕情服务"), default=False)
    des_termination_surgery = models.BooleanField(
        _("终止妊娠手术"), default=False, help_text=_("14 周以上终止妊娠须凭医学需要证明，核验并留存身份证件。")
    )
    des_delivery = models.BooleanField(_("分娩接生"), default=False)
    des_ultrasound = models.BooleanField(_("B超机使用"), default=False)
    des_termination_drugs = models.BooleanField(_("终止妊娠药品使用"), default=False)
    des_contraceptive_surgery = models.BooleanField(_("节育手术"), default=False)
    is_active = models.BooleanField(_("在册"), default=True, help_text=_("机构停业或撤销定点后停用，记录保留。"))
    closed_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("定点机构")
        verbose_name_plural = _("定点机构")
        ordering = ["township__sort_order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_number"], name="enforcement_facility_licence_unique"),
            models.CheckConstraint(
                condition=Q(licence_valid_from__isnull=True)
                | Q(licence_valid_from__lte=models.F("licence_valid_until")),
                name="enforcement_facility_licence_period",
            ),
        ]
        indexes = [
            # Facility list: township filter, active first, by name.
            models.Index(fields=["township", "is_active", "name"], name="enf_facility_list"),
            # Licence lists: active facilities with valid_until < today (expired) or within 30 days.
            models.Index(fields=["licence_valid_until"], condition=Q(is_active=True), name="enf_facility_licence"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enforcement:facility_detail", args=[self.pk])

    @property
    def designations(self) -> list[str]:
        return [d.value for d in Designation if getattr(self, designation_field(d.value))]

    @property
    def designation_labels(self) -> list[str]:
        return [str(d.label) for d in Designation if getattr(self, designation_field(d.value))]

    def licence_state(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.licence_valid_until < today:
            return LicenceState.EXPIRED
        if self.licence_valid_until <= today + datetime.timedelta(days=licence_warning_days()):
            return LicenceState.EXPIRING
        return LicenceState.VALID


class DeviceQuerySet(EnforcementQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def flagged(self):
        """Active devices at a facility without the ultrasound designation (B超机使用)."""
        return self.active().filter(facility__des_ultrasound=False)


class UltrasoundDevice(Versioned, Timestamped):
    """B超机备案: an ultrasound (or chromosome) device filed for a facility."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在镇/街道"), editable=False
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="devices", verbose_name=_("所属机构"))
    model_name = models.CharField(_("型号"), max_length=80)
    serial_number = models.CharField(_("出厂编号"), max_length=80)
    room = models.CharField(_("放置科室/房间"), max_length=80)
    operators = models.CharField(_("操作人员"), max_length=200, help_text=_("多人用顿号分隔。"))
    purchased_on = models.DateField(_("购置日期"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), default=timezone.localdate, help_text=_("购置后 20–30 日内备案。"))
    is_active = models.BooleanField(_("在用"), default=True)
    retired_reason = models.CharField(_("停用原因"), max_length=200, blank=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("B超机备案")
        verbose_name_plural = _("B超机备案")
        ordering = ["township__sort_order", "facility__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_name", "serial_number"],
                condition=Q(is_active=True),
                name="enforcement_device_serial_unique",
            ),
        ]
        indexes = [
            # Device list: township filter, active devices.
            models.Index(fields=["township", "is_active"], name="enf_device_list"),
        ]

    def __str__(self):
        return f"{self.model_name}（{self.serial_number}）"

    def get_absolute_url(self):
        return reverse("enforcement:facility_detail", args=[self.facility_id]) + f"#device-{self.pk}"

    def save(self, *args, **kwargs):
        # The device is scoped and filtered by its facility's township.
        if self.facility_id:
            self.township_id = Facility.objects.values_list("township_id", flat=True).get(pk=self.facility_id)
        super().save(*args, **kwargs)
