"""执法检查: inspections of designated facilities. An inspection that finds a problem can open a case."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Township
from core.models import Timestamped

from .common import EnforcementQuerySet
from .facilities import Facility

# What an inspection checks (docs/domain.md, "Legal facts": designated points).
CHECK_FIELDS = ("checked_ultrasound_register", "checked_termination_register", "checked_drug_ledger")


class Inspection(Timestamped):
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"), editable=False
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("被检查机构")
    )
    inspected_on = models.DateField(_("检查日期"), default=timezone.localdate)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("检查人员"), help_text=_("至少两名执法人员。")
    )
    checked_ultrasound_register = models.BooleanField(_("B超检查登记"), default=False)
    checked_termination_register = models.BooleanField(_("引流产（终止妊娠）登记"), default=False)
    checked_drug_ledger = models.BooleanField(_("终止妊娠药品台账"), default=False)
    problems_found = models.BooleanField(_("发现问题"), default=False)
    findings = models.TextField(_("检查情况"), max_length=2000)

    objects = EnforcementQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法检查")
        verbose_name_plural = _("执法检查")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            # Inspection list: township filter, newest first; year filter on inspected_on.
            models.Index(fields=["township", "-inspected_on"], name="enf_inspection_township"),
            models.Index(fields=["-inspected_on"], name="enf_inspection_date"),
            # A facility page's inspection history.
            models.Index(fields=["facility", "-inspected_on"], name="enf_inspection_facility"),
        ]

    def __str__(self):
        return f"{self.facility} {self.inspected_on}"

    def get_absolute_url(self):
        return reverse("enforcement:inspection_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.facility_id:
            self.township_id = Facility.objects.values_list("township_id", flat=True).get(pk=self.facility_id)
        super().save(*args, **kwargs)

    @property
    def checked_labels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in CHECK_FIELDS if getattr(self, f)]
