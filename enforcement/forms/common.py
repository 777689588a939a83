"""Form pieces the enforcement forms share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, QueryDateField
from core.widgets import FastSelect
from accounts.models import Township

ALL = [("", _("全部"))]


def date_input(**attrs) -> forms.DateInput:
    """The phone's own date picker, round-tripping ISO dates."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class _PlainChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices in one plain query, not ``.iterator()``'s server-side cursor (DECLARE, FETCH,
    CLOSE: three round trips for 16 townships on every list page)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class TownshipChoiceField(forms.ModelChoiceField):
    widget = FastSelect  # options written in Python, not one template render each (core/widgets.py)
    iterator = _PlainChoiceIterator


def township_field(*, required=True, label=None) -> forms.ModelChoiceField:
    return TownshipChoiceField(
        Township.objects.filter(is_active=True).order_by("sort_order", "code"),
        required=required,
        label=label or _("镇/街道"),
        empty_label=_("全部") if not required else _("请选择"),
    )


def year_choices():
    this_year = timezone.localdate().year
    return ALL + [(str(y), str(y)) for y in range(this_year, 2019, -1)]


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal onto the form: keyed messages by their field, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ReasonForm(Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("请填写理由。"))
        return reason


class FilterForm(Form):
    """GET filters of a list. ``values()`` returns the valid ones; a wrong one shows its error
    and is left out, so the list never silently widens to everything."""

    q = forms.CharField(
        label=_("搜索"), required=False, max_length=60, widget=forms.TextInput(attrs={"type": "search"})
    )
    # Drilldown period from a figure (core.indicators: ?township=&start=&end=, end exclusive).
    start = QueryDateField(widget=forms.HiddenInput)
    end = QueryDateField(widget=forms.HiddenInput)

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

    @property
    def has_filters(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name not in ("q", "start", "end"))

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [], False)}

    def describe(self) -> str:
        """The filters in words, for an export's notes."""
        parts = []
        for name, value in self.values().items():
            field = self.fields[name]
            shown = (
                dict(field.choices).get(value, value)
                if hasattr(field, "choices") and not isinstance(value, (Township,))
                else value
            )
            parts.append(f"{field.label or name}={shown}")
        return "; ".join(parts)
