"""Abstract model bases every app's records share. No tables: each concrete model gets the fields."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_LABELS: dict = {}


class ChoiceLabels(models.Model):
    """``get_<field>_display()`` from a per-language dict of the field's labels.

    Django's own builds a dict of the field's choices on every call, hashing each lazy label, which
    translates it: a list page of 25 households with their members called gettext some 900 times
    per request (issue #7's profile: a fifth of the page). Labels are fixed per field and
    language, so each table is built once per process.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        return choice_label(field, getattr(self, field.attname))


def choice_label(field, value):
    """What ``get_<field>_display()`` shows for ``value``, in the active language (rows read as
    plain values rather than model instances use it too)."""
    key = (id(field), get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    return labels.get(value, value)


class VoidableQuerySet(models.QuerySet):
    """The queryset of a ``Voidable`` model (put it first among the bases: ``class
    HouseholdQuerySet(VoidableQuerySet, ScopedQuerySet)``)."""

    def active(self):
        """The records not voided: what lists, counts and figures show."""
        return self.filter(is_void=False)


class Voidable(models.Model):
    """Users never hard-delete: a record is voided with a reason and drops out of lists."""

    is_void = models.BooleanField(_("已作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("作废人"),
    )

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: a form carries the version it was read at; a stale save is refused."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class Timestamped(ChoiceLabels):
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ExportJob(models.Model):
    """One .xlsx export run by a Celery worker (core/exports): who asked, for which registered
    export and filters, how far it got, and the file — kept in the default storage until
    ``expires_at``, then deleted by the daily clean-up (``expire_exports``).

    The filters are stored as the list page's query parameters, not as a query: the worker rebuilds
    the rows from the owner's permissions *when it runs*, so a user whose access changed in between
    gets their current scope, never the old one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导出人"))
    kind = models.CharField(_("导出类型"), max_length=50, help_text=_("在 core.exports 中登记的导出名称。"))
    params = models.JSONField(_("筛选参数"), default=dict, blank=True, help_text=_("列表页的查询参数。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("预计行数"), default=0)
    progress = models.PositiveIntegerField(_("已写入行数"), default=0)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    file_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    # The lease (core.exports): when the job was last sent to the broker (queued) or last confirmed
    # alive by the worker writing it (running). A running job whose lease lapsed has lost its worker
    # and is taken over; a queued one not picked up is sent again.
    alive_at = models.DateTimeField(_("最近确认时间"), null=True, blank=True)
    claim = models.CharField(_("执行标识"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [
            # "My exports" list and the duplicate-request check: one owner's recent jobs.
            models.Index(fields=["owner", "-created_at"], name="core_exportjob_owner_recent"),
            # Daily clean-up: finished jobs past their expiry.
            models.Index(fields=["status", "expires_at"], name="core_exportjob_expiry"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:export_status", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.progress * 100 // self.total) if self.total else 0
