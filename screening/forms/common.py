"""Form pieces screening's forms share."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form, ReasonForm
from accounts.models import Township


def void_reason_form(data=None) -> ReasonForm:
    """Why a screening record is voided (the words of screening's void pages)."""
    return ReasonForm(data, label=_("作废原因"), placeholder=_("例如：录入错误、重复登记"))


def township_field(*, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("镇/街道"), required=required, empty_label=_("全县"),
        queryset=Township.objects.active())


class FilterForm(Form):
    """A GET filter form: invalid values are dropped, not shown as errors, and ``values()`` gives
    what was valid."""

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}
