"""Form pieces screening's forms share."""
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form, PlausibleDateField, years
from accounts.models import Township


def date_input(**attrs) -> forms.DateInput:
    """The device's own date picker, round-tripping ISO dates."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


# A date something happened on (exam, consent, follow-up, LMP, delivery, screening, diagnosis):
# not in the future, and not older than a paper record a clinic would still enter.
RECORD_PAST = years(10)


def record_date(label, **kwargs) -> PlausibleDateField:
    return PlausibleDateField(label=label, past=kwargs.pop("past", RECORD_PAST), **kwargs)


def put_errors(form: forms.Form, error: ValidationError, *, field_map: dict | None = None) -> None:
    """A service's refusal onto the form: keyed messages beside their field, the rest on top."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            field = field_map.get(field, field)
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ReasonForm(Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：录入错误、重复登记")}))


def township_field(*, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("镇/街道"), required=required, empty_label=_("全县"),
        queryset=Township.objects.filter(is_active=True).order_by("sort_order", "code"))


class FilterForm(Form):
    """A GET filter form: invalid values are dropped, not shown as errors, and ``values()`` gives
    what was valid."""

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}
