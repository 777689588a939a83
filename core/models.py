"""Abstract model bases every app's records share. No tables: each concrete model gets the fields."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
