"""Form pieces the enforcement forms share."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import FilterFormMixin, Form
from core.widgets import FastSelect

ALL = [("", _("全部"))]


def year_choices():
    this_year = timezone.localdate().year
    return ALL + [(str(y), str(y)) for y in range(this_year, 2019, -1)]


class FilterForm(FilterFormMixin, Form):
    """GET filters of a list. ``values()`` returns the valid ones; a wrong one shows its error
    and is left out, so the list never silently widens to everything."""

    q = forms.CharField(
        label=_("搜索"), required=False, max_length=60, widget=forms.TextInput(attrs={"type": "search"})
    )
    # Drilldown period from a figure (core.indicators: ?township=&start=&end=, end exclusive).
    start = forms.DateField(required=False, widget=forms.HiddenInput)
    end = forms.DateField(required=False, widget=forms.HiddenInput)

    search_placeholder = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Options written in Python (core/widgets.py): Django's Select renders a template per
            # option, which made the filters a third of a list page's time at county scale.
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.choices)
        if self.search_placeholder:
            self.fields["q"].widget.attrs["placeholder"] = self.search_placeholder
