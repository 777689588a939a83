"""Form pieces screening's forms share."""
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import forms as accounts_forms


def township_field(*, required: bool = False) -> forms.ModelChoiceField:
    return accounts_forms.township_field(required=required, empty_label=_("全县"))
