"""Form pieces screening's forms share."""
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Township


def township_field(*, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("镇/街道"), required=required, empty_label=_("全县"),
        queryset=Township.objects.active())
