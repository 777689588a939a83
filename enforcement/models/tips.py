"""举报 tips. The reporter's identity is confidential by law (docs/domain.md, "Legal facts the forms rely on").

``reporter_name`` and ``reporter_contact`` are read on exactly one page: the tip's detail page for
inspectors. Lists, exports, figures and the leader's pages load tips through
``TipQuerySet.without_reporter()``, which does not even fetch the two columns.
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

REPORTER_FIELDS = ("reporter_name", "reporter_contact")


class TipChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    ONLINE = "online", _("网络")


class TipStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    CASE_OPENED = "case_opened", _("已转案件")
    DISMISSED = "dismissed", _("不予处理")


def tip_handle_days() -> int:
    return settings.ENFORCEMENT_TIP_HANDLE_DAYS


class TipQuerySet(EnforcementQuerySet):
    def without_reporter(self):
        """Every list, export and figure reads tips through this: the reporter is never fetched."""
        return self.defer(*REPORTER_FIELDS)

    def overdue(self, today: datetime.date):
        """Pending tips received more than the handling deadline ago (default 15 days)."""
        return self.filter(status=TipStatus.PENDING, received_on__lt=today - datetime.timedelta(days=tip_handle_days()))


class Tip(Versioned, Timestamped):
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    seq = models.PositiveIntegerField(_("序号"), editable=False)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及镇/街道"))
    channel = models.CharField(_("举报方式"), max_length=10, choices=TipChannel.choices)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    content = models.TextField(_("举报内容"), max_length=2000, help_text=_("被举报的机构、人员、时间、地点和行为。"))
    reporter_name = models.CharField(
        _("举报人姓名"),
        max_length=30,
        blank=True,
        help_text=_("保密：仅执法人员在本线索详情页可见，不出现在列表、导出和统计中。可匿名。"),
    )
    reporter_contact = models.CharField(_("举报人联系方式"), max_length=60, blank=True, help_text=_("保密，同上。"))
    status = models.CharField(_("处理状态"), max_length=12, choices=TipStatus.choices, default=TipStatus.PENDING)
    handled_on = models.DateField(_("处理日期"), null=True, blank=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
        editable=False,
    )
    dismissal_reason = models.CharField(_("不予处理理由"), max_length=300, blank=True)
    reward_amount = models.DecimalField(_("奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    reward_paid_on = models.DateField(_("奖励发放日期"), null=True, blank=True)
    reward_note = models.CharField(_("奖励说明"), max_length=200, blank=True)

    objects = TipQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报线索")
        verbose_name_plural = _("举报线索")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="enforcement_tip_number_unique"),
            models.CheckConstraint(
                condition=~Q(status=TipStatus.DISMISSED) | ~Q(dismissal_reason=""),
                name="enforcement_tip_dismissal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=TipStatus.PENDING) | Q(handled_on__isnull=False),
                name="enforcement_tip_handled_has_date",
            ),
            models.CheckConstraint(
                condition=Q(reward_amount__isnull=True) | Q(reward_amount__gte=0),
                name="enforcement_tip_reward_not_negative",
            ),
        ]
        indexes = [
            # Tip list filtered by township, newest first; figures "tips received per township in a period".
            models.Index(fields=["township", "-received_on"], name="enf_tip_township_received"),
            models.Index(fields=["received_on", "township"], name="enf_tip_received"),
            # Overdue tips: status = pending and received_on < today - deadline.
            models.Index(fields=["status", "received_on"], name="enf_tip_status_received"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"JB{self.year}-{self.seq:04d}"

    def get_absolute_url(self):
        return reverse("enforcement:tip_detail", args=[self.pk])

    def due_on(self) -> datetime.date:
        return self.received_on + datetime.timedelta(days=tip_handle_days())

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == TipStatus.PENDING and (today or timezone.localdate()) > self.due_on()
