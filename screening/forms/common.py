"""Form pieces screening's forms share."""
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import forms as accounts_forms
from core.forms import PlausibleDateField, years

# A date something happened on (exam, consent, follow-up, LMP, delivery, screening, diagnosis):
# not in the future, and not older than a paper record a clinic would still enter.
RECORD_PAST = years(10)


def record_date(label, **kwargs) -> PlausibleDateField:
    return PlausibleDateField(label=label, past=kwargs.pop("past", RECORD_PAST), **kwargs)


def township_field(*, required: bool = False) -> forms.ModelChoiceField:
    return accounts_forms.township_field(required=required, empty_label=_("全县"))
