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
        key = (id(field), get_language())
        labels = _LABELS.get(key)
        if labels is None:
            labels = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}
        value = getattr(self, field.attname)
        return labels.get(value, value)


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
