"""What every form in the project gets (docs/ui-patterns.md, "Forms").

``StandardFormMixin`` (and the ``Form`` / ``ModelForm`` bases built on it) adds two things to any
Django form, without the form having to ask:

1. **Input hygiene.** Text typed or pasted into a text field loses what no one means to type and
   what breaks later: control characters (``\\x00``–``\\x1f`` except a textarea's newlines and
   tabs, ``\\x7f``, C1 controls), zero-width and bidirectional formatting characters (they make
   two identical-looking names differ and can reorder what a reader sees) and lone surrogates
   (they cannot be stored as UTF-8). In a one-line field a pasted tab or line break becomes a
   space. Passwords are left exactly as typed.
2. **Messages that speak to a clerk.** Django's stock messages ("确保该变量包含不超过 30 字符",
   "输入一个有效的日期") are replaced with ones that name the field: "姓名最多 30 个字（现在 31 个）",
   "出生日期不是有效的日期，请按 2026-03-01 的格式填写". A message the form sets itself is kept.

``PlausibleDateField`` is a date that must fall in a window around today (a birth date within
120 years and not in the future, a visit not next year...): a mistyped year such as 9999 or 1026
is refused with a message instead of being stored and dropping a record out of every list.
"""
import datetime
import re

from django import forms
from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .widgets import FastSelect

# Characters no one types on purpose into a register: C0 controls except tab and newline (handled
# separately), DEL and C1 controls, zero-width characters, bidirectional embeddings/overrides/
# isolates, invisible operators, the BOM, and lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_LINE_BREAK = re.compile("\r\n?|[\u0085\u2028\u2029]")
_ONE_LINE_SPACE = re.compile("[\t\n]+")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control and invisible formatting characters (see the module docstring).

    Line breaks become ``\\n``; a one-line field turns tabs and line breaks into one space.
    """
    value = _LINE_BREAK.sub("\n", value)
    if not multiline:
        value = _ONE_LINE_SPACE.sub(" ", value)
    return _INVISIBLE.sub("", value)


def years(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=round(365.25 * n))


_LIFETIME = years(120)
_TODAY = datetime.timedelta(0)


def _is_text_field(field: forms.Field) -> bool:
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field.widget, (forms.PasswordInput, forms.MultiWidget))
    )


def _stock_messages(field: forms.Field) -> dict:
    """The messages Django's field classes define (what ``error_messages`` holds unless the form
    author changed it)."""
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def _label(field: forms.Field, name: str) -> str:
    # "%" would be read as a placeholder when Django fills in the message's parameters.
    return str(field.label or name).rstrip("：:").replace("%", "%%")


def _required_message(field: forms.Field) -> str:
    if isinstance(field, forms.FileField):
        return _("请选择要上传的文件。")
    if isinstance(field, forms.BooleanField):
        return _("请勾选“{label}”。")
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return _("请至少选择一项{label}。")
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return _("请选择{label}。")
    return _("请填写{label}。")


def _invalid_message(field: forms.Field) -> str | None:
    if isinstance(field, forms.DateField):
        return _("{label}不是有效的日期，请按 2026-03-01 的格式填写。")
    if isinstance(field, forms.DateTimeField):
        return _("{label}不是有效的日期时间，请按 2026-03-01 08:30 的格式填写。")
    if isinstance(field, forms.IntegerField):
        return _("{label}请填写整数。")
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return _("{label}请填写数字。")
    if isinstance(field, forms.EmailField):
        return _("{label}不是有效的电子邮箱地址。")
    if isinstance(field, forms.FileField):
        return _("上传的不是文件，请重新选择。")
    return None


def _clerk_messages(field: forms.Field, name: str) -> None:
    label = _label(field, name)
    stock = _stock_messages(field)
    ours = {
        "required": _required_message(field),
        "invalid": _invalid_message(field),
        "invalid_choice": _("所选的{label}不在可选范围内，请重新选择。"),
        "invalid_list": _("请从列表中选择{label}。"),
        "overflow": _("{label}超出了可以填写的范围。"),
        "empty": _("上传的是空文件，请重新选择。"),
        "missing": _("没有收到文件，请重新选择。"),
    }
    for key, message in ours.items():
        if message and key in field.error_messages and field.error_messages[key] is stock.get(key):
            field.error_messages[key] = message.replace("{label}", label)
    replaced = []
    for validator in field.validators:
        kind = type(validator)
        if kind is validators.MaxLengthValidator and validator.message is kind.message:
            validator = kind(validator.limit_value, _("{label}最多 %(limit_value)d 个字（现在 %(show_value)d 个）。")
                             .replace("{label}", label))
        elif kind is validators.MinLengthValidator and validator.message is kind.message:
            validator = kind(validator.limit_value, _("{label}至少 %(limit_value)d 个字（现在 %(show_value)d 个）。")
                             .replace("{label}", label))
        elif kind is validators.MaxValueValidator and validator.message is kind.message:
            validator = kind(validator.limit_value, _("{label}不能大于 %(limit_value)s。").replace("{label}", label))
        elif kind is validators.MinValueValidator and validator.message is kind.message:
            validator = kind(validator.limit_value, _("{label}不能小于 %(limit_value)s。").replace("{label}", label))
        replaced.append(validator)
    field.validators = replaced


class StandardFormMixin:
    """Input hygiene and a clerk's messages for every field (module docstring). Put it first:
    ``class VisitForm(StandardFormMixin, forms.Form)``, or use ``core.forms.Form``."""

    def full_clean(self):
        # Here rather than in __init__: forms add and replace fields in their own __init__ after
        # ours has run, and those fields need the same treatment. Only a bound form is validated:
        # an unbound one (a list page's filters before any search) never shows a message.
        if self.is_bound:
            for name, field in self.fields.items():
                if not getattr(field, "_clerk_messages", False):
                    _clerk_messages(field, name)
                    field._clerk_messages = True
            self.data = self._hygienic(self.data)
        super().full_clean()

    def _hygienic(self, data):
        data = data.copy()
        for name, field in self.fields.items():
            if not _is_text_field(field):
                continue
            key = self.add_prefix(name)
            multiline = isinstance(field.widget, forms.Textarea)
            if hasattr(data, "setlist"):  # a QueryDict (request.POST / GET)
                if key in data:
                    data.setlist(key, [clean_text(v, multiline=multiline) if isinstance(v, str) else v
                                       for v in data.getlist(key)])
            elif isinstance(data.get(key), str):
                data[key] = clean_text(data[key], multiline=multiline)
        return data


class Form(StandardFormMixin, forms.Form):
    pass


class ModelForm(StandardFormMixin, forms.ModelForm):
    pass


class PlausibleDateField(forms.DateField):
    """A date no earlier than ``past`` before today and no later than ``future`` after it
    (``None``: no bound that way). The phone's date picker gets the same ``min``/``max``.

    ``PlausibleDateField(label=_("出生日期"), past=years(120))``: not in the future, not before
    120 years ago. ``future=years(1)`` for a date that may lie ahead (an appointment).
    """

    def __init__(self, *, past: datetime.timedelta | None = _LIFETIME,
                 future: datetime.timedelta | None = _TODAY, **kwargs):
        self.past, self.future = past, future
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)

    def window(self) -> tuple[datetime.date | None, datetime.date | None]:
        today = timezone.localdate()
        return (today - self.past if self.past is not None else None,
                today + self.future if self.future is not None else None)

    def __deepcopy__(self, memo):
        # Each form instance gets a copy of the field: the picker's bounds follow today's date.
        field = super().__deepcopy__(memo)
        earliest, latest = field.window()
        if earliest:
            field.widget.attrs["min"] = earliest.isoformat()
        if latest:
            field.widget.attrs["max"] = latest.isoformat()
        return field

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        earliest, latest = self.window()
        label = str(self.label or _("日期"))
        if latest is not None and value > latest:
            if self.future == _TODAY:
                raise forms.ValidationError(_("%(label)s不能晚于今天。") % {"label": label}, code="future")
            raise forms.ValidationError(
                _("%(label)s不能晚于 %(date)s。") % {"label": label, "date": latest.isoformat()}, code="too_late")
        if earliest is not None and value < earliest:
            raise forms.ValidationError(
                _("%(label)s不能早于 %(date)s，请核对年份。") % {"label": label, "date": earliest.isoformat()},
                code="too_early")


class FilterFormMixin:
    """A list page's GET filters (``templates/_filters.html``): ``has_filters`` tells the page to
    unfold the filters because one other than the search box is set to something else than its
    default (a select left on its first choice, submitted with the search, does not count).
    ``values()`` gives the filters to pass to the list's selector, ``describe()`` says them in words."""

    search_field = "q"

    def values(self) -> dict:
        """The valid filters that are set. A wrong one (a mistyped date) is left out and its error
        shown on the form; the others still apply, so the list never silently widens to everything.
        Exports check ``is_valid()`` first and refuse an invalid filter outright."""
        if not self.is_bound:
            return {}
        self.is_valid()  # a scoped choice outside the user's scope raises OutOfScope here (404)
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [], False)}

    def describe(self) -> str:
        """The filters in words, for an export's notes and the audit trail."""
        parts = []
        for name, value in self.values().items():
            field = self.fields[name]
            shown = value
            if hasattr(field, "choices") and not isinstance(value, Model):
                shown = dict(field.choices).get(value, value)
            parts.append(f"{field.label or name}={shown}")
        return "; ".join(parts)

    @property
    def has_filters(self) -> bool:
        if not self.is_bound:
            return False
        for name, field in self.fields.items():
            if name == self.search_field or field.widget.is_hidden:
                continue
            value = self.data.get(self.add_prefix(name))
            if value in (None, ""):
                continue
            default = self.initial.get(name, field.initial)
            if default is None and getattr(field, "choices", None):
                default = next(iter(field.choices), ("",))[0]
            if str(value) != str("" if default is None else default):
                return True
        return False


def date_input(**attrs) -> forms.DateInput:
    """The device's own date picker (an HTML5 date input) that round-trips ISO dates."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, error: ValidationError, *, field_map: dict | None = None) -> None:
    """Put a service's refusal (a ``ValidationError``) on the form, keeping what was typed: keyed
    messages next to their field (renamed through ``field_map`` where the form names the field
    differently from the service), the rest at the top of the form."""
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
    """Why a record is voided, retired or dismissed (records are never deleted).

    The page chooses the words: ``ReasonForm(request.POST or None, label=_("作废原因"),
    placeholder=_("例如：录入错误"))``. A reason of blanks only is refused ("请填写<label>。").
    """

    def __init__(self, *args, label=None, max_length: int = 200, placeholder=None,
                 widget: forms.Widget | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        label = label or _("原因")
        attrs = {"rows": 2, **({"placeholder": placeholder} if placeholder else {})}
        self.fields["reason"] = forms.CharField(label=label, max_length=max_length,
                                                widget=widget or forms.Textarea(attrs=attrs))


class PlainChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices in one plain query. Django iterates a ModelChoiceField's queryset with
    ``.iterator()``, which on PostgreSQL is a server-side cursor: DECLARE, FETCH and CLOSE, three
    round trips for a list of 60 villages, on every list page (issue #7 counted round trips)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.label_field:  # (pk, label) pairs: no model instance per option
            yield from self.queryset.values_list("pk", self.field.label_field)
            return
        for obj in self.queryset.all():  # one plain query (not .iterator()'s server-side cursor)
            yield self.choice(obj)


class FastModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField read in one plain query and written in Python (core/widgets.py): list
    filters offer a township's 60-odd villages or the county's townships on every page.

    ``label_field``: the field whose value is the option's label when it is what str(instance)
    gives (a village's name); the options are then read as (pk, label) pairs.
    """

    widget = FastSelect
    iterator = PlainChoiceIterator

    def __init__(self, queryset, *, label_field: str | None = None, **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)


class PeriodForm(Form):
    """A figures page's period, as the half-open [start, end) the selectors take: the form shows
    the last day included. Defaults to this year so far; two dates typed the wrong way round are
    swapped. A date outside ``BOUNDS`` (9999-12-31 would overflow "+1 day") is refused, and so is
    a period longer than ``max_days`` when a form sets it."""

    BOUNDS = (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
    max_days: int | None = None

    start = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=date_input())
    end = forms.DateField(label=gettext_lazy("截止日期（含）"), required=False, widget=date_input())

    def clean(self):
        data = super().clean()
        low, high = self.BOUNDS
        for name in ("start", "end"):
            value = data.get(name)
            if value and not low <= value <= high:
                self.add_error(name, _("请填写 %(low)s 至 %(high)s 之间的日期。") % {"low": low.year, "high": high.year})
        start, end = data.get("start"), data.get("end")
        if self.max_days and start and end and (end - start).days > self.max_days:
            raise forms.ValidationError(_("统计期间不能超过 10 年。"))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """[start, end) with ``end`` made exclusive; default: this year up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start = data.get("start") or today.replace(month=1, day=1)
        last = data.get("end") or today
        if last < start:
            start, last = last, start
        return start, last + datetime.timedelta(days=1)
