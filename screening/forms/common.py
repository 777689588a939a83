"""Form pieces screening's forms share."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from accounts.models import Township


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
